"""The summary's numbers as shown, and small display helpers.

``sle_cart.present.prose`` builds every sentence of the summary from these
values; nothing in the chapter's own text is a number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sle_cart.analysis import claims, publications
from sle_cart.analysis.claims import Verdict
from sle_cart.analysis.findings import findings_of
from sle_cart.analysis.proportions import Proportion

from .formatting import count_ci, p_value, precise, recorded

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset


class HTMLBlock:
    """Pre-escaped HTML that a notebook displays as such."""

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:  # stable text/plain output (nbval compares it)
        return "<HTML block>"


def published_decimals(v: Verdict) -> int:
    """How many decimals the publication in force prints for a claim; for one it does not state, abstract
    0647's (a precision the quantity is usually reported to)."""
    return claims.decimals_shown(v.published or publications.default().value(v.id))


def shown(v: Verdict) -> str:
    """A claim's reproduced value as the book shows it: at the published decimals, or more where the
    data have them; p-values with enough figures to decide the published comparison."""
    if v.value is None:
        return "not evaluable"
    if v.claim.unit == "p":
        return p_value(v.value)
    return precise(v.value, published_decimals(v))


def in_prose(v: Verdict) -> str:
    """A claim's value as the prose shows it: by its quantity's rule, as the tables show it (a median
    SLEDAI-2K of 5 is '5' there and here, though the abstract printed '5.0'); p-values as in :func:`shown`.
    The ledger keeps :func:`shown`, the comparison at the published decimals."""
    if v.value is None or v.claim.unit in ("p", "proportion"):
        return shown(v)
    return recorded(v.value)


#: Counts the summary states as "k/n (%; 95% CI)", by the claim that holds them.
COUNTS = {
    "bcell_day1": "n_bcell_depleted_by_day1",
    "bcell_day4": "n_bcell_depleted_by_day4",
    "renal_response": "renal_response_rate",
    "dsdna_negative": "n_dsdna_negative",
    "complement_normal": "n_complement_normal_by_day60",
}


def claim_count(v: Verdict) -> str:
    """A count or proportion claim as 'k/n (%; 95% CI …)', with the claim's own interval."""
    if v.value is None or not v.denominator:
        return count_ci(Proportion(None, 0, None))
    k = int(v.value) if v.claim.unit == "patients" else int(v.value * v.denominator)
    return count_ci(Proportion(k, v.denominator, v.ci95))


def summary_values(ds: Dataset) -> dict[str, str]:
    """Every claim's reproduced value as the summary shows it, plus its n and a few extras.

    Keys are claim ids (e.g. ``age_median``), shown by ``in_prose`` ("not evaluable" when missing), and
    ``<id>_n``, the patients the value rests on; extras: ``n_cohort``,
    ``sledai_baseline_n``, ``prior_lines_n``, the counts named in ``COUNTS``
    ("5/6 (83%; 95% CI …)"), ``n_claims_holding`` / ``n_claims`` and
    ``dataset_name``.  Everything is read from the findings of ``ds``.
    """
    found = findings_of(ds)
    verdicts = {c.id: c.verdict for c in found.claims}
    out = {cid: in_prose(v) for cid, v in verdicts.items()}
    out |= {f"{cid}_n": str(v.n_evaluable) for cid, v in verdicts.items()}
    out["n_cohort"] = str(len(found.analyses.patients))
    out["sledai_baseline_n"] = str(verdicts["n_sledai_baseline_ge_10"].denominator or 0)
    out["prior_lines_n"] = str(verdicts["n_prior_lines_ge_2"].denominator or 0)
    for key, claim_id in COUNTS.items():
        out[key] = claim_count(verdicts[claim_id])
    out["n_claims_holding"] = str(found.n_holding)
    out["n_claims"] = str(len(verdicts))
    out["dataset_name"] = ds.name
    return out

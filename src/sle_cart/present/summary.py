"""The summary's numbers as shown, and small display helpers.

``sle_cart.present.prose`` builds every sentence of the summary from these
values; nothing in the chapter's own text is a number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sle_cart.analysis import claims

from .formatting import count_ci, p_value, precise

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


def published_decimals(claim_id: str) -> int:
    """How many decimals the abstract prints for a claim."""
    return claims.decimals_shown(claims.CLAIM_BY_ID[claim_id].published)


def _shown(c: dict) -> str:
    v = c["reproduced"]
    if v is None:
        return "not evaluable"
    return p_value(v) if c["unit"] == "p" else precise(v, published_decimals(c["id"]))


def summary_values(ds: Dataset) -> dict[str, str]:
    """Every claim's reproduced value as the summary shows it, plus a few extras.

    Keys are claim ids (e.g. ``age_median``), shown at the published decimals or
    more where the data have them ("not evaluable" when missing); extras:
    ``sledai_baseline_n``, ``bcell_day1`` / ``bcell_day4`` ("5/6 (83%; 95% CI …)"),
    ``n_claims_holding`` / ``n_claims`` and ``dataset_name``.
    """
    results = {c["id"]: c for c in claims.evaluate(ds)}
    out = {cid: _shown(c) for cid, c in results.items()}
    out["sledai_baseline_n"] = str(results["n_sledai_baseline_ge_10"].get("denominator", 0))
    out["prior_lines_n"] = str(results["n_prior_lines_ge_2"].get("denominator", 0))
    for day in (1, 4):
        c = results[f"n_bcell_depleted_by_day{day}"]
        out[f"bcell_day{day}"] = count_ci(c["reproduced"], c.get("denominator", 0))
    out["n_claims_holding"] = str(sum(c["holds"] for c in results.values()))
    out["n_claims"] = str(len(results))
    out["dataset_name"] = ds.name
    return out

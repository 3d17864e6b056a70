"""The summary's sentences about the claims: how many hold, what that proves, and how robust they are.

The robustness classes are those of :class:`sle_cart.analysis.robustness.Robustness`,
read from the findings, so these sentences, the ledger, the heat map, the PDF and
claims.json give the same counts.  "Robust" and "fragile" are counted only among
the claims that some alternative could affect; the others are counted apart.
Claims and alternatives are named by their labels, never by their ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sle_cart.analysis import publications, robustness
from sle_cart.analysis.findings import ClaimFinding, Findings, findings_of
from sle_cart.analysis.robustness import Robustness

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

#: How each class reads in a sentence ("16 robust, 3 fragile").
PHRASES = {
    Robustness.ROBUST: "robust",
    Robustness.FRAGILE: "fragile",
    Robustness.NOT_AFFECTED: "not affected by any alternative",
    Robustness.DOES_NOT_HOLD: "not holding",
    Robustness.NOT_EVALUABLE: "not evaluable",
    Robustness.NOT_STATED: "not stated by the publication (computed, not checked)",
}
#: The classes counted among the claims some alternative could affect.
AFFECTED = (Robustness.ROBUST, Robustness.FRAGILE)


def counts_phrase(found: Findings) -> str:
    """'16 robust and 3 fragile among the claims that hold and that some alternative could affect;
    20 not affected by any alternative': every class with at least one claim, in a fixed order."""
    counts = found.counts()
    affected = " and ".join(f"{counts[k]} {PHRASES[k]}" for k in AFFECTED if counts[k])
    parts = (
        [f"{affected} among the claims that hold and that some alternative could affect"] if affected else []
    )
    parts += [f"{n} {PHRASES[k]}" for k, n in counts.items() if n and k not in AFFECTED]
    return "; ".join(parts)


#: What a view says of a fragile claim whose verdict under an alternative the published numbers leave open.
UNDECIDED = "the publication does not decide this"


def fragile_cell(c: ClaimFinding, reconstructed: bool) -> str:
    """'fragile on the reconstruction: fails under …; the publication does not decide this', or
    'fragile: fails under …' when the publication decides each verdict (a reconstruction is named as such)."""
    open_ = c.undecided(c.alternatives)
    head = f"fragile{' on the reconstruction' if reconstructed and open_ else ''}: fails under "
    text = head + ", ".join(robustness.BY_ID[a].label for a in c.alternatives)
    if not open_:
        return text
    which = "" if open_ == c.alternatives else " under " + ", ".join(robustness.BY_ID[a].label for a in open_)
    return f"{text}; {UNDECIDED}{which}"


def claim_labels(claims) -> str:
    """Claims by label, separated by semicolons (labels may hold commas: 'Age, median')."""
    return "; ".join(c.verdict.claim.label for c in claims)


def _versus(ds: Dataset, ids) -> str:
    return ", ".join(robustness.BY_ID[a].versus(ds) for a in ids)


def by_construction(ds: Dataset, found: Findings) -> str:
    """What the ledger proves on reconstructed data, in one sentence ('' for any other provenance)."""
    if not ds.reconstructed:
        return ""
    if found.n_holding == found.n_stated:
        return (
            "Every claim holds by construction: the reconstruction was generated to match the published "
            "numbers, so the ledger tests the code and the definitions, not the trial."
        )
    return (
        "The data were reconstructed to match the published numbers, so the ledger tests the code and the "
        "definitions, not the trial."
    )


def _stated_in(ds: Dataset) -> str:
    """'the abstract' (abstract 0647, the default) or how the dataset's own publication is named."""
    return publications.of(ds).label if ds.publication else "the abstract"


def reproduction(ds: Dataset) -> list[str]:
    """How many published numbers this dataset reproduces, what that proves, and which lean on unstated choices."""
    found = findings_of(ds)
    s = (
        f"Of the {found.n_stated} numbers stated in {_stated_in(ds)}, {found.n_holding} are reproduced by the "
        f"dataset {ds.name}; the claims ledger lists each one with its denominator and exact interval."
    )
    proves = by_construction(ds, found)
    s += f" {proves}" if proves else ""
    fragile = found.with_robustness(Robustness.FRAGILE)
    if fragile:
        parts = [f"{c.verdict.claim.label} (under {_versus(ds, c.alternatives)})" for c in fragile]
        s += (
            f" Of the claims that hold, {len(fragile)} would not under another reasonable choice of "
            f"definition or reference range: {'; '.join(parts)}; the robustness chapter shows all of them."
        )
    elif found.with_robustness(Robustness.ROBUST):
        s += (
            " Every claim that holds and that an alternative definition could affect also holds under each "
            "alternative of the robustness chapter."
        )
    rescued = [c for c in found.claims if not c.holds and c.alternatives]
    if rescued:
        s += f" Of those that do not hold, {len(rescued)} would hold under an alternative."
    return [s + f" In all: {counts_phrase(found)}."]


def ledger_text(ds: Dataset) -> list[str]:
    """The ledger's lead: what its verdicts prove on reconstructed data (nothing to add otherwise)."""
    proves = by_construction(ds, findings_of(ds))
    return [proves] if proves else []


def robustness_text(ds: Dataset) -> list[str]:
    """The robustness classes (the same as the ledger's), the fragile claims by alternative, and the
    claims no alternative affects, listed apart."""
    found = findings_of(ds)
    n_alt = len(robustness.ALTERNATIVES)
    head = (
        f"Of the {len(found.claims)} claims, under the dataset's definitions and the {n_alt} alternatives: "
        f"{counts_phrase(found)}. Robust: holds as defined and under every alternative that changes "
        "something its value is computed from; fragile: holds as defined but fails under at least one; a claim "
        "that does not hold as defined counts as such whatever the alternatives say."
    )
    fragile = found.with_robustness(Robustness.FRAGILE)
    if fragile:
        by_alt: dict[str, list] = {}
        for c in fragile:
            for a in c.alternatives:
                by_alt.setdefault(robustness.BY_ID[a].versus(ds), []).append(c)
        parts = [f"{a}: {claim_labels(cs)}" for a, cs in by_alt.items()]
        head += f" The fragile claims, by alternative: {' — '.join(parts)}."
        head += _undecided_sentence(fragile, ds.reconstructed)
    out = [head]
    apart = found.with_robustness(Robustness.NOT_AFFECTED)
    if apart:
        out.append(
            "No alternative changes anything these claims are computed from, so they are listed apart and "
            f"counted neither robust nor fragile: {claim_labels(apart)}."
        )
    return out


def _undecided_sentence(fragile: list[ClaimFinding], reconstructed: bool) -> str:
    """Which fragile verdicts the published numbers leave open, and what that means on these data."""
    pairs = [(c, a) for c in fragile for a in c.alternatives]
    open_ = [(c, a) for c, a in pairs if a in c.undecided(c.alternatives)]
    if not open_:
        return " The published numbers decide each of these verdicts by themselves."
    where = (
        "These data are reconstructed, so each is fragile on the reconstruction: a statement about invented "
        "values near a threshold, not about the trial's patients."
        if reconstructed
        else "The fragility is this dataset's, not necessarily that of the abstract's trial."
    )
    if len(open_) == len(pairs):
        return (
            " For none of them does the publication decide the verdict under that alternative: it depends on "
            f"patient values the publication does not print. {where}"
        )
    named = "; ".join(f"{c.verdict.claim.label} under {robustness.BY_ID[a].label}" for c, a in open_)
    return f" The publication does not decide {named}: each depends on values the publication does not print. {where}"

"""The summary's sentences about the claims: how many hold, and how robust they are.

The robustness classes are those of :class:`sle_cart.analysis.robustness.Robustness`,
read from the findings, so these sentences, the ledger, the heat map, the PDF and
claims.json give the same counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sle_cart.analysis import robustness
from sle_cart.analysis.findings import Findings, findings_of
from sle_cart.analysis.robustness import Robustness

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

#: How each class reads in a sentence ("36 robust, 3 fragile").
PHRASES = {
    Robustness.ROBUST: "robust",
    Robustness.FRAGILE: "fragile",
    Robustness.DOES_NOT_HOLD: "not holding",
    Robustness.NOT_EVALUABLE: "not evaluable",
}


def counts_phrase(found: Findings) -> str:
    """'36 robust, 3 fragile': every class with at least one claim, in a fixed order."""
    return ", ".join(f"{n} {PHRASES[k]}" for k, n in found.counts().items() if n)


def _labels(ids) -> str:
    return ", ".join(robustness.BY_ID[a].label for a in ids)


def reproduction(ds: Dataset) -> list[str]:
    """How many published numbers this dataset reproduces, and which lean on unstated choices."""
    found = findings_of(ds)
    s = (
        f"Of the {len(found.claims)} numbers stated in the abstract, {found.n_holding} are reproduced by the "
        f"dataset {ds.name}; the claims ledger lists each one with its denominator and exact interval."
    )
    fragile = found.with_robustness(Robustness.FRAGILE)
    if fragile:
        parts = [f"{c.verdict.statement} (under {_labels(c.alternatives)})" for c in fragile]
        s += (
            f" Of the claims that hold, {len(fragile)} would not under another reasonable choice of "
            f"definition or reference range: {'; '.join(parts)}; the robustness chapter shows all of them."
        )
    elif found.n_holding:
        s += " Every claim that holds also holds under each alternative definition of the robustness chapter."
    rescued = [c for c in found.claims if not c.holds and c.alternatives]
    if rescued:
        s += f" Of those that do not hold, {len(rescued)} would hold under an alternative."
    return [s + f" In all: {counts_phrase(found)}."]


def robustness_text(ds: Dataset) -> list[str]:
    """Which claims are fragile, and to which alternative choices (the same classes as the ledger)."""
    found = findings_of(ds)
    n_alt = len(robustness.ALTERNATIVES)
    fragile = found.with_robustness(Robustness.FRAGILE)
    head = (
        f"Of the {len(found.claims)} claims, under the dataset's definitions and the {n_alt} alternatives: "
        f"{counts_phrase(found)}. Robust: holds as defined and under every alternative; fragile: holds as "
        "defined but fails under at least one; a claim that does not hold as defined counts as such whatever "
        "the alternatives say."
    )
    if not fragile:
        return [head]
    by_alt: dict[str, list[str]] = {}
    for c in fragile:
        for a in c.alternatives:
            by_alt.setdefault(robustness.BY_ID[a].label, []).append(c.verdict.statement)
    parts = [f"{a}: {'; '.join(ids)}" for a, ids in by_alt.items()]
    return [head + f" The fragile claims, by alternative: {' — '.join(parts)}."]

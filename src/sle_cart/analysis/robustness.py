"""How much each claim leans on choices the abstract does not state.

Each alternative changes one definition or one laboratory reference range, with
its source (``shared/reference/clinical-definitions.md``).  Every claim is
re-evaluated under each, directly from the data (no chapter re-runs).  A claim
that holds under every alternative is *robust*; otherwise it is *fragile* to the
alternatives under which it does not hold.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from enum import StrEnum

from .claims import Status


@dataclass(frozen=True)
class Alternative:
    """One changed choice: a definition (``definitions.<name>``) or a reference limit."""

    id: str
    label: str  # what a reader sees
    changes: dict[str, float]
    why: str
    source: str


ALTERNATIVES: tuple[Alternative, ...] = (
    Alternative(
        "visit_window_7",
        "visit window ±7 days",
        {"visit_window_days": 7},
        "a tighter protocol visit window",
        "visit windows are protocol-specific; the abstract states none",
    ),
    Alternative(
        "visit_window_14",
        "visit window ±14 days",
        {"visit_window_days": 14},
        "a looser protocol visit window",
        "visit windows are protocol-specific; the abstract states none",
    ),
    Alternative(
        "bcell_below_1",
        "B-cell depletion below 1 cell/µL",
        {"bcell_depletion_below": 1},
        "a strict B-cell aplasia threshold",
        "B-cell aplasia is often read as < 1 cell/µL in CAR T studies",
    ),
    Alternative(
        "bcell_below_10",
        "B-cell depletion below 10 cells/µL",
        {"bcell_depletion_below": 10},
        "a lenient B-cell depletion threshold",
        "a lenient alternative to the abstract's < 5 cells/µL",
    ),
    Alternative(
        "renal_complete_below_0.7",
        "complete renal response below 0.7 g/24h",
        {"renal_complete_below_g24h": 0.7},
        "the upper end of the complete-response proteinuria target",
        "EULAR/ERA-EDTA 2019 (Ann Rheum Dis 2020;79:713): complete response < 0.5–0.7 g/24h",
    ),
    Alternative(
        "dsdna_upper_15",
        "anti-dsDNA upper limit 15 IU/mL",
        {"reference_ranges.anti_dsdna.upper": 15},
        "an older Farr assay's upper limit of normal",
        "older Farr radioimmunoassays: ≤ 15 IU/mL",
    ),
    Alternative(
        "c3_lower_0.82",
        "C3 lower limit 0.82 g/L",
        {"reference_ranges.c3.lower": 0.82},
        "another laboratory's C3 range",
        "C3 reference range 0.82–1.93 g/L",
    ),
    Alternative(
        "c4_lower_0.15",
        "C4 lower limit 0.15 g/L",
        {"reference_ranges.c4.lower": 0.15},
        "another laboratory's C4 range",
        "C4 reference range 0.15–0.57 g/L",
    ),
)


def apply(ds, alt: Alternative):
    """A copy of the dataset with the alternative's changes (the data themselves are shared, not copied)."""
    definitions, ranges = ds.definitions, copy.deepcopy(ds.reference_ranges)
    for key, value in alt.changes.items():
        if key.startswith("reference_ranges."):
            _, analyte, limit = key.split(".")
            ranges.setdefault(analyte, {})[limit] = value
        else:
            default = getattr(definitions, key)
            definitions = replace(definitions, **{key: type(default)(value)})
    return replace(ds, definitions=definitions, reference_ranges=ranges)


class Robustness(StrEnum):
    """How a claim fares under the alternatives: the one meaning every view uses.

    * robust: holds under the dataset's definitions and under every alternative;
    * fragile: holds under the dataset's definitions, and under at least one
      alternative it does not hold or is not evaluable;
    * does not hold / not evaluable: its status under the dataset's own
      definitions, whatever the alternatives say (an alternative cannot rescue it).
    """

    ROBUST = "robust"
    FRAGILE = "fragile"
    DOES_NOT_HOLD = "does not hold"
    NOT_EVALUABLE = "not evaluable"


def classify(status: Status, under: dict[str, Status]) -> tuple[Robustness, tuple[str, ...]]:
    """The claim's robustness and the alternatives that matter for it.

    For a claim that holds: the alternatives under which it does not (empty:
    robust).  For one that does not hold or is not evaluable: the alternatives
    under which it would hold.
    """
    if status is Status.HOLDS:
        against = tuple(a for a, s in under.items() if s is not Status.HOLDS)
        return (Robustness.FRAGILE if against else Robustness.ROBUST), against
    rescued = tuple(a for a, s in under.items() if s is Status.HOLDS)
    return (Robustness.DOES_NOT_HOLD if status is Status.FAILS else Robustness.NOT_EVALUABLE), rescued


BY_ID = {a.id: a for a in ALTERNATIVES}


def alternatives_document() -> list[dict]:
    """The ``alternatives`` list of claims.json."""
    return [
        {"id": a.id, "label": a.label, "changes": a.changes, "why": a.why, "source": a.source}
        for a in ALTERNATIVES
    ]

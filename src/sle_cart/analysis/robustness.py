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

from . import claims


@dataclass(frozen=True)
class Alternative:
    """One changed choice: a definition (``definitions.<name>``) or a reference limit."""

    id: str
    changes: dict[str, float]
    why: str
    source: str


ALTERNATIVES: tuple[Alternative, ...] = (
    Alternative(
        "visit_window_7",
        {"visit_window_days": 7},
        "a tighter protocol visit window",
        "visit windows are protocol-specific; the abstract states none",
    ),
    Alternative(
        "visit_window_14",
        {"visit_window_days": 14},
        "a looser protocol visit window",
        "visit windows are protocol-specific; the abstract states none",
    ),
    Alternative(
        "bcell_below_1",
        {"bcell_depletion_below": 1},
        "a strict B-cell aplasia threshold",
        "B-cell aplasia is often read as < 1 cell/µL in CAR T studies",
    ),
    Alternative(
        "bcell_below_10",
        {"bcell_depletion_below": 10},
        "a lenient B-cell depletion threshold",
        "a lenient alternative to the abstract's < 5 cells/µL",
    ),
    Alternative(
        "renal_complete_below_0.7",
        {"renal_complete_below_g24h": 0.7},
        "the upper end of the complete-response proteinuria target",
        "EULAR/ERA-EDTA 2019 (Ann Rheum Dis 2020;79:713): complete response < 0.5–0.7 g/24h",
    ),
    Alternative(
        "dsdna_upper_15",
        {"reference_ranges.anti_dsdna.upper": 15},
        "an older Farr assay's upper limit of normal",
        "older Farr radioimmunoassays: ≤ 15 U/mL",
    ),
    Alternative(
        "c3_lower_0.82",
        {"reference_ranges.c3.lower": 0.82},
        "another laboratory's C3 range",
        "C3 reference range 0.82–1.93 g/L",
    ),
    Alternative(
        "c4_lower_0.15",
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


_MEMO: dict[tuple, dict[str, dict[str, str]]] = {}


def holds_under(ds) -> dict[str, dict[str, str]]:
    """claim id -> {alternative id: status ('holds', 'does not hold', 'not evaluable')}.

    Remembered per dataset object and content, since the ledger, the robustness
    chapter, the summary and the paper all ask for it.
    """
    key = (id(ds), ds.sha256(), repr(ds.definitions), repr(sorted(ds.reference_ranges.items())))
    if key not in _MEMO:
        _MEMO[key] = _evaluate_alternatives(ds)
    return copy.deepcopy(_MEMO[key])


def _evaluate_alternatives(ds) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {c.id: {} for c in claims.CLAIMS}
    for alt in ALTERNATIVES:
        for row in claims.evaluate(apply(ds, alt)):
            out[row["id"]][alt.id] = row["status"]
    return out


def fragile_to(statuses: dict[str, str]) -> list[str]:
    """The alternatives under which a claim does not hold (empty: robust)."""
    return [alt for alt, status in statuses.items() if status != "holds"]


def alternatives_document() -> list[dict]:
    """The ``alternatives`` list of claims.json."""
    return [{"id": a.id, "changes": a.changes, "why": a.why, "source": a.source} for a in ALTERNATIVES]

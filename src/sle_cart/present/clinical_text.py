"""Sentences of the summary on the treatment and on what the data cannot show.

Like ``sle_cart.present.prose`` (which uses them), they type no number: each comes from the data
or a named constant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sle_cart.analysis.findings import analyses_of
from sle_cart.analysis.outcomes import CLAIM_DEPLETION_DAYS

from .formatting import times_ten

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

#: The data contract records CRS and ICANS episodes only (adverse_events.event), so the other harms
#: expected after CD19 CAR T cells and lymphodepletion are outside what any dataset can hold.
SAFETY_GAPS = (
    "The data record only CRS and ICANS, so they cannot show cytopenias, infections or "
    "hypogammaglobulinaemia, nor whether tocilizumab or glucocorticoids were given."
)


def dose_sentence(levels) -> list[str]:
    """The dose levels (``cohort.DoseLevel``) as a sentence: 'The dose was <level> CAR T cells per kg of
    body weight in <n> patients and a flat <level> CAR T cells in <n> patients.'; none without levels."""
    if not levels:
        return []
    parts = []
    for lv in levels:
        who = f"in {lv.n} patient{'s' if lv.n != 1 else ''}"
        if lv.cells is None:
            parts.append(f"varied {who} of the group recorded as {lv.group}")
        elif lv.per_kg:
            parts.append(f"{times_ten(lv.cells)} CAR T cells per kg of body weight {who}")
        else:
            parts.append(f"a flat {times_ten(lv.cells)} CAR T cells {who}")
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return [f"The dose was {listed}."]


def conditioning_limitation(who: str) -> str:
    """What the lymphodepleting chemotherapy does on its own, in one point: cyclophosphamide treats lupus,
    and the conditioning lowers B cells in the first days, so neither is the CAR T cells' alone.

    ``who``: the conditioning as the sentence names it (``attribution.conditioning``)."""
    first, second = CLAIM_DEPLETION_DAYS[:2]
    return (
        f"{who} acts on its own before the infusion. Cyclophosphamide is itself a treatment for lupus, so "
        "part of any improvement may come from it; and the conditioning lowers lymphocytes, B cells among "
        f"them, within the first days, so B-cell depletion by day {first} or day {second} cannot be credited "
        "to the CAR T cells alone. Depletion that lasts beyond the weeks in which the chemotherapy acts is "
        "better evidence of their effect."
    )


#: Up to this many patients back after depletion are named in the summary; beyond it, only their days.
LISTED_AT_MOST = 8


def reconstitution_sentence(ds: Dataset) -> str:
    """Which depleted patients had B cells back at or above the threshold, and from which day (Table 3)."""
    dep = analyses_of(ds).depletion
    t = ds.definitions.bcell_depletion_below
    back = dep["reconstitution_day"].dropna()
    n_depleted = int(dep["first_depleted_day"].notna().sum())
    if not n_depleted:
        return "No patient was depleted, so none could be followed back to reconstitution."
    if back.empty:
        return f"No depleted patient was back to {t:g} cells/µL or more by the last sample (Table 3)."
    who = [f"{pid} from day {day}" for pid, day in back.items()]
    listed = who[0] if len(who) == 1 else ", ".join(who[:-1]) + f" and {who[-1]}"
    if len(who) > LISTED_AT_MOST:  # a large cohort: the days, not every patient
        listed = f"from day {back.min()}" + ("" if back.min() == back.max() else f" to day {back.max()}")
    return (
        f"B cells came back to {t:g} cells/µL or more in {len(back)} of the {n_depleted} depleted patients "
        f"({listed}); {'the other was' if n_depleted - len(back) == 1 else 'the others were'} not back by "
        "the last sample (Table 3)."
        if len(back) < n_depleted
        else f"B cells came back to {t:g} cells/µL or more in every depleted patient ({listed}; Table 3)."
    )

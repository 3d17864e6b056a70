"""Sentences of the summary on the treatment and on what the data cannot show.

Like ``sle_cart.present.prose`` (which uses them), they type no number: each comes from the data
or a named constant.
"""

from __future__ import annotations

from sle_cart.analysis.outcomes import CLAIM_DEPLETION_DAYS

from .formatting import times_ten

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


def conditioning_limitation(the_trial: bool) -> str:
    """Lymphodepletion alone lowers B cells in the first days: early depletion is not the CAR T cells' alone."""
    who = "The" if the_trial else "In the abstract's trial, the"
    first, second = CLAIM_DEPLETION_DAYS[:2]
    return (
        f"{who} conditioning with fludarabine and cyclophosphamide before the infusion lowers lymphocytes, "
        f"B cells among them, within the first days on its own, so B-cell depletion by day {first} or day "
        f"{second} cannot be credited to the CAR T cells alone; depletion that lasts beyond the weeks in "
        "which the chemotherapy acts is better evidence of their effect."
    )

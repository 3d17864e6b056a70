"""Layers of two figures, apart from :mod:`.figures` to keep each module short.

Figure 1b's panel (drawn twice: the days around infusion and the whole
follow-up) and Figure 2b's renal-response markers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from sle_cart.analysis.findings import analyses_of

from .charts import DAY_TIP, HEIGHT, PATIENT_TIP, num
from .layers import is_large, labelled_rule, markers, patient_colour, trajectories

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

#: Figure 1b's first panel: the days around infusion, where B cells are depleted.
EARLY_DAYS = (-7, 28)
BCELL_AXIS = "CD19+ B cells (cells/µL, log scale)"
#: The marker of each renal response on the value it is judged on (Figure 2b).
RESPONSE_SHAPES = {
    "complete": "square",
    "partial": "diamond",
    "none": "cross",
    "not evaluable": "triangle-up",
}


def bcell_panel(ds, data, dep, title: str, days: alt.Scale, y_title: str | None = BCELL_AXIS):
    """One panel of Figure 1b over the days of ``data``: lines, threshold, first depleted and first back."""
    threshold = ds.definitions.bcell_depletion_below
    chart = trajectories(
        ds, data, y_title, alt.Scale(type="log"), x_scale=days, value_title="B cells (cells/µL)"
    )
    chart = labelled_rule(threshold, f"depletion threshold, {num(threshold)} cells/µL") + chart
    if not is_large(ds):
        for col, shape, what in (
            ("first_depleted_day", "square", "First depleted day"),
            ("reconstitution_day", "triangle-up", "First day back"),
        ):
            at = (
                dep.dropna(subset=[col])
                .astype({col: int})
                .merge(data, left_on=["patient_id", col], right_on=["patient_id", "day"])
            )
            if len(at):  # an empty layer would leave the shared log axis an empty extent
                chart = chart + markers(ds, at, "day", "value", shape, [alt.Tooltip(f"{col}:Q", title=what)])
    return chart.properties(height=HEIGHT, title=title)


def response_markers(ds: Dataset, data: pd.DataFrame, kinds: list[str]):
    """An open marker on the value each patient's renal response is judged on (the last), shaped by it."""
    last = analyses_of(ds).renal.copy()["last_day"].dropna().astype(int).rename("day").reset_index()
    at = data.merge(last, on=["patient_id", "day"])
    kinds = [k for k in kinds if k in set(at["renal_response"])]
    shapes = alt.Scale(domain=kinds, range=[RESPONSE_SHAPES[k] for k in kinds])
    shape = alt.Shape("renal_response:N", title="Renal response (last value)", sort=kinds, scale=shapes)
    tip = [PATIENT_TIP, DAY_TIP, alt.Tooltip("renal_response:N", title="Renal response")]
    return (
        alt.Chart(at[["patient_id", "day", "value", "renal_response"]])
        .mark_point(size=170, filled=False, strokeWidth=2)
        .encode(x="day:Q", y="value:Q", color=patient_colour(ds), shape=shape, tooltip=tip)
    )

"""Chart layers shared by the figures: patient colours, trajectories, normal ranges, rules.

Each patient keeps one colour in every figure (the colour scale's domain is
every patient of the dataset, whoever a figure shows).  Above
``LARGE_COHORT_PATIENTS`` patients the trajectories become the median and
interquartile range per study day, so what a page embeds does not grow with
the cohort.

Censored values (``<x``) are drawn as downward triangles at their limit and are
never joined into a line: a patient's line runs through measured values only
and breaks at a censored value.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from sle_cart.inputs.definitions import LARGE_COHORT_PATIENTS

from .charts import CENSORED, DAY_TIP, HEIGHT, MEASURED, PALETTE, PATIENT_TIP, WIDTH, num, summary_bands

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

#: Line styles for a second, colour-independent legend (e.g. renal response).
DASHES = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [1, 4]]
RESULT_SHAPE = alt.Shape(
    "result:N",
    title="Result",
    scale=alt.Scale(domain=[MEASURED, CENSORED], range=["circle", "triangle-down"]),
    legend=alt.Legend(labelLimit=300),
)


def x_days() -> alt.X:
    return alt.X("day:Q", title="Days since CAR T infusion")


def natural_key(pid: str) -> list:
    """Sort key that puts P2 before P10."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(pid))]


def patient_ids(ds: Dataset) -> list[str]:
    return sorted(ds.patients["patient_id"], key=natural_key)


def patient_colour(ds: Dataset) -> alt.Color:
    """One Okabe-Ito colour per patient, the same in every figure."""
    ids = patient_ids(ds)
    return alt.Color(
        "patient_id:N",
        title="Patient",
        sort=ids,
        scale=alt.Scale(domain=ids, range=[PALETTE[i % len(PALETTE)] for i in range(len(ids))]),
    )


def is_large(ds: Dataset) -> bool:
    return len(ds.patients) > LARGE_COHORT_PATIENTS


def cohort_note(ds: Dataset) -> str:
    """The caption's note on how a large cohort is drawn ('' for a small one)."""
    if not is_large(ds):
        return ""
    return (
        f"With {len(ds.patients)} patients (more than {LARGE_COHORT_PATIENTS}), the chart shows the median and "
        "interquartile range of each study day instead of one line per patient; every patient's values are "
        "in the data (CSV) download."
    )


def points(ds: Dataset, analyte: str) -> pd.DataFrame:
    """One analyte's values per patient and day, with a label that keeps '<' for censored values."""
    s = ds.series(analyte)
    out = s[["patient_id", "day", "value", "censored"]].copy()
    out["censored"] = out["censored"].astype(bool)
    out["value_label"] = [("<" if c else "") + num(v) for v, c in zip(out["value"], out["censored"])]
    out["result"] = out["censored"].map({False: MEASURED, True: CENSORED})
    return out


def measured_runs(data: pd.DataFrame) -> pd.DataFrame:
    """The measured values only, with ``segment`` numbering each patient's runs between censored values.

    A line drawn per (patient, segment) never passes through, nor ends at, a censored value.
    """
    censored = data["censored"].astype(bool)
    segment = censored.groupby(data["patient_id"], sort=False).cumsum().astype(int)
    return data.assign(segment=segment)[~censored]


def _bands(data: pd.DataFrame, y_axis: dict, value_field: str, value_title: str):
    """Interquartile band, the median line through exact medians, triangles where the median is censored."""
    bands = summary_bands(data, value_field)
    names = {"median": "Median", "q1": "Lower quartile", "q3": "Upper quartile"}
    tooltip = [DAY_TIP, *(alt.Tooltip(f"{q}_label:N", title=f"{t}, {value_title}") for q, t in names.items())]
    tooltip.append(alt.Tooltip("n:Q", title="Patients"))
    band = (
        alt.Chart(bands)
        .mark_area(opacity=0.3, color=PALETTE[0])
        .encode(x=x_days(), y=alt.Y("q1:Q", **y_axis), y2="q3:Q", tooltip=tooltip)
    )
    exact = bands[bands["median_exact"]] if len(bands) else bands
    line = (
        alt.Chart(exact)
        .mark_line(color="black")
        .encode(x=x_days(), y="median:Q", detail="segment:N", tooltip=tooltip)
    )
    marks = (
        alt.Chart(bands)
        .mark_point(color="black", filled=True, size=36)
        .encode(x=x_days(), y="median:Q", shape=RESULT_SHAPE, tooltip=tooltip)
    )
    return band + line + marks


def _dashed(lines, dash: tuple[str, str, list[str]]):
    field, title, domain = dash
    scale = alt.Scale(domain=list(domain), range=DASHES[: len(domain)])
    return lines.encode(strokeDash=alt.StrokeDash(f"{field}:N", title=title, sort=list(domain), scale=scale))


def trajectories(
    ds: Dataset,
    data: pd.DataFrame,
    y_title: str,
    y_scale: alt.Scale,
    value_field: str = "value",
    extra_tooltip=(),
    dash: tuple[str, str, list[str]] | None = None,
    y_axis: alt.Axis | None = None,
    value_title: str | None = None,
):
    """Per-patient lines (small cohorts) or median/IQR bands per day (large cohorts).

    Above ``LARGE_COHORT_PATIENTS`` only the per-day summaries are embedded in the
    page; every patient's values stay in the figure's CSV download.  ``dash``
    (field, title, categories) adds a line-style legend to the patients' lines;
    ``y_axis`` sets the y axis; ``value_title``, a value's tooltip title ("B cells (cells/µL)").
    """
    y_kw = {"title": y_title, "scale": y_scale, "axis": y_axis or alt.Undefined}
    y = alt.Y(f"{value_field}:Q", **y_kw)
    value_title = value_title or y_title
    if is_large(ds):
        return _bands(data, y_kw, value_field, value_title)
    tooltip = [PATIENT_TIP, DAY_TIP, alt.Tooltip("value_label:N", title=value_title), *extra_tooltip]
    lines = (
        alt.Chart(measured_runs(data))
        .mark_line(strokeWidth=1.8)
        .encode(x=x_days(), y=y, color=patient_colour(ds), detail="segment:N")
    )
    if dash:
        lines = _dashed(lines, dash)
    marks = (
        alt.Chart(data)
        .mark_point(filled=True, size=36)
        .encode(x=x_days(), y=y, color=patient_colour(ds), shape=RESULT_SHAPE, tooltip=tooltip)
    )
    return lines + marks


def markers(ds: Dataset, frame: pd.DataFrame, x: str, y: str, shape: str, tooltip: list):
    """Open markers (e.g. peaks) at ``x``, ``y`` of ``frame``, in each patient's colour."""
    return (
        alt.Chart(frame[list(dict.fromkeys(["patient_id", x, y, *(t.to_dict()["field"] for t in tooltip)]))])
        .mark_point(shape=shape, size=160, filled=False, strokeWidth=2)
        .encode(x=f"{x}:Q", y=f"{y}:Q", color=patient_colour(ds), tooltip=[PATIENT_TIP, *tooltip])
    )


def with_normal_band(chart, ds: Dataset, analyte: str, data: pd.DataFrame):
    """``chart`` over a grey band for the analyte's normal range (unchanged if the dataset gives none)."""
    lower, upper = ds.reference_range(analyte)
    if lower is None and upper is None:
        return chart
    y_max = float(data["value"].max() if len(data) else 1)
    band = pd.DataFrame({"lo": [0.0 if lower is None else lower], "hi": [y_max if upper is None else upper]})
    shade = (
        alt.Chart(band)
        .mark_rect(color="#bbbbbb", opacity=0.35)
        .encode(
            y="lo:Q",
            y2="hi:Q",
            tooltip=[alt.Tooltip("lo:Q", title="Normal from"), alt.Tooltip("hi:Q", title="Normal to")],
        )
    )
    return shade + chart


def labelled_rule(value: float, label: str, channel: str = "y"):
    """A dashed rule at ``value`` across the plot (``channel`` "y": horizontal; "x": vertical), labelled.

    The label is written beside the rule (at the right end of a horizontal one, at
    the top of a vertical one); the tooltip gives the label and the value.
    """
    df = pd.DataFrame({"rule_at": [value], "label": [label]})
    pos = alt.X("rule_at:Q") if channel == "x" else alt.Y("rule_at:Q")
    rule = (
        alt.Chart(df)
        .mark_rule(strokeDash=[6, 4], color="black", strokeWidth=1.2)
        .encode(pos, tooltip=[alt.Tooltip("label:N", title="Line"), alt.Tooltip("rule_at:Q", title="At")])
    )
    if channel == "x":
        text = alt.Chart(df).mark_text(y=2, align="left", baseline="top", dx=4, fontSize=11)
    else:
        text = alt.Chart(df).mark_text(x="width", align="right", baseline="bottom", dy=-3, fontSize=11)
    return rule + text.encode(pos, text="label:N")


def titled(chart, title: str):
    """The standard single-panel size, a title and no frame."""
    return chart.properties(width=WIDTH, height=HEIGHT, title=title).configure_view(stroke=None)


def swimmer(ds: Dataset, ae: pd.DataFrame, window: int) -> tuple[alt.LayerChart, float]:
    """One lane per patient, one bar per episode (``start``..``end``), the window's end as a rule.

    ``ae``: the episodes with ``start``, ``end``, ``label``, ``window`` (counted or
    not), ``ongoing`` and ``resolution``.  Episodes after the window are drawn
    lighter with a dashed outline; an ongoing one ends in an arrow head.
    Returns the chart and the x axis' end (the latest bar end plus a margin).
    """
    ids = patient_ids(ds)
    y = alt.Y("patient_id:N", sort=ids, title="Patient", scale=alt.Scale(domain=ids))
    x_max = max(window + 0.5, float(ae["end"].max()) if len(ae) else 0.0)
    x_max = 5 * math.ceil((x_max + max(2.0, 0.05 * x_max)) / 5)
    x = alt.X("start:Q", title="Days since CAR T infusion", scale=alt.Scale(domain=[0, x_max], nice=False))
    events = alt.Scale(domain=["CRS", "ICANS"], range=[PALETTE[1], PALETTE[3]])
    legend = alt.Legend(symbolType="square", symbolFillColor="#777777", symbolStrokeColor="#333333")
    onset = {"title": "Onset", "legend": legend if not ae["in_window"].all() else None}
    kinds = [window_label(window, True), window_label(window, False)]
    tips = {
        "event:N": "Event",
        "grade:Q": "Grade",
        "onset_day:Q": "Onset day",
        "resolution:N": "Resolution day",
    }
    tooltip = [PATIENT_TIP, *(alt.Tooltip(f, title=t) for f, t in (tips | {"window:N": "Onset"}).items())]
    lane = alt.Chart(pd.DataFrame({"patient_id": ids})).mark_rule(color="#dddddd").encode(y=y)
    bars = (
        alt.Chart(ae)
        .mark_bar(height=14, strokeWidth=1.5)
        .encode(
            x=x,
            x2="end:Q",
            y=y,
            color=alt.Color("event:N", title="Event", scale=events),
            stroke=alt.Stroke("event:N", title="Event", scale=events),
            fillOpacity=alt.FillOpacity("window:N", scale=alt.Scale(domain=kinds, range=[1, 0.3]), **onset),
            strokeDash=alt.StrokeDash(
                "window:N", scale=alt.Scale(domain=kinds, range=[[1, 0], [4, 2]]), **onset
            ),
            tooltip=tooltip,
        )
    )
    layers = lane + bars + labelled_rule(window + 0.5, f"day {window} window", channel="x")
    ongoing = ae[ae["ongoing"]].assign(status="ongoing (no resolution day)")
    if len(ongoing):
        arrow = alt.Shape("status:N", title="Resolution", scale=alt.Scale(range=["triangle-right"]))
        layers += (
            alt.Chart(ongoing)
            .mark_point(filled=True, size=120, opacity=1, xOffset=4, stroke="black", strokeWidth=0.7)
            .encode(x="end:Q", y=y, color=alt.Color("event:N", scale=events), shape=arrow, tooltip=tooltip)
        )
    title = f"CRS and ICANS (counted: onset on days 0–{window})"
    chart = (layers + _bar_labels(ae, y, x_max)).properties(
        width=WIDTH, height=max(120, 26 * len(ids)), title=title
    )
    return chart.configure_view(stroke=None), x_max


def _bar_labels(ae: pd.DataFrame, y: alt.Y, x_max: float):
    """Each bar's label: right of its end, else left of its start, else inside it (bars near the axis end)."""
    right = ae["end"] <= 0.7 * x_max
    left = ~right & (ae["start"] >= 0.3 * x_max)
    placements = (
        (right, "end", "left", 10),
        (left, "start", "right", -4),
        (~right & ~left, "start", "left", 4),
    )
    layers = [
        alt.Chart(ae[mask])
        .mark_text(align=align, dx=dx, fontSize=11)
        .encode(x=f"{at}:Q", y=y, text="label:N")
        for mask, at, align, dx in placements
    ]
    return alt.layer(*layers)


def window_label(w: int, in_window: bool) -> str:
    """How the swimmer chart's legend names episodes counted (onset in the window) or not."""
    return f"onset on days 0–{w} (counted)" if in_window else f"after day {w} (not counted)"

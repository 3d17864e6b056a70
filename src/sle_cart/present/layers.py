"""Chart layers shared by the figures: patient colours, trajectories, normal ranges, rules.

Each patient keeps one colour and one line dash in every figure (the scales'
domain is every patient of the dataset, whoever a figure shows): the dash tells
patients apart where colours are close or not seen.  Above
``LARGE_COHORT_PATIENTS`` patients the trajectories become the median and
interquartile range per study day, so what a page embeds does not grow with
the cohort.

Censored values (``<x``) are drawn as downward triangles at their limit and are
never joined into a line: a patient's line runs through measured values only
and breaks at a censored value.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from sle_cart.inputs.definitions import LARGE_COHORT_PATIENTS

from .charts import CENSORED, DAY_TIP, HEIGHT, INK, MEASURED, PALETTE, PATIENT_TIP, WIDTH, num, summary_bands

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

#: Each patient's line dash, the second channel beside colour: 6 patterns against 7 colours, so no two of
#: the first 42 patients share both (P1 and P6, the two blues, differ in dash).
PATIENT_DASHES = [[1, 0], [7, 3], [2, 2], [9, 3, 2, 3], [14, 4], [2, 5]]
#: The dash of a reference line (threshold, limit): named in the legend, never crossed by a label.
RULE_DASH = [6, 4]
RESULT_SHAPE = alt.Shape(
    "result:N",
    title="Result",
    scale=alt.Scale(domain=[MEASURED, CENSORED], range=["circle", "triangle-down"]),
    legend=alt.Legend(labelLimit=300),
)


def x_days(scale: alt.Scale | None = None) -> alt.X:
    return alt.X("day:Q", title="Days since CAR T infusion", scale=scale or alt.Undefined)


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
        # a short line in the patient's colour and dash (the legend merges with ``patient_dash``)
        legend=alt.Legend(symbolType="stroke", symbolSize=500, symbolStrokeWidth=2),
    )


def patient_dash(ds: Dataset) -> alt.StrokeDash:
    """One line dash per patient, the same in every figure; its legend merges with the colour's."""
    ids = patient_ids(ds)
    dashes = [PATIENT_DASHES[i % len(PATIENT_DASHES)] for i in range(len(ids))]
    return alt.StrokeDash(
        "patient_id:N", title="Patient", sort=ids, scale=alt.Scale(domain=ids, range=dashes)
    )


def legend_key(field: str, dash: list[int], width: float) -> alt.Opacity:
    """A legend entry for an ink line (a reference line, the median): the line's own dash and width.

    Opacity is a channel no other layer uses, so the entry gets a legend of its
    own and changes nothing drawn (every entry is opaque).
    """
    legend = alt.Legend(
        title=None,
        symbolType="stroke",
        symbolStrokeColor=INK,
        symbolDash=dash,
        symbolStrokeWidth=width,
        symbolSize=500,  # the stroke's length: long enough to show its dash
        labelLimit=320,
    )
    return alt.Opacity(f"{field}:N", sort="ascending", scale=alt.Scale(range=[1]), legend=legend)


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
    # each distinct value formatted once: exact decimals are slow, and a large cohort repeats values
    label = functools.lru_cache(maxsize=None)(num)
    out["value_label"] = [("<" if c else "") + label(v) for v, c in zip(out["value"], out["censored"])]
    out["result"] = out["censored"].map({False: MEASURED, True: CENSORED})
    return out


def assay_limits(data: pd.DataFrame) -> list[float]:
    """The distinct limits of the values below the assay limit in ``data`` (its lower limits of quantification)."""
    return sorted({float(v) for v in data.loc[data["censored"].astype(bool), "value"]})


def measured_runs(data: pd.DataFrame) -> pd.DataFrame:
    """The measured values only, with ``segment`` numbering each patient's runs between censored values.

    A line drawn per (patient, segment) never passes through, nor ends at, a censored value.
    """
    censored = data["censored"].astype(bool)
    segment = censored.groupby(data["patient_id"], sort=False).cumsum().astype(int)
    return data.assign(segment=segment)[~censored]


def _bands(data: pd.DataFrame, y_axis: dict, value_field: str, value_title: str, x: alt.X):
    """Interquartile band, the median line through exact medians, triangles where the median is censored."""
    bands = summary_bands(data, value_field)
    names = {"median": "Median", "q1": "Lower quartile", "q3": "Upper quartile"}
    tooltip = [DAY_TIP, *(alt.Tooltip(f"{q}_label:N", title=f"{t}, {value_title}") for q, t in names.items())]
    tooltip.append(alt.Tooltip("n:Q", title="Patients"))
    band = (
        alt.Chart(bands)
        .mark_area(opacity=0.3, color=PALETTE[0])
        .encode(x=x, y=alt.Y("q1:Q", **y_axis), y2="q3:Q", tooltip=tooltip)
    )
    exact = bands[bands["median_exact"]] if len(bands) else bands
    line = (
        alt.Chart(exact).mark_line(color=INK).encode(x=x, y="median:Q", detail="segment:N", tooltip=tooltip)
    )
    marks = (
        alt.Chart(bands)
        .mark_point(color=INK, filled=True, size=36)
        .encode(x=x, y="median:Q", shape=RESULT_SHAPE, tooltip=tooltip)
    )
    return band + line + marks


def trajectories(
    ds: Dataset,
    data: pd.DataFrame,
    y_title: str,
    y_scale: alt.Scale,
    value_field: str = "value",
    extra_tooltip=(),
    y_axis: alt.Axis | None = None,
    value_title: str | None = None,
    x_scale: alt.Scale | None = None,
):
    """Per-patient lines (small cohorts) or median/IQR bands per day (large cohorts).

    Above ``LARGE_COHORT_PATIENTS`` only the per-day summaries are embedded in the
    page; every patient's values stay in the figure's CSV download.  ``y_axis``
    sets the y axis (e.g. explicit tick values); ``x_scale`` the days' scale;
    ``value_title``, a value's tooltip title ("B cells (cells/µL)").
    """
    y_kw = {"title": y_title, "scale": y_scale, "axis": y_axis or alt.Undefined}
    y = alt.Y(f"{value_field}:Q", **y_kw)
    x = x_days(x_scale)
    value_title = value_title or y_title
    if is_large(ds):
        return _bands(data, y_kw, value_field, value_title, x)
    tooltip = [PATIENT_TIP, DAY_TIP, alt.Tooltip("value_label:N", title=value_title), *extra_tooltip]
    lines = (
        alt.Chart(measured_runs(data))
        .mark_line(strokeWidth=1.8)
        .encode(x=x, y=y, color=patient_colour(ds), strokeDash=patient_dash(ds), detail="segment:N")
    )
    marks = (
        alt.Chart(data)
        .mark_point(filled=True, size=36)
        .encode(x=x, y=y, color=patient_colour(ds), shape=RESULT_SHAPE, tooltip=tooltip)
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
    """A dashed ink rule at ``value`` across the plot (``channel`` "y": horizontal; "x": vertical), labelled.

    A horizontal rule is named in the legend, where no line can cross its label;
    a vertical one (the swimmer chart's window) is labelled at its top, above
    the lanes.  The tooltip gives the label and the value.
    """
    df = pd.DataFrame({"rule_at": [value], "label": [label]})
    pos = alt.X("rule_at:Q") if channel == "x" else alt.Y("rule_at:Q")
    tooltip = [alt.Tooltip("label:N", title="Line"), alt.Tooltip("rule_at:Q", title="At")]
    rule = alt.Chart(df).mark_rule(strokeDash=RULE_DASH, color=INK, strokeWidth=1.2)
    if channel != "x":
        return rule.encode(pos, opacity=legend_key("label", RULE_DASH, 1.2), tooltip=tooltip)
    text = alt.Chart(df).mark_text(y=2, align="left", baseline="top", dx=4, fontSize=11, color=INK)
    return rule.encode(pos, tooltip=tooltip) + text.encode(pos, text="label:N")


def titled(chart, title: str):
    """The standard single-panel size, a title and no frame."""
    return chart.properties(width=WIDTH, height=HEIGHT, title=title).configure_view(stroke=None)

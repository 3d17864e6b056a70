"""Figure S1: the safety swimmer chart (each CRS and ICANS episode per patient), and its large-cohort form."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from sle_cart.analysis.findings import analyses_of

from .charts import INK, PALETTE, PATIENT_TIP, WIDTH, Figure, count, described, num, span
from .layers import is_large, labelled_rule, patient_ids

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset


def fig_safety_swimmer(ds: Dataset) -> Figure:
    """Safety: CRS and ICANS episodes per patient from onset to resolution (swimmer chart); episodes after
    the safety window are drawn but marked, ongoing ones run to the end of follow-up."""
    w = ds.definitions.safety_window_days
    ae = _episodes(ds)
    data = ae.drop(columns=["start", "end", "label", "window", "ongoing"])
    counts = (
        f"{count(len(ae), 'episode')} in {ae['patient_id'].nunique()} of {count(len(ds.patients), 'patient')}"
        + (f", grade {span(ae['grade'])}" if len(ae) else "")
        + f"; {int((~ae['in_window']).sum())} with onset after day {w} (not counted); "
        f"{int(ae['ongoing'].sum())} ongoing"
    )
    if is_large(ds):
        desc = f"Bar chart of patients by worst CRS and ICANS grade (onset on days 0–{w}); {counts}."
        caption = f"Patients by their worst CRS and ICANS grade (ASTCT 2019), onset on days 0–{w}."
        note = f"With {len(ds.patients)} patients the per-patient swimmer chart is replaced by counts; "
        note += "every episode is in the data (CSV) download."
        return Figure(described(_worst_grade_bars(ds), desc), data, caption=caption, note=note)
    chart, x_max = swimmer(ds, ae, w)
    desc = f"Swimmer chart of CRS and ICANS episodes per patient, days 0 to {num(x_max)}; {counts}."
    caption = (
        f"CRS and ICANS episodes per patient (ASTCT 2019 grade), from onset to resolution; patients "
        f"without a bar had neither. The dashed line ends the {w}-day safety window: episodes with onset "
        "after it are drawn lighter with a dashed outline and are not counted. An ongoing episode (no "
        "resolution day) runs to the end of the patient's follow-up and ends in an arrow head."
    )
    return Figure(described(chart, desc), data, caption=caption)


def _worst_grade_bars(ds: Dataset):
    """Large cohorts: patients by worst CRS and ICANS grade (episodes in the window), as stacked bars."""
    w = (
        analyses_of(ds)
        .worst_grades.copy()
        .reset_index()
        .melt(id_vars="patient_id", var_name="event", value_name="grade")
    )
    w["event"] = w["event"].map({"worst_crs_grade": "CRS", "worst_icans_grade": "ICANS"})
    w["worst grade"] = w["grade"].map(lambda g: "none" if g == 0 else f"grade {g}")
    counts = w.groupby(["event", "worst grade"], as_index=False).size().rename(columns={"size": "patients"})
    grades = ["none", *[f"grade {g}" for g in range(1, 6)]]
    colour = alt.Color("worst grade:N", title="Worst grade", sort=grades, scale=alt.Scale(scheme="orangered"))
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("patients:Q", title="Patients"),
            y=alt.Y("event:N", title=None),
            color=colour,
            tooltip=[
                alt.Tooltip("event:N", title="Event"),
                alt.Tooltip("worst grade:N", title="Worst grade"),
                alt.Tooltip("patients:Q", title="Patients"),
            ],
        )
        .properties(width=WIDTH, height=120, title="Patients by worst CRS and ICANS grade")
        .configure_view(stroke=None)
    )


def _follow_up_end(ds: Dataset) -> pd.Series:
    """Per patient: the last day of follow-up (follow_up_months × 30, else the last study day)."""
    p = ds.patients.set_index("patient_id")
    months = pd.to_numeric(p["follow_up_months"], errors="coerce").astype(float)
    last = ds.measurements.groupby("patient_id")["day"].max().reindex(p.index).astype(float)
    return (months * 30).fillna(last)


def _episodes(ds: Dataset) -> pd.DataFrame:
    """Every CRS/ICANS episode with its bar (``start``..``end``), ``label`` and ``window`` (counted or not).

    A bar covers its days (onset − 0.5 to resolution + 0.5); an ongoing episode's
    bar runs to the end of the patient's follow-up."""
    w = ds.definitions.safety_window_days
    ae = analyses_of(ds).adverse_events.copy()
    onset = pd.to_numeric(ae["onset_day"]).astype(float)
    ongoing = ae["resolution_day"].isna().astype(bool)
    to_follow_up = pd.concat([ae["patient_id"].map(_follow_up_end(ds)), onset + 1], axis=1).max(axis=1)
    end = (pd.to_numeric(ae["resolution_day"]).astype(float) + 0.5).where(~ongoing, to_follow_up)
    labels = [
        f"{e} grade {g}" + (", ongoing" if o else "") for e, g, o in zip(ae["event"], ae["grade"], ongoing)
    ]
    return ae.assign(
        start=onset - 0.5,
        end=end,
        ongoing=ongoing,
        label=labels,
        resolution=ae["resolution_day"].astype("string").fillna("ongoing"),
        window=[window_label(w, i) for i in ae["in_window"]],
    )


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
            .mark_point(filled=True, size=120, opacity=1, xOffset=4, stroke=INK, strokeWidth=0.7)
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

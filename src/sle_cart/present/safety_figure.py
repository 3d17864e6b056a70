"""Figure S1: the safety swimmer chart (each CRS and ICANS episode per patient), and its large-cohort form."""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from sle_cart.analysis.findings import analyses_of

from .charts import WIDTH, Figure, count, described, num, span
from .layers import is_large, swimmer, window_label

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

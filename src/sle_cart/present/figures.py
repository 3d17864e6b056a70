"""The abstract's figures, one function per figure.

Each function takes the dataset and returns a ``sle_cart.present.charts.Figure``
(the Altair chart, the data it plots and, when it depends on the data, the
caption).  Names, titles and static captions are declared once, in
``sle_cart.present.registry``; the downloads are written by
:func:`sle_cart.present.publish.publish`.  A figure whose values the dataset
lacks says so in a sentence instead of drawing empty axes (``Figure.absent``);
every chart states what it shows in its Vega-Lite ``description``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from sle_cart.analysis import renal
from sle_cart.analysis.exact import median, observations
from sle_cart.analysis.findings import analyses_of

from .charts import (
    HEIGHT,
    PATIENT_TIP,
    WIDTH,
    Figure,
    count,
    described,
    normal_range_text,
    num,
    span,
    symlog_ticks,
)
from .charts import trajectory_text as about
from .layers import (
    cohort_note,
    is_large,
    labelled_rule,
    markers,
    patient_colour,
    points,
    titled,
    trajectories,
    with_normal_band,
)

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

VISIT_TIP = alt.Tooltip("visit:N", title="Visit")
CENSORED_TEXT = (
    "downward triangles are values below the assay limit, drawn at the limit and not joined into the lines."
)


def fig1a_car_t_expansion(ds: Dataset) -> Figure:
    """Fig. 1a: circulating CAR+ T cells/µL per patient over the kinetics window, log axis, peaks marked
    (non-expanders have no peak)."""
    window = ds.definitions.kinetics_window_days
    data = points(ds, "car_t")
    data = data[(data["day"] >= 0) & (data["day"] <= window)].reset_index(drop=True)
    caption = f"Circulating CAR+ T cells per patient over the first {window} days after infusion (log scale)."
    if data.empty:
        what = "CAR T cell counts" + ("" if ds.series("car_t").empty else f" on days 0–{window}")
        return Figure(None, data, caption=caption, absent=f"This dataset has no {what}")
    kin = analyses_of(ds).kinetics.copy()
    peaks = kin[kin["expander"].fillna(False).astype(bool)].reset_index()
    non_expanders = int((~kin["expander"].fillna(True).astype(bool)).sum())
    chart = trajectories(
        ds,
        data,
        "CAR+ T cells (cells/µL, log scale)",
        alt.Scale(type="log"),
        value_title="CAR+ T cells (cells/µL)",
    )
    if not is_large(ds):
        tip = [
            alt.Tooltip("cmax_cells_per_uL:Q", title="Peak (cells/µL)"),
            alt.Tooltip("tmax_day:Q", title="Peak day"),
        ]
        chart = chart + markers(ds, peaks, "tmax_day", "cmax_cells_per_uL", "diamond", tip)
    caption += f" Diamonds mark each patient's peak; {CENSORED_TEXT}"
    desc = about(ds, data, "circulating CAR+ T cells", "cells/µL", "log scale")
    if len(peaks):
        desc += (
            f"; peaks from {span(peaks['cmax_cells_per_uL'], 'cells/µL')} on days {span(peaks['tmax_day'])}"
        )
    if non_expanders:
        caption += (
            f" Never above the assay limit (non-expanders, no peak): {count(non_expanders, 'patient')}."
        )
        desc += f"; {count(non_expanders, 'patient')} never above the assay limit (non-expander, no peak)"
    chart = described(titled(chart, "CAR T cell expansion"), desc + ".")
    return Figure(chart, data, caption=caption, note=cohort_note(ds))


def fig1b_b_cells(ds: Dataset) -> Figure:
    """Fig. 1b: CD19+ B cells/µL per patient, depletion threshold and first depleted day."""
    threshold = ds.definitions.bcell_depletion_below
    data = points(ds, "cd19_b")
    caption = (
        f"Circulating CD19+ B cells per patient (log scale). The dashed line is the depletion threshold "
        f"({num(threshold)} cells/µL); squares mark each patient's first depleted day; {CENSORED_TEXT}"
    )
    if data.empty:
        return Figure(None, data, caption=caption, absent="This dataset has no CD19+ B cell counts")
    chart = trajectories(
        ds,
        data,
        "CD19+ B cells (cells/µL, log scale)",
        alt.Scale(type="log"),
        value_title="B cells (cells/µL)",
    )
    chart = chart + labelled_rule(threshold, f"depletion < {num(threshold)} cells/µL")
    dep = analyses_of(ds).depletion.copy().dropna(subset=["first_depleted_day"]).reset_index()
    if not is_large(ds):
        dep = dep.merge(data, left_on=["patient_id", "first_depleted_day"], right_on=["patient_id", "day"])
        tip = [alt.Tooltip("first_depleted_day:Q", title="First depleted day")]
        chart = chart + markers(ds, dep, "day", "value", "square", tip)
    desc = about(ds, data, "circulating CD19+ B cells", "cells/µL", "log scale")
    desc += f"; dashed line at the depletion threshold, {num(threshold)} cells/µL"
    if len(dep):
        desc += f"; {count(len(dep), 'patient')} depleted, first on day(s) {span(dep['first_depleted_day'])}"
    chart = described(titled(chart, "B-cell depletion"), desc + ".")
    return Figure(chart, data, caption=caption, note=cohort_note(ds))


def _visit_medians(v: pd.DataFrame, visits: dict[str, str]) -> tuple[pd.DataFrame, str]:
    """The median line's points and its description: censoring-aware, so a median resting on a score
    below the assay limit is not drawn and is said to be not estimable."""
    points, said = [], []
    for col, name in visits.items():
        obs = observations(v[col], v[f"{col}_censored"])
        if not obs:
            continue
        m = median(obs)
        if m is None:
            said.append(f"median not estimable at {name.lower()} (it rests on a score below the assay limit)")
            continue
        points.append({"visit": name, "sledai_2k": float(m)})
        said.append(f"median {num(m)} at {name.lower()} ({count(len(obs), 'patient')})")
    return pd.DataFrame(points, columns=["visit", "sledai_2k"]), "; ".join(said)


def fig2a_sledai(ds: Dataset) -> Figure:
    """Fig. 2a: SLEDAI-2K at baseline, month 1 and month 3 per patient, with the median."""
    visits = {"baseline": "Baseline", "month1": "Month 1", "month3": "Month 3"}
    v = analyses_of(ds).sledai.copy().reset_index()
    long = v.melt(id_vars="patient_id", value_vars=list(visits), var_name="visit", value_name="sledai_2k")
    long = long.dropna().assign(visit=lambda d: d["visit"].map(visits)).reset_index(drop=True)
    long["sledai_2k"] = long["sledai_2k"].astype(float)
    if long.empty:
        what = "SLEDAI-2K scores" + (
            "" if ds.series("sledai_2k").empty else " at baseline, month 1 or month 3"
        )
        return Figure(None, long, absent=f"This dataset has no {what}")
    x = alt.X("visit:O", sort=list(visits.values()), title="Visit")
    y = alt.Y("sledai_2k:Q", title="SLEDAI-2K (points)")
    med, medians = _visit_medians(v, visits)
    chart = (
        alt.Chart(med)
        .mark_line(color="black", strokeWidth=3, point=alt.OverlayMarkDef(color="black", size=70))
        .encode(x=x, y=y, tooltip=[VISIT_TIP, alt.Tooltip("sledai_2k:Q", title="Median SLEDAI-2K (points)")])
    )
    if not is_large(ds):
        tip = [PATIENT_TIP, VISIT_TIP, alt.Tooltip("sledai_2k:Q", title="SLEDAI-2K (points)")]
        base = alt.Chart(long).encode(x=x, y=y, color=patient_colour(ds), detail="patient_id:N", tooltip=tip)
        chart = base.mark_line(opacity=0.8) + base.mark_point(filled=True, size=40) + chart
    desc = (
        "Line chart of SLEDAI-2K (points) per patient at baseline, month 1 and month 3, median in black; "
        f"{long['patient_id'].nunique()} of {count(len(ds.patients), 'patient')}; {medians}."
    )
    return Figure(described(titled(chart, "Disease activity (SLEDAI-2K)"), desc), long, note=cohort_note(ds))


def fig2b_proteinuria(ds: Dataset) -> Figure:
    """Fig. 2b: 24-h urine protein per patient by renal response; complete-response threshold, normal range."""
    data = points(ds, "urine_protein_24h")
    if data.empty:
        return Figure(None, data, absent="This dataset has no 24-hour urine protein values")
    data["renal_response"] = data["patient_id"].map(analyses_of(ds).renal.copy()["response"])
    data["renal_response"] = data["renal_response"].fillna("no lupus nephritis")
    kinds = (*renal.CATEGORIES, renal.NOT_EVALUABLE, "no lupus nephritis")
    present = [c for c in kinds if c in set(data["renal_response"])]
    chart = trajectories(
        ds,
        data,
        "24-h urine protein (g/24h)",
        alt.Scale(zero=True),
        extra_tooltip=[alt.Tooltip("renal_response:N", title="Renal response")],
        value_title="Urine protein (g/24h)",
        dash=("renal_response", "Renal response", present),
    )
    cr = ds.definitions.renal_complete_below_g24h
    chart = chart + labelled_rule(cr, f"complete response < {num(cr)} g/24h")
    c = analyses_of(ds).renal_counts
    desc = about(ds, data, "24-hour urine protein", "g/24h", "linear scale") + (
        f"; dashed line at the complete-response threshold, {num(cr)} g/24h; renal response {c['complete']} "
        f"complete, {c['partial']} partial, {c['none']} none of {c['evaluable']} evaluable"
    )
    chart = with_normal_band(chart, ds, "urine_protein_24h", data)
    desc += normal_range_text(ds, "urine_protein_24h", "g/24h")
    return Figure(described(titled(chart, "Proteinuria"), desc), data, note=cohort_note(ds))


def fig2c_anti_dsdna(ds: Dataset) -> Figure:
    """Fig. 2c: anti-dsDNA per patient on a symlog axis with readable ticks; upper limit of normal marked."""
    data = points(ds, "anti_dsdna")
    if data.empty:
        return Figure(None, data, absent="This dataset has no anti-dsDNA values")
    conv = analyses_of(ds).dsdna.copy()["converted_negative"]
    data["converted_negative"] = data["patient_id"].map(conv).astype("string").fillna("not evaluable")
    uln = ds.reference_range("anti_dsdna")[1]
    top = max(float(data["value"].max()), float(uln or 0))
    ticks = symlog_ticks(top, uln)
    chart = trajectories(
        ds,
        data,
        "Anti-dsDNA (IU/mL, symmetric log scale)",
        alt.Scale(type="symlog", domain=[0, max(ticks[-1], top)], nice=False),
        extra_tooltip=[alt.Tooltip("converted_negative:N", title="Converted negative")],
        value_title="Anti-dsDNA (IU/mL)",
        y_axis=alt.Axis(values=ticks, format="~r", labelOverlap=False, tickCount=len(ticks)),
    )
    desc = about(ds, data, "anti-dsDNA antibodies", "IU/mL", "symmetric log scale")
    if uln is not None:
        chart = chart + labelled_rule(uln, f"upper limit of normal ({num(uln)} IU/mL)")
        n_conv, n_eval = int(conv.fillna(False).astype(bool).sum()), int(conv.notna().sum())
        desc += f"; dashed line at the upper limit of normal, {num(uln)} IU/mL; "
        desc += f"{n_conv} of {n_eval} evaluable (positive at baseline) converted negative"
    chart = with_normal_band(chart, ds, "anti_dsdna", data)
    desc += normal_range_text(ds, "anti_dsdna", "IU/mL")
    return Figure(described(titled(chart, "Anti-dsDNA"), desc), data, note=cohort_note(ds))


def fig2d_complement(ds: Dataset) -> Figure:
    """Fig. 2d: C3 and C4 per patient, side by side (only the one the dataset has); normal ranges shaded."""
    frames = {a: points(ds, a).assign(analyte=a) for a in ("c3", "c4")}
    have = [a for a, f in frames.items() if len(f)]
    data = pd.concat(frames.values(), ignore_index=True)
    if not have:
        return Figure(None, data, absent="This dataset has no complement C3 or C4 values")
    panels, texts = [], []
    for a in have:
        chart = trajectories(ds, frames[a], f"{a.upper()} (g/L)", alt.Scale(zero=True))
        chart = with_normal_band(chart, ds, a, frames[a])
        panels.append(chart.properties(width=WIDTH // 2 + 20, height=HEIGHT, title=a.upper()))
        texts.append(about(ds, frames[a], f"complement {a.upper()}", "g/L", "linear scale"))
        texts[-1] += normal_range_text(ds, a, "g/L")
    missing = [a.upper() for a in frames if a not in have]
    note = f"This dataset has no {missing[0]} values; only {have[0].upper()} is drawn." if missing else ""
    chart = described(alt.hconcat(*panels).configure_view(stroke=None), " ".join(texts))
    return Figure(chart, data, note=" ".join(t for t in (note, cohort_note(ds)) if t))

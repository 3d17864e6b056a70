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
    INK,
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
from .figure_layers import EARLY_DAYS, bcell_panel, response_markers
from .layers import (
    assay_limits,
    cohort_note,
    is_large,
    labelled_rule,
    legend_key,
    markers,
    patient_colour,
    patient_dash,
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
    # the days' axis starts a little before day 0, so a marker on day 0 sits inside it
    days = alt.Scale(domain=[-round(0.03 * window, 1), window], nice=False)
    chart = trajectories(
        ds,
        data,
        "CAR+ T cells (cells/µL, log scale)",
        alt.Scale(type="log"),
        value_title="CAR+ T cells (cells/µL)",
        x_scale=days,
    )
    limits = assay_limits(data)
    for limit in limits:
        chart = labelled_rule(limit, f"assay limit, {num(limit)} cells/µL") + chart  # under the markers on it
    if not is_large(ds):
        tip = [
            alt.Tooltip("cmax_cells_per_uL:Q", title="Peak (cells/µL)"),
            alt.Tooltip("tmax_day:Q", title="Peak day"),
        ]
        chart = chart + markers(ds, peaks, "tmax_day", "cmax_cells_per_uL", "diamond", tip)
    caption += f" Diamonds mark each patient's peak; {CENSORED_TEXT}"
    desc = about(ds, data, "circulating CAR+ T cells", "cells/µL", "log scale")
    if limits:
        caption += " The dashed line is the assay's lower limit of quantification."
        desc += f"; dashed line at the assay limit, {' and '.join(num(x) for x in limits)} cells/µL"
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
    """Fig. 1b: CD19+ B cells/µL per patient, days −7 to 28 (where depletion happens) beside the whole
    follow-up; depletion threshold, first depleted day and first day back at or above it."""
    t = num(ds.definitions.bcell_depletion_below)
    data = points(ds, "cd19_b")
    lo, hi = (num(d) for d in EARLY_DAYS)
    caption = (
        f"Circulating CD19+ B cells per patient (log scale): days {lo} to {hi}, where depletion happens "
        f"(left), and the whole follow-up (right). The dashed line is the depletion threshold ({t} cells/µL); "
        f"squares mark each patient's first depleted day, open triangles the first day back at {t} cells/µL "
        f"or more (reconstitution); {CENSORED_TEXT}"
    )
    if data.empty:
        return Figure(None, data, caption=caption, absent="This dataset has no CD19+ B cell counts")
    dep = analyses_of(ds).depletion.copy().reset_index()
    early = data[data["day"].between(*EARLY_DAYS)].reset_index(drop=True)
    whole = alt.Scale(domain=[min(EARLY_DAYS[0], int(data["day"].min())), int(data["day"].max())], nice=False)
    panels = alt.hconcat(
        bcell_panel(
            ds, early, dep, f"Days {lo} to {hi}", alt.Scale(domain=list(EARLY_DAYS), nice=False)
        ).properties(width=WIDTH * 2 // 5),
        bcell_panel(ds, data, dep, "Whole follow-up", whole, y_title=None).properties(width=WIDTH * 3 // 5),
    ).resolve_scale(y="shared")
    first, back = dep["first_depleted_day"].dropna(), dep["reconstitution_day"].dropna()
    desc = about(ds, data, "circulating CD19+ B cells", "cells/µL", "log scale")
    desc += f", days {lo} to {hi} beside the whole follow-up; dashed line at the depletion threshold, {t} cells/µL"
    if len(first):
        desc += f"; {count(len(first), 'patient')} depleted, first on day(s) {span(first)}"
        desc += f"; {len(back)} of them back at {t} cells/µL or more" + (
            f" from day(s) {span(back)}" if len(back) else ""
        )
    title = alt.TitleParams("B-cell depletion", anchor="middle")
    chart = described(panels.properties(title=title).configure_view(stroke=None), desc + ".")
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
    x = alt.X("visit:O", sort=list(visits.values()), title="Visit", axis=alt.Axis(labelAngle=0))
    y = alt.Y("sledai_2k:Q", title="SLEDAI-2K (points)")
    med, medians = _visit_medians(v, visits)
    med["line"] = "median of the patients"
    tip = [VISIT_TIP, alt.Tooltip("sledai_2k:Q", title="Median SLEDAI-2K (points)")]
    base = alt.Chart(med).encode(x=x, y=y, tooltip=tip)
    # the points apart from the line: on one mark, Vega-Lite would draw the legend's line transparent
    chart = base.mark_line(color=INK, strokeWidth=3).encode(opacity=legend_key("line", [1, 0], 3))
    chart = chart + base.mark_point(color=INK, filled=True, size=70, opacity=1)
    if not is_large(ds):
        tip = [PATIENT_TIP, VISIT_TIP, alt.Tooltip("sledai_2k:Q", title="SLEDAI-2K (points)")]
        base = alt.Chart(long).encode(x=x, y=y, color=patient_colour(ds), detail="patient_id:N", tooltip=tip)
        lines = base.mark_line(opacity=0.8).encode(strokeDash=patient_dash(ds))
        chart = lines + base.mark_point(filled=True, size=40) + chart
    desc = (
        "Line chart of SLEDAI-2K (points) per patient at baseline, month 1 and month 3, median as a thick line; "
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
    )
    if not is_large(ds):
        chart = (chart + response_markers(ds, data, present)).resolve_scale(shape="independent")
    cr = ds.definitions.renal_complete_below_g24h
    chart = labelled_rule(cr, f"complete response < {num(cr)} g/24h") + chart
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
        chart = labelled_rule(uln, f"upper limit of normal ({num(uln)} IU/mL)") + chart
        converted = analyses_of(ds).proportions["dsdna_converted_negative"]  # as the serology table counts
        desc += f"; dashed line at the upper limit of normal, {num(uln)} IU/mL; "
        desc += f"{converted.k or 0} of {converted.n} evaluable (positive at baseline) converted negative"
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

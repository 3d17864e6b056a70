"""The abstract's figures, one function per figure (showyourwork! style).

Each public ``fig*`` function takes a dataset and an output folder, draws an
Altair chart, writes SVG, PNG (vl-convert), the plotted data (CSV) and the
Vega-Lite spec next to it, and returns a ``Figure`` that displays as the
interactive chart with a caption linking the downloads and this source.

Charts are rendered by an offline renderer: the div id is a hash of the spec
(so re-execution is byte-identical) and Vega is never fetched from a CDN; the
site serves the bundled Vega (see ``sle_cart.book.sphinx_ext``).
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import pandas as pd

from sle_cart.analysis import disease_activity, kinetics, renal, safety, serology
from sle_cart.analysis.stats import quartiles
from sle_cart.inputs.definitions import LARGE_COHORT_PATIENTS

from .links import source_href

#: Okabe & Ito (2008) colour-blind-safe palette, black left for medians.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442"]
DOWNLOAD_PREFIX = "../downloads/"
WIDTH, HEIGHT = 520, 300


# ------------------------------------------------------------------ rendering
def _spec_id(spec: dict) -> str:
    return "vega-" + hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def offline_renderer(spec: dict, **kwargs) -> dict:
    """Altair renderer: HTML with a deterministic div id and no CDN address."""
    from altair.utils.html import spec_to_html

    markup = spec_to_html(
        spec,
        mode="vega-lite",
        vega_version=alt.VEGA_VERSION,
        vegaembed_version=alt.VEGAEMBED_VERSION,
        vegalite_version=alt.VEGALITE_VERSION,
        base_url="vega-offline",
        output_div=_spec_id(spec),
        fullhtml=False,
        template="universal",
        embed_options={"actions": False},
    )
    return {"text/html": _script_safe(markup)}


def _script_safe(markup: str) -> str:
    """Stop data text (patient ids, titles) from closing the <script> that holds the spec.

    Inside the script, '</' becomes '<\\/' and '<!--' becomes '<\\!--': the same
    string to JavaScript, but no longer an end tag or comment to the HTML parser.
    """
    start = markup.index("<script")
    open_end = markup.index(">", start) + 1
    close = markup.rindex("</script>")
    body = markup[open_end:close].replace("</", "<\\/").replace("<!--", "<\\!--")
    return markup[:open_end] + body + markup[close:]


alt.renderers.register("sle_offline", offline_renderer)
alt.renderers.enable("sle_offline")


def chart_html(chart) -> str:
    return offline_renderer(chart.to_dict())["text/html"]


@dataclass
class Figure:
    """A published figure: chart, the data it plots, caption and provenance."""

    name: str
    title: str
    caption: str
    chart: alt.TopLevelMixin
    data: pd.DataFrame
    function: str
    note: str = ""  # added to the caption, e.g. how a large cohort is summarised

    def publish(self, out_dir: str | Path) -> Figure:
        """Write ``<name>.svg``, ``.png``, ``.csv`` and ``.vl.json`` into ``out_dir/downloads``."""
        import vl_convert as vlc

        d = Path(out_dir) / "downloads"
        d.mkdir(parents=True, exist_ok=True)
        spec = self.chart.to_dict()
        (d / f"{self.name}.vl.json").write_text(
            json.dumps(spec, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        (d / f"{self.name}.svg").write_text(vlc.vegalite_to_svg(spec), encoding="utf-8")
        (d / f"{self.name}.png").write_bytes(vlc.vegalite_to_png(spec, scale=2))
        self.data.to_csv(d / f"{self.name}.csv", index=False, lineterminator="\n")
        return self

    def caption_html(self) -> str:
        e = html.escape
        caption = self.caption + (f" {self.note}" if self.note else "")
        links = " · ".join(
            f'<a href="{DOWNLOAD_PREFIX}{e(self.name)}.{ext}" download>{label}</a>'
            for ext, label in (
                ("svg", "SVG"),
                ("png", "PNG"),
                ("csv", "data (CSV)"),
                ("vl.json", "Vega-Lite spec"),
            )
        )
        return (
            f'<p class="figure-caption"><strong>{e(self.title)}.</strong> {e(caption)}</p>'
            f'<p class="figure-provenance">Download: {links}. Made by '
            f'<a href="{e(source_href(self.function))}"><code>{e(self.function)}</code></a>.</p>'
        )

    def __repr__(self) -> str:  # stable, short text/plain output
        return f"<Figure {self.name}: {self.title}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "text/html": f'<div class="sle-figure" id="{e_id(self.name)}">'
            f"{chart_html(self.chart)}{self.caption_html()}</div>"
        }


def e_id(name: str) -> str:
    return "figure-" + html.escape(name)


def _colour(ids) -> alt.Color:
    ids = sorted(ids, key=_natural)
    return alt.Color(
        "patient_id:N",
        title="Patient",
        sort=ids,
        scale=alt.Scale(domain=ids, range=[PALETTE[i % len(PALETTE)] for i in range(len(ids))]),
    )


def _natural(pid: str):
    import re

    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(pid))]


def _large(ds) -> bool:
    return len(ds.patients) > LARGE_COHORT_PATIENTS


def _cohort_note(ds) -> str:
    if not _large(ds):
        return ""
    return (
        f"With {len(ds.patients)} patients (more than {LARGE_COHORT_PATIENTS}), the chart shows the median and "
        "interquartile range of each study day instead of one line per patient; every patient's values are "
        "in the data (CSV) download."
    )


def _points(ds, analyte: str) -> pd.DataFrame:
    s = ds.series(analyte)
    out = s[["patient_id", "day", "value", "censored"]].copy()
    out["value_label"] = [("<" if c else "") + f"{v:g}" for v, c in zip(out["value"], out["censored"])]
    out["result"] = out["censored"].map({False: "measured", True: "below assay limit"})
    return out


def _summary_bands(data: pd.DataFrame, value: str = "value") -> pd.DataFrame:
    """Median and interquartile range per study day (large cohorts)."""
    rows = []
    for day, g in data.groupby("day"):
        q = quartiles(g[value])
        rows.append({"day": int(day), "q1": q["q1"], "median": q["median"], "q3": q["q3"], "n": q["n"]})
    return pd.DataFrame(rows)


def _trajectories(ds, data, y_title, y_scale, value_field="value", extra_tooltip=(), dash=None):
    """Per-patient lines (small cohorts) or median/IQR bands per day (large cohorts).

    Above ``LARGE_COHORT_PATIENTS`` only the per-day summaries are embedded in the
    page; every patient's values stay in the figure's CSV download.
    """
    x = alt.X("day:Q", title="Days since CAR T infusion")
    if _large(ds):
        bands = _summary_bands(data, value_field)
        base = alt.Chart(bands).encode(x=x)
        band = base.mark_area(opacity=0.3, color=PALETTE[0]).encode(
            y=alt.Y("q1:Q", title=y_title, scale=y_scale), y2="q3:Q"
        )
        line = base.mark_line(color="black", point=True).encode(
            y="median:Q",
            tooltip=[
                "day:Q",
                alt.Tooltip("median:Q", format=".3g"),
                alt.Tooltip("q1:Q", format=".3g"),
                alt.Tooltip("q3:Q", format=".3g"),
                "n:Q",
            ],
        )
        return band + line
    colour = _colour(ds.patients["patient_id"])
    tooltip = ["patient_id:N", "day:Q", alt.Tooltip("value_label:N", title="value"), *extra_tooltip]
    base = alt.Chart(data).encode(
        x=x, y=alt.Y(f"{value_field}:Q", title=y_title, scale=y_scale), color=colour
    )
    lines = base.mark_line(strokeWidth=1.8)
    if dash:  # (field, title, categories): a second, colour-independent legend on the lines
        field, title, domain = dash
        lines = lines.encode(
            strokeDash=alt.StrokeDash(
                f"{field}:N",
                title=title,
                sort=list(domain),
                scale=alt.Scale(
                    domain=list(domain), range=[[1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [1, 4]][: len(domain)]
                ),
            )
        )
    points = base.mark_point(filled=True, size=36).encode(
        shape=alt.Shape(
            "result:N",
            title="Result",
            scale=alt.Scale(domain=["measured", "below assay limit"], range=["circle", "triangle-down"]),
        ),
        tooltip=tooltip,
    )
    return lines + points


def _normal_band(lower, upper, y_max):
    if lower is None and upper is None:
        return None
    band = pd.DataFrame(
        {"lo": [lower if lower is not None else 0.0], "hi": [upper if upper is not None else y_max]}
    )
    return (
        alt.Chart(band)
        .mark_rect(color="#bbbbbb", opacity=0.35)
        .encode(
            y="lo:Q",
            y2="hi:Q",
            tooltip=[alt.Tooltip("lo:Q", title="normal from"), alt.Tooltip("hi:Q", title="normal to")],
        )
    )


def _done(chart, title):
    return chart.properties(width=WIDTH, height=HEIGHT, title=title).configure_view(stroke=None)


# ------------------------------------------------------------------ figures
def fig1a_car_t_expansion(ds, out_dir) -> Figure:
    """Fig. 1a: circulating CAR+ T cells/µL per patient, days 0-90, log axis, peaks marked."""
    d = ds.definitions
    data = _points(ds, "car_t")
    data = data[(data["day"] >= 0) & (data["day"] <= d.kinetics_window_days)]
    chart = _trajectories(ds, data, "CAR+ T cells (cells/µL, log scale)", alt.Scale(type="log"))
    if not _large(ds):
        kin = kinetics.car_t_kinetics(ds).dropna(subset=["cmax_cells_per_uL"]).reset_index()
        peaks = (
            alt.Chart(kin)
            .mark_point(shape="diamond", size=180, filled=False, strokeWidth=2)
            .encode(
                x="tmax_day:Q",
                y="cmax_cells_per_uL:Q",
                color=_colour(ds.patients["patient_id"]),
                tooltip=[
                    "patient_id:N",
                    alt.Tooltip("cmax_cells_per_uL:Q", title="peak (cells/µL)"),
                    alt.Tooltip("tmax_day:Q", title="peak day"),
                ],
            )
        )
        chart = chart + peaks
    return Figure(
        "fig1a",
        "Figure 1a",
        "Circulating CAR+ T cells per patient over the first 90 days after "
        "infusion (log scale). Diamonds mark each patient's peak; downward triangles are values below "
        "the assay limit, drawn at the limit.",
        _done(chart, "CAR T cell expansion"),
        data.reset_index(drop=True),
        "sle_cart.present.figures.fig1a_car_t_expansion",
        note=_cohort_note(ds),
    ).publish(out_dir)


def fig1b_b_cells(ds, out_dir) -> Figure:
    """Fig. 1b: CD19+ B cells/µL per patient, depletion threshold and first depleted day."""
    d = ds.definitions
    data = _points(ds, "cd19_b")
    chart = _trajectories(ds, data, "CD19+ B cells (cells/µL, log scale)", alt.Scale(type="log"))
    rule = (
        alt.Chart(pd.DataFrame({"threshold": [d.bcell_depletion_below]}))
        .mark_rule(strokeDash=[6, 4], color="black")
        .encode(y="threshold:Q", tooltip=[alt.Tooltip("threshold:Q", title="depletion below (cells/µL)")])
    )
    chart = chart + rule
    if not _large(ds):
        dep = kinetics.bcell_depletion(ds).dropna(subset=["first_depleted_day"]).reset_index()
        dep = dep.merge(data, left_on=["patient_id", "first_depleted_day"], right_on=["patient_id", "day"])
        marks = (
            alt.Chart(dep)
            .mark_point(shape="square", size=140, filled=False, strokeWidth=2)
            .encode(
                x="day:Q",
                y="value:Q",
                color=_colour(ds.patients["patient_id"]),
                tooltip=["patient_id:N", alt.Tooltip("first_depleted_day:Q", title="first depleted day")],
            )
        )
        chart = chart + marks
    return Figure(
        "fig1b",
        "Figure 1b",
        f"Circulating CD19+ B cells per patient (log scale). The dashed line is "
        f"the depletion threshold ({d.bcell_depletion_below:g} cells/µL); squares mark each patient's "
        "first depleted day; downward triangles are values below the assay limit.",
        _done(chart, "B-cell depletion"),
        data.reset_index(drop=True),
        "sle_cart.present.figures.fig1b_b_cells",
        note=_cohort_note(ds),
    ).publish(out_dir)


def fig2a_sledai(ds, out_dir) -> Figure:
    """Fig. 2a: SLEDAI-2K at baseline, month 1 and month 3 per patient, with the median."""
    v = disease_activity.sledai_visits(ds).reset_index()
    order = ["Baseline", "Month 1", "Month 3"]
    long = v.melt(
        id_vars="patient_id",
        value_vars=["baseline", "month1", "month3"],
        var_name="visit",
        value_name="sledai_2k",
    ).dropna()
    long["visit"] = long["visit"].map(dict(zip(["baseline", "month1", "month3"], order)))
    long["sledai_2k"] = long["sledai_2k"].astype(float)
    x = alt.X("visit:O", sort=order, title="Visit")
    y = alt.Y("sledai_2k:Q", title="SLEDAI-2K (points)")
    med = long.groupby("visit", as_index=False)["sledai_2k"].median()
    median = (
        alt.Chart(med)
        .mark_line(color="black", strokeWidth=3, point=alt.OverlayMarkDef(color="black", size=70))
        .encode(x=x, y=y, tooltip=["visit:N", alt.Tooltip("sledai_2k:Q", title="median")])
    )
    if _large(ds):
        chart = median
    else:
        base = alt.Chart(long).encode(
            x=x,
            y=y,
            color=_colour(ds.patients["patient_id"]),
            detail="patient_id:N",
            tooltip=["patient_id:N", "visit:N", "sledai_2k:Q"],
        )
        chart = base.mark_line(opacity=0.8) + base.mark_point(filled=True, size=40) + median
    return Figure(
        "fig2a",
        "Figure 2a",
        "SLEDAI-2K per patient at baseline, month 1 and month 3 (coloured lines) and the median (black).",
        _done(chart, "Disease activity (SLEDAI-2K)"),
        long.reset_index(drop=True),
        "sle_cart.present.figures.fig2a_sledai",
        note=_cohort_note(ds),
    ).publish(out_dir)


def fig2b_proteinuria(ds, out_dir) -> Figure:
    """Fig. 2b: 24-h urine protein per patient with renal response; normal range shaded."""
    data = _points(ds, "urine_protein_24h")
    resp = renal.renal_response(ds)["response"]
    data["renal_response"] = data["patient_id"].map(resp).fillna("no lupus nephritis")
    present = [
        c
        for c in (*renal.CATEGORIES, "not evaluable", "no lupus nephritis")
        if c in set(data["renal_response"])
    ]
    chart = _trajectories(
        ds,
        data,
        "24-h urine protein (g/24h)",
        alt.Scale(zero=True),
        extra_tooltip=[alt.Tooltip("renal_response:N", title="renal response")],
        dash=("renal_response", "Renal response", present),
    )
    lo, hi = ds.reference_range("urine_protein_24h")
    band = _normal_band(lo, hi, float(data["value"].max() if len(data) else 1))
    chart = band + chart if band is not None else chart
    return Figure(
        "fig2b",
        "Figure 2b",
        "24-hour urine protein per patient; the line style gives each "
        "patient's renal response (complete, partial, none). The grey band is the normal range.",
        _done(chart, "Proteinuria"),
        data.reset_index(drop=True),
        "sle_cart.present.figures.fig2b_proteinuria",
        note=_cohort_note(ds),
    ).publish(out_dir)


def fig2c_anti_dsdna(ds, out_dir) -> Figure:
    """Fig. 2c: anti-dsDNA per patient; normal range shaded."""
    data = _points(ds, "anti_dsdna")
    conv = serology.dsdna_conversion(ds)["converted_negative"]
    data["converted_negative"] = data["patient_id"].map(conv).astype("string").fillna("not evaluable")
    chart = _trajectories(
        ds,
        data,
        "Anti-dsDNA (IU/mL, log scale)",
        alt.Scale(type="symlog"),
        extra_tooltip=[alt.Tooltip("converted_negative:N", title="converted negative")],
    )
    lo, hi = ds.reference_range("anti_dsdna")
    band = _normal_band(lo, hi, float(data["value"].max() if len(data) else 1))
    chart = band + chart if band is not None else chart
    return Figure(
        "fig2c",
        "Figure 2c",
        "Anti-dsDNA antibodies per patient (symmetric log scale). The grey band is the normal range.",
        _done(chart, "Anti-dsDNA"),
        data.reset_index(drop=True),
        "sle_cart.present.figures.fig2c_anti_dsdna",
        note=_cohort_note(ds),
    ).publish(out_dir)


def fig2d_complement(ds, out_dir) -> Figure:
    """Fig. 2d: C3 and C4 per patient, side by side; normal ranges shaded."""
    panels, frames = [], []
    for analyte, label in (("c3", "C3 (g/L)"), ("c4", "C4 (g/L)")):
        data = _points(ds, analyte)
        data["analyte"] = analyte
        chart = _trajectories(ds, data, label, alt.Scale(zero=True))
        lo, hi = ds.reference_range(analyte)
        band = _normal_band(lo, hi, float(data["value"].max() if len(data) else 1))
        chart = band + chart if band is not None else chart
        panels.append(chart.properties(width=WIDTH // 2 + 20, height=HEIGHT, title=label.split(" ")[0]))
        frames.append(data)
    chart = alt.hconcat(*panels).configure_view(stroke=None)
    return Figure(
        "fig2d",
        "Figure 2d",
        "Complement C3 and C4 per patient. The grey bands are the normal ranges.",
        chart,
        pd.concat(frames, ignore_index=True),
        "sle_cart.present.figures.fig2d_complement",
        note=_cohort_note(ds),
    ).publish(out_dir)


def fig_safety_swimmer(ds, out_dir) -> Figure:
    """Safety: CRS and ICANS episodes per patient from onset to resolution (swimmer chart)."""
    ae = safety.adverse_events(ds)
    ae = ae.assign(
        end=ae["resolution_day"].fillna(ae["onset_day"]).astype(float) + 0.5,
        start=ae["onset_day"].astype(float) - 0.5,
        label=[f"{e} grade {g}" for e, g in zip(ae["event"], ae["grade"])],
        resolution=ae["resolution_day"].astype("string").fillna("ongoing"),
    )
    if _large(ds):
        w = (
            safety.worst_grades(ds)
            .reset_index()
            .melt(id_vars="patient_id", var_name="event", value_name="grade")
        )
        w["event"] = w["event"].map({"worst_crs_grade": "CRS", "worst_icans_grade": "ICANS"})
        w["worst grade"] = w["grade"].map(lambda g: "none" if g == 0 else f"grade {g}")
        counts = (
            w.groupby(["event", "worst grade"], as_index=False).size().rename(columns={"size": "patients"})
        )
        chart = (
            alt.Chart(counts)
            .mark_bar()
            .encode(
                x=alt.X("patients:Q", title="Patients"),
                y=alt.Y("event:N", title=None),
                color=alt.Color(
                    "worst grade:N",
                    title="Worst grade",
                    sort=["none", *[f"grade {g}" for g in range(1, 6)]],
                    scale=alt.Scale(scheme="orangered"),
                ),
                tooltip=["event:N", "worst grade:N", "patients:Q"],
            )
            .properties(width=WIDTH, height=120, title="Patients by worst CRS and ICANS grade")
            .configure_view(stroke=None)
        )
        return Figure(
            "safety",
            "Figure S1",
            "Patients by their worst CRS and ICANS grade (ASTCT 2019).",
            chart,
            ae,
            "sle_cart.present.figures.fig_safety_swimmer",
            note=f"With {len(ds.patients)} patients the per-patient swimmer chart is replaced by counts; "
            "every episode is in the data (CSV) download.",
        ).publish(out_dir)
    ids = sorted(ds.patients["patient_id"], key=_natural)
    y = alt.Y("patient_id:N", sort=ids, title="Patient", scale=alt.Scale(domain=ids))
    frame = pd.DataFrame({"patient_id": ids})
    lane = alt.Chart(frame).mark_rule(color="#dddddd").encode(y=y)
    bars = (
        alt.Chart(ae)
        .mark_bar(height=14)
        .encode(
            x=alt.X("start:Q", title="Days since CAR T infusion", scale=alt.Scale(domain=[0, 28])),
            x2="end:Q",
            y=y,
            color=alt.Color(
                "event:N",
                title="Event",
                scale=alt.Scale(domain=["CRS", "ICANS"], range=[PALETTE[1], PALETTE[3]]),
            ),
            tooltip=[
                "patient_id:N",
                "event:N",
                "grade:Q",
                alt.Tooltip("onset_day:Q", title="onset day"),
                alt.Tooltip("resolution:N", title="resolution day"),
            ],
        )
    )
    text = alt.Chart(ae).mark_text(align="left", dx=4, fontSize=11).encode(x="end:Q", y=y, text="label:N")
    chart = (
        (lane + bars + text)
        .properties(width=WIDTH, height=max(120, 26 * len(ids)), title="CRS and ICANS, days 0-28")
        .configure_view(stroke=None)
    )
    return Figure(
        "safety",
        "Figure S1",
        "CRS and ICANS episodes per patient (ASTCT 2019 grade), from onset to "
        "resolution; patients without a bar had neither.",
        chart,
        ae.drop(columns=["start", "end"]),
        "sle_cart.present.figures.fig_safety_swimmer",
        note=_cohort_note(ds),
    ).publish(out_dir)

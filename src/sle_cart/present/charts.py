"""The Figure type and offline chart rendering.

A chart is shown as HTML whose div id is a hash of the spec (so re-execution
is byte-identical) and that never names a CDN: the site serves the bundled
Vega (see ``sle_cart.book.sphinx_ext``).  Nothing is registered with Altair at
import time; a ``Figure`` renders its own HTML.

A figure whose data the dataset lacks carries a sentence instead of a chart
(``Figure.absent``): the page shows the sentence, and the SVG/PNG downloads
are a placeholder that says the same.  Every chart states what it shows in its
Vega-Lite ``description`` (the chart's text alternative); numbers in figure
text use the minus sign U+2212.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from sle_cart.inputs.definitions import LARGE_COHORT_PATIENTS

from .formatting import precise
from .links import made_by_html

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

#: Okabe & Ito (2008) colour-blind-safe palette, black left for medians.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442"]
WIDTH, HEIGHT = 520, 300
#: The colour of ink marks (reference lines, medians): the site's chart loader swaps this exact value for a
#: light one when the reader's theme is dark (static/vega-setup.js); fixed black marks use "#000000".
INK = "black"
#: Where a chapter page finds the downloads (``out_dir/downloads`` at the site root).
DOWNLOAD_PREFIX = "../downloads/"
#: What every figure offers for download: (file extension, link text); see ``publish``.
#: The ``result`` of a value (and its legend entry): measured, or censored and drawn at its limit.
MEASURED, CENSORED = "measured", "below assay limit (drawn at the limit)"
#: Tooltip fields by their names for a reader, never the data's column names.
PATIENT_TIP, DAY_TIP = alt.Tooltip("patient_id:N", title="Patient"), alt.Tooltip("day:Q", title="Day")
FIGURE_DOWNLOADS = (
    ("svg", "SVG"),
    ("png", "PNG"),
    ("csv", "data (CSV)"),
    ("vl.json", "Vega-Lite spec"),
)


# ------------------------------------------------------------------ figure text
def num(x: float) -> str:
    """A number as figure text: the data's own decimals (up to 4), minus sign U+2212 ('–' if missing)."""
    return "–" if pd.isna(x) else precise(float(x), 0, 4)


def span(values: Iterable[float], unit: str = "") -> str:
    """'7 to 11 days' ('7 days' when all are equal); '' when there are none."""
    vals = [float(v) for v in values if not pd.isna(v)]
    if not vals:
        return ""
    lo, hi = min(vals), max(vals)
    text = num(lo) if lo == hi else f"{num(lo)} to {num(hi)}"
    return f"{text} {unit}".rstrip()


def count(n: int, word: str) -> str:
    """'1 patient', '2 patients'."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def described(chart: alt.TopLevelMixin, text: str) -> alt.TopLevelMixin:
    """``chart`` with its text alternative (Vega-Lite ``description``, vega-embed's aria-label)."""
    return chart.properties(description=text)


def placeholder_chart(sentence: str) -> alt.Chart:
    """A tiny valid chart for the downloads of a figure that cannot be drawn: it says ``sentence``."""
    return (
        alt.Chart(pd.DataFrame({"note": [sentence]}))
        .mark_text(text="")
        .properties(width=WIDTH, height=10, title=sentence, description=sentence)
        .configure_view(stroke=None)
    )


def trajectory_text(ds: Dataset, data: pd.DataFrame, what: str, unit: str, scale: str) -> str:
    """The start of a trajectory chart's description: what, which days, how many patients, which values."""
    large = len(ds.patients) > LARGE_COHORT_PATIENTS
    kind = (
        f"Median and interquartile range per study day of {what}"
        if large
        else f"Line chart of {what} per patient"
    )
    measured = data.loc[~data["censored"].astype(bool), "value"]
    text = (
        f"{kind}, days {span(data['day'])}, {scale}; {data['patient_id'].nunique()} of "
        f"{count(len(ds.patients), 'patient')} have values; measured values {span(measured, unit)}"
    )
    n_cens = int(data["censored"].astype(bool).sum())
    drawn = "a median resting on them is drawn as" if large else "each drawn as"
    if n_cens:
        text += f"; {count(n_cens, 'value')} below the assay limit ({drawn} a downward triangle at the limit)"
    return text


def normal_range_text(ds: Dataset, analyte: str, unit: str) -> str:
    """'; grey band: normal range 0.9 to 1.8 g/L.' (or '.' when the dataset gives none)."""
    lo, hi = ds.reference_range(analyte)
    if lo is None and hi is None:
        return "."
    where = f"up to {num(hi)}" if lo is None else f"from {num(lo)}" + ("" if hi is None else f" to {num(hi)}")
    return f"; grey band: normal range {where} {unit}."


def symlog(value: float) -> float:
    """Vega's symlog transform (constant 1): where ``value`` sits on a symlog axis."""
    return math.copysign(math.log1p(abs(value)), value)


def symlog_ticks(top: float, mark: float | None = None) -> list[float]:
    """Readable tick values for a symlog axis: 0, 2, 5, 10, 20, 50, … up to the first at or above ``top``.

    ``mark`` (e.g. the upper limit of normal) is added, and the round ticks too
    close to it to be read apart are dropped.
    """
    ticks, exponent = [0.0], 0
    while ticks[-1] < top:
        ticks += [m * 10.0**exponent for m in (2, 5, 10) if m * 10.0**exponent > ticks[-1]]
        exponent += 1
    ticks = ticks[: next(i for i, t in enumerate(ticks) if t >= top) + 1] if top > 0 else [0.0, 2.0]
    if mark is not None and mark > 0:
        ticks = [t for t in ticks if t == 0 or abs(symlog(t) - symlog(mark)) >= 0.3] + [float(mark)]
    return sorted(set(ticks))


# ------------------------------------------------------------------ numbers drawn
def _quantile(values: list[float], censored: list[bool], p: float) -> tuple[float, bool]:
    """Linear-interpolation quantile of values sorted with censored ones first among ties.

    Censored values count at their limit, so the result is an upper bound; it is
    exact (True) only when both values it interpolates are measured and at or
    above every censored limit (no censored value can move past them).
    """
    pos = p * (len(values) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    q = values[lo] + (values[hi] - values[lo]) * (pos - lo)
    limit = max((v for v, c in zip(values, censored) if c), default=-math.inf)
    exact = not censored[lo] and not censored[hi] and values[lo] >= limit
    return q, exact


def summary_bands(data: pd.DataFrame, value: str = "value") -> pd.DataFrame:
    """Median and interquartile range per study day (large cohorts).

    Censored values count at their limit; a quartile that rests on one is an
    upper bound: ``<name>_exact`` is False and its label reads '<…'.
    """
    rows = []
    for day, g in data.groupby("day"):
        g = g.assign(c=g["censored"].astype(bool)).sort_values([value, "c"], ascending=[True, False])
        vals, cens = g[value].astype(float).tolist(), g["c"].tolist()
        row = {"day": int(day), "n": len(vals)}
        for name, p in (("q1", 0.25), ("median", 0.5), ("q3", 0.75)):
            q, exact = _quantile(vals, cens, p)
            row.update({name: q, f"{name}_exact": exact, f"{name}_label": ("" if exact else "<") + num(q)})
        rows.append(row)
    out = pd.DataFrame(rows)
    if len(out):
        out["segment"] = (~out["median_exact"]).cumsum().astype(int)
        out["result"] = out["median_exact"].map({True: MEASURED, False: CENSORED})
    return out


# ------------------------------------------------------------------ rendering
def _spec_id(spec: dict) -> str:
    return "vega-" + hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def spec_html(spec: dict) -> str:
    """HTML for a Vega-Lite spec: a deterministic div id and no CDN address."""
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
    return _script_safe(markup)


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


# ------------------------------------------------------------------ the Figure type
@dataclass(frozen=True, eq=False)
class Figure:
    """A figure: the chart, the data it plots and its caption.

    A figure function fills ``chart``, ``data`` and, when they depend on the
    data, ``caption`` and ``note``; its registry entry
    (``sle_cart.present.registry``) adds ``name`` (the download file stem),
    ``title``, a static ``caption`` and ``made_by`` (the function, for the
    source link).  It writes nothing: :func:`sle_cart.present.publish.publish`
    writes the downloads.

    When the dataset has no values for what the figure draws, the function sets
    ``absent`` (e.g. "This dataset has no CAR T cell counts") and no chart: the
    page shows :attr:`absent_sentence` instead of a chart, and ``chart`` is a
    placeholder saying the same sentence (its SVG and PNG downloads).
    """

    chart: alt.TopLevelMixin | None
    data: pd.DataFrame
    caption: str = ""
    note: str = ""  # added to the caption, e.g. how a large cohort is summarised
    name: str = ""
    title: str = ""
    made_by: Callable | None = None
    absent: str = ""  # why nothing can be drawn; "" when the chart is drawn

    def __post_init__(self):
        if self.absent:  # the placeholder follows the title the registry gives
            object.__setattr__(self, "chart", placeholder_chart(self.absent_sentence))
        elif self.chart is None:
            raise ValueError("a Figure needs a chart, or `absent` saying why there is none")

    @functools.cached_property
    def spec(self) -> dict:
        """The chart's Vega-Lite specification, made once: the page and the downloads both draw it."""
        return self.chart.to_dict()

    @property
    def absent_sentence(self) -> str:
        """'This dataset has no CAR T cell counts; Figure 1a cannot be drawn.' ('' when drawn)."""
        if not self.absent:
            return ""
        return f"{self.absent.rstrip('.')}; {self.title or 'the figure'} cannot be drawn."

    def caption_html(self) -> str:
        e = html.escape
        caption = self.caption + (f" {self.note}" if self.note else "")
        links = " · ".join(
            f'<a href="{DOWNLOAD_PREFIX}{e(self.name)}.{ext}" download>{label}</a>'
            for ext, label in FIGURE_DOWNLOADS
        )
        return (
            f'<p class="figure-caption"><strong>{e(self.title)}.</strong> {e(caption)}</p>'
            f'<p class="figure-provenance">Download: {links}.{made_by_html(self.made_by)}</p>'
        )

    def to_html(self) -> str:
        ident = f'id="figure-{html.escape(self.name)}"'
        if self.absent:  # a sentence, never empty axes (and no chart for the page to wait for)
            return (
                f'<div class="sle-figure-absent" {ident}><p class="figure-absent" role="note">'
                f"{html.escape(self.absent_sentence)}</p>{self.caption_html()}</div>"
            )
        return f'<div class="sle-figure" {ident}>{spec_html(self.spec)}{self.caption_html()}</div>'

    def __repr__(self) -> str:  # stable, short text/plain output
        return f"<Figure {self.name}: {self.title}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.to_html()}

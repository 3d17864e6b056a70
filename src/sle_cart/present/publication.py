"""The abstract's composite figures: Figure 1 (panels a–b) and Figure 2 (panels a–d).

Each panel is the registry's own figure (``fig1a`` … ``fig2d``), so the book's
chapters and the publication figures draw the same thing.  A panel keeps its
layers and its patient colours; it loses its ``config`` (Vega-Lite allows one
only at the top), is resized for print and gets its panel letter in its title.
The colour scale is resolved as shared, so one patient legend serves every
panel.  A panel whose data are absent is the registry's placeholder (a chart
that states the sentence), so the figure still composes.

:func:`export` writes ``fig1.svg``, ``fig1.pdf``, ``fig1.png`` and the same for
``fig2``, byte-identical for the same dataset.  The PNG is rendered at 300 ppi.
vl-convert's PDF numbers its font objects in a different order on each call, so
the PDF written here is that PDF placed on a page of its own size by typst,
which writes the same bytes for the same drawing (``#set document(date: none)``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import altair as alt

from . import registry

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

#: Composite figure -> its panels (registry names), in panel-letter order.
PANELS: dict[str, tuple[str, ...]] = {
    "fig1": ("fig1a", "fig1b"),
    "fig2": ("fig2a", "fig2b", "fig2c", "fig2d"),
}
#: Titles of the composites (the paper's captions start with these).
TITLES = {
    "fig1": "Figure 1. CAR T cell expansion in blood and depletion of circulating B cells",
    "fig2": "Figure 2. Disease activity, proteinuria, anti-dsDNA and complement after CAR T cells",
}
#: One panel's drawing area in print (pixels at 72 ppi before scaling; the book's panels are 520 × 300).
PANEL_WIDTH, PANEL_HEIGHT = 300, 190
#: Horizontal room taken by a y axis inside a panel made of several views side by side.
AXIS_ROOM = 70
PNG_PPI = 300
#: Larger type than the screen default: the figure is printed at about 60% of its pixel size.
PRINT_CONFIG = {
    "view": {"stroke": None},
    "axis": {"labelFontSize": 12, "titleFontSize": 12},
    "axisX": {"labelAngle": 0},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "symbolSize": 90},
    "title": {"fontSize": 14, "subtitleFontSize": 12},
    "concat": {"spacing": 28},
}


# ------------------------------------------------------------------ panels
def _title_text(title) -> str:
    """The text of a chart title given as a string, a list of lines, a dict or ``TitleParams``."""
    if title is alt.Undefined or title is None:
        return ""
    if isinstance(title, alt.TitleParams):
        title = title.text
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return str(title)


def _views(chart) -> list:
    """The charts a concatenation holds side by side (or stacked); [] for a single view or layer."""
    for kind, key in (
        (alt.HConcatChart, "hconcat"),
        (alt.VConcatChart, "vconcat"),
        (alt.ConcatChart, "concat"),
    ):
        if isinstance(chart, kind):
            return list(getattr(chart, key))
    return []


def _resize(chart, width: float, height: float) -> None:
    """Give every view of ``chart`` its share of ``width`` × ``height`` (in place)."""
    views = _views(chart)
    if views:
        stacked = isinstance(chart, alt.VConcatChart)
        n = len(views)
        w = width if stacked else (width - AXIS_ROOM * (n - 1)) / n
        h = (height - AXIS_ROOM * (n - 1)) / n if stacked else height
        for view in views:
            _resize(view, w, h)
        return
    chart.width = round(width)
    if chart.height is alt.Undefined or chart.height > 40:  # a placeholder's text strip keeps its height
        chart.height = round(height)


def _share_colour(chart):
    """``chart`` with its colour scale resolved as shared, when it is a concatenation (one legend).

    The legend entries of reference lines and medians (opacity) stay each panel's own: merged,
    they would all be drawn with the first one's dash and width.
    """
    return chart.resolve_scale(color="shared", opacity="independent") if _views(chart) else chart


def panel(ds: Dataset, name: str, letter: str):
    """One panel: the registry's chart without its ``config``, resized for print, titled with its letter."""
    chart = registry.make(name, ds).chart  # made afresh on each call: changing it changes nothing else
    chart.config = alt.Undefined  # Vega-Lite allows a config only at the top
    text = _title_text(chart.title) or " and ".join(
        t for t in map(_title_text, [v.title for v in _views(chart)]) if t
    )
    chart.title = alt.TitleParams(f"{letter}   {text}".rstrip(), anchor="start", fontWeight="bold")
    _resize(chart, PANEL_WIDTH, PANEL_HEIGHT)
    return _share_colour(chart)


def composite(ds: Dataset, figure: str) -> alt.TopLevelMixin:
    """Composite ``figure`` ("fig1" or "fig2"): two panels side by side, four as two rows of two."""
    panels = [panel(ds, name, "abcdefgh"[i]) for i, name in enumerate(PANELS[figure])]
    if len(panels) <= 2:
        chart = alt.hconcat(*panels)
    else:
        chart = alt.vconcat(
            *[_share_colour(alt.hconcat(*panels[i : i + 2])) for i in range(0, len(panels), 2)]
        )
    described = " ".join(f"{'abcdefgh'[i]}: {_title_text(p.description)}" for i, p in enumerate(panels))
    chart = _share_colour(chart).properties(description=f"{TITLES[figure]}. {described}")
    return chart.configure(**PRINT_CONFIG)


def figure1(ds: Dataset) -> alt.TopLevelMixin:
    """Figure 1: a, CAR T cell expansion (registry ``fig1a``); b, B cells (``fig1b``), side by side."""
    return composite(ds, "fig1")


def figure2(ds: Dataset) -> alt.TopLevelMixin:
    """Figure 2: a, SLEDAI-2K; b, proteinuria; c, anti-dsDNA; d, C3 and C4 (``fig2a`` … ``fig2d``)."""
    return composite(ds, "fig2")


FIGURES = {"fig1": figure1, "fig2": figure2}


# ------------------------------------------------------------------ files
def pdf_bytes(spec: dict) -> bytes:
    """A one-page PDF of ``spec``, the same bytes for the same spec (see the module docstring)."""
    import typst
    import vl_convert as vlc

    with tempfile.TemporaryDirectory(prefix="sle-fig-") as tmp:
        root = Path(tmp)
        (root / "figure.pdf").write_bytes(vlc.vegalite_to_pdf(spec))
        (root / "page.typ").write_text(
            '#set document(date: none)\n#set page(width: auto, height: auto, margin: 0pt)\n#image("figure.pdf")\n',
            encoding="utf-8",
        )
        return typst.compile(str(root / "page.typ"), root=str(root), ignore_system_fonts=True)


def export(ds: Dataset, downloads_dir: str | Path) -> list[Path]:
    """Write fig1/fig2 as SVG, PDF and 300-ppi PNG into ``downloads_dir``; return the paths written."""
    import vl_convert as vlc

    out = Path(downloads_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in FIGURES.items():
        spec = make(ds).to_dict()
        svg = vlc.vegalite_to_svg(spec)
        files = {
            "svg": svg.encode("utf-8"),
            "pdf": pdf_bytes(spec),
            "png": vlc.svg_to_png(svg, ppi=PNG_PPI),  # the SVG rasterised: no second layout
        }
        for ext, data in files.items():
            path = out / f"{name}.{ext}"
            path.write_bytes(data)
            written.append(path)
    return written

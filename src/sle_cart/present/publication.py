"""The abstract's composite figures, Figure 1 (panels a–b) and Figure 2 (a–d), sized for a journal.

Each panel is the registry's own figure (``fig1a`` … ``fig2d``), so the book's
chapters and the publication figures draw the same thing.  A panel keeps its
layers and its patient colours; it loses its ``config`` (Vega-Lite allows one
only at the top), gets its bold panel letter in its title and print type sizes.
The colour scale is resolved as shared, so one patient legend (below the panels)
serves every panel.  A panel whose data are absent is the registry's placeholder
(a chart that states the sentence), so the figure still composes.

Sizes are a journal's, at 1:1 (one unit of the drawing is one point): a composite
is as wide as a double column (7 in, 180 mm), its panels in rows (``ROWS``);
each panel also comes alone at a single column's width (3.5 in).  The views
are widened or narrowed after one measuring render so that the whole drawing,
axes and labels included, fills the column (Vega-Lite cannot fit a
concatenation itself).  No text is smaller than 6 pt, axis text 7 pt.

:func:`export` writes ``fig1.svg``, ``fig1.pdf``, ``fig1.png``, the same for
``fig2``, and ``<panel>-single.*`` for each panel, byte-identical for the same
dataset.  The PNG is the SVG rendered at 300 ppi.  vl-convert's PDF numbers its
font objects in a different order on each call, so the PDF written here is that
PDF placed on a page of its own size by typst, which writes the same bytes for
the same drawing (``#set document(date: none)``).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import altair as alt

from . import registry
from .print_style import (
    AXIS_ROOM,
    AXIS_TEXT,
    DOUBLE_COLUMN,
    LEGEND_LAYOUT,
    MIN_TEXT,
    MIN_VIEW,
    PANEL_HEIGHT,
    PANEL_TEXT,
    PNG_PPI,
    PRINT_CONFIG,
    SINGLE_COLUMN,
    SINGLE_LEGEND,
    STROKE,
    SYMBOL_AREA,
)

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

#: Composite figure -> its rows of panels (registry names), in panel-letter order.  Figure 1b is two
#: views (the days around infusion and the whole follow-up): beside Figure 1a each would get a quarter
#: of the column, so it has a row of its own, under 1a.  Figure 2's four panels are two rows of two.
ROWS: dict[str, tuple[tuple[str, ...], ...]] = {
    "fig1": (("fig1a",), ("fig1b",)),
    "fig2": (("fig2a", "fig2b"), ("fig2c", "fig2d")),
}
#: Composite figure -> its panels, in panel-letter order.
PANELS: dict[str, tuple[str, ...]] = {fig: sum(rows, ()) for fig, rows in ROWS.items()}
#: Titles of the composites (the paper's captions start with these).
TITLES = {
    "fig1": "Figure 1. CAR T cell expansion in blood and depletion of circulating B cells",
    "fig2": "Figure 2. Disease activity, proteinuria, anti-dsDNA and complement after CAR T cells",
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


def _leaves(chart) -> list:
    """Every view that has a size of its own (a single chart or a layer), in reading order."""
    views = _views(chart)
    return [leaf for v in views for leaf in _leaves(v)] if views else [chart]


def _marks(chart):
    """Every mark-bearing chart inside ``chart`` (through concatenations and layers)."""
    for view in _leaves(chart):
        yield from (
            [view] if not isinstance(view, alt.LayerChart) else [c for v in view.layer for c in _marks(v)]
        )


def _scale(mark, key: str, factor: float, least: float = 0) -> None:
    value = getattr(mark, key, alt.Undefined)
    if isinstance(value, int | float):
        setattr(mark, key, max(least, value * factor))


def _print_marks(chart) -> None:
    """Marks drawn for the screen at print size: text no larger than axis text and never below
    ``MIN_TEXT``, symbols and strokes in proportion to a panel a third of the screen's area."""
    for c in _marks(chart):
        mark = c.mark
        if not isinstance(mark, alt.MarkDef):
            continue  # a mark by name: the print config's defaults apply
        if mark.type == "text" and isinstance(mark.fontSize, int | float):
            mark.fontSize = max(MIN_TEXT, min(mark.fontSize, AXIS_TEXT))
        _scale(mark, "size", SYMBOL_AREA)
        _scale(mark, "strokeWidth", STROKE, least=0.5)
        if isinstance(mark.point, alt.OverlayMarkDef):
            _scale(mark.point, "size", SYMBOL_AREA)


def _resize(chart, width: float, height: float) -> None:
    """Give every view of ``chart`` its share of ``width`` × ``height`` (in place): a first guess."""
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


def spec(chart) -> dict:
    """The Vega-Lite spec of ``chart`` (a composite, a single panel or a row) as printed."""
    configured = chart if chart.config is not alt.Undefined else chart.configure(**PRINT_CONFIG)
    out = configured.to_dict(validate=False)  # built by this module from valid parts; checking costs seconds
    out["config"]["legend"]["layout"] = LEGEND_LAYOUT
    return out


def drawn_width(chart) -> float:
    """The width of ``chart`` as vl-convert draws it, axes, labels and legend included (pt at 1:1)."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(spec(chart))
    return float(re.search(r'<svg[^>]*?width="([\d.]+)"', svg).group(1))


def _fit(chart, width: float) -> None:
    """Widen or narrow the views of ``chart`` (a row of panels or one panel) so that it is ``width`` wide."""
    leaves, target = [v for v in _leaves(chart) if isinstance(v.width, int | float)], width
    drawn = drawn_width(chart)
    for _ in range(4):  # the room around the views (axes, labels, legends) shifts with them: measure again
        plotted = (max if isinstance(chart, alt.VConcatChart) else sum)(v.width for v in leaves)
        scale = max(target - (drawn - plotted), MIN_VIEW * len(leaves)) / plotted
        for v in leaves:
            v.width = int(v.width * scale)  # rounded down: never wider than the column
        drawn = drawn_width(chart)
        if -4 <= (over := drawn - width) <= 0:  # within a few points of the column
            return
        target -= over


def _share_colour(chart, lines: str = "independent"):
    """``chart`` with its colour scale resolved as shared, when it is a concatenation (one legend).

    The legend entries of reference lines and medians (opacity) stay each panel's own: merged,
    they would all be drawn with the first one's dash and width.  Within one panel (Figure 1b's
    two views of one threshold) ``lines="shared"`` gives that line one entry.
    """
    return chart.resolve_scale(color="shared", opacity=lines) if _views(chart) else chart


def panel(ds: Dataset, name: str, letter: str, width: float = SINGLE_COLUMN):
    """One panel: the registry's chart without its ``config``, in print type, titled with its bold
    letter, its views sized to share ``width`` (fitted only when it stands alone: see ``composite``)."""
    chart = registry.make(name, ds).chart  # made afresh on each call: changing it changes nothing else
    chart.config = alt.Undefined  # Vega-Lite allows a config only at the top
    text = _title_text(chart.title) or " and ".join(
        t for t in map(_title_text, [v.title for v in _views(chart)]) if t
    )
    chart.title = alt.TitleParams(
        f"{letter}   {text}".rstrip(), anchor="start", fontWeight="bold", fontSize=PANEL_TEXT
    )
    _print_marks(chart)
    _resize(chart, width - AXIS_ROOM, PANEL_HEIGHT)
    return _share_colour(chart, lines="shared")


def single(ds: Dataset, name: str) -> alt.TopLevelMixin:
    """Panel ``name`` alone, a single column wide, lettered as in its composite."""
    figure = next(f for f, names in PANELS.items() if name in names)
    chart = panel(ds, name, "abcdefgh"[PANELS[figure].index(name)])
    if isinstance(chart, alt.HConcatChart):  # views side by side do not fit one column: stack them
        stacked = alt.vconcat(*chart.hconcat, title=chart.title, description=chart.description)
        chart = _share_colour(
            stacked.resolve_scale(y=chart.resolve.scale.y if chart.resolve else alt.Undefined), "shared"
        )
    # a legend of 3 columns under its title: one of 8, or a title beside it, would be wider than the
    # column, and fitting would narrow the views to make room for it
    chart = chart.configure(**PRINT_CONFIG | {"legend": PRINT_CONFIG["legend"] | SINGLE_LEGEND})
    _fit(chart, SINGLE_COLUMN)
    return chart


def composite(ds: Dataset, figure: str) -> alt.TopLevelMixin:
    """Composite ``figure``: its rows of panels (``ROWS``), each row fitted to a double column."""
    letters = dict(zip(PANELS[figure], "abcdefgh"))
    rows = [
        [panel(ds, name, letters[name], DOUBLE_COLUMN / len(names)) for name in names]
        for names in ROWS[figure]
    ]
    panels = [p for row in rows for p in row]
    rows = [_share_colour(alt.hconcat(*row)) if len(row) > 1 else row[0] for row in rows]
    for row in rows:
        _fit(row, DOUBLE_COLUMN)
    if len(rows) > 1:  # stacking rows adds a few points of its own: take them from the rows
        over = drawn_width(_share_colour(alt.vconcat(*rows))) - DOUBLE_COLUMN
        for row in rows if over > 0 else ():
            _fit(row, DOUBLE_COLUMN - over)
    chart = rows[0] if len(rows) == 1 else _share_colour(alt.vconcat(*rows))
    described = " ".join(f"{'abcdefgh'[i]}: {_title_text(p.description)}" for i, p in enumerate(panels))
    chart = chart.properties(description=f"{TITLES[figure]}. {described}")
    return chart.configure(**PRINT_CONFIG)


def figure1(ds: Dataset) -> alt.TopLevelMixin:
    """Figure 1: a, CAR T cell expansion (registry ``fig1a``); under it b, B cells (``fig1b``)."""
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


def _write(spec: dict, out: Path, stem: str) -> list[Path]:
    """``stem``.svg, .pdf and .png (the SVG rasterised: no second layout) of ``spec`` in ``out``."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(spec)
    files = {"svg": svg.encode("utf-8"), "pdf": pdf_bytes(spec), "png": vlc.svg_to_png(svg, ppi=PNG_PPI)}
    written = []
    for ext, data in files.items():
        path = out / f"{stem}.{ext}"
        path.write_bytes(data)
        written.append(path)
    return written


def export(ds: Dataset, downloads_dir: str | Path) -> list[Path]:
    """Write each composite (double column) and each of its panels (``<panel>-single``, single
    column) as SVG, PDF and 300-ppi PNG into ``downloads_dir``; return the paths written."""
    out = Path(downloads_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in FIGURES.items():
        written += _write(spec(make(ds)), out, name)
        for panel_name in PANELS[name]:
            written += _write(spec(single(ds, panel_name)), out, f"{panel_name}-single")
    return written

"""The abstract's composite figures, Figure 1 (panels a–b) and Figure 2 (a–d), sized for a journal.

Each panel is the registry's own figure (``fig1a`` … ``fig2d``), so the chapters and
the publication figures draw the same thing.  A panel keeps its layers and patient
colours, loses its ``config`` (Vega-Lite allows one only at the top), and gets its
bold panel letter and print type sizes.  The colour scale is shared, so one patient
legend serves every panel.  A panel whose data are absent is the registry's
placeholder (a chart that states the sentence), so the figure still composes.

Sizes are a journal's, at 1:1 (one unit is one point): a composite is a double
column wide (7 in, 180 mm), its panels in rows (``ROWS``); each panel also comes
alone at a single column's width (3.5 in).  Views are widened or narrowed after a measuring
render so that the drawing, axes and labels included, fills the column (Vega-Lite
cannot fit a concatenation itself).  No text is under 6 pt, axis text 7 pt.

:func:`export` writes ``fig1``/``fig2`` and ``<panel>-single`` as SVG, PDF and PNG
(the SVG at 300 ppi), byte-identical for the same dataset.  vl-convert's PDF numbers
its fonts differently on each call, so the PDF is that PDF placed on a page of its
own size by typst, which writes the same bytes each time (``#set document(date: none)``).
"""

from __future__ import annotations

import copy
import functools
import json
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
    FIT_SLACK,
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
from .spec_tree import leaves as _leaves
from .spec_tree import marks as _marks
from .spec_tree import title_text as _title_text
from .spec_tree import views as _views

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
def _scale(mark: dict, key: str, factor: float, least: float = 0) -> None:
    value = mark.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        mark[key] = max(least, value * factor)


def _print_marks(chart: dict) -> None:
    """Marks drawn for the screen at print size: text no larger than axis text and never below
    ``MIN_TEXT``, symbols and strokes in proportion to a panel a third of the screen's area."""
    for c in _marks(chart):
        mark = c.get("mark")
        if not isinstance(mark, dict) or mark.get("type") in ("boxplot", "errorbar", "errorband"):
            continue  # a mark by name or a composite mark: the print config's defaults apply
        if mark.get("type") == "text" and isinstance(mark.get("fontSize"), int | float):
            mark["fontSize"] = max(MIN_TEXT, min(mark["fontSize"], AXIS_TEXT))
        _scale(mark, "size", SYMBOL_AREA)
        _scale(mark, "strokeWidth", STROKE, least=0.5)
        if isinstance(mark.get("point"), dict):
            _scale(mark["point"], "size", SYMBOL_AREA)


def _resize(chart: dict, width: float, height: float) -> None:
    """Give every view of ``chart`` its share of ``width`` × ``height`` (in place): a first guess."""
    views = _views(chart)
    if views:
        stacked = "vconcat" in chart
        n = len(views)
        w = width if stacked else (width - AXIS_ROOM * (n - 1)) / n
        h = (height - AXIS_ROOM * (n - 1)) / n if stacked else height
        for view in views:
            _resize(view, w, h)
        return
    chart["width"] = round(width)
    if not isinstance(chart.get("height"), int | float) or chart["height"] > 40:
        chart["height"] = round(height)  # a placeholder's text strip keeps its height


def spec(chart: dict) -> dict:
    """The Vega-Lite spec of ``chart`` (a composite, a single panel or a row) as printed."""
    config = copy.deepcopy(chart.get("config", PRINT_CONFIG))
    config["legend"] = {**config.get("legend", {}), "layout": LEGEND_LAYOUT}
    return {"$schema": alt.SCHEMA_URL, **chart, "config": config}


@functools.lru_cache(maxsize=4)
def _svg(text: str) -> str:
    # keyed by the spec's JSON: a figure's last measuring render is its SVG, so it is not drawn again
    import vl_convert as vlc

    return vlc.vegalite_to_svg(text)


def svg_of(spec: dict) -> str:
    """The SVG vl-convert draws for the Vega-Lite ``spec``."""
    return _svg(json.dumps(spec, sort_keys=True, ensure_ascii=False))


def drawn_width(chart: dict) -> float:
    """The width of ``chart`` as vl-convert draws it, axes, labels and legend included (pt at 1:1)."""
    return float(re.search(r'<svg[^>]*?width="([\d.]+)"', svg_of(spec(chart))).group(1))


def _fit(chart: dict, width: float, datasets: dict | None = None) -> None:
    """Widen or narrow the views of ``chart`` (a row of panels or one panel) so that it is ``width``
    wide; ``datasets`` are the figure's data when ``chart`` is a row that does not carry them."""
    leaves = [v for v in _leaves(chart) if isinstance(v.get("width"), int | float)]
    whole = {**chart, "datasets": datasets} if datasets else chart
    drawn, target = drawn_width(whole), width
    for attempt in range(5):  # the room around the views (axes, labels, legends) shifts with them
        over = drawn - width
        if -FIT_SLACK <= over <= 0 or attempt == 4:  # fills the column (each measuring render costs)
            return
        target -= over if attempt else 0
        plotted = (max if "vconcat" in chart else sum)(v["width"] for v in leaves)
        scale = max(target - (drawn - plotted), MIN_VIEW * len(leaves)) / plotted
        for v in leaves:
            v["width"] = int(v["width"] * scale)  # rounded down: never wider than the column
        drawn = drawn_width(whole)


def _share_colour(chart: dict, lines: str = "independent") -> dict:
    """``chart`` with its colour scale resolved as shared, when it is a concatenation (one legend).

    The legend entries of reference lines and medians (opacity) stay each panel's own: merged,
    they would all be drawn with the first one's dash and width.  Within one panel (Figure 1b's
    two views of one threshold) ``lines="shared"`` gives that line one entry.  The scale
    resolution replaces any other the chart had, as the screen figures' does.
    """
    if _views(chart):
        chart["resolve"] = {**chart.get("resolve", {}), "scale": {"color": "shared", "opacity": lines}}
    return chart


def _drawn(ds: Dataset, name: str, made: dict | None) -> dict:
    """The registry's figure ``name`` as a Vega-Lite dict of its own (``made`` keeps the first one
    drawn: each panel appears in a composite and alone, and drawing it costs more than copying)."""
    made = {} if made is None else made
    if name not in made:
        made[name] = registry.make(name, ds).spec
    return copy.deepcopy(made[name])


def panel(
    ds: Dataset, name: str, letter: str, width: float = SINGLE_COLUMN, made: dict | None = None
) -> dict:
    """One panel: the registry's chart without its ``config``, in print type, titled with its bold
    letter, its views sized to share ``width`` (fitted only when it stands alone: see ``composite``).
    It keeps its ``datasets``; ``composite`` gathers them at the top of the figure."""
    chart = _drawn(ds, name, made)
    for key in ("$schema", "config"):  # Vega-Lite allows a config only at the top
        chart.pop(key, None)
    text = _title_text(chart.get("title")) or " and ".join(
        t for t in (_title_text(v.get("title")) for v in _views(chart)) if t
    )
    chart["title"] = {
        "text": f"{letter}   {text}".rstrip(),
        "anchor": "start",
        "fontWeight": "bold",
        "fontSize": PANEL_TEXT,
    }
    _print_marks(chart)
    _resize(chart, width - AXIS_ROOM, PANEL_HEIGHT)
    return _share_colour(chart, lines="shared")


def single(ds: Dataset, name: str, made: dict | None = None) -> dict:
    """Panel ``name`` alone, a single column wide, lettered as in its composite."""
    figure = next(f for f, names in PANELS.items() if name in names)
    chart = panel(ds, name, "abcdefgh"[PANELS[figure].index(name)], made=made)
    if "hconcat" in chart:  # views side by side do not fit one column: stack them
        stacked = {k: v for k, v in chart.items() if k not in ("hconcat", "resolve")}
        chart = _share_colour({**stacked, "vconcat": chart["hconcat"]}, "shared")
    # a legend of 3 columns under its title: one of 8, or a title beside it, would be wider than the
    # column, and fitting would narrow the views to make room for it
    chart["config"] = PRINT_CONFIG | {"legend": PRINT_CONFIG["legend"] | SINGLE_LEGEND}
    _fit(chart, SINGLE_COLUMN)
    return chart


def composite(ds: Dataset, figure: str, made: dict | None = None) -> dict:
    """Composite ``figure``: its rows of panels (``ROWS``), each row fitted to a double column."""
    letters = dict(zip(PANELS[figure], "abcdefgh"))
    rows = [
        [panel(ds, n, letters[n], DOUBLE_COLUMN / len(names), made) for n in names] for names in ROWS[figure]
    ]
    panels = [p for row in rows for p in row]
    datasets = {key: data for p in panels for key, data in sorted(p.pop("datasets", {}).items())}
    rows = [_share_colour({"hconcat": row}) if len(row) > 1 else row[0] for row in rows]
    for row in rows:
        _fit(row, DOUBLE_COLUMN, datasets)
    described = " ".join(
        f"{letters[n]}: {_title_text(p.get('description'))}" for n, p in zip(letters, panels)
    )
    chart = rows[0] if len(rows) == 1 else _share_colour({"vconcat": rows})
    chart = chart | {
        "description": f"{TITLES[figure]}. {described}",
        "datasets": datasets,
        "config": PRINT_CONFIG,
    }
    if len(rows) > 1 and (over := drawn_width(chart) - DOUBLE_COLUMN) > 0:
        for row in rows:  # stacking rows adds a few points of its own: take them from the rows
            _fit(row, DOUBLE_COLUMN - over, datasets)
    return chart


def figure1(ds: Dataset) -> dict:
    """Figure 1: a, CAR T cell expansion (registry ``fig1a``); under it b, B cells (``fig1b``)."""
    return composite(ds, "fig1")


def figure2(ds: Dataset) -> dict:
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

    svg = svg_of(spec)
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
    written, made = [], {}
    for name in FIGURES:
        written += _write(spec(composite(ds, name, made)), out, name)
        for panel_name in PANELS[name]:
            written += _write(spec(single(ds, panel_name, made)), out, f"{panel_name}-single")
    return written

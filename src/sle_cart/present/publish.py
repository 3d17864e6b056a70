"""The one step that writes: an artefact's downloads into ``out_dir``.

Figures get ``downloads/<name>.svg`` and ``.png`` (drawn by vl-convert),
``.csv`` (the data plotted) and ``.vl.json`` (the Vega-Lite spec); tables get
``downloads/<name>.csv``.  Extra files an artefact carries (the ledger's
``claims.json``) are written at their path under ``out_dir``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from .charts import FIGURE_DOWNLOADS, Figure
from .table import Table

#: What a spreadsheet reads as the start of a formula (OWASP, CSV injection): such a text
#: cell is written with a leading "'", which spreadsheets show as text and do not evaluate.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A number written as text ('-2.5', '+1e3'): it starts like a formula but is kept as is.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _neutral(value: object) -> object:
    """``value``, with "'" before a text that a spreadsheet would evaluate as a formula.

    A carriage return inside a text becomes a line feed: the writer quotes a cell with a
    line feed (its line terminator) but not one with a bare CR, which readers take for
    the end of the row.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def safe_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, column names and index labels cannot start a formula.

    Only text is changed: numeric columns (negative numbers) are written as numbers.
    """
    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(_neutral)
    out.columns = [_neutral(c) for c in out.columns]
    if not pd.api.types.is_numeric_dtype(out.index):
        out.index = pd.Index([_neutral(i) for i in out.index], name=_neutral(out.index.name))
    return out


def _figure_files(fig: Figure, downloads: Path) -> None:
    import vl_convert as vlc

    spec = fig.spec
    svg = vlc.vegalite_to_svg(spec)  # the PNG is this drawing rasterised (the same bytes as from the spec)
    writers = {
        "vl.json": lambda p: p.write_text(
            json.dumps(spec, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        ),
        "svg": lambda p: p.write_text(svg, encoding="utf-8"),
        "png": lambda p: p.write_bytes(vlc.svg_to_png(svg, scale=2)),
        "csv": lambda p: safe_csv(fig.data).to_csv(p, index=False, lineterminator="\n"),
    }
    for ext, _label in FIGURE_DOWNLOADS:  # exactly the files the caption links to
        writers[ext](downloads / f"{fig.name}.{ext}")


def _table_files(table: Table, downloads: Path) -> None:
    data = safe_csv(table.csv_data)
    data.to_csv(downloads / f"{table.name}.csv", lineterminator="\n", index=data.index.name is not None)


def publish(artefact: Figure | Table, out_dir: str | Path) -> Figure | Table:
    """Write ``artefact``'s downloads (and extra files) under ``out_dir``; return it unchanged."""
    if not artefact.name:
        raise ValueError(f"{artefact!r} has no name: make it through sle_cart.present.registry")
    out = Path(out_dir)
    downloads = out / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    if isinstance(artefact, Figure):
        _figure_files(artefact, downloads)
    else:
        _table_files(artefact, downloads)
        for rel, text in artefact.files.items():
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return artefact

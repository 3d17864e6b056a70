"""The one step that writes: an artefact's downloads into ``out_dir``.

Figures get ``downloads/<name>.svg`` and ``.png`` (drawn by vl-convert),
``.csv`` (the data plotted) and ``.vl.json`` (the Vega-Lite spec); tables get
``downloads/<name>.csv``.  Extra files an artefact carries (the ledger's
``claims.json``) are written at their path under ``out_dir``.
"""

from __future__ import annotations

import json
from pathlib import Path

from .charts import FIGURE_DOWNLOADS, Figure
from .table import Table


def _figure_files(fig: Figure, downloads: Path) -> None:
    import vl_convert as vlc

    spec = fig.chart.to_dict()
    writers = {
        "vl.json": lambda p: p.write_text(
            json.dumps(spec, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        ),
        "svg": lambda p: p.write_text(vlc.vegalite_to_svg(spec), encoding="utf-8"),
        "png": lambda p: p.write_bytes(vlc.vegalite_to_png(spec, scale=2)),
        "csv": lambda p: fig.data.to_csv(p, index=False, lineterminator="\n"),
    }
    for ext, _label in FIGURE_DOWNLOADS:  # exactly the files the caption links to
        writers[ext](downloads / f"{fig.name}.{ext}")


def _table_files(table: Table, downloads: Path) -> None:
    data = table.csv_data
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

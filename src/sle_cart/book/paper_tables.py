"""Registry tables as the paper's table blocks: text cells, alignment, widths and footnotes."""

from __future__ import annotations

import re

from sle_cart.present.table import ROUNDING_NOTE

_NUMERIC = re.compile(r"^[<−\-–]?[\d.–]")
#: Type size of the tables and their notes (pt): the appendix too is read, so none is smaller.
TABLE_SIZE = 8
#: A column's share of a table's width follows its longest cell, within these many characters.
WIDTH_CHARS = (4, 30)


def _cells(values) -> list[str]:
    return ["" if v is None else str(v) for v in values]


def _align(header: list[str], rows: list[list[str]]) -> list[str]:
    """Left for the row labels; right for a column whose filled cells are mostly numbers."""
    align = ["left"]
    for i in range(1, len(header)):
        filled = [r[i] for r in rows if r[i] not in ("", "–")]
        numeric = sum(bool(_NUMERIC.match(c)) for c in filled)
        align.append("right" if filled and 2 * numeric >= len(filled) else "left")
    return align


def table_block(table, columns: dict[str, float] | None = None, size: float = TABLE_SIZE) -> dict:
    """A registry table as a template block: header, text cells, alignment, widths and footnotes."""
    frame = table.frame if columns is None else table.frame[[c for c in columns if c in table.frame]]
    header = _cells([frame.index.name or "", *frame.columns])
    rows = [_cells([idx, *row]) for idx, row in zip(frame.index, frame.itertuples(index=False))]
    block = {
        "kind": "table",
        "title": table.title,
        "header": header,
        "rows": rows,
        "align": _align(header, rows),
        "footnotes": _cells([*table.footnotes, ROUNDING_NOTE]),
        "size": size,
    }
    block["widths"] = [4.0] + [columns[c] for c in frame.columns] if columns else _widths(header, rows)
    return block


def _widths(header: list[str], rows: list[list[str]]) -> list[float]:
    """Relative column widths from the longest cell (a header by its longest word, since it wraps)."""
    longest = [
        max([max(map(len, h.split()), default=0), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)
    ]
    return [float(min(max(n, WIDTH_CHARS[0]), WIDTH_CHARS[1])) for n in longest]

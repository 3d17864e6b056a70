"""Bounds on a workbook, checked from its zip directory and sheet XML before it is loaded.

Reading a sheet pads every row to the sheet's widest extent, so one cell at
XFD1048576 in a 10 KB file asks for 17 billion cells.  The declared dimension
(``<dimension ref=...>``) and the cell references actually written are read
as a stream, with the uncompressed size known up front from the zip directory,
so the check itself costs at most one pass over bounded data.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from .errors import Violation

#: Largest sheet read: Excel's own row limit, and more columns than any cohort table needs.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 200
#: Largest area (rows × columns) of one sheet: 100,000 rows × 200 columns, about 2 GB once read.
MAX_CELLS = 20_000_000
#: Largest workbook once uncompressed (all parts): a 100,000-row cohort is under 50 MB.
MAX_UNCOMPRESSED = 200 * 1024 * 1024

_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*\bref=\"([^\"]*)\"")
#: A cell or row reference: <c r="XFD1048576" ...> or <row r="1048576" ...>.
_REF = re.compile(rb"<(?:\w+:)?(?:c|row)\b[^>]*?\br=\"([A-Z]{0,3})(\d{1,9})\"")
_CHUNK = 1 << 20


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _extent(ref: bytes) -> tuple[int, int]:
    """(rows, columns) spanned from A1 to the range's last cell ('A1:XFD1048576' -> 1048576, 16384)."""
    m = re.fullmatch(rb"\$?([A-Z]{1,3})\$?(\d{1,9})", ref.split(b":")[-1].strip())
    return (int(m.group(2)), _column_number(m.group(1))) if m else (0, 0)


def _sheet_extent(zf: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """The largest (rows, columns) a sheet declares or writes a cell at, read as a stream."""
    rows = cols = 0
    tail = b""
    with zf.open(part) as f:
        while chunk := f.read(_CHUNK):
            text = tail + chunk
            for m in _DIMENSION.finditer(text):
                r, c = _extent(m.group(1))
                rows, cols = max(rows, r), max(cols, c)
            for m in _REF.finditer(text):
                rows = max(rows, int(m.group(2)))
                cols = max(cols, _column_number(m.group(1)))
            tail = text[-256:]  # a tag cut by the chunk boundary is matched with the next chunk
    return rows, cols


def _attributes(tag: bytes) -> dict[bytes, str]:
    """The attributes of one XML tag, unescaped ('r:id' keeps its prefix)."""
    return {
        k: html.unescape(v.decode("utf-8", "replace")) for k, v in re.findall(rb'([\w:]+)="([^"]*)"', tag)
    }


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet part ('xl/worksheets/sheet1.xml') -> the sheet's name, as far as the workbook says."""
    try:
        book, rels = zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {}
    for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        a = _attributes(tag)
        target = a.get(b"Target", "")
        targets[a.get(b"Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    names = {}
    for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", book):
        a = _attributes(tag)
        rid = next((v for k, v in a.items() if k.endswith(b":id")), None)
        if rid in targets:
            names[targets[rid]] = a.get(b"name", "")
    return names


def _limit_broken(rows: int, cols: int) -> str | None:
    if rows > MAX_ROWS:
        return f"{rows:,} rows (at most {MAX_ROWS:,})"
    if cols > MAX_COLUMNS:
        return f"{cols:,} columns (at most {MAX_COLUMNS:,})"
    if rows * cols > MAX_CELLS:
        return f"{rows:,} rows × {cols:,} columns (at most {MAX_CELLS:,} cells)"
    return None


def check_bounds(xlsx: Path) -> Violation | None:
    """A problem when the workbook is too large to read safely, else None (unreadable zips are
    left to the reader, which names them)."""
    name = xlsx.name
    try:
        with zipfile.ZipFile(xlsx) as zf:
            infos = zf.infolist()
            size = sum(i.file_size for i in infos)
            if size > MAX_UNCOMPRESSED:
                rule = (
                    f"is too large to read: {size / 2**20:,.0f} MB once uncompressed "
                    f"(at most {MAX_UNCOMPRESSED // 2**20} MB); save the tables as CSV files"
                )
                return Violation(name, None, None, None, rule, code="workbook-too-large")
            names = _sheet_names(zf)
            for info in infos:
                if not _SHEET_PART.match(info.filename):
                    continue
                broken = _limit_broken(*_sheet_extent(zf, info.filename))
                if broken:
                    sheet = f"sheet {names[info.filename]!r}" if info.filename in names else info.filename
                    rule = (
                        f"is too large to read: {sheet} reaches {broken}; delete the empty rows and "
                        "columns past the data (or save the tables as CSV files)"
                    )
                    return Violation(name, None, None, None, rule, code="workbook-too-large")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None
    return None

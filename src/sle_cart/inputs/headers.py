"""From records to a text table: find the header, match column names, skip empty rows.

Column names are matched to the contract ignoring case, surrounding spaces, and
spaces or '-' in place of '_' ('Patient_ID', 'Day ', 'onset-day').  Each data
row keeps the row number a spreadsheet shows (the header is row 1; blank and
comment rows count), so messages can point at it.
"""

from __future__ import annotations

import itertools
import re

import pandas as pd

from . import contract
from .errors import Violation, listing
from .textfiles import Records


def name_key(name: str) -> str:
    """A column or sheet name as matched: 'Patient ID ', 'patient-id', 'PATIENT_ID' -> 'patient_id'."""
    return re.sub(r"[\s_-]+", "_", str(name).strip().lstrip("\ufeff").lower()).strip("_")


def read_as(kind: str, pairs: list[tuple[str, str]]) -> str:
    """ "column 'A' read as 'a'" or "columns 'A' read as 'a', 'B' as 'b'"."""
    first, *rest = pairs
    more = "".join(f", {a!r} as {b!r}" for a, b in rest)
    return f"{kind}{'s' if rest else ''} {first[0]!r} read as {first[1]!r}{more}"


def _kind(cells: list[str]) -> str:
    first = cells[0].strip() if cells else ""
    if first and first[0] not in "#\ufeff":
        return "data"  # the common case, decided without looking at every cell
    cells = [c.strip().lstrip("\ufeff") for c in cells]
    if not any(cells):
        return "blank"
    return "comment" if cells[0].startswith("#") else "data"


def _columns(header, header_row, table, label, errors, notes) -> tuple[list[int], list[str]]:
    """Which header cells to keep and the name each is read as; notes what was renamed or ignored."""
    known = [c.name for c in contract.TABLES[table].columns]
    keep, names, seen, renamed, extra = [], [], {}, [], []
    for i, written in enumerate(header):
        written = written.lstrip("\ufeff")
        if not written.strip():
            continue  # an unnamed (usually empty) trailing column of a spreadsheet export
        key = name_key(written)
        name = key if key in known else written.strip()
        if name in seen:
            rule = (
                "column name appears more than once; keep one of them"
                if seen[name] == written
                else f"columns {seen[name]!r} and {written!r} are both read as {name!r} "
                "(column names are matched ignoring case, spaces and '-'); keep one of them"
            )
            errors.append(Violation(label, header_row, written, None, rule, code="duplicate-column"))
            continue
        seen[name] = written
        keep.append(i)
        names.append(name)
        if name not in known:
            extra.append(name)
        elif name != written:
            renamed.append((written, name))
    if renamed:
        notes.append(f"{label}: {read_as('column', renamed)}")
    if extra:
        listed = listing(extra)  # a few names and a count: a sheet may have thousands of extra columns
        notes.append(f"{label}: extra column{'s' if len(extra) > 1 else ''} {listed} ignored")
    return keep, names


def _split_hint(cells: list[str], delimiter: str | None) -> str:
    """A hint when a row of a comma-separated file may hold a number with a decimal comma."""
    if delimiter != ",":
        return ""
    pairs = itertools.pairwise(cells)
    if any(re.fullmatch(r"<?\s*[-+]?\d+", a) and re.fullmatch(r"\d+", b) for a, b in pairs):
        return (
            "; if a number was written with a decimal comma (e.g. 1,5), write it with '.' (1.5): "
            "in a comma-separated file ',' separates the columns"
        )
    return ""


def frame(
    records: Records,
    label: str,
    table: str,
    errors: list[Violation],
    notes: list[str],
    delimiter: str | None = None,
) -> tuple[pd.DataFrame, int] | None:
    """A text frame whose index is the spreadsheet row number of each data row, and the header row.

    Blank rows and comment rows (first cell starting with '#') are skipped, before
    and after the header; the header is the first other row.  Empty rows are noted.
    """
    rest = iter(records)
    header_row, header, blank = None, None, 0
    for row, cells in rest:
        kind = _kind(cells)
        blank += kind == "blank"
        if kind == "data":
            header_row, header = row, cells
            break
    if header is None:
        errors.append(Violation(label, None, None, None, "file is empty (no header row)"))
        return None
    width = len(header)
    own: list[str] = []
    keep, names = _columns(header, header_row, table, label, errors, own)
    data, index = [], []
    for row, cells in rest:
        kind = _kind(cells)
        blank += kind == "blank"
        if kind != "data":
            continue
        cells = [c.strip() for c in cells]
        extra = [c for c in cells[width:] if c]
        if extra:
            rule = f"row has {len(cells)} cells but the header has {width} columns"
            errors.append(Violation(label, row, None, ", ".join(extra), rule + _split_hint(cells, delimiter)))
        cells += [""] * (width - len(cells))
        data.append([cells[i] for i in keep])
        index.append(row)
    if blank:
        own.append(f"{label}: {blank} empty row{'s' if blank != 1 else ''} skipped")
    notes.extend(own)
    if not data:
        df = pd.DataFrame({n: pd.Series([], dtype=str) for n in names}, index=pd.Index([], dtype="int64"))
    else:
        df = pd.DataFrame(data, columns=names, index=pd.Index(index, dtype="int64"), dtype=str)
    return df, header_row

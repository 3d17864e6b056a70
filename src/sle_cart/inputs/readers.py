"""Read the three tables as text, from CSV files or from one ``data.xlsx`` workbook.

Every cell stays text here; each data row keeps the row number a spreadsheet
shows (the header is row 1, blank and comment rows count), so messages can
point at it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import Violation

TABLE_NAMES = ("patients", "measurements", "adverse_events")


#: A record: (spreadsheet row number, cells as text).
Records = list[tuple[int, list[str]]]


def _csv_records(p: Path, errors: list[Violation]) -> Records | None:
    """The records of a CSV file, numbered as a spreadsheet shows them (blank lines count)."""
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.append(
            Violation(
                p.name,
                None,
                None,
                None,
                f"cannot be read as UTF-8 text (byte {exc.start}); save it as CSV UTF-8",
            )
        )
        return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), skipinitialspace=True))
    except csv.Error as exc:
        errors.append(Violation(p.name, None, None, None, f"cannot be read as CSV ({exc})"))
        return None
    return [(i, cells) for i, cells in enumerate(rows, start=1)]


def _xlsx_records(xlsx: Path, errors: list[Violation]) -> dict[str, Records] | None:
    try:
        sheets = pd.read_excel(xlsx, sheet_name=None, header=None, dtype=str, keep_default_na=False)
    except Exception as exc:  # openpyxl raises many types for corrupt workbooks
        errors.append(Violation(xlsx.name, None, None, None, f"cannot be read as an Excel workbook ({exc})"))
        return None
    out = {}
    for name, df in sheets.items():
        df = df.fillna("").astype(str)
        out[str(name)] = [(i + 1, list(r)) for i, r in enumerate(df.itertuples(index=False, name=None))]
    return out


def _frame(records: Records, label: str, errors: list[Violation]) -> tuple[pd.DataFrame, int] | None:
    """Build a text frame whose index is the spreadsheet row number of each data row.

    Blank rows and comment rows (first cell starting with '#') are skipped, before
    and after the header; the header is the first other row.
    """

    def skip(cells):
        cells = [c.strip().lstrip("\ufeff") for c in cells]
        return not any(cells) or cells[0].startswith("#")

    rest = iter(records)
    header_row, header = None, None
    for row, cells in rest:
        if not skip(cells):
            header_row, header = row, [c.strip().lstrip("\ufeff") for c in cells]
            break
    if header is None:
        errors.append(Violation(label, None, None, None, "file is empty (no header row)"))
        return None
    for sep in ";\t":
        if any(sep in h for h in header):
            errors.append(
                Violation(
                    label,
                    header_row,
                    None,
                    ",".join(header),
                    f"columns must be separated by commas, not {sep!r}",
                )
            )
            return None
    keep, names = [], []
    for i, name in enumerate(header):
        if not name:
            continue  # an unnamed (usually empty) trailing column of a spreadsheet export
        if name in names:
            errors.append(
                Violation(
                    label, header_row, name, None, "column name appears more than once; keep one of them"
                )
            )
            continue
        keep.append(i)
        names.append(name)
    data, index = [], []
    for row, cells in rest:
        if skip(cells):
            continue
        cells = [c.strip() for c in cells]
        extra = [c for c in cells[len(header) :] if c]
        if extra:
            errors.append(
                Violation(
                    label,
                    row,
                    None,
                    ", ".join(extra),
                    f"row has {len(cells)} cells but the header has {len(header)} columns",
                )
            )
        cells += [""] * (len(header) - len(cells))
        data.append([cells[i] for i in keep])
        index.append(row)
    df = pd.DataFrame(data, columns=names, index=pd.Index(index, dtype="int64"), dtype=str)
    if not data:
        df = pd.DataFrame({n: pd.Series([], dtype=str) for n in names}, index=pd.Index([], dtype="int64"))
    return df, header_row


@dataclass
class RawTables:
    """The tables as text: frames indexed by spreadsheet row, how to name each in messages."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    header_rows: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    def add(self, table: str, parsed: tuple[pd.DataFrame, int] | None) -> None:
        if parsed is not None:
            self.frames[table], self.header_rows[table] = parsed

    def has_rows(self) -> bool:
        return any(len(df) for df in self.frames.values())


def _read_csvs(path: Path, errors: list[Violation]) -> RawTables:
    raw = RawTables()
    for t in TABLE_NAMES:
        p = path / f"{t}.csv"
        raw.labels[t] = p.name
        if not p.exists():
            errors.append(
                Violation(p.name, None, None, None, "required file is missing", code="missing-file")
            )
            continue
        raw.files.append(p)
        records = _csv_records(p, errors)
        if records is not None:
            raw.add(t, _frame(records, p.name, errors))
    return raw


def _read_xlsx(xlsx: Path, errors: list[Violation]) -> RawTables:
    raw = RawTables(labels={t: f"data.xlsx, sheet '{t}'" for t in TABLE_NAMES}, files=[xlsx])
    sheets = _xlsx_records(xlsx, errors)
    if sheets is None:
        return raw
    for t in TABLE_NAMES:
        if t not in sheets:
            found = ", ".join(repr(s) for s in sheets) or "none"
            near = [s for s in sheets if s.strip().lower() == t]
            hint = f"; rename sheet {near[0]!r} to '{t}'" if near else ""
            errors.append(
                Violation(
                    "data.xlsx", None, None, None, f"required sheet '{t}' is missing (found: {found}){hint}"
                )
            )
            continue
        raw.add(t, _frame(sheets[t], raw.labels[t], errors))
    return raw


def read_tables(path: Path, errors: list[Violation]) -> RawTables:
    """Read the three tables as text from the CSVs or from data.xlsx.

    When both are present (as in the template), the one that holds data rows is
    used; data in both is an error, since it is unclear which one is meant.
    Returns the frames (index = spreadsheet row), their display names and the files read.
    """
    xlsx = path / "data.xlsx"
    have_csv = any((path / f"{t}.csv").exists() for t in TABLE_NAMES)
    if not xlsx.exists():
        return _read_csvs(path, errors)
    if not have_csv:
        return _read_xlsx(xlsx, errors)
    csv_errors, xlsx_errors = [], []
    from_csv, from_xlsx = _read_csvs(path, csv_errors), _read_xlsx(xlsx, xlsx_errors)
    csv_data, xlsx_data = from_csv.has_rows(), from_xlsx.has_rows()
    if csv_data and xlsx_data:
        errors.append(
            Violation(
                "data.xlsx",
                None,
                None,
                None,
                "both data.xlsx and the CSV files contain data rows; keep one of them "
                "(remove data.xlsx or the CSV files)",
            )
        )
    if xlsx_data and not csv_data:
        errors.extend(xlsx_errors)
        return from_xlsx
    errors.extend(csv_errors)
    return from_csv

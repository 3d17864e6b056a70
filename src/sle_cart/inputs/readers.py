"""Read the three tables as text, from CSV files or from one ``data.xlsx`` workbook.

Every cell stays text here.  The steps: ``textfiles`` (encoding and column
separator), ``headers`` (header row, column names, empty rows), ``decimals``
(decimal commas).  Sheets of the workbook are matched to the tables ignoring
case; other sheets are ignored.  Whatever was read other than as the contract
writes it is said in one note per file and kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .decimals import read_decimal_marks
from .errors import Violation, listing
from .headers import frame, name_key, read_as
from .suggest import did_you_mean
from .textfiles import DELIMITERS, Records, csv_records
from .workbook import check_bounds

TABLE_NAMES = ("patients", "measurements", "adverse_events")

__all__ = ["TABLE_NAMES", "RawTables", "Records", "read_tables"]


@dataclass
class RawTables:
    """The tables as text, indexed by spreadsheet row: ``frames`` as read (decimal commas
    turned into points), ``written`` as written in the file (for messages), how to name
    each table in messages, its header row, the files read and the notes on reading them."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    written: dict[str, pd.DataFrame] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    header_rows: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, table: str, parsed: tuple[pd.DataFrame, int] | None) -> None:
        if parsed is not None:
            self.frames[table], self.header_rows[table] = parsed
            self.written[table] = self.frames[table]

    def has_rows(self) -> bool:
        return any(len(df) for df in self.frames.values())


def _read_csv(raw: RawTables, table: str, p: Path, errors: list[Violation]) -> None:
    """One table from a delimited text file; its notes in reading order."""
    notes: list[str] = []
    read = csv_records(p, errors, notes)
    if read is None:
        raw.notes += notes
        return
    records, delimiter = read
    later: list[str] = []
    raw.add(table, frame(records, p.name, table, errors, later, delimiter))
    if table in raw.frames:
        raw.frames[table], decimal_commas = read_decimal_marks(
            raw.written[table], table, p.name, delimiter, errors
        )
        if delimiter != ",":
            commas = " with decimal commas" if decimal_commas else ""
            notes.append(f"{p.name}: columns separated by {DELIMITERS[delimiter]}{commas}")
    raw.notes += notes + later


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
        _read_csv(raw, t, p, errors)
    return raw


def _match_sheets(names: list[str], errors: list[Violation], notes: list[str]) -> dict[str, str]:
    """Table -> sheet, matched ignoring case, spaces and '-'; two candidates for one table are an error."""
    matched, renamed = {}, []
    for t in TABLE_NAMES:
        found = [s for s in names if name_key(s) == t]
        if len(found) > 1:
            listed = ", ".join(repr(s) for s in found[:-1]) + f" and {found[-1]!r}"
            rule = (
                f"sheets {listed} both match '{t}' (sheet names are matched ignoring case, spaces and '-'); "
                "keep one of them (rename or delete the other)"
            )
            errors.append(Violation("data.xlsx", None, None, None, rule, code="ambiguous-sheet"))
        elif found:
            matched[t] = found[0]
            if found[0] != t:
                renamed.append((found[0], t))
        else:
            unmatched = [s for s in names if name_key(s) not in TABLE_NAMES]
            rule = (
                f"required sheet '{t}' is missing (found: {', '.join(repr(s) for s in names) or 'none'})"
                f"{did_you_mean(t, unmatched)}"
            )
            errors.append(Violation("data.xlsx", None, None, None, rule, code="missing-sheet"))
    ignored = [s for s in names if name_key(s) not in TABLE_NAMES]
    said = [read_as("sheet", renamed)] if renamed else []
    if ignored:
        said.append(f"sheet{'s' if len(ignored) > 1 else ''} {listing(ignored)} ignored")
    if said:
        notes.append("data.xlsx: " + "; ".join(said))
    return matched


def _sheet_records(xl: pd.ExcelFile, sheet: str) -> Records:
    df = pd.read_excel(xl, sheet_name=sheet, header=None, dtype=str, keep_default_na=False)
    df = df.fillna("").astype(str)
    return [(i + 1, list(r)) for i, r in enumerate(df.itertuples(index=False, name=None))]


def _read_xlsx(xlsx: Path, errors: list[Violation]) -> RawTables:
    raw = RawTables(labels={t: f"data.xlsx, sheet '{t}'" for t in TABLE_NAMES}, files=[xlsx])
    too_large = check_bounds(xlsx)  # before loading: reading pads every row to the sheet's extent
    if too_large is not None:
        errors.append(too_large)
        return raw
    try:
        with pd.ExcelFile(xlsx) as xl:
            matched = _match_sheets([str(s) for s in xl.sheet_names], errors, raw.notes)
            sheets = {t: _sheet_records(xl, s) for t, s in matched.items()}
    except Exception as exc:  # openpyxl raises many types for corrupt workbooks
        errors.append(Violation(xlsx.name, None, None, None, f"cannot be read as an Excel workbook ({exc})"))
        return raw
    for t, records in sheets.items():
        raw.labels[t] = f"data.xlsx, sheet '{matched[t]}'"
        raw.add(t, frame(records, raw.labels[t], t, errors, raw.notes))
    return raw


def read_tables(path: Path, errors: list[Violation], notes: list[str]) -> RawTables:
    """Read the three tables as text from the CSVs or from data.xlsx.

    When both are present (as in the template), the one that holds data rows is
    used; data in both is an error, since it is unclear which one is meant.
    Returns the frames (index = spreadsheet row), their display names and the
    files read; the notes on reading the tables used are added to ``notes``.
    """
    xlsx = path / "data.xlsx"
    have_csv = any((path / f"{t}.csv").exists() for t in TABLE_NAMES)
    if not xlsx.exists() or not have_csv:
        raw = _read_xlsx(xlsx, errors) if xlsx.exists() else _read_csvs(path, errors)
        notes += raw.notes
        return raw
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
    chosen, chosen_errors = (from_xlsx, xlsx_errors) if xlsx_data and not csv_data else (from_csv, csv_errors)
    errors.extend(chosen_errors)
    notes += chosen.notes
    return chosen

"""Load a dataset folder, normalise what real exports contain, and validate it.

Every problem found is collected as a :class:`Violation` naming the file (and
sheet), the spreadsheet row, the column, the value and the rule, and all of
them are raised at once in one :class:`DataError`.  Input files are only read.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import math
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sle_cart.paths import dataset_cache

from .definitions import ANALYTES, UNIT_ALIASES, Definitions, resolve

TABLE_NAMES = ("patients", "measurements", "adverse_events")
NAME_RE = re.compile(r"^[a-z0-9-]+$")
TRUE = {"true", "yes", "y", "1", "t"}
FALSE = {"false", "no", "n", "0", "f"}
#: Column names that look like direct identifiers (privacy guard); matched against the
#: name in snake_case ('DateOfBirth' and 'date of birth' both become 'date_of_birth').
IDENTIFIER_RE = re.compile(
    r"(^|_)(name|names|first_?name|last_?name|given_?name|family_?name|surname|initials|"
    r"mrn|medical_record|record_number|hospital_(?:number|no|id)|nhs|insurance|"
    r"passport|national_id|id_number|ssn|social_security|phone|telephone|mobile|fax|"
    r"email|e_mail|address|street|postcode|post_code|zip|zip_code|ip_address|"
    r"dob|birth|birthdate|birthday|date|dates|datetime|timestamp)($|_)",
    re.I,
)
#: A calendar date written in a cell (ISO, or day/month/year with '.', '/' or '-').
DATE_RE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")
#: Top-level keys of dataset.yml and of one reference range.
META_KEYS = ("name", "title", "provenance", "source", "reference_ranges", "definitions")
RANGE_KEYS = ("lower", "upper", "unit")
#: Analytes that the published claims need a baseline for.
BASELINE_NEEDED = ("sledai_2k", "urine_protein_24h", "anti_dsdna", "cd19_b")


@dataclass(frozen=True)
class Violation:
    file: str
    row: int | None
    column: str | None
    value: object
    rule: str
    severity: str = "error"

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            kind = "key" if self.file.endswith((".yml", ".yaml")) else "column"
            where.append(f"{kind} '{self.column}'")
        val = "" if self.value is None else f" value {str(self.value)!r}:"
        return f"{', '.join(where)}:{val} {self.rule}"


class DataError(Exception):
    """The dataset breaks the contract; ``violations`` lists every problem."""

    def __init__(self, path, violations: list[Violation]):
        self.path = Path(path)
        self.violations = violations
        n = len(violations)
        lines = [f"{self.path}: {n} problem{'s' if n != 1 else ''} found; nothing was built."]
        lines += [f"  - {v}" for v in violations]
        super().__init__("\n".join(lines))


@dataclass
class Dataset:
    path: Path
    meta: dict
    patients: pd.DataFrame
    measurements: pd.DataFrame
    adverse_events: pd.DataFrame
    definitions: Definitions
    files: list[Path]
    notes: list[str] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.meta["name"]

    @property
    def reconstructed(self) -> bool:
        return self.meta.get("provenance") == "reconstructed"

    def sha256(self) -> str:
        """One digest over the dataset files (names and bytes), order-independent."""
        h = hashlib.sha256()
        for f in sorted(self.files, key=lambda p: p.name):
            h.update(f.name.encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
        return h.hexdigest()

    def reference_range(self, analyte: str) -> tuple[float | None, float | None]:
        rr = (self.meta.get("reference_ranges") or {}).get(analyte) or {}
        return rr.get("lower"), rr.get("upper")

    def series(self, analyte: str) -> pd.DataFrame:
        """Rows of one analyte, sorted by patient and day (columns as measurements)."""
        m = self.measurements
        return m[m["analyte"] == analyte].sort_values(["patient_id", "day"]).reset_index(drop=True)


# ---------------------------------------------------------------- reading
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


def _frame(records: Records, label: str, errors: list[Violation]) -> pd.DataFrame | None:
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
    df.attrs["header_row"] = header_row
    return df


def _has_rows(frames: dict[str, pd.DataFrame]) -> bool:
    return any(len(df) for df in frames.values())


def _read_csvs(path: Path, errors: list[Violation]):
    frames, labels, files = {}, {}, []
    for t in TABLE_NAMES:
        p = path / f"{t}.csv"
        labels[t] = p.name
        if not p.exists():
            errors.append(Violation(p.name, None, None, None, "required file is missing"))
            continue
        files.append(p)
        records = _csv_records(p, errors)
        if records is not None:
            df = _frame(records, p.name, errors)
            if df is not None:
                frames[t] = df
    return frames, labels, files


def _read_xlsx(xlsx: Path, errors: list[Violation]):
    frames, labels = {}, {t: f"data.xlsx, sheet '{t}'" for t in TABLE_NAMES}
    sheets = _xlsx_records(xlsx, errors)
    if sheets is None:
        return frames, labels, [xlsx]
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
        df = _frame(sheets[t], labels[t], errors)
        if df is not None:
            frames[t] = df
    return frames, labels, [xlsx]


def _read_tables(
    path: Path, errors: list[Violation]
) -> tuple[dict[str, pd.DataFrame], dict[str, str], list[Path]]:
    """Read the three tables as text from the CSVs or from data.xlsx.

    When both are present (as in the template), the one that holds data rows is
    used; data in both is an error, since it is unclear which one is meant.
    Returns frames (index = spreadsheet row), display names and the files read.
    """
    xlsx = path / "data.xlsx"
    have_csv = any((path / f"{t}.csv").exists() for t in TABLE_NAMES)
    if not xlsx.exists():
        return _read_csvs(path, errors)
    if not have_csv:
        return _read_xlsx(xlsx, errors)
    csv_errors, xlsx_errors = [], []
    from_csv, from_xlsx = _read_csvs(path, csv_errors), _read_xlsx(xlsx, xlsx_errors)
    csv_data, xlsx_data = _has_rows(from_csv[0]), _has_rows(from_xlsx[0])
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


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_whole(v) -> bool:
    return _is_number(v) and float(v).is_integer()


def _close(word: str, choices, cutoff: float = 0.6) -> str:
    near = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=cutoff)
    return f"; did you mean '{near[0]}'?" if near else ""


def _read_meta(path: Path, errors: list[Violation], warnings: list[Violation], notes: list[str]) -> dict:
    p = path / "dataset.yml"
    f = "dataset.yml"
    if not p.exists():
        errors.append(Violation(f, None, None, None, "required file is missing"))
        return {}
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.append(Violation(f, None, None, None, f"cannot be read as UTF-8 text (byte {exc.start})"))
        return {}
    try:
        meta = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        errors.append(Violation(f, None, None, None, f"is not valid YAML ({where}{problem})"))
        return {}
    if not isinstance(meta, dict):
        errors.append(Violation(f, None, None, None, "must be a mapping of keys to values"))
        return {}
    for key in meta:
        if key not in META_KEYS:
            warnings.append(
                Violation(
                    f,
                    None,
                    str(key),
                    None,
                    f"unknown key is ignored{_close(key, META_KEYS)} (known keys: {', '.join(META_KEYS)})",
                    "warning",
                )
            )
    for key in ("name", "title", "provenance"):
        if meta.get(key) in (None, ""):
            errors.append(Violation(f, None, key, None, "required key is missing"))
    if meta.get("name") not in (None, "") and not (
        isinstance(meta["name"], str) and NAME_RE.match(meta["name"])
    ):
        errors.append(
            Violation(
                f,
                None,
                "name",
                meta["name"],
                "must match [a-z0-9-]+ (lower-case letters, digits and '-'; it is used in output names)",
            )
        )
    if meta.get("provenance") not in (None, "") and meta["provenance"] not in ("reconstructed", "observed"):
        errors.append(
            Violation(f, None, "provenance", meta["provenance"], "must be 'reconstructed' or 'observed'")
        )
    _check_ranges(meta, errors, notes)
    defs = _check_definitions(meta.get("definitions"), errors)
    if defs is not None:
        meta["_definitions"] = defs
    return meta


def _check_ranges(meta: dict, errors: list[Violation], notes: list[str]) -> None:
    """Check reference_ranges; ranges given in a convertible unit are converted (and noted)."""
    f = "dataset.yml"
    ranges = meta.get("reference_ranges")
    if ranges is None:
        return
    if not isinstance(ranges, dict):
        errors.append(
            Violation(
                f,
                None,
                "reference_ranges",
                ranges,
                "must be a mapping of analyte codes to {lower, upper, unit}",
            )
        )
        return
    converted = {}
    for analyte, rr in ranges.items():
        col = f"reference_ranges.{analyte}"
        if analyte not in ANALYTES:
            errors.append(Violation(f, None, col, analyte, f"unknown analyte code{_suggest(analyte)}"))
            continue
        if not isinstance(rr, dict):
            errors.append(Violation(f, None, col, rr, "must be a mapping with lower, upper and unit"))
            continue
        ok = True
        for k in rr:
            if k not in RANGE_KEYS:
                errors.append(
                    Violation(
                        f,
                        None,
                        f"{col}.{k}",
                        None,
                        f"unknown key{_close(k, RANGE_KEYS)} (use lower, upper and unit)",
                    )
                )
                ok = False
        lo, hi = rr.get("lower"), rr.get("upper")
        for k, v in (("lower", lo), ("upper", hi)):
            if v is not None and not (_is_number(v) and v >= 0):
                errors.append(Violation(f, None, f"{col}.{k}", v, "must be a number >= 0"))
                ok = False
        if ok and lo is None and hi is None:
            errors.append(Violation(f, None, col, None, "needs a lower or an upper limit (or both)"))
            ok = False
        if ok and lo is not None and hi is not None and lo > hi:
            errors.append(
                Violation(
                    f,
                    None,
                    col,
                    f"lower {lo} > upper {hi}",
                    "reference range lower limit must not exceed the upper limit",
                )
            )
            ok = False
        unit = rr.get("unit")
        factor = 1.0 if unit is None else _canonical_unit(analyte, unit)
        if factor is None:
            errors.append(
                Violation(
                    f,
                    None,
                    f"{col}.unit",
                    unit,
                    f"wrong or unknown unit for {analyte}: expected {ANALYTES[analyte][1]}",
                )
            )
            continue
        if ok and factor != 1.0:
            canonical = ANALYTES[analyte][1]
            new = {k: round(float(rr[k]) * factor, 10) for k in ("lower", "upper") if rr.get(k) is not None}
            converted[analyte] = {**new, "unit": canonical}
            notes.append(f"reference range of {analyte} converted from {unit} to {canonical}")
    if converted:
        meta["reference_ranges"] = {**ranges, **converted}


def _check_definitions(defs, errors: list[Violation]) -> Definitions | None:
    """Check the ``definitions:`` overrides key by key; return the resolved definitions."""
    f = "dataset.yml"
    if defs is None:
        defs = {}
    if not isinstance(defs, dict):
        errors.append(
            Violation(
                f,
                None,
                "definitions",
                defs,
                "must be a mapping of definition names to values, e.g. {visit_window_days: 14}",
            )
        )
        return None
    base = Definitions()
    known = [fl.name for fl in fields(Definitions)]
    ok = True
    for key, v in defs.items():
        col = f"definitions.{key}"
        if key not in known:
            errors.append(
                Violation(
                    f,
                    None,
                    col,
                    None,
                    f"unknown definition{_close(key, known)} (accepted: {', '.join(known)})",
                )
            )
            ok = False
            continue
        default = getattr(base, key)
        if isinstance(default, tuple):
            good = isinstance(v, list) and bool(v) and all(_is_whole(x) and x >= 0 for x in v)
            rule = "must be a list of whole numbers >= 0, e.g. [1, 4]"
        elif isinstance(default, int):
            good, rule = _is_whole(v) and v >= 0, "must be a whole number >= 0"
        elif key == "alpha":
            good, rule = _is_number(v) and 0 < v < 1, "must be a number between 0 and 1"
        else:
            good, rule = _is_number(v) and v >= 0, "must be a number >= 0"
        if not good:
            errors.append(Violation(f, None, col, v, rule))
            ok = False
    if not ok:
        return None
    try:
        return resolve(defs)
    except (KeyError, TypeError, ValueError) as exc:  # pragma: no cover - checked above
        errors.append(Violation(f, None, "definitions", None, str(exc).strip('"')))
        return None


def _suggest(code: str) -> str:
    near = difflib.get_close_matches(str(code).lower(), ANALYTES, n=1, cutoff=0.5)
    return f"; did you mean '{near[0]}'?" if near else f"; known codes: {', '.join(ANALYTES)}"


def _canonical_unit(analyte: str, unit: str) -> float | None:
    """Conversion factor of ``unit`` to the analyte's canonical unit, or None."""
    canonical = ANALYTES[analyte][1]
    aliases = UNIT_ALIASES[canonical]
    u = str(unit).strip().replace("μ", "µ")
    return aliases.get(u, aliases.get(u.replace("µ", "u")))


# ---------------------------------------------------------------- parsing
def _normalise_name(name: str) -> str:
    """'DateOfBirth', 'date of birth', 'Date-of-Birth' -> 'date_of_birth'."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(name))
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _cells(errors: list[Violation]) -> set:
    """(file, row, column) of every cell that already has a violation."""
    return {(v.file, v.row, v.column) for v in errors if v.row is not None}


def _privacy(frames, labels, errors):
    for t, df in frames.items():
        for c in df.columns:
            if c in ("patient_id",):
                continue
            if IDENTIFIER_RE.search(_normalise_name(c)):
                errors.append(
                    Violation(
                        labels[t],
                        df.attrs.get("header_row", 1),
                        c,
                        None,
                        "looks like a direct identifier (names, record numbers, contact "
                        "details or calendar dates); only pseudonymous ids and study days "
                        "may be published - remove the column",
                    )
                )


def _number_rule(col, text: str) -> str:
    if col.unit == "days" and DATE_RE.match(text):
        return (
            "must be a whole number of days since infusion, not a calendar date "
            "(calendar dates can identify patients)"
        )
    if re.fullmatch(r"[-+]?\d+,\d+", text):
        return "must be a number (use '.' as the decimal mark)"
    return "must be a whole number" if col.dtype == "integer" else "must be a number"


def _coerce(df: pd.DataFrame, table: str, label: str, errors: list[Violation]) -> pd.DataFrame:
    """Turn text cells into typed columns, reporting every cell that will not convert."""
    done = _cells(errors)
    out = df.copy()

    def report(idx, column, value, rule):
        if (label, int(idx), column) not in done:
            errors.append(Violation(label, int(idx), column, value, rule))

    from . import contract

    for col in contract.TABLES[table].columns:
        if col.name not in out.columns:
            continue
        s = out[col.name].astype(str)
        blank = s == ""
        if col.dtype == "text":
            out[col.name] = s.where(~blank, None).astype("string")
        elif col.dtype == "boolean":
            low = s.str.lower()
            bad = ~(low.isin(TRUE | FALSE) | blank)
            out[col.name] = pd.array(
                [True if v in TRUE else False if v in FALSE else pd.NA for v in low], dtype="boolean"
            )
            for idx in bad[bad].index:
                report(idx, col.name, s[idx], "must be true/false (yes/no, 1/0 also accepted)")
        else:
            num = pd.to_numeric(s.where(~blank, None), errors="coerce").astype(float)
            bad = num.isna() & ~blank
            infinite = num.notna() & ~np.isfinite(num)
            frac = (num.notna() & ~infinite & (num != num.round())) if col.dtype == "integer" else bad & False
            for idx in bad[bad].index:
                report(idx, col.name, s[idx], _number_rule(col, s[idx]))
            for idx in infinite[infinite].index:
                report(idx, col.name, s[idx], "must be a finite number")
            for idx in frac[frac].index:
                report(idx, col.name, s[idx], "must be a whole number")
            num = num.where(~(infinite | frac))
            if col.dtype == "integer":
                out[col.name] = num.astype("Float64").round().astype("Int64")
            else:
                out[col.name] = num.astype("Float64")
        if not col.nullable:
            for idx in blank[blank].index:
                report(idx, col.name, "", "must not be blank")
    return out


def _pandera(df: pd.DataFrame, raw: pd.DataFrame, table: str, label: str, errors: list[Violation]) -> None:
    """Run the table's pandera schema; report failures with the cell as written in the file."""
    import pandera.errors

    from . import contract

    spec = contract.TABLES[table]
    schema = contract.pandera_schema(table)
    present = [c.name for c in spec.columns if c.name in df.columns]
    row_checks = {rc.rule: rc for rc in spec.row_checks}
    done = _cells(errors)
    try:
        schema.select_columns(present).validate(df[present], lazy=True)
    except pandera.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        for rec in fc.itertuples(index=False):
            if rec.index is None or pd.isna(rec.index) or pd.isna(rec.failure_case):
                continue  # nulls and dtype problems are reported by _coerce
            check = str(rec.check)
            if check.startswith(("coerce_dtype", "dtype", "not_nullable")):
                continue
            idx = int(rec.index)
            rule = check
            if rec.schema_context == "DataFrameSchema" and check in row_checks:
                rc = row_checks[check]
                if rec.column != rc.column:
                    continue  # pandera lists every column of the failing row; report it once
                rule += " (" + ", ".join(f"{c} {raw.at[idx, c]}" for c in rc.needs if c != rc.column) + ")"
            if (label, idx, rec.column) in done:
                continue
            value = (
                raw.at[idx, rec.column]
                if rec.column in raw.columns and idx in raw.index
                else rec.failure_case
            )
            errors.append(Violation(label, idx, rec.column, value, rule))
            done.add((label, idx, rec.column))


def _missing_column_rule(name: str, columns) -> str:
    same = [c for c in columns if _normalise_name(c) == name]
    if same:
        return (
            f"required column is missing (found {same[0]!r}; column names are case-sensitive: use '{name}')"
        )
    return f"required column is missing{_close(name, columns)}"


def _sort(violations: list[Violation], labels: dict[str, str]) -> list[Violation]:
    """File by file (dataset.yml first, then the tables in contract order), row by row."""
    order = {"dataset.yml": 0, **{lab: i + 1 for i, lab in enumerate(labels.values())}}
    return sorted(violations, key=lambda v: (order.get(v.file, len(order)), v.row or 0))


def load(path: str | Path) -> Dataset:
    """Read, normalise and validate the dataset in ``path``.

    Raises :class:`DataError` listing every violation.  Warnings (for example a
    patient without a baseline value that a claim needs) are kept on the result.
    Input files are only read, never written.
    """
    from . import contract

    path = Path(path)
    errors: list[Violation] = []
    warnings: list[Violation] = []
    notes: list[str] = []
    if not path.is_dir():
        rule = "is not a folder" if path.exists() else "dataset folder does not exist"
        raise DataError(path, [Violation(str(path), None, None, None, rule)])
    meta = _read_meta(path, errors, warnings, notes)
    frames, labels, files = _read_tables(path, errors)
    _privacy(frames, labels, errors)
    if any("identifier" in v.rule for v in errors):
        raise DataError(path, _sort(errors, labels))

    typed: dict[str, pd.DataFrame] = {}
    raw: dict[str, pd.DataFrame] = {}
    for t, df in frames.items():
        spec = contract.TABLES[t]
        missing = [c.name for c in spec.columns if c.required and c.name not in df.columns]
        for c in missing:
            errors.append(
                Violation(
                    labels[t], df.attrs.get("header_row", 1), c, None, _missing_column_rule(c, df.columns)
                )
            )
        if missing:
            continue
        if df.empty and not spec.may_be_empty:
            errors.append(
                Violation(
                    labels[t],
                    None,
                    None,
                    None,
                    "table has no data rows" + (" (no patients)" if t == "patients" else ""),
                )
            )
            continue
        raw[t] = df
        if t == "measurements":
            df = _measurement_values(df, labels[t], errors, notes)
        df = _coerce(df, t, labels[t], errors)
        _pandera(df, raw[t], t, labels[t], errors)
        errors.extend(_duplicates(df, spec, labels[t]))
        typed[t] = df

    if "patients" in typed:
        known = set(typed["patients"]["patient_id"].dropna())
        by_lower = {k.lower(): k for k in known}
        for t in ("measurements", "adverse_events"):
            if t in typed:
                for idx, pid in typed[t]["patient_id"].items():
                    if pd.notna(pid) and pid not in known:
                        hint = f"; did you mean '{by_lower[pid.lower()]}'?" if pid.lower() in by_lower else ""
                        errors.append(
                            Violation(
                                labels[t],
                                int(idx),
                                "patient_id",
                                pid,
                                f"unknown patient: not in {labels['patients']}{hint}",
                            )
                        )
    if errors:
        raise DataError(path, _sort(errors, labels))
    warnings += _baseline_warnings(typed["patients"], typed["measurements"], labels["measurements"])

    m = typed["measurements"]
    m = m.assign(
        day=m["day"].astype(int),
        value=m["value"].astype(float),
        patient_id=m["patient_id"].astype(str),
        analyte=m["analyte"].astype(str),
        unit=m["unit"].astype(str),
    )
    p = typed["patients"].copy()
    p["patient_id"] = p["patient_id"].astype(str)
    p["sex"] = p["sex"].astype(str)
    ae = typed["adverse_events"].copy()
    ae["patient_id"] = ae["patient_id"].astype(str)
    ae["event"] = ae["event"].astype(str)
    return Dataset(
        path=path,
        meta={k: v for k, v in meta.items() if not k.startswith("_")},
        patients=p,
        measurements=m,
        adverse_events=ae,
        definitions=meta["_definitions"],
        files=files + [path / "dataset.yml"],
        notes=notes,
        warnings=warnings,
    )


def _measurement_values(df, label, errors, notes) -> pd.DataFrame:
    """Split censored values ('<5'), check analyte codes and convert units.

    Vectorised over rows: registries bring hundreds of thousands of measurements.
    """
    df = df.copy()
    raw = df["value"].astype(str)
    censored = raw.str.startswith("<")
    df["value"] = raw.str.lstrip("<").str.strip()
    df["censored"] = censored
    numeric = pd.to_numeric(df["value"], errors="coerce")
    for idx in raw.index[censored & numeric.isna()]:
        errors.append(
            Violation(
                label,
                int(idx),
                "value",
                raw[idx],
                "a censored value must be '<' followed by a number, e.g. '<5'",
            )
        )
    for idx in raw.index[raw.str.startswith(">")]:
        errors.append(
            Violation(
                label,
                int(idx),
                "value",
                raw[idx],
                "must be a number; only values below a limit may be censored ('<5')",
            )
        )
    code, unit = df["analyte"], df["unit"]
    known = code.isin(list(ANALYTES))
    for idx in code.index[~known & (code != "")]:
        errors.append(
            Violation(label, int(idx), "analyte", code[idx], f"unknown analyte code{_suggest(code[idx])}")
        )
    check = known & (unit != "")  # blank analyte/unit cells are reported as blank elsewhere
    converted: dict[tuple[str, str], int] = {}
    # one lookup per distinct (analyte, unit) pair instead of per row
    for (a, u), idx in df[check].groupby(["analyte", "unit"], sort=True).groups.items():
        factor = _canonical_unit(a, u)
        canonical = ANALYTES[a][1]
        if factor is None:
            for i in idx:
                errors.append(
                    Violation(
                        label, int(i), "unit", u, f"wrong or unknown unit for {a}: expected {canonical}"
                    )
                )
            continue
        df.loc[idx, "unit"] = canonical
        if factor != 1.0:
            num = numeric[idx]
            ok = num.notna()
            df.loc[num.index[ok], "value"] = [repr(round(float(v) * factor, 10)) for v in num[ok]]
            converted[(a, u)] = converted.get((a, u), 0) + int(ok.sum())
    for (a, u), n in sorted(converted.items()):
        notes.append(f"{n} {a} value{'s' if n != 1 else ''} converted from {u} to {ANALYTES[a][1]}")
    return df


def _duplicates(df, spec, label):
    if not spec.unique or df.empty:
        return []
    key = list(spec.unique)
    dup = df.duplicated(subset=key, keep="first")
    if not dup.any():
        return []
    rows = pd.Series(df.index, index=df.index)
    first_row = rows.groupby([df[k] for k in key], dropna=False).transform("first")
    out = []
    for idx in dup[dup].index:
        first = first_row[idx]
        value = ", ".join(str(df.at[idx, k]) for k in key)
        out.append(
            Violation(
                label,
                int(idx),
                "+".join(key),
                value,
                f"duplicate of row {first}: one row per ({', '.join(key)})",
            )
        )
    return out


def _baseline_warnings(p, m, label) -> list[Violation]:
    out = []
    need = m[m["analyte"].isin(BASELINE_NEEDED)]
    has_any = set(zip(need["patient_id"], need["analyte"]))
    has_base = set(zip(need.loc[need["day"] <= 0, "patient_id"], need.loc[need["day"] <= 0, "analyte"]))
    for pid in p["patient_id"]:
        for analyte in BASELINE_NEEDED:
            if (pid, analyte) in has_any and (pid, analyte) not in has_base:
                out.append(
                    Violation(
                        label,
                        None,
                        "patient_id",
                        pid,
                        f"patient {pid} has no baseline (day <= 0) {analyte} value; claims "
                        "that need it leave this patient out or are marked not evaluable",
                        "warning",
                    )
                )
    return out


# ---------------------------------------------------------------- cache of validated datasets


def _cache_key(path: Path) -> str:
    """Digest of every file in the dataset folder, the loading code and the pandas version."""
    h = hashlib.sha256()
    for f in sorted(p for p in path.iterdir() if p.is_file()):
        h.update(f.name.encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
    here = Path(__file__).parent  # the whole inputs package: any change to loading re-validates
    for f in sorted(here.rglob("*.py")):
        h.update(str(f.relative_to(here)).encode() + hashlib.sha256(f.read_bytes()).digest())
    h.update(pd.__version__.encode())
    return h.hexdigest()


def load_cached(path: str | Path, cache_dir: str | Path | None = None) -> Dataset:
    """:func:`load`, remembered by content: a dataset validated once is read back from a pickle.

    Every chapter opens the dataset; validating a registry of thousands of
    patients nine times over would dominate the build.  The key covers the
    dataset's files and the loading code, so any change re-validates.  The
    cache lives in ``$SLE_CART_DATASET_CACHE`` or ``_build/cache/datasets``.
    Invalid datasets are never cached (``DataError`` propagates).
    """
    import os
    import pickle

    path = Path(path).resolve()
    if not path.is_dir():
        return load(path)
    root = Path(cache_dir) if cache_dir else dataset_cache()
    entry = root / f"{_cache_key(path)}.pickle"
    if entry.exists():
        try:
            ds = pickle.loads(entry.read_bytes())
            # the same content may have been validated in another folder: point at this one
            ds.path = path
            ds.files = [path / f.name for f in ds.files]
            return ds
        except Exception:  # unreadable or from another environment: validate again
            pass
    ds = load(path)
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_name(f".{entry.name}.{os.getpid()}")
        tmp.write_bytes(pickle.dumps(ds, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, entry)
    except OSError:
        pass  # a read-only cache is not an error
    return ds

"""Load a dataset folder, normalise what real exports contain, and validate it.

Every problem found is collected as a :class:`Violation` naming the file (and
sheet), the spreadsheet row, the column, the value and the rule, and all of
them are raised at once in one :class:`DataError`.  Input files are only read.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.errors
import yaml

from . import contract
from .definitions import ANALYTES, UNIT_ALIASES, Definitions, resolve

TABLE_NAMES = ("patients", "measurements", "adverse_events")
NAME_RE = re.compile(r"^[a-z0-9-]+$")
TRUE = {"true", "yes", "y", "1", "t"}
FALSE = {"false", "no", "n", "0", "f"}
#: Column names that look like direct identifiers (privacy guard).
IDENTIFIER_RE = re.compile(
    r"(^|_)(name|first_?name|last_?name|surname|mrn|medical_record|record_number|"
    r"passport|national_id|id_number|ssn|phone|telephone|mobile|email|e_mail|address|street|"
    r"postcode|zip|dob|birth|date|datetime|timestamp)($|_)", re.I)
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
            where.append(f"column '{self.column}'")
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
def _read_tables(path: Path, errors: list[Violation]) -> tuple[dict[str, pd.DataFrame], dict[str, str], list[Path]]:
    """Read the three tables as text. Returns frames, display names and the files read."""
    frames, labels, files = {}, {}, []
    xlsx = path / "data.xlsx"
    csvs = {t: path / f"{t}.csv" for t in TABLE_NAMES}
    use_csv = any(p.exists() for p in csvs.values()) or not xlsx.exists()
    if use_csv:
        for t, p in csvs.items():
            labels[t] = p.name
            if not p.exists():
                errors.append(Violation(p.name, None, None, None, "required file is missing"))
                continue
            files.append(p)
            try:
                frames[t] = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                                        skipinitialspace=True)
            except pd.errors.EmptyDataError:
                errors.append(Violation(p.name, None, None, None, "file is empty (no header row)"))
            except (UnicodeDecodeError, pd.errors.ParserError) as exc:
                errors.append(Violation(p.name, None, None, None, f"cannot be read as UTF-8 CSV ({exc})"))
    else:
        files.append(xlsx)
        try:
            sheets = pd.read_excel(xlsx, sheet_name=None, dtype=str, keep_default_na=False)
        except Exception as exc:  # openpyxl raises many types for corrupt workbooks
            errors.append(Violation(xlsx.name, None, None, None, f"cannot be read as an Excel workbook ({exc})"))
            return frames, labels, files
        for t in TABLE_NAMES:
            labels[t] = f"data.xlsx, sheet '{t}'"
            if t not in sheets:
                errors.append(Violation("data.xlsx", None, None, None,
                                        f"required sheet '{t}' is missing (found: {', '.join(sheets) or 'none'})"))
                continue
            frames[t] = sheets[t].fillna("").astype(str)
    for t, df in frames.items():
        df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
        df = df.apply(lambda s: s.str.strip())
        # A first cell starting with '#' marks a comment row (the template's example).
        if len(df.columns):
            df = df[~df.iloc[:, 0].str.startswith("#")]
        df.index = df.index + 2  # spreadsheet row numbers: header is row 1
        frames[t] = df
    return frames, labels, files


def _read_meta(path: Path, errors: list[Violation]) -> dict:
    p = path / "dataset.yml"
    if not p.exists():
        errors.append(Violation("dataset.yml", None, None, None, "required file is missing"))
        return {}
    try:
        meta = yaml.safe_load(p.read_text(encoding="utf-8-sig")) or {}
    except yaml.YAMLError as exc:
        errors.append(Violation("dataset.yml", None, None, None, f"is not valid YAML ({exc})"))
        return {}
    if not isinstance(meta, dict):
        errors.append(Violation("dataset.yml", None, None, None, "must be a mapping of keys to values"))
        return {}
    for key in ("name", "title", "provenance"):
        if not meta.get(key):
            errors.append(Violation("dataset.yml", None, key, None, "required key is missing"))
    if meta.get("name") and not NAME_RE.match(str(meta["name"])):
        errors.append(Violation("dataset.yml", None, "name", meta["name"],
                                "must match [a-z0-9-]+ (it is used in output names)"))
    if meta.get("provenance") and meta["provenance"] not in ("reconstructed", "observed"):
        errors.append(Violation("dataset.yml", None, "provenance", meta["provenance"],
                                "must be 'reconstructed' or 'observed'"))
    for analyte, rr in (meta.get("reference_ranges") or {}).items():
        col = f"reference_ranges.{analyte}"
        if analyte not in ANALYTES:
            errors.append(Violation("dataset.yml", None, col, analyte, f"unknown analyte code{_suggest(analyte)}"))
            continue
        if not isinstance(rr, dict):
            errors.append(Violation("dataset.yml", None, col, rr, "must be a mapping with lower/upper/unit"))
            continue
        lo, hi = rr.get("lower"), rr.get("upper")
        for k, v in (("lower", lo), ("upper", hi)):
            if v is not None and not isinstance(v, (int, float)):
                errors.append(Violation("dataset.yml", None, f"{col}.{k}", v, "must be a number"))
        if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo > hi:
            errors.append(Violation("dataset.yml", None, col, f"lower {lo} > upper {hi}",
                                    "reference range lower limit must not exceed the upper limit"))
        unit = rr.get("unit")
        if unit is not None and _canonical_unit(analyte, unit) is None:
            errors.append(Violation("dataset.yml", None, f"{col}.unit", unit,
                                    f"unit must be {ANALYTES[analyte][1]}"))
    try:
        meta["_definitions"] = resolve(meta.get("definitions"))
    except (KeyError, TypeError, ValueError) as exc:
        errors.append(Violation("dataset.yml", None, "definitions", None, str(exc).strip('"')))
    return meta


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
def _privacy(frames, labels, errors):
    for t, df in frames.items():
        for c in df.columns:
            if c in ("patient_id",):
                continue
            if IDENTIFIER_RE.search(c):
                errors.append(Violation(labels[t], 1, c, None,
                                        "looks like a direct identifier (names, record numbers, contact "
                                        "details or calendar dates); only pseudonymous ids and study days "
                                        "may be published - remove the column"))


def _coerce(df: pd.DataFrame, table: str, label: str, errors: list[Violation]) -> pd.DataFrame:
    """Turn text cells into typed columns, reporting every cell that will not convert."""
    out = df.copy()
    for col in contract.TABLES[table].columns:
        if col.name not in out.columns:
            continue
        s = out[col.name]
        blank = s == ""
        if col.dtype == "text":
            out[col.name] = s.where(~blank, None).astype("string")
            continue
        if col.dtype == "boolean":
            low = s.str.lower()
            bad = ~(low.isin(TRUE | FALSE) | blank)
            out[col.name] = pd.array([True if v in TRUE else False if v in FALSE else pd.NA for v in low],
                                     dtype="boolean")
            rule = "must be true/false (yes/no, 1/0 also accepted)"
        else:
            num = pd.to_numeric(s.where(~blank, None), errors="coerce")
            bad = num.isna() & ~blank
            rule = "must be a number"
            if col.dtype == "integer":
                frac = num.notna() & (num != num.round())
                for idx in frac[frac].index:
                    errors.append(Violation(label, int(idx), col.name, s[idx], "must be a whole number"))
                num = num.where(~frac)
                out[col.name] = num.astype("Float64").round().astype("Int64")
                rule = "must be a whole number"
            else:
                out[col.name] = num.astype("Float64")
        for idx in bad[bad].index:
            errors.append(Violation(label, int(idx), col.name, s[idx], rule))
        if not col.nullable:
            for idx in blank[blank].index:
                errors.append(Violation(label, int(idx), col.name, "", "must not be blank"))
    return out


def _pandera(df: pd.DataFrame, table: str, label: str, errors: list[Violation]) -> None:
    schema = contract.pandera_schema(table)
    present = [c.name for c in contract.TABLES[table].columns if c.name in df.columns]
    try:
        schema.select_columns(present).validate(df[present], lazy=True)
    except pandera.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        for rec in fc.itertuples(index=False):
            if rec.index is None or pd.isna(rec.failure_case):
                continue  # nulls and dtype problems are reported by _coerce
            if str(rec.check).startswith(("coerce_dtype", "dtype", "not_nullable")):
                continue
            errors.append(Violation(label, int(rec.index), rec.column, rec.failure_case, str(rec.check)))


def load(path: str | Path) -> Dataset:
    """Read, normalise and validate the dataset in ``path``.

    Raises :class:`DataError` listing every violation.  Warnings (for example a
    patient without a baseline value that a claim needs) are kept on the result.
    """
    path = Path(path)
    errors: list[Violation] = []
    if not path.is_dir():
        raise DataError(path, [Violation(str(path), None, None, None, "dataset folder does not exist")])
    meta = _read_meta(path, errors)
    frames, labels, files = _read_tables(path, errors)
    _privacy(frames, labels, errors)
    if errors and any("identifier" in v.rule for v in errors):
        raise DataError(path, errors)

    typed: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    for t, df in frames.items():
        spec = contract.TABLES[t]
        missing = [c.name for c in spec.columns if c.required and c.name not in df.columns]
        for c in missing:
            errors.append(Violation(labels[t], 1, c, None, "required column is missing"))
        if missing:
            continue
        if df.empty and not spec.may_be_empty:
            errors.append(Violation(labels[t], None, None, None,
                                    "table has no data rows" + (" (no patients)" if t == "patients" else "")))
            continue
        if t == "measurements":
            df = _measurement_values(df, labels[t], errors, notes)
        df = _coerce(df, t, labels[t], errors)
        _pandera(df, t, labels[t], errors)
        for v in _duplicates(df, spec, labels[t]):
            errors.append(v)
        typed[t] = df

    warnings: list[Violation] = []
    if "patients" in typed:
        known = set(typed["patients"]["patient_id"].dropna())
        for t in ("measurements", "adverse_events"):
            if t in typed:
                df = typed[t]
                for idx, pid in df["patient_id"].items():
                    if pd.notna(pid) and pid not in known:
                        errors.append(Violation(labels[t], int(idx), "patient_id", pid,
                                                "unknown patient: not in patients"))
        if "adverse_events" in typed:
            ae = typed["adverse_events"]
            bad = ae["resolution_day"].notna() & ae["onset_day"].notna() & (ae["resolution_day"] < ae["onset_day"])
            for idx in bad[bad].index:
                errors.append(Violation(labels["adverse_events"], int(idx), "resolution_day",
                                        ae.at[idx, "resolution_day"],
                                        f"resolution must not be before onset (onset_day {ae.at[idx, 'onset_day']})"))
        if "measurements" in typed and not errors:
            warnings = _baseline_warnings(typed["patients"], typed["measurements"], labels["measurements"])
    if errors:
        raise DataError(path, errors)

    m = typed["measurements"]
    m = m.assign(day=m["day"].astype(int), value=m["value"].astype(float),
                 patient_id=m["patient_id"].astype(str), analyte=m["analyte"].astype(str),
                 unit=m["unit"].astype(str))
    p = typed["patients"].copy()
    p["patient_id"] = p["patient_id"].astype(str)
    p["sex"] = p["sex"].astype(str)
    ae = typed["adverse_events"].copy()
    ae["patient_id"] = ae["patient_id"].astype(str)
    ae["event"] = ae["event"].astype(str)
    return Dataset(path=path, meta={k: v for k, v in meta.items() if not k.startswith("_")},
                   patients=p, measurements=m, adverse_events=ae,
                   definitions=meta["_definitions"], files=files + [path / "dataset.yml"],
                   notes=notes, warnings=warnings)


def _measurement_values(df, label, errors, notes) -> pd.DataFrame:
    """Split censored values ('<5'), check analyte codes and convert units."""
    df = df.copy()
    raw = df["value"]
    censored = raw.str.startswith("<")
    df["value"] = raw.str.lstrip("<").str.strip()
    df["censored"] = censored
    converted: dict[tuple[str, str], int] = {}
    for idx, row in df.iterrows():
        code = row["analyte"]
        if code not in ANALYTES:
            errors.append(Violation(label, int(idx), "analyte", code, f"unknown analyte code{_suggest(code)}"))
            continue
        factor = _canonical_unit(code, row["unit"])
        canonical = ANALYTES[code][1]
        if factor is None:
            errors.append(Violation(label, int(idx), "unit", row["unit"],
                                    f"wrong or unknown unit for {code}: expected {canonical}"))
            continue
        df.at[idx, "unit"] = canonical
        if factor != 1.0:
            num = pd.to_numeric(row["value"], errors="coerce")
            if pd.notna(num):
                df.at[idx, "value"] = repr(round(float(num) * factor, 10))
                converted[(code, row["unit"])] = converted.get((code, row["unit"]), 0) + 1
    for (code, unit), n in sorted(converted.items()):
        notes.append(f"{n} {code} value{'s' if n != 1 else ''} converted from {unit} to {ANALYTES[code][1]}")
    return df


def _duplicates(df, spec, label):
    if not spec.unique or df.empty:
        return []
    key = list(spec.unique)
    dup = df.duplicated(subset=key, keep="first")
    out = []
    for idx in dup[dup].index:
        first = df.index[(df[key] == df.loc[idx, key]).all(axis=1)][0]
        value = ", ".join(str(df.at[idx, k]) for k in key)
        out.append(Violation(label, int(idx), "+".join(key), value,
                             f"duplicate of row {first}: one row per ({', '.join(key)})"))
    return out


def _baseline_warnings(p, m, label) -> list[Violation]:
    out = []
    base = m[m["day"] <= 0]
    for pid in p["patient_id"]:
        for analyte in BASELINE_NEEDED:
            has_any = ((m["patient_id"] == pid) & (m["analyte"] == analyte)).any()
            has_base = ((base["patient_id"] == pid) & (base["analyte"] == analyte)).any()
            if has_any and not has_base:
                out.append(Violation(label, None, "day", pid,
                                     f"patient {pid} has no baseline (day <= 0) {analyte}; "
                                     "claims that need it are marked not evaluable", "warning"))
    return out

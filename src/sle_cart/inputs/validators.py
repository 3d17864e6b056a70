"""Checks on typed tables: the privacy guard, the pandera schema, duplicates, unknown patients, baselines."""

from __future__ import annotations

import re

import pandas as pd

from . import contract
from .errors import Violation, flagged_cells
from .readers import RawTables
from .suggest import did_you_mean

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


#: Analytes that the published claims need a baseline for.
BASELINE_NEEDED = ("sledai_2k", "urine_protein_24h", "anti_dsdna", "cd19_b")


def normalise_name(name: str) -> str:
    """'DateOfBirth', 'date of birth', 'Date-of-Birth' -> 'date_of_birth'."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(name))
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def privacy(raw: RawTables, errors: list[Violation]) -> None:
    """Columns that look like direct identifiers stop loading; their values are never echoed."""
    for t, df in raw.frames.items():
        for c in df.columns:
            if c != "patient_id" and IDENTIFIER_RE.search(normalise_name(c)):
                errors.append(
                    Violation(
                        raw.labels[t],
                        raw.header_rows.get(t, 1),
                        c,
                        None,
                        "looks like a direct identifier (names, record numbers, contact "
                        "details or calendar dates); only pseudonymous ids and study days "
                        "may be published - remove the column",
                        code="identifier",
                    )
                )


def table_shape(raw: RawTables, table: str, errors: list[Violation]) -> bool:
    """Required columns present and, unless the table may be empty, some data rows."""
    spec, df, label = contract.TABLES[table], raw.frames[table], raw.labels[table]
    missing = [c.name for c in spec.columns if c.required and c.name not in df.columns]
    for c in missing:
        row = raw.header_rows.get(table, 1)
        errors.append(
            Violation(label, row, c, None, missing_column_rule(c, df.columns), code="missing-column")
        )
    if missing:
        return False
    if df.empty and not spec.may_be_empty:
        rule = "table has no data rows" + (" (no patients)" if table == "patients" else "")
        errors.append(Violation(label, None, None, None, rule, code="empty-table"))
        return False
    return True


def unknown_patients(typed: dict[str, pd.DataFrame], labels: dict[str, str], errors: list[Violation]) -> None:
    """Every measurement and adverse event must belong to a patient of patients.csv."""
    if "patients" not in typed:
        return
    known = set(typed["patients"]["patient_id"].dropna())
    for t in ("measurements", "adverse_events"):
        if t not in typed:
            continue
        for idx, pid in typed[t]["patient_id"].items():
            if pd.notna(pid) and pid not in known:
                rule = f"unknown patient: not in {labels['patients']}{did_you_mean(pid, known, cutoff=None)}"
                errors.append(Violation(labels[t], int(idx), "patient_id", pid, rule, code="unknown-patient"))


def pandera_check(
    df: pd.DataFrame, raw: pd.DataFrame, table: str, label: str, errors: list[Violation]
) -> None:
    """Run the table's pandera schema; report failures with the cell as written in the file."""
    import pandera.errors

    spec = contract.TABLES[table]
    schema = contract.pandera_schema(table)
    present = [c.name for c in spec.columns if c.name in df.columns]
    row_checks = {rc.rule: rc for rc in spec.row_checks}
    done = flagged_cells(errors)
    try:
        schema.select_columns(present).validate(df[present], lazy=True)
    except pandera.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        for rec in fc.itertuples(index=False):
            if rec.index is None or pd.isna(rec.index) or pd.isna(rec.failure_case):
                continue  # nulls and dtype problems are reported by coerce
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


def missing_column_rule(name: str, columns) -> str:
    same = [c for c in columns if normalise_name(c) == name]
    if same:
        return (
            f"required column is missing (found {same[0]!r}; names are matched ignoring case, spaces "
            f"and '-', but not run together: write it as '{name}')"
        )
    return f"required column is missing{did_you_mean(name, columns)}"


def duplicates(df, spec, label):
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


def baseline_warnings(p, m, label) -> list[Violation]:
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


def sort_violations(violations: list[Violation], labels: dict[str, str]) -> list[Violation]:
    """File by file (dataset.yml first, then the tables in contract order), row by row."""
    order = {"dataset.yml": 0, **{lab: i + 1 for i, lab in enumerate(labels.values())}}
    return sorted(violations, key=lambda v: (order.get(v.file, len(order)), v.row or 0))

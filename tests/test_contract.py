"""The data contract, tested from the user's side.

A corpus of malformed datasets, each a copy of the bundled dataset with one
mutation, must be rejected by ``python -m sle_cart validate`` (exit 2) with a
message naming the file, row, column, value and rule.  Accepted variants of
the same data (BOM, other unit spellings, yes/no, data.xlsx, ...) must load
and give the same claims as the bundled data.
"""

from __future__ import annotations

import contextlib
import csv
import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from conftest import BUNDLED, assert_same_claims, sampled, validate_and_load
from sle_cart import cli
from sle_cart.analysis import claims
from sle_cart.inputs import contract, dataset

TABLE_FILES = ("patients.csv", "measurements.csv", "adverse_events.csv")


# ---------------------------------------------------------------- helpers
def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def _write_rows(path: Path, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def _mrow(pid: str, day: int, analyte: str) -> int:
    """Spreadsheet row (header = 1) of one bundled measurement."""
    for n, r in enumerate(_rows(BUNDLED / "measurements.csv"), start=1):
        if r[:3] == [pid, str(day), analyte]:
            return n
    raise LookupError((pid, day, analyte))


N_MEAS = len(_rows(BUNDLED / "measurements.csv"))  # rows including the header
R_SLEDAI_P1 = _mrow("P1", -5, "sledai_2k")
R_C3_P2 = _mrow("P2", -5, "c3")
R_UP_P3 = _mrow("P3", 30, "urine_protein_24h")


def set_cell(name: str, row: int, column: str, value: str):
    """Mutation: set one cell (row numbered as in a spreadsheet, header = 1)."""

    def mutate(ds: Path):
        rows = _rows(ds / name)
        rows[row - 1][rows[0].index(column)] = value
        _write_rows(ds / name, rows)

    return mutate


def append_row(name: str, cells):
    def mutate(ds: Path):
        _write_rows(ds / name, _rows(ds / name) + [list(cells)])

    return mutate


def add_column(name: str, column: str, value: str):
    def mutate(ds: Path):
        rows = _rows(ds / name)
        _write_rows(ds / name, [rows[0] + [column]] + [r + [value] for r in rows[1:]])

    return mutate


def drop_column(name: str, column: str):
    def mutate(ds: Path):
        rows = _rows(ds / name)
        i = rows[0].index(column)
        _write_rows(ds / name, [r[:i] + r[i + 1 :] for r in rows])

    return mutate


def rename_column(name: str, old: str, new: str):
    def mutate(ds: Path):
        rows = _rows(ds / name)
        rows[0][rows[0].index(old)] = new
        _write_rows(ds / name, rows)

    return mutate


def header_only(name: str):
    def mutate(ds: Path):
        _write_rows(ds / name, _rows(ds / name)[:1])

    return mutate


def replace_text(name: str, old: str, new: str):
    def mutate(ds: Path):
        text = (ds / name).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        (ds / name).write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def write_bytes(name: str, data: bytes):
    def mutate(ds: Path):
        (ds / name).write_bytes(data)

    return mutate


def delete(name: str):
    def mutate(ds: Path):
        (ds / name).unlink()

    return mutate


def _cell(text: str):
    """A CSV cell as a spreadsheet would hold it: numbers and booleans typed."""
    if text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def to_xlsx(drop_sheet: str | None = None, keep_csv: bool = False):
    """Mutation: move the three CSV tables into data.xlsx (typed cells), written with openpyxl."""

    def mutate(ds: Path):
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name in TABLE_FILES:
            table = name[:-4]
            if table != drop_sheet:
                ws = wb.create_sheet(table)
                rows = _rows(ds / name)
                ws.append(rows[0])
                for r in rows[1:]:
                    ws.append([_cell(c) for c in r])
            if not keep_csv:
                (ds / name).unlink()
        wb.save(ds / "data.xlsx")

    return mutate


def set_xlsx_cell(sheet: str, row: int, column: str, value):
    """Mutation: set one typed cell of data.xlsx (e.g. a date, as Excel stores it)."""

    def mutate(ds: Path):
        wb = openpyxl.load_workbook(ds / "data.xlsx")
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        ws.cell(row=row, column=header.index(column) + 1, value=value)
        wb.save(ds / "data.xlsx")

    return mutate


def combine(*mutations):
    def mutate(ds: Path):
        for m in mutations:
            m(ds)

    return mutate


def _validate(ds: Path, capsys) -> tuple[int, str, str]:
    rc = cli.main(["validate", str(ds)])
    out = capsys.readouterr()
    return rc, out.out, out.err


def _snapshot(folder: Path) -> dict:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


N_TIED = (len(_rows(BUNDLED / "patients.csv")[0]) - 1) // 2  # ';' and ',' each in a tied header


def _tied_header(ds: Path) -> None:
    """Mutation: patients.csv's header separated by as many ';' as ',' (and a tab if the count is odd)."""
    header, *rest = (ds / "patients.csv").read_text("utf-8").split("\n", 1)
    cols = header.split(",")
    seps = [";"] * N_TIED + [","] * N_TIED + ["\t"] * (len(cols) - 1 - 2 * N_TIED)
    tied = cols[0] + "".join(sep + col for sep, col in zip(seps, cols[1:]))
    (ds / "patients.csv").write_text("\n".join([tied, *rest]), "utf-8")


# ---------------------------------------------------------------- the corpus
P = "patients.csv"
M = "measurements.csv"
AE = "adverse_events.csv"
YML = "dataset.yml"
PATIENT_ROW = ["P7", "F", "30", "5", "60", "6e7", "2", "true", "6"]

MALFORMED = [
    # files, sheets, columns, empty tables
    ("missing-file-measurements", delete(M), [M, "required file is missing"]),
    ("missing-file-dataset-yml", delete(YML), [YML, "required file is missing"]),
    (
        "xlsx-missing-sheet",
        to_xlsx(drop_sheet="adverse_events"),
        ["data.xlsx", "sheet 'adverse_events' is missing", "found: 'patients', 'measurements'"],
    ),
    (
        "xlsx-bad-cell-names-sheet-and-row",
        combine(set_cell(P, 3, "sex", "female"), to_xlsx()),
        ["data.xlsx, sheet 'patients'", "row 3", "column 'sex'", "'female'", "must be F or M"],
    ),
    (
        "xlsx-day-as-excel-date",
        combine(to_xlsx(), set_xlsx_cell("measurements", 9, "day", datetime(2024, 3, 1))),
        ["data.xlsx, sheet 'measurements'", "row 9", "column 'day'", "2024-03-01", "not a calendar date"],
    ),
    ("missing-column-sex", drop_column(P, "sex"), [P, "row 1", "column 'sex'", "required column is missing"]),
    (
        # names are matched ignoring case, spaces and '-' (see VARIANTS), but words run together are not
        "missing-column-run-together",
        rename_column(M, "patient_id", "PatientId"),
        [
            M,
            "row 1",
            "column 'patient_id'",
            "required column is missing",
            "'PatientId'",
            "write it as 'patient_id'",
        ],
    ),
    (
        "missing-column-resolution-day",
        drop_column(AE, "resolution_day"),
        [AE, "row 1", "column 'resolution_day'", "required column is missing"],
    ),
    ("empty-table-patients-header-only", header_only(P), [P, "table has no data rows", "no patients"]),
    ("empty-table-measurements-header-only", header_only(M), [M, "table has no data rows"]),
    ("patients-file-without-rows", write_bytes(P, b""), [P, "file is empty (no header row)"]),
    (
        # ';' alone is read (see VARIANTS); a header with as many ',' as ';' cannot be told apart
        "separator-undecidable",
        _tied_header,
        [P, "row 1", "cannot tell how the columns are separated", f"{N_TIED} ','", f"{N_TIED} ';'"],
    ),
    (
        "row-with-too-many-cells",
        append_row(AE, ["P2", "CRS", "1", "2", "3", "oops"]),
        [AE, "row 6", "'oops'", "6 cells but the header has 5 columns"],
    ),
    # patients
    (
        "duplicate-patient-id",
        append_row(P, ["P1"] + PATIENT_ROW[1:]),
        [P, "row 8", "column 'patient_id'", "'P1'", "duplicate of row 2"],
    ),
    (
        "patient-id-with-space",
        append_row(P, ["P 7"] + PATIENT_ROW[1:]),
        [P, "row 8", "column 'patient_id'", "'P 7'", "pseudonymous"],
    ),
    (
        "patient-id-email",
        append_row(P, ["jane.doe@example.org"] + PATIENT_ROW[1:]),
        [P, "row 8", "column 'patient_id'", "'jane.doe@example.org'", "pseudonymous"],
    ),
    (
        "sex-female",
        set_cell(P, 2, "sex", "female"),
        [P, "row 2", "column 'sex'", "'female'", "must be F or M"],
    ),
    (
        "age-130",
        set_cell(P, 4, "age_years", "130"),
        [P, "row 4", "column 'age_years'", "'130'", "between 0 and 120"],
    ),
    (
        "weight-zero",
        set_cell(P, 5, "weight_kg", "0"),
        [P, "row 5", "column 'weight_kg'", "'0'", "must be > 0"],
    ),
    ("age-blank", set_cell(P, 6, "age_years", ""), [P, "row 6", "column 'age_years'", "must not be blank"]),
    (
        "age-decimal-comma",
        set_cell(P, 2, "age_years", "28,5"),
        [P, "row 2", "column 'age_years'", "'28,5'", "comma-separated", "use '.' as the decimal mark"],
    ),
    (
        "lupus-nephritis-maybe",
        set_cell(P, 3, "lupus_nephritis", "maybe"),
        [P, "row 3", "column 'lupus_nephritis'", "'maybe'", "true/false"],
    ),
    # measurements
    (
        "measurement-unknown-patient",
        set_cell(M, 2, "patient_id", "P9"),
        [M, "row 2", "column 'patient_id'", "'P9'", "unknown patient", "not in patients.csv"],
    ),
    (
        "measurement-patient-wrong-case",
        set_cell(M, 3, "patient_id", "p1"),
        [M, "row 3", "column 'patient_id'", "'p1'", "unknown patient", "did you mean 'P1'"],
    ),
    (
        "duplicate-patient-day-analyte",
        set_cell(M, 3, "day", "0"),
        [M, "row 3", "'P1, 0, car_t'", "duplicate of row 2", "one row per (patient_id, day, analyte)"],
    ),
    (
        "analyte-c-3",
        set_cell(M, R_C3_P2, "analyte", "c-3"),
        [M, f"row {R_C3_P2}", "column 'analyte'", "'c-3'", "unknown analyte code", "did you mean 'c3'"],
    ),
    (
        "analyte-sledai2k",
        set_cell(M, R_SLEDAI_P1, "analyte", "sledai2k"),
        [M, f"row {R_SLEDAI_P1}", "column 'analyte'", "'sledai2k'", "did you mean 'sledai_2k'"],
    ),
    (
        "unit-mmol-for-c3",
        set_cell(M, R_C3_P2, "unit", "mmol/L"),
        [M, f"row {R_C3_P2}", "column 'unit'", "'mmol/L'", "unit for c3", "expected g/L"],
    ),
    (
        "value-not-a-number",
        set_cell(M, R_SLEDAI_P1, "value", "high"),
        [M, f"row {R_SLEDAI_P1}", "column 'value'", "'high'", "must be a number"],
    ),
    (
        "value-negative",
        set_cell(M, R_UP_P3, "value", "-1.2"),
        [M, f"row {R_UP_P3}", "column 'value'", "'-1.2'", "must be >= 0"],
    ),
    (
        "value-infinite",
        set_cell(M, R_UP_P3, "value", "inf"),
        [M, f"row {R_UP_P3}", "column 'value'", "'inf'", "finite"],
    ),
    (
        "value-censored-without-number",
        set_cell(M, 2, "value", "<"),
        [M, "row 2", "column 'value'", "'<'", "censored value must be '<' followed by a number"],
    ),
    (
        "value-censored-above",
        set_cell(M, 4, "value", ">1000"),
        [M, "row 4", "column 'value'", "'>1000'", "only values below a limit may be censored"],
    ),
    ("day-not-whole", set_cell(M, 5, "day", "3.5"), [M, "row 5", "column 'day'", "'3.5'", "whole number"]),
    ("day-not-a-number", set_cell(M, 5, "day", "d7"), [M, "row 5", "column 'day'", "'d7'", "whole number"]),
    (
        "day-calendar-date",
        set_cell(M, 6, "day", "2024-03-01"),
        [M, "row 6", "column 'day'", "'2024-03-01'", "not a calendar date"],
    ),
    ("unit-blank", set_cell(M, 7, "unit", ""), [M, "row 7", "column 'unit'", "must not be blank"]),
    # adverse events
    (
        "ae-unknown-patient",
        set_cell(AE, 3, "patient_id", "P7"),
        [AE, "row 3", "column 'patient_id'", "'P7'", "unknown patient"],
    ),
    ("crs-grade-0", set_cell(AE, 2, "grade", "0"), [AE, "row 2", "column 'grade'", "'0'", "grade 1-5"]),
    ("crs-grade-6", set_cell(AE, 4, "grade", "6"), [AE, "row 4", "column 'grade'", "'6'", "grade 1-5"]),
    ("event-hlh", set_cell(AE, 5, "event", "HLH"), [AE, "row 5", "column 'event'", "'HLH'", "CRS or ICANS"]),
    (
        "resolution-before-onset",
        set_cell(AE, 2, "resolution_day", "0"),
        [AE, "row 2", "column 'resolution_day'", "'0'", "must not be before onset_day", "(onset_day 1)"],
    ),
    (
        "onset-negative",
        set_cell(AE, 3, "onset_day", "-1"),
        [AE, "row 3", "column 'onset_day'", "'-1'", ">= 0"],
    ),
    # dataset.yml
    (
        "yml-range-lower-above-upper",
        replace_text(YML, "c3: {lower: 0.9,", "c3: {lower: 2.0,"),
        [YML, "reference_ranges.c3", "lower 2.0 > upper 1.8", "lower limit must not exceed the upper limit"],
    ),
    (
        "yml-range-not-a-number",
        replace_text(YML, "c4: {lower: 0.16", "c4: {lower: low"),
        [YML, "reference_ranges.c4.lower", "'low'", "must be a number"],
    ),
    (
        "yml-range-unknown-key",
        replace_text(YML, "anti_dsdna: {upper: 8", "anti_dsdna: {uper: 8"),
        [YML, "reference_ranges.anti_dsdna.uper", "unknown key", "did you mean 'upper'"],
    ),
    (
        "yml-range-wrong-unit",
        replace_text(
            YML, "c3: {lower: 0.9, upper: 1.8, unit: g/L}", "c3: {lower: 0.9, upper: 1.8, unit: mmol/L}"
        ),
        [YML, "reference_ranges.c3.unit", "'mmol/L'", "expected g/L"],
    ),
    (
        "yml-range-unknown-analyte",
        replace_text(YML, "  c4: {", "  c-4: {"),
        [YML, "reference_ranges.c-4", "unknown analyte code", "did you mean 'c4'"],
    ),
    (
        "yml-missing-name",
        replace_text(YML, "name: im19-sle\n", ""),
        [YML, "'name'", "required key is missing"],
    ),
    (
        "yml-bad-name",
        replace_text(YML, "name: im19-sle", "name: IM19 SLE"),
        [YML, "'name'", "'IM19 SLE'", "[a-z0-9-]+"],
    ),
    (
        "yml-bad-provenance",
        replace_text(YML, "provenance: reconstructed", "provenance: simulated"),
        [YML, "'provenance'", "'simulated'", "'reconstructed', 'synthetic' or 'observed'"],
    ),
    (
        "yml-invalid-yaml",
        replace_text(YML, "definitions: {}", "definitions: {visit_window_days: 14"),
        [YML, "not valid YAML", "line"],
    ),
    ("yml-not-a-mapping", write_bytes(YML, b"- name\n- title\n"), [YML, "must be a mapping"]),
    (
        "yml-unknown-definition",
        replace_text(YML, "definitions: {}", "definitions: {visit_window: 14}"),
        [YML, "definitions.visit_window", "unknown definition", "did you mean 'visit_window_days'"],
    ),
    (
        "yml-definition-bad-value",
        replace_text(YML, "definitions: {}", "definitions: {visit_window_days: ten}"),
        [YML, "definitions.visit_window_days", "'ten'", "whole number"],
    ),
    (
        "yml-definitions-not-a-mapping",
        replace_text(YML, "definitions: {}", "definitions: [visit_window_days]"),
        [YML, "definitions", "must be a mapping"],
    ),
]

IDENTIFIER_COLUMNS = [
    (P, "name"),
    (P, "mrn"),
    (P, "date_of_birth"),
    (P, "email"),
    (P, "phone"),
    (P, "address"),
    (P, "passport_number"),
    (M, "visit_date"),
    (AE, "onset_date"),
    (P, "Date of Birth"),
    (P, "PatientName"),
]
PRIVACY = [
    (
        f"privacy-{col.replace(' ', '-')}",
        add_column(name, col, "x"),
        [name, "row 1", f"column '{col}'", "identifier", "remove the column"],
    )
    for name, col in IDENTIFIER_COLUMNS
]


@pytest.mark.parametrize("mutate, expected", [pytest.param(m, e, id=i) for i, m, e in MALFORMED + PRIVACY])
def test_malformed_dataset_is_rejected_with_a_precise_message(bundled_copy, capsys, mutate, expected):
    mutate(bundled_copy)
    rc, out, err = _validate(bundled_copy, capsys)
    assert rc == 2, out
    assert "valid (" not in out
    for word in expected:
        assert word in err, f"{word!r} not in:\n{err}"


def test_corpus_is_large_and_ids_are_unique():
    ids = [i for i, *_ in MALFORMED + PRIVACY]
    assert len(ids) >= 30
    assert len(set(ids)) == len(ids)


def test_every_message_line_names_file_and_rule(bundled_copy):
    """Every violation line has the form 'file[, row N][, column 'x']:[ value 'v':] rule'."""
    combine(set_cell(P, 2, "sex", "female"), set_cell(M, 2, "patient_id", "P9"))(bundled_copy)
    with pytest.raises(dataset.DataError) as exc:
        dataset.load(bundled_copy)
    for v in exc.value.violations:
        assert v.file in TABLE_FILES
        assert v.row is not None and v.row >= 2
        assert v.column and v.rule and v.severity == "error"
        assert str(v).startswith(f"{v.file}, row {v.row}, column '{v.column}': value ")


def test_privacy_guard_does_not_echo_identifier_values(bundled_copy, capsys):
    add_column(P, "email", "jane.doe@example.org")(bundled_copy)
    rc, _, err = _validate(bundled_copy, capsys)
    assert rc == 2
    assert "identifier" in err
    assert "jane.doe@example.org" not in err


def test_all_violations_are_reported_in_one_run(bundled_copy, capsys):
    combine(
        replace_text(YML, "provenance: reconstructed", "provenance: simulated"),
        set_cell(P, 2, "sex", "female"),
        set_cell(P, 5, "age_years", "-3"),
        set_cell(M, R_C3_P2, "analyte", "c-3"),
        set_cell(M, R_SLEDAI_P1, "day", "3.5"),
        set_cell(M, R_UP_P3, "unit", "mmol/L"),
        set_cell(AE, 3, "grade", "6"),
        set_cell(AE, 4, "event", "HLH"),
    )(bundled_copy)
    rc, _, err = _validate(bundled_copy, capsys)
    assert rc == 2
    lines = [line for line in err.splitlines() if line.startswith("  - ")]
    assert len(lines) == 8, err
    assert "8 problems found" in err
    expected = [
        (YML, "'provenance'", "'simulated'"),
        (P, "row 2", "'sex'", "'female'"),
        (P, "row 5", "'age_years'", "'-3'"),
        (M, f"row {R_C3_P2}", "'analyte'", "did you mean 'c3'"),
        (M, f"row {R_SLEDAI_P1}", "'day'", "'3.5'"),
        (M, f"row {R_UP_P3}", "'unit'", "'mmol/L'"),
        (AE, "row 3", "'grade'", "'6'"),
        (AE, "row 4", "'event'", "'HLH'"),
    ]
    for words in expected:
        assert sum(all(w in line for w in words) for line in lines) == 1, (words, err)
    # listed file by file (dataset.yml, then the tables in contract order), row by row
    with pytest.raises(dataset.DataError) as exc:
        dataset.load(bundled_copy)
    order = [([YML, P, M, AE].index(v.file), v.row or 0) for v in exc.value.violations]
    assert order == sorted(order)
    assert [f"  - {v}" for v in exc.value.violations] == lines


def test_one_cell_is_reported_once(bundled_copy):
    """An unknown analyte is one problem, not two (the loader and the schema both see it)."""
    set_cell(M, R_C3_P2, "analyte", "c-3")(bundled_copy)
    with pytest.raises(dataset.DataError) as exc:
        dataset.load(bundled_copy)
    assert len(exc.value.violations) == 1


def test_comment_and_blank_rows_keep_spreadsheet_row_numbers(bundled_copy, capsys):
    rows = _rows(bundled_copy / P)
    rows[2][1] = "female"  # P2, line 3 before the inserted rows
    rows = rows[:1] + [["# example, with, more, cells, than, the, header, has, too, many"], []] + rows[1:]
    _write_rows(bundled_copy / P, rows)
    rc, _, err = _validate(bundled_copy, capsys)
    assert rc == 2
    assert "patients.csv, row 5, column 'sex': value 'female'" in err
    assert err.count("  - ") == 1


# ---------------------------------------------------------------- warnings, not errors
def test_missing_baseline_is_a_warning_and_claims_stay_correct(bundled_copy, capsys):
    rows = _rows(bundled_copy / M)
    assert rows[R_SLEDAI_P1 - 1][:3] == ["P1", "-5", "sledai_2k"]
    del rows[R_SLEDAI_P1 - 1]
    _write_rows(bundled_copy / M, rows)

    rc, out, err = _validate(bundled_copy, capsys)
    assert rc == 0, err
    warnings = [line for line in out.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert "P1" in warnings[0] and "sledai_2k" in warnings[0] and "baseline" in warnings[0]

    ds = dataset.load(bundled_copy)
    assert [(w.severity, w.value) for w in ds.warnings] == [("warning", "P1")]
    got = {c["id"]: c for c in claims.evaluate(ds)}
    base = {c["id"]: c for c in claims.evaluate(dataset.load(BUNDLED))}
    # computed over the five patients that have a baseline: P2..P6 = 10, 16, 24, 10, 12
    assert got["sledai_baseline_median"]["reproduced"] == 12
    assert got["sledai_baseline_min"]["reproduced"] == 10
    assert got["sledai_baseline_max"]["reproduced"] == 24
    assert got["n_sledai_baseline_ge_10"]["reproduced"] == 5
    assert got["n_sledai_baseline_ge_10"]["status"] == "does not hold"
    # five pairs, all falling: exact two-sided p = 2 / 2**5
    assert got["sledai_m3_p_value"]["reproduced"] == pytest.approx(0.0625)
    assert got["sledai_m3_p_value"]["holds"] is False
    # claims that do not need the SLEDAI-2K baseline are unchanged
    for cid in (
        "sledai_m1_median",
        "sledai_m3_median",
        "n_renal_complete",
        "car_t_peak_median",
        "n_crs_grade1",
    ):
        assert got[cid]["reproduced"] == base[cid]["reproduced"]


def test_unknown_top_level_key_in_dataset_yml_is_a_warning(bundled_copy, capsys):
    replace_text(YML, "definitions: {}", "definitions: {}\ndefintions: {visit_window_days: 14}")(bundled_copy)
    rc, out, _ = _validate(bundled_copy, capsys)
    assert rc == 0
    assert "warning: dataset.yml, key 'defintions'" in out
    assert "did you mean 'definitions'" in out


# ---------------------------------------------------------------- accepted variants
def _add_bom(ds):
    for name in TABLE_FILES:
        (ds / name).write_bytes(b"\xef\xbb\xbf" + (ds / name).read_bytes())


def _map_cells(name, column, fn):
    def mutate(ds):
        rows = _rows(ds / name)
        i = rows[0].index(column)
        for r in rows[1:]:
            r[i] = fn(r)
        _write_rows(ds / name, rows)

    return mutate


def _scale(analytes, factor, unit):
    """Write ``analytes`` in another unit: value x factor (censored limits too)."""

    def mutate(ds):
        rows = _rows(ds / M)
        for r in rows[1:]:
            if r[2] in analytes:
                prefix, number = ("<", r[3][1:]) if r[3].startswith("<") else ("", r[3])
                r[3] = prefix + repr(round(float(number) * factor, 10))
                r[4] = unit
        _write_rows(ds / M, rows)

    return mutate


def _yes_no(r):
    return {"true": "yes", "false": "no"}[r[7]]


def _one_zero(r):
    return {"true": "1", "false": "0"}[r[7]]


def _add_comments(ds):
    for name in TABLE_FILES:
        rows = _rows(ds / name)
        n = len(rows[0])
        comment = ["#" + rows[1][0]] + rows[1][1:] if len(rows) > 1 else ["# none"]
        _write_rows(ds / name, rows[:1] + [comment, ["# filled in by hand"] + [""] * (n - 1), []] + rows[1:])


def _template_csvs(ds):
    """Leave the template's comment-only CSVs beside a filled-in data.xlsx."""
    to_xlsx()(ds)
    for name in TABLE_FILES:
        columns = [c.name for c in contract.TABLES[name[:-4]].columns]
        _write_rows(ds / name, [columns, ["#example"] + [""] * (len(columns) - 1)])


VARIANTS = [
    ("utf8-bom-on-every-csv", _add_bom, None),
    (
        "crlf-line-endings",
        lambda ds: [(ds / n).write_bytes((ds / n).read_bytes().replace(b"\n", b"\r\n")) for n in TABLE_FILES],
        None,
    ),
    ("greek-mu-in-cells-per-uL", _map_cells(M, "unit", lambda r: r[4].replace("\u00b5", "\u03bc")), None),
    ("u-in-cells-per-uL", _map_cells(M, "unit", lambda r: r[4].replace("µ", "u")), None),
    ("lupus-nephritis-yes-no", _map_cells(P, "lupus_nephritis", _yes_no), None),
    ("lupus-nephritis-1-0", _map_cells(P, "lupus_nephritis", _one_zero), None),
    (
        "c3-c4-in-mg-per-dL",
        _scale({"c3", "c4"}, 100, "mg/dL"),
        ["c3 values converted from mg/dL to g/L", "c4 values converted from mg/dL to g/L"],
    ),
    (
        "c3-c4-and-ranges-in-mg-per-dL",
        combine(
            _scale({"c3", "c4"}, 100, "mg/dL"),
            replace_text(
                YML, "c3: {lower: 0.9, upper: 1.8, unit: g/L}", "c3: {lower: 90, upper: 180, unit: mg/dL}"
            ),
            replace_text(
                YML, "c4: {lower: 0.16, upper: 0.5, unit: g/L}", "c4: {lower: 16, upper: 50, unit: mg/dL}"
            ),
        ),
        ["reference range of c3 converted from mg/dL to g/L"],
    ),
    (
        "urine-protein-in-mg-per-24h",
        _scale({"urine_protein_24h"}, 1000, "mg/24h"),
        ["urine_protein_24h values converted from mg/24h to g/24h"],
    ),
    ("blank-resolution-day", set_cell(AE, 2, "resolution_day", ""), None),
    ("tables-in-data-xlsx", to_xlsx(), None),
    ("data-xlsx-beside-template-csvs", _template_csvs, None),
    (
        "comment-and-blank-rows",
        _add_comments,
        [f"{name}: 1 empty row skipped" for name in TABLE_FILES],
    ),
    ("censored-with-space", _map_cells(M, "value", lambda r: r[3].replace("<", "< ")), None),
    ("extra-columns", add_column(P, "site", "Hangzhou"), ["patients.csv: extra column 'site' ignored"]),
    (
        "column-name-in-another-case",
        rename_column(M, "analyte", "Analyte"),
        ["measurements.csv: column 'Analyte' read as 'analyte'"],
    ),
    (
        "semicolon-separated",
        lambda ds: (ds / P).write_text((ds / P).read_text("utf-8").replace(",", ";"), "utf-8"),
        ["patients.csv: columns separated by ';'"],
    ),
]


#: make check tries these three (a workbook, converted units and ranges, spreadsheet rows); make test all.
IN_CHECK = ("tables-in-data-xlsx", "c3-c4-and-ranges-in-mg-per-dL", "comment-and-blank-rows")


@pytest.mark.parametrize(
    "mutate, notes", sampled([pytest.param(m, n, id=i) for i, m, n in VARIANTS], IN_CHECK)
)
def test_accepted_variant_gives_the_same_claims(
    bundled_copy, capsys, monkeypatch, bundled_claims, mutate, notes
):
    mutate(bundled_copy)
    rc, out, err, ds = validate_and_load(bundled_copy, capsys, monkeypatch)
    assert rc == 0, err
    assert ds.warnings == []
    assert len(ds.patients) == 6 and len(ds.measurements) == N_MEAS - 1 and len(ds.adverse_events) == 4
    assert set(ds.measurements["unit"]) == {"cells/µL", "points", "g/24h", "IU/mL", "g/L"}
    assert_same_claims(ds, bundled_claims)
    for note in notes or []:
        assert any(note in n for n in ds.notes), ds.notes
        assert note in "\n".join(line for line in out.splitlines() if line.startswith("note: "))
    if notes is None:
        assert ds.notes == []


def test_adverse_events_may_be_header_only(bundled_copy, capsys):
    header_only(AE)(bundled_copy)
    rc, out, err = _validate(bundled_copy, capsys)
    assert rc == 0, err
    assert "0 adverse events" in out
    got = {c["id"]: c["reproduced"] for c in claims.evaluate(dataset.load(bundled_copy))}
    assert (got["n_crs_grade1"], got["n_crs_grade2_plus"], got["n_icans"]) == (0, 0, 0)


def test_lupus_nephritis_words_are_parsed(bundled_copy):
    values = {2: "yes", 3: "no", 4: "1", 5: "0", 6: "TRUE", 7: "False"}
    for row, v in values.items():
        set_cell(P, row, "lupus_nephritis", v)(bundled_copy)
    ds = dataset.load(bundled_copy)
    assert ds.patients["lupus_nephritis"].tolist() == [True, False, True, False, True, False]


def test_blank_resolution_day_is_ongoing(bundled_copy):
    set_cell(AE, 3, "resolution_day", "")(bundled_copy)
    ae = dataset.load(bundled_copy).adverse_events
    assert ae["resolution_day"].isna().tolist() == [False, True, False, False]


def test_censored_values_are_kept_as_censored():
    raw = _rows(BUNDLED / M)[1:]
    m = dataset.load(BUNDLED).measurements
    assert len(m) == len(raw)
    flags = [r[3].startswith("<") for r in raw]
    assert sum(flags) > 0
    assert m["censored"].tolist() == flags
    limits = [float(r[3][1:]) for r in raw if r[3].startswith("<")]
    assert m.loc[m["censored"], "value"].tolist() == limits


def test_mg_per_dL_values_are_converted_to_g_per_L(bundled_copy):
    _scale({"c3"}, 100, "mg/dL")(bundled_copy)
    m = dataset.load(bundled_copy).measurements
    c3 = m[m["analyte"] == "c3"]
    assert set(c3["unit"]) == {"g/L"}
    assert c3["value"].tolist() == pytest.approx(
        [float(r[3]) for r in _rows(BUNDLED / M)[1:] if r[2] == "c3"]
    )


def test_data_in_both_csv_and_xlsx_is_ambiguous(bundled_copy, capsys):
    to_xlsx(keep_csv=True)(bundled_copy)
    rc, _, err = _validate(bundled_copy, capsys)
    assert rc == 2
    assert "both data.xlsx and the CSV files contain data" in err


# ---------------------------------------------------------------- inputs are only read
@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(None, id="valid-csv"),
        pytest.param(to_xlsx(), id="valid-xlsx"),
        pytest.param(set_cell(M, 2, "patient_id", "P9"), id="invalid-csv"),
        pytest.param(add_column(P, "email", "x"), id="privacy"),
        pytest.param(_scale({"c3", "c4"}, 100, "mg/dL"), id="converted-units"),
    ],
)
def test_validation_never_modifies_input_files(bundled_copy, capsys, mutate):
    if mutate:
        mutate(bundled_copy)
    before = _snapshot(bundled_copy)
    rc, _, _ = _validate(bundled_copy, capsys)
    assert rc in (0, 2)
    with contextlib.suppress(dataset.DataError):
        dataset.load(bundled_copy)
    assert _snapshot(bundled_copy) == before


def test_bundled_dataset_is_valid_and_unchanged(capsys, tmp_path):
    before = _snapshot(BUNDLED)
    rc, out, err = _validate(BUNDLED, capsys)
    assert rc == 0, err
    assert "valid (6 patients" in out
    assert _snapshot(BUNDLED) == before
    shutil.copytree(BUNDLED, tmp_path / "copy")
    assert dataset.load(tmp_path / "copy").sha256() == dataset.load(BUNDLED).sha256()


def test_validated_dataset_cache_follows_the_folder(bundled_copy, tmp_path):
    """A dataset validated in one folder and read back for another points at the new folder."""
    import shutil

    from sle_cart.inputs.dataset import load_cached

    cache = tmp_path / "cache"
    first_sha = load_cached(bundled_copy, cache_dir=cache).sha256()
    moved = tmp_path / "moved"
    shutil.copytree(bundled_copy, moved)
    shutil.rmtree(bundled_copy)
    again = load_cached(moved, cache_dir=cache)
    assert len(list(cache.glob("*.pickle"))) == 1  # read back, not validated again
    assert again.path == moved.resolve() and all(f.parent == moved.resolve() for f in again.files)
    assert again.sha256() == first_sha
    (moved / "patients.csv").write_text((moved / "patients.csv").read_text().replace("P1,F,28", "P1,F,29"))
    assert (
        load_cached(moved, cache_dir=cache).patients["age_years"].iloc[0] == 29
    )  # content change re-validates

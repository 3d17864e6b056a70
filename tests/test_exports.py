"""Real spreadsheet exports, tested from the user's side.

Each accepted variant is built from a copy of the bundled dataset the way Excel
or a hospital system writes it (Windows-1252, ';' or tabs with decimal commas,
headers and codes in another case, a workbook with other sheet names, empty
rows) and must give the same claims as the bundled data, with a note saying
what was read differently.  What cannot be told apart must stop validation
(exit 2) with a message naming the file, row, column, value and rule.
"""

from __future__ import annotations

import contextlib
import csv
import re
from pathlib import Path

import openpyxl
import pytest

from conftest import BUNDLED, assert_same_claims, sampled, validate_and_load
from sle_cart import cli
from sle_cart.analysis import claims
from sle_cart.inputs import contract, dataset

P, M, AE = "patients.csv", "measurements.csv", "adverse_events.csv"
TABLE_FILES = (P, M, AE)
NUMBER = re.compile(r"<?[-+]?\d*\.\d+(?:[eE][-+]?\d+)?")


# ---------------------------------------------------------------- helpers
def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def _write(path: Path, rows, delimiter: str = ",", encoding: str = "utf-8") -> None:
    with open(path, "w", newline="", encoding=encoding) as f:
        csv.writer(f, delimiter=delimiter, lineterminator="\r\n").writerows(rows)


N_PATIENTS = len(_rows(BUNDLED / P)) - 1
N_MEASUREMENTS = len(_rows(BUNDLED / M)) - 1
N_EVENTS = len(_rows(BUNDLED / AE)) - 1


def _mrow(pid: str, day: int, analyte: str) -> int:
    """Spreadsheet row (header = 1) of one bundled measurement."""
    for n, r in enumerate(_rows(BUNDLED / M), start=1):
        if r[:3] == [pid, str(day), analyte]:
            return n
    raise LookupError((pid, day, analyte))


R_C3_P2 = _mrow("P2", -5, "c3")


def _decimal_commas(rows: list[list[str]], table: str) -> list[list[str]]:
    """The rows with every decimal point of a numeric column written as a comma."""
    numeric = {c.name for c in contract.TABLES[table].columns if c.dtype in ("integer", "number")}
    cols = [i for i, name in enumerate(rows[0]) if name in numeric]
    out = [list(r) for r in rows]
    for r in out[1:]:
        for i in cols:
            if NUMBER.fullmatch(r[i]):
                r[i] = r[i].replace(".", ",")
    return out


def _european(delimiter: str):
    """Mutation: every table separated by ``delimiter`` with decimal commas (Excel in a ',' locale)."""

    def mutate(ds: Path) -> None:
        for name in TABLE_FILES:
            _write(ds / name, _decimal_commas(_rows(ds / name), name[:-4]), delimiter)

    return mutate


def _windows_1252(ds: Path) -> None:
    """Mutation: patients and measurements saved as "CSV" by Excel on Windows (µ is byte 0xB5)."""
    rows = _rows(ds / P)
    rows = [rows[0] + ["comment"]] + [r + ["suivi à Pékin"] for r in rows[1:]]
    _write(ds / P, rows, encoding="cp1252")
    _write(ds / M, _rows(ds / M), encoding="cp1252")
    assert b"\xb5" in (ds / M).read_bytes()


def _rename(name: str, renames: dict[str, str]):
    def mutate(ds: Path) -> None:
        rows = _rows(ds / name)
        rows[0] = [renames.get(c, c) for c in rows[0]]
        _write(ds / name, rows)

    return mutate


def _headers(ds: Path) -> None:
    _rename(M, {"patient_id": "Patient_ID", "day": "Day ", "analyte": "ANALYTE"})(ds)
    _rename(P, {"patient_id": "Patient ID", "age_years": "Age_Years"})(ds)
    _rename(AE, {"onset_day": "onset-day"})(ds)


def _map(name: str, column: str, fn):
    def mutate(ds: Path) -> None:
        rows = _rows(ds / name)
        i = rows[0].index(column)
        for r in rows[1:]:
            r[i] = fn(r[i])
        _write(ds / name, rows)

    return mutate


def _codes(ds: Path) -> None:
    _map(M, "analyte", str.upper)(ds)
    _map(P, "sex", str.lower)(ds)
    _map(AE, "event", str.lower)(ds)


def _typed(text: str):
    if text in ("", "true", "false"):
        return None if text == "" else text == "true"
    for kind in (int, float):
        with contextlib.suppress(ValueError):
            return kind(text)
    return text


def _workbook(sheets: dict[str, list[list[str]]], path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append([_typed(c) for c in r])
    wb.save(path)


def _excel_workbook(ds: Path) -> None:
    """Mutation: the tables as sheets 'Patients', 'Measurements', 'Adverse_Events' of data.xlsx,
    after a 'Read me' sheet, with an extra column; the CSVs removed."""
    tables = {name: _rows(ds / name) for name in TABLE_FILES}
    patients = tables[P]
    patients = [patients[0] + ["site"]] + [r + ["Beijing"] for r in patients[1:]]
    sheets = {
        "Read me": [["Exported from the trial database"], ["one sheet per table"]],
        "Patients": patients,
        "Measurements": tables[M],
        "Adverse_Events": tables[AE],
    }
    _workbook(sheets, ds / "data.xlsx")
    for name in TABLE_FILES:
        (ds / name).unlink()


def _empty_rows(ds: Path) -> None:
    """Mutation: empty rows in the middle of measurements.csv, as a spreadsheet exports them."""
    rows = _rows(ds / M)
    _write(ds / M, rows[:10] + [[""] * 5, [], [""] * 5] + rows[10:])


def _claims(ds) -> dict:
    return {c["id"]: (c["reproduced"], c["holds"]) for c in claims.evaluate(ds)}


def _validate(ds: Path, capsys) -> tuple[int, str, str]:
    rc = cli.main(["validate", str(ds)])
    out = capsys.readouterr()
    return rc, out.out, out.err


def _snapshot(folder: Path) -> dict:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


# ---------------------------------------------------------------- accepted exports
N_COLUMNS_AS_WRITTEN = "columns 'Patient_ID' read as 'patient_id', 'Day ' as 'day', 'ANALYTE' as 'analyte'"
EXPORTS = [
    (
        "windows-1252",
        _windows_1252,
        [
            "patients.csv: read as Windows-1252 (not valid UTF-8)",
            "patients.csv: extra column 'comment' ignored",
            "measurements.csv: read as Windows-1252 (not valid UTF-8)",
        ],
    ),
    (
        "semicolons-with-decimal-commas",
        _european(";"),
        [
            "patients.csv: columns separated by ';' with decimal commas",
            "measurements.csv: columns separated by ';' with decimal commas",
            "adverse_events.csv: columns separated by ';'",  # whole numbers only: no decimal mark seen
        ],
    ),
    (
        "tabs-with-decimal-commas",
        _european("\t"),
        [
            "patients.csv: columns separated by tabs with decimal commas",
            "measurements.csv: columns separated by tabs with decimal commas",
            "adverse_events.csv: columns separated by tabs",
        ],
    ),
    (
        "column-names-in-other-case-and-spacing",
        _headers,
        [
            "patients.csv: columns 'Patient ID' read as 'patient_id', 'Age_Years' as 'age_years'",
            f"measurements.csv: {N_COLUMNS_AS_WRITTEN}",
            "adverse_events.csv: column 'onset-day' read as 'onset_day'",
        ],
    ),
    (
        "codes-in-other-case",
        _codes,
        [
            f"patients.csv: {N_PATIENTS} sex codes matched ignoring case (e.g. 'f' as 'F')",
            f"measurements.csv: {N_MEASUREMENTS} analyte codes matched ignoring case (e.g. 'CAR_T' as 'car_t')",
            f"adverse_events.csv: {N_EVENTS} event codes matched ignoring case (e.g. 'crs' as 'CRS')",
        ],
    ),
    (
        "workbook-with-other-sheet-names",
        _excel_workbook,
        [
            "data.xlsx: sheets 'Patients' read as 'patients', 'Measurements' as 'measurements', "
            "'Adverse_Events' as 'adverse_events'; sheet 'Read me' ignored",
            "data.xlsx, sheet 'Patients': extra column 'site' ignored",
        ],
    ),
    ("empty-rows-in-the-middle", _empty_rows, ["measurements.csv: 3 empty rows skipped"]),
]


#: make check tries these two (a legacy encoding with decimal commas, a workbook); make test all.
IN_CHECK = ("semicolons-with-decimal-commas", "workbook-with-other-sheet-names")


@pytest.mark.parametrize(
    "mutate, notes", sampled([pytest.param(m, n, id=i) for i, m, n in EXPORTS], IN_CHECK)
)
def test_export_gives_the_bundled_claims_and_says_what_was_read(
    bundled_copy, capsys, monkeypatch, bundled_claims, mutate, notes
):
    mutate(bundled_copy)
    before = _snapshot(bundled_copy)
    rc, out, err, ds = validate_and_load(bundled_copy, capsys, monkeypatch)
    assert rc == 0, err
    assert _snapshot(bundled_copy) == before  # only read
    assert ds.notes == notes  # exactly these, in reading order: one per file and kind
    assert [line[len("note: ") :] for line in out.splitlines() if line.startswith("note: ")] == notes
    assert ds.warnings == []
    assert (len(ds.patients), len(ds.measurements), len(ds.adverse_events)) == (
        N_PATIENTS,
        N_MEASUREMENTS,
        N_EVENTS,
    )
    assert set(ds.measurements["unit"]) == {"cells/µL", "points", "g/24h", "IU/mL", "g/L"}
    assert_same_claims(ds, bundled_claims)


def test_values_read_from_decimal_commas_equal_the_bundled_values(bundled_copy):
    _european(";")(bundled_copy)
    text = (bundled_copy / M).read_text("utf-8")
    assert ";<0,5;" in text and ";1,6;" in text  # censored and plain values with decimal commas
    got, base = dataset.load(bundled_copy), dataset.load(BUNDLED)
    for table in ("patients", "measurements", "adverse_events"):
        assert getattr(got, table).equals(getattr(base, table)), table


def test_codes_and_columns_read_as_the_contract_names_them(bundled_copy):
    for mutate in (_codes, _headers, _excel_workbook):
        mutate(bundled_copy)
    ds = dataset.load(bundled_copy)
    base = dataset.load(BUNDLED)
    assert list(ds.patients.columns) == list(base.patients.columns)  # 'site' ignored, not kept
    assert set(ds.patients["sex"]) == {"F", "M"}
    assert set(ds.adverse_events["event"]) == {"CRS"}
    assert set(ds.measurements["analyte"]) == set(base.measurements["analyte"])
    assert ds.measurements.equals(base.measurements)


def test_empty_rows_keep_spreadsheet_row_numbers(bundled_copy, capsys):
    rows = _rows(bundled_copy / M)
    rows[R_C3_P2 - 1][4] = "mmol/L"
    rows = rows[:2] + [[""] * 5, []] + rows[2:]  # two empty rows above the bad cell
    _write(bundled_copy / M, rows, delimiter=";")
    rc, _, err = _validate(bundled_copy, capsys)
    assert rc == 2
    assert f"measurements.csv, row {R_C3_P2 + 2}, column 'unit': value 'mmol/L'" in err
    assert err.count("  - ") == 1


def test_workbook_rows_keep_spreadsheet_row_numbers(bundled_copy, capsys):
    _excel_workbook(bundled_copy)
    wb = openpyxl.load_workbook(bundled_copy / "data.xlsx")
    ws = wb["Measurements"]
    ws.insert_rows(3, amount=2)  # two empty rows
    ws.cell(row=R_C3_P2 + 2, column=5, value="mmol/L")
    wb.save(bundled_copy / "data.xlsx")
    rc, _, err = _validate(bundled_copy, capsys)
    assert rc == 2
    assert f"data.xlsx, sheet 'Measurements', row {R_C3_P2 + 2}, column 'unit': value 'mmol/L'" in err
    assert err.count("  - ") == 1


def test_dataset_yml_in_windows_1252_is_read_and_noted(bundled_copy, capsys):
    text = (bundled_copy / "dataset.yml").read_text("utf-8")
    title = re.search(r"^title: (.*)$", text, re.M).group(1)
    (bundled_copy / "dataset.yml").write_bytes(text.replace(title, "Kohorte Zürich – CAR-T").encode("cp1252"))
    rc, out, err = _validate(bundled_copy, capsys)
    assert rc == 0, err
    assert "note: dataset.yml: read as Windows-1252 (not valid UTF-8)" in out
    assert dataset.load(bundled_copy).title == "Kohorte Zürich – CAR-T"


def test_privacy_guard_applies_after_header_normalisation(bundled_copy, capsys):
    """An identifier column is caught whatever its case, spacing, separator or encoding."""
    rows = _rows(bundled_copy / P)
    rows[0] = ["Patient_ID"] + rows[0][1:] + [" E-Mail ", "DATE OF BIRTH"]
    rows[1:] = [r + ["jane.doe@example.org", "01.02.1990"] for r in rows[1:]]
    _write(bundled_copy / P, _decimal_commas(rows, "patients"), ";", "cp1252")
    before = _snapshot(bundled_copy)
    rc, _, err = _validate(bundled_copy, capsys)
    assert rc == 2
    assert "patients.csv, row 1, column 'E-Mail': looks like a direct identifier" in err
    assert "patients.csv, row 1, column 'DATE OF BIRTH': looks like a direct identifier" in err
    assert "'Patient_ID'" not in err  # the pseudonymous id, read as patient_id, is allowed
    assert "jane.doe@example.org" not in err and "1990" not in err
    assert _snapshot(bundled_copy) == before


# ---------------------------------------------------------------- ambiguous exports stay errors
def _duplicate_day(ds: Path) -> None:
    rows = _rows(ds / M)
    _write(ds / M, [rows[0] + ["Day"]] + [r + [r[1]] for r in rows[1:]])


def _set_value(value: str, delimiter: str = ","):
    """Mutation: measurements with one value (P2's baseline C3) written as ``value``."""

    def mutate(ds: Path) -> None:
        rows = _rows(ds / M)
        if delimiter != ",":
            rows = _decimal_commas(rows, "measurements")
        rows[R_C3_P2 - 1][3] = value
        _write(ds / M, rows, delimiter)

    return mutate


def _unquoted_decimal_comma(ds: Path) -> None:
    lines = (ds / M).read_text("utf-8").splitlines()
    pid, day, analyte, value, unit = lines[R_C3_P2 - 1].split(",")
    lines[R_C3_P2 - 1] = ",".join([pid, day, analyte, value.replace(".", ","), unit])
    (ds / M).write_text("\n".join(lines) + "\n", "utf-8")


def _two_event_sheets(ds: Path) -> None:
    """Mutation: an old copy 'Adverse events' beside 'Adverse_Events' (Excel itself refuses
    sheet names that differ only in case, so they differ in spacing here)."""
    _excel_workbook(ds)
    wb = openpyxl.load_workbook(ds / "data.xlsx")
    wb.copy_worksheet(wb["Adverse_Events"]).title = "Adverse events"
    wb.save(ds / "data.xlsx")


def _mixed_encodings(ds: Path) -> None:
    rows = _rows(ds / P)
    rows[0].append("note")
    rows[1:] = [r + [""] for r in rows[1:]]
    rows[1][-1] = "suivi"
    rows[2][-1] = "Zürich"
    _write(ds / P, rows)  # UTF-8 'ü' in one row, Windows-1252 'à' and 'é' in another
    (ds / P).write_bytes((ds / P).read_bytes().replace(b"suivi", b"suivi \xe0 P\xe9kin"))


AMBIGUOUS = [
    (
        "two-columns-read-as-day",
        _duplicate_day,
        [M, "row 1", "column 'Day'", "columns 'day' and 'Day' are both read as 'day'", "keep one of them"],
    ),
    (
        "thousands-separator-in-semicolon-file",
        _set_value("1.234,5", ";"),
        [M, f"row {R_C3_P2}", "column 'value'", "value '1.234,5'", "ambiguous number", "thousands separator"],
    ),
    (
        "dot-groups-in-a-file-with-decimal-commas",
        _set_value("1.234", ";"),
        [M, f"row {R_C3_P2}", "column 'value'", "value '1.234'", "ambiguous number", "thousands separator"],
    ),
    (
        "quoted-decimal-comma-in-comma-file",
        _set_value("1,5"),
        [
            M,
            f"row {R_C3_P2}",
            "column 'value'",
            "value '1,5'",
            "comma-separated",
            "use '.' as the decimal mark",
        ],
    ),
    (
        "thousands-separator-in-comma-file",
        _set_value("1.234,5"),
        [M, f"row {R_C3_P2}", "column 'value'", "value '1.234,5'", "use '.' as the decimal mark"],
    ),
    (
        "unquoted-decimal-comma-in-comma-file",
        _unquoted_decimal_comma,
        [M, f"row {R_C3_P2}", "row has 6 cells but the header has 5 columns", "decimal comma", "'.'"],
    ),
    (
        "two-sheets-match-adverse-events",
        _two_event_sheets,
        [
            "data.xlsx",
            "sheets 'Adverse_Events' and 'Adverse events' both match 'adverse_events'",
            "ignoring case",
            "keep one of them",
        ],
    ),
    (
        "utf8-and-windows-1252-mixed",
        _mixed_encodings,
        [P, "mixes text encodings", "not UTF-8", "save the file again as CSV UTF-8"],
    ),
]


@pytest.mark.parametrize("mutate, expected", [pytest.param(m, e, id=i) for i, m, e in AMBIGUOUS])
def test_ambiguous_export_is_rejected_with_a_precise_message(bundled_copy, capsys, mutate, expected):
    mutate(bundled_copy)
    before = _snapshot(bundled_copy)
    rc, out, err = _validate(bundled_copy, capsys)
    assert rc == 2, out
    assert "valid (" not in out
    for word in expected:
        assert word in err, f"{word!r} not in:\n{err}"
    with pytest.raises(dataset.DataError) as exc:
        dataset.load(bundled_copy)
    assert all(v.severity == "error" for v in exc.value.violations)
    assert _snapshot(bundled_copy) == before

"""Issue 21: hostile workbooks, formulas in CSV downloads and identifying text in values.

Each test states one promise of the issue (the item number is in its docstring) and
fails on the code before the issue was mended.
"""

from __future__ import annotations

import csv
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sle_cart import cli

P = "patients.csv"


def _validate(ds: Path, capsys) -> tuple[int, str, str]:
    rc = cli.main(["validate", str(ds)])
    out, err = capsys.readouterr()
    return rc, out, err


# ---------------------------------------------------------------- item 5: workbook bounds
def _far_cell_workbook(folder: Path, declared: str | None) -> Path:
    """A tiny data.xlsx whose 'patients' sheet has one cell at XFD1048576; ``declared`` rewrites
    the sheet's <dimension ref> (a lying workbook) or, when None, keeps what openpyxl wrote."""
    wb = openpyxl.Workbook()
    wb.active.title = "patients"
    wb.active["A1"] = "patient_id"
    wb.active["XFD1048576"] = "x"
    wb.create_sheet("measurements")["A1"] = "patient_id"
    wb.create_sheet("adverse_events")["A1"] = "patient_id"
    path = folder / "data.xlsx"
    wb.save(path)
    if declared is not None:
        with zipfile.ZipFile(path) as zf:
            parts = {i.filename: zf.read(i) for i in zf.infolist()}
        sheet = "xl/worksheets/sheet1.xml"
        parts[sheet] = re.sub(
            rb'<dimension ref="[^"]*"', f'<dimension ref="{declared}"'.encode(), parts[sheet]
        )
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in parts.items():
                zf.writestr(name, data)
    return path


@pytest.mark.parametrize("declared", [None, "A1:A1"], ids=["declared", "lying-dimension"])
def test_a_workbook_with_a_far_cell_is_refused_before_loading(bundled_copy, capsys, declared):
    """Item 5: one cell at XFD1048576 in a 10 KB workbook drove validate past 6 GB."""
    for p in bundled_copy.glob("*.csv"):
        p.unlink()
    xlsx = _far_cell_workbook(bundled_copy, declared)
    assert xlsx.stat().st_size < 20_000
    start = time.perf_counter()
    rc, _, err = _validate(bundled_copy, capsys)
    assert time.perf_counter() - start < 10
    assert rc == 2
    assert "data.xlsx: is too large to read: sheet 'patients' reaches 16,384 columns (at most 200)" in err


def test_a_workbook_too_large_once_uncompressed_is_refused(bundled_copy, capsys, monkeypatch):
    """Item 5: the uncompressed size comes from the zip directory, before anything is inflated."""
    from sle_cart.inputs import workbook

    for p in bundled_copy.glob("*.csv"):
        p.unlink()
    with zipfile.ZipFile(bundled_copy / "data.xlsx", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + b" " * 3_000_000 + b"</worksheet>")
    monkeypatch.setattr(workbook, "MAX_UNCOMPRESSED", 2 * 2**20)
    rc, _, err = _validate(bundled_copy, capsys)
    assert rc == 2 and "data.xlsx: is too large to read: 3 MB once uncompressed (at most 2 MB)" in err


# ---------------------------------------------------------------- item 6: formulas in CSV downloads
def test_csv_downloads_neutralise_formulas_and_keep_negative_numbers(tmp_path):
    """Item 6: a cell starting with =, +, -, @, tab or CR is prefixed with ' (OWASP); numbers stay."""
    import pandas as pd

    from sle_cart.present.publish import publish
    from sle_cart.present.table import Table

    frame = pd.DataFrame(
        {
            "dose_group": [
                '=HYPERLINK("http://x","click")',
                "+cmd|' /C calc'!A0",
                "@SUM(1+1)",
                "\tx",
                "1e6/kg",
            ],
            "change": [-2.5, 3.0, -1.0, 0.0, 2.0],
            "shown": ["-2.5", "-2-3", "\rx", "-", "<5"],
        },
        index=pd.Index(["-2-3", "P2", "P3", "P4", "P5"], name="patient_id"),
    )
    publish(Table(frame, [], name="t"), tmp_path)
    with open(tmp_path / "downloads" / "t.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[1] == ["'-2-3", '\'=HYPERLINK("http://x","click")', "-2.5", "-2.5"]
    assert rows[2] == ["P2", "'+cmd|' /C calc'!A0", "3.0", "'-2-3"]
    assert rows[3] == ["P3", "'@SUM(1+1)", "-1.0", "'\nx"]  # a CR in a cell would split the row
    assert rows[4] == ["P4", "'\tx", "0.0", "'-"]
    assert rows[5] == ["P5", "1e6/kg", "2.0", "<5"]


# ---------------------------------------------------------------- item 11: identifying text in values
IDENTIFYING = {
    "name-and-dob": "Jane Doe DOB 1980-01-01",
    "date": "born 03/04/1975",
    "email": "jane.doe@example.org",
    "phone": "+44 20 7946 0958",
    "record-number": "MRN 4471123",
    "title-and-name": "Mrs Smith",
}


def _set_dose_group(ds: Path, row: int, value: str) -> None:
    with open(ds / P, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[row - 1][rows[0].index("dose_group")] = value
    with open(ds / P, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


@pytest.mark.parametrize("value", IDENTIFYING.values(), ids=IDENTIFYING.keys())
def test_identifying_text_in_a_free_text_column_fails_validation(bundled_copy, capsys, value):
    """Item 11: 'Jane Doe DOB 1980-01-01' as a dose group was published in Table 1 without a word."""
    _set_dose_group(bundled_copy, 3, value)
    rc, _, err = _validate(bundled_copy, capsys)
    assert rc == 2
    assert "patients.csv, row 3, column 'dose_group': looks like identifying text" in err
    assert value not in err  # the value itself is not echoed into logs


def test_identifying_text_may_be_allowed_with_a_reason_that_the_footer_shows(bundled_copy, capsys):
    """Item 11: an explicit opt-out with its reason validates, and the reason is published."""
    from sle_cart.book.sphinx_ext import footer_html
    from sle_cart.inputs.dataset import load

    _set_dose_group(bundled_copy, 3, "Dr Smith's protocol")
    reason = "dose groups are named after the consenting investigator"
    with open(bundled_copy / "dataset.yml", "a", encoding="utf-8") as f:
        f.write(f"privacy: {{allow_identifying_text: {reason}}}\n")
    rc, out, err = _validate(bundled_copy, capsys)
    assert rc == 0, err
    assert reason in out
    ds = load(bundled_copy)
    assert any(reason in n for n in ds.notes)
    assert reason in footer_html(ds, "abc", {})


@pytest.mark.parametrize("privacy", ["{allow_identifying_text: ''}", "{allow: yes}", "true"])
def test_an_opt_out_needs_a_reason(bundled_copy, capsys, privacy):
    """Item 11: the opt-out is explicit: an empty or misspelt one is an error, not a silent pass."""
    with open(bundled_copy / "dataset.yml", "a", encoding="utf-8") as f:
        f.write(f"privacy: {privacy}\n")
    rc, _, err = _validate(bundled_copy, capsys)
    assert rc == 2 and "dataset.yml, key 'privacy" in err


def test_ordinary_dose_groups_are_not_flagged(bundled_copy, capsys):
    """Item 11: false positives stay low: dose wording with numbers and units passes beside the one
    identifying value, which alone is reported."""
    ordinary = ["1e6/kg", "1e8 flat", "DL2 (5x10^7 cells)", "1.0 x 10^6/kg", "Cohort B-2"]
    for row, value in enumerate(ordinary, start=2):
        _set_dose_group(bundled_copy, row, value)
    _set_dose_group(bundled_copy, 7, "call 555-867-5309")
    rc, _, err = _validate(bundled_copy, capsys)
    assert rc == 2
    flagged = [line for line in err.splitlines() if "looks like identifying text" in line]
    assert len(flagged) == 1 and "row 7, column 'dose_group'" in flagged[0]

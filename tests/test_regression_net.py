"""The nbval regression net has teeth: a changed input value fails the cells that show it."""

from __future__ import annotations

import shutil
import subprocess
import sys

import nbformat
import pytest

from conftest import BUNDLED, ROOT

pytestmark = pytest.mark.build


NOTEBOOKS = ["01-summary.ipynb", "02-table1-baseline.ipynb"]


def _nbval(book, capture=True):
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "-o",
        "testpaths=",
        "--rootdir",
        str(book),
        "-q",
        *[str(book / "chapters" / n) for n in NOTEBOOKS],
    ]
    return subprocess.run(cmd, cwd=book, capture_output=True, text=True)


def _book(tmp_path, perturb: bool):
    book = tmp_path / ("perturbed" if perturb else "control")
    (book / "chapters").mkdir(parents=True)
    for n in NOTEBOOKS:
        shutil.copy2(ROOT / "chapters" / n, book / "chapters" / n)
    shutil.copytree(BUNDLED, book / "data" / BUNDLED.name)
    if perturb:  # the youngest patient's age, 19 -> 21: the published minimum age
        p = book / "data" / BUNDLED.name / "patients.csv"
        text = p.read_text(encoding="utf-8")
        assert "P2,M,19," in text
        p.write_text(text.replace("P2,M,19,", "P2,M,21,"), encoding="utf-8")
    return book


def test_unchanged_data_passes_nbval(tmp_path):
    proc = _nbval(_book(tmp_path, perturb=False))
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_one_changed_value_fails_the_cells_that_show_it(tmp_path):
    proc = _nbval(_book(tmp_path, perturb=True))
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:]
    failed = sorted(
        line.split(" - ")[0].removeprefix("FAILED ") for line in out.splitlines() if line.startswith("FAILED")
    )
    # the summary's "who was treated" paragraph (the age range), its "does this dataset reproduce the
    # abstract" paragraph (38 of 39 now hold) and Table 1 change; nothing else in these chapters does
    summary = [
        c.source
        for c in nbformat.read(ROOT / "chapters" / "01-summary.ipynb", 4).cells
        if c.cell_type == "code"
    ]
    cell = {
        key: next(i for i, s in enumerate(summary) if f'summary_section("{key}"' in s)
        for key in ("treated", "reproduction")
    }
    assert [f.split("/")[-1] for f in failed] == sorted(
        [
            f"01-summary.ipynb::Cell {cell['treated']}",
            f"01-summary.ipynb::Cell {cell['reproduction']}",
            "02-table1-baseline.ipynb::Cell 2",
        ]
    )
    assert "19" in out and "21" in out

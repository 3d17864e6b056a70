"""End-to-end builds: the site, claims.json, atomic publishing, caching and reproducibility."""

from __future__ import annotations

import html
import importlib.metadata
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from conftest import BUNDLED, ROOT, book_copy, warm_cache, write_dataset
from sle_cart import cli
from sle_cart.book.build import BuildError, build, chapters
from sle_cart.present import registry

pytestmark = pytest.mark.build


FIGURES = registry.names("figure")
TABLES = registry.names("table")
ALTAIR = f"altair {importlib.metadata.version('altair')}"


def _tree_bytes(d: Path, skip=(".sle-site-key",)) -> dict[str, bytes]:
    return {
        str(p.relative_to(d)): p.read_bytes()
        for p in sorted(d.rglob("*"))
        if p.is_file() and p.name not in skip
    }


# ------------------------------------------------------------------ the bundled book
def test_bundled_claims_json_all_hold(bundled_build):
    _result, base = bundled_build
    doc = json.loads((base / "html" / "claims.json").read_text(encoding="utf-8"))
    assert doc["dataset"]["name"] == "im19-sle" and doc["dataset"]["provenance"] == "reconstructed"
    assert re.fullmatch(r"[0-9a-f]{64}", doc["dataset"]["sha256"])
    assert len(doc["claims"]) == 39
    assert [c["id"] for c in doc["claims"] if not c["holds"]] == []
    p = {c["id"]: c for c in doc["claims"]}
    assert p["sledai_m3_p_value"]["published"] == "<0.05" and p["sledai_m3_p_value"]["reproduced"] < 0.05
    assert p["car_t_peak_median"]["published"] == 188.1


def test_every_figure_has_svg_png_csv_and_source_link(bundled_build):
    _, base = bundled_build
    site = base / "html"
    for name in FIGURES:
        for ext in ("svg", "png", "csv", "vl.json"):
            f = site / "downloads" / f"{name}.{ext}"
            assert f.exists() and f.stat().st_size > 100, f
        assert (site / "downloads" / f"{name}.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")
    for name in TABLES:
        assert (site / "downloads" / f"{name}.csv").exists(), name
    pages = "".join(p.read_text(encoding="utf-8") for p in (site / "chapters").glob("*.html"))
    for name in FIGURES:
        assert f'href="../downloads/{name}.svg"' in pages
    for fn in re.findall(r'href="\.\./_modules/sle_cart/([\w/]+)\.html#(\w+)"', pages):
        module_page = (site / "_modules" / "sle_cart" / f"{fn[0]}.html").read_text(encoding="utf-8")
        assert f'id="{fn[1]}"' in module_page, fn  # the caption's source link lands on the function


def test_no_network_resources_in_the_site(bundled_build):
    _, base = bundled_build
    for page in (base / "html").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", text):
            assert not re.search(r'(?:src|href)="(?:https?:)?//', tag), (page.name, tag)
        assert "cdn.jsdelivr.net" not in text, page.name
    assert (base / "html" / "_static" / "sle" / "vega-bundle.js").stat().st_size > 500_000


def test_notice_and_provenance_on_every_page(bundled_build):
    _, base = bundled_build
    pages = [p for p in (base / "html").rglob("*.html") if "_static" not in p.parts]
    assert len(pages) >= 12
    sha = json.loads((base / "html" / "claims.json").read_text(encoding="utf-8"))["dataset"]["sha256"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert 'class="sle-notice"' in text and "consistent with the published summary statistics" in text, (
            page
        )
        assert "Dataset license: CC0-1.0" in text and "CC BY 4.0" in text, page
        assert 'class="sle-provenance"' in text and sha in text and ALTAIR in text, page


def test_summary_chapter_holds_no_typed_numbers():
    """The summary's own text holds no digits: every sentence with a number is built by present.prose."""
    nb = nbformat.read(ROOT / "chapters" / "01-summary.ipynb", as_version=4)
    for cell in nb.cells[1:]:  # the first cell cites the abstract (volume, year, registration)
        if cell.cell_type == "markdown":
            assert not re.search(r"\d", cell.source.replace("IM19", "")), cell.source  # a product name
    calls = [c.source for c in nb.cells if c.cell_type == "code" and "summary_section(" in c.source]
    assert len(calls) >= 7


def test_committed_notebooks_are_the_build_output(bundled_build):
    """chapters/*.ipynb are exactly what a clean build executes (the nbval reference is current)."""
    _, base = bundled_build
    for nb in chapters(ROOT):
        cached = list((base / "cache").glob(f"{nb.stem}-*/{nb.name}"))
        assert len(cached) == 1
        assert cached[0].read_bytes() == nb.read_bytes(), (
            f"{nb.name} differs from a fresh build: run make book"
        )


def test_rebuild_from_clean_is_byte_identical_and_sequential_equals_parallel(bundled_build, tmp_path):
    _first, base = bundled_build
    build(out=tmp_path / "html", cache_dir=tmp_path / "cache", quiet=True, jobs=1)
    a, b = _tree_bytes(base / "html"), _tree_bytes(tmp_path / "html")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    for nb in chapters(ROOT):
        (x,), (y,) = (list((d / "cache").glob(f"{nb.stem}-*/{nb.name}")) for d in (base, tmp_path))
        assert x.read_bytes() == y.read_bytes(), nb.name


# ------------------------------------------------------------------ cache and incremental builds
@pytest.fixture
def private_book(bundled_build, tmp_path):
    """A copy of the book sources and of the session's warm cache."""
    _, base = bundled_build
    book = book_copy(tmp_path / "book")
    return book, warm_cache(base, tmp_path / "cache")


def test_cache_skips_unchanged_and_reexecutes_only_the_edited_chapter(private_book):
    book, cache = private_book
    out = book / "_build" / "html"
    r1 = build(out=out, cache_dir=cache, book_root=book, quiet=True)
    assert r1.executed == [] and len(r1.cached) == len(chapters(book)) and r1.site_built
    r2 = build(out=out, cache_dir=cache, book_root=book, quiet=True)
    assert r2.executed == [] and r2.site_built is False  # nothing changed: no site build at all
    # prose only, and the chapter renamed: its cached outputs with the new text, and every page's
    # navigation re-written, not only its own page
    nb_path = book / "chapters" / "07-safety.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    renamed = nb.cells[0].source.replace("# Safety: CRS and ICANS", "# Safety, renamed")
    assert renamed != nb.cells[0].source
    nb.cells[0].source = renamed + "\n\nAn added sentence."
    nbformat.write(nb, nb_path)
    r3 = build(out=out, cache_dir=cache, book_root=book, quiet=True)
    assert r3.executed == [] and r3.site_built
    assert "An added sentence." in (out / "chapters" / "07-safety.html").read_text(encoding="utf-8")
    assert "Safety, renamed" in (out / "chapters" / "01-summary.html").read_text(encoding="utf-8")
    reused = nbformat.reads(nb_path.read_text(encoding="utf-8"), as_version=4)  # written back by the build
    assert "An added sentence." in reused.cells[0].source
    # a code cell edited: that chapter alone is executed, and gives the outputs the cache gave
    nb = nbformat.read(nb_path, as_version=4)
    edited = next(
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and "remove-cell" not in c.metadata.get("tags", [])
    )
    nb.cells[edited].source += "  # a comment changes the code cell"
    nbformat.write(nb, nb_path)
    r4 = build(out=out, cache_dir=cache, book_root=book, quiet=True)
    assert r4.executed == ["07-safety"] and r4.site_built
    executed = nbformat.read(nb_path, as_version=4)
    assert executed.metadata == reused.metadata and len(executed.cells) == len(reused.cells)
    for i, (x, y) in enumerate(zip(executed.cells, reused.cells)):
        assert {k: v for k, v in x.items() if k != "source"} == {k: v for k, v in y.items() if k != "source"}
        comment = "  # a comment changes the code cell" if i == edited else ""
        assert x.source == y.source + comment


def test_failed_chapter_leaves_previous_output_identical(private_book, bundled_build, capsys):
    book, cache = private_book
    out = book / "_build" / "html"
    shutil.copytree(bundled_build[1] / "html", out)  # the last good site
    before = _tree_bytes(out, skip=())
    nb_path = book / "chapters" / "05-fig2a-sledai.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure')"))
    nbformat.write(nb, nb_path)
    with pytest.raises(
        BuildError, match=r"05-fig2a-sledai.ipynb: cell \d+ raised RuntimeError: deliberate failure"
    ):
        build(out=out, cache_dir=cache, book_root=book, quiet=True)
    assert _tree_bytes(out, skip=()) == before
    assert not list(out.parent.glob(".sle-build-*"))  # staging removed
    kept = book / "_build" / "failed" / "05-fig2a-sledai.ipynb"  # the traceback stays readable
    assert "deliberate failure" in kept.read_text(encoding="utf-8")
    assert "Traceback" in kept.read_text(encoding="utf-8") or "RuntimeError" in kept.read_text(
        encoding="utf-8"
    )


def test_editing_a_module_in_a_subpackage_reexecutes_the_chapters(private_book, tmp_path, monkeypatch):
    """Cache keys hash the whole package, recursively: any module edit re-runs the chapters."""
    from sle_cart.book import plan as plan_mod
    from sle_cart.paths import PACKAGE

    book, cache = private_book
    pkg = tmp_path / "pkg"
    shutil.copytree(PACKAGE, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(plan_mod, "PACKAGE", pkg)

    def todo():
        p = plan_mod.make_plan(book, BUNDLED.resolve(), tmp_path / "o", cache, force=False, jobs=1)
        return sorted(nb.stem for nb in p.todo)

    assert todo() == []  # an identical copy of the package hits the warm cache
    module = pkg / "analysis" / "renal.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert todo() == sorted(nb.stem for nb in chapters(book))


def test_invalid_data_exits_2_and_leaves_output_identical(bundled_build, tmp_path, capsys):
    _, base = bundled_build
    out = tmp_path / "html"
    shutil.copytree(base / "html", out)
    before = _tree_bytes(out, skip=())
    bad = tmp_path / "bad"
    shutil.copytree(BUNDLED, bad)
    (bad / "patients.csv").write_text((bad / "patients.csv").read_text().replace("P2,M", "P2,X"))
    assert cli.main(["build", "--data", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "patients.csv, row 3, column 'sex'" in err and "nothing was built" in err
    assert _tree_bytes(out, skip=()) == before


def _wait_for_chapter_execution(parent: Path, proc, timeout: float = 120) -> None:
    """Block until a chapter kernel of the build staged in ``parent`` is running (no fixed sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the build ended before a chapter started executing"
        if list(parent.glob(".sle-build-*/run/*/kernel.log")):
            return
        time.sleep(0.05)
    raise AssertionError("no chapter started executing")


def test_interrupted_build_leaves_output_identical(bundled_build, tmp_path):
    _, base = bundled_build
    out = tmp_path / "html"
    shutil.copytree(base / "html", out)
    before = _tree_bytes(out, skip=())
    proc = subprocess.Popen(
        [sys.executable, "-m", "sle_cart", "build", "--out", str(out), "--force", "--quiet"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    _wait_for_chapter_execution(out.parent, proc)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C signals the whole foreground process group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "previous output is unchanged" in err
    assert _tree_bytes(out, skip=()) == before
    assert not list(out.parent.glob(".sle-build-*"))


# ------------------------------------------------------------------ a second, different dataset
def _second_dataset(path: Path) -> tuple[Path, dict]:
    """Seven patients (odd n), hostile title; returns the dataset and expected values computed here."""
    ages = [23, 31, 47, 52, 38, 60, 29]
    sexes = ["F", "F", "M", "F", "F", "M", "F"]
    peaks = [(7, 50.0), (9, 120.5), (12, 300.0), (8, 80.0), (10, 210.0), (14, 95.0), (9, 150.0)]
    sledai = [(14, 8, 4), (18, 12, 6), (10, 10, 10), (22, 16, 8), (12, 6, 2), (16, 14, 12), (20, 10, 6)]
    patients, m, events = [], [], []
    for i, (age, sex, (pday, pval), (s0, s1, s3)) in enumerate(zip(ages, sexes, peaks, sledai), start=1):
        pid = f"X-{i:02d}"
        patients.append({"patient_id": pid, "sex": sex, "age_years": age, "follow_up_months": 3 + i})
        m += [
            (pid, 0, "car_t", "<0.5"),
            (pid, pday - 3, "car_t", pval / 10),
            (pid, pday, "car_t", pval),
            (pid, pday + 7, "car_t", pval / 5),
            (pid, 90, "car_t", 1.0),
        ]
        m += [(pid, -2, "sledai_2k", s0), (pid, 31, "sledai_2k", s1), (pid, 88, "sledai_2k", s3)]
        m += [(pid, -2, "cd19_b", 150), (pid, 2, "cd19_b", 3 if i % 2 else 12), (pid, 6, "cd19_b", "<1")]
        m += [
            (pid, -2, "urine_protein_24h", 2000, "mg/24h"),
            (pid, 120, "urine_protein_24h", 300 * i, "mg/24h"),
        ]
        m += [
            (pid, -2, "c3", 60, "mg/dL"),
            (pid, -2, "c4", 8, "mg/dL"),
            (pid, 45, "c3", 95, "mg/dL"),
            (pid, 45, "c4", 10 + 2 * i, "mg/dL"),
        ]
        m += [(pid, -2, "anti_dsdna", 40), (pid, 120, "anti_dsdna", 3 if i <= 4 else 20)]
        if i <= 5:
            events.append((pid, "CRS", 1 if i != 3 else 2, 2, 5))
    hostile = "<img src=x onerror=alert(1)>"
    write_dataset(path, patients, m, events, name="second-cohort", title=hostile, provenance="observed")
    uprot = [300 * i / 1000 for i in range(1, 8)]
    expected = {
        "n_patients": 7,
        "n_female": sexes.count("F"),
        "n_male": sexes.count("M"),
        "age_median": statistics.median(ages),
        "age_min": min(ages),
        "age_max": max(ages),
        "car_t_peak_median": statistics.median(v for _, v in peaks),
        "car_t_peak_day_median": statistics.median(d for d, _ in peaks),
        "sledai_baseline_median": statistics.median(s[0] for s in sledai),
        "sledai_m1_median": statistics.median(s[1] for s in sledai),
        "sledai_m3_median": statistics.median(s[2] for s in sledai),
        "n_bcell_depleted_by_day1": None,  # no B-cell sample on days 0-1: not evaluable (contract v2)
        "n_bcell_depleted_by_day4": sum(1 for i in range(1, 8) if i % 2),
        "n_renal_complete": sum(u < 0.5 for u in uprot),
        "n_renal_partial": sum(0.5 <= u <= 1.0 for u in uprot),  # >= 50 % below 2 g/24h and < 3
        "n_dsdna_negative": 4,
        "n_complement_normal_by_day60": sum(1 for i in range(1, 8) if (10 + 2 * i) / 100 >= 0.16),
        "n_crs_grade1": 4,
        "n_crs_grade2_plus": 1,
        "n_icans": 0,
        "follow_up_median": statistics.median(3 + i for i in range(1, 8)),
    }
    return path, expected


def test_second_dataset_end_to_end(tmp_path, capsys):
    data, expected = _second_dataset(tmp_path / "second")
    before = _tree_bytes(data, skip=())
    out = tmp_path / "site"
    assert cli.main(["build", "--data", str(data), "--out", str(out), "--quiet"]) == 0
    doc = json.loads((out / "claims.json").read_text(encoding="utf-8"))
    got = {c["id"]: c for c in doc["claims"]}
    for cid, value in expected.items():
        if value is None:
            assert got[cid]["reproduced"] is None and got[cid]["status"] == "not evaluable", cid
        else:
            assert got[cid]["reproduced"] == pytest.approx(value), cid
    assert (
        got["n_patients"]["holds"] is False and got["n_patients"]["published"] == 6
    )  # a finding, not an error
    assert got["n_icans"]["holds"] is True
    assert doc["dataset"]["name"] == "second-cohort" and doc["dataset"]["provenance"] == "observed"
    # the committed chapters and data are untouched, and so are the inputs
    assert _tree_bytes(data, skip=()) == before
    # HTML safety: the hostile title is shown, escaped, and never as markup
    hostile = "<img src=x onerror=alert(1)>"
    pages = list(out.rglob("*.html"))
    assert len(pages) >= 12
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert hostile not in text and "<img src=x" not in text, page
        if "_static" not in page.parts:  # the provenance footer shows the title, escaped, on every page
            footer = re.search(r'<footer class="sle-provenance">.*?</footer>', text, re.S)
            assert footer and html.escape(hostile) in footer.group(0), page
    summary = (out / "chapters" / "01-summary.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in summary
    assert 'class="sle-notice"' not in summary  # observed data: no reconstruction notice
    # the ledger shows the failed claims as findings
    ledger = (out / "chapters" / "08-claims-ledger.html").read_text(encoding="utf-8")
    assert "✗ does not hold" in ledger and "✓ holds" in ledger
    # unit conversions are reported in the data dictionary chapter
    assert "converted from mg/dL to g/L" in (out / "chapters" / "10-data-dictionary.html").read_text(
        encoding="utf-8"
    )
    # --strict turns failed claims into a non-zero exit (chapters come from the cache)
    assert cli.main(["build", "--data", str(data), "--out", str(out), "--quiet", "--strict"]) == 1
    assert "claim(s) do not hold" in capsys.readouterr().err
    assert not (ROOT / "chapters" / "second-cohort").exists()

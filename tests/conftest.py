"""Shared fixtures: small datasets written as real files and loaded by the real loader."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# make check runs the property-based tests briefly; make test (and CI) runs them at hypothesis's own
# default of 100 examples.
settings.register_profile(
    "full", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "quick", max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("SLE_CART_HYPOTHESIS", "full"))

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "data" / "im19-sle"


def sampled(params, in_check: int | tuple[str, ...] = 1) -> list:
    """Parameters of one rule: make check tries some (the first ``in_check``, or those with these
    ids), make test every one.

    The rest carry the ``breadth`` marker (more cohorts, variants or exports of a rule those few
    already exercise), which make check leaves out to keep the loop fast.
    """
    from _pytest.mark import ParameterSet

    out = []
    for i, p in enumerate(params):
        p = p if isinstance(p, ParameterSet) else pytest.param(p, id=str(p))
        checked = p.id in in_check if isinstance(in_check, tuple) else i < in_check
        if not checked:
            p = pytest.param(*p.values, id=p.id, marks=[*p.marks, pytest.mark.breadth])
        out.append(p)
    if isinstance(in_check, tuple):
        assert {p.id for p in out} >= set(in_check), in_check  # a renamed case is not dropped unseen
    return out


META = """\
name: {name}
title: {title}
provenance: {provenance}
source: test fixture
reference_ranges:
  c3: {{lower: 0.9, upper: 1.8, unit: g/L}}
  c4: {{lower: 0.16, upper: 0.5, unit: g/L}}
  anti_dsdna: {{upper: 8, unit: IU/mL}}
  urine_protein_24h: {{upper: 0.15, unit: g/24h}}
definitions: {definitions}
"""
PATIENT_COLS = [
    "patient_id",
    "sex",
    "age_years",
    "disease_duration_years",
    "weight_kg",
    "dose_cells",
    "prior_therapy_lines",
    "lupus_nephritis",
    "follow_up_months",
]


def write_dataset(
    path: Path,
    patients,
    measurements,
    events=(),
    name="fixture",
    title="Fixture",
    provenance="observed",
    definitions="{}",
) -> Path:
    """Write a dataset folder. ``patients``: dicts (missing columns get defaults);
    ``measurements``: (patient_id, day, analyte, value[, unit]); ``events``: (pid, event, grade, onset, resolution)."""
    from sle_cart.inputs.definitions import ANALYTES

    path.mkdir(parents=True, exist_ok=True)
    (path / "dataset.yml").write_text(
        META.format(name=name, title=title, provenance=provenance, definitions=definitions), encoding="utf-8"
    )
    defaults = dict(
        sex="F",
        age_years=30,
        disease_duration_years=5,
        weight_kg=60,
        dose_cells=6e7,
        prior_therapy_lines=2,
        lupus_nephritis="true",
        follow_up_months=6,
    )
    with open(path / "patients.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, PATIENT_COLS, lineterminator="\n")
        w.writeheader()
        for p in patients:
            w.writerow({**defaults, **p})
    with open(path / "measurements.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["patient_id", "day", "analyte", "value", "unit"])
        for m in measurements:
            pid, day, analyte, value, *unit = m
            w.writerow([pid, day, analyte, value, unit[0] if unit else ANALYTES[analyte][1]])
    with open(path / "adverse_events.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["patient_id", "event", "grade", "onset_day", "resolution_day"])
        w.writerows(events)
    return path


@pytest.fixture
def bundled_copy(tmp_path) -> Path:
    """A writable copy of the bundled dataset."""
    dst = tmp_path / "im19-copy"
    shutil.copytree(BUNDLED, dst)
    return dst


@pytest.fixture
def make_dataset(tmp_path):
    def make(patients, measurements, events=(), **kw):
        return write_dataset(tmp_path / kw.pop("folder", "ds"), patients, measurements, events, **kw)

    return make


@pytest.fixture(scope="session")
def bundled():
    """The bundled dataset, loaded once per session (its findings are then computed once too)."""
    from sle_cart.inputs.dataset import load

    return load(BUNDLED)


def claim_values(ds) -> dict:
    """claim id -> (reproduced, holds) under the dataset's own definitions."""
    from sle_cart.analysis import claims

    return {c["id"]: (c["reproduced"], c["holds"]) for c in claims.evaluate(ds)}


@pytest.fixture(scope="session")
def bundled_claims(bundled):
    return claim_values(bundled)


def validate_and_load(folder: Path, capsys, monkeypatch):
    """``python -m sle_cart validate folder`` in this process: (exit status, stdout, stderr, the
    dataset the command loaded). The test reads that dataset rather than loading the folder again."""
    from sle_cart import cli
    from sle_cart.inputs import dataset

    loaded = []
    real = dataset.load
    monkeypatch.setattr(dataset, "load", lambda *a, **k: loaded.append(real(*a, **k)) or loaded[-1])
    rc = cli.main(["validate", str(folder)])
    monkeypatch.setattr(dataset, "load", real)
    out = capsys.readouterr()
    return rc, out.out, out.err, (loaded[0] if loaded else None)


def assert_same_claims(ds, reference: dict) -> None:
    """Every claim of ``ds`` has the verdict and (to float precision) the value of ``reference``."""
    got = claim_values(ds)
    assert got.keys() == reference.keys()
    for cid, (value, ok) in reference.items():
        assert got[cid][1] == ok, cid
        assert got[cid][0] == (value if value is None else pytest.approx(value)), cid


@pytest.fixture(scope="session")
def bundled_build(tmp_path_factory, worker_id):
    """The bundled book built once per test run into a temporary folder (own cache, parallel, --strict).

    Clean in every sense: its own chapter and dataset caches, and every validation and every
    analysis of a definition set, from every process of the build, logged to ``evaluations.log``.
    Tests read it or copy it; none writes into it.
    """
    return None, _built_once(tmp_path_factory, worker_id, "bundled-shared")


@pytest.fixture(scope="session")
def synthetic_build(tmp_path_factory, worker_id):
    """A synthetic cohort that brings its own publication (``publication_cohort.py``: 6 patients,
    12 stated claims, some failing, follow-up blank), built once per test run like ``bundled_build``:
    (its data folder, the folder holding ``html`` and ``cache``)."""
    from publication_cohort import cohort_with_publication

    base = _built_once(tmp_path_factory, worker_id, "synthetic-shared", cohort_with_publication)
    return base / "data", base


def _built_once(tmp_path_factory, worker_id, name: str, synthetic=None) -> Path:
    """The pytest-xdist workers share each build: the first to need it builds it under a file
    lock, the others wait and read it (a second clean build of the same book would prove
    nothing more)."""
    from filelock import FileLock

    root = tmp_path_factory.getbasetemp()
    root = root.parent if worker_id != "master" else root  # the run's folder, above each worker's
    base = root / name
    with FileLock(str(root / f"{name}.lock")):
        if not (base / "built").exists():
            _build_in_a_new_process(base, synthetic)
            (base / "built").write_text("ok\n")
    return base


def _build_in_a_new_process(base: Path, synthetic=None) -> None:
    """``python -m sle_cart build`` in a new process: nothing this test process has already
    computed (the findings, the consistency audit of the abstract) can stand in for the build's own.
    The bundled book is built with --strict (every claim holds); ``synthetic`` writes another
    cohort into a folder and returns it, and its claims may fail."""
    import subprocess
    import sys

    from sle_cart.paths import DATASET_CACHE_ENV, EVALUATION_LOG_ENV

    shutil.rmtree(base, ignore_errors=True)  # a run killed while building left half a site
    base.mkdir(parents=True)
    env = os.environ | {
        EVALUATION_LOG_ENV: str(base / "evaluations.log"),
        DATASET_CACHE_ENV: str(base / "datasets"),
    }
    cmd = [sys.executable, "-m", "sle_cart", "build", "--out", str(base / "html")]
    cmd += ["--cache-dir", str(base / "cache"), "--quiet"]
    if synthetic:
        cmd += ["--data", str(synthetic(base / "data"))]
    else:
        cmd += ["--strict"]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def book_copy(dst: Path) -> Path:
    """A private copy of the book sources (not data or code), to edit in tests."""
    dst.mkdir(parents=True, exist_ok=True)
    for f in ("_config.yml", "_toc.yml", "index.md"):
        shutil.copy2(ROOT / f, dst / f)
    for d in ("chapters", "assets"):
        shutil.copytree(ROOT / d, dst / d)
    return dst


def warm_cache(base: Path, dst: Path, without: tuple[str, ...] = ()) -> Path:
    """A copy of a shared build's cache at ``dst`` (the shared one is only read), less the entries
    of the chapters named in ``without``, which a build from it then executes."""
    shutil.copytree(base / "cache", dst)
    for stem in without:
        for entry in dst.glob(f"{stem}-*"):
            shutil.rmtree(entry)
    return dst

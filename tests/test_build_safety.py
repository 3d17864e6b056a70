"""Builds are deterministic for any dataset, one at a time per output, and survive being killed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, warm_cache
from sle_cart.book.build import build

pytestmark = pytest.mark.build


def _tree_bytes(d: Path, skip=(".sle-site-key",)) -> dict[str, bytes]:
    return {
        str(p.relative_to(d)): p.read_bytes()
        for p in sorted(d.rglob("*"))
        if p.is_file() and p.name not in skip
    }


def _cli(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sle_cart", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **kw,
    )


def test_a_forced_build_of_a_generated_dataset_from_another_folder_is_byte_identical(
    synthetic_build, tmp_path
):
    """The session's synthetic site, built from one folder, and a forced build of a copy of its data
    in another folder, with another cache and output folder: the same bytes."""
    data, base = synthetic_build
    copy = tmp_path / "somewhere" / "else" / "copy"
    shutil.copytree(data, copy)
    build(copy, tmp_path / "site", cache_dir=tmp_path / "cache", quiet=True, force=True)
    first, second = _tree_bytes(base / "html"), _tree_bytes(tmp_path / "site")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    sources = "".join(v.decode("utf-8", "replace") for k, v in second.items() if k.startswith("_sources"))
    assert str(tmp_path) not in sources and str(base) not in sources  # no machine path in the notebooks


def test_two_concurrent_builds_of_one_output_equal_one_build(bundled_build, tmp_path):
    _, base = bundled_build
    cache = warm_cache(base, tmp_path / "cache")
    out = tmp_path / "site"
    procs = [_cli("build", "--out", str(out), "--cache-dir", str(cache), "--quiet") for _ in range(2)]
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    waited = [err for _, err in results if "waiting: another build is using" in err]
    assert len(waited) == 1, results  # exactly one waited, saying so in one line
    expected, got = _tree_bytes(base / "html"), _tree_bytes(out)
    assert expected.keys() == got.keys()
    assert [k for k in expected if expected[k] != got[k]] == []


def _wait_for_execution(parent: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if list(parent.glob(".sle-build-*/run/*/kernel.log")):
            return
        time.sleep(0.05)
    raise AssertionError("no chapter started executing")


def _forced_build_over_a_site(bundled_build, tmp_path: Path):
    """A forced build started over a copy of the bundled site, returned once a chapter is executing."""
    _, base = bundled_build
    out = tmp_path / "site"
    shutil.copytree(base / "html", out)
    before = _tree_bytes(out, skip=())
    proc = _cli("build", "--out", str(out), "--force", "--quiet", "--cache-dir", str(tmp_path / "cache"))
    _wait_for_execution(tmp_path, proc)
    return base, out, before, proc


def test_the_swap_is_atomic_and_a_killed_fallback_swap_is_restored(tmp_path):
    from sle_cart.book import guard, staging

    target, new = tmp_path / "site", tmp_path / "new"
    target.mkdir()
    (target / "a.txt").write_text("old")
    new.mkdir()
    (new / "a.txt").write_text("new")
    guard.write_manifest(new)  # only a site this tool wrote is ever put back or removed
    staging.replace_dir(new, target)
    assert (target / "a.txt").read_text() == "new" and not new.exists()
    # a build killed between the two renames of the fallback swap leaves only ".site.old-<pid>"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    aside = tmp_path / f".site.old-{dead}"
    target.rename(aside)
    staging.clean_stale(target)
    assert (target / "a.txt").read_text() == "new" and not aside.exists()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killing_only_the_main_process_leaves_no_process_behind(bundled_build, tmp_path, sig):
    """``kill PID`` or a CI runner's timeout reaches the build alone, not its process group: its
    workers and kernels stop by themselves, the last good site stays, and the next build succeeds.
    (A kill of the whole group ends the same processes at once; here they must notice for themselves.)"""
    import psutil

    base, out, before, proc = _forced_build_over_a_site(bundled_build, tmp_path)
    family = psutil.Process(proc.pid).children(recursive=True)
    assert len(family) >= 2  # chapter workers and their kernels
    os.kill(proc.pid, sig)
    proc.communicate(timeout=60)
    _, alive = psutil.wait_procs(family, timeout=20)
    assert alive == [], [p.cmdline() for p in alive]
    assert _tree_bytes(out, skip=()) == before
    stale = list(tmp_path.glob(".sle-build-*"))
    if sig == signal.SIGTERM:  # like Ctrl-C: the build cleans up after itself
        assert not stale
    else:  # no handler runs: the staging folder stays behind, for the next build to remove
        assert stale
    time.sleep(1)
    assert not list(tmp_path.glob(".sle-build-*/run/*/chapters/*.ipynb.tmp*"))  # nothing writes any more
    warm = warm_cache(base, tmp_path / "warm")
    again = _cli("build", "--out", str(out), "--cache-dir", str(warm), "--quiet")
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert not any(p.exists() for p in stale)
    assert not list(tmp_path.glob(".sle-build-*")) and not list(tmp_path.glob(".*.sle-lock"))


def _wait_for_chapters_running(parent: Path, proc: subprocess.Popen) -> None:
    """Until a chapter is executing (its kernel log exists), with the build still running."""
    _wait_for_execution(parent, proc)
    time.sleep(0.5)
    assert proc.poll() is None


def test_what_a_user_adds_to_out_during_a_build_is_kept(bundled_build, tmp_path):
    _, base = bundled_build
    out = tmp_path / "site"
    shutil.copytree(base / "html", out)
    cache = warm_cache(base, tmp_path / "cache", without=("07-safety",))  # under way while it executes
    proc = _cli("build", "--out", str(out), "--quiet", "--cache-dir", str(cache))
    _wait_for_chapters_running(tmp_path, proc)
    (out / "my-empty-folder").mkdir()
    (tmp_path / "docs").mkdir()
    (out / "my-docs-link").symlink_to(tmp_path / "docs", target_is_directory=True)
    (out / "notes.txt").write_text("written while chapters ran\n")
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 2, err
    assert "refusing to write the site" in err and "notes.txt" in err and "my-empty-folder/" in err
    assert (out / "notes.txt").read_text() == "written while chapters ran\n"
    assert (out / "my-empty-folder").is_dir() and (out / "my-docs-link").is_symlink()
    assert (out / "index.html").read_bytes() == (base / "html" / "index.html").read_bytes()
    assert not list(tmp_path.glob(".sle-build-*"))


def test_an_edit_of_the_data_during_a_build_does_not_poison_the_cache(bundled_build, tmp_path):
    """Edit P1's age while chapters run, restore it, build again without --force: the site is right."""
    import hashlib
    import json

    data = tmp_path / "cohort"
    shutil.copytree(ROOT / "data" / "im19-sle", data)
    patients = data / "patients.csv"
    original = patients.read_bytes()
    lines = original.decode("utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    age = header.index("age_years")
    row = lines[1].rstrip("\r\n").split(",")
    row[age] = "99"
    edited = "".join([lines[0], ",".join(row) + "\n", *lines[2:]]).encode("utf-8")
    out, cache = tmp_path / "site", tmp_path / "cache"
    # the two chapters that show the age execute while the data change
    warm_cache(bundled_build[1], cache, without=("01-summary", "02-table1-baseline"))
    cmd = ("build", "--data", str(data), "--out", str(out), "--cache-dir", str(cache), "--quiet")
    proc = _cli(*cmd)
    _wait_for_chapters_running(tmp_path, proc)
    patients.write_bytes(edited)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert "changed while the build ran" in err  # the build says so, and shows what it read
    patients.write_bytes(original)  # restored
    again = _cli(*cmd)
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    claims = json.loads((out / "claims.json").read_text(encoding="utf-8"))
    summary = (out / "chapters" / "01-summary.html").read_text(encoding="utf-8")
    table1 = (out / "chapters" / "02-table1-baseline.html").read_text(encoding="utf-8")
    assert all(c["holds"] for c in claims["claims"]), [c["id"] for c in claims["claims"] if not c["holds"]]
    assert ">99<" not in table1 and "99 years" not in summary
    sha = claims["dataset"]["sha256"]
    assert sha in summary  # the footer and claims.json name the same data
    assert sha != hashlib.sha256(edited).hexdigest()

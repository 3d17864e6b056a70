"""A build never deletes what it did not write (issue: OUT must be absent, empty or an earlier site)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from conftest import BUNDLED, ROOT, warm_cache
from sle_cart import cli
from sle_cart.book.guard import MANIFEST


def _snapshot(folder):
    """Every file under ``folder`` with the digest of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _refused(capsys, argv, *words):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "refusing to write" in err and "Nothing was changed" in err, err
    for w in words:
        assert w in err, (w, err)
    return err


def test_non_empty_foreign_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "Documents"
    out.mkdir()
    (out / "thesis.txt").write_text("three years of work\n")
    (out / "notes").mkdir()
    (out / "notes" / "draft.md").write_text("# draft\n")
    before = _snapshot(out)
    err = _refused(
        capsys,
        ["build", "--out", str(out)],
        "not empty",
        "not a site this tool wrote",
        "thesis.txt",
        "notes/draft.md",
        "empty or new folder",
    )
    assert str(out) in err
    assert _snapshot(out) == before


def test_out_equal_to_data_is_refused(bundled_copy, capsys):
    before = _snapshot(bundled_copy)
    _refused(
        capsys,
        ["build", "--data", str(bundled_copy), "--out", str(bundled_copy)],
        "the dataset folder",
        "patients.csv",
        "only reads its inputs",
    )
    assert _snapshot(bundled_copy) == before


@pytest.mark.parametrize("where", ["inside", "parent"])
def test_out_inside_or_containing_the_data_is_refused(bundled_copy, capsys, where):
    out = bundled_copy / "site" if where == "inside" else bundled_copy.parent
    before = _snapshot(bundled_copy)
    word = "inside the dataset folder" if where == "inside" else "contains the dataset"
    _refused(capsys, ["build", "--data", str(bundled_copy), "--out", str(out)], word)
    assert _snapshot(bundled_copy) == before
    assert not (bundled_copy / "site").exists()


def test_out_is_the_book_root_or_contains_it(capsys):
    listing = sorted(p.name for p in ROOT.iterdir())
    _refused(capsys, ["build", "--out", str(ROOT)], "book's own folder")
    _refused(capsys, ["build", "--out", str(ROOT.parent)], "book's own folder")
    assert sorted(p.name for p in ROOT.iterdir()) == listing


@pytest.mark.parametrize("name", ["chapters", "src", "data", "tests", ".git"])
def test_out_inside_a_project_folder_is_refused(capsys, name):
    target = ROOT / name

    def state():  # in a git worktree .git is a file, in a clone a folder
        return sorted(p.name for p in target.iterdir()) if target.is_dir() else target.read_bytes()

    before = state()
    _refused(capsys, ["build", "--out", str(target / "site")], f"'{name}' folder")
    _refused(capsys, ["build", "--out", str(target)], f"'{name}' folder")
    assert state() == before
    assert not (target / "site").exists()


def test_out_is_or_contains_the_cache(tmp_path, capsys):
    cache = tmp_path / "work" / "cache"
    cache.mkdir(parents=True)
    (cache / "keep.bin").write_bytes(b"\0\1")
    _refused(capsys, ["build", "--cache-dir", str(cache), "--out", str(cache)], "build cache")
    _refused(capsys, ["build", "--cache-dir", str(cache), "--out", str(cache.parent)], "build cache")
    assert (cache / "keep.bin").read_bytes() == b"\0\1"


def test_home_and_its_parents_are_refused(tmp_path, capsys, monkeypatch):
    home = tmp_path / "users" / "me"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    _refused(capsys, ["build", "--out", str(home)], "home folder")
    _refused(capsys, ["build", "--out", str(home.parent)], "home folder")
    assert list(home.iterdir()) == []


def test_a_file_is_refused(tmp_path, capsys):
    f = tmp_path / "site.html"
    f.write_text("mine")
    assert cli.main(["build", "--out", str(f)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert f.read_text() == "mine"


@pytest.mark.build
def test_previous_output_is_replaced_and_a_foreign_file_makes_it_foreign(bundled_build, tmp_path, capsys):
    _, base = bundled_build
    manifest = json.loads((base / "html" / MANIFEST).read_text(encoding="utf-8"))
    assert "index.html" in manifest["files"] and "claims.json" in manifest["files"]
    out, cache = tmp_path / "site", str(warm_cache(base, tmp_path / "cache"))
    shutil.copytree(base / "html", out)
    assert cli.main(["build", "--out", str(out), "--cache-dir", cache, "--quiet"]) == 0
    assert json.loads((out / "claims.json").read_text(encoding="utf-8"))["claims"]
    original = (out / "claims.json").read_bytes()
    (out / "claims.json").write_text("edited by hand\n")  # listed, but not what the build wrote: kept
    _refused(capsys, ["build", "--out", str(out), "--cache-dir", cache], "claims.json")
    assert (out / "claims.json").read_text() == "edited by hand\n"
    (out / "claims.json").write_bytes(original)
    (out / "chapters" / "my-notes.txt").write_text("not the build's\n")
    before = _snapshot(out)
    _refused(
        capsys,
        ["build", "--out", str(out), "--cache-dir", cache],
        "earlier site",
        "chapters/my-notes.txt",
    )
    assert _snapshot(out) == before


def test_empty_and_absent_folders_are_allowed(tmp_path):
    from sle_cart.book.guard import check_site_folder

    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "empty", tmp_path / "absent" / "site"):
        assert check_site_folder(out, data=BUNDLED, book_root=ROOT, cache=tmp_path / "cache") is None
    # the check only looks: it writes nothing into the empty folder and creates no absent one
    assert list((tmp_path / "empty").iterdir()) == [] and not (tmp_path / "absent").exists()


@pytest.mark.parametrize(
    "argv",
    [["template", "{d}"], ["synth", "--patients", "3", "--out", "{d}"], ["reconstruct", "--out", "{d}"]],
)
def test_generators_refuse_a_non_empty_foreign_folder(tmp_path, capsys, argv):
    d = tmp_path / "mine"
    d.mkdir()
    (d / "thesis.txt").write_text("keep me\n")
    assert cli.main([a.format(d=d) for a in argv]) == 2
    err = capsys.readouterr().err
    assert "refusing to write into" in err and "thesis.txt" in err and "empty or new folder" in err
    assert [p.name for p in d.iterdir()] == ["thesis.txt"]


def test_generators_may_rewrite_their_own_files(tmp_path):
    d = tmp_path / "rec"
    assert cli.main(["reconstruct", "--out", str(d)]) == 0
    assert cli.main(["reconstruct", "--out", str(d)]) == 0
    assert _snapshot(d) == _snapshot(BUNDLED)


@pytest.mark.build
def test_make_book_applies_the_same_check(tmp_path):
    out = tmp_path / "folder"
    out.mkdir()
    (out / "thesis.txt").write_text("keep\n")
    # not the calling make's variables (make test ARGS=...): this make sees only OUT
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "ARGS")}
    proc = subprocess.run(
        ["make", "-s", "book", f"OUT={out}"], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert proc.returncode != 0
    assert "not a site this tool wrote" in proc.stderr
    assert (out / "thesis.txt").read_text() == "keep\n"


# ------------------------------------------------------------------ what the manifest accounts for
def _site(tmp_path):
    from sle_cart.book.guard import write_manifest

    site = tmp_path / "site"
    (site / "chapters").mkdir(parents=True)
    (site / "index.html").write_text("<p>index</p>")
    (site / "chapters" / "a.html").write_text("<p>a</p>")
    write_manifest(site)
    return site


def test_anything_the_manifest_does_not_account_for_is_foreign(tmp_path):
    from sle_cart.book.guard import foreign_files

    site = _site(tmp_path)
    assert foreign_files(site) == []
    elsewhere = tmp_path / "docs"
    elsewhere.mkdir()
    (site / "my-empty-folder").mkdir()
    (site / "my-docs-link").symlink_to(elsewhere, target_is_directory=True)
    (site / "chapters" / "link.html").symlink_to(site / "index.html")
    (site / "notes.txt").write_text("mine\n")
    (site / "chapters" / "a.html").write_text("<p>edited by hand</p>")
    assert foreign_files(site) == sorted(
        ["my-empty-folder/", "my-docs-link/", "chapters/link.html", "notes.txt", "chapters/a.html"]
    )


@pytest.mark.parametrize(
    "manifest",
    [
        {"files": ["index.html", "chapters/a.html"]},  # a list of names, as anyone can write
        {"format": "sle-cart site manifest 2", "files": ["index.html"]},
        {"format": "sle-cart site manifest 2", "files": {"index.html": 1}},
        [],
    ],
)
def test_a_forged_or_legacy_manifest_does_not_make_a_folder_ours(tmp_path, capsys, manifest):
    site = _site(tmp_path)
    (site / MANIFEST).write_text(json.dumps(manifest))
    before = _snapshot(site)
    _refused(capsys, ["build", "--out", str(site)], "not a site this tool wrote")
    assert _snapshot(site) == before


def test_a_mount_point_is_refused_before_anything_runs(tmp_path, capsys, monkeypatch):
    import os.path

    out = tmp_path / "mnt"
    out.mkdir()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: str(p) == str(out) or real(p))
    _refused(capsys, ["build", "--out", str(out)], "mount point", str(out / "site"))
    assert list(out.iterdir()) == []


def test_only_folders_with_the_builds_marker_are_removed(tmp_path):
    from sle_cart.book import staging

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = dead.stdout.strip()
    out = tmp_path / "site"
    thesis = tmp_path / ".site.old-2023" / "thesis.txt"  # someone's folder, named like a swap's leftover
    thesis.parent.mkdir()
    thesis.write_text("keep\n")
    unmarked = tmp_path / f".sle-build-{pid}-mine"  # named like staging, but no marker
    unmarked.mkdir()
    marked = staging.new_stage(out)
    marked.rename(tmp_path / f".sle-build-{pid}-abc")  # as a killed build would leave it
    assert staging.clean_stale(out) == [tmp_path / f".sle-build-{pid}-abc"]
    assert thesis.read_text() == "keep\n" and unmarked.is_dir() and not out.exists()


def test_the_output_lock_excludes_and_is_removed_when_the_build_ends(tmp_path):
    import threading

    from sle_cart.book import staging

    lock = staging.lock_file(tmp_path / "site")
    inside, most = [0], [0]
    guard_count = threading.Lock()

    def enter():
        for _ in range(15):
            with staging.exclusive(lock, "the test", remove=True):
                with guard_count:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(0.001)
                with guard_count:
                    inside[0] -= 1

    threads = [threading.Thread(target=enter) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1  # never two holders, although each holder deletes the file it locked
    assert not lock.exists()


def test_an_unfinished_artefacts_folder_is_removed_only_when_its_build_is_gone(tmp_path):
    from sle_cart.book.artefacts import _remove_unfinished

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    hex32 = "0123456789abcdef" * 2
    dead = tmp_path / f".{hex32}.{gone.stdout.strip()}"  # a build stopped while drawing
    running = tmp_path / f".{hex32}.{os.getpid()}"  # a build still drawing
    finished, other = tmp_path / hex32, tmp_path / f".notes.{gone.stdout.strip()}"
    for folder in (dead, running, finished, other):
        folder.mkdir()
        (folder / "x").write_text("x")
    _remove_unfinished(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (running, finished, other))


def test_the_drawing_process_reports_its_error_and_a_stopped_one_leaves_no_process(tmp_path):
    from types import SimpleNamespace

    import psutil

    from sle_cart.book.artefacts import Drawing
    from sle_cart.book.plan import BuildError

    plan = SimpleNamespace(cache=tmp_path, keys={"_shared": "k"}, checked=tmp_path / "no-such.pickle")
    with pytest.raises(BuildError, match=r"could not be made \(exit 1\)(.|\n)*FileNotFoundError"):
        Drawing(plan).result()
    drawing = Drawing(plan)  # stopped as it starts, as a failed build stops it
    drawing.stop()
    assert drawing.proc.returncode is not None and not psutil.pid_exists(drawing.proc.pid)
    assert drawing.errors.closed

"""Assemble the executed chapters into a book and build the static site with Jupyter Book.

The Sphinx work folder persists between builds of the same output (under the
cache), so an edit to one chapter re-reads one page instead of all.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from sle_cart.paths import BOOK_FILES, CHECKED_ENV, EXTRA

from . import guard, landing
from .execute import INJECTED_ID, die_with_parent
from .plan import BuildError, Plan, digest
from .sphinx_run import GO

#: Sphinx's own folders inside the work folder, kept between builds.
SPHINX_OWN = ("_build/html", "_build/.doctrees", "_build/jupyter_execute")


def write_if_changed(data: bytes, dst: Path) -> bool:
    """Write ``data`` to ``dst`` atomically unless ``dst`` already holds the same bytes."""
    if dst.exists() and dst.read_bytes() == data:
        return False
    tmp = dst.with_name(f".{dst.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, dst)
    return True


def _copytree(src: Path, dst: Path) -> None:
    if src.exists():
        shutil.copytree(src, dst, dirs_exist_ok=True)


def executed_notebook(plan: Plan, nb: Path) -> bytes:
    """Chapter ``nb`` as executed (from the cache), with the text cells of its current source.

    The cache key covers code cells only, so a prose edit reuses the outputs;
    the result is the notebook that executing the edited chapter would give.
    """
    import nbformat

    cached = (plan.entry(nb) / nb.name).read_bytes()
    # compared as plain JSON: nbformat would validate two notebooks of charts for every chapter
    if _text_cells(json.loads(cached)) == _text_cells(json.loads(nb.read_bytes())):
        return cached
    ran = nbformat.reads(cached.decode("utf-8"), as_version=4)
    now = nbformat.read(nb, as_version=4)
    # each code cell that ran, with papermill's injected cell kept after the cell it followed
    runs: list[list] = [[]]
    for cell in ran.cells:
        if cell.cell_type != "code":
            continue
        if cell.get("id") == INJECTED_ID:
            runs[-1].append(cell)
        else:
            runs.append([cell])
    merged, code = list(runs[0]), iter(runs[1:])
    for cell in now.cells:
        merged += next(code) if cell.cell_type == "code" else [cell]
    ran.cells = merged
    text = nbformat.writes(ran)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")  # as nbformat.write ends it


def _text_cells(nb) -> list:
    """Every cell but the code cells, as (id, type, text, metadata); ``nb`` as nbformat or JSON reads it."""
    return [
        (c.get("id"), c["cell_type"], _text(c["source"]), c.get("metadata", {}))
        for c in nb["cells"]
        if c["cell_type"] != "code"
    ]


def _text(source: str | list[str]) -> str:
    return source if isinstance(source, str) else "".join(source)


def frame(plan: Plan, stage: Path) -> Path:
    """A staged book without its chapters' outputs: configuration, landing page, assets and markdown
    chapters (enough for Sphinx to set itself up while the chapters execute)."""
    book = stage / "book"
    (book / "chapters").mkdir(parents=True)
    for f in BOOK_FILES:
        shutil.copy2(plan.root / f, book / f)
    for name, written_for in (("index.md", landing.index_page), ("_toc.yml", landing.toc)):
        text = (plan.root / name).read_text(encoding="utf-8")
        (book / name).write_text(written_for(plan.dataset, text, str(plan.root / name)), encoding="utf-8")
    _copytree(plan.root / "assets", book / "assets")
    for f in (plan.root / "chapters").glob("*.md"):
        shutil.copy2(f, book / "chapters" / f.name)
    return book


def add_chapters(plan: Plan, book: Path) -> Path:
    """Complete a :func:`frame` with the executed notebooks and their downloads."""
    (book / EXTRA).mkdir(parents=True, exist_ok=True)
    for nb in plan.chapters:
        (book / "chapters" / nb.name).write_bytes(executed_notebook(plan, nb))
        _copytree(plan.entry(nb) / "extra", book / EXTRA)
    return book


def site_key(book: Path, code: str, dataset_sha: str, commit: str, out: Path) -> str:
    """Everything the site depends on: when it is unchanged, Sphinx need not run at all."""
    files = [
        str(p.relative_to(book)).encode() + p.read_bytes() for p in sorted(book.rglob("*")) if p.is_file()
    ]
    return digest(*files, code.encode(), dataset_sha.encode(), commit.encode(), str(out).encode())


def _sync_tree(src: Path, dst: Path, *, prune: bool = True) -> None:
    """Make ``dst`` hold ``src``'s files, rewriting only files whose bytes changed.

    Unchanged files keep their modification time, which is how Sphinx decides
    what to re-read.  Sphinx's own output folders under ``dst`` are kept, and
    so is everything else with ``prune=False`` (the chapters of the last build,
    while this one's are executing).
    """
    wanted = {p.relative_to(src) for p in src.rglob("*") if p.is_file()}
    if prune and dst.exists():
        for p in sorted(dst.rglob("*"), reverse=True):
            rel = p.relative_to(dst)
            if any(str(rel) == k or str(rel).startswith(k + "/") for k in SPHINX_OWN):
                continue
            if p.is_file() and rel not in wanted:
                p.unlink()
            elif p.is_dir() and not any(p.iterdir()):
                p.rmdir()
    for rel in sorted(wanted):
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        write_if_changed((src / rel).read_bytes(), target)


class SiteBuild:
    """``jupyter-book build -W -n --keep-going`` in the persistent work folder, set up early.

    It runs as a child process (:mod:`~sle_cart.book.sphinx_run`) that starts
    when the book's frame is staged: Sphinx imports its extensions, reads the
    configuration and the dataset while the chapters execute, then waits.
    :meth:`go` puts every page in place and lets it read and write them, on one
    core while the downloads and the PDF are made on the other; :meth:`finish`
    waits for it and stages the site.  ``--all`` only on the first or a forced
    build, or after a build that did not finish.  A change of dataset, commit
    or versions re-writes every page (see ``sphinx_ext``).
    """

    def __init__(self, plan: Plan, book: Path):
        self.plan, self.book = plan, book
        self.work = plan.cache / "site" / digest(str(plan.out).encode())[:16]
        complete = self.work / ".complete"
        incremental = complete.exists() and not plan.force
        if not incremental:
            shutil.rmtree(self.work, ignore_errors=True)
        complete.unlink(missing_ok=True)
        _sync_tree(book, self.work, prune=False)
        (self.work / EXTRA).mkdir(parents=True, exist_ok=True)  # Sphinx checks html_extra_path as it sets up
        env = dict(os.environ, SLE_CART_DATA=str(plan.data), PYTHONHASHSEED="0")
        env[CHECKED_ENV] = str(plan.checked)
        cmd = [sys.executable, "-m", "sle_cart.book.sphinx_run", "build", str(self.work), "-W", "-n"]
        cmd += ["--keep-going"] + ([] if incremental else ["--all"])
        self.proc = subprocess.Popen(
            cmd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=functools.partial(die_with_parent, os.getpid()),
        )

    def go(self) -> None:
        """Every page is staged: put them in the work folder and let Sphinx build."""
        _sync_tree(self.book, self.work)
        try:
            self.proc.stdin.write(GO)
            self.proc.stdin.close()
        except BrokenPipeError:  # it ended already (it failed to set up): finish() reports why
            pass

    def stop(self) -> None:
        """Stop Sphinx (the build failed or was interrupted elsewhere); its work folder starts clean next time."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.work, ignore_errors=True)

    def finish(self, stage: Path) -> Path:
        """Wait for Sphinx (after :meth:`go`); return the staged site (``stage/site``) or raise
        :class:`BuildError`."""
        try:
            output = self.proc.stdout.read()
            self.proc.wait()
        except BaseException:
            self.stop()
            raise
        if self.proc.returncode != 0:
            shutil.rmtree(self.work, ignore_errors=True)  # the next build starts clean
            tail = "\n".join(output.strip().splitlines()[-30:])
            raise BuildError(f"jupyter-book build failed (exit {self.proc.returncode}):\n{tail}")
        (self.work / ".complete").write_text("ok\n")
        site = stage / "site"
        shutil.copytree(
            self.work / "_build" / "html",
            site,
            ignore=shutil.ignore_patterns(".buildinfo", ".doctrees", guard.SITE_KEY),
        )
        # html_extra_path only ever adds files: take downloads and claims.json from this build alone
        shutil.rmtree(site / "downloads", ignore_errors=True)
        _copytree(self.book / EXTRA, site)
        return site

"""Assemble the executed chapters into a book and build the static site with Jupyter Book.

The Sphinx work folder persists between builds of the same output (under the
cache), so an edit to one chapter re-reads one page instead of all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from sle_cart.paths import BOOK_FILES, CHECKED_ENV, EXTRA

from .plan import BuildError, Plan, digest

#: Sphinx's own folders inside the work folder, kept between builds.
SPHINX_OWN = ("_build/html", "_build/.doctrees", "_build/jupyter_execute")


def write_if_changed(src: Path, dst: Path) -> bool:
    """Copy ``src`` to ``dst`` atomically unless ``dst`` already holds the same bytes."""
    data = src.read_bytes()
    if dst.exists() and dst.read_bytes() == data:
        return False
    tmp = dst.with_name(f".{dst.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, dst)
    return True


def _copytree(src: Path, dst: Path) -> None:
    if src.exists():
        shutil.copytree(src, dst, dirs_exist_ok=True)


def assemble(plan: Plan, stage: Path) -> Path:
    """A staged book: configuration, landing page, assets, markdown chapters and executed notebooks."""
    book = stage / "book"
    (book / "chapters").mkdir(parents=True)
    for f in BOOK_FILES:
        shutil.copy2(plan.root / f, book / f)
    _copytree(plan.root / "assets", book / "assets")
    for f in (plan.root / "chapters").glob("*.md"):
        shutil.copy2(f, book / "chapters" / f.name)
    (book / EXTRA).mkdir(parents=True)
    for nb in plan.chapters:
        shutil.copy2(plan.entry(nb) / nb.name, book / "chapters" / nb.name)
        _copytree(plan.entry(nb) / "extra", book / EXTRA)
    return book


def site_key(book: Path, code: str, dataset_sha: str, commit: str, out: Path) -> str:
    """Everything the site depends on: when it is unchanged, Sphinx need not run at all."""
    files = [
        str(p.relative_to(book)).encode() + p.read_bytes() for p in sorted(book.rglob("*")) if p.is_file()
    ]
    return digest(*files, code.encode(), dataset_sha.encode(), commit.encode(), str(out).encode())


def _sync_tree(src: Path, dst: Path) -> None:
    """Make ``dst`` hold ``src``'s files, rewriting only files whose bytes changed.

    Unchanged files keep their modification time, which is how Sphinx decides
    what to re-read.  Sphinx's own output folders under ``dst`` are kept.
    """
    wanted = {p.relative_to(src) for p in src.rglob("*") if p.is_file()}
    if dst.exists():
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
        write_if_changed(src / rel, target)


def build_site(plan: Plan, book: Path, stage: Path) -> Path:
    """Run ``jupyter-book build -W -n --keep-going`` in the persistent work folder; return a staged site.

    ``--all`` only on the first or a forced build, or after a build that did not
    finish.  A change of dataset, commit or versions re-writes every page (see
    ``sphinx_ext``).
    """
    work = plan.cache / "site" / digest(str(plan.out).encode())[:16]
    complete = work / ".complete"
    incremental = complete.exists() and not plan.force
    if not incremental:
        shutil.rmtree(work, ignore_errors=True)
    complete.unlink(missing_ok=True)
    _sync_tree(book, work)
    env = dict(os.environ, SLE_CART_DATA=str(plan.data), PYTHONHASHSEED="0")
    env[CHECKED_ENV] = str(plan.checked)
    jb = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(jb), "build", str(work), "-W", "-n", "--keep-going"] + ([] if incremental else ["--all"])
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)  # the next build starts clean
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        raise BuildError(f"jupyter-book build failed (exit {proc.returncode}):\n{tail}")
    complete.write_text("ok\n")
    site = stage / "site"
    shutil.copytree(
        work / "_build" / "html",
        site,
        ignore=shutil.ignore_patterns(".buildinfo", ".doctrees", ".sle-site-key"),
    )
    # html_extra_path only ever adds files: take downloads and claims.json from this build alone
    shutil.rmtree(site / "downloads", ignore_errors=True)
    _copytree(book / EXTRA, site)
    return site

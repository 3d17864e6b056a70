"""Build the book for a dataset: validate, execute chapters, assemble the site, publish atomically.

Stages
------
1. Validate the dataset (:func:`sle_cart.inputs.dataset.load`); invalid data stop
   here with exit status 2 and nothing executes.
2. Execute each chapter with papermill in its own sandbox (a private copy of
   the book layout), in parallel.  A chapter whose inputs are unchanged is
   taken from the content-addressed cache under ``_build/cache``.
3. Assemble the executed notebooks and their downloads into a staging book and
   run ``jupyter-book build --all -W -n --keep-going``.
4. Publish: swap the staged site into OUT with renames.  For the bundled
   dataset the executed notebooks are copied back into ``chapters/`` (they are
   the committed nbval reference).

Nothing outside the staging folder is written before stage 4, so a failed,
invalid or interrupted build leaves the previous OUT byte-identical.  Inputs
are only read.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from sle_cart.inputs import dataset as dataset_mod
from sle_cart.paths import BOOK_FILES, BUNDLED, PACKAGE, REQUIREMENTS, ROOT

from . import guard

CACHE_VERSION = "1"


class BuildError(Exception):
    """A chapter or the site failed to build; the message says where."""


@dataclass
class Result:
    out: Path
    claims: list[dict]
    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    site_built: bool = True
    seconds: float = 0.0


# ------------------------------------------------------------------ hashing
def _sha(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(hashlib.sha256(p).digest())
    return h.hexdigest()


def code_digest() -> str:
    """Digest of the analysis code and the pinned environment."""
    files = sorted(PACKAGE.rglob("*"))
    parts = [
        str(f.relative_to(PACKAGE)).encode() + f.read_bytes()
        for f in files
        if f.is_file() and f.suffix in (".py", ".css", ".js", ".typ") and "__pycache__" not in f.parts
    ]
    parts.append(REQUIREMENTS.read_bytes() if REQUIREMENTS.exists() else b"")
    parts.append(sys.version.encode())
    return _sha(*parts)


def notebook_source_digest(nb_path: Path) -> str:
    """Digest of a notebook's cells (type, source, tags), ignoring outputs and metadata noise."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    cells = [
        [
            c["cell_type"],
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"],
            c.get("metadata", {}).get("tags", []),
        ]
        for c in nb["cells"]
    ]
    return _sha(json.dumps(cells, sort_keys=True).encode())


def _code_cells(nb_path: Path) -> int:
    return sum(c["cell_type"] == "code" for c in json.loads(nb_path.read_text(encoding="utf-8"))["cells"])


def chapters(book: Path = ROOT) -> list[Path]:
    """Notebook chapters in table-of-contents order."""
    import yaml

    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    out = []
    for part in toc.get("parts", []):
        for ch in part.get("chapters", []):
            p = book / (ch["file"] + ".ipynb")
            if p.exists():
                out.append(p)
    return out


# ------------------------------------------------------------------ execution
def normalise_notebook(path: Path) -> None:
    """Strip papermill's timings and run metadata so re-execution is byte-identical."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    nbformat.write(nb, path)


def _execute_one(nb_src: str, sandbox: str, data_dir: str, bundled: bool, dataset_dir_name: str) -> dict:
    """Run one chapter in its own sandbox (runs in a worker process)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    sandbox_p = Path(sandbox)
    chapters_dir = sandbox_p / "chapters"
    chapters_dir.mkdir(parents=True, exist_ok=True)
    (sandbox_p / "data").mkdir(exist_ok=True)
    if bundled:
        # the notebook's default parameter "../data/im19-sle" resolves inside the sandbox
        os.symlink(data_dir, sandbox_p / "data" / dataset_dir_name)
    out_nb = chapters_dir / Path(nb_src).name
    params = {} if bundled else {"data_dir": data_dir}
    # The kernel's own chatter (transport warnings, shutdown notices) goes to a log
    # in the sandbox instead of the terminal; cell errors are reported from the exception.
    fd = os.open(sandbox_p / "kernel.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 2)  # the worker process ends with the build, which closes it
    os.close(fd)
    t0 = time.perf_counter()
    try:
        papermill.execute_notebook(
            nb_src,
            str(out_nb),
            parameters=params,
            cwd=str(chapters_dir),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
        )
    except PapermillExecutionError as exc:
        return {"ok": False, "cell": exc.exec_count, "error": f"{exc.ename}: {exc.evalue}"}
    except Exception as exc:  # kernel died, notebook unreadable: still one line, not a traceback
        return {"ok": False, "cell": "-", "error": f"{type(exc).__name__}: {exc}"}
    normalise_notebook(out_nb)
    return {"ok": True, "seconds": time.perf_counter() - t0}


def _run_chapters(todo: list[Path], stage: Path, data: Path, bundled: bool, jobs: int | None):
    """Execute chapters in worker processes; yield (notebook, result) as each finishes.

    On Ctrl-C or any error the pending chapters are cancelled and the workers
    (with their kernels) are stopped, so an interrupted build ends promptly.
    """
    if not todo:
        return
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        futures = {
            pool.submit(
                _execute_one, str(nb), str(stage / "run" / nb.stem), str(data), bundled, BUNDLED.name
            ): nb
            for nb in todo
        }
        for fut in as_completed(futures):
            yield futures[fut], fut.result()
    except BaseException:
        procs = list((getattr(pool, "_processes", None) or {}).values())
        for proc in procs:
            proc.terminate()
        for proc in procs:  # wait, so nothing writes into the staging folder after it is removed
            proc.join(timeout=10)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _sync_tree(
    src: Path, dst: Path, keep=("_build/html", "_build/.doctrees", "_build/jupyter_execute")
) -> None:
    """Make ``dst`` hold ``src``'s files, rewriting only files whose bytes changed.

    Unchanged files keep their modification time, which is how Sphinx decides
    what to re-read.  Sphinx's own output folders under ``dst`` are kept.
    """
    wanted = {p.relative_to(src) for p in src.rglob("*") if p.is_file()}
    if dst.exists():
        for p in sorted(dst.rglob("*"), reverse=True):
            rel = p.relative_to(dst)
            if any(str(rel) == k or str(rel).startswith(k + "/") for k in keep):
                continue
            if p.is_file() and rel not in wanted:
                p.unlink()
            elif p.is_dir() and not any(p.iterdir()):
                p.rmdir()
    for rel in sorted(wanted):
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_if_changed(src / rel, target)


def _sphinx(book: Path, work: Path, stage: Path, data: Path, force: bool) -> Path:
    """Build the site with Jupyter Book in a persistent work folder; return a staged copy of it.

    The work folder keeps Sphinx's environment between builds, so an edit to
    one chapter re-reads one page instead of all (``--all`` only on the first
    or a forced build, or after a build that did not finish).  A change of
    dataset, commit or versions re-writes every page (see ``sphinx_ext``).
    """
    complete = work / ".complete"
    incremental = complete.exists() and not force
    if not incremental:
        shutil.rmtree(work, ignore_errors=True)
    complete.unlink(missing_ok=True)
    _sync_tree(book, work)
    env = dict(os.environ, SLE_CART_DATA=str(data), PYTHONHASHSEED="0")
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
    _copytree(book / "_build" / "extra", site)
    return site


def _copytree(src: Path, dst: Path) -> None:
    if src.exists():
        shutil.copytree(src, dst, dirs_exist_ok=True)


# ------------------------------------------------------------------ publishing
def _replace_dir(new: Path, target: Path) -> None:
    """Swap ``new`` into ``target`` with renames; the old target is removed only afterwards."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.rename(target, old)
    os.rename(new, target)
    if old.exists():
        shutil.rmtree(old)


def _write_if_changed(src: Path, dst: Path) -> bool:
    data = src.read_bytes()
    if dst.exists() and dst.read_bytes() == data:
        return False
    tmp = dst.with_name(f".{dst.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, dst)
    return True


def _dir_digest(d: Path) -> list[bytes]:
    return [str(p.relative_to(d)).encode() + p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()]


def _print(quiet: bool, msg: str) -> None:
    if not quiet:
        print(msg, flush=True)


def build(
    data_dir: str | Path | None = None,
    out: str | Path | None = None,
    *,
    strict: bool = False,
    force: bool = False,
    quiet: bool = False,
    jobs: int | None = None,
    cache_dir: str | Path | None = None,
    book_root: str | Path | None = None,
) -> Result:
    """Build the complete book for ``data_dir`` into ``out`` (see module docstring).

    ``book_root`` is the folder holding ``_config.yml``, ``_toc.yml``,
    ``index.md`` and ``chapters/`` (default: this repository).

    Raises :class:`sle_cart.inputs.dataset.DataError` for invalid data and
    :class:`BuildError` when a chapter or the site fails.
    """
    from . import provenance

    t_start = time.perf_counter()
    root = Path(book_root).resolve() if book_root else ROOT
    data = Path(data_dir).resolve() if data_dir else BUNDLED
    bundled = data == BUNDLED.resolve()
    out = Path(out).resolve() if out else root / "_build" / "html"
    cache = Path(cache_dir) if cache_dir else root / "_build" / "cache"
    guard.check_site_folder(out, data=data, book_root=root, cache=cache)  # before anything runs
    ds = dataset_mod.load_cached(data)  # stage 1: raises DataError before anything runs
    for w in ds.warnings:
        _print(quiet, f"warning: {w}")
    for n in ds.notes:
        _print(quiet, f"note: {n}")

    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".sle-build-", dir=out.parent))
    result = Result(out=out, claims=[])
    try:
        chapter_list = chapters(root)
        shared = _sha(
            code_digest().encode(), ds.sha256().encode(), str(bundled).encode(), CACHE_VERSION.encode()
        )
        todo, keys = [], {}
        for nb in chapter_list:
            key = _sha(shared.encode(), notebook_source_digest(nb).encode(), nb.name.encode())
            keys[nb.stem] = key
            if force or not (cache / f"{nb.stem}-{key}" / "done").exists():
                todo.append(nb)
            else:
                result.cached.append(nb.stem)
                _print(quiet, f"  {nb.stem:<32} cached")

        # stage 2: execute what changed, in parallel, each chapter in its own sandbox;
        # longest first (last recorded time, else code cells), so no long chapter starts last
        timings_file = cache / "timings.json"
        timings = json.loads(timings_file.read_text()) if timings_file.exists() else {}
        todo.sort(key=lambda nb: -timings.get(nb.stem, _code_cells(nb)))
        failures = []
        for nb, res in _run_chapters(todo, stage, data, bundled, jobs):
            if not res["ok"]:
                failures.append(f"{nb.name}: cell {res['cell']} raised {res['error']}")
                _print(quiet, f"  {nb.stem:<32} FAILED at cell {res['cell']}: {res['error']}")
                continue
            _print(quiet, f"  {nb.stem:<32} executed in {res['seconds']:.1f} s")
            tmp_entry = stage / "cache" / f"{nb.stem}-{keys[nb.stem]}"
            sandbox = stage / "run" / nb.stem
            tmp_entry.mkdir(parents=True)
            shutil.copy2(sandbox / "chapters" / nb.name, tmp_entry / nb.name)
            _copytree(sandbox / "_build" / "extra", tmp_entry / "extra")
            (tmp_entry / "done").write_text("ok\n")
            result.executed.append(nb.stem)
            timings[nb.stem] = round(res["seconds"], 2)
        if failures:
            raise BuildError("chapter execution failed:\n  " + "\n  ".join(failures))
        if result.executed:
            cache.mkdir(parents=True, exist_ok=True)
            timings_file.write_text(json.dumps(timings, sort_keys=True) + "\n")
        # the cache is only filled once every chapter ran, so it never holds a half build
        for entry in sorted((stage / "cache").glob("*")) if (stage / "cache").exists() else []:
            final = cache / entry.name
            if final.exists():
                shutil.rmtree(final)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(entry, final)

        # stage 3: assemble the book
        book = stage / "book"
        (book / "chapters").mkdir(parents=True)
        for f in BOOK_FILES:
            shutil.copy2(root / f, book / f)
        _copytree(root / "assets", book / "assets")
        for f in (root / "chapters").glob("*.md"):
            shutil.copy2(f, book / "chapters" / f.name)
        (book / "_build" / "extra").mkdir(parents=True)
        for nb in chapter_list:
            entry = cache / f"{nb.stem}-{keys[nb.stem]}"
            shutil.copy2(entry / nb.name, book / "chapters" / nb.name)
            _copytree(entry / "extra", book / "_build" / "extra")

        site_key = _sha(
            *_dir_digest(book),
            code_digest().encode(),
            ds.sha256().encode(),
            provenance.git_commit().encode(),
            str(out).encode(),
        )
        stamp = out / ".sle-site-key"
        if not force and not result.executed and stamp.exists() and stamp.read_text() == site_key:
            result.site_built = False
            _print(quiet, "  site                             unchanged, not rebuilt")
        else:
            site = _sphinx(book, cache / "site" / _sha(str(out).encode())[:16], stage, data, force)
            (site / ".sle-site-key").write_text(site_key)
            guard.write_manifest(site)
            _replace_dir(site, out)  # stage 4: publish
            _print(quiet, "  site                             built")
        if bundled and out == (root / "_build" / "html"):
            for nb in chapter_list:
                _write_if_changed(cache / f"{nb.stem}-{keys[nb.stem]}" / nb.name, nb)
        result.claims = json.loads((out / "claims.json").read_text(encoding="utf-8"))["claims"]
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    result.seconds = time.perf_counter() - t_start
    n_ok = sum(c["holds"] for c in result.claims)
    _print(
        quiet,
        f"built {len(result.executed)} executed, {len(result.cached)} cached chapters in "
        f"{result.seconds:.1f} s; {n_ok}/{len(result.claims)} claims hold; open {out / 'index.html'}",
    )
    if strict and n_ok < len(result.claims):
        failing = [c["id"] for c in result.claims if not c["holds"]]
        raise BuildError(f"--strict: {len(failing)} claim(s) do not hold: {', '.join(failing)}")
    return result

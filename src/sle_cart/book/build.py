"""Build the book for a dataset: check, plan, execute, assemble, publish.

Steps
-----
1. Check the output folder (:mod:`~sle_cart.book.guard`) and validate the
   dataset (:func:`sle_cart.inputs.dataset.load`): a refused folder or invalid
   data stop here with exit status 2, and nothing executes.
2. Plan (:mod:`~sle_cart.book.plan`): key every chapter; unchanged chapters
   come from the content-addressed cache.
3. Execute (:mod:`~sle_cart.book.execute`) the others with papermill, in
   parallel, each in its own sandbox.
4. Assemble (:mod:`~sle_cart.book.assemble`) the executed notebooks and their
   downloads and run ``jupyter-book build --all -W -n --keep-going`` (set up
   while the chapters execute: :mod:`~sle_cart.book.sphinx_run`).
5. Publish: swap the staged site into OUT atomically; for the bundled dataset
   copy the executed notebooks back into ``chapters/`` (the committed nbval
   reference).

A build holds a lock on its output and its cache (:mod:`~sle_cart.book.staging`).
Nothing outside the staging folder is written before step 5, so a failed,
invalid, interrupted or killed build leaves the previous OUT byte-identical.
Inputs are only read.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sle_cart import __version__
from sle_cart.paths import BUNDLED, ROOT, chapter_cache, default_site

from . import guard, provenance, staging
from .artefacts import CONSISTENCY, Drawing
from .assemble import SiteBuild, add_chapters, executed_notebook, frame, site_key, write_if_changed
from .execute import execute, start_workers, stop_workers
from .plan import BuildError, Plan, chapters, code_digest, folder_digest, make_plan

__all__ = ["BuildError", "Result", "build", "chapters"]

#: What a build found, in the cache under the key of everything the site was built from (the
#: book, the data, the code, the commit, OUT): a build whose key has a summary, with OUT still
#: holding that site, has nothing to do, and reads no data and imports no analysis library.
SUMMARIES = "builds"


@dataclass
class Result:
    """What a build did: its output, the claims it found, which chapters ran or came from the cache."""

    out: Path
    claims: list[dict]
    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    site_built: bool = True
    seconds: float = 0.0


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
    """Build the complete book for ``data_dir`` into ``out`` (see the module docstring).

    ``book_root`` is the folder holding ``_config.yml``, ``_toc.yml``,
    ``index.md`` and ``chapters/`` (default: this repository).  Raises
    :class:`~sle_cart.inputs.errors.DataError` for invalid data,
    :class:`~sle_cart.paths.FolderRefused` for an unsafe output folder and
    :class:`BuildError` when a chapter or the site fails.
    """
    t_start = time.perf_counter()
    say = (lambda msg: None) if quiet else (lambda msg: print(msg, flush=True))
    root = Path(book_root).resolve() if book_root else ROOT
    data = Path(data_dir).resolve() if data_dir else BUNDLED.resolve()
    out = Path(out).resolve() if out else default_site(root)
    cache = Path(cache_dir).resolve() if cache_dir else chapter_cache(root)
    guard.check_site_folder(out, data=data, book_root=root, cache=cache)
    with (
        staging.exclusive(staging.lock_file(out), f"the output folder {out}", remove=True),
        staging.exclusive(cache / ".lock", f"the cache {cache}"),
    ):
        guard.check_site_folder(out, data=data, book_root=root, cache=cache)  # it may have changed meanwhile
        staging.clean_stale(out)
        plan = make_plan(root, data, out, cache, force=force, jobs=jobs)
        summary = None if force else _up_to_date(plan)
        if summary is not None:  # nothing changed: no data read, no heavy import
            for line in summary["messages"]:
                say(line)
            result = Result(out=out, claims=_claims_json(out), cached=list(plan.cached), site_built=False)
        else:
            summary, result = _build_all(plan, say)
    result.seconds = time.perf_counter() - t_start
    n_ok, failing = summary["holding"], summary["failing"]
    say(
        f"built {len(result.executed)} executed, {len(result.cached)} cached chapters in "
        f"{result.seconds:.1f} s; {n_ok}/{summary['claims']} claims hold; open {out / 'index.html'}"
    )
    if strict and failing:
        raise BuildError(f"--strict: {len(failing)} claim(s) do not hold: {', '.join(failing)}")
    return result


def _claims_json(out: Path) -> list[dict]:
    return json.loads((out / "claims.json").read_text(encoding="utf-8"))["claims"]


def _up_to_date(plan: Plan) -> dict | None:
    """The last build's summary when OUT was built from exactly these inputs and code; else None."""
    if plan.todo:
        return None
    try:
        summary = json.loads(_summary_file(plan).read_text(encoding="utf-8"))
        site_key = (plan.out / guard.SITE_KEY).read_text()
    except (OSError, ValueError):
        return None
    return summary if summary.get("site_key") == site_key else None


def _summary_file(plan: Plan) -> Path:
    return plan.cache / SUMMARIES / f"{plan.build_key(provenance.git_commit())}.json"


def _build_all(plan: Plan, say: Callable[[str], None]) -> tuple[dict, Result]:
    """Validate, compute the findings, execute, assemble and publish; return the summary and result."""
    from sle_cart.inputs.dataset import load_cached

    workers = start_workers(plan)  # their kernels start while the data are checked; no chapter runs yet
    try:
        plan.dataset = load_cached(plan.data)
        if folder_digest(plan.data) != plan.data_digest:  # edited while being read: keys, data would differ
            raise BuildError(f"the dataset in {plan.data} changed while it was being read; nothing was built")
        messages = [f"warning: {w}" for w in plan.dataset.warnings]
        messages += [f"note: {n}" for n in plan.dataset.notes]
        for line in messages:
            say(line)
        found = _findings(plan)
    except BaseException:
        stop_workers(workers)
        raise
    summary = {
        "messages": messages,
        "holding": found.n_holding,
        "claims": found.n_stated,
        "failing": [c.id for c in found.claims if not c.holds],
    }
    result = _run(plan, say, workers)
    if folder_digest(plan.data) != plan.data_digest:  # every view read the snapshot, not the live files
        print(  # even with --quiet: the site does not show the files as they are now
            f"warning: the files in {plan.data} changed while the build ran; the site shows them as they "
            f"were read (SHA-256 {plan.dataset.sha256()}); build again to show the current files",
            file=sys.stderr,
            flush=True,
        )
    summary["site_key"] = (plan.out / guard.SITE_KEY).read_text()
    _summary_file(plan).parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(_summary_file(plan), json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    return summary, result


def _findings(plan: Plan):
    """The findings of the dataset: computed once per build, or read back when this content had them."""
    from sle_cart.analysis import findings

    if plan.checked.exists():
        try:
            _, found = findings.load(plan.checked)
            if found.sha256 == plan.dataset.sha256():
                findings.remember(plan.dataset, found)  # the paper, exports and crate read them too
                return found
        except Exception:  # unreadable or from another environment: compute again
            pass
    found = findings.findings_of(plan.dataset)
    findings.save(plan.dataset, found, plan.checked)
    return found


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` atomically (a concurrent reader sees the old file or the new one)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _run(plan: Plan, say: Callable[[str], None], workers) -> Result:
    """Execute, assemble and publish one planned build in a private staging folder."""
    result = Result(out=plan.out, claims=[], cached=list(plan.cached))
    for stem in plan.cached:
        say(f"  {stem:<32} cached")
    try:
        stage = staging.new_stage(plan.out)
    except BaseException:
        stop_workers(workers)
        raise
    made = sphinx = None
    try:
        made = Drawing(plan)  # drawn meanwhile: they need the findings, not the chapters
        book = frame(plan, stage)
        if plan.todo:  # the site will be built: Sphinx sets itself up while the chapters execute
            sphinx = SiteBuild(plan, book)
        result.executed = execute(plan, stage, say, workers)
        add_chapters(plan, book)
        result.site_built = _publish(
            plan, book, stage, made, sphinx, force=plan.force or bool(result.executed)
        )
        say(f"  {'site':<32} {'built' if result.site_built else 'unchanged, not rebuilt'}")
        if plan.bundled and plan.out == default_site(plan.root):
            for nb in plan.chapters:  # the committed nbval reference follows the bundled build
                write_if_changed(executed_notebook(plan, nb), nb)
        result.claims = _claims_json(plan.out)
    except BaseException:
        if sphinx is not None:
            sphinx.stop()
        raise
    finally:
        if made is not None:
            made.stop()
        shutil.rmtree(stage, ignore_errors=True)
    return result


def _publish(
    plan: Plan, book: Path, stage: Path, made: Drawing, sphinx: SiteBuild | None, *, force: bool
) -> bool:
    """Build and swap in the site unless nothing it depends on changed; True when it was built.

    ``sphinx``: Sphinx already set up (when chapters executed, the site is built whatever its key)."""
    key = None
    if sphinx is None:  # no chapter executed: the site is built only when something else changed
        key = site_key(book, code_digest(), plan.dataset.sha256(), provenance.git_commit(), plan.out)
        stamp = plan.out / guard.SITE_KEY
        if not force and stamp.exists() and stamp.read_text() == key:
            return False
        sphinx = SiteBuild(plan, book)
    sphinx.go()  # Sphinx on one core, the figures and the PDF on the other; the rest meanwhile
    from . import crate

    key = key or site_key(book, code_digest(), plan.dataset.sha256(), provenance.git_commit(), plan.out)
    try:
        folder = made.result()
    except BaseException:
        sphinx.stop()
        raise
    site = sphinx.finish(stage)
    (site / guard.SITE_KEY).write_text(key)
    shutil.copytree(folder / "downloads", site / "downloads", dirs_exist_ok=True)
    shutil.copy2(folder / "paper.pdf", site / "paper.pdf")
    shutil.copy2(folder / CONSISTENCY, site / CONSISTENCY)
    crate.write_crate(
        site,
        plan.dataset,
        commit=provenance.git_commit(),
        versions=provenance.versions(),
        software_version=__version__,
    )
    guard.write_manifest(site)
    guard.check_before_swap(plan.out)  # something may have been added to OUT while the build ran
    staging.replace_dir(site, plan.out)
    return True

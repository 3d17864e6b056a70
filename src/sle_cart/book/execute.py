"""Execute the chapters that changed: papermill, one sandbox and one worker process per chapter.

Each chapter runs in a private copy of the book layout, with the dataset linked
in at a fixed place, so nothing about the machine or the dataset's folder ends
up in the executed notebook: the same dataset gives the same bytes wherever it
lives.  A chapter that raises keeps its executed notebook, traceback included,
under ``_build/failed/`` for reading.
"""

from __future__ import annotations

import json
import multiprocessing.util
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from sle_cart.paths import BUNDLED, CHECKED_ENV, EXTRA, failed_dir

from .plan import BuildError, Plan

#: Where a non-bundled dataset is linked inside a sandbox, as the chapters see it.
LINKED_DATA = "../data/dataset"
INJECTED_ID = "injected-parameters"


def normalise_notebook(path: Path) -> None:
    """Strip papermill's timings and run metadata so re-execution is byte-identical."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        tags = cell.metadata.get("tags", [])
        if INJECTED_ID in tags:
            cell.id = INJECTED_ID  # papermill gives the injected cell a random id
            if "remove-cell" not in tags:
                cell.metadata["tags"] = [*tags, "remove-cell"]
    nbformat.write(nb, path)


def _sandbox(sandbox: Path, data_dir: str, bundled: bool) -> dict:
    """Lay out a sandbox; return the papermill parameters that point the chapter at the data."""
    (sandbox / "chapters").mkdir(parents=True, exist_ok=True)
    (sandbox / "data").mkdir(exist_ok=True)
    if bundled:  # the notebook's default parameter "../data/im19-sle" resolves inside the sandbox
        os.symlink(data_dir, sandbox / "data" / BUNDLED.name)
        return {}
    os.symlink(data_dir, sandbox / "data" / Path(LINKED_DATA).name)
    return {"data_dir": LINKED_DATA}


#: This worker's kernel: started for its first chapter and kept for the next ones, so the
#: libraries a chapter imports (pandas, altair, the findings) load once per worker, not per chapter.
_KERNEL = None
#: Run in the kept kernel before each chapter: a fresh namespace and prompt count (IPython's
#: own new-session reset), and the chapter's sandbox as the working folder.
_FRESH_SESSION = "get_ipython().reset(new_session=True)\n__import__('os').chdir({cwd!r})\n"
#: What every chapter imports, loaded while the kernel waits for its first chapter.
_WARM_UP = "import altair, pandas, sle_cart.present.chapter, sle_cart.present.publish, vl_convert\n"


def die_with_parent(parent: int) -> None:
    """In a child of the build: die when the build dies, even by SIGKILL (Linux's PR_SET_PDEATHSIG).

    Chapter workers, Sphinx and the drawing process (:mod:`.artefacts`) would
    otherwise be re-parented to init and go on writing into a staging folder
    (or cache folder) nobody will remove.  SIGTERM and Ctrl-C
    are the parent's to handle: a worker takes SIGTERM's default action (it
    stops at once, where the build's own handler would have it finish a
    chapter) and ignores the terminal's SIGINT.  Jupyter kernels already poll
    their parent (``JPY_PARENT_PID``) and exit with their worker.
    """
    import ctypes
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's own clean-up still applies
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _kernel(checked: str):
    """This worker's kernel, started now if it has none or it died, reset for a new chapter."""
    global _KERNEL
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    if _KERNEL is None or not run_sync(_KERNEL.is_alive)():
        from .kernel_client import PromptKernelClient

        km = AsyncKernelManager(kernel_name="python3", client_factory=PromptKernelClient)
        env = dict(os.environ, **{CHECKED_ENV: checked})
        # its chatter (transport warnings, shutdown notices) is not the reader's; cell errors come as results
        run_sync(km.start_kernel)(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _KERNEL = km
        multiprocessing.util.Finalize(km, run_sync(km.shutdown_kernel), kwargs={"now": True}, exitpriority=10)
    return _KERNEL


def _run_silently(km, code: str) -> None:
    """Run ``code`` in the kept kernel without output or a prompt number; raise if it fails."""
    from jupyter_core.utils import run_sync

    client = km.client()
    client.start_channels()
    try:
        run_sync(client.wait_for_ready)(timeout=60)
        reply = run_sync(client.execute_interactive)(code, silent=True, timeout=120)
    finally:
        client.stop_channels()
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"the chapter kernel failed to prepare: {reply['content'].get('evalue')}")


def warm_up(checked: str) -> None:
    """Start this worker's kernel and import what every chapter imports (runs in a worker).

    The build submits this first, so kernels start while the build itself
    validates the data and computes the findings.  Importing changes no output.
    """
    _run_silently(_kernel(checked), _WARM_UP)


def _execute_one(nb_src: str, sandbox: str, data_dir: str, bundled: bool, checked: str) -> dict:
    """Run one chapter in its own sandbox (runs in a worker process, in the worker's kept kernel).

    The kernel has ``CHECKED_ENV`` set: it reads the dataset and the findings
    the build computed, so it neither re-reads the input files (which may have
    changed since they were checked) nor recomputes a number.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    box = Path(sandbox)
    params = _sandbox(box, data_dir, bundled)
    out_nb = box / "chapters" / Path(nb_src).name
    # The kernel's own chatter (transport warnings, shutdown notices) goes to a log
    # in the sandbox instead of the terminal; cell errors are reported from the exception.
    fd = os.open(box / "kernel.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 2)  # the worker process ends with the build, which closes it
    os.close(fd)
    t0 = time.perf_counter()
    try:
        km = _kernel(checked)
        _run_silently(km, _FRESH_SESSION.format(cwd=str(box / "chapters")))
        papermill.execute_notebook(
            nb_src,
            str(out_nb),
            parameters=params,
            cwd=str(box / "chapters"),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            km=km,
        )
    except PapermillExecutionError as exc:
        return {"ok": False, "cell": exc.exec_count, "error": f"{exc.ename}: {exc.evalue}"}
    except Exception as exc:  # kernel died, notebook unreadable: still one line, not a traceback
        return {"ok": False, "cell": "-", "error": f"{type(exc).__name__}: {exc}"}
    normalise_notebook(out_nb)
    return {"ok": True, "seconds": time.perf_counter() - t0}


def start_workers(plan: Plan) -> ProcessPoolExecutor | None:
    """Chapter workers for ``plan.todo``, each starting its kernel at once; None when nothing runs."""
    if not plan.todo:
        return None
    n = max(1, min(plan.jobs or os.cpu_count() or 1, len(plan.todo)))
    pool = ProcessPoolExecutor(max_workers=n, initializer=die_with_parent, initargs=(os.getpid(),))
    for _ in range(n):  # each submission starts a worker (Python starts them on demand)
        pool.submit(warm_up, str(plan.checked))
    return pool


def stop_workers(pool: ProcessPoolExecutor | None) -> None:
    """Stop the workers (and so their kernels) now: the build failed or was interrupted."""
    if pool is None:
        return
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for proc in procs:
        proc.terminate()
    for proc in procs:  # wait, so nothing writes into the staging folder after it is removed
        proc.join(timeout=10)
        if proc.is_alive():  # still saving a notebook (a loaded machine): stop it for good
            proc.kill()
            proc.join()
    pool.shutdown(wait=False, cancel_futures=True)


def _run_chapters(plan: Plan, stage: Path, pool: ProcessPoolExecutor | None) -> Iterator[tuple[Path, dict]]:
    """Execute chapters on ``pool``'s workers; yield (notebook, result) as each finishes.

    On Ctrl-C or any error the pending chapters are cancelled and the workers
    (with their kernels) are stopped, so an interrupted build ends promptly.
    """
    if not plan.todo or pool is None:
        return
    try:
        futures = {
            pool.submit(
                _execute_one,
                str(nb),
                str(stage / "run" / nb.stem),
                str(plan.data),
                plan.bundled,
                str(plan.checked),
            ): nb
            for nb in plan.todo
        }
        for fut in as_completed(futures):
            yield futures[fut], fut.result()
    except BaseException:
        stop_workers(pool)
        raise
    pool.shutdown()


def _code_cells(nb: Path) -> int:
    return sum(c["cell_type"] == "code" for c in json.loads(nb.read_text(encoding="utf-8"))["cells"])


def execute(plan: Plan, stage: Path, say, pool: ProcessPoolExecutor | None) -> list[str]:
    """Run ``plan.todo`` (longest first), then move the results into the cache; return the chapters run.

    The cache is filled only once every chapter ran, so it never holds half a build.  ``pool``: the
    workers the build started (:func:`start_workers`), None when nothing runs.
    """
    timings_file = plan.cache / "timings.json"
    timings = json.loads(timings_file.read_text()) if timings_file.exists() else {}
    # longest first (last recorded time, else code cells), so no long chapter starts last
    plan.todo.sort(key=lambda nb: -timings.get(nb.stem, _code_cells(nb)))
    failures, executed = [], []
    for nb, res in _run_chapters(plan, stage, pool):
        sandbox = stage / "run" / nb.stem
        if not res["ok"]:
            kept = _keep_failed(plan, sandbox / "chapters" / nb.name)
            failures.append(f"{nb.name}: cell {res['cell']} raised {res['error']}{kept}")
            say(f"  {nb.stem:<32} FAILED at cell {res['cell']}: {res['error']}")
            continue
        say(f"  {nb.stem:<32} executed in {res['seconds']:.1f} s")
        entry = stage / "cache" / plan.entry(nb).name
        entry.mkdir(parents=True)
        shutil.copy2(sandbox / "chapters" / nb.name, entry / nb.name)
        if (sandbox / EXTRA).exists():
            shutil.copytree(sandbox / EXTRA, entry / "extra")
        (entry / "done").write_text("ok\n")
        executed.append(nb.stem)
        timings[nb.stem] = round(res["seconds"], 2)
    if failures:
        raise BuildError("chapter execution failed:\n  " + "\n  ".join(failures))
    if executed:
        plan.cache.mkdir(parents=True, exist_ok=True)
        timings_file.write_text(json.dumps(timings, sort_keys=True) + "\n")
    for entry in sorted((stage / "cache").glob("*")) if (stage / "cache").exists() else []:
        final = plan.cache / entry.name
        if final.exists():
            shutil.rmtree(final)
        os.replace(entry, final)
    return executed


def _keep_failed(plan: Plan, executed_nb: Path) -> str:
    """Copy a failed chapter's executed notebook (with its traceback) to ``_build/failed/``."""
    if not executed_nb.exists():
        return ""
    target = failed_dir(plan.root) / executed_nb.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed_nb, target)
    return f" (executed notebook with the traceback: {target})"

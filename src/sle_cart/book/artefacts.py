"""The composite figures, ``paper.pdf`` and ``consistency.json``: made once per data, code and commit.

They are drawn on a thread of the build process while the chapters execute, into a
folder of the cache named after the process; the folder takes its final name only when
everything in it is written.  A build that fails or is interrupted leaves that thread
drawing (``sle_cart.__main__`` then exits without waiting for it), so its unfinished
folder is removed by the next build, once its process is gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import threading
from concurrent.futures import Future
from pathlib import Path

from . import provenance
from .plan import Plan, digest
from .staging import alive

#: The downloadable composite figures and the PDF, in the cache under the data, code and commit.
ARTEFACTS = "artefacts"
#: What the published numbers determine by themselves, for machines (at the site root).
CONSISTENCY = "consistency.json"
#: The name of the thread that draws them (``sle_cart.__main__`` looks for it at exit).
THREAD = "artefacts"
#: How much nicer than the build that thread runs (nice values: 0 normal, 19 nicest).
NICER = 10
#: An unfinished folder: the finished one's name (32 hex digits) after a dot, then the process id.
_UNFINISHED = re.compile(r"\.[0-9a-f]{32}\.([0-9]+)")


def artefacts_meanwhile(plan: Plan) -> Future:
    """:func:`artefacts` on a thread, while the chapters execute (this process only waits on its
    workers then; otherwise a core idles while Sphinx runs alone).  A daemon thread: a failed or
    stopped build does not wait for it, and the cache only ever gets the artefacts whole."""
    made: Future = Future()

    def work() -> None:
        try:
            _after_the_chapters()
            made.set_result(artefacts(plan))
        except BaseException as exc:  # re-raised where the site needs them
            made.set_exception(exc)

    threading.Thread(target=work, name=THREAD, daemon=True).start()
    return made


def _after_the_chapters() -> None:
    """Give this thread a lower priority than the chapter kernels and Sphinx (Linux keeps a nice value
    per thread, and the threads it starts inherit it).  The chapters are on the build's critical
    path and the figures are not: they use what CPU the chapters leave (kernels starting, the core
    Sphinx leaves idle) instead of slowing every chapter by a third."""
    with contextlib.suppress(AttributeError, OSError):  # elsewhere: the same work at the same priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICER)


def artefacts(plan: Plan) -> Path:
    """The composite figures (SVG, PDF, PNG), ``paper.pdf`` and ``consistency.json``, in the cache.

    They depend on the data, the code and the commit, not on the chapters'
    text, so a prose edit reuses them; each composite's PDF is drawn once and
    placed in the paper too.
    """
    from sle_cart.present import publication, published_numbers

    from . import paper

    commit = provenance.git_commit()
    folder = plan.cache / ARTEFACTS / digest(plan.keys["_shared"].encode(), commit.encode())[:32]
    if (folder / "done").exists():
        return folder
    _remove_unfinished(folder.parent)
    tmp = folder.with_name(f".{folder.name}.{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    written = publication.export(plan.dataset, tmp / "downloads")
    pdfs = {p.stem: p.read_bytes() for p in written if p.suffix == ".pdf"}
    paper.write_paper(tmp, plan.dataset, commit=commit, versions=provenance.versions(), figure_pdfs=pdfs)
    doc = published_numbers.audit(plan.dataset)  # the findings' audit, which the paper's section read
    (tmp / CONSISTENCY).write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (tmp / "done").write_text("ok\n")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)
    return folder


def _remove_unfinished(parent: Path) -> None:
    """Remove the unfinished folders of builds whose process is gone (a build stopped mid-drawing)."""
    if not parent.is_dir():
        return
    for p in parent.iterdir():
        m = _UNFINISHED.fullmatch(p.name)
        if m and p.is_dir() and not p.is_symlink() and not alive(int(m.group(1))):
            shutil.rmtree(p, ignore_errors=True)

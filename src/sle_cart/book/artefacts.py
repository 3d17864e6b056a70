"""The composite figures, ``paper.pdf`` and ``consistency.json``: made once per data, code and commit.

They are drawn by a process of their own, started while the chapters execute, at a lower
priority than the chapters' kernels and Sphinx, into a folder of the cache named after that
process; the folder takes its final name only when everything in it is written.  A process, not a
thread of the build: vl-convert holds the interpreter lock for the whole of each render (about 5 s
in all), which stalled the build's own thread as it collected the chapters and started Sphinx.
The drawing process dies with the build (a failed, stopped or killed one), and its unfinished
folder is removed by the next build, once the process is gone.

Run as ``python -m sle_cart.book.artefacts <checked> <folder> <commit> <build pid>``: ``checked``
is the pickle of the checked dataset and its findings the build wrote for the chapters.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import provenance
from .execute import die_with_parent
from .plan import BuildError, Plan, digest
from .staging import alive

#: The downloadable composite figures and the PDF, in the cache under the data, code and commit.
ARTEFACTS = "artefacts"
#: What the published numbers determine by themselves, for machines (at the site root).
CONSISTENCY = "consistency.json"
#: How much nicer than the build the drawing process runs (nice values: 0 normal, 19 nicest).
NICER = 10
#: An unfinished folder: the finished one's name (32 hex digits) after a dot, then the process id.
_UNFINISHED = re.compile(r"\.[0-9a-f]{32}\.([0-9]+)")


class Drawing:
    """The artefacts of one build: already in the cache, or being drawn by their own process."""

    def __init__(self, plan: Plan):
        commit = provenance.git_commit()
        self.folder = plan.cache / ARTEFACTS / digest(plan.keys["_shared"].encode(), commit.encode())[:32]
        self.proc = self.errors = None
        if (self.folder / "done").exists():
            return
        _remove_unfinished(self.folder.parent)
        cmd = [sys.executable, "-m", __name__, str(plan.checked), str(self.folder), commit, str(os.getpid())]
        # Started from the build's main thread: Linux's parent-death signal, which the process asks
        # for as it starts, follows the thread that started it (one from a helper thread would die
        # when that thread ended).
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.errors,  # a file, not a pipe: nothing reads it until the end
        )

    def result(self) -> Path:
        """The finished folder, once the process has drawn it; BuildError, with its message, if it failed."""
        if self.proc is not None and self.proc.wait() != 0:
            self.errors.seek(0)
            err = self.errors.read().decode("utf-8", "replace")
            tail = "\n".join(err.strip().splitlines()[-15:])
            raise BuildError(
                f"the figures and paper.pdf could not be made (exit {self.proc.returncode}):\n{tail}"
            )
        return self.folder

    def stop(self) -> None:
        """Stop drawing if it has not finished (the build failed, was interrupted, or did not need the
        site rebuilt): the next build removes the unfinished folder.  Called at the end of every build."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.errors.close()


def draw(ds, folder: Path, commit: str) -> Path:
    """The composite figures (SVG, PDF, PNG), ``paper.pdf`` and ``consistency.json``, into ``folder``.

    They depend on the data, the code and the commit, not on the chapters'
    text, so a prose edit reuses them; each composite's PDF is drawn once and
    placed in the paper too.
    """
    from sle_cart.present import publication, published_numbers

    from . import paper

    tmp = folder.with_name(f".{folder.name}.{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    written = publication.export(ds, tmp / "downloads")
    pdfs = {p.stem: p.read_bytes() for p in written if p.suffix == ".pdf"}
    paper.write_paper(tmp, ds, commit=commit, versions=provenance.versions(), figure_pdfs=pdfs)
    doc = published_numbers.audit(ds)  # the findings' audit, which the paper's section read
    (tmp / CONSISTENCY).write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (tmp / "done").write_text("ok\n")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)
    return folder


def _remove_unfinished(parent: Path) -> None:
    """Remove the unfinished folders whose drawing process is gone (its build stopped mid-drawing)."""
    if not parent.is_dir():
        return
    for p in parent.iterdir():
        m = _UNFINISHED.fullmatch(p.name)
        if m and p.is_dir() and not p.is_symlink() and not alive(int(m.group(1))):
            shutil.rmtree(p, ignore_errors=True)


def main(argv: list[str]) -> int:
    from sle_cart.analysis import findings

    checked, folder, commit, build = argv
    os.nice(NICER)  # the chapters' kernels and Sphinx come first; threads started from now on inherit it
    die_with_parent(int(build))
    ds, _ = findings.load(Path(checked))  # the dataset as the build checked it, and its findings
    draw(ds, Path(folder), commit)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""One build at a time per output and per cache, and no litter after a killed build.

* A build holds an OS file lock on its output folder and on its cache while it
  runs; a second build of the same output waits, saying so in one line.  The
  output's lock file, beside OUT, is removed when the build ends.
* Staging folders are named after the process that owns them and carry a
  marker file; the next build removes those whose process is gone (a build
  killed with SIGKILL).  A folder without the marker is never removed, whatever
  its name, and an output set aside during a swap is removed or put back only
  when it is a site this tool wrote (its manifest accounts for everything).
* Publishing swaps the new site and the old one with one atomic
  ``renameat2(RENAME_EXCHANGE)``, so there is no instant without an output.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from . import guard

STAGE_PREFIX = ".sle-build-"
#: The file inside a staging folder that makes it one: only such folders are ever removed.
STAGE_MARKER = ".sle-staging"
OLD_INFIX = ".old-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def lock_file(out: Path) -> Path:
    """The lock of an output folder: beside it, since the folder itself is replaced."""
    return out.parent / f".{out.name}.sle-lock"


@contextlib.contextmanager
def exclusive(lock_path: Path, what: str, *, remove: bool = False) -> Iterator[None]:
    """Hold an OS lock on ``lock_path``; if another build holds it, say so once and wait.

    With ``remove`` the lock file is deleted when the lock is given up.  A
    build that was waiting then holds a lock on a file that no longer has a
    name, so it checks, after each acquisition, that the name still leads to
    the file it locked, and starts over when it does not.
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    said = False
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not said:
                print(
                    f"waiting: another build is using {what}; this one continues when it ends",
                    file=sys.stderr,
                    flush=True,
                )
                said = True
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            current = os.stat(lock_path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            current = False
        if current:
            break
        os.close(fd)
    try:
        yield
    finally:
        if remove:
            lock_path.unlink(missing_ok=True)  # while still locked: no one can be holding it
        os.close(fd)


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists (a folder named after it may still be in use)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner(path: Path, marker: str) -> int | None:
    try:
        return int(path.name.split(marker, 1)[1].split("-", 1)[0])
    except (IndexError, ValueError):
        return None


def new_stage(out: Path) -> Path:
    """A private staging folder beside ``out`` (same file system, so publishing is a rename)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}-", dir=out.parent))
    (stage / STAGE_MARKER).write_text(f"staging folder of sle-cart build process {os.getpid()}\n")
    return stage


def clean_stale(out: Path) -> list[Path]:
    """Remove staging folders whose build process is gone; put back an output a kill left aside.

    Call with the output's lock held.  Returns what was removed.
    """
    removed = []
    parent = out.parent
    if not parent.is_dir():
        return removed
    for p in sorted(parent.glob(f"{STAGE_PREFIX}*")):
        pid = _owner(p, STAGE_PREFIX)
        ours = p.is_dir() and not p.is_symlink() and (p / STAGE_MARKER).is_file()
        if ours and pid is not None and pid != os.getpid() and not alive(pid):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    for p in sorted(parent.glob(f".{out.name}{OLD_INFIX}*")):
        pid = _owner(p, OLD_INFIX)
        if pid is None or alive(pid) or p.is_symlink() or guard.foreign_files(p) != []:
            continue  # not a site this tool set aside: someone else's folder, left alone
        if not out.exists():
            os.rename(p, out)  # killed between the two renames of a fallback swap: restore
        else:
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def replace_dir(new: Path, target: Path) -> None:
    """Put ``new`` in place of ``target``; the old target is removed only once ``new`` is in place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and _exchange(new, target):
        shutil.rmtree(new)  # now holds the previous output
        return
    old = target.with_name(f".{target.name}{OLD_INFIX}{os.getpid()}")
    if target.exists():
        os.rename(target, old)
    os.rename(new, target)
    if old.exists():
        shutil.rmtree(old)

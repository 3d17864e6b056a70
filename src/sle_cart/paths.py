"""Every folder the project reads or writes, named once.

The book root is the repository checkout that holds ``_config.yml``; builds may
point at another book root (``--book-root``), but the defaults all come from here.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The package's own folder (hashed for cache keys).
PACKAGE = Path(__file__).resolve().parent
#: The repository root: ``src/sle_cart`` lives two levels below it.
ROOT = PACKAGE.parents[1]
#: The dataset bundled with the book (the reconstruction of abstract 0647).
BUNDLED = ROOT / "data" / "im19-sle"
#: Book sources copied into every build.
BOOK_FILES = ("_config.yml", "_toc.yml", "index.md")
#: Folders of the book root that a build must never write into.
PROTECTED = ("chapters", "src", "data", "tests", ".git")
#: Where chapters write their downloads and claims.json, relative to a book root.
EXTRA = Path("_build") / "extra"
#: The pinned environment (part of every cache key).
REQUIREMENTS = ROOT / "requirements.txt"
#: The environment variable that moves the validated-dataset cache.
DATASET_CACHE_ENV = "SLE_CART_DATASET_CACHE"


def build_dir(root: Path = ROOT) -> Path:
    """``_build`` of a book root: the site, the caches and failed chapters live here."""
    return root / "_build"


def default_site(root: Path = ROOT) -> Path:
    """Where ``make book`` publishes the site."""
    return build_dir(root) / "html"


def chapter_cache(root: Path = ROOT) -> Path:
    """Content-addressed cache of executed chapters."""
    return build_dir(root) / "cache"


def failed_dir(root: Path = ROOT) -> Path:
    """Executed notebooks of chapters that raised, kept for reading the traceback."""
    return build_dir(root) / "failed"


def dataset_cache() -> Path:
    """Validated datasets, remembered by content (``$SLE_CART_DATASET_CACHE`` moves it)."""
    return Path(os.environ.get(DATASET_CACHE_ENV) or chapter_cache() / "datasets")


# ------------------------------------------------------------------ writing folders safely
class FolderRefused(Exception):
    """A command was asked to write into a folder where it would destroy files it did not write."""


def sample_files(folder: Path, limit: int = 5, count_up_to: int = 10_000) -> tuple[list[str], int]:
    """A few files under ``folder`` (relative paths) and how many there are (counting stops early)."""
    shown: list[str] = []
    n = 0
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            n += 1
            if len(shown) < limit:
                shown.append(str((Path(dirpath) / name).relative_to(folder)))
            if n >= count_up_to:
                return shown, n
    return shown, n


def describe_loss(folder: Path) -> str:
    """'a.txt, b/c.csv, … (1,234 files in all)': what replacing ``folder`` would delete."""
    shown, n = sample_files(folder)
    if n == 0:
        return "no files, but other entries"
    more = f", … ({n:,}{'+' if n >= 10_000 else ''} files in all)" if n > len(shown) else ""
    return ", ".join(shown) + more


def refuse_foreign(folder: str | Path, writes: set[str], command: str) -> Path:
    """Allow ``folder`` only if it is absent, empty or holds nothing but files ``command`` writes.

    Generators (template, synth, reconstruct) overwrite their own files and
    nothing else; any other file in the folder makes it foreign.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise FolderRefused(f"{command}: {folder} is a file, not a folder; choose a new folder")
    if not folder.exists():
        return folder
    foreign = sorted(p.name for p in folder.iterdir() if p.name not in writes or not p.is_file())
    if foreign:
        shown = ", ".join(foreign[:5]) + (f", … ({len(foreign)} entries)" if len(foreign) > 5 else "")
        raise FolderRefused(
            f"{command}: refusing to write into {folder}: it already holds files that {command} did not "
            f"write ({shown}); they would be mixed with or overwritten by the new files. Nothing was changed. "
            "Choose an empty or new folder."
        )
    return folder


#: When set, a file that gets one line per analysis of a definition set and per validation of a
#: dataset, from every process of a build (the test that counts evaluations reads it).
EVALUATION_LOG_ENV = "SLE_CART_EVALUATION_LOG"


def record_evaluation(label: str) -> None:
    """Append ``label`` to the evaluation log, if one is set (one short line; appends are atomic)."""
    log = os.environ.get(EVALUATION_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{label}\n")


#: Set by the build for chapters and Sphinx: a pickle of the checked dataset and its findings.
CHECKED_ENV = "SLE_CART_CHECKED"

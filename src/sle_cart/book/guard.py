"""Where a site may be published: never over files this tool did not write.

Publishing replaces the output folder as a whole, so the folder must be absent,
empty, or a site written by an earlier build.  Every site carries a manifest
(:data:`MANIFEST`) at its root listing the files the build wrote; a folder with
no manifest, or with any file the manifest does not list, is foreign and
refused.  So are folders whose replacement would delete inputs or the
project itself: the dataset, the book root and its source folders, the
caches, the home directory.  All checks run before anything executes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sle_cart.paths import PROTECTED, ROOT, FolderRefused, describe_loss

MANIFEST = ".sle-manifest.json"
ADVICE = "Nothing was changed. Choose an empty or new folder for the site (--out, or OUT= with make)."


def _inside(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or lies below it."""
    return path == folder or folder in path.parents


def _refuse(out: Path, why: str) -> FolderRefused:
    lost = describe_loss(out) if out.is_dir() else "nothing yet, but it is not a safe place for a site"
    return FolderRefused(
        f"refusing to write the site into {out}: {why}.\n  Replacing it would delete: {lost}\n  {ADVICE}"
    )


def write_manifest(site: Path) -> None:
    """List every file of a staged site in its manifest (sorted, relative POSIX paths)."""
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() or p.is_symlink())
    files = [f for f in files if f != MANIFEST]
    doc = {
        "written_by": "sle-cart",
        "note": "files written by the build; anything else makes this folder foreign",
        "files": files,
    }
    (site / MANIFEST).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def foreign_files(out: Path) -> list[str] | None:
    """Files in ``out`` that its manifest does not list; None when there is no readable manifest."""
    try:
        listed = set(json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    extra = []
    for dirpath, _, filenames in os.walk(out):
        for name in filenames:
            rel = (Path(dirpath) / name).relative_to(out).as_posix()
            if rel != MANIFEST and rel not in listed:
                extra.append(rel)
    return sorted(extra)


def check_site_folder(out: Path, *, data: Path, book_root: Path, cache: Path) -> None:
    """Raise :class:`FolderRefused` unless publishing into ``out`` can only replace an earlier site."""
    out, data = out.resolve(), data.resolve()
    for root in {book_root.resolve(), ROOT}:
        if _inside(root, out):
            raise _refuse(out, f"it is the book's own folder or contains it ({root})")
        for name in PROTECTED:
            if _inside(out, root / name):
                raise _refuse(out, f"it lies inside the project's '{name}' folder ({root / name})")
    if _inside(out, data) or _inside(data, out):
        where = (
            "the dataset folder"
            if out == data
            else ("inside the dataset folder" if _inside(out, data) else "a folder that contains the dataset")
        )
        raise _refuse(out, f"it is {where} ({data}); the build only reads its inputs")
    cache = cache.resolve()
    if _inside(cache, out) or _inside(out, cache):
        raise _refuse(out, f"it is, contains or lies inside the build cache ({cache})")
    home = Path.home().resolve()
    if _inside(home, out):
        raise _refuse(out, "it is your home folder or contains it")
    _check_contents(out)


def _check_contents(out: Path) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise FolderRefused(f"refusing to write the site into {out}: it is a file, not a folder.\n  {ADVICE}")
    if not any(out.iterdir()):
        return
    extra = foreign_files(out)
    if extra is None:
        raise _refuse(out, f"it is not empty and is not a site this tool wrote (no {MANIFEST})")
    if extra:
        shown = ", ".join(extra[:5]) + (f", … ({len(extra)} files)" if len(extra) > 5 else "")
        raise FolderRefused(
            f"refusing to write the site into {out}: it is an earlier site, but holds files the build did "
            f"not write ({shown}).\n  Replacing it would delete them. {ADVICE}"
        )

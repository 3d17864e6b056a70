"""Where a site may be published: never over files this tool did not write.

Publishing replaces the output folder as a whole, so the folder must be absent,
empty, or a site written by an earlier build.  Every site carries a manifest
(:data:`MANIFEST`) at its root listing each file the build wrote with its
SHA-256.  A folder with no manifest (or one in another format) is foreign.  So
is a site holding anything its manifest does not account for: a file added or
changed, a folder no listed file lives in (an empty one too), any symbolic
link.  Folders whose replacement would delete inputs or the project itself
(the dataset, the book root and its source folders, the caches, the home
directory) are refused, and so is a mount point, which cannot be replaced by
a rename.  The checks run before anything executes and again immediately
before the new site is swapped in (:func:`check_before_swap`).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from sle_cart.paths import PROTECTED, ROOT, FolderRefused, describe_loss

MANIFEST = ".sle-manifest.json"
#: The stamp naming what the site was built from (it names OUT, so it differs between copies of
#: one site): the build's own file, known by name and left out of the manifest's digests.
SITE_KEY = ".sle-site-key"
#: What a manifest of this format says it is; a manifest that says anything else is not ours.
MANIFEST_FORMAT = "sle-cart site manifest 2"
ADVICE = "Nothing was changed. Choose an empty or new folder for the site (--out, or OUT= with make)."


def _inside(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or lies below it."""
    return path == folder or folder in path.parents


def _refuse(out: Path, why: str) -> FolderRefused:
    lost = describe_loss(out) if out.is_dir() else "nothing yet, but it is not a safe place for a site"
    return FolderRefused(
        f"refusing to write the site into {out}: {why}.\n  Replacing it would delete: {lost}\n  {ADVICE}"
    )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(site: Path) -> None:
    """List every file of a staged site in its manifest with its SHA-256 (sorted, relative POSIX paths)."""
    files = {
        p.relative_to(site).as_posix(): _sha256(p)
        for p in sorted(site.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.relative_to(site).as_posix() not in (MANIFEST, SITE_KEY)
    }
    doc = {
        "format": MANIFEST_FORMAT,
        "note": "files written by the build, with their SHA-256; anything else makes this folder foreign",
        "files": files,
    }
    (site / MANIFEST).write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _listed(out: Path) -> dict[str, str] | None:
    """The manifest's files and digests; None when there is no manifest of this format."""
    try:
        doc = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        files = doc["files"] if doc.get("format") == MANIFEST_FORMAT else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    ok = isinstance(files, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
    return files if ok else None


def foreign_files(out: Path) -> list[str] | None:
    """What in ``out`` the build did not write, as it is now; None when there is no readable manifest.

    Added files, files whose bytes changed, folders that hold no listed file
    (empty ones too, shown with a trailing ``/``) and every symbolic link.
    """
    listed = _listed(out)
    if listed is None:
        return None
    folders = {parent.as_posix() for rel in listed for parent in Path(rel).parents} - {"."}
    extra = []
    for dirpath, dirnames, filenames in os.walk(out):
        here = Path(dirpath)
        for name in list(dirnames):
            rel = (here / name).relative_to(out).as_posix()
            if (here / name).is_symlink() or rel not in folders:
                extra.append(rel + "/")
                dirnames.remove(name)  # its contents are foreign with it
        for name in filenames:
            path = here / name
            rel = path.relative_to(out).as_posix()
            if rel in (MANIFEST, SITE_KEY) and here == out:
                continue
            if path.is_symlink() or rel not in listed or _sha256(path) != listed[rel]:
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
    if _inside(cache, data):  # the build writes its cache; inputs are only read
        raise FolderRefused(
            f"refusing to use the cache folder {cache}: it lies inside the dataset folder {data}, and the "
            "build only reads its inputs. Nothing was changed. Choose a --cache-dir outside the dataset."
        )
    if _inside(cache, out) or _inside(out, cache):
        raise _refuse(out, f"it is, contains or lies inside the build cache ({cache})")
    home = Path.home().resolve()
    if _inside(home, out):
        raise _refuse(out, "it is your home folder or contains it")
    _check_contents(out)


def check_before_swap(out: Path) -> None:
    """The last check, immediately before a new site replaces ``out`` (it may have changed meanwhile)."""
    _check_contents(out.resolve())


def _check_contents(out: Path) -> None:
    if os.path.ismount(out):
        raise FolderRefused(
            f"refusing to write the site into {out}: it is a mount point, and a site is published by "
            f"renaming a finished folder into place, which a mount point cannot take.\n  "
            f"Publish into a folder inside it instead, for example --out {out / 'site'}. {ADVICE}"
        )
    if not out.exists() and not out.is_symlink():
        return
    if out.is_symlink() or not out.is_dir():
        what = "a symbolic link" if out.is_symlink() else "a file, not a folder"
        raise FolderRefused(f"refusing to write the site into {out}: it is {what}.\n  {ADVICE}")
    if not any(out.iterdir()):
        return
    extra = foreign_files(out)
    if extra is None:
        raise _refuse(
            out,
            f"it is not empty and is not a site this tool wrote (no {MANIFEST} of this version; a site "
            "from an earlier version of this tool can be deleted by hand)",
        )
    if extra:
        shown = ", ".join(extra[:5]) + (f", … ({len(extra)} entries)" if len(extra) > 5 else "")
        raise FolderRefused(
            f"refusing to write the site into {out}: it is an earlier site, but holds files or folders the "
            f"build did not write, or files changed since ({shown}).\n  Replacing it would delete them. "
            f"{ADVICE}"
        )

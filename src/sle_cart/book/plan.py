"""What a build will do: which chapters run, which come from the cache, where everything goes.

A chapter's cache key covers its code cells, the dataset's bytes, the whole
``sle_cart`` package (every module of every subpackage, its CSS and JS), the
pinned requirements and the Python version, so any change that could alter a
chapter re-executes it and nothing else does.  Its text (markdown) cells are
not in the key, as in jupyter-cache: they cannot change what the code prints,
so an edit of a chapter's prose takes the cached outputs and the new text
(:func:`sle_cart.book.assemble.executed_notebook`).
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sle_cart.paths import BOOK_FILES, BUNDLED, PACKAGE, REQUIREMENTS

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

#: Bump to invalidate every cached chapter after a change of the cache layout itself.
CACHE_VERSION = "4"
#: Package files that can change what a chapter shows.
CODE_SUFFIXES = (".py", ".css", ".js", ".typ", ".yml")  # .yml: the default publication


class BuildError(Exception):
    """A chapter or the site failed to build; the message says where."""


def digest(*parts: bytes) -> str:
    """SHA-256 over the digests of ``parts`` (so their boundaries matter)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(hashlib.sha256(p).digest())
    return h.hexdigest()


def code_digest() -> str:
    """Digest of the whole package (recursively), the pinned environment and the Python version."""
    files = sorted(
        f
        for f in PACKAGE.rglob("*")
        if f.is_file() and f.suffix in CODE_SUFFIXES and "__pycache__" not in f.parts
    )
    parts = [f.relative_to(PACKAGE).as_posix().encode() + b"\0" + f.read_bytes() for f in files]
    parts.append(REQUIREMENTS.read_bytes() if REQUIREMENTS.exists() else b"")
    parts.append(sys.version.encode())
    return digest(*parts)


def notebook_cells_digest(nb_path: Path, *, code_only: bool = False) -> str:
    """Digest of a notebook's cells (type, source, tags) in order, outputs and metadata noise aside."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    cells = [
        [
            c["cell_type"],
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"],
            c.get("metadata", {}).get("tags", []),
        ]
        for c in nb["cells"]
        if c["cell_type"] == "code" or not code_only
    ]
    return digest(json.dumps(cells, sort_keys=True).encode())


def chapters(book: Path) -> list[Path]:
    """Notebook chapters of a book root, in table-of-contents order."""
    from sle_cart.inputs.errors import DataError
    from sle_cart.inputs.yamlfile import load_yaml

    problems: list = []  # --book-root lets anyone hand in this file: the dataset's YAML limits apply
    toc = load_yaml((book / "_toc.yml").read_text(encoding="utf-8"), problems, file="_toc.yml")
    if problems:
        raise DataError(book, problems)
    found = []
    for part in toc.get("parts", []):
        for ch in part.get("chapters", []):
            p = book / (ch["file"] + ".ipynb")
            if p.exists():
                found.append(p)
    return found


@dataclass
class Plan:
    """One build: its inputs, its outputs, and the cache key of every chapter."""

    root: Path
    data: Path
    out: Path
    cache: Path
    data_digest: str
    force: bool = False
    jobs: int | None = None
    chapters: list[Path] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    todo: list[Path] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    dataset: Dataset | None = None  # validated once the build knows it has work to do

    @property
    def bundled(self) -> bool:
        """The bundled dataset: its executed notebooks are the committed nbval reference."""
        return self.data == BUNDLED.resolve()

    @property
    def checked(self) -> Path:
        """The dataset as checked and its findings, written once for the chapters and Sphinx to read."""
        return self.cache / f"findings-{self.keys['_shared']}.pickle"

    def build_key(self, commit: str) -> str:
        """Everything the site is made from: chapters (cells, data, code), the book's other files, commit, OUT."""
        root_files = [self.root / f for f in BOOK_FILES] + sorted((self.root / "chapters").glob("*.md"))
        root_files += sorted(p for p in (self.root / "assets").rglob("*") if p.is_file())
        parts = [p.relative_to(self.root).as_posix().encode() + b"\0" + p.read_bytes() for p in root_files]
        keys = [f"{k}={v}".encode() for k, v in sorted(self.keys.items())]
        text = [notebook_cells_digest(nb).encode() for nb in self.chapters]  # the keys cover code cells only
        return digest(*keys, *text, *parts, commit.encode(), str(self.out).encode())

    def entry(self, nb: Path) -> Path:
        """The cache folder holding a chapter's executed notebook and its downloads."""
        return self.cache / f"{nb.stem}-{self.keys[nb.stem]}"


def folder_digest(folder: Path) -> str:
    """Digest of every file in the dataset folder (names and bytes): the data part of every key."""
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    return digest(*(p.name.encode() + b"\0" + p.read_bytes() for p in files))


def make_plan(root: Path, data: Path, out: Path, cache: Path, *, force: bool, jobs: int | None) -> Plan:
    """Key every chapter and decide what must run (everything with ``force``), without reading the data."""
    plan = Plan(
        root=root,
        data=data,
        out=out,
        cache=cache,
        data_digest=folder_digest(data),
        force=force,
        jobs=jobs,
        chapters=chapters(root),
    )
    shared = digest(
        code_digest().encode(), plan.data_digest.encode(), str(plan.bundled).encode(), CACHE_VERSION.encode()
    )
    plan.keys["_shared"] = shared
    for nb in plan.chapters:
        plan.keys[nb.stem] = digest(
            shared.encode(), notebook_cells_digest(nb, code_only=True).encode(), nb.name.encode()
        )
        if force or not (plan.entry(nb) / "done").exists():
            plan.todo.append(nb)
        else:
            plan.cached.append(nb.stem)
    return plan

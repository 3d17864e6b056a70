"""Where a build came from: dataset digest, git commit, package versions."""
from __future__ import annotations

import subprocess
from importlib import metadata
from pathlib import Path

#: Packages whose versions every page reports.
KEY_PACKAGES = ("jupyter-book", "sphinx", "myst-nb", "papermill", "pandas", "altair", "vl-convert-python",
                "scipy", "pandera")
REPO_ROOT = Path(__file__).resolve().parents[2]


def versions() -> dict[str, str]:
    out = {}
    for name in KEY_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit(root: Path = REPO_ROOT) -> str:
    """Short commit of the code that built the book; '+dirty' when the work tree has changes."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return sha + ("+dirty" if dirty else "")


def source_href(qualname: str, prefix: str = "../") -> str:
    """Link from a chapter page to the highlighted source of ``sle_cart.module.function``.

    The pages are Sphinx viewcode's ``_modules/…`` pages, where each function's
    code block carries the function name as its anchor.
    """
    module, func = qualname.rsplit(".", 1)
    return f"{prefix}_modules/{module.replace('.', '/')}.html#{func}"

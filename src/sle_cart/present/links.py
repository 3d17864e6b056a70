"""Links from a chapter page to the code that made what it shows."""

from __future__ import annotations

import html
from collections.abc import Callable


def source_name(fn: Callable) -> str:
    """``module.qualname`` of a function, read from the function object itself."""
    return f"{fn.__module__}.{fn.__qualname__}"


def source_href(fn: Callable, prefix: str = "../") -> str:
    """Link from a chapter page to the highlighted source of ``fn``.

    The pages are Sphinx viewcode's ``_modules/…`` pages, where each function's
    code block carries the function's qualified name as its anchor.
    """
    return f"{prefix}_modules/{fn.__module__.replace('.', '/')}.html#{fn.__qualname__}"


def made_by_html(fn: Callable | None) -> str:
    """' Made by <link to the source>.' (empty when no function is known)."""
    if fn is None:
        return ""
    e = html.escape
    return f' Made by <a href="{e(source_href(fn))}"><code>{e(source_name(fn))}</code></a>.'

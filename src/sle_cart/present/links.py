"""Links from a chapter page to the code that made what it shows."""

from __future__ import annotations


def source_href(qualname: str, prefix: str = "../") -> str:
    """Link from a chapter page to the highlighted source of ``sle_cart.module.function``.

    The pages are Sphinx viewcode's ``_modules/…`` pages, where each function's
    code block carries the function name as its anchor.
    """
    module, func = qualname.rsplit(".", 1)
    return f"{prefix}_modules/{module.replace('.', '/')}.html#{func}"

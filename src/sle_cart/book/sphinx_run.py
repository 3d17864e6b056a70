"""``jupyter-book build``, set up now and built when told.

Run as ``python -m sle_cart.book.sphinx_run build <folder> <options>``: the same command as
``jupyter-book build``, except that Sphinx, once it has imported its extensions and read the
configuration and the dataset (a second or two), waits for the line :data:`GO` on its
standard input before it reads a page.  The build starts it while the chapters execute and
sends the line when every page is in the folder.  Input that ends without the line (the
build failed or was stopped) ends it with exit status 3, having built nothing.
"""

from __future__ import annotations

import sys

#: What the build sends when every page is in place.
GO = "go\n"
#: The exit status when the build ends without sending it.
NOT_TOLD = 3


def _when_told(build):
    def wait_then_build(app, *args, **kwargs):
        if sys.stdin.readline() != GO:
            raise SystemExit(NOT_TOLD)  # not caught by jupyter-book (it catches Exception)
        return build(app, *args, **kwargs)

    return wait_then_build


def main(argv: list[str]) -> None:
    from jupyter_book.cli.main import main as jupyter_book
    from sphinx.application import Sphinx

    Sphinx.build = _when_told(Sphinx.build)
    jupyter_book(argv, prog_name="jupyter-book")


if __name__ == "__main__":
    main(sys.argv[1:])

"""The publication in force: the one a dataset's values are compared with.

A dataset folder's own ``publication.yml`` (read and checked with the dataset,
:mod:`sle_cart.inputs.publication`), or else abstract 0647, whose printed values
ship beside this module in ``abstract_0647.yml`` and are read by the same reader.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sle_cart.inputs.errors import DataError, Violation
from sle_cart.inputs.publication import Publication, read

#: Abstract 0647's citation and the 39 values it prints, as printed.
DEFAULT_FILE = Path(__file__).with_name("abstract_0647.yml")


@cache
def default() -> Publication:
    """Abstract 0647: what a dataset without its own publication.yml is compared with."""
    errors: list[Violation] = []
    publication = read(DEFAULT_FILE, errors, [], [])
    if publication is None:  # a broken package, not a user's mistake: say which file
        raise DataError(DEFAULT_FILE, errors)
    return publication


def of(ds) -> Publication:
    """The publication ``ds`` is compared with: its own, or abstract 0647."""
    return getattr(ds, "publication", None) or default()


def is_default(ds) -> bool:
    """True when ``ds`` brings no publication of its own (it is compared with abstract 0647)."""
    return getattr(ds, "publication", None) is None

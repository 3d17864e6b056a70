"""The one "did you mean" helper behind every suggestion in an error message."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(
    word: object, choices: Iterable[object], *, cutoff: float | None = 0.6, listing: bool = False
) -> str:
    """ "; did you mean 'x'?" for the choice nearest to ``word``, or "".

    A choice that differs only in letter case or surrounding spaces always wins
    ('p1' -> 'P1').  Otherwise the closest choice by similarity at least
    ``cutoff`` (None: case-only suggestions).  With ``listing`` and no close
    choice, every choice is listed.
    """
    options = [str(c) for c in choices]
    text = str(word).strip()
    same = [c for c in options if c.lower() == text.lower()]
    if same:
        return f"; did you mean '{same[0]}'?"
    if cutoff is not None:
        near = difflib.get_close_matches(text.lower(), options, n=1, cutoff=cutoff)
        if near:
            return f"; did you mean '{near[0]}'?"
    return f"; known codes: {', '.join(options)}" if listing else ""

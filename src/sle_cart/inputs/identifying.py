"""The privacy guard on values: free text that looks like it identifies a person.

A free-text column (``Column.free_text`` in the contract, e.g. ``dose_group``) is
published in tables, CSV downloads and the paper.  A cell there that holds a date
of birth, a calendar date, an e-mail address, a phone number, a record number or a
titled name ("Mrs Smith") fails validation, unless dataset.yml allows it with a
reason (``privacy: {allow_identifying_text: ...}``), which the provenance footer shows.

The patterns are narrow on purpose: dose wording ('1e6/kg', '5x10^7 cells',
'DL2') must pass, so a bare number is never taken for a record number, and a
name without a title or a birth date is not recognised.
"""

from __future__ import annotations

import re

import pandas as pd

from . import contract
from .errors import Violation

_YEAR = r"(?:1[89]|20)\d\d"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
#: What each kind of identifying text looks like (named groups of one pattern).
PATTERNS = {
    "a date of birth": r"\b(?:dob|d\.o\.b|born|birth\w*|date of birth)\b",
    "a calendar date": (
        rf"\b{_YEAR}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])\b"
        rf"|\b\d{{1,2}}[-/.]\d{{1,2}}[-/.]{_YEAR}\b"
        rf"|\b\d{{1,2}}\.?\s+{_MONTH},?\s+{_YEAR}\b|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}\b"
    ),
    "an e-mail address": r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    "a phone number": (
        r"(?<![\w.^])\+\d{1,3}[\s.-]?\(?\d{1,4}\)?(?:[\s.-]?\d{2,4}){2,4}\b"
        r"|\(\d{2,5}\)\s?\d{3,4}[\s.-]?\d{3,4}\b|\b\d{3}[.-]\d{3}[.-]\d{4}\b"
        r"|\b(?:tel|phone|mobile|fax)\b\W*\+?\d"
    ),
    "a record number": (
        r"\b(?:mrn|nhs|ssn|medical record|record (?:no|number)|hospital (?:no|number|id)|chart (?:no|number))\b"
    ),
    "a titled name": r"(?-i:\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+[A-Z][a-z]+)",
}
_IDENTIFYING = re.compile("|".join(f"(?P<k{i}>{p})" for i, p in enumerate(PATTERNS.values())), re.IGNORECASE)
_KINDS = list(PATTERNS)


def looks_identifying(text: str) -> str | None:
    """What ``text`` looks like ('an e-mail address', …), or None when it looks like none of them."""
    m = _IDENTIFYING.search(text)
    return _KINDS[int(m.lastgroup[1:])] if m else None


def identifying_values(
    frames: dict[str, pd.DataFrame], labels: dict[str, str], errors: list[Violation]
) -> None:
    """One error per free-text cell that looks identifying; the value is never echoed."""
    for t, df in frames.items():
        for col in (c.name for c in contract.TABLES[t].columns if c.free_text):
            if col not in df.columns:
                continue
            kinds = {v: looks_identifying(v) for v in df[col].unique() if isinstance(v, str) and v}
            for row, value in df[col].items():
                kind = kinds.get(value)
                if kind:
                    rule = (
                        f"looks like identifying text ({kind}); only pseudonymous ids and study days may be "
                        "published - remove it, or if it is meant to be published, give the reason under "
                        "'privacy: {allow_identifying_text: ...}' in dataset.yml"
                    )
                    errors.append(Violation(labels[t], int(row), col, None, rule, code="identifying-value"))

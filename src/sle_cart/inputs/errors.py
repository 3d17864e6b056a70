"""Problems found in a dataset: each names the file, row, column, value and rule.

A :class:`Violation` carries a machine-readable ``code`` (what went wrong) next to
the human ``rule``; code paths decide on the code, never on the wording.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

#: Longest quoted value in a message; longer values are cut with "…" (a cell or a YAML
#: value can be megabytes long, and the message must stay readable).
MAX_QUOTED = 80

#: Problems of one kind listed before the rest are only counted (``validate --all`` lists them all).
MAX_PER_KIND = 20
#: Problem lines listed in all, whatever the kinds: a bound on output when kinds are many.
MAX_LISTED = 200
#: Names a note lists before it only counts the rest.
MAX_NAMES = 5
#: Where a rule quotes a value or states a number: masked to tell problems of one kind apart.
_SPECIFICS = re.compile(r"'[^']*'|\"[^\"]*\"|\d+")

#: Codes whose violation stops loading at once (nothing else is read or echoed).
STOP_CODES = frozenset({"identifier"})


def clip(value: object, limit: int = MAX_QUOTED) -> str:
    """``str(value)`` cut to ``limit`` characters with a trailing "…"."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def printable(text: str) -> str:
    """``text`` with each character that is not printable written as its escape, as ``repr`` writes it.

    Control characters in a column name, a cell or a file name would otherwise reach the
    terminal raw: an escape sequence can move the cursor, rewrite earlier lines or set
    the clipboard (OSC 52).  Notes quote names with ``repr``; messages use the same escapes.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def listing(names: list, shown: int = MAX_NAMES) -> str:
    """ "'a', 'b', 'c'", or "'a', 'b', … and 9,998 more": names quoted, clipped and escaped."""
    more = f", … and {len(names) - shown:,} more" if len(names) > shown else ""
    return ", ".join(repr(clip(n)) for n in names[:shown]) + more


@dataclass(frozen=True)
class Violation:
    """One problem: where it is (file, spreadsheet row, column), the value, the rule and a code."""

    file: str
    row: int | None
    column: str | None
    value: object
    rule: str
    severity: str = "error"
    code: str = "invalid"

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            kind = "key" if self.file.endswith((".yml", ".yaml")) else "column"
            where.append(f"{kind} '{clip(self.column)}'")
        val = "" if self.value is None else f" value {clip(self.value)!r}:"
        return printable(f"{', '.join(where)}:{val} {self.rule}")

    def kind(self) -> tuple[str, str, str]:
        """What problems of one kind share: the file, the code and the rule without its specifics
        (the value it may repeat, what it quotes, the numbers it states)."""
        rule = self.rule if self.value in (None, "") else self.rule.replace(str(self.value), "…")
        return self.file, self.code, _SPECIFICS.sub("…", rule)


def capped(violations: list[Violation], show_all: bool = False) -> list[str]:
    """One line per problem, but per kind only the first :data:`MAX_PER_KIND` (and at most
    :data:`MAX_LISTED` in all), each kind's rest counted on one line after its last one shown."""
    if show_all:
        return [str(v) for v in violations]
    totals, seen = Counter(v.kind() for v in violations), Counter()
    lines: list[str] = []
    listed = 0
    for v in violations:
        k = v.kind()
        seen[k] += 1
        if seen[k] > MAX_PER_KIND or listed >= MAX_LISTED:
            continue
        lines.append(str(v))
        listed += 1
        if seen[k] == MAX_PER_KIND and totals[k] > MAX_PER_KIND:
            lines.append(f"… and {totals[k] - MAX_PER_KIND:,} more of this kind (see `validate --all`)")
    if listed < len(violations) and listed >= MAX_LISTED:
        lines.append(f"… {len(violations) - listed:,} problems in all are not listed (see `validate --all`)")
    return lines


class DataError(Exception):
    """The dataset breaks the contract; ``violations`` lists every problem."""

    def __init__(self, path: str | Path, violations: list[Violation]):
        self.path = Path(path)
        self.violations = violations
        super().__init__(self.report())

    def report(self, show_all: bool = False) -> str:
        """The message: a line naming the folder and the count, then the problems (capped unless ``show_all``)."""
        n = len(self.violations)
        lines = [
            f"{printable(str(self.path))}: {n:,} problem{'s' if n != 1 else ''} found; nothing was built."
        ]
        lines += [f"  - {line}" for line in capped(self.violations, show_all)]
        return "\n".join(lines)


def flagged_cells(errors: list[Violation]) -> set[tuple[str, int | None, str | None]]:
    """(file, row, column) of every cell that already has a violation."""
    return {(v.file, v.row, v.column) for v in errors if v.row is not None}

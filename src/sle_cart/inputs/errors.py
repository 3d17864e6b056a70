"""Problems found in a dataset: each names the file, row, column, value and rule.

A :class:`Violation` carries a machine-readable ``code`` (what went wrong) next to
the human ``rule``; code paths decide on the code, never on the wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Longest quoted value in a message; longer values are cut with "…" (a cell or a YAML
#: value can be megabytes long, and the message must stay readable).
MAX_QUOTED = 80

#: Codes whose violation stops loading at once (nothing else is read or echoed).
STOP_CODES = frozenset({"identifier"})


def clip(value: object, limit: int = MAX_QUOTED) -> str:
    """``str(value)`` cut to ``limit`` characters with a trailing "…"."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
        return f"{', '.join(where)}:{val} {self.rule}"


class DataError(Exception):
    """The dataset breaks the contract; ``violations`` lists every problem."""

    def __init__(self, path: str | Path, violations: list[Violation]):
        self.path = Path(path)
        self.violations = violations
        n = len(violations)
        lines = [f"{self.path}: {n} problem{'s' if n != 1 else ''} found; nothing was built."]
        lines += [f"  - {v}" for v in violations]
        super().__init__("\n".join(lines))


def flagged_cells(errors: list[Violation]) -> set[tuple[str, int | None, str | None]]:
    """(file, row, column) of every cell that already has a violation."""
    return {(v.file, v.row, v.column) for v in errors if v.row is not None}

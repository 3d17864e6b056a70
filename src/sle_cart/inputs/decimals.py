"""Decimal marks in numeric cells, as the column separator allows them.

In a ';'- or tab-separated file a number may use a decimal comma ("1,5" is 1.5,
"<0,5" is censored below 0.5).  In a comma-separated file ',' separates the
columns, so a cell holding a number with a comma (it can only be there quoted)
is ambiguous, as is any number with both '.' and ',' (a thousands separator);
both are errors naming the cell.
"""

from __future__ import annotations

import re
from fractions import Fraction

import pandas as pd

from . import contract
from .errors import Violation

#: A number with a decimal comma, optionally censored ('<') and in e-notation: '1,5', '<0,5', '5,2E+07'.
DECIMAL_COMMA = r"(?:<\s*)?[-+]?\d*,\d+(?:[eE][-+]?\d+)?"
#: Digits with '.' and ',' both: one of them is a thousands separator ('1.234,5', '1,234.5').
BOTH_MARKS = r"(?:<\s*)?[-+]?[\d.,]*(?:\.[\d.,]*,|,[\d.,]*\.)[\d.,]*(?:[eE][-+]?\d+)?"
#: Digits grouped by '.' in threes ('1.234', '12.345.678'): a thousands separator where decimals use ','.
DOT_GROUPS = r"(?:<\s*)?[-+]?[1-9]\d{0,2}(?:\.\d{3})+"
#: Any number with a comma: in a comma-separated file it was quoted, and is ambiguous.
WITH_COMMA = r"(?:<\s*)?[-+]?[\d.,]*,[\d.,]*(?:[eE][-+]?\d+)?"


def numeric_columns(df: pd.DataFrame, table: str) -> list[str]:
    """The columns of ``df`` that the contract types as numbers."""
    return [
        c.name for c in contract.TABLES[table].columns if c.dtype in ("integer", "number") and c.name in df
    ]


def _report(df, mask, col, label, rule, errors) -> None:
    for idx in mask.index[mask]:
        errors.append(Violation(label, int(idx), col, df.at[idx, col], rule))


def read_decimal_marks(
    df: pd.DataFrame, table: str, label: str, delimiter: str | None, errors: list[Violation]
) -> tuple[pd.DataFrame, bool]:
    """``df`` with decimal commas turned into points where the separator allows them,
    and whether any was found.  Ambiguous numbers are reported and left as written."""
    cols = numeric_columns(df, table)
    if delimiter is None:  # a workbook: numbers are typed; a text '1,5' is reported by coerce
        return df, False
    if delimiter == ",":
        for col in cols:
            s = df[col]
            has_comma = s.str.contains(",", regex=False)  # rare: check only those cells
            ambiguous = s[has_comma].str.fullmatch(WITH_COMMA).reindex(s.index, fill_value=False)
            _report(df, ambiguous, col, label, _COMMA_FILE_RULE, errors)
        return df, False
    commas = {col: df[col].str.fullmatch(DECIMAL_COMMA) for col in cols}
    used = any(bool(m.any()) for m in commas.values())
    out = df.copy()
    for col in cols:
        s = df[col]
        both = s.str.fullmatch(BOTH_MARKS)
        _report(df, both, col, label, _BOTH_RULE, errors)
        if used:
            _report(df, s.str.fullmatch(DOT_GROUPS) & ~both, col, label, _DOT_GROUPS_RULE, errors)
        out[col] = s.where(~commas[col], s.str.replace(",", ".", regex=False))
    return out, used


_COMMA_FILE_RULE = (
    "ambiguous number: in a comma-separated file ',' separates the columns, so it cannot be the "
    "decimal mark or a thousands separator; use '.' as the decimal mark (e.g. 1.5) and no thousands separator"
)
_BOTH_RULE = (
    "ambiguous number: it has both '.' and ',', so one of them is a thousands separator; write it "
    "without thousands separators (e.g. 1234,5)"
)
_DOT_GROUPS_RULE = (
    "ambiguous number: this file writes decimals with ',', so '.' here may be a thousands separator; "
    "write it without thousands separators, or with a decimal comma"
)


#: Decimal text as a numeric cell may hold it: '188.05', '-.5', '5.', '5.2E+07' (no '1/3', no 'inf').
DECIMAL = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def decimal(text: str) -> Fraction | None:
    """The exact value of decimal text ('188.04999999999999999' stays that, not the float 188.05); None if not one."""
    t = text.strip()
    return Fraction(t) if DECIMAL.fullmatch(t) else None


def decimal_text(x: Fraction) -> str:
    """A terminating fraction written as plain decimal text (1/8 -> '0.125', 880 -> '880')."""
    sign, x = ("-" if x < 0 else ""), abs(x)
    places = 0
    while (x * 10**places).denominator != 1:
        places += 1
        if places > 10_000:  # unit factors are decimals, so products always terminate
            raise ValueError(f"{x} has no finite decimal expansion")
    digits = str((x * 10**places).numerator).rjust(places + 1, "0")
    return sign + (f"{digits[:-places]}.{digits[-places:]}" if places else digits)

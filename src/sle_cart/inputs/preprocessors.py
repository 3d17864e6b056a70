"""Turn text cells into typed values: numbers, booleans, censored values and canonical units.

Conversions that change a value (mg/dL to g/L, mg/24h to g/24h) are reported as notes.

Numbers are read from their decimal text into exact fractions, never through a
binary float: a cell written 188.04999999999999999 must round to 188.0, not
like the float 188.05.  Each numeric column keeps its fractions in a companion
``<column>_exact`` column; the float column is for charts and display only.
Unit conversions multiply those fractions by exact decimal factors."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pandas as pd

from .decimals import decimal, decimal_text
from .definitions import ANALYTES, UNIT_ALIASES
from .errors import Violation, flagged_cells
from .suggest import did_you_mean

TRUE = {"true", "yes", "y", "1", "t"}


FALSE = {"false", "no", "n", "0", "f"}


#: A calendar date written in a cell (ISO, or day/month/year with '.', '/' or '-').
DATE_RE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")


def canonical_unit(analyte: str, unit: str) -> Fraction | None:
    """Conversion factor of ``unit`` to the analyte's canonical unit, or None."""
    canonical = ANALYTES[analyte][1]
    aliases = UNIT_ALIASES[canonical]
    u = str(unit).strip().replace("μ", "µ")
    return aliases.get(u, aliases.get(u.replace("µ", "u")))


def _number_rule(col, text: str) -> str:
    if col.unit == "days" and DATE_RE.match(text):
        return (
            "must be a whole number of days since infusion, not a calendar date "
            "(calendar dates can identify patients)"
        )
    if re.fullmatch(r"[-+]?\d+,\d+", text):
        return "must be a number (use '.' as the decimal mark)"
    return "must be a whole number" if col.dtype == "integer" else "must be a number"


def match_codes(df: pd.DataFrame, table: str, label: str, notes: list[str]) -> pd.DataFrame:
    """Coded cells written in another case ('f', 'CAR_T', 'crs') read as the code; one note per column."""
    from . import contract

    out = df
    for col in contract.TABLES[table].columns:
        if not col.codes or col.name not in df.columns:
            continue
        s = df[col.name].astype(str)
        canonical = s.str.lower().map({c.lower(): c for c in col.codes})
        changed = canonical.notna() & (canonical != s)
        if not changed.any():
            continue
        out = out.copy() if out is df else out
        out.loc[changed, col.name] = canonical[changed]
        n, first = int(changed.sum()), changed.idxmax()
        notes.append(
            f"{label}: {n} {col.name} code{'s' if n != 1 else ''} matched ignoring case "
            f"(e.g. {s[first]!r} as {canonical[first]!r})"
        )
    return out


def coerce(
    df: pd.DataFrame, table: str, label: str, errors: list[Violation], written: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Turn text cells into typed columns, reporting every cell that will not convert
    (with its value as ``written`` in the file, when given)."""
    done = flagged_cells(errors)
    out = df.copy()

    def report(idx, column, value, rule):
        if (label, int(idx), column) not in done:
            if written is not None and column in written.columns:
                value = written.at[idx, column]
            errors.append(Violation(label, int(idx), column, value, rule))

    from . import contract

    for col in contract.TABLES[table].columns:
        if col.name not in out.columns:
            continue
        s = out[col.name].astype(str)
        blank = s == ""
        if col.dtype == "text":
            out[col.name] = s.where(~blank, None).astype("string")
        elif col.dtype == "boolean":
            low = s.str.lower()
            bad = ~(low.isin(TRUE | FALSE) | blank)
            out[col.name] = pd.array(
                [True if v in TRUE else False if v in FALSE else pd.NA for v in low], dtype="boolean"
            )
            for idx in bad[bad].index:
                report(idx, col.name, s[idx], "must be true/false (yes/no, 1/0 also accepted)")
        else:
            values = _numbers(s, col, report)
            if col.dtype == "integer":
                out[col.name] = pd.array([pd.NA if v is None else int(v) for v in values], dtype="Int64")
            else:
                out[col.name] = pd.array([pd.NA if v is None else float(v) for v in values], dtype="Float64")
                out[f"{col.name}_exact"] = pd.Series(values, index=s.index, dtype=object)
        if not col.nullable:
            for idx in blank[blank].index:
                report(idx, col.name, "", "must not be blank")
    return out


def _infinite(text: str) -> bool:
    """The cell reads as an infinite number ('inf', '1e400')."""
    try:
        return math.isinf(float(text))
    except ValueError:
        return False


def _numbers(s: pd.Series, col, report) -> list[Fraction | None]:
    """The exact value of each cell of a numeric column (None where blank or refused), each refused
    cell reported.  A plain loop: this runs for every column of every table a build or test reads,
    and per-column pandas operations cost more than the conversion itself on a few hundred rows."""
    values: list[Fraction | None] = []
    refused: dict[str, list] = {
        "not a number": [],
        "must be a finite number": [],
        "must be a whole number": [],
    }
    for idx, text in s.items():
        v = decimal(text) if text else None
        if text and _infinite(text):
            refused["must be a finite number"].append(idx)
            v = None
        elif text and v is None:
            refused["not a number"].append(idx)
        elif v is not None and col.dtype == "integer" and v.denominator != 1:
            refused["must be a whole number"].append(idx)
            v = None
        values.append(v)
    for rule, cells in refused.items():
        for idx in cells:
            report(idx, col.name, s[idx], _number_rule(col, s[idx]) if rule == "not a number" else rule)
    return values


def _censored(df, label, errors, written) -> pd.Series:
    """Split '<5' into value 5 and a censored flag; report censored cells that are not '<number'
    and values censored from above.  Returns the values as numbers (NaN where not one)."""
    raw = df["value"].astype(str)
    censored = raw.str.startswith("<")
    df["value"] = raw.str.lstrip("<").str.strip()
    df["censored"] = censored
    numeric = pd.to_numeric(df["value"], errors="coerce")
    flagged = {row for f, row, col in flagged_cells(errors) if f == label and col == "value"}
    fresh = ~raw.index.isin(list(flagged))
    shown = raw if written is None else written["value"].astype(str)
    rules = (
        (censored & numeric.isna(), "a censored value must be '<' followed by a number, e.g. '<5'"),
        (raw.str.startswith(">"), "must be a number; only values below a limit may be censored ('<5')"),
    )
    for bad, rule in rules:
        for idx in raw.index[bad & fresh]:
            errors.append(Violation(label, int(idx), "value", shown[idx], rule))
    return numeric


def measurement_values(df, label, errors, notes, written=None) -> pd.DataFrame:
    """Split censored values ('<5'), check analyte codes and convert units.

    Vectorised over rows: registries bring hundreds of thousands of measurements.
    Values are quoted in messages as ``written`` in the file, when given.
    """
    df = df.copy()
    numeric = _censored(df, label, errors, written)
    code, unit = df["analyte"], df["unit"]
    known = code.isin(list(ANALYTES))
    for idx in code.index[~known & (code != "")]:
        errors.append(
            Violation(
                label,
                int(idx),
                "analyte",
                code[idx],
                f"unknown analyte code{did_you_mean(code[idx], ANALYTES, cutoff=0.5, listing=True)}",
            )
        )
    check = known & (unit != "")  # blank analyte/unit cells are reported as blank elsewhere
    converted: dict[tuple[str, str], int] = {}
    # one lookup per distinct (analyte, unit) pair instead of per row
    for (a, u), idx in df[check].groupby(["analyte", "unit"], sort=True).groups.items():
        factor = canonical_unit(a, u)
        canonical = ANALYTES[a][1]
        if factor is None:
            for i in idx:
                errors.append(
                    Violation(
                        label, int(i), "unit", u, f"wrong or unknown unit for {a}: expected {canonical}"
                    )
                )
            continue
        df.loc[idx, "unit"] = canonical
        if factor != 1:
            # exact: the decimal text times the decimal factor (880 mg/24h is 0.88 g/24h, not a float product)
            text = df.loc[idx, "value"]
            ok = numeric[idx].notna() & text.map(lambda t: decimal(t) is not None)
            df.loc[text.index[ok], "value"] = [decimal_text(decimal(t) * factor) for t in text[ok]]
            converted[(a, u)] = converted.get((a, u), 0) + int(ok.sum())
    for (a, u), n in sorted(converted.items()):
        notes.append(f"{n} {a} value{'s' if n != 1 else ''} converted from {u} to {ANALYTES[a][1]}")
    return df

"""Summary statistics and the one rounding rule used everywhere.

Rounding rule: round half away from zero (1.25 -> 1.3) at the stated number of
decimals, applied to the final figure only.  Python's built-in ``round`` uses
banker's rounding on binary floats (``round(2.675, 2) == 2.67``), which would
make the claims ledger disagree with a hand calculation.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd

from .exact import maximum, median, minimum, observations, round_half_away


def round_half_up(x: float | Fraction | None, decimals: int = 0) -> float | None:
    """Round ``x`` half away from zero at ``decimals`` places, on its exact decimal value."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return x
    return float(round_half_away(x, decimals))


def fmt(x: float | None, decimals: int = 0) -> str:
    """Format a number with the rounding rule; missing values print as an en dash."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return "–"
    return f"{round_half_up(x, decimals):.{decimals}f}"


def median_range(values) -> dict:
    """Median, minimum, maximum and count of the non-missing values, computed exactly.

    With an even count the median is the exact mean of the two middle values
    (the median of 100.2 and 275.9 is 188.05, not the float 188.04999…).
    """
    obs = observations(values)
    if not obs:
        return {"median": None, "min": None, "max": None, "n": 0}
    return {
        "median": float(median(obs)),
        "min": float(minimum(obs)),
        "max": float(maximum(obs)),
        "n": len(obs),
    }


def quartiles(values) -> dict:
    s = pd.Series(values, dtype="Float64").dropna()
    if s.empty:
        return {"q1": None, "median": None, "q3": None, "n": 0}
    return {
        "q1": float(s.quantile(0.25)),
        "median": float(s.median()),
        "q3": float(s.quantile(0.75)),
        "n": int(s.size),
    }


def fmt_median_range(values, decimals: int = 0, median_decimals: int | None = None) -> str:
    """'median (min–max)' of the non-missing values, e.g. '37 (19–43)'.

    With ``decimals=0`` and whole-number values, a median that falls halfway keeps
    one decimal ('8.5 (7–11)'), as the median of an even count of days or
    scores can; ``median_decimals`` sets it explicitly.  A range with a
    negative end reads 'min to max' ('−90 to −25').
    """
    mr = median_range(values)
    if mr["n"] == 0:
        return "–"
    md = median_decimals
    if md is None:
        whole = all(float(v).is_integer() for v in pd.Series(values, dtype="Float64").dropna())
        md = 1 if decimals == 0 and whole and not float(mr["median"]).is_integer() else decimals
    lo, hi = fmt(mr["min"], decimals), fmt(mr["max"], decimals)
    sep = " to " if mr["min"] < 0 else "–"
    return f"{fmt(mr['median'], md)} ({lo}{sep}{hi})".replace("-", "−")


def fmt_n_pct(n: int, total: int) -> str:
    """'n/N (%)' with the percentage rounded to a whole number, e.g. '3/6 (50%)'."""
    if total == 0:
        return f"{n}/0"
    return f"{n}/{total} ({fmt(Fraction(100 * n, total), 0)}%)"  # exact: 100 * n / total is a float

"""Visit rules shared by every analysis: baseline, month-k visit, last value, censored comparisons.

A censored value ``<L`` (below the assay's limit ``L``) is stored as
``value = L`` with ``censored = True``.  Rules: data contract v2.
"""

from __future__ import annotations

import pandas as pd

from .exact import below, exact


def baseline(series: pd.DataFrame) -> pd.DataFrame:
    """The last row with day <= 0 per patient (data contract: baseline)."""
    pre = series[series["day"] <= 0].sort_values(["patient_id", "day"])
    return pre.groupby("patient_id", sort=False).tail(1).set_index("patient_id")


def month_visit(series: pd.DataFrame, month: int, window_days: int) -> pd.DataFrame:
    """Per patient, the follow-up row (day >= 1) nearest to day 30·month within ± window_days.

    Ties (two visits equally near) go to the earlier day.  A baseline value is
    never a follow-up visit, whatever the window (contract v2).
    """
    target = 30 * month
    s = series[(series["day"] >= 1) & ((series["day"] - target).abs() <= window_days)].copy()
    s["_dist"] = (s["day"] - target).abs()
    s = s.sort_values(["patient_id", "_dist", "day"])
    return s.groupby("patient_id", sort=False).head(1).drop(columns="_dist").set_index("patient_id")


def last_after_infusion(series: pd.DataFrame) -> pd.DataFrame:
    """Per patient, the last row with day > 0."""
    post = series[series["day"] > 0].sort_values(["patient_id", "day"])
    return post.groupby("patient_id", sort=False).tail(1).set_index("patient_id")


def decide_below(values: pd.Series, censored: pd.Series, threshold: float) -> pd.Series:
    """Per row: True/False where "below threshold" is decided, NA where a censored value cannot tell.

    Pass the exact values (``value_exact``): the comparison is exact.  Rounding to
    the nearest float keeps order, so the floats decide wherever they differ from
    the threshold's float; where they are equal ("0.49999999999999999999" and 0.5)
    only the fractions can tell, and decide.
    """
    v = values.astype(float)
    cens = censored.astype(bool)
    t = exact(threshold)
    out = pd.Series(pd.array(v < float(t), dtype="boolean"), index=values.index)
    out[cens & (v <= float(t))] = True
    out[cens & (v > float(t))] = pd.NA
    for idx in values.index[v == float(t)]:
        out[idx] = below(values[idx], bool(cens[idx]), t)
    return out


def decide_at_least(values: pd.Series, censored: pd.Series, threshold: float) -> pd.Series:
    """Per row: True/False where "at or above threshold" is decided, NA where it is not."""
    return ~decide_below(values, censored, threshold)

"""Visit rules shared by every analysis: baseline, month-k visit, censoring.

A censored value ``<L`` (below the assay's limit ``L``) is stored as
``value = L`` with ``censored = True``.
"""

from __future__ import annotations

import pandas as pd


def baseline(series: pd.DataFrame) -> pd.DataFrame:
    """The last row with day <= 0 per patient (data contract: baseline)."""
    pre = series[series["day"] <= 0].sort_values(["patient_id", "day"])
    return pre.groupby("patient_id", sort=False).tail(1).set_index("patient_id")


def month_visit(series: pd.DataFrame, month: int, window_days: int) -> pd.DataFrame:
    """Per patient, the row nearest to day 30*month within +/- window_days.

    Ties (two visits equally near) go to the earlier day, so the rule is deterministic.
    """
    target = 30 * month
    s = series[(series["day"] - target).abs() <= window_days].copy()
    s["_dist"] = (s["day"] - target).abs()
    s = s.sort_values(["patient_id", "_dist", "day"])
    return s.groupby("patient_id", sort=False).head(1).drop(columns="_dist").set_index("patient_id")


def last_after_infusion(series: pd.DataFrame) -> pd.DataFrame:
    """Per patient, the last row with day > 0."""
    post = series[series["day"] > 0].sort_values(["patient_id", "day"])
    return post.groupby("patient_id", sort=False).tail(1).set_index("patient_id")


def is_below(values: pd.Series, censored: pd.Series, threshold: float) -> pd.Series:
    """True where the true value is certainly below ``threshold``.

    A censored ``<L`` counts as below when L <= threshold.
    """
    return ((~censored) & (values < threshold)) | (censored & (values <= threshold))


def quantified(series: pd.DataFrame) -> pd.Series:
    """Values with censored results set to 0 (below quantification) for peaks and AUCs."""
    return series["value"].where(~series["censored"], 0.0)

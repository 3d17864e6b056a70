"""SLEDAI-2K over time (Fig. 2a) and its exact Wilcoxon signed-rank test."""

from __future__ import annotations

import pandas as pd

from .visits import baseline, month_visit


def sledai_visits(ds) -> pd.DataFrame:
    """SLEDAI-2K (points) per patient at baseline, month 1 and month 3, with each visit's day."""
    d = ds.definitions
    s = ds.series("sledai_2k")
    out = pd.DataFrame(index=pd.Index(ds.patients["patient_id"], name="patient_id"))
    for label, rows in (
        ("baseline", baseline(s)),
        ("month1", month_visit(s, 1, d.visit_window_days)),
        ("month3", month_visit(s, 3, d.visit_window_days)),
    ):
        out[label] = rows["value"].reindex(out.index).astype("Float64")
        out[f"{label}_day"] = rows["day"].reindex(out.index).astype("Int64")
    return out


def sledai_change_test(ds) -> dict:
    """Exact two-sided Wilcoxon signed-rank test of baseline vs month-3 SLEDAI-2K.

    Uses patients with both values.  Returns n, the statistic, the p-value and the
    method; with fewer than 2 complete pairs or all differences zero the p-value is None.
    """
    from scipy import stats  # imported here: it costs most of a chapter's start-up time

    v = sledai_visits(ds).dropna(subset=["baseline", "month3"])
    diff = (v["baseline"] - v["month3"]).astype(float)
    n = len(v)
    result = {"n": n, "statistic": None, "p_value": None, "method": "Wilcoxon signed-rank, exact, two-sided"}
    if n < 2 or (diff == 0).all():
        return result
    has_ties = diff.abs().duplicated().any() or (diff == 0).any()
    # scipy's exact null distribution assumes no ties or zeros; otherwise it uses
    # the normal approximation, and the result says so.
    method = "exact" if not has_ties else "approx"
    res = stats.wilcoxon(
        v["baseline"].astype(float), v["month3"].astype(float), alternative="two-sided", method=method
    )
    result.update(statistic=float(res.statistic), p_value=float(res.pvalue))
    if method != "exact":
        result["method"] = "Wilcoxon signed-rank, normal approximation (ties or zero differences), two-sided"
    return result

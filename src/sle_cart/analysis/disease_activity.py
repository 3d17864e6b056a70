"""SLEDAI-2K over time (Fig. 2a) and the exact Wilcoxon signed-rank tests of its change."""

from __future__ import annotations

import pandas as pd

from .visits import baseline, month_visit
from .wilcoxon import signed_rank

VISITS = ("baseline", "month1", "month3")


def sledai_visits(ds) -> pd.DataFrame:
    """SLEDAI-2K (points) per patient at baseline, month 1 and month 3, with each visit's day and censoring."""
    d = ds.definitions
    s = ds.series("sledai_2k")
    out = pd.DataFrame(index=pd.Index(ds.patients["patient_id"], name="patient_id"))
    for label, rows in zip(
        VISITS, (baseline(s), month_visit(s, 1, d.visit_window_days), month_visit(s, 3, d.visit_window_days))
    ):
        out[label] = rows["value"].reindex(out.index).astype("Float64")
        out[f"{label}_day"] = rows["day"].reindex(out.index).astype("Int64")
        out[f"{label}_censored"] = rows["censored"].reindex(out.index).fillna(False).astype(bool)
    return out


def sledai_change_test(ds, month: int = 3) -> dict:
    """Exact two-sided Wilcoxon signed-rank test of baseline vs month-``month`` SLEDAI-2K.

    Pairs: patients with a quantified score at both visits.  Returns ``n`` (non-zero
    pairs, the test's n), ``n_pairs``, ``n_zero``, ``statistic`` (W+), ``p_value``
    (None when no pair differs), ``p_exact`` (the fraction), ``minimum_p`` (2/2^n)
    and ``method``.
    """
    v = sledai_visits(ds)
    label = f"month{month}"
    pairs = v.dropna(subset=["baseline", label])
    pairs = pairs[~pairs["baseline_censored"] & ~pairs[f"{label}_censored"]]
    # differences of the exact scores, as the file spells them (the table's floats are for charts)
    s = ds.series("sledai_2k")
    before = baseline(s)["value_exact"]
    after = month_visit(s, month, ds.definitions.visit_window_days)["value_exact"]
    diffs = [before[pid] - after[pid] for pid in pairs.index]
    t = signed_rank(diffs)
    return {
        "n": t.n,
        "n_pairs": len(diffs),
        "n_zero": t.n_zero,
        "month": month,
        "statistic": None if t.w_plus is None else float(t.w_plus),
        "p_value": None if t.p_value is None else float(t.p_value),
        "p_exact": t.p_value,
        "minimum_p": None if t.minimum_p is None else float(t.minimum_p),
        "method": t.method,
    }

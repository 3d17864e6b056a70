"""Anti-dsDNA (Fig. 2c) and complement C3/C4 (Fig. 2d), by the data contract v2.

Comparisons with the limits of normal use the exact values (``value_exact``).
"""

from __future__ import annotations

import pandas as pd

from .visits import baseline, decide_at_least, decide_below, last_after_infusion


def dsdna_conversion(ds) -> pd.DataFrame:
    """Per patient: baseline and last anti-dsDNA (IU/mL), positivity at baseline and negative conversion.

    Evaluable (the denominator): positive at baseline (decided at or above the
    upper limit of normal) and a last value after day 0 that can be compared
    with the limit.  ``converted_negative`` is NA for everyone else; ``reason``
    says why.
    """
    uln = ds.reference_range("anti_dsdna")[1]
    s = ds.series("anti_dsdna")
    b, last = baseline(s), last_after_infusion(s)
    out = pd.DataFrame(index=pd.Index(ds.patients["patient_id"], name="patient_id"))
    out["baseline_IU_per_mL"] = b["value"].reindex(out.index).astype(float)
    out["baseline_censored"] = b["censored"].reindex(out.index).fillna(False).astype(bool)
    out["last_IU_per_mL"] = last["value"].reindex(out.index).astype(float)
    out["last_censored"] = last["censored"].reindex(out.index).fillna(False).astype(bool)
    out["last_day"] = last["day"].reindex(out.index).astype("Int64")
    if uln is None:
        out["positive_at_baseline"] = pd.array([pd.NA] * len(out), dtype="boolean")
        out["converted_negative"] = pd.array([pd.NA] * len(out), dtype="boolean")
        out["reason"] = "no upper limit of normal for anti_dsdna in dataset.yml"
        return out
    pos = decide_at_least(b["value_exact"], b["censored"], uln).reindex(out.index)
    neg = decide_below(last["value_exact"], last["censored"], uln).reindex(out.index)
    out["positive_at_baseline"] = pos.astype("boolean")
    evaluable = pos.fillna(False).astype(bool) & neg.notna()
    out["converted_negative"] = neg.astype("boolean").where(evaluable, pd.NA)
    out["reason"] = [_dsdna_reason(row, uln) for row in out.itertuples()]
    return out


def _dsdna_reason(row, uln: float) -> str:
    if pd.isna(row.baseline_IU_per_mL):
        return "no baseline anti-dsDNA"
    if pd.isna(row.positive_at_baseline):
        return f"baseline <{row.baseline_IU_per_mL:g} cannot be compared with {uln:g}"
    if not row.positive_at_baseline:
        return f"negative at baseline (below {uln:g} IU/mL)"
    if pd.isna(row.last_IU_per_mL):
        return "no anti-dsDNA after infusion"
    if pd.isna(row.converted_negative):
        return f"last value <{row.last_IU_per_mL:g} cannot be compared with {uln:g}"
    return ""


def _day_normal(both: pd.DataFrame, lo3: float, lo4: float) -> pd.Series:
    """Per paired day: C3 and C4 both at or above their limits (three-valued: a decided False wins)."""
    ok3 = decide_at_least(both["value_exact_c3"], both["censored_c3"], lo3)
    ok4 = decide_at_least(both["value_exact_c4"], both["censored_c4"], lo4)
    return ok3 & ok4  # Kleene logic: False & NA is False, True & NA is NA


def complement_normalisation(ds) -> pd.DataFrame:
    """Per patient: baseline C3 and C4 (g/L), low at baseline, first day 1..D with both normal.

    ``normal_by_day<D>`` (default D = 60) is True when such a day exists, False
    when the patient has a day in 1..D with both measured and the comparison
    decided but none qualifies, and NA (not evaluable) otherwise; ``reason`` says why.
    """
    d = ds.definitions
    lo3, lo4 = ds.reference_range("c3")[0], ds.reference_range("c4")[0]
    c3, c4 = ds.series("c3"), ds.series("c4")
    out = pd.DataFrame(index=pd.Index(ds.patients["patient_id"], name="patient_id"))
    b3, b4 = baseline(c3), baseline(c4)
    out["baseline_c3_g_per_L"] = b3["value"].reindex(out.index).astype(float)
    out["baseline_c4_g_per_L"] = b4["value"].reindex(out.index).astype(float)
    col = f"normal_by_day{d.complement_normal_by_day}"
    if lo3 is None or lo4 is None:
        out["low_at_baseline"] = pd.array([pd.NA] * len(out), dtype="boolean")
        out["first_normal_day"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out[col] = pd.array([pd.NA] * len(out), dtype="boolean")
        out["reason"] = "no lower limit for C3 or C4 in dataset.yml"
        return out
    low = ~(
        decide_at_least(b3["value_exact"], b3["censored"], lo3).reindex(out.index)
        & decide_at_least(b4["value_exact"], b4["censored"], lo4).reindex(out.index)
    )
    out["low_at_baseline"] = low.astype("boolean")
    both = c3.merge(c4, on=["patient_id", "day"], suffixes=("_c3", "_c4"))
    both = both[(both["day"] >= 1) & (both["day"] <= d.complement_normal_by_day)].copy()
    both["normal"] = _day_normal(both, lo3, lo4)
    decided = both[both["normal"].notna()]
    ok = decided[decided["normal"].astype(bool)]
    out["first_normal_day"] = ok.groupby("patient_id")["day"].min().reindex(out.index).astype("Int64")
    evaluable = out.index.isin(decided["patient_id"])
    out[col] = out["first_normal_day"].notna().astype("boolean").where(evaluable, pd.NA)
    paired = out.index.isin(both["patient_id"])
    out["reason"] = [
        ""
        if ev
        else (
            f"C3/C4 on days 1–{d.complement_normal_by_day} cannot be compared with the lower limits"
            if pr
            else f"no day 1–{d.complement_normal_by_day} with both C3 and C4 measured"
        )
        for ev, pr in zip(evaluable, paired)
    ]
    return out

"""Anti-dsDNA (Fig. 2c) and complement C3/C4 (Fig. 2d)."""

from __future__ import annotations

import pandas as pd

from .visits import baseline, is_below, last_after_infusion


def dsdna_conversion(ds) -> pd.DataFrame:
    """Per patient: baseline and last anti-dsDNA (IU/mL) and negative conversion.

    Converted: baseline >= the upper limit of normal and the last value after
    infusion below it.  Missing when the limit or either value is missing.
    """
    uln = ds.reference_range("anti_dsdna")[1]
    s = ds.series("anti_dsdna")
    b, last = baseline(s), last_after_infusion(s)
    out = pd.DataFrame(index=pd.Index(ds.patients["patient_id"], name="patient_id"))
    out["baseline_IU_per_mL"] = b["value"].reindex(out.index).astype(float)
    out["last_IU_per_mL"] = last["value"].reindex(out.index).astype(float)
    out["last_day"] = last["day"].reindex(out.index).astype("Int64")
    if uln is None:
        conv = pd.Series(pd.NA, index=out.index, dtype="boolean")
    else:
        pos = (b["value"] >= uln) & ~b["censored"]
        neg = is_below(last["value"], last["censored"], uln)
        conv = (pos.reindex(out.index) & neg.reindex(out.index)).astype("boolean")
        conv[~(out.index.isin(b.index) & out.index.isin(last.index))] = pd.NA
    out["converted_negative"] = conv
    return out


def complement_normalisation(ds) -> pd.DataFrame:
    """Per patient: baseline C3 and C4 (g/L) and the first day 1..N with both at or above their lower limits.

    ``normal_by_day<N>`` is True when such a day exists (default N = 60), False when
    the patient has paired C3/C4 values after infusion but none qualifies, and
    missing when there are no paired values after infusion.
    """
    d = ds.definitions
    lo3, lo4 = ds.reference_range("c3")[0], ds.reference_range("c4")[0]
    c3, c4 = ds.series("c3"), ds.series("c4")
    out = pd.DataFrame(index=pd.Index(ds.patients["patient_id"], name="patient_id"))
    out["baseline_c3_g_per_L"] = baseline(c3)["value"].reindex(out.index).astype(float)
    out["baseline_c4_g_per_L"] = baseline(c4)["value"].reindex(out.index).astype(float)
    both = c3.merge(c4, on=["patient_id", "day"], suffixes=("_c3", "_c4"))
    followed = set(both.loc[both["day"] >= 1, "patient_id"])  # evaluable: paired values after infusion
    both = both[(both["day"] >= 1) & (both["day"] <= d.complement_normal_by_day)]
    col = f"normal_by_day{d.complement_normal_by_day}"
    if lo3 is None or lo4 is None:
        out["first_normal_day"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out[col] = pd.array([pd.NA] * len(out), dtype="boolean")
        return out
    ok = both[(both["value_c3"] >= lo3) & (both["value_c4"] >= lo4)]
    out["first_normal_day"] = ok.groupby("patient_id")["day"].min().reindex(out.index).astype("Int64")
    has = out.index.isin(followed)
    out[col] = out["first_normal_day"].notna().astype("boolean").where(has, pd.NA)
    return out

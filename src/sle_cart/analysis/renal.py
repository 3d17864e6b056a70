"""Renal response in lupus nephritis (Fig. 2b).

Categories (project default, after KDIGO 2024, Kidney Int 2024;105(1S)):
complete: last urine protein after infusion < 0.5 g/24h; partial: not complete,
>= 50 % below baseline and < 3 g/24h; none: otherwise.  eGFR is not in the
data, so the kidney-function part of the KDIGO definitions is not applied.
"""

from __future__ import annotations

import pandas as pd

from .visits import baseline, last_after_infusion

CATEGORIES = ("complete", "partial", "none")


def classify(baseline_g24h: float, last_g24h: float, d) -> str:
    """Renal response category from baseline and last urine protein (g/24h)."""
    if last_g24h < d.renal_complete_below_g24h:
        return "complete"
    if (
        baseline_g24h > 0
        and (baseline_g24h - last_g24h) / baseline_g24h >= d.renal_partial_min_reduction
        and last_g24h < d.renal_partial_below_g24h
    ):
        return "partial"
    return "none"


def renal_response(ds) -> pd.DataFrame:
    """Per patient with lupus nephritis: baseline and last urine protein (g/24h), change and category.

    Patients without a baseline or a post-infusion value are 'not evaluable'.
    """
    d = ds.definitions
    s = ds.series("urine_protein_24h")
    p = ds.patients.set_index("patient_id")
    ln = p.index[p["lupus_nephritis"].fillna(False).astype(bool)]
    b, last = baseline(s), last_after_infusion(s)
    out = pd.DataFrame(index=pd.Index(ln, name="patient_id"))
    out["baseline_g24h"] = b["value"].reindex(out.index).astype(float)
    out["last_g24h"] = last["value"].reindex(out.index).astype(float)
    out["last_day"] = last["day"].reindex(out.index).astype("Int64")
    out["change_pct"] = 100 * (out["last_g24h"] - out["baseline_g24h"]) / out["baseline_g24h"]
    out["response"] = [
        "not evaluable" if pd.isna(bv) or pd.isna(lv) else classify(bv, lv, d)
        for bv, lv in zip(out["baseline_g24h"], out["last_g24h"])
    ]
    return out


def response_counts(ds) -> dict:
    """Counts per category, patients with lupus nephritis, and the response rate.

    Rate = (complete + partial) / patients with lupus nephritis (data contract).
    """
    r = renal_response(ds)
    counts = {c: int((r["response"] == c).sum()) for c in CATEGORIES}
    n_ln = len(r)
    counts["not evaluable"] = int((r["response"] == "not evaluable").sum())
    counts["n_lupus_nephritis"] = n_ln
    counts["rate"] = (counts["complete"] + counts["partial"]) / n_ln if n_ln else None
    return counts

"""Renal response in lupus nephritis (Fig. 2b), by the data contract v2.

Categories (project default, after KDIGO 2024, Kidney Int 2024;105(1S)), at the
last urine protein after infusion: complete, below 0.5 g/24h; partial, not
complete, at most 50 % of baseline and below 3 g/24h; none, every other
evaluable patient.  Evaluable: lupus nephritis, a baseline at or above the
complete-response threshold (active proteinuria) and a value after day 0.
eGFR is not in the data, so the kidney-function part of the KDIGO definitions
is not applied.
"""

from __future__ import annotations

import pandas as pd

from .exact import Number, at_least, below, exact
from .visits import baseline, last_after_infusion

CATEGORIES = ("complete", "partial", "none")
NOT_EVALUABLE = "not evaluable"


def classify(baseline_g24h: Number, last_g24h: Number, d, last_censored: bool = False) -> str:
    """Renal response category from a quantified baseline and the last urine protein (g/24h)."""
    complete = below(last_g24h, last_censored, d.renal_complete_below_g24h)
    if complete is None:
        return NOT_EVALUABLE
    if complete:
        return "complete"
    # not complete means the last value is quantified (a decided "not below" is never censored)
    ratio_ok = exact(last_g24h) <= (1 - exact(d.renal_partial_min_reduction)) * exact(baseline_g24h)
    if ratio_ok and exact(last_g24h) < exact(d.renal_partial_below_g24h):
        return "partial"
    return "none"


def _reason(row, d, baseline_exact) -> str:
    if baseline_exact is None:
        return "no baseline urine protein"
    active = at_least(baseline_exact, row.baseline_censored, d.renal_complete_below_g24h)
    if not active:
        shown = ("<" if row.baseline_censored else "") + f"{row.baseline_g24h:g}"
        return (
            f"baseline {shown} g/24h, below the complete-response threshold {d.renal_complete_below_g24h:g}"
        )
    if pd.isna(row.last_g24h):
        return "no urine protein after infusion"
    return ""


def renal_response(ds) -> pd.DataFrame:
    """Per patient with lupus nephritis: baseline and last urine protein (g/24h), change, category, reason.

    ``response`` is one of ``CATEGORIES`` or 'not evaluable' (``reason`` says why).  The floats
    are for charts; ``baseline_exact``, ``last_exact`` and ``change_pct_exact`` (fractions, None
    where missing or censored for the change) are the values verdicts and rounding use.
    """
    d = ds.definitions
    s = ds.series("urine_protein_24h")
    p = ds.patients.set_index("patient_id")
    ln = p.index[p["lupus_nephritis"].fillna(False).astype(bool)]
    b, last = baseline(s), last_after_infusion(s)
    out = pd.DataFrame(index=pd.Index(ln, name="patient_id"))
    out["baseline_g24h"] = b["value"].reindex(out.index).astype(float)
    out["baseline_censored"] = b["censored"].reindex(out.index).fillna(False).astype(bool)
    out["last_g24h"] = last["value"].reindex(out.index).astype(float)
    out["last_censored"] = last["censored"].reindex(out.index).fillna(False).astype(bool)
    out["last_day"] = last["day"].reindex(out.index).astype("Int64")
    base_x, last_x = (_exact_values(rows, out.index) for rows in (b, last))
    # exact, so that -37.5 % (0.88 to 0.55 g/24h) rounds to -38 and not, as a float, to -37
    change = [
        None if bx is None or lx is None or bc or lc or bx == 0 else 100 * (lx - bx) / bx
        for bx, lx, bc, lc in zip(base_x, last_x, out["baseline_censored"], out["last_censored"])
    ]
    out["change_pct"] = [float("nan") if c is None else float(c) for c in change]
    reasons, responses = [], []
    for row, bx, lx in zip(out.itertuples(), base_x, last_x):
        reason = _reason(row, d, bx)
        response = NOT_EVALUABLE if reason else classify(bx, lx, d, row.last_censored)
        if response == NOT_EVALUABLE and not reason:
            reason = (
                f"last value <{row.last_g24h:g} g/24h cannot be compared with {d.renal_complete_below_g24h:g}"
            )
        reasons.append(reason)
        responses.append(response)
    out["response"] = responses
    out["reason"] = reasons
    # the exact values behind the floats above, for verdicts and rounded display
    out["baseline_exact"], out["last_exact"], out["change_pct_exact"] = base_x, last_x, change
    return out


def _exact_values(rows: pd.DataFrame, index: pd.Index) -> list:
    """Each patient's exact value (a Fraction) from ``rows``, None where there is none."""
    values = rows["value_exact"].reindex(index)
    return [None if pd.isna(v) else v for v in values]


def response_counts(ds) -> dict:
    """Counts per category, evaluable and lupus-nephritis patients, the response rate, and the
    first and last day (``last_day_min``, ``last_day_max``) on which an evaluable patient's last
    value was measured.

    Rate = (complete + partial) / evaluable (contract v2); complete + partial +
    none = evaluable.  The rate is None when no patient is evaluable.
    """
    return count_responses(renal_response(ds))


def count_responses(r: pd.DataFrame) -> dict:
    """:func:`response_counts` from the per-patient frame of :func:`renal_response`."""
    counts = {c: int((r["response"] == c).sum()) for c in CATEGORIES}
    counts["evaluable"] = sum(counts[c] for c in CATEGORIES)
    counts["not evaluable"] = int((r["response"] == NOT_EVALUABLE).sum())
    counts["n_lupus_nephritis"] = len(r)
    n = counts["evaluable"]
    counts["rate"] = (counts["complete"] + counts["partial"]) / n if n else None
    # when the response was judged: the days of the evaluable patients' last values
    days = r.loc[r["response"].isin(CATEGORIES), "last_day"].dropna()
    counts["last_day_min"], counts["last_day_max"] = (
        (int(days.min()), int(days.max())) if len(days) else (None, None)
    )
    return counts

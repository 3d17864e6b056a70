"""CAR T cell expansion (Fig. 1a) and B-cell depletion (Fig. 1b), by the data contract v2."""

from __future__ import annotations

import pandas as pd

from sle_cart.inputs.decimals import decimal_text

from .visits import baseline, decide_below


def car_t_kinetics(ds) -> pd.DataFrame:
    """Per patient: Cmax (cells/µL), Tmax (day), AUC(0-28) (cells/µL × day), last detectable day.

    ``cmax_exact`` is Cmax exactly as its decimal text ('188.04999999999999999'), for claims and rounding.

    - Peak (Cmax): the highest *quantified* car_t value on days 0..window; Tmax
      is the first day it is reached.  A patient with car_t values in the window
      but none quantified is a non-expander (``expander`` False): no peak, no peak
      day.  A patient without car_t values in the window has ``expander`` NA.
    - AUC: linear trapezoidal rule over the sampled days 0..28; values below the
      assay limit count as 0 for this descriptive measure only (no claim rests on it).
    - Last detectable day: the last day 0..window with a quantified value > 0.
    """
    d = ds.definitions
    s = ds.series("car_t")
    s = s[(s["day"] >= 0) & (s["day"] <= d.kinetics_window_days)].copy()
    ids = pd.Index(ds.patients["patient_id"], name="patient_id")
    out = pd.DataFrame(index=ids)
    q = s[~s["censored"]]
    # the peak is decided on the exact values: distinct decimals may share a float
    cmax = q.groupby("patient_id", sort=False)["value_exact"].agg(max)
    out["cmax_cells_per_uL"] = cmax.reindex(ids).astype(float)
    # rows are sorted by day within patient, so the first row at the maximum is the first day
    at_max = q[q["value_exact"] == q["patient_id"].map(cmax)]
    out["tmax_day"] = at_max.groupby("patient_id", sort=False)["day"].first().reindex(ids).astype("Int64")
    sampled = ids.isin(s["patient_id"])
    out["expander"] = pd.array(
        [bool(p in cmax.index) if has else pd.NA for p, has in zip(ids, sampled)], dtype="boolean"
    )
    out["auc_0_28_cells_day_per_uL"] = _auc(s[s["day"] <= d.auc_window_days]).reindex(ids).astype(float)
    det = q[q["value"] > 0]
    out["last_detectable_day"] = (
        det.groupby("patient_id", sort=False)["day"].max().reindex(ids).astype("Int64")
    )
    out["reason"] = [
        ""
        if e is True
        else (
            "never above the assay limit (non-expander)"
            if e is False
            else f"no CAR T count on days 0–{d.kinetics_window_days}"
        )
        for e in out["expander"].astype(object).where(out["expander"].notna(), None)
    ]
    # as decimal text, which reads well in the table's CSV download and converts back exactly
    out["cmax_exact"] = [None if pd.isna(v) else decimal_text(v) for v in cmax.reindex(ids)]
    return out


def _auc(w: pd.DataFrame) -> pd.Series:
    """Trapezoidal area per patient over its sampled days (censored as 0); NA with fewer than 2 samples."""
    w = w.assign(q=w["value"].where(~w["censored"], 0.0))
    nxt = w.groupby("patient_id", sort=False)[["day", "q"]].shift(-1)
    w = w.assign(segment=(nxt["day"] - w["day"]) * (nxt["q"] + w["q"]) / 2)
    n_pts = w.groupby("patient_id", sort=False)["day"].size()
    return w.groupby("patient_id", sort=False)["segment"].sum(min_count=1).where(n_pts > 1)


def bcell_depletion(ds, days: tuple[int, ...] | None = None) -> pd.DataFrame:
    """Per patient: baseline CD19+ B cells/µL, first depleted day, depleted by each day of interest,
    reconstitution day.

    Depleted by day d: some cd19_b value on days 0..d decided below the threshold
    (default 5 cells/µL; a censored ``<L`` is below when L <= threshold).
    Evaluable: at least one decided value on days 0..d; a patient with no sample
    (or only undecided ones) in that window is NA (not evaluable), never "not
    depleted".  ``reason_day<d>`` says why a patient is not evaluable.  ``days``
    defaults to the definitions' ``bcell_depletion_days``.

    Reconstitution day: the first day after the first depleted day with a value
    decided at or above the threshold; NA for a patient never depleted or not
    back by the last sample (``reason_reconstitution`` says which).
    """
    d = ds.definitions
    s = ds.series("cd19_b")
    out = pd.DataFrame(index=pd.Index(ds.patients["patient_id"], name="patient_id"))
    out["baseline_cells_per_uL"] = baseline(s)["value"].reindex(out.index)
    post = s[s["day"] >= 0].copy()
    post["below"] = decide_below(post["value_exact"], post["censored"], d.bcell_depletion_below)
    first = post[post["below"].fillna(False).astype(bool)].groupby("patient_id")["day"].min()
    out["first_depleted_day"] = first.reindex(out.index).astype("Int64")
    out["reconstitution_day"], out["reason_reconstitution"] = _reconstitution(post, out["first_depleted_day"])
    for day in days or d.bcell_depletion_days:
        window = post[post["day"] <= day]
        decided = window[window["below"].notna()]
        evaluable = out.index.isin(decided["patient_id"])
        depleted = (out["first_depleted_day"] <= day).fillna(False).astype("boolean")
        out[f"depleted_by_day{day}"] = depleted.where(evaluable, pd.NA)
        sampled = out.index.isin(window["patient_id"])
        out[f"reason_day{day}"] = [
            ""
            if ev
            else (
                f"only values that cannot be compared with {d.bcell_depletion_below:g} on days 0–{day}"
                if sm
                else f"no sample on days 0–{day}"
            )
            for ev, sm in zip(evaluable, sampled)
        ]
    return out


def _reconstitution(post: pd.DataFrame, first_depleted: pd.Series) -> tuple[pd.Series, list[str]]:
    """Per patient: the first day after depletion with B cells back at or above the threshold, and why not.

    ``post``: the post-infusion rows with ``below`` decided (NA where a censored
    value cannot tell).  An undecided ``<L`` (L above the threshold) is never
    counted as back: the count may still have been below.
    """
    start = post["patient_id"].map(first_depleted).astype("Float64")
    after = post[(post["day"] > start).fillna(False).astype(bool)]
    back = after[(~after["below"]).fillna(False).astype(bool)].groupby("patient_id")["day"].min()
    day = back.reindex(first_depleted.index).astype("Int64")
    last = post.groupby("patient_id")["day"].max()
    reasons = [
        ""
        if not pd.isna(b)
        else (
            "no sample from day 0 on"
            if pid not in last.index
            else ("no depleted sample" if pd.isna(f) else f"not back by the last sample (day {last[pid]})")
        )
        for pid, b, f in zip(first_depleted.index, day, first_depleted)
    ]
    return day, reasons

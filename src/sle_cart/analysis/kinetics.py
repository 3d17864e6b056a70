"""CAR T cell expansion (Fig. 1a) and B-cell depletion (Fig. 1b)."""

from __future__ import annotations

import pandas as pd

from .visits import baseline, is_below, quantified


def car_t_kinetics(ds) -> pd.DataFrame:
    """Per patient: Cmax (cells/µL), Tmax (day), AUC(0-28) (cells/µL × day), last detectable day.

    - Peak: the highest car_t value on days 0..window; Tmax is the first day it is reached.
    - AUC: linear trapezoidal rule over the sampled days 0..28; censored values
      (below the assay limit) count as 0 and no value is extrapolated.
    - Last detectable day: the last day 0..window with a quantified (uncensored) value > 0.

    Patients without car_t rows get missing values.
    """
    d = ds.definitions
    s = ds.series("car_t")
    s = s[(s["day"] >= 0) & (s["day"] <= d.kinetics_window_days)].copy()
    s["q"] = quantified(s)
    ids = pd.Index(ds.patients["patient_id"], name="patient_id")
    out = pd.DataFrame(index=ids)
    g = s.groupby("patient_id", sort=False)
    cmax = g["q"].max()
    out["cmax_cells_per_uL"] = cmax.reindex(ids)
    # rows are sorted by day within patient, so the first row at the maximum is the first day
    at_max = s[s["q"] == s["patient_id"].map(cmax)]
    out["tmax_day"] = at_max.groupby("patient_id", sort=False)["day"].first().reindex(ids).astype("Int64")
    w = s[s["day"] <= d.auc_window_days].copy()
    nxt = w.groupby("patient_id", sort=False)[["day", "q"]].shift(-1)
    w["segment"] = (nxt["day"] - w["day"]) * (nxt["q"] + w["q"]) / 2  # trapezoid to the next sample
    n_pts = w.groupby("patient_id", sort=False)["day"].size()
    auc = w.groupby("patient_id", sort=False)["segment"].sum(min_count=1)
    out["auc_0_28_cells_day_per_uL"] = auc.where(n_pts > 1).reindex(ids).astype(float)
    det = s[(~s["censored"]) & (s["value"] > 0)]
    out["last_detectable_day"] = (
        det.groupby("patient_id", sort=False)["day"].max().reindex(ids).astype("Int64")
    )
    return out


def bcell_depletion(ds) -> pd.DataFrame:
    """Per patient: baseline CD19+ B cells/µL, first depleted day, depleted by each day of interest.

    Depleted: a cd19_b value below the threshold (default 5 cells/µL) on some day
    0..d; a censored ``<L`` counts as below when L <= threshold.
    """
    d = ds.definitions
    s = ds.series("cd19_b")
    base = baseline(s)["value"]
    post = s[s["day"] >= 0].copy()
    post["below"] = is_below(post["value"], post["censored"], d.bcell_depletion_below)
    first = post[post["below"]].groupby("patient_id")["day"].min()
    out = pd.DataFrame(index=pd.Index(ds.patients["patient_id"], name="patient_id"))
    out["baseline_cells_per_uL"] = base.reindex(out.index)
    out["first_depleted_day"] = first.reindex(out.index).astype("Int64")
    has_data = out.index.isin(post["patient_id"])
    for day in d.bcell_depletion_days:
        col = (out["first_depleted_day"] <= day).fillna(False).astype("boolean")
        out[f"depleted_by_day{day}"] = col.where(has_data, pd.NA)
    return out

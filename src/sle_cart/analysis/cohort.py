"""Who was treated: baseline characteristics (Table 1) and follow-up."""

from __future__ import annotations

import pandas as pd

from .visits import baseline


def baseline_values(ds) -> pd.DataFrame:
    """One row per patient: patients columns, dose per kg and baseline labs.

    ``dose_per_kg`` is in units of 10^6 CAR+ T cells per kg.  Baseline lab
    values that are censored carry a '<' in the ``<analyte>_censored`` column.
    """
    p = ds.patients.set_index("patient_id")
    # the exact companions serve verdicts; this table shows (and downloads) the values themselves
    out = p.drop(columns=[c for c in p.columns if c.endswith("_exact")])
    out["dose_per_kg"] = p["dose_cells"].astype(float) / p["weight_kg"].astype(float) / 1e6
    for analyte in ("sledai_2k", "urine_protein_24h", "anti_dsdna", "c3", "c4", "cd19_b"):
        b = baseline(ds.series(analyte))
        out[f"baseline:{analyte}"] = b["value"].reindex(out.index).astype("Float64")
        out[f"baseline:{analyte}:censored"] = b["censored"].reindex(out.index).fillna(False).astype(bool)
    return out


def follow_up(ds) -> pd.Series:
    """Follow-up per patient in months (patients.follow_up_months), exact: fractions, None where not recorded.

    Exact because claims round it: '5.4999999999999999999' months is not 5.5.
    """
    return ds.patients.set_index("patient_id")["follow_up_months_exact"]

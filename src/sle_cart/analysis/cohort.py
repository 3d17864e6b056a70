"""Who was treated: baseline characteristics (Table 1) and follow-up."""

from __future__ import annotations

import pandas as pd

from .stats import fmt, fmt_median_range, fmt_n_pct
from .visits import baseline

#: Table 1 rows: (label, source, unit, decimals); source is a patients column or
#: ``baseline:<analyte>``.
TABLE1_ROWS = [
    ("Age", "age_years", "years", 0),
    ("Disease duration", "disease_duration_years", "years", 1),
    ("Weight", "weight_kg", "kg", 1),
    ("CAR T dose", "dose_per_kg", "×10⁶ cells/kg", 2),
    ("Prior therapy lines", "prior_therapy_lines", "n", 0),
    ("Lupus nephritis", "lupus_nephritis", None, None),
    ("Follow-up", "follow_up_months", "months", 1),
    ("SLEDAI-2K", "baseline:sledai_2k", "points", 0),
    ("24-h urine protein", "baseline:urine_protein_24h", "g/24h", 2),
    ("Anti-dsDNA", "baseline:anti_dsdna", "IU/mL", 1),
    ("C3", "baseline:c3", "g/L", 2),
    ("C4", "baseline:c4", "g/L", 2),
    ("CD19+ B cells", "baseline:cd19_b", "cells/µL", 1),
]


def baseline_values(ds) -> pd.DataFrame:
    """One row per patient: patients columns, dose per kg and baseline labs.

    ``dose_per_kg`` is in units of 10^6 CAR+ T cells per kg.  Baseline lab
    values that are censored carry a '<' in the ``<analyte>_censored`` column.
    """
    p = ds.patients.set_index("patient_id")
    out = p.copy()
    out["dose_per_kg"] = p["dose_cells"].astype(float) / p["weight_kg"].astype(float) / 1e6
    for analyte in ("sledai_2k", "urine_protein_24h", "anti_dsdna", "c3", "c4", "cd19_b"):
        b = baseline(ds.series(analyte))
        out[f"baseline:{analyte}"] = b["value"].reindex(out.index).astype("Float64")
        out[f"baseline:{analyte}:censored"] = b["censored"].reindex(out.index).fillna(False).astype(bool)
    return out


def table1(ds) -> pd.DataFrame:
    """Table 1: one column per patient and a summary column.

    Continuous rows: median (range) of the non-missing values, n shown when
    values are missing.  Categorical rows: n/N (%).  Every value uses the
    project rounding rule at the row's stated decimals.
    """
    b = baseline_values(ds)
    ids = list(b.index)
    n = len(ids)
    rows = []

    def cat_row(label, mask):
        mask = mask.astype("boolean")
        known = mask.notna()
        rows.append(
            {
                "Characteristic": label,
                **{pid: ("–" if pd.isna(mask[pid]) else ("yes" if mask[pid] else "no")) for pid in ids},
                "Summary": fmt_n_pct(int(mask[known].sum()), int(known.sum())),
            }
        )

    rows.append(
        {
            "Characteristic": "Sex, female, n/N (%)",
            **{pid: b.at[pid, "sex"] for pid in ids},
            "Summary": fmt_n_pct(int((b["sex"] == "F").sum()), n),
        }
    )
    for label, col, unit, dec in TABLE1_ROWS:
        if unit is None:
            cat_row(f"{label}, n/N (%)", b[col])
            continue
        values = b[col].astype("Float64")
        cells = {}
        for pid in ids:
            v = values[pid]
            cens = bool(b.get(f"{col}:censored", pd.Series(False, index=b.index))[pid])
            cells[pid] = ("<" if cens else "") + fmt(None if pd.isna(v) else float(v), dec)
        missing = int(values.isna().sum())
        summary = fmt_median_range(values, dec)
        if missing:
            summary += f" [n={n - missing}; missing {missing}]"
        rows.append({"Characteristic": f"{label}, {unit}", **cells, "Summary": summary})
    cat_row("Prior therapy lines ≥ 2, n/N (%)", b["prior_therapy_lines"].astype("Float64") >= 2)
    cat_row("SLEDAI-2K ≥ 10, n/N (%)", b["baseline:sledai_2k"] >= 10)
    return pd.DataFrame(rows).set_index("Characteristic")


def follow_up(ds) -> pd.Series:
    """Follow-up per patient in months (patients.follow_up_months)."""
    return ds.patients.set_index("patient_id")["follow_up_months"].astype(float)

"""Who was treated: baseline characteristics (Table 1) and follow-up."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from .exact import missing
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


@dataclass(frozen=True)
class DoseLevel:
    """One dose group: its patients and, where the data fix it, its level.

    ``per_kg``: the level is CAR+ T cells per kg of body weight (every member got the same dose
    per kg), else a flat total (every member got the same number of cells).  ``cells`` is that
    level, exact; None when the group's doses follow neither rule.
    """

    group: str
    n: int
    per_kg: bool
    cells: Fraction | None


def dose_levels(ds) -> tuple[DoseLevel, ...]:
    """The dose levels, group by group in order of first appearance; empty without dose groups."""
    p = ds.patients
    if "dose_group" not in p.columns or p["dose_group"].isna().all():
        return ()
    out = []
    for group, rows in p.groupby("dose_group", sort=False):
        doses = [(d, w) for d, w in zip(rows["dose_cells_exact"], rows["weight_kg_exact"]) if not missing(d)]
        totals = {d for d, _ in doses}
        per_kg = {d / w for d, w in doses if not missing(w) and w}
        if len(totals) == 1 and (len(rows) > 1 or len(per_kg) != 1 or "kg" not in str(group)):
            out.append(DoseLevel(str(group), len(rows), False, totals.pop()))
        elif len(per_kg) == 1:
            out.append(DoseLevel(str(group), len(rows), True, per_kg.pop()))
        else:
            out.append(DoseLevel(str(group), len(rows), False, None))
    return tuple(out)

"""CRS and ICANS in the first weeks after infusion (ASTCT 2019 grading)."""

from __future__ import annotations

import pandas as pd


def adverse_events(ds) -> pd.DataFrame:
    """Every CRS/ICANS episode: patient, event, grade, onset and resolution day, duration (days)."""
    ae = ds.adverse_events.copy()
    ae = ae.sort_values(["patient_id", "event", "onset_day"]).reset_index(drop=True)
    ae["duration_days"] = (ae["resolution_day"] - ae["onset_day"]).astype("Int64")
    return ae[["patient_id", "event", "grade", "onset_day", "resolution_day", "duration_days"]]


def worst_grades(ds) -> pd.DataFrame:
    """Per patient: worst CRS grade and worst ICANS grade (0 = none)."""
    out = pd.DataFrame(index=pd.Index(ds.patients["patient_id"], name="patient_id"))
    ae = ds.adverse_events
    for event in ("CRS", "ICANS"):
        worst = ae[ae["event"] == event].groupby("patient_id")["grade"].max()
        out[f"worst_{event.lower()}_grade"] = worst.reindex(out.index).fillna(0).astype(int)
    return out


def safety_counts(ds) -> dict:
    """Patients by worst CRS grade (1, >= 2) and with any ICANS."""
    w = worst_grades(ds)
    return {
        "n_patients": len(w),
        "crs_grade1": int((w["worst_crs_grade"] == 1).sum()),
        "crs_grade2_plus": int((w["worst_crs_grade"] >= 2).sum()),
        "any_crs": int((w["worst_crs_grade"] >= 1).sum()),
        "icans": int((w["worst_icans_grade"] >= 1).sum()),
    }

"""CRS and ICANS in the first weeks after infusion (ASTCT 2019 grading), within the safety window.

Claims count episodes with onset on days 0..28 (``safety_window_days``; the
abstract's window).  Later episodes are listed and drawn, marked as outside
the window, and never counted.
"""

from __future__ import annotations

import pandas as pd


def adverse_events(ds) -> pd.DataFrame:
    """Every CRS/ICANS episode: patient, event, grade, onset, resolution, duration (days), in the window."""
    ae = ds.adverse_events.copy()
    ae = ae.sort_values(["patient_id", "event", "onset_day"]).reset_index(drop=True)
    ae["duration_days"] = (ae["resolution_day"] - ae["onset_day"]).astype("Int64")
    ae["in_window"] = (ae["onset_day"] <= ds.definitions.safety_window_days).astype(bool)
    return ae[["patient_id", "event", "grade", "onset_day", "resolution_day", "duration_days", "in_window"]]


def worst_grades(ds) -> pd.DataFrame:
    """Per patient: worst CRS and worst ICANS grade among episodes in the window (0 = none)."""
    out = pd.DataFrame(index=pd.Index(ds.patients["patient_id"], name="patient_id"))
    ae = adverse_events(ds)
    ae = ae[ae["in_window"]]
    for event in ("CRS", "ICANS"):
        worst = ae[ae["event"] == event].groupby("patient_id")["grade"].max()
        out[f"worst_{event.lower()}_grade"] = worst.reindex(out.index).fillna(0).astype(int)
    return out


def safety_counts(ds) -> dict:
    """Patients by worst CRS grade (1, >= 2), with any CRS or ICANS in the window, and episodes after it."""
    w = worst_grades(ds)
    ae = adverse_events(ds)
    return {
        "n_patients": len(w),
        "crs_grade1": int((w["worst_crs_grade"] == 1).sum()),
        "crs_grade2_plus": int((w["worst_crs_grade"] >= 2).sum()),
        "any_crs": int((w["worst_crs_grade"] >= 1).sum()),
        "icans": int((w["worst_icans_grade"] >= 1).sum()),
        "episodes_after_window": int((~ae["in_window"]).sum()),
        "window_days": int(ds.definitions.safety_window_days),
    }

"""Cells of the clinical tables: summaries that respect censoring, evaluability notes, dose groups."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from sle_cart.analysis.exact import maximum, median, minimum, observations

from .formatting import dose_label, num, precise, recorded, recorded_decimals

NE = "n.e."  # not evaluable: the statistic would rest on a value below the assay limit


def shown_value(value, decimals: int | None) -> str:
    """A value by its quantity's rule: ``decimals=None`` as recorded (measured), else at ``decimals`` (derived)."""
    return recorded(value) if decimals is None else num(value, decimals)


def column_decimals(values, decimals: int | None) -> int:
    """``decimals``, or for a measured quantity (None) the precision its values were recorded at."""
    return recorded_decimals(values) if decimals is None else decimals


def value_cell(value, decimals: int | None, censored: bool = False) -> str:
    """One patient's value: '<5' when below the assay limit, '–' when missing.

    ``decimals=None``: a measured value, shown as recorded (142, 35.3); a number: a derived
    one, at that many decimals.  Give it the exact value (a Fraction) where there is one: it
    is rounded as it is, not as a float.
    """
    if value is None or pd.isna(value):
        return "–"
    return ("<" if censored else "") + shown_value(value, decimals)


def _median_text(med, decimals: int | None) -> str:
    """A median by its quantity's rule; at fixed decimals, one that falls exactly halfway keeps its 5."""
    if med is None:
        return NE
    if decimals is None:
        return recorded(med)
    halfway = (Fraction(med) * 10**decimals).denominator == 2
    return precise(med, decimals, decimals + 1) if halfway else num(med, decimals)


def median_range(values: pd.Series, decimals: int | None, censored: pd.Series | None = None) -> str:
    """'median (min–max)', censoring-aware: a statistic resting on a censored value shows 'n.e.'.

    ``decimals`` as for :func:`value_cell`.  A median that falls exactly halfway between two
    shown places keeps its .5 ('8.5 (7–11)', '−37.5 (−38 to −38)'); any other median is shown
    like the values (a median 1032.4 of areas shown whole is 1032).
    """
    obs = observations(values, censored)
    if not obs:
        return "–"
    decimals = column_decimals(values, decimals)
    med, lo, hi = median(obs), minimum(obs), maximum(obs)
    med_text = _median_text(med, decimals)
    lo_text, hi_text = (NE if x is None else shown_value(x, decimals) for x in (lo, hi))
    sep = " to " if lo is not None and lo < 0 else "–"
    return f"{med_text} ({lo_text}{sep}{hi_text})"


def with_missing(text: str, values: pd.Series) -> str:
    """Append '[n=…; missing …]' when some patients have no value."""
    missing = int(values.isna().sum())
    return text + (f" [n={len(values) - missing}; missing {missing}]" if missing else "")


def not_evaluable_note(flags: pd.Series, reasons: pd.Series, what: str) -> str | None:
    """'Not evaluable for <what>: P3 (no sample on days 0–1); …', or None when everyone is evaluable."""
    missing = [f"{pid} ({reasons[pid]})" for pid in flags.index if pd.isna(flags[pid]) and reasons.get(pid)]
    return f"Not evaluable for {what}: " + "; ".join(missing) + "." if missing else None


def dose_groups(ds) -> dict[str, list[str]]:
    """Dose group as a reader reads it ('1×10⁶ cells/kg') -> patient ids, in order of first appearance;
    empty when the column is absent or blank.  The data keep their codes ('1e6/kg')."""
    p = ds.patients
    if "dose_group" not in p.columns or p["dose_group"].isna().all():
        return {}
    groups: dict[str, list[str]] = {}
    for pid, g in zip(p["patient_id"], p["dose_group"]):
        groups.setdefault("not recorded" if pd.isna(g) else dose_label(g), []).append(pid)
    return groups


def group_summary_rows(
    ds, per_patient: pd.DataFrame, columns: dict[str, tuple[str, int | None]]
) -> dict[str, dict]:
    """One 'Median (range), <group> (n = k)' row per dose group, for the given columns."""
    rows = {}
    for group, ids in dose_groups(ds).items():
        part = per_patient.loc[[i for i in ids if i in per_patient.index]]
        rows[f"Median (range), {group} (n = {len(part)})"] = {
            label: median_range(
                part[col], column_decimals(per_patient[col], dec), part.get(f"{col}_censored")
            )
            for col, (label, dec) in columns.items()
        }
    return rows

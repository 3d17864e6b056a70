"""The clinical tables of the cohort, CAR T kinetics, B-cell depletion and SLEDAI-2K.

Each function takes the dataset and returns a ``sle_cart.present.table.Table``
(the cells shown, the numeric data offered as CSV, and footnotes that state each
statistic and unit).  Names and titles are declared once, in
``sle_cart.present.registry``; the CSV is written by
:func:`sle_cart.present.publish.publish`.  Renal, serology and safety tables:
``outcome_tables``.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import pandas as pd

from sle_cart.analysis.findings import analyses_of
from sle_cart.analysis.outcomes import SLEDAI_ENTRY
from sle_cart.analysis.proportions import Proportion, flagged
from sle_cart.inputs.definitions import SLEDAI_2K_MAX

from .cells import (
    column_decimals,
    dose_groups,
    group_summary_rows,
    median_range,
    not_evaluable_note,
    value_cell,
    with_missing,
)
from .formatting import count_ci, count_pct, no_pair_reason, num, p_is, p_value, recorded, shift_text
from .table import Table

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

#: Table 1 rows: (label, column of cohort.baseline_values, unit, decimals: None = as recorded).
TABLE1_ROWS = [
    ("Age", "age_years", "years", None),
    ("Disease duration", "disease_duration_years", "years", None),
    ("Weight", "weight_kg", "kg", None),
    ("CAR T dose", "dose_per_kg", "×10⁶ cells/kg", 2),  # derived: dose / weight
    ("Prior therapy lines", "prior_therapy_lines", "n", None),
    ("Follow-up", "follow_up_months", "months", None),
    ("SLEDAI-2K", "baseline:sledai_2k", "points", None),
    ("24-h urine protein", "baseline:urine_protein_24h", "g/24h", None),
    ("Anti-dsDNA", "baseline:anti_dsdna", "IU/mL", None),
    ("C3", "baseline:c3", "g/L", None),
    ("C4", "baseline:c4", "g/L", None),
    ("CD19+ B cells", "baseline:cd19_b", "cells/µL", None),
]


def _yes_no(value) -> str:
    return "–" if pd.isna(value) else ("yes" if value else "no")


def _categorical(label: str, flags: pd.Series, ids: list[str], summary: Proportion | None = None) -> dict:
    """A yes/no row with ``summary``, the findings' count and interval; without one, a row the design
    fixed (entry criterion, dose allocation): its count, with no interval."""
    return {
        "Characteristic": label,
        **{p: _yes_no(flags.get(p)) for p in ids},
        "Summary": count_pct(*flagged(flags)) if summary is None else count_ci(summary),
    }


def table1_baseline(ds: Dataset) -> Table:
    """Table 1: baseline characteristics, one column per patient plus a summary column."""
    b = analyses_of(ds).baseline.copy()
    shares = analyses_of(ds).proportions
    ids, n = list(b.index), len(b)
    rows = [
        {
            "Characteristic": "Sex, female, n/N (%)",
            **dict(zip(ids, b["sex"])),
            "Summary": count_ci(shares["female"]),
        }
    ]
    for group, members in dose_groups(ds).items():
        in_group = pd.Series(b.index.isin(members), index=b.index).astype("boolean")
        rows.append(_categorical(f"Dose group {group}, n/N (%)", in_group, ids))
    for label, col, unit, dec in TABLE1_ROWS:
        dec = column_decimals(b[col], dec)
        cens = b.get(f"{col}:censored", pd.Series(False, index=b.index))
        cell = functools.lru_cache(maxsize=None)(value_cell)  # a large cohort repeats its values
        cells = dict(zip(ids, (cell(v, dec, bool(c)) for v, c in zip(b[col], cens))))
        summary = with_missing(median_range(b[col], dec, cens), b[col])
        rows.append({"Characteristic": f"{label}, {unit}", **cells, "Summary": summary})
    nephritis = b["lupus_nephritis"].astype("boolean")
    rows.append(_categorical("Lupus nephritis, n/N (%)", nephritis, ids, shares["lupus_nephritis"]))
    rows.append(
        _categorical(
            "Prior therapy lines ≥ 2, n/N (%)",
            (b["prior_therapy_lines"].astype("Float64") >= 2).astype("boolean"),
            ids,
        )
    )
    rows.append(
        _categorical(
            f"SLEDAI-2K ≥ {SLEDAI_ENTRY}, n/N (%)",
            (b["baseline:sledai_2k"] >= SLEDAI_ENTRY).astype("boolean"),
            ids,
        )
    )
    t = pd.DataFrame(rows).set_index("Characteristic")
    t.columns = [*t.columns[:-1], f"Summary (N = {n})"]
    return Table(
        t,
        [
            "Continuous rows: median (range) of the patients with a value; [n=…; missing …] gives the count "
            "used and the count missing. n.e.: not evaluable, the statistic would rest on a value below the assay limit.",
            "Categorical rows: n/N (%; exact Clopper–Pearson 95% CI), N = patients with a known value. "
            "Rows fixed by the trial's design (dose allocation; the entry criteria of refractory disease, at "
            "least two prior therapy lines, and active disease) give n/N (%) without an interval: the design, "
            "not chance, set them.",
            "Baseline: the last value on or before the day of infusion (day 0).",
            "CAR T dose per kg = total CAR+ T cells infused / body weight, in 10⁶ cells/kg.",
            "Units: age, disease duration in years; weight in kg; follow-up in months; SLEDAI-2K in points "
            f"(0–{SLEDAI_2K_MAX}); urine protein in g/24h; anti-dsDNA in IU/mL (Farr radioimmunoassay); C3 and C4 "
            "in g/L; CD19+ B cells in cells/µL. A value written '<x' was below the assay limit x.",
        ],
        data=b.drop(columns=[c for c in b if c.endswith(":censored")]),
    ).for_cohort(ds, summary_columns=[t.columns[-1]])


#: column -> (label, decimals): None = measured, shown as recorded; a number = derived, at that precision.
KINETICS_COLUMNS = {
    "cmax_cells_per_uL": ("Cmax (cells/µL)", None),
    "tmax_day": ("Tmax (day)", None),
    "auc_0_28_cells_day_per_uL": ("AUC₀₋₂₈ (cells/µL × day)", 0),
    "last_detectable_day": ("Last detectable (day)", None),
}


def _listing(per_patient: pd.DataFrame, columns: dict[str, tuple[str, int | None]]) -> pd.DataFrame:
    shown = pd.DataFrame(index=per_patient.index)
    for col, (label, dec) in columns.items():
        dec = column_decimals(per_patient[col], dec)
        cens = per_patient.get(f"{col}_censored", pd.Series(False, index=per_patient.index))
        shown[label] = [value_cell(v, dec, bool(c)) for v, c in zip(per_patient[col], cens)]
    return shown


def _summaries(ds, per_patient: pd.DataFrame, shown: pd.DataFrame, columns: dict) -> pd.DataFrame:
    """Append the cohort's median (range) row and one per dose group."""
    shown.loc[f"Median (range), N = {len(per_patient)}"] = {
        label: with_missing(
            median_range(per_patient[col], dec, per_patient.get(f"{col}_censored")), per_patient[col]
        )
        for col, (label, dec) in columns.items()
    }
    for row, cells in group_summary_rows(ds, per_patient, columns).items():
        shown.loc[row] = cells
    return shown


def kinetics_table(ds: Dataset) -> Table:
    """CAR T kinetics: Cmax, Tmax, AUC(0-28), last detectable day per patient and median (range)."""
    k = analyses_of(ds).kinetics.copy()
    shown = _summaries(ds, k, _listing(k, KINETICS_COLUMNS), KINETICS_COLUMNS)
    shown.index.name = "Patient"
    d = ds.definitions
    notes = [
        f"Cmax: highest quantified CAR+ T cell count on days 0–{d.kinetics_window_days}; Tmax: first day it was "
        "reached. A patient never above the assay limit is a non-expander: no Cmax or Tmax.",
        f"AUC₀₋₂₈: linear trapezoidal area over the sampled days 0–{d.auc_window_days}; for this descriptive "
        "measure only, values below the assay limit count as 0; nothing is extrapolated.",
        "Last detectable: last day with a quantified CAR+ T cell count.",
        "Summary rows: median (range) across patients, then by dose group.",
    ]
    note = not_evaluable_note(
        k["expander"].where(k["expander"].fillna(False).astype(bool)), k["reason"], "Cmax"
    )
    return Table(shown, [*notes, *([note] if note else [])], data=k).for_cohort(ds, 1 + len(dose_groups(ds)))


def bcell_table(ds: Dataset) -> Table:
    """B-cell depletion per patient: baseline count, first depleted day, depleted by the days of interest,
    first day back at or above the threshold."""
    b = analyses_of(ds).depletion.copy()
    d = ds.definitions
    shown = pd.DataFrame(index=b.index)
    for label, col in (
        ("Baseline (cells/µL)", "baseline_cells_per_uL"),
        ("First depleted day", "first_depleted_day"),
    ):
        places = column_decimals(b[col], None)  # once per column: per row it was quadratic in patients
        shown[label] = [value_cell(v, places) for v in b[col]]
    summary = {
        "Baseline (cells/µL)": median_range(b["baseline_cells_per_uL"], None),
        "First depleted day": median_range(b["first_depleted_day"], None),
    }
    notes = []
    for day in d.bcell_depletion_days:
        col, label = b[f"depleted_by_day{day}"], f"Depleted by day {day}"
        shown[label] = [_yes_no(v) for v in col]
        summary[label] = count_ci(analyses_of(ds).proportions[f"depleted_by_day{day}"])
        note = not_evaluable_note(col, b[f"reason_day{day}"], f"depletion by day {day}")
        notes += [note] if note else []
    back = f"Back to ≥{d.bcell_depletion_below:g} cells/µL from day"
    shown[back] = [value_cell(v, 0) for v in b["reconstitution_day"]]
    summary[back] = _back_summary(b)
    shown.loc[f"Summary, N = {len(b)}"] = summary
    shown.index.name = "Patient"
    return Table(
        shown,
        [
            f"Depleted by day d: CD19+ B cells below {d.bcell_depletion_below:g} cells/µL on some day from 0 to d; a "
            f"value below the assay limit counts when that limit is at most {d.bcell_depletion_below:g}, and is "
            "otherwise undecided. Denominator: patients with a decided value on days 0 to d.",
            f"Back from day: the first day after the first depleted day with CD19+ B cells at "
            f"{d.bcell_depletion_below:g} cells/µL or more (B-cell reconstitution); a value below an assay limit "
            f"above {d.bcell_depletion_below:g} cannot tell and does not count. – = no sample, never depleted, or "
            "not back by the last sample. Summary: patients back among those depleted, and the range of days.",
            "Summary row: median (range) for counts and days; n/N (%; exact 95% CI) for depletion.",
            *notes,
        ],
        data=b,
    ).for_cohort(ds)


def _back_summary(b: pd.DataFrame) -> str:
    """'3 of 6 depleted (days 120–150)': how many depleted patients were back, and when."""
    days = b["reconstitution_day"].dropna()
    depleted = int(b["first_depleted_day"].notna().sum())
    text = f"{len(days)} of {depleted} depleted"
    if len(days):
        lo, hi = int(days.min()), int(days.max())
        text += f" (day {lo})" if lo == hi else f" (days {lo}–{hi})"
    return text


def _change_footnote(ds, month: int) -> str:
    """The month-``month`` test and shift, as the findings hold them (the summary reads the same)."""
    t = analyses_of(ds).test(month)
    lead = f"Baseline vs month {month}: "
    if not t.n:
        return lead + no_pair_reason(t) + "."
    return (
        lead
        + f"{t.n} patients with a non-zero change ({t.n_zero} unchanged, dropped"
        + (f"; {t.n_censored} with a score below the assay limit, left out" if t.n_censored else "")
        + f"); W+ = {num(t.statistic, 1)}; {t.method}; {p_is(t.p)} "
        f"(the smallest p possible with n = {t.n} is {p_value(t.minimum_p)}). "
        f"Median change {recorded(t.median_change)} points; {shift_text(t)}."
    )


def sledai_table(ds: Dataset) -> Table:
    """SLEDAI-2K per patient at baseline, month 1 and month 3, changes, and the exact Wilcoxon tests."""
    v = analyses_of(ds).sledai.copy()
    for m in (1, 3):
        ok = (
            v["baseline"].notna()
            & v[f"month{m}"].notna()
            & ~v["baseline_censored"]
            & ~v[f"month{m}_censored"]
        )
        v[f"change{m}"] = (v[f"month{m}"] - v["baseline"]).where(ok)
        v[f"change{m}_censored"] = False
    cols = {
        "baseline": ("Baseline", None),
        "month1": ("Month 1", None),
        "month3": ("Month 3", None),
        "change1": ("Change at month 1", 0),
        "change3": ("Change at month 3", 0),
    }
    shown = _summaries(ds, v, _listing(v, cols), cols)
    shown.index.name = "Patient"
    d = ds.definitions
    return Table(
        shown,
        [
            f"SLEDAI-2K: 0–{SLEDAI_2K_MAX} points (Gladman et al., J Rheumatol 2002;29:288). Change = month − baseline.",
            f"Baseline: last score on or before day 0. Month k: the follow-up score (day ≥ 1) nearest to day 30·k "
            f"within ±{d.visit_window_days} days, the earlier day on a tie; – = no such visit.",
            "W+: the Wilcoxon signed-rank statistic, the sum of the ranks of |baseline − month| over the patients "
            "whose score fell (mid-ranks for ties; zero changes dropped).",
            _change_footnote(ds, 1),
            _change_footnote(ds, 3),
            "Summary rows: median (range), then by dose group.",
        ],
        data=v,
    ).for_cohort(ds, 1 + len(dose_groups(ds)))

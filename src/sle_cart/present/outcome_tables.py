"""The clinical tables of renal response, anti-dsDNA and complement, and CRS/ICANS.

Each lists the patients who were not evaluable and why, and gives counts as
n/N (%; exact 95% CI) over the evaluable patients (data contract v2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sle_cart.analysis import renal
from sle_cart.analysis.findings import analyses_of
from sle_cart.analysis.proportions import SAFETY_ROWS

from .cells import column_decimals, median_range, not_evaluable_note, value_cell
from .formatting import count_ci, num
from .table import Table

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset


def _yes_no(value) -> str:
    return "–" if pd.isna(value) else ("yes" if value else "no")


def renal_table(ds: Dataset) -> Table:
    """Renal response per patient with lupus nephritis, with the counts by category."""
    r = analyses_of(ds).renal.copy()
    d = ds.definitions
    shown = pd.DataFrame(index=r.index)
    # shown from the exact values: a float would round -37.5 % (0.88 to 0.55 g/24h) to -37
    for label, col in (("Baseline (g/24h)", "baseline"), ("Last (g/24h)", "last")):
        dec = column_decimals(r[f"{col}_exact"], None)
        shown[label] = [value_cell(v, dec, c) for v, c in zip(r[f"{col}_exact"], r[f"{col}_censored"])]
    shown["Day of last"] = [value_cell(v, 0) for v in r["last_day"]]
    shown["Change (%)"] = [value_cell(v, 0) for v in r["change_pct_exact"]]
    shown["Renal response"] = r["response"]
    counts, shares = analyses_of(ds).renal_counts, analyses_of(ds).proportions
    n = counts["evaluable"]
    shown.loc[f"Summary, {n} evaluable of {len(r)}"] = [
        median_range(r["baseline_exact"], None, r["baseline_censored"]),
        median_range(r["last_exact"], None, r["last_censored"]),
        median_range(r["last_day"], None),
        median_range(r["change_pct_exact"], 0),
        "; ".join(f"{c} {count_ci(shares[f'renal_{c}'])}" for c in renal.CATEGORIES),
    ]
    shown.index.name = "Patient"
    flags = r["response"].where(r["response"] != renal.NOT_EVALUABLE)
    note = not_evaluable_note(flags, r["reason"], "renal response")
    return Table(
        shown,
        [
            f"Evaluable: lupus nephritis, baseline 24-h urine protein at or above {d.renal_complete_below_g24h:g} g/24h "
            "(active proteinuria) and a value after infusion; complete + partial + none = evaluable.",
            f"At the last value after infusion. Complete: below {d.renal_complete_below_g24h:g} g/24h. Partial: not "
            f"complete, at most {num(100 * (1 - d.renal_partial_min_reduction), 0)}% of baseline and below "
            f"{d.renal_partial_below_g24h:g} g/24h. None: every other evaluable patient (after KDIGO 2024).",
            "eGFR is not in the data, so the kidney-function criterion of KDIGO and EULAR/ERA-EDTA is not applied.",
            "Summary row: median (range); categories as n/N (%; exact 95% CI), N = evaluable patients.",
            *([note] if note else []),
        ],
        data=r.drop(columns=["baseline_exact", "last_exact", "change_pct_exact"]),  # fractions: not for a CSV
    ).for_cohort(ds)


def serology_table(ds: Dataset) -> Table:
    """Anti-dsDNA conversion and complement normalisation per patient."""
    s, c = analyses_of(ds).dsdna.copy(), analyses_of(ds).complement.copy()
    shares = analyses_of(ds).proportions
    d = ds.definitions
    uln = ds.reference_range("anti_dsdna")[1]
    lo3, lo4 = ds.reference_range("c3")[0], ds.reference_range("c4")[0]
    norm = c[f"normal_by_day{d.complement_normal_by_day}"]
    shown = pd.DataFrame(index=s.index)
    for label, col in (("Anti-dsDNA baseline (IU/mL)", "baseline"), ("Anti-dsDNA last (IU/mL)", "last")):
        dec = column_decimals(s[f"{col}_IU_per_mL"], None)
        shown[label] = [value_cell(v, dec, x) for v, x in zip(s[f"{col}_IU_per_mL"], s[f"{col}_censored"])]
    shown["Converted negative"] = [_yes_no(v) for v in s["converted_negative"]]
    shown["C3 / C4 low at baseline"] = [_yes_no(v) for v in c["low_at_baseline"]]
    shown[f"C3 and C4 normal by day {d.complement_normal_by_day}"] = [_yes_no(v) for v in norm]
    shown["First normal day"] = [value_cell(v, 0) for v in c["first_normal_day"]]
    shown.loc[f"Summary, N = {len(s)}"] = [
        median_range(s["baseline_IU_per_mL"], None, s["baseline_censored"]),
        median_range(s["last_IU_per_mL"], None, s["last_censored"]),
        *(
            count_ci(shares[k])
            for k in ("dsdna_converted_negative", "complement_low_at_baseline", "complement_normal")
        ),
        median_range(c["first_normal_day"], 0),
    ]
    shown.index.name = "Patient"
    notes = [
        not_evaluable_note(s["converted_negative"], s["reason"], "anti-dsDNA conversion"),
        not_evaluable_note(norm, c["reason"], "complement normalisation"),
    ]
    return Table(
        shown,
        [
            f"Converted negative: positive at baseline (at or above the upper limit of normal, {uln} IU/mL) and the "
            "last value after infusion below it. Denominator: patients positive at baseline whose last value can be "
            "compared with the limit.",
            f"Complement normal: C3 ≥ {lo3} g/L and C4 ≥ {lo4} g/L on the same day, on some day from 1 to "
            f"{d.complement_normal_by_day}. Denominator: patients with such a day on which both were measured and "
            "the comparison is decided.",
            "Reference ranges come from dataset.yml (laboratory-specific). Summary row: median (range); n/N (%; "
            "exact 95% CI).",
            *[n for n in notes if n],
        ],
        data=s.join(c, suffixes=("_dsdna", "_complement")),
    ).for_cohort(ds)


def safety_table(ds: Dataset) -> Table:
    """Every CRS and ICANS episode (inside or after the window), and the patients by worst grade."""
    ae = analyses_of(ds).adverse_events.copy()
    counts, shares = analyses_of(ds).safety, analyses_of(ds).proportions
    n, window = counts["n_patients"], counts["window_days"]
    shown = pd.DataFrame(
        {
            "Patient": ae["patient_id"],
            "Event": ae["event"],
            "ASTCT grade": ae["grade"].astype(str),
            "Onset (day)": ae["onset_day"].astype(str),
            "Resolution (day)": ae["resolution_day"].astype("string").fillna("ongoing"),
            "Duration (days)": ae["duration_days"].astype("string").fillna("–"),
            "Counted": ["yes" if w else f"no: after day {window}" for w in ae["in_window"]],
        }
    ).set_index("Patient")
    shown = shown.astype(object)  # text cells: with no episodes the empty columns would be numbers
    labels = ("Worst CRS grade 1", "Worst CRS grade ≥ 2", "Any ICANS")
    for label, key in zip(labels, SAFETY_ROWS, strict=True):
        shown.loc[f"{label}, n/N (%)"] = [count_ci(shares[key]), "", "", "", "", ""]
    whose = "the abstract's" if ds.publication is None else "the"  # a dataset's own publication may differ
    return Table(
        shown,
        [
            "Grades: ASTCT consensus (Lee et al., Biol Blood Marrow Transplant 2019;25:625).",
            f"Counted: episodes with onset on days 0–{window} ({whose} safety window); later episodes are "
            f"listed and drawn but not counted ({counts['episodes_after_window']} here).",
            "Onset and resolution: days since infusion; 'ongoing' = no resolution day recorded.",
            f"Counts: patients by their worst counted grade, n/N (%; exact 95% CI), N = {n} treated patients "
            "(no episode recorded means none occurred).",
        ],
        data=ae,
    ).for_cohort(ds, summary_rows=3)

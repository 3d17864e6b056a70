"""The 39 numbers abstract 0647 states: id, label, statement, unit, value as printed, and how to recompute it.

Ids and printed values are the data contract's claims table; ids are for
machines, and a reader sees each claim by its label (``labels.LABELS``: heat map
rows, lists of claims in prose) or its statement (the ledger).  Statements are
templates over the definitions in force (``{d.bcell_depletion_below:g}``), so a
dataset that changes a threshold or a window is described as it was analysed.
"""

from __future__ import annotations

from dataclasses import replace

from . import outcomes as o
from .claims import Claim
from .labels import LABELS


def _stat(frame: str, col: str, which: str):
    # a number column's exact companion when it has one: the float may have rounded its decimal text
    return lambda r: o.column_stat(getattr(r, frame).get(f"{col}_exact", getattr(r, frame)[col]), which)


P, N = "patients", "table1"
CLAIMS: list[Claim] = [
    Claim("n_patients", "Patients treated", P, "6", lambda r: o.sex(r, None), N),
    Claim("n_female", "Women", P, "3", lambda r: o.sex(r, "F"), N),
    Claim("n_male", "Men", P, "3", lambda r: o.sex(r, "M"), N),
    Claim("age_median", "Age, median", "years", "37", _stat("patients", "age_years", "median"), N),
    Claim("age_min", "Age, minimum", "years", "19", _stat("patients", "age_years", "min"), N),
    Claim("age_max", "Age, maximum", "years", "43", _stat("patients", "age_years", "max"), N),
    Claim(
        "disease_duration_median",
        "Disease duration, median",
        "years",
        "9.5",
        _stat("patients", "disease_duration_years", "median"),
        N,
    ),
    Claim(
        "disease_duration_min",
        "Disease duration, minimum",
        "years",
        "3",
        _stat("patients", "disease_duration_years", "min"),
        N,
    ),
    Claim(
        "disease_duration_max",
        "Disease duration, maximum",
        "years",
        "14",
        _stat("patients", "disease_duration_years", "max"),
        N,
    ),
    Claim("n_sledai_baseline_ge_10", "Patients with baseline SLEDAI-2K ≥ 10", P, "6", o.sledai_at_entry, N),
    Claim("n_prior_lines_ge_2", "Patients with ≥ 2 prior therapy lines", P, "6", o.prior_lines, N),
    Claim(
        "follow_up_median",
        "Follow-up, median",
        "months",
        "5.5",
        lambda r: o.column_stat(r.follow_up, "median"),
        N,
    ),
    Claim(
        "follow_up_min", "Follow-up, minimum", "months", "4", lambda r: o.column_stat(r.follow_up, "min"), N
    ),
    Claim(
        "follow_up_max", "Follow-up, maximum", "months", "7", lambda r: o.column_stat(r.follow_up, "max"), N
    ),
    Claim(
        "car_t_peak_median",
        "Peak CAR+ T cells (days 0–{d.kinetics_window_days}), median",
        "cells/µL",
        "188.1",
        lambda r: o.car_t_peak(r, "median"),
        "fig1a",
    ),
    Claim(
        "car_t_peak_day_median",
        "Day of peak CAR+ T cells, median",
        "day",
        "8.5",
        _stat("kinetics", "tmax_day", "median"),
        "fig1a",
    ),
    Claim(
        "car_t_peak_day_min",
        "Day of peak CAR+ T cells, minimum",
        "day",
        "7",
        _stat("kinetics", "tmax_day", "min"),
        "fig1a",
    ),
    Claim(
        "car_t_peak_day_max",
        "Day of peak CAR+ T cells, maximum",
        "day",
        "11",
        _stat("kinetics", "tmax_day", "max"),
        "fig1a",
    ),
    Claim(
        "n_bcell_depleted_by_day1",
        "Patients with CD19+ B cells < {d.bcell_depletion_below:g}/µL by day 1",
        P,
        "5",
        lambda r: o.count(r.depletion["depleted_by_day1"]),
        "fig1b",
    ),
    Claim(
        "n_bcell_depleted_by_day4",
        "Patients with CD19+ B cells < {d.bcell_depletion_below:g}/µL by day 4",
        P,
        "6",
        lambda r: o.count(r.depletion["depleted_by_day4"]),
        "fig1b",
    ),
    Claim(
        "sledai_baseline_median",
        "SLEDAI-2K at baseline, median",
        "points",
        "12",
        lambda r: o.sledai(r, "baseline", "median"),
        "fig2a",
    ),
    Claim(
        "sledai_baseline_min",
        "SLEDAI-2K at baseline, minimum",
        "points",
        "10",
        lambda r: o.sledai(r, "baseline", "min"),
        "fig2a",
    ),
    Claim(
        "sledai_baseline_max",
        "SLEDAI-2K at baseline, maximum",
        "points",
        "24",
        lambda r: o.sledai(r, "baseline", "max"),
        "fig2a",
    ),
    Claim(
        "sledai_m1_median",
        "SLEDAI-2K at month 1 (day 30 ± {d.visit_window_days}), median",
        "points",
        "5.5",
        lambda r: o.sledai(r, "month1", "median"),
        "fig2a",
    ),
    Claim(
        "sledai_m1_min",
        "SLEDAI-2K at month 1, minimum",
        "points",
        "4",
        lambda r: o.sledai(r, "month1", "min"),
        "fig2a",
    ),
    Claim(
        "sledai_m1_max",
        "SLEDAI-2K at month 1, maximum",
        "points",
        "13",
        lambda r: o.sledai(r, "month1", "max"),
        "fig2a",
    ),
    Claim(
        "sledai_m3_median",
        "SLEDAI-2K at month 3 (day 90 ± {d.visit_window_days}), median",
        "points",
        "5.0",
        lambda r: o.sledai(r, "month3", "median"),
        "fig2a",
    ),
    Claim(
        "sledai_m3_min",
        "SLEDAI-2K at month 3, minimum",
        "points",
        "2",
        lambda r: o.sledai(r, "month3", "min"),
        "fig2a",
    ),
    Claim(
        "sledai_m3_max",
        "SLEDAI-2K at month 3, maximum",
        "points",
        "10",
        lambda r: o.sledai(r, "month3", "max"),
        "fig2a",
    ),
    Claim(
        "sledai_m3_p_value",
        "SLEDAI-2K baseline vs month 3, two-sided Wilcoxon signed-rank p",
        "p",
        "<0.05",
        o.p_value,
        "fig2a",
    ),
    Claim(
        "n_renal_complete",
        "Complete renal response (last urine protein < {d.renal_complete_below_g24h:g} g/24h)",
        P,
        "2",
        lambda r: o.renal_count(r, "complete"),
        "fig2b",
    ),
    Claim(
        "n_renal_partial", "Partial renal response", P, "1", lambda r: o.renal_count(r, "partial"), "fig2b"
    ),
    Claim("n_renal_no_response", "No renal response", P, "3", lambda r: o.renal_count(r, "none"), "fig2b"),
    Claim(
        "renal_response_rate",
        "Renal response rate among evaluable patients with lupus nephritis",
        "proportion",
        "0.5",
        o.renal_rate,
        "fig2b",
    ),
    Claim(
        "n_dsdna_negative",
        "Anti-dsDNA negative conversion (positive at baseline)",
        P,
        "3",
        lambda r: o.count(r.dsdna["converted_negative"]),
        "fig2c",
    ),
    Claim(
        "n_complement_normal_by_day60",
        "C3 and C4 normal within {d.complement_normal_by_day} days",
        P,
        "6",
        o.complement,
        "fig2d",
    ),
    Claim(
        "n_crs_grade1",
        "Worst CRS grade 1 (onset day 0–{d.safety_window_days})",
        P,
        "4",
        lambda r: o.safety_count(r, "crs_grade1"),
        "safety",
    ),
    Claim(
        "n_crs_grade2_plus",
        "Worst CRS grade ≥ 2 (onset day 0–{d.safety_window_days})",
        P,
        "0",
        lambda r: o.safety_count(r, "crs_grade2_plus"),
        "safety",
    ),
    Claim(
        "n_icans",
        "Any ICANS (onset day 0–{d.safety_window_days})",
        P,
        "0",
        lambda r: o.safety_count(r, "icans"),
        "safety",
    ),
]

CLAIMS = [replace(c, label=LABELS[c.id]) for c in CLAIMS]

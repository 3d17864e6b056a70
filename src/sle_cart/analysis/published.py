"""The claim catalogue: the 39 numbers abstract 0647 states, each with its id, label, statement and computation.

Ids and units are the data contract's claims table (``inputs.publication_schema``);
the published values are not here but in the publication in force
(:mod:`.publications`: a dataset's publication.yml, or abstract 0647).  Ids are for
machines, and a reader sees each claim by its label (``labels.LABELS``: heat map
rows, lists of claims in prose) or its statement (the ledger).  Statements are
templates over the definitions in force (``{d.bcell_depletion_below:g}``), so a
dataset that changes a threshold or a window is described as it was analysed.
"""

from __future__ import annotations

from dataclasses import replace

from sle_cart.inputs.publication_schema import CLAIM_UNITS

from . import outcomes as o
from .claims import Claim
from .labels import LABELS


def _stat(frame: str, col: str, which: str):
    # a number column's exact companion when it has one: the float may have rounded its decimal text
    return lambda r: o.column_stat(getattr(r, frame).get(f"{col}_exact", getattr(r, frame)[col]), which)


N = "table1"
CLAIMS: list[Claim] = [
    Claim("n_patients", "Patients treated", lambda r: o.sex(r, None), N),
    Claim("n_female", "Women", lambda r: o.sex(r, "F"), N),
    Claim("n_male", "Men", lambda r: o.sex(r, "M"), N),
    Claim("age_median", "Age, median", _stat("patients", "age_years", "median"), N),
    Claim("age_min", "Age, minimum", _stat("patients", "age_years", "min"), N),
    Claim("age_max", "Age, maximum", _stat("patients", "age_years", "max"), N),
    Claim(
        "disease_duration_median",
        "Disease duration, median",
        _stat("patients", "disease_duration_years", "median"),
        N,
    ),
    Claim(
        "disease_duration_min",
        "Disease duration, minimum",
        _stat("patients", "disease_duration_years", "min"),
        N,
    ),
    Claim(
        "disease_duration_max",
        "Disease duration, maximum",
        _stat("patients", "disease_duration_years", "max"),
        N,
    ),
    Claim("n_sledai_baseline_ge_10", "Patients with baseline SLEDAI-2K ≥ 10", o.sledai_at_entry, N),
    Claim("n_prior_lines_ge_2", "Patients with ≥ 2 prior therapy lines", o.prior_lines, N),
    Claim("follow_up_median", "Follow-up, median", lambda r: o.column_stat(r.follow_up, "median"), N),
    Claim("follow_up_min", "Follow-up, minimum", lambda r: o.column_stat(r.follow_up, "min"), N),
    Claim("follow_up_max", "Follow-up, maximum", lambda r: o.column_stat(r.follow_up, "max"), N),
    Claim(
        "car_t_peak_median",
        "Peak CAR+ T cells (days 0–{d.kinetics_window_days}), median",
        lambda r: o.car_t_peak(r, "median"),
        "fig1a",
    ),
    Claim(
        "car_t_peak_day_median",
        "Day of peak CAR+ T cells, median",
        _stat("kinetics", "tmax_day", "median"),
        "fig1a",
    ),
    Claim(
        "car_t_peak_day_min",
        "Day of peak CAR+ T cells, minimum",
        _stat("kinetics", "tmax_day", "min"),
        "fig1a",
    ),
    Claim(
        "car_t_peak_day_max",
        "Day of peak CAR+ T cells, maximum",
        _stat("kinetics", "tmax_day", "max"),
        "fig1a",
    ),
    Claim(
        "n_bcell_depleted_by_day1",
        "Patients with CD19+ B cells < {d.bcell_depletion_below:g}/µL by day 1",
        lambda r: o.count(r.depletion["depleted_by_day1"]),
        "fig1b",
    ),
    Claim(
        "n_bcell_depleted_by_day4",
        "Patients with CD19+ B cells < {d.bcell_depletion_below:g}/µL by day 4",
        lambda r: o.count(r.depletion["depleted_by_day4"]),
        "fig1b",
    ),
    Claim(
        "sledai_baseline_median",
        "SLEDAI-2K at baseline, median",
        lambda r: o.sledai(r, "baseline", "median"),
        "fig2a",
    ),
    Claim(
        "sledai_baseline_min",
        "SLEDAI-2K at baseline, minimum",
        lambda r: o.sledai(r, "baseline", "min"),
        "fig2a",
    ),
    Claim(
        "sledai_baseline_max",
        "SLEDAI-2K at baseline, maximum",
        lambda r: o.sledai(r, "baseline", "max"),
        "fig2a",
    ),
    Claim(
        "sledai_m1_median",
        "SLEDAI-2K at month 1 (day 30 ± {d.visit_window_days}), median",
        lambda r: o.sledai(r, "month1", "median"),
        "fig2a",
    ),
    Claim("sledai_m1_min", "SLEDAI-2K at month 1, minimum", lambda r: o.sledai(r, "month1", "min"), "fig2a"),
    Claim("sledai_m1_max", "SLEDAI-2K at month 1, maximum", lambda r: o.sledai(r, "month1", "max"), "fig2a"),
    Claim(
        "sledai_m3_median",
        "SLEDAI-2K at month 3 (day 90 ± {d.visit_window_days}), median",
        lambda r: o.sledai(r, "month3", "median"),
        "fig2a",
    ),
    Claim("sledai_m3_min", "SLEDAI-2K at month 3, minimum", lambda r: o.sledai(r, "month3", "min"), "fig2a"),
    Claim("sledai_m3_max", "SLEDAI-2K at month 3, maximum", lambda r: o.sledai(r, "month3", "max"), "fig2a"),
    Claim(
        "sledai_m3_p_value",
        "SLEDAI-2K baseline vs month 3, two-sided Wilcoxon signed-rank p",
        o.p_value,
        "fig2a",
    ),
    Claim(
        "n_renal_complete",
        "Complete renal response (last urine protein < {d.renal_complete_below_g24h:g} g/24h)",
        lambda r: o.renal_count(r, "complete"),
        "fig2b",
    ),
    Claim("n_renal_partial", "Partial renal response", lambda r: o.renal_count(r, "partial"), "fig2b"),
    Claim("n_renal_no_response", "No renal response", lambda r: o.renal_count(r, "none"), "fig2b"),
    Claim(
        "renal_response_rate",
        "Renal response rate among evaluable patients with lupus nephritis",
        o.renal_rate,
        "fig2b",
    ),
    Claim(
        "n_dsdna_negative",
        "Anti-dsDNA negative conversion (positive at baseline)",
        lambda r: o.count(r.dsdna["converted_negative"]),
        "fig2c",
    ),
    Claim(
        "n_complement_normal_by_day60",
        "C3 and C4 normal within {d.complement_normal_by_day} days",
        o.complement,
        "fig2d",
    ),
    Claim(
        "n_crs_grade1",
        "Worst CRS grade 1 (onset day 0–{d.safety_window_days})",
        lambda r: o.safety_count(r, "crs_grade1"),
        "safety",
    ),
    Claim(
        "n_crs_grade2_plus",
        "Worst CRS grade ≥ 2 (onset day 0–{d.safety_window_days})",
        lambda r: o.safety_count(r, "crs_grade2_plus"),
        "safety",
    ),
    Claim(
        "n_icans",
        "Any ICANS (onset day 0–{d.safety_window_days})",
        lambda r: o.safety_count(r, "icans"),
        "safety",
    ),
]

CLAIMS = [replace(c, label=LABELS[c.id], unit=CLAIM_UNITS[c.id]) for c in CLAIMS]

"""Seeded reconstruction of patient-level data consistent with abstract 0647.

The trial's individual data are not public.  This module writes a dataset whose
summary statistics equal every number the abstract states (checked by
:func:`sle_cart.analysis.claims.evaluate` before anything is written).  It is a
reconstruction: one of many datasets consistent with the publication, not the
trial's data.

How it is built
---------------
* Anchors: per-patient values that the published statistics pin down (ages,
  durations, follow-up, peak CAR T levels and days, SLEDAI-2K at the three
  visits, renal, anti-dsDNA and complement end points) are chosen by hand to
  give exactly the published medians, ranges and counts.
* SLEDAI-2K totals are composed from named SLEDAI-2K descriptors (Gladman 2002
  weights) that agree with the labs of the same visit: *proteinuria* when urine
  protein > 0.5 g/24h, *low complement* when C3 or C4 is below its lower limit,
  *increased DNA binding* when anti-dsDNA is at or above its upper limit.
* Everything in between (CAR T expansion and contraction, monthly labs between
  anchors) follows simple kinetic models with seeded multiplicative noise.
* Dose follows the trial registry (NCT06513429): 1×10^6 cells/kg for patients
  1-3, a flat 1×10^8 cells for patients 4-6.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np

SEED = 647
NAME = "im19-sle"
LLOQ_CAR_T = 0.5  # cells/µL, flow cytometry limit written as "<0.5"
LLOQ_B = 1.0  # cells/µL, written as "<1"

#: Patient anchors.  peak = (day, CAR+ T cells/µL).  sledai = descriptors at
#: baseline (day -5), month 1 (day 30) and month 3 (day 90).
PATIENTS = [
    dict(
        id="P1",
        sex="F",
        age=28,
        duration=6,
        weight=52.0,
        lines=3,
        fu=7,
        peak=(8, 226.0),
        crs=(1, 1, 3),
        sledai=(
            ["proteinuria", "low_complement", "increased_dna_binding", "alopecia", "rash"],
            ["proteinuria", "alopecia"],
            ["alopecia"],
        ),
        urine={-5: 2.80, 30: 0.90, 60: 0.60, 90: 0.42, "last": 0.28},
        dsdna={-5: 86.0, 14: 21.0, 30: 6.2, 60: 5.0, 90: 4.1, "last": 3.5},
        c3={-5: 0.52, 14: 0.78, 30: 0.95, 60: 1.05, 90: 1.10, "last": 1.12},
        c4={-5: 0.07, 14: 0.12, 30: 0.18, 60: 0.21, 90: 0.22, "last": 0.24},
        b={-5: 142.0, 1: 2.1, 4: "<1", "reconstitution": [6.5, 22.0, 48.0, 75.0]},
    ),
    dict(
        id="P2",
        sex="M",
        age=19,
        duration=3,
        weight=68.0,
        lines=2,
        fu=6,
        peak=(7, 96.3),
        crs=None,
        sledai=(
            ["proteinuria", "low_complement", "increased_dna_binding", "rash"],
            ["increased_dna_binding", "rash"],
            ["increased_dna_binding", "rash"],
        ),
        urine={-5: 1.60, 30: 0.45, 60: 0.38, 90: 0.31, "last": 0.22},
        dsdna={-5: 45.0, 14: 30.0, 30: 22.0, 60: 18.0, 90: 15.0, "last": 12.0},
        c3={-5: 0.61, 14: 0.85, 30: 0.98, 60: 1.02, 90: 1.08, "last": 1.10},
        c4={-5: 0.09, 14: 0.15, 30: 0.19, 60: 0.20, 90: 0.22, "last": 0.23},
        b={-5: 88.0, 1: "<1", 4: "<1", "reconstitution": [3.2, 15.0, 36.0]},
    ),
    dict(
        id="P3",
        sex="F",
        age=41,
        duration=10,
        weight=58.0,
        lines=4,
        fu=5,
        peak=(9, 150.2),
        crs=(1, 2, 4),
        sledai=(
            ["proteinuria", "low_complement", "increased_dna_binding", "arthritis", "haematuria"],
            ["proteinuria", "leukopenia"],
            ["proteinuria"],
        ),
        urine={-5: 4.20, 30: 2.60, 60: 1.90, 90: 1.50, "last": 1.30},
        dsdna={-5: 120.0, 14: 35.0, 30: 7.5, 60: 6.0, 90: 5.0, "last": 4.0},
        c3={-5: 0.45, 14: 0.80, 30: 0.92, 60: 0.98, 90: 1.01, "last": 1.04},
        c4={-5: 0.05, 14: 0.13, 30: 0.17, 60: 0.18, 90: 0.19, "last": 0.20},
        b={-5: 210.0, 1: 3.4, 4: "<1", "reconstitution": ["<1", 9.8]},
    ),
    dict(
        id="P4",
        sex="M",
        age=43,
        duration=14,
        weight=75.0,
        lines=2,
        fu=6,
        peak=(11, 512.8),
        crs=(1, 1, 5),
        sledai=(
            [
                "proteinuria",
                "low_complement",
                "increased_dna_binding",
                "arthritis",
                "haematuria",
                "vasculitis",
            ],
            ["proteinuria", "haematuria", "increased_dna_binding", "low_complement", "leukopenia"],
            ["proteinuria", "increased_dna_binding"],
        ),
        urine={-5: 3.50, 30: 3.10, 60: 2.80, 90: 2.60, "last": 2.40},
        dsdna={-5: 310.0, 14: 160.0, 30: 96.0, 60: 61.0, 90: 48.0, "last": 35.0},
        c3={-5: 0.38, 14: 0.62, 30: 0.81, 60: 0.96, 90: 1.02, "last": 1.05},
        c4={-5: 0.04, 14: 0.08, 30: 0.13, 60: 0.17, 90: 0.19, "last": 0.20},
        b={-5: 64.0, 1: "<1", 4: "<1", "reconstitution": [2.0, 11.0, 28.0]},
    ),
    dict(
        id="P5",
        sex="F",
        age=35,
        duration=9,
        weight=49.0,
        lines=3,
        fu=4,
        peak=(8, 42.7),
        crs=None,
        sledai=(
            ["proteinuria", "low_complement", "increased_dna_binding", "mucosal_ulcers"],
            ["proteinuria"],
            ["proteinuria", "mucosal_ulcers"],
        ),
        urine={-5: 1.20, 30: 1.00, 60: 0.98, 90: 0.95, "last": 0.90},
        dsdna={-5: 38.0, 14: 15.0, 30: 7.0, 60: 6.0, 90: 5.1, "last": 3.0},
        c3={-5: 0.70, 14: 0.88, 30: 0.99, 60: 1.04, 90: 1.06, "last": 1.08},
        c4={-5: 0.11, 14: 0.15, 30: 0.20, 60: 0.21, 90: 0.22, "last": 0.22},
        b={-5: 175.0, 1: 1.8, 4: "<1", "reconstitution": [4.1]},
    ),
    dict(
        id="P6",
        sex="M",
        age=39,
        duration=12,
        weight=61.0,
        lines=5,
        fu=5,
        peak=(10, 310.5),
        crs=(1, 3, 4),
        sledai=(
            ["proteinuria", "low_complement", "increased_dna_binding", "haematuria"],
            ["proteinuria", "increased_dna_binding", "low_complement"],
            ["proteinuria", "haematuria", "increased_dna_binding"],
        ),
        urine={-5: 5.10, 30: 4.40, 60: 4.10, 90: 3.90, "last": 3.60},
        dsdna={-5: 150.0, 14: 90.0, 30: 60.0, 60: 50.0, 90: 42.0, "last": 30.0},
        c3={-5: 0.48, 14: 0.66, 30: 0.84, 60: 0.93, 90: 0.97, "last": 0.99},
        c4={-5: 0.06, 14: 0.10, 30: 0.14, 60: 0.18, 90: 0.20, "last": 0.21},
        b={-5: 118.0, 1: 12.4, 4: 1.5, "reconstitution": ["<1", 7.7]},
    ),
]

CAR_T_DAYS = [0, 1, 4, 7, 8, 9, 10, 11, 14, 21, 28, 60, 90]
B_EARLY_DAYS = [7, 14, 28, 60, 90]
SLEDAI_DAYS = (-5, 30, 90)

DATASET_YML = """\
# Reconstructed dataset: written by `python -m sle_cart reconstruct` (src/sle_cart/reconstruct.py).
# Do not edit by hand; tests check these files equal the generator's output.
name: im19-sle
title: Anti-CD19 CAR T cells (IM19) in refractory SLE - reconstructed patient-level data
provenance: reconstructed
source: >-
  Zhao J, et al. Anti-CD19 chimeric antigen receptor T cell therapy for refractory systemic
  lupus erythematosus: an open-label pilot study. Arthritis Rheumatol. 2025;77(suppl 9):
  abstract 0647. Patient-level values reconstructed to match its published summary statistics.
reference_ranges:
  c3: {lower: 0.9, upper: 1.8, unit: g/L}
  c4: {lower: 0.16, upper: 0.5, unit: g/L}
  anti_dsdna: {upper: 8, unit: IU/mL}
  urine_protein_24h: {upper: 0.15, unit: g/24h}
definitions: {}
"""


def _fmt(x: float, decimals: int) -> str:
    return f"{x:.{decimals}f}"


def _car_t_curve(peak_day: int, cmax: float, rng: np.random.Generator) -> list[tuple[int, str]]:
    """Expansion to the peak, then biphasic contraction (fast effector, slow memory phase)."""
    rise = math.log(cmax / 1.5) / max(peak_day - 1, 1)
    rows = []
    for day in CAR_T_DAYS:
        if day == 0:
            rows.append((0, f"<{LLOQ_CAR_T}"))  # sampled before infusion
            continue
        if day == peak_day:
            rows.append((day, _fmt(cmax, 1)))
            continue
        if day < peak_day:
            v = cmax * math.exp(-rise * (peak_day - day))
        else:
            t = day - peak_day
            v = cmax * (0.92 * math.exp(-math.log(2) / 2.5 * t) + 0.08 * math.exp(-math.log(2) / 18 * t))
        v = min(v * math.exp(rng.normal(0, 0.12)), 0.9 * cmax)
        rows.append((day, f"<{LLOQ_CAR_T}" if v < LLOQ_CAR_T else _fmt(v, 1)))
    return rows


def _between(a: float, b: float, frac: float, rng: np.random.Generator, jitter: float) -> float:
    """Log-linear interpolation between two anchors with seeded noise."""
    v = math.exp(math.log(a) + frac * (math.log(b) - math.log(a)))
    return v * math.exp(rng.normal(0, jitter))


def _lab(anchors: dict, last_day: int, decimals: int, rng, jitter=0.04) -> list[tuple[int, str]]:
    """Lab values at the anchor days and monthly from day 120 to the last visit."""
    rows = [(d, _fmt(v, decimals)) for d, v in anchors.items() if d != "last"]
    a90, alast = anchors[90], anchors["last"]
    monthly = list(range(120, last_day + 1, 30))
    for day in monthly:
        if day == last_day:
            rows.append((day, _fmt(alast, decimals)))
        else:
            v = _between(a90, alast, (day - 90) / (last_day - 90), rng, jitter)
            # stay between the two anchors so end points are not overtaken
            lo, hi = sorted((a90, alast))
            rows.append((day, _fmt(min(max(v, lo), hi), decimals)))
    return rows


def generate(seed: int = SEED) -> dict[str, str]:
    """The dataset files as text: {file name: content}."""
    from sle_cart.inputs.definitions import SLEDAI_2K_WEIGHTS

    rng = np.random.default_rng(seed)
    pat = io.StringIO()
    w = csv.writer(pat, lineterminator="\n")
    w.writerow(
        [
            "patient_id",
            "sex",
            "age_years",
            "disease_duration_years",
            "weight_kg",
            "dose_cells",
            "prior_therapy_lines",
            "lupus_nephritis",
            "follow_up_months",
        ]
    )
    meas = io.StringIO()
    m = csv.writer(meas, lineterminator="\n")
    m.writerow(["patient_id", "day", "analyte", "value", "unit"])
    ae = io.StringIO()
    a = csv.writer(ae, lineterminator="\n")
    a.writerow(["patient_id", "event", "grade", "onset_day", "resolution_day"])

    for i, p in enumerate(PATIENTS):
        dose = 1e6 * p["weight"] if i < 3 else 1e8  # registry: cohort 1 per kg, cohort 2 flat
        w.writerow(
            [
                p["id"],
                p["sex"],
                p["age"],
                p["duration"],
                _fmt(p["weight"], 1),
                f"{dose:.3e}",
                p["lines"],
                "true",
                p["fu"],
            ]
        )
        last_day = 30 * p["fu"]
        rows: list[tuple[int, str, str, str]] = []
        rows += [(d, "car_t", v, "cells/µL") for d, v in _car_t_curve(*p["peak"], rng)]
        b = p["b"]
        brows = [
            (-5, _fmt(b[-5], 1)),
            (1, b[1] if isinstance(b[1], str) else _fmt(b[1], 1)),
            (4, b[4] if isinstance(b[4], str) else _fmt(b[4], 1)),
        ]
        brows += [(d, f"<{LLOQ_B:g}") for d in B_EARLY_DAYS]
        for d, v in zip(range(120, last_day + 1, 30), b["reconstitution"]):
            brows.append((d, v if isinstance(v, str) else _fmt(v, 1)))
        rows += [(d, "cd19_b", v, "cells/µL") for d, v in brows]
        for d, descriptors in zip(SLEDAI_DAYS, p["sledai"]):
            rows.append((d, "sledai_2k", str(sum(SLEDAI_2K_WEIGHTS[x] for x in descriptors)), "points"))
        rows += [(d, "urine_protein_24h", v, "g/24h") for d, v in _lab(p["urine"], last_day, 2, rng)]
        rows += [(d, "anti_dsdna", v, "IU/mL") for d, v in _lab(p["dsdna"], last_day, 1, rng, 0.08)]
        rows += [(d, "c3", v, "g/L") for d, v in _lab(p["c3"], last_day, 2, rng, 0.02)]
        rows += [(d, "c4", v, "g/L") for d, v in _lab(p["c4"], last_day, 2, rng, 0.02)]
        order = {
            k: n
            for n, k in enumerate(
                ["car_t", "cd19_b", "sledai_2k", "urine_protein_24h", "anti_dsdna", "c3", "c4"]
            )
        }
        for d, analyte, v, unit in sorted(rows, key=lambda r: (order[r[1]], r[0])):
            m.writerow([p["id"], d, analyte, v, unit])
        if p["crs"]:
            grade, onset, resolution = p["crs"]
            a.writerow([p["id"], "CRS", grade, onset, resolution])

    return {
        "dataset.yml": DATASET_YML,
        "patients.csv": pat.getvalue(),
        "measurements.csv": meas.getvalue(),
        "adverse_events.csv": ae.getvalue(),
    }


def write(out_dir: str | Path, seed: int = SEED, check: bool = True) -> Path:
    """Write the reconstruction to ``out_dir``; with ``check``, refuse unless every claim holds."""
    import tempfile

    from sle_cart.analysis import claims
    from sle_cart.inputs import dataset
    from sle_cart.paths import refuse_foreign

    files = generate(seed)
    out = refuse_foreign(out_dir, set(files), "reconstruct")
    if check:
        with tempfile.TemporaryDirectory() as tmp:
            for name, text in files.items():
                Path(tmp, name).write_text(text, encoding="utf-8")
            failing = [c["id"] for c in claims.evaluate(dataset.load(tmp)) if not c["holds"]]
        if failing:
            raise RuntimeError(f"reconstruction does not reproduce: {failing}")
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    return out

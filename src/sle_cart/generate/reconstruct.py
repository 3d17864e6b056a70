"""Seeded reconstruction of patient-level data consistent with abstract 0647.

The trial's individual data are not public.  This module writes a dataset whose
summary statistics equal every number the abstract states (checked by
:func:`sle_cart.analysis.claims.evaluate` before anything is written).  It is a
reconstruction: one of many datasets consistent with the publication, not the
trial's data.

How it is built
---------------
* Anchors (``sle_cart.generate.anchors``): per-patient values that the
  published statistics pin down (ages, durations, follow-up, peak CAR T levels
  and days, SLEDAI-2K at the three visits, renal, anti-dsDNA and complement end
  points) are chosen by hand to give exactly the published medians, ranges and
  counts.
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

from .anchors import (
    B_EARLY_DAYS,
    CAR_T_DAYS,
    DOSE_GROUPS,
    LLOQ_B,
    LLOQ_CAR_T,
    PATIENTS,
    SLEDAI_DAYS,
)
from .common import claim_folder, generator_yaml, reference_ranges_yaml

SEED = 647
DATASET_YML = (
    """\
# Reconstructed dataset: written by `python -m sle_cart reconstruct` (src/sle_cart/generate/reconstruct.py).
# Do not edit by hand; tests check these files equal the generator's output.
name: im19-sle
title: Anti-CD19 CAR T cells (IM19) in refractory SLE - reconstructed patient-level data
provenance: reconstructed
"""
    + generator_yaml("reconstruct")
    + """\
source: >-
  Zhao J, et al. Anti-CD19 chimeric antigen receptor T cell therapy for refractory systemic
  lupus erythematosus: an open-label pilot study. Arthritis Rheumatol. 2025;77(suppl 9):
  abstract 0647. Patient-level values reconstructed to match its published summary statistics.
license: CC0-1.0
"""
    + reference_ranges_yaml()
    + "definitions: {}\n"
)


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


PATIENT_COLUMNS = [
    "patient_id",
    "sex",
    "age_years",
    "disease_duration_years",
    "weight_kg",
    "dose_cells",
    "prior_therapy_lines",
    "lupus_nephritis",
    "follow_up_months",
    "dose_group",
]
MEASUREMENT_COLUMNS = ["patient_id", "day", "analyte", "value", "unit"]
EVENT_COLUMNS = ["patient_id", "event", "grade", "onset_day", "resolution_day"]
#: Row order of measurements.csv within a patient: by analyte in this order, then by day.
ANALYTE_ORDER = {
    k: n
    for n, k in enumerate(["car_t", "cd19_b", "sledai_2k", "urine_protein_24h", "anti_dsdna", "c3", "c4"])
}


def _table(header: list[str]):
    """A CSV writer on a text buffer, header written."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    return buf, writer


def _patient_row(i: int, p: dict) -> list:
    dose = 1e6 * p["weight"] if i < 3 else 1e8  # registry: cohort 1 per kg, cohort 2 flat
    return [
        p["id"],
        p["sex"],
        p["age"],
        p["duration"],
        _fmt(p["weight"], 1),
        f"{dose:.3e}",
        p["lines"],
        "true",
        p["fu"],
        DOSE_GROUPS[i >= 3],
    ]


def _b_cells(b: dict, last_day: int) -> list[tuple[int, str]]:
    """Anchored B-cell counts: baseline, depletion, then monthly reconstitution."""
    rows = [
        (-5, _fmt(b[-5], 1)),
        (1, b[1] if isinstance(b[1], str) else _fmt(b[1], 1)),
        (4, b[4] if isinstance(b[4], str) else _fmt(b[4], 1)),
    ]
    rows += [(d, f"<{LLOQ_B:g}") for d in B_EARLY_DAYS]
    for d, v in zip(range(120, last_day + 1, 30), b["reconstitution"]):
        rows.append((d, v if isinstance(v, str) else _fmt(v, 1)))
    return rows


def _sledai(p: dict) -> list[tuple[int, str]]:
    """SLEDAI-2K totals as the weighted sums of each visit's descriptors."""
    from sle_cart.inputs.definitions import SLEDAI_2K_WEIGHTS

    return [
        (d, str(sum(SLEDAI_2K_WEIGHTS[x] for x in descriptors)))
        for d, descriptors in zip(SLEDAI_DAYS, p["sledai"])
    ]


def _measurements(p: dict, rng: np.random.Generator) -> list[tuple[int, str, str, str]]:
    """One patient's measurement rows (day, analyte, value, unit) in file order."""
    last_day = 30 * p["fu"]
    # the draws from rng follow this order, so reordering these lines changes the output
    rows: list[tuple[int, str, str, str]] = []
    rows += [(d, "car_t", v, "cells/µL") for d, v in _car_t_curve(*p["peak"], rng)]
    rows += [(d, "cd19_b", v, "cells/µL") for d, v in _b_cells(p["b"], last_day)]
    rows += [(d, "sledai_2k", v, "points") for d, v in _sledai(p)]
    rows += [(d, "urine_protein_24h", v, "g/24h") for d, v in _lab(p["urine"], last_day, 2, rng)]
    rows += [(d, "anti_dsdna", v, "IU/mL") for d, v in _lab(p["dsdna"], last_day, 1, rng, 0.08)]
    rows += [(d, "c3", v, "g/L") for d, v in _lab(p["c3"], last_day, 2, rng, 0.02)]
    rows += [(d, "c4", v, "g/L") for d, v in _lab(p["c4"], last_day, 2, rng, 0.02)]
    return sorted(rows, key=lambda r: (ANALYTE_ORDER[r[1]], r[0]))


def generate(seed: int = SEED) -> dict[str, str]:
    """The dataset files as text: {file name: content}."""
    rng = np.random.default_rng(seed)
    pat, w = _table(PATIENT_COLUMNS)
    meas, m = _table(MEASUREMENT_COLUMNS)
    ae, a = _table(EVENT_COLUMNS)
    # PATIENTS is read from this module's globals so tests can patch reconstruct.PATIENTS
    for i, p in enumerate(PATIENTS):
        w.writerow(_patient_row(i, p))
        for d, analyte, v, unit in _measurements(p, rng):
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

    files = generate(seed)
    out = claim_folder(out_dir, set(files), "reconstruct")
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

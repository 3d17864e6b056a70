"""Seeded synthetic cohorts of any size, for benchmarks and tests.

``python -m sle_cart synth --patients N --out DIR`` writes a valid dataset of N
patients with the bundled study's sampling days and plausible kinetics.  The
values are random draws, not a reconstruction of any published cohort.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .anchors import B_EARLY_DAYS, CAR_T_DAYS, SLEDAI_DAYS
from .common import MAX_PATIENTS, claim_folder, generator_yaml, reference_ranges_yaml

TABLES = ("patients", "measurements", "adverse_events")
LAB_DAYS = [-5, 14, 30, 60, 90]


def _round(x, d):
    return np.round(np.asarray(x, dtype=float), d)


def _long(ids, analyte, unit, days, values, censor_below=None, decimals=2) -> pd.DataFrame:
    """Measurement rows from a patients × days array of values."""
    d = np.broadcast_to(np.asarray(days), values.shape)
    pid = np.broadcast_to(ids[:, None], values.shape)
    v = _round(values, decimals)
    text = v.astype(str)
    if censor_below is not None:
        text = np.where(v < censor_below, f"<{censor_below:g}", text)
    return pd.DataFrame(
        {
            "patient_id": pid.ravel(),
            "day": d.ravel(),
            "analyte": analyte,
            "value": text.ravel(),
            "unit": unit,
        }
    )


def _patients(rng: np.random.Generator, ids: np.ndarray):
    """The patients table, with follow-up (months) and lupus nephritis for the other tables."""
    n = len(ids)
    weight = _round(rng.uniform(45, 90, n), 1)
    flat = rng.random(n) < 0.5
    fu = rng.integers(4, 13, n)  # follow-up, months
    ln = rng.random(n) < 0.6
    patients = pd.DataFrame(
        {
            "patient_id": ids,
            "sex": np.where(rng.random(n) < 0.85, "F", "M"),
            "age_years": rng.integers(18, 66, n),
            "disease_duration_years": _round(rng.uniform(1, 20, n), 1),
            "weight_kg": weight,
            "dose_cells": np.where(flat, 1e8, 1e6 * weight),
            "prior_therapy_lines": rng.integers(2, 6, n),
            "lupus_nephritis": np.where(ln, "true", "false"),
            "follow_up_months": fu,
            "dose_group": np.where(flat, "1e8 flat", "1e6/kg"),
        }
    )
    return patients, fu, ln


def _car_t(rng: np.random.Generator, ids: np.ndarray) -> pd.DataFrame:
    """Log-linear expansion to a peak on day 6-14, then biphasic contraction."""
    n = len(ids)
    days = np.array(CAR_T_DAYS)
    peak_day = rng.integers(6, 15, n)[:, None]
    cmax = np.exp(rng.normal(np.log(150), 0.9, n))[:, None]
    rise = np.log(cmax / 1.5) / np.maximum(peak_day - 1, 1)
    t = days[None, :] - peak_day
    up = cmax * np.exp(rise * np.minimum(t, 0))
    down = cmax * (0.92 * np.exp(-np.log(2) / 2.5 * t) + 0.08 * np.exp(-np.log(2) / 18 * t))
    car = np.where(t <= 0, up, down) * np.exp(rng.normal(0, 0.1, (n, len(days))))
    car[:, 0] = 0.0  # before infusion
    return _long(ids, "car_t", "cells/µL", days, car, censor_below=0.5, decimals=1)


def _b_cells(rng: np.random.Generator, ids: np.ndarray) -> pd.DataFrame:
    """Treated-SLE baseline, depletion within days, reconstitution after ~3-6 months."""
    n = len(ids)
    bdays = np.array([-5, 1, 4, *B_EARLY_DAYS, 120, 150, 180])
    base = np.exp(rng.normal(np.log(120), 0.5, n))[:, None]
    depl_day = rng.choice([1, 1, 1, 4, 7], n)[:, None]
    recon = rng.uniform(100, 200, n)[:, None]
    b = np.where(bdays[None, :] <= 0, base, np.where(bdays[None, :] < depl_day, base * 0.2, 0.3))
    b = np.where(bdays[None, :] > recon, 2 + (bdays[None, :] - recon) * 0.6, b)
    b = b * np.exp(rng.normal(0, 0.15, b.shape))
    return _long(ids, "cd19_b", "cells/µL", bdays, b, censor_below=1, decimals=1)


def _sledai(rng: np.random.Generator, ids: np.ndarray) -> pd.DataFrame:
    """Even totals (sums of 2- and 4-point descriptors) falling over 3 months."""
    n = len(ids)
    s0 = 2 * rng.integers(5, 13, n)
    s1 = np.maximum(0, s0 - 2 * rng.integers(1, 6, n))
    s3 = np.maximum(0, s1 - 2 * rng.integers(0, 4, n))
    totals = np.stack([s0, s1, s3], 1).astype(float)
    return _long(ids, "sledai_2k", "points", np.array(SLEDAI_DAYS), totals, decimals=0)


def _labs(rng: np.random.Generator, ids: np.ndarray, ln: np.ndarray) -> list[pd.DataFrame]:
    """Labs moving from active disease toward normal, with a patient-level response."""
    n = len(ids)
    ldays = np.array(LAB_DAYS)
    frac = np.clip(ldays / 90, 0, 1)[None, :]
    resp = rng.uniform(0.2, 1.0, n)[:, None]
    up0 = np.where(ln, rng.uniform(0.8, 5, n), rng.uniform(0.1, 0.4, n))[:, None]
    frames = [_long(ids, "urine_protein_24h", "g/24h", ldays, up0 * (1 - 0.9 * resp * frac), decimals=2)]
    ds0 = np.exp(rng.normal(np.log(80), 0.8, n))[:, None]
    frames.append(_long(ids, "anti_dsdna", "IU/mL", ldays, ds0 * np.exp(-3 * resp * frac), decimals=1))
    for analyte, low, normal in (("c3", (0.35, 0.8), 1.05), ("c4", (0.04, 0.12), 0.22)):
        start = rng.uniform(*low, n)[:, None]
        values = start + (normal - start) * np.minimum(1, 1.5 * frac * resp + frac * 0.3)
        frames.append(_long(ids, analyte, "g/L", ldays, values, decimals=2))
    return frames


def _events(rng: np.random.Generator, ids: np.ndarray) -> pd.DataFrame:
    """Cytokine release syndrome in most patients, mostly grade 1, within days of infusion."""
    n = len(ids)
    has_crs = rng.random(n) < 0.6
    grade = np.where(rng.random(n) < 0.85, 1, 2)
    onset = rng.integers(0, 6, n)
    return pd.DataFrame(
        {
            "patient_id": ids,
            "event": "CRS",
            "grade": grade,
            "onset_day": onset,
            "resolution_day": onset + rng.integers(1, 6, n),
        }
    )[has_crs]


def cohort(n_patients: int, seed: int = 1) -> dict[str, pd.DataFrame]:
    """The three tables of a synthetic cohort, vectorised over patients."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"S{i + 1:05d}" for i in range(n_patients)])
    # the helpers draw from rng in turn, so their order fixes the output for a seed
    patients, fu, ln = _patients(rng, ids)
    frames = [_car_t(rng, ids), _b_cells(rng, ids), _sledai(rng, ids), *_labs(rng, ids, ln)]
    m = pd.concat(frames, ignore_index=True)
    last = fu * 30
    m = m[m["day"].to_numpy() <= last[np.searchsorted(ids, m["patient_id"].to_numpy())]]
    events = _events(rng, ids)
    return {"patients": patients, "measurements": m.reset_index(drop=True), "adverse_events": events}


def write_synthetic(out_dir: str | Path, n_patients: int, seed: int = 1) -> Path:
    """Write a synthetic dataset folder (dataset.yml and the three CSVs)."""
    if not 1 <= n_patients <= MAX_PATIENTS:
        raise ValueError(f"a synthetic cohort has 1 to {MAX_PATIENTS:,} patients, not {n_patients}")
    out = claim_folder(out_dir, {"dataset.yml", *(f"{t}.csv" for t in TABLES)}, "synth")
    out.mkdir(parents=True, exist_ok=True)
    tables = cohort(n_patients, seed)
    (out / "dataset.yml").write_text(
        f"name: synthetic-{n_patients}\n"
        f"title: Synthetic CAR T cohort of {n_patients} patients (seed {seed})\n"
        "provenance: synthetic\n"
        + generator_yaml("synth")
        + "source: Random draws from sle_cart.generate.synth; no real patients.\n"
        "license: CC0-1.0\n" + reference_ranges_yaml() + "definitions: {}\n",
        encoding="utf-8",
    )
    for name, frame in tables.items():
        frame.to_csv(out / f"{name}.csv", index=False, lineterminator="\n")
    return out

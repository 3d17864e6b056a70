"""Hypothesis strategies for small, messy cohorts shaped like real CAR T follow-up.

A cohort is a plain dict, written to disk by :func:`write_cohort` in exactly the format of
``conftest.write_dataset``:

    {"patients": [dict, ...],                                  # patients.csv rows
     "measurements": [(patient_id, day, analyte, value[, unit]), ...],
     "events": [(patient_id, event, grade, onset_day, resolution_day), ...]}

Values are decimal strings with at most two places, or censored strings such as "<5". The
extra days deliberately sit on the edges of the contract's windows, because that is where
implementations disagree.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

from hypothesis import strategies as st

from conftest import write_dataset

# Per analyte: the usual sampling schedule (any of it may be missed) and extra days a cohort may
# also have: several baseline days (only the last counts), window edges (20/40 around day 30,
# 80/100 around day 90), days just outside (19, 41, 101; 91 for kinetics) and equidistant
# ties (25/35, 85/95).
SCHEDULE = {
    "car_t": ([0, 1, 4, 7, 8, 9, 10, 11, 14, 21, 28, 60, 90], [-1, 91, 120]),
    "cd19_b": ([-5, 1, 4, 7, 14, 28, 90], [0, 2, 5, 120]),
    "sledai_2k": ([-5, 30, 90], [-14, -1, 0, 19, 20, 25, 35, 40, 41, 80, 85, 95, 100, 101]),
    "urine_protein_24h": ([-5, 30, 60, 90], [-14, 0, 180]),
    "anti_dsdna": ([-5, 14, 30, 90], [-1, 0, 180]),
    "c3": ([-5, 14, 30, 60, 90], [0, 59, 61]),
    "c4": ([-5, 14, 30, 60, 90], [0, 59, 61]),
}
# Censored results a lab would print; some limits sit above the contract's thresholds
# (cd19_b "<10" > 5, urine "<1" > 0.5, anti-dsDNA "<10" > 8, C3 "<1" > 0.9, C4 "<0.5" > 0.16),
# so their comparisons are undecided.
CENSORED = {
    "car_t": ["<0.5", "<1"],
    "cd19_b": ["<1", "<5", "<10"],
    "sledai_2k": ["<5"],
    "urine_protein_24h": ["<0.1", "<0.5", "<1"],
    "anti_dsdna": ["<5", "<10"],
    "c3": ["<0.5", "<1"],
    "c4": ["<0.1", "<0.5"],
}


def decimals(low: str, high: str) -> st.SearchStrategy[str]:
    """Decimal strings in [low, high] with exactly two places (e.g. '0.52', '188.05')."""
    lo, hi = int(Decimal(low) * 100), int(Decimal(high) * 100)
    return st.integers(lo, hi).map(lambda c: str(Decimal(c).scaleb(-2)))


QUANTIFIED = {
    "car_t": st.one_of(decimals("0.1", "5"), decimals("5", "600")),
    "cd19_b": st.one_of(decimals("0", "10"), decimals("10", "300")),
    # Both sides of the 0.5 g/24h threshold, including LN patients without active proteinuria.
    "urine_protein_24h": st.one_of(decimals("0.05", "0.6"), decimals("0.5", "8")),
    "anti_dsdna": st.one_of(decimals("0", "12"), decimals("8", "400")),
    "c3": decimals("0.2", "2"),
    "c4": decimals("0.02", "0.6"),
}


def value(analyte: str) -> st.SearchStrategy[str]:
    # Quantified results outnumber censored ones three to one, as in real follow-up.
    q = QUANTIFIED[analyte]
    return st.one_of(q, q, q, st.sampled_from(CENSORED[analyte]))


@st.composite
def sledai(draw, day: int, anchor: int) -> str:
    """A score near the patient's own level: small, repeated drops give tied and zero
    differences, and mostly improvements so that exact p-values below 0.05 occur too."""
    if day >= 1 and draw(st.integers(0, 19)) == 0:
        return draw(st.sampled_from(CENSORED["sledai_2k"]))
    drops = [0, 2, -2] if day <= 0 else [0, 2, 4, 4, 6, 6, 8, 10, -2]
    return str(max(0, anchor - draw(st.sampled_from(drops))))


@st.composite
def series(draw, pid: str, analyte: str) -> list[tuple]:
    """One patient's rows for one analyte: the schedule minus missed samples, plus extra days."""
    if draw(st.integers(0, 9)) == 0:
        return []  # never measured for this patient
    schedule, extra = SCHEDULE[analyte]
    # About one scheduled sample in six is missed; about one extra day in four is present.
    days = [d for d in schedule if draw(st.integers(0, 5)) > 0]
    days = sorted(days + [d for d in extra if draw(st.integers(0, 3)) == 0])
    if analyte == "sledai_2k":
        anchor = draw(st.sampled_from([4, 8, 10, 12, 12, 16, 24]))
        return [(pid, day, analyte, draw(sledai(day, anchor))) for day in days]
    if analyte == "car_t" and draw(st.integers(0, 5)) == 0:
        # Non-expander: every CAR T result on record is below the quantification limit.
        return [(pid, day, analyte, draw(st.sampled_from(CENSORED["car_t"]))) for day in days]
    return [(pid, day, analyte, draw(value(analyte))) for day in days]


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """A patient cell that may be left blank (written as an empty CSV cell)."""
    return st.one_of(st.just(""), strategy, strategy)


@st.composite
def patient(draw, pid: str) -> dict:
    return {
        "patient_id": pid,
        "sex": draw(st.sampled_from(["F", "M"])),
        "age_years": draw(st.integers(18, 65)),
        "disease_duration_years": draw(optional(decimals("0", "30"))),
        "weight_kg": draw(decimals("40", "110")),
        "dose_cells": draw(st.sampled_from(["5.2e+07", "6.8e+07", "1.0e+08"])),
        "prior_therapy_lines": draw(optional(st.integers(0, 6))),
        "lupus_nephritis": draw(st.sampled_from(["true", "false", "true"])),
        "follow_up_months": draw(optional(decimals("0", "24"))),
    }


@st.composite
def event(draw, pids: list[str]) -> tuple:
    """A CRS or ICANS episode; onsets also after the 28-day window, some still ongoing."""
    onset = draw(st.one_of(st.integers(0, 14), st.integers(25, 60)))
    resolution = draw(st.one_of(st.just(""), st.integers(onset, onset + 14)))
    return (
        draw(st.sampled_from(pids)),
        draw(st.sampled_from(["CRS", "CRS", "ICANS"])),
        draw(st.integers(1, 4)),
        onset,
        resolution,
    )


@st.composite
def cohorts(draw, max_patients: int = 8) -> dict:
    n = draw(st.integers(1, max_patients))
    pids = [f"P{i + 1}" for i in range(n)]
    measurements = []
    for pid in pids:
        for analyte in SCHEDULE:
            measurements += draw(series(pid, analyte))
    if not measurements:  # the contract's loader rejects a measurements table without rows
        measurements.append((pids[0], 0, "sledai_2k", "12"))
    return {
        "patients": [draw(patient(pid)) for pid in pids],
        "measurements": measurements,
        "events": draw(st.lists(event(pids), max_size=2 * n)),
    }


def write_cohort(cohort: dict, folder: Path) -> Path:
    """Write the cohort as a valid dataset folder (conftest.write_dataset's format)."""
    return write_dataset(
        Path(folder),
        cohort["patients"],
        cohort["measurements"],
        cohort["events"],
        definitions=cohort.get("definitions", "{}"),
    )


def reorder(cohort: dict, rng: random.Random | None = None) -> dict:
    """The same cohort with patients and every table's rows shuffled (order must not matter)."""
    rng = rng or random.Random(0)
    shuffled = {key: list(rows) if isinstance(rows, list) else rows for key, rows in cohort.items()}
    for key in ("patients", "measurements", "events"):
        rng.shuffle(shuffled[key])
    return shuffled


def scaled(text: str, factor: int) -> str:
    """'0.52' * 100 -> '52.00'; '<0.5' * 100 -> '<50.0' (censored limits scale too), exactly."""
    censored = text.startswith("<")
    number = Decimal(text.lstrip("<")) * factor
    return ("<" if censored else "") + str(number)


# Written unit and exact factor from the canonical unit (1 g/L = 100 mg/dL, 1 g = 1000 mg).
MG_UNITS = {"c3": ("mg/dL", 100), "c4": ("mg/dL", 100), "urine_protein_24h": ("mg/24h", 1000)}


def to_mg_dl(cohort: dict) -> dict:
    """The same cohort with C3/C4 written in mg/dL and urine protein in mg/24h."""
    rows = []
    for pid, day, analyte, text, *unit in cohort["measurements"]:
        if analyte in MG_UNITS:
            new_unit, factor = MG_UNITS[analyte]
            rows.append((pid, day, analyte, scaled(text, factor), new_unit))
        else:
            rows.append((pid, day, analyte, text, *unit))
    return {**cohort, "measurements": rows}

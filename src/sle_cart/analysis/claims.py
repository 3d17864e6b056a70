"""Every number abstract 0647 states, recomputed from the data and compared.

Rule (data contract): a claim holds when the reproduced value, rounded half
away from zero to as many decimals as the published value shows, equals it;
for the published p-value "<0.05" it holds when the reproduced p is below 0.05.
A claim whose inputs are missing is *not evaluable* (``holds`` false).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from . import cohort, disease_activity, kinetics, renal, safety, serology
from .stats import median_range, round_half_up

CITATION = (
    "Zhao J, Zhang X, Li X, et al. Anti-CD19 chimeric antigen receptor T cell therapy for "
    "refractory systemic lupus erythematosus: an open-label pilot study [abstract 0647]. "
    "Arthritis Rheumatol. 2025;77(suppl 9)."
)


@dataclass(frozen=True)
class Claim:
    id: str
    statement: str
    unit: str
    published: str  # as printed in the abstract, so its decimals are known
    compute: Callable[[dict], float | None]
    chapter: str


def decimals_shown(published: str) -> int:
    """Decimals a published value shows: '5.0' -> 1, '37' -> 0, '<0.05' -> 2."""
    text = published.lstrip("<")
    return len(text.split(".")[1]) if "." in text else 0


def published_value(claim: Claim) -> float | str:
    if claim.published.startswith("<"):
        return claim.published
    return float(claim.published) if "." in claim.published else int(claim.published)


def holds(published: str, reproduced: float | None) -> bool:
    """The comparison rule of the data contract."""
    if reproduced is None:
        return False
    if published.startswith("<"):
        return reproduced < float(published[1:])
    return round_half_up(reproduced, decimals_shown(published)) == float(published)


def _results(ds) -> dict:
    """Everything the claims need, computed once."""
    p = ds.patients
    kin = kinetics.car_t_kinetics(ds)
    dep = kinetics.bcell_depletion(ds)
    sl = disease_activity.sledai_visits(ds)
    return {
        "p": p,
        "kin": kin,
        "dep": dep,
        "sl": sl,
        "test": disease_activity.sledai_change_test(ds),
        "renal": renal.response_counts(ds),
        "dsdna": serology.dsdna_conversion(ds),
        "comp": serology.complement_normalisation(ds),
        "safety": safety.safety_counts(ds),
        "fu": cohort.follow_up(ds),
        "d": ds.definitions,
    }


def _mr(key: str, stat: str):
    def f(r):
        frame, col = key.split(".")
        return median_range(r[frame][col])[stat]

    return f


def _count(frame: str, col: str):
    def f(r):
        s = r[frame][col]
        return None if s.isna().all() else int(s.fillna(False).sum())

    return f


def _depleted(day: int):
    def f(r):
        col = f"depleted_by_day{day}"
        return _count("dep", col)(r) if col in r["dep"] else None

    return f


def _complement(r):
    col = f"normal_by_day{r['d'].complement_normal_by_day}"
    return _count("comp", col)(r)


def _pcol(col):
    return lambda r: r["p"][col]


CLAIMS: list[Claim] = [
    Claim("n_patients", "Patients treated", "patients", "6", lambda r: len(r["p"]), "table1"),
    Claim("n_female", "Women", "patients", "3", lambda r: int((r["p"]["sex"] == "F").sum()), "table1"),
    Claim("n_male", "Men", "patients", "3", lambda r: int((r["p"]["sex"] == "M").sum()), "table1"),
    Claim(
        "age_median",
        "Age, median",
        "years",
        "37",
        lambda r: median_range(_pcol("age_years")(r))["median"],
        "table1",
    ),
    Claim(
        "age_min",
        "Age, minimum",
        "years",
        "19",
        lambda r: median_range(_pcol("age_years")(r))["min"],
        "table1",
    ),
    Claim(
        "age_max",
        "Age, maximum",
        "years",
        "43",
        lambda r: median_range(_pcol("age_years")(r))["max"],
        "table1",
    ),
    Claim(
        "disease_duration_median",
        "Disease duration, median",
        "years",
        "9.5",
        lambda r: median_range(_pcol("disease_duration_years")(r))["median"],
        "table1",
    ),
    Claim(
        "disease_duration_min",
        "Disease duration, minimum",
        "years",
        "3",
        lambda r: median_range(_pcol("disease_duration_years")(r))["min"],
        "table1",
    ),
    Claim(
        "disease_duration_max",
        "Disease duration, maximum",
        "years",
        "14",
        lambda r: median_range(_pcol("disease_duration_years")(r))["max"],
        "table1",
    ),
    Claim(
        "n_sledai_baseline_ge_10",
        "Patients with baseline SLEDAI-2K ≥ 10",
        "patients",
        "6",
        lambda r: (
            None if r["sl"]["baseline"].isna().all() else int((r["sl"]["baseline"] >= 10).fillna(False).sum())
        ),
        "table1",
    ),
    Claim(
        "n_prior_lines_ge_2",
        "Patients with ≥ 2 prior therapy lines",
        "patients",
        "6",
        lambda r: int((r["p"]["prior_therapy_lines"] >= 2).fillna(False).sum()),
        "table1",
    ),
    Claim(
        "follow_up_median",
        "Follow-up, median",
        "months",
        "5.5",
        lambda r: median_range(r["fu"])["median"],
        "table1",
    ),
    Claim(
        "follow_up_min", "Follow-up, minimum", "months", "4", lambda r: median_range(r["fu"])["min"], "table1"
    ),
    Claim(
        "follow_up_max", "Follow-up, maximum", "months", "7", lambda r: median_range(r["fu"])["max"], "table1"
    ),
    Claim(
        "car_t_peak_median",
        "Peak CAR+ T cells, median",
        "cells/µL",
        "188.1",
        _mr("kin.cmax_cells_per_uL", "median"),
        "fig1a",
    ),
    Claim(
        "car_t_peak_day_median",
        "Day of peak CAR+ T cells, median",
        "day",
        "8.5",
        _mr("kin.tmax_day", "median"),
        "fig1a",
    ),
    Claim(
        "car_t_peak_day_min",
        "Day of peak CAR+ T cells, minimum",
        "day",
        "7",
        _mr("kin.tmax_day", "min"),
        "fig1a",
    ),
    Claim(
        "car_t_peak_day_max",
        "Day of peak CAR+ T cells, maximum",
        "day",
        "11",
        _mr("kin.tmax_day", "max"),
        "fig1a",
    ),
    Claim(
        "n_bcell_depleted_by_day1",
        "Patients with CD19+ B cells < 5/µL by day 1",
        "patients",
        "5",
        _depleted(1),
        "fig1b",
    ),
    Claim(
        "n_bcell_depleted_by_day4",
        "Patients with CD19+ B cells < 5/µL by day 4",
        "patients",
        "6",
        _depleted(4),
        "fig1b",
    ),
    Claim(
        "sledai_baseline_median",
        "SLEDAI-2K at baseline, median",
        "points",
        "12",
        _mr("sl.baseline", "median"),
        "fig2a",
    ),
    Claim(
        "sledai_baseline_min",
        "SLEDAI-2K at baseline, minimum",
        "points",
        "10",
        _mr("sl.baseline", "min"),
        "fig2a",
    ),
    Claim(
        "sledai_baseline_max",
        "SLEDAI-2K at baseline, maximum",
        "points",
        "24",
        _mr("sl.baseline", "max"),
        "fig2a",
    ),
    Claim(
        "sledai_m1_median",
        "SLEDAI-2K at month 1, median",
        "points",
        "5.5",
        _mr("sl.month1", "median"),
        "fig2a",
    ),
    Claim("sledai_m1_min", "SLEDAI-2K at month 1, minimum", "points", "4", _mr("sl.month1", "min"), "fig2a"),
    Claim("sledai_m1_max", "SLEDAI-2K at month 1, maximum", "points", "13", _mr("sl.month1", "max"), "fig2a"),
    Claim(
        "sledai_m3_median",
        "SLEDAI-2K at month 3, median",
        "points",
        "5.0",
        _mr("sl.month3", "median"),
        "fig2a",
    ),
    Claim("sledai_m3_min", "SLEDAI-2K at month 3, minimum", "points", "2", _mr("sl.month3", "min"), "fig2a"),
    Claim("sledai_m3_max", "SLEDAI-2K at month 3, maximum", "points", "10", _mr("sl.month3", "max"), "fig2a"),
    Claim(
        "sledai_m3_p_value",
        "SLEDAI-2K baseline vs month 3, Wilcoxon signed-rank p",
        "p",
        "<0.05",
        lambda r: r["test"]["p_value"],
        "fig2a",
    ),
    Claim(
        "n_renal_complete",
        "Complete renal response",
        "patients",
        "2",
        lambda r: r["renal"]["complete"],
        "fig2b",
    ),
    Claim(
        "n_renal_partial", "Partial renal response", "patients", "1", lambda r: r["renal"]["partial"], "fig2b"
    ),
    Claim("n_renal_no_response", "No renal response", "patients", "3", lambda r: r["renal"]["none"], "fig2b"),
    Claim(
        "renal_response_rate",
        "Renal response rate among patients with lupus nephritis",
        "proportion",
        "0.5",
        lambda r: r["renal"]["rate"],
        "fig2b",
    ),
    Claim(
        "n_dsdna_negative",
        "Anti-dsDNA negative conversion",
        "patients",
        "3",
        _count("dsdna", "converted_negative"),
        "fig2c",
    ),
    Claim(
        "n_complement_normal_by_day60",
        "C3 and C4 normal within 60 days",
        "patients",
        "6",
        _complement,
        "fig2d",
    ),
    Claim(
        "n_crs_grade1", "Worst CRS grade 1", "patients", "4", lambda r: r["safety"]["crs_grade1"], "safety"
    ),
    Claim(
        "n_crs_grade2_plus",
        "Worst CRS grade ≥ 2",
        "patients",
        "0",
        lambda r: r["safety"]["crs_grade2_plus"],
        "safety",
    ),
    Claim("n_icans", "Any ICANS", "patients", "0", lambda r: r["safety"]["icans"], "safety"),
]

CLAIM_BY_ID = {c.id: c for c in CLAIMS}


def evaluate(ds) -> list[dict]:
    """All claims with published and reproduced values and the verdict."""
    r = _results(ds)
    out = []
    for c in CLAIMS:
        value = c.compute(r)
        value = (
            None
            if value is None
            else (int(value) if float(value).is_integer() and c.unit != "p" else float(value))
        )
        ok = holds(c.published, value)
        out.append(
            {
                "id": c.id,
                "statement": c.statement,
                "unit": c.unit,
                "published": published_value(c),
                "reproduced": value,
                "holds": ok,
                "status": "holds" if ok else ("not evaluable" if value is None else "does not hold"),
                "chapter": c.chapter,
            }
        )
    return out


def claims_document(ds, results: list[dict] | None = None) -> dict:
    """The claims.json document (schema: data contract)."""
    results = evaluate(ds) if results is None else results
    return {
        "dataset": {"name": ds.name, "provenance": ds.provenance, "sha256": ds.sha256()},
        "source": CITATION,
        "claims": results,
    }


def write_claims_json(ds, path) -> dict:
    """Write claims.json (stable key order, UTF-8, trailing newline) and return the document."""
    from pathlib import Path

    doc = claims_document(ds)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return doc

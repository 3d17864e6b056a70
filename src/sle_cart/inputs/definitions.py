"""Analysis definitions, analyte codes and their clinical sources.

Every threshold here is a default that a dataset may override under
``definitions:`` in its ``dataset.yml`` (see :func:`resolve`).  The values and
their sources follow the project's data contract and
``shared/reference/clinical-definitions.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from fractions import Fraction

#: analyte code -> (meaning, canonical unit).  Binding names from the data contract.
ANALYTES: dict[str, tuple[str, str]] = {
    "car_t": ("circulating CAR+ T cells", "cells/µL"),
    "cd19_b": ("circulating CD19+ B cells", "cells/µL"),
    "sledai_2k": ("SLEDAI-2K total score", "points"),
    "urine_protein_24h": ("24-hour urine protein", "g/24h"),
    "anti_dsdna": ("anti-dsDNA antibodies (Farr radioimmunoassay)", "IU/mL"),
    "c3": ("complement C3", "g/L"),
    "c4": ("complement C4", "g/L"),
}

#: Conversion factors as exact decimals: a converted value must round as the written one would.
ONE, CENTI, MILLI = Fraction(1), Fraction("0.01"), Fraction("0.001")

#: Accepted spellings of each canonical unit, and conversions of well-known
#: alternative units: written unit -> (canonical unit, factor to multiply by).
UNIT_ALIASES: dict[str, dict[str, Fraction]] = {
    "cells/µL": {"cells/µL": ONE, "cells/μL": ONE, "cells/uL": ONE, "cells/ul": ONE, "/µL": ONE, "/uL": ONE},
    "points": {"points": ONE, "point": ONE, "score": ONE},
    # 1 mg/24h = 0.001 g/24h
    "g/24h": {
        "g/24h": ONE,
        "g/24 h": ONE,
        "g/d": ONE,
        "g/day": ONE,
        "mg/24h": MILLI,
        "mg/24 h": MILLI,
        "mg/d": MILLI,
        "mg/day": MILLI,
    },
    "IU/mL": {"IU/mL": ONE, "IU/ml": ONE, "U/mL": ONE, "U/ml": ONE},
    # 1 mg/dL = 0.01 g/L
    "g/L": {"g/L": ONE, "g/l": ONE, "mg/dL": CENTI, "mg/dl": CENTI},
}

#: SLEDAI-2K descriptor weights (Gladman DD et al., J Rheumatol 2002;29:288).
SLEDAI_2K_WEIGHTS: dict[str, int] = {
    **{
        d: 8
        for d in (
            "seizure",
            "psychosis",
            "organic_brain_syndrome",
            "visual_disturbance",
            "cranial_nerve_disorder",
            "lupus_headache",
            "cerebrovascular_accident",
            "vasculitis",
        )
    },
    **{d: 4 for d in ("arthritis", "myositis", "urinary_casts", "haematuria", "proteinuria", "pyuria")},
    **{
        d: 2
        for d in (
            "rash",
            "alopecia",
            "mucosal_ulcers",
            "pleurisy",
            "pericarditis",
            "low_complement",
            "increased_dna_binding",
        )
    },
    **{d: 1 for d in ("fever", "thrombocytopenia", "leukopenia")},
}
SLEDAI_2K_MAX = sum(SLEDAI_2K_WEIGHTS.values())  # 105

#: Patients per chart above which figures show cohort summaries, not one line each.
LARGE_COHORT_PATIENTS = 30


@dataclass(frozen=True)
class Definitions:
    """Thresholds and windows of the analysis (all overridable per dataset).

    Defaults: the data contract; sources in each field's comment.
    """

    #: CD19+ B cells/µL below which circulating B cells count as depleted (abstract 0647).
    bcell_depletion_below: float = 5.0
    #: days after infusion by which depletion is counted (abstract 0647: day 1 and day 4).
    bcell_depletion_days: tuple[int, ...] = (1, 4)
    #: month-k visit: the value nearest to 30*k days, within this many days.
    visit_window_days: int = 10
    #: last study day of the CAR T kinetics window (abstract Fig. 1a: 90 days).
    kinetics_window_days: int = 90
    #: upper day of the AUC window (trapezoidal AUC over days 0..28).
    auc_window_days: int = 28
    #: complete renal response: urine protein below this (g/24h; KDIGO 2024).
    renal_complete_below_g24h: float = 0.5
    #: partial renal response: at least this fractional fall from baseline (KDIGO 2024) ...
    renal_partial_min_reduction: float = 0.5
    #: ... and urine protein below this (g/24h; KDIGO 2024).
    renal_partial_below_g24h: float = 3.0
    #: complement counted as normalised when C3 and C4 are at or above their lower
    #: limits on one day within 1..this day (abstract 0647: "within 2 months").
    complement_normal_by_day: int = 60
    #: CRS and ICANS claims count episodes with onset on days 0..this day (abstract 0647: "during
    #: the first 28 days"; NCT06513429 primary endpoint: adverse events within 28 days).
    safety_window_days: int = 28
    #: two-sided significance level for the SLEDAI-2K test.
    alpha: float = 0.05


def resolve(overrides: dict | None) -> Definitions:
    """Apply a dataset's ``definitions:`` mapping to the defaults.

    Unknown keys raise ``KeyError`` naming the accepted ones, so a typo never
    silently falls back to a default.
    """
    overrides = dict(overrides or {})
    known = {f.name: f for f in fields(Definitions)}
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise KeyError(f"unknown definition(s) {unknown}; accepted: {sorted(known)}")
    base = Definitions()
    cast = {}
    for key, value in overrides.items():
        default = getattr(base, key)
        cast[key] = tuple(int(v) for v in value) if isinstance(default, tuple) else type(default)(value)
    return replace(base, **cast)

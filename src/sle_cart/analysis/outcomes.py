"""What every claim needs, computed once per dataset, and the claim outcome type.

Each claim reduces to an :class:`Outcome`: the exact value, the number of
patients (or, for the p-value, non-zero pairs) it rests on, and for counts and
proportions the denominator (the evaluable patients).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from . import cohort, disease_activity, kinetics, renal, safety, serology
from .exact import Obs, maximum, median, minimum, observations
from .visits import decide_at_least

#: Days the abstract reports B-cell depletion by (claims n_bcell_depleted_by_day1 and _day4).
CLAIM_DEPLETION_DAYS = (1, 4)
#: SLEDAI-2K entry criterion of the trial (abstract 0647; NCT06513429): active disease.
SLEDAI_ENTRY = 10


@dataclass(frozen=True)
class Outcome:
    """A claim's value (exact; None = not evaluable), n evaluable, and denominator for counts."""

    value: Fraction | int | None
    n_evaluable: int
    denominator: int | None = None


def results(ds) -> dict:
    """Everything the claims need, computed once."""
    return {
        "p": ds.patients,
        "kin": kinetics.car_t_kinetics(ds),
        "dep": kinetics.bcell_depletion(ds, days=CLAIM_DEPLETION_DAYS),
        "sl": disease_activity.sledai_visits(ds),
        "test": disease_activity.sledai_change_test(ds, month=3),
        "renal": renal.response_counts(ds),
        "dsdna": serology.dsdna_conversion(ds),
        "comp": serology.complement_normalisation(ds),
        "safety": safety.safety_counts(ds),
        "fu": cohort.follow_up(ds),
        "d": ds.definitions,
    }


STATS = {"median": median, "min": minimum, "max": maximum}


def statistic(obs: list[Obs], which: str) -> Outcome:
    """Median, minimum or maximum of observations (censoring-aware), resting on all of them."""
    return Outcome(STATS[which](obs), len(obs))


def column_stat(values: pd.Series, which: str, censored: pd.Series | None = None) -> Outcome:
    return statistic(observations(values, censored), which)


def count(flags: pd.Series) -> Outcome:
    """Patients flagged True among those with a decided flag (NA = not evaluable)."""
    decided = flags.dropna()
    n = len(decided)
    return Outcome(int(decided.astype(bool).sum()) if n else None, n, n)


def car_t_peak(r: dict, which: str) -> Outcome:
    """Peak CAR T: quantified peaks, with non-expanders ranked below every one of them."""
    kin = r["kin"]
    sampled = kin[kin["expander"].notna()]
    obs = [
        Obs(Fraction(0), True) if not e else Obs(Fraction(v))  # exact decimal text: no float rounds it
        for e, v in zip(sampled["expander"], sampled["cmax_exact"])
    ]
    return statistic(obs, which)


def sledai(r: dict, visit: str, which: str) -> Outcome:
    sl = r["sl"]
    return column_stat(sl[visit], which, sl[f"{visit}_censored"])


def sledai_at_entry(r: dict) -> Outcome:
    sl = r["sl"].dropna(subset=["baseline"])
    return count(decide_at_least(sl["baseline"].astype(float), sl["baseline_censored"], SLEDAI_ENTRY))


def prior_lines(r: dict) -> Outcome:
    lines = r["p"]["prior_therapy_lines"].dropna()
    return count((lines >= 2).astype("boolean"))


def sex(r: dict, code: str | None) -> Outcome:
    """Patients of one sex (None: all patients), out of all patients."""
    n = len(r["p"])
    return Outcome(n if code is None else int((r["p"]["sex"] == code).sum()), n, n)


def renal_count(r: dict, category: str) -> Outcome:
    c = r["renal"]
    n = c["evaluable"]
    return Outcome(c[category] if n else None, n, n)


def renal_rate(r: dict) -> Outcome:
    c = r["renal"]
    n = c["evaluable"]
    return Outcome(Fraction(c["complete"] + c["partial"], n) if n else None, n, n)


def complement(r: dict) -> Outcome:
    return count(r["comp"][f"normal_by_day{r['d'].complement_normal_by_day}"])


def safety_count(r: dict, key: str) -> Outcome:
    n = r["safety"]["n_patients"]
    return Outcome(r["safety"][key], n, n)


def p_value(r: dict) -> Outcome:
    t = r["test"]
    return Outcome(t["p_exact"], t["n"])

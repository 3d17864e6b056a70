"""A deliberately plain, independent implementation of the data contract's claims (version 2).

It exists to be compared with the project over many generated cohorts, so it favours being
obviously right over being fast: standard library plus PyYAML only, no import of ``sle_cart``,
every number an exact ``Fraction`` (a binary float must never decide a comparison or a rounding).

An observation is a tuple ``(day, x, censored)``; ``censored`` means "``<x``": the true value
lies somewhere below ``x``. Comparisons with a threshold are three-valued (True/False/None).
"""

from __future__ import annotations

import csv
import itertools
import math
from fractions import Fraction
from pathlib import Path

import yaml

# The abstract's values as printed, so that their decimals are known: the contract's claims
# table, transcribed as "id value" pairs.
_TABLE = """
    n_patients 6  n_female 3  n_male 3  age_median 37  age_min 19  age_max 43
    disease_duration_median 9.5  disease_duration_min 3  disease_duration_max 14
    n_sledai_baseline_ge_10 6  n_prior_lines_ge_2 6  follow_up_median 5.5  follow_up_min 4  follow_up_max 7
    car_t_peak_median 188.1  car_t_peak_day_median 8.5  car_t_peak_day_min 7  car_t_peak_day_max 11
    n_bcell_depleted_by_day1 5  n_bcell_depleted_by_day4 6
    sledai_baseline_median 12  sledai_baseline_min 10  sledai_baseline_max 24
    sledai_m1_median 5.5  sledai_m1_min 4  sledai_m1_max 13
    sledai_m3_median 5.0  sledai_m3_min 2  sledai_m3_max 10  sledai_m3_p_value <0.05
    n_renal_complete 2  n_renal_partial 1  n_renal_no_response 3  renal_response_rate 0.5
    n_dsdna_negative 3  n_complement_normal_by_day60 6  n_crs_grade1 4  n_crs_grade2_plus 0  n_icans 0
"""
_WORDS = _TABLE.split()
PUBLISHED: dict[str, str] = dict(zip(_WORDS[::2], _WORDS[1::2]))

# Defaults of the definitions this oracle uses; the B-cell days are the ones the claim ids name.
DEFAULTS = {
    "bcell_depletion_below": 5,
    "visit_window_days": 10,
    "kinetics_window_days": 90,
    "renal_complete_below_g24h": "0.5",
    "renal_partial_min_reduction": "0.5",
    "renal_partial_below_g24h": "3.0",
    "complement_normal_by_day": 60,
    "safety_window_days": 28,
}

# Exact factors to the canonical unit (contract: "well-known alternatives ... are converted").
TO_CANONICAL = {
    ("c3", "mg/dL"): Fraction(1, 100),
    ("c4", "mg/dL"): Fraction(1, 100),
    ("urine_protein_24h", "mg/24h"): Fraction(1, 1000),
}


def exact(value) -> Fraction:
    """A YAML/CSV number as an exact Fraction of its decimal text (0.9 -> 9/10, not the float)."""
    return Fraction(str(value).strip())


def round_half_away(x: Fraction, decimals: int) -> Fraction:
    """Round an exact value half away from zero (188.05 -> 188.1, -2.5 -> -3)."""
    scale = 10**decimals
    magnitude = math.floor(abs(x) * scale + Fraction(1, 2))
    return Fraction(magnitude if x >= 0 else -magnitude, scale)


def holds(published: str, reproduced: Fraction | None) -> bool:
    if reproduced is None:
        return False
    if published.startswith("<"):
        return reproduced < exact(published[1:])
    return round_half_away(reproduced, len(published.partition(".")[2])) == exact(published)


# ---------------------------------------------------------------- reading a dataset folder
def load(folder: Path):
    meta = yaml.safe_load((folder / "dataset.yml").read_text(encoding="utf-8")) or {}
    with open(folder / "patients.csv", newline="", encoding="utf-8") as f:
        patients = list(csv.DictReader(f))
    series: dict[tuple[str, str], list] = {}  # (patient_id, analyte) -> observations by day
    with open(folder / "measurements.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text, analyte = row["value"].strip(), row["analyte"].strip()
            censored = text.startswith("<")
            x = exact(text.lstrip("<")) * TO_CANONICAL.get((analyte, row["unit"].strip()), 1)
            series.setdefault((row["patient_id"].strip(), analyte), []).append((int(row["day"]), x, censored))
    for obs in series.values():
        obs.sort()
    with open(folder / "adverse_events.csv", newline="", encoding="utf-8") as f:
        events = list(csv.DictReader(f))
    definitions = {**DEFAULTS, **(meta.get("definitions") or {})}
    return meta, patients, series, events, definitions


def reference_limit(meta: dict, analyte: str, key: str) -> Fraction | None:
    """A reference limit in canonical units, or None when the dataset does not give it."""
    entry = (meta.get("reference_ranges") or {}).get(analyte) or {}
    if entry.get(key) is None:
        return None
    return exact(entry[key]) * TO_CANONICAL.get((analyte, entry.get("unit")), 1)


def cell(patient: dict, column: str) -> Fraction | None:
    text = (patient.get(column) or "").strip()
    return exact(text) if text else None


# ---------------------------------------------------------------- three-valued comparisons
def below(obs, t: Fraction) -> bool | None:
    """Is the value < t?  '<x' is below t only when x <= t; when x > t nobody can say."""
    _, x, censored = obs
    if censored:
        return True if x <= t else None
    return x < t


def at_least(obs, t: Fraction) -> bool | None:
    b = below(obs, t)
    return None if b is None else not b


def baseline(obs):
    before = [o for o in obs if o[0] <= 0]
    return before[-1] if before else None


def after_day0(obs):  # days are integers, so "after day 0" is day >= 1
    return [o for o in obs if o[0] >= 1]


def visit(obs, month: int, window: int):
    """Month-k visit: nearest to 30k among days >= 1 (never a baseline day); tie -> earlier."""
    near = [o for o in after_day0(obs) if abs(o[0] - 30 * month) <= window]
    return min(near, key=lambda o: (abs(o[0] - 30 * month), o[0])) if near else None


# ---------------------------------------------------------------- statistics
def order_stat(values: list[tuple[Fraction, bool]], stat: str) -> Fraction | None:
    """Median/min/max of (x, censored) values. Censored values rank below every quantified one;
    not evaluable if a used position is censored, or if a censored limit exceeds a used value
    (then the true order is unknown)."""
    if not values:
        return None
    ranked = sorted(values, key=lambda v: (not v[1], v[0]))  # censored first, then ascending
    n = len(ranked)
    # For odd n both median positions are the same element, so the mean below is that element.
    positions = {"min": [0], "max": [n - 1], "median": [(n - 1) // 2, n // 2]}[stat]
    used = [ranked[i] for i in positions]
    if any(censored for _, censored in used):
        return None
    lowest_used = min(x for x, _ in used)
    if any(censored and x > lowest_used for x, censored in values):
        return None
    return Fraction(sum(x for x, _ in used), len(used))


def exact_wilcoxon_p(differences: list[Fraction]) -> Fraction | None:
    """Two-sided exact signed-rank p: P(|W+ - T/2| >= |w+ - T/2|) over all 2^n sign assignments.
    Ranks are doubled (first + last tied position) so that every quantity is an integer."""
    d = [x for x in differences if x != 0]  # Wilcoxon's rule: zero differences are dropped
    n = len(d)
    if n == 0:
        return None
    if n > 20:
        raise ValueError("the plain oracle only covers the exact branch (n <= 20)")
    magnitudes = sorted(abs(x) for x in d)
    # doubled mid-rank = first + last 1-based position of the tie = 2*first + (tie size - 1)
    r2 = [2 * (magnitudes.index(abs(x)) + 1) + magnitudes.count(abs(x)) - 1 for x in d]
    total2 = sum(r2)  # 2T; |2*(2W+) - 2T| = 4|W+ - T/2|
    observed = abs(2 * sum(r for r, x in zip(r2, d) if x > 0) - total2)
    extreme = sum(
        1
        for signs in itertools.product((False, True), repeat=n)
        if abs(2 * sum(r for r, s in zip(r2, signs) if s) - total2) >= observed
    )
    return Fraction(extreme, 2**n)


def hodges_lehmann_brute(differences: list[Fraction], target: Fraction = Fraction(95, 100)):
    """Hodges-Lehmann estimate and interval, its level counted by brute force.

    Returns None when the shift is not estimable (no differences, or all zero), else
    (estimate, interval) where interval is None or (low, high, level).  The level of
    [W_(k), W_(N+1-k)] is the share of all 2^n sign flips s (zeros flipped too) of the
    observed |d| for which the closed interval built from s*|d| contains 0; the
    interval is the one with the largest k whose level is >= target.
    """
    d = list(differences)
    n = len(d)
    if n == 0 or all(x == 0 for x in d):
        return None

    # Whole numbers, for speed: scale by the common denominator and use sums d_i + d_j (twice the
    # averages); neither changes the order of the Walsh averages or their side of 0.
    scale = math.lcm(*(x.denominator for x in d))
    whole = [int(x * scale) for x in d]

    def walsh_sums(xs):
        return sorted(xs[i] + xs[j] for i in range(n) for j in range(i, n))

    w = [Fraction(s, 2 * scale) for s in walsh_sums(whole)]
    big_n = len(w)
    estimate = (w[(big_n - 1) // 2] + w[big_n // 2]) / 2
    flipped = [
        walsh_sums([s * abs(x) for s, x in zip(signs, whole)])
        for signs in itertools.product((1, -1), repeat=n)
    ]
    interval = None
    for k in range(1, big_n // 2 + 1):  # no early stop: the largest qualifying k, whatever the order
        level = Fraction(sum(1 for v in flipped if v[k - 1] <= 0 <= v[big_n - k]), 2**n)
        if level >= target:
            interval = (w[k - 1], w[big_n - k], level)
    return estimate, interval


# ---------------------------------------------------------------- claim builders
def result(reproduced, n_evaluable: int, denominator: int | None = None) -> dict:
    return {"reproduced": reproduced, "n_evaluable": n_evaluable, "denominator": denominator}


def count(flags: list[bool]) -> dict:
    """A count over the evaluable patients (one flag each); no evaluable patient -> None."""
    n = len(flags)
    return result(Fraction(sum(flags)) if n else None, n, n)


def three_stats(prefix: str, values: list[tuple[Fraction, bool]]) -> dict:
    return {f"{prefix}_{s}": result(order_stat(values, s), len(values)) for s in ("median", "min", "max")}


def cohort_claims(patients, series, defs) -> dict:
    ids = [p["patient_id"].strip() for p in patients]
    out = {
        "n_patients": count([True] * len(patients)),
        "n_female": count([p["sex"].strip() == "F" for p in patients]),
        "n_male": count([p["sex"].strip() == "M" for p in patients]),
    }
    for prefix, column in (
        ("age", "age_years"),
        ("disease_duration", "disease_duration_years"),
        ("follow_up", "follow_up_months"),
    ):
        out |= three_stats(prefix, [(v, False) for p in patients if (v := cell(p, column)) is not None])
    lines = [v for p in patients if (v := cell(p, "prior_therapy_lines")) is not None]
    out["n_prior_lines_ge_2"] = count([v >= 2 for v in lines])
    sledai = [series.get((pid, "sledai_2k"), []) for pid in ids]
    window = int(defs["visit_window_days"])
    base = [b for obs in sledai if (b := baseline(obs))]
    m1 = [v for obs in sledai if (v := visit(obs, 1, window))]
    m3 = [v for obs in sledai if (v := visit(obs, 3, window))]
    for prefix, obs in (("sledai_baseline", base), ("sledai_m1", m1), ("sledai_m3", m3)):
        out |= three_stats(prefix, [(x, c) for _, x, c in obs])
    decided = [ge for b in base if (ge := at_least(b, Fraction(10))) is not None]
    out["n_sledai_baseline_ge_10"] = count(decided)
    differences = []
    for obs in sledai:
        b, v = baseline(obs), visit(obs, 3, window)
        if b and v and not b[2] and not v[2]:  # a censored value in a pair drops the pair
            differences.append(b[1] - v[1])
    n_nonzero = sum(1 for d in differences if d != 0)
    out["sledai_m3_p_value"] = result(exact_wilcoxon_p(differences), n_nonzero)
    return out


def kinetics_claims(ids, series, defs) -> dict:
    peaks, peak_days = [], []
    for pid in ids:
        window = [o for o in series.get((pid, "car_t"), []) if 0 <= o[0] <= int(defs["kinetics_window_days"])]
        if not window:
            continue
        quantified = [o for o in window if not o[2]]
        if not quantified:
            # Non-expander: censored with limit 0, so it ranks below every quantified peak
            # and its limit can never make the order undecided.
            peaks.append((Fraction(0), True))
            continue
        peak = max(x for _, x, _ in quantified)
        peaks.append((peak, False))
        peak_days.append((Fraction(min(d for d, x, _ in quantified if x == peak)), False))
    out = {"car_t_peak_median": result(order_stat(peaks, "median"), len(peaks))}
    out |= three_stats("car_t_peak_day", peak_days)
    threshold = exact(defs["bcell_depletion_below"])
    for day in (1, 4):  # the days the claim ids name
        flags = []
        for pid in ids:
            obs = [o for o in series.get((pid, "cd19_b"), []) if 0 <= o[0] <= day]
            decided = [b for o in obs if (b := below(o, threshold)) is not None]
            if decided:
                flags.append(any(decided))
        out[f"n_bcell_depleted_by_day{day}"] = count(flags)
    return out


def renal_claims(patients, series, defs) -> dict:
    complete_below = exact(defs["renal_complete_below_g24h"])
    partial_fraction = 1 - exact(defs["renal_partial_min_reduction"])
    partial_below = exact(defs["renal_partial_below_g24h"])
    categories = []
    for p in patients:
        if p["lupus_nephritis"].strip().lower() not in ("true", "yes", "1"):
            continue
        obs = series.get((p["patient_id"].strip(), "urine_protein_24h"), [])
        base, later = baseline(obs), after_day0(obs)
        # Active proteinuria needs a quantified baseline at or above the threshold.
        if base is None or base[2] or base[1] < complete_below or not later:
            continue
        last = later[-1]
        complete = below(last, complete_below)
        if complete is None:
            continue
        if complete:
            categories.append("complete")
        elif last[1] <= partial_fraction * base[1] and last[1] < partial_below:
            categories.append("partial")  # 'last' is quantified here: censored ones are decided above
        else:
            categories.append("none")
    n = len(categories)
    out = {
        f"n_renal_{name}": count([c == key for c in categories])
        for name, key in (("complete", "complete"), ("partial", "partial"), ("no_response", "none"))
    }
    responders = sum(1 for c in categories if c != "none")
    out["renal_response_rate"] = result(Fraction(responders, n) if n else None, n, n)
    return out


def serology_claims(meta, ids, series, defs) -> dict:
    uln = reference_limit(meta, "anti_dsdna", "upper")
    flags = []
    for pid in ids if uln is not None else []:
        obs = series.get((pid, "anti_dsdna"), [])
        base, later = baseline(obs), after_day0(obs)
        if base is None or base[2] or base[1] < uln or not later:
            continue  # not positive at baseline (decidedly), or nothing after infusion
        negative = below(later[-1], uln)
        if negative is not None:
            flags.append(negative)
    out = {"n_dsdna_negative": count(flags)}
    c3_lower, c4_lower = reference_limit(meta, "c3", "lower"), reference_limit(meta, "c4", "lower")
    last_day = int(defs["complement_normal_by_day"])
    flags = []
    for pid in ids if c3_lower is not None and c4_lower is not None else []:
        c3 = {o[0]: o for o in series.get((pid, "c3"), []) if 1 <= o[0] <= last_day}
        c4 = {o[0]: o for o in series.get((pid, "c4"), []) if 1 <= o[0] <= last_day}
        days = []
        for day in sorted(set(c3) & set(c4)):
            a, b = at_least(c3[day], c3_lower), at_least(c4[day], c4_lower)
            # Three-valued AND: one decided False settles it; otherwise both must be decided.
            days.append(False if a is False or b is False else (None if a is None or b is None else True))
        decided = [v for v in days if v is not None]
        if decided:
            flags.append(any(decided))
    out["n_complement_normal_by_day60"] = count(flags)
    return out


def safety_claims(ids, events, defs) -> dict:
    window = int(defs["safety_window_days"])
    counted = [e for e in events if 0 <= int(e["onset_day"]) <= window]
    worst_crs, icans = {}, set()
    for e in counted:
        pid, grade = e["patient_id"].strip(), int(e["grade"])
        if e["event"].strip() == "CRS":
            worst_crs[pid] = max(grade, worst_crs.get(pid, 0))
        elif e["event"].strip() == "ICANS":
            icans.add(pid)
    return {
        "n_crs_grade1": count([worst_crs.get(pid) == 1 for pid in ids]),
        "n_crs_grade2_plus": count([worst_crs.get(pid, 0) >= 2 for pid in ids]),
        "n_icans": count([pid in icans for pid in ids]),
    }


def plain_claims(folder: Path) -> dict[str, dict]:
    """Every claim of the contract's table: reproduced, n_evaluable, denominator, holds."""
    meta, patients, series, events, defs = load(Path(folder))
    ids = [p["patient_id"].strip() for p in patients]
    out = cohort_claims(patients, series, defs)
    out |= kinetics_claims(ids, series, defs)
    out |= renal_claims(patients, series, defs)
    out |= serology_claims(meta, ids, series, defs)
    out |= safety_claims(ids, events, defs)
    assert out.keys() == PUBLISHED.keys(), set(out) ^ set(PUBLISHED)
    for claim_id, r in out.items():
        r["holds"] = holds(PUBLISHED[claim_id], r["reproduced"])
    return {claim_id: out[claim_id] for claim_id in PUBLISHED}  # in the contract's order

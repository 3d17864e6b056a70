"""What the published numbers determine by themselves: consistency checks and implied facts.

Nothing here reads patient data.  The checks and implications work from the
values the abstract prints (the claim catalogue), so they are the same for every
dataset compared with the same publication.  Each implied fact comes from the
exhaustive enumerations of :mod:`.enumeration`.

Which quantities are taken as whole numbers, and why, is :data:`WHOLE_NUMBERS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from .enumeration import (
    FeasibleSet,
    feasible,
    median_is_possible,
    number,
    published,
    shown,
    sign_patterns,
    sorted_vectors,
)

#: Quantities read as whole numbers (the chapter's footnote gives these reasons).
WHOLE_NUMBERS = {
    "age": "ages are recorded in whole years",
    "follow_up": "follow-up is reported in whole months (4 to 7)",
    "car_t_peak_day": "study days are whole days",
    "sledai": "SLEDAI-2K is a sum of whole-number item weights, from 0 to 105",
}
#: The scale of SLEDAI-2K: the lowest and highest possible total.
SLEDAI_SCALE = (0, 105)


class Verdict(StrEnum):
    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    UNCHECKABLE = "cannot be checked from the text"


@dataclass(frozen=True)
class Check:
    """One consistency check: what is checked, the published numbers involved, the verdict and why."""

    topic: str
    claims: tuple[str, ...]
    verdict: Verdict
    reason: str


# ------------------------------------------------------------------ the checks
def _check(topic: str, claims: tuple[str, ...], ok: bool | None, why: str, why_not: str = "") -> Check:
    verdict = Verdict.UNCHECKABLE if ok is None else (Verdict.CONSISTENT if ok else Verdict.INCONSISTENT)
    return Check(topic, claims, verdict, why if ok or ok is None else (why_not or why))


def _partition(topic: str, parts: tuple[str, ...], whole: str = "n_patients") -> Check:
    total, n = sum(number(p) for p in parts), number(whole)
    return _check(topic, (*parts, whole), total == n, f"the parts add up to {shown(total)} of {shown(n)}")


#: Medians the abstract prints of whole-number quantities: the claim stem and how a reader names it.
MEDIANS = {
    "age": ("age", "age in years"),
    "follow_up": ("follow_up", "follow-up in months"),
    "car_t_peak_day": ("car_t_peak_day", "day of the CAR T cell peak"),
    "sledai_baseline": ("sledai", "SLEDAI-2K at baseline"),
    "sledai_m1": ("sledai", "SLEDAI-2K at month 1"),
    "sledai_m3": ("sledai", "SLEDAI-2K at month 3"),
}


def _median_checks() -> list[Check]:
    out = []
    n = int(number("n_patients"))
    for stem, (_kind, name) in MEDIANS.items():
        ids = (f"{stem}_median", f"{stem}_min", f"{stem}_max")
        median, lo, hi = (number(i) for i in ids)
        out.append(
            _check(
                f"the median {name} is possible for {n} whole numbers",
                ids[:1],
                median_is_possible(median, n),
                f"{shown(median)} is a whole number or a half, as a median of {n} whole numbers must be",
                f"{shown(median)} is neither a whole number nor a half",
            )
        )
        out.append(
            _check(
                f"the range of {name} holds its median",
                ids,
                lo <= median <= hi,
                f"{shown(lo)} ≤ {shown(median)} ≤ {shown(hi)}",
            )
        )
    return out


def checks() -> list[Check]:
    """Every consistency check of the published numbers, in the chapter's order."""
    n = number("n_patients")
    by_day1, by_day4 = number("n_bcell_depleted_by_day1"), number("n_bcell_depleted_by_day4")
    responders = number("n_renal_complete") + number("n_renal_partial")
    rate = number("renal_response_rate")
    crs = number("n_crs_grade1") + number("n_crs_grade2_plus")
    p_test = sign_patterns(int(n), Fraction(published("sledai_m3_p_value").lstrip("<")))
    return [
        _partition("women and men make up the cohort", ("n_female", "n_male")),
        _partition(
            "the renal categories make up the cohort",
            ("n_renal_complete", "n_renal_partial", "n_renal_no_response"),
        ),
        _check(
            "CRS grades with no CRS make up the cohort",
            ("n_crs_grade1", "n_crs_grade2_plus", "n_patients"),
            crs <= n,
            f"{shown(crs)} with CRS leaves {shown(n - crs)} without it",
            f"{shown(crs)} with CRS is more than the {shown(n)} patients",
        ),
        _check(
            "the renal response rate against its counts",
            ("n_renal_complete", "n_renal_partial", "renal_response_rate"),
            rate > 0 and (responders / rate).denominator == 1 and responders / rate <= n,
            f"{shown(responders)} responders at {shown(rate * 100)}% means "
            f"{shown(responders / rate) if rate else 'no'} patients with lupus nephritis",
        ),
        _check(
            "depletion by day 1 cannot exceed depletion by day 4",
            ("n_bcell_depleted_by_day1", "n_bcell_depleted_by_day4"),
            by_day1 <= by_day4 <= n,
            f"{shown(by_day1)} ≤ {shown(by_day4)} ≤ {shown(n)}",
        ),
        *_median_checks(),
        _check(
            f"p below {shown(p_test.alpha)} is attainable with {shown(n)} pairs",
            ("sledai_m3_p_value", "n_patients"),
            p_test.below_alpha > 0,
            f"the smallest exact two-sided p with {shown(n)} pairs is {shown(p_test.smallest_p)}",
        ),
        _check(
            "every patient met the entry criterion",
            ("sledai_baseline_min", "n_sledai_baseline_ge_10"),
            number("sledai_baseline_min") >= 10 and number("n_sledai_baseline_ge_10") == n,
            f"the lowest baseline score, {shown(number('sledai_baseline_min'))}, is at least 10",
        ),
    ]


def sledai_visits() -> dict[str, FeasibleSet]:
    """The feasible sorted score vectors at baseline, month 1 and month 3."""
    n = int(number("n_patients"))
    return {
        visit: feasible(
            n, number(f"{visit}_median"), int(number(f"{visit}_min")), int(number(f"{visit}_max"))
        )
        for visit in ("sledai_baseline", "sledai_m1", "sledai_m3")
    }


# ------------------------------------------------------------------ what they imply about the patients
@dataclass(frozen=True)
class Implications:
    """Patient-level facts the published numbers force (each from the enumerations above)."""

    #: the stated p is possible only when every paired difference is non-zero and of one sign
    every_difference_one_signed: bool
    #: the median score fell from baseline to month 3 (so the one sign is a fall)
    median_fell: bool
    #: patients with lupus nephritis implied by the renal responders and the stated response rate
    lupus_nephritis: Fraction | None
    #: per visit, every possible pair of middle values (third and fourth lowest of six)
    middle_pairs: dict[str, tuple[tuple[int, int], ...]]
    #: the smallest exact two-sided signed-rank p with one pair per patient
    smallest_p: Fraction
    #: the renal categories added up (complete, partial, none)
    renal_total: Fraction


def implications() -> Implications:
    n = int(number("n_patients"))
    alpha = Fraction(published("sledai_m3_p_value").lstrip("<"))
    rate = number("renal_response_rate")
    responders = number("n_renal_complete") + number("n_renal_partial")
    renal = ("n_renal_complete", "n_renal_partial", "n_renal_no_response")
    pairs = {}
    for visit in ("sledai_baseline", "sledai_m1", "sledai_m3"):
        vectors = sorted_vectors(
            n, number(f"{visit}_median"), int(number(f"{visit}_min")), int(number(f"{visit}_max"))
        )
        pairs[visit] = tuple(sorted({(v[n // 2 - 1], v[n // 2]) for v in vectors})) if n % 2 == 0 else ()
    signs = sign_patterns(n, alpha)
    return Implications(
        every_difference_one_signed=signs.below_alpha_all_nonzero_one_sign,
        median_fell=number("sledai_m3_median") < number("sledai_baseline_median"),
        lupus_nephritis=responders / rate if rate else None,
        middle_pairs=pairs,
        smallest_p=signs.smallest_p,
        renal_total=sum((number(i) for i in renal), Fraction(0)),
    )


def document() -> dict:
    """Everything above as plain JSON values (``consistency.json`` at the site root)."""
    visits = sledai_visits()
    found = implications()
    return {
        "checks": [
            {"topic": c.topic, "claims": list(c.claims), "verdict": str(c.verdict), "reason": c.reason}
            for c in checks()
        ],
        "whole_numbers": WHOLE_NUMBERS,
        "sledai_scale": list(SLEDAI_SCALE),
        "feasible_sorted_scores": {
            visit: {"count": fs.count, "lowest": list(fs.lower), "highest": list(fs.upper)}
            for visit, fs in visits.items()
        },
        "implications": {
            "every_difference_one_signed": found.every_difference_one_signed,
            "every_patient_improved": found.every_difference_one_signed and found.median_fell,
            "patients_with_lupus_nephritis": shown(found.lupus_nephritis) if found.lupus_nephritis else None,
            "middle_pairs": {k: [list(p) for p in v] for k, v in found.middle_pairs.items()},
            "smallest_exact_p": shown(found.smallest_p),
            "renal_categories_total": shown(found.renal_total),
        },
    }

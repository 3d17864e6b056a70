"""What the published numbers determine by themselves: consistency checks and implied facts.

Nothing here reads patient data.  The functions work from the values the
abstract prints (the claim catalogue), so their results are the same for every
dataset compared with the same publication.  Each implied fact comes from
exhaustive enumeration, which is cheap at six patients: every sorted vector of
whole numbers with a published median, minimum and maximum, and every pattern
of signs, zeros and ties of six paired differences.

Which quantities are taken as whole numbers, and why, is :data:`WHOLE_NUMBERS`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import cache
from math import comb

from .claims import CLAIMS
from .wilcoxon import signed_rank

#: Quantities read as whole numbers (the chapter's footnote gives these reasons).
WHOLE_NUMBERS = {
    "age": "ages are recorded in whole years",
    "follow_up": "follow-up is reported in whole months (4 to 7)",
    "car_t_peak_day": "study days are whole days",
    "sledai": "SLEDAI-2K is a sum of whole-number item weights, from 0 to 105",
}
#: The scale of SLEDAI-2K: the lowest and highest possible total.
SLEDAI_SCALE = (0, 105)
#: More sorted vectors than this is a range no abstract of a small cohort prints: refuse, not hang.
MAX_VECTORS = 2_000_000


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


@dataclass(frozen=True)
class FeasibleSet:
    """The sorted whole-number vectors of ``n`` values with a published median, minimum and maximum.

    ``lower[i]`` and ``upper[i]`` bound the (i+1)-th lowest value across all of them.
    """

    n: int
    median: Fraction
    minimum: int
    maximum: int
    count: int
    lower: tuple[int, ...]
    upper: tuple[int, ...]


@dataclass(frozen=True)
class SignPatterns:
    """Every pattern of ``n`` paired differences (signs, zeros, ties) and its exact two-sided p."""

    n: int
    alpha: Fraction
    patterns: int
    smallest_p: Fraction
    below_alpha: int
    below_alpha_all_nonzero_one_sign: bool


def published(claim_id: str) -> str:
    """The value the abstract prints for ``claim_id``, as text."""
    return next(c.published for c in CLAIMS if c.id == claim_id)


def number(claim_id: str) -> Fraction:
    """The printed value as an exact number (a threshold such as '<0.05' has no single value)."""
    text = published(claim_id)
    if text.startswith("<"):
        raise ValueError(f"{claim_id} is printed as a threshold ({text}), not a value")
    return Fraction(text)


def shown(x: Fraction) -> str:
    """A published-style number: '5.5' for 11/2, '12' for 12 (printed values end in decimals)."""
    if x.denominator == 1:
        return str(x.numerator)
    digits = 1
    while (x * 10**digits).denominator != 1:
        digits += 1
        if digits > 12:  # not a decimal fraction: say so rather than round silently
            return f"{x.numerator}/{x.denominator}"
    return f"{float(x):.{digits}f}"


def median_of(values: tuple[int, ...]) -> Fraction:
    """The median of a sorted tuple, exactly."""
    n = len(values)
    return Fraction(values[n // 2]) if n % 2 else Fraction(values[n // 2 - 1] + values[n // 2], 2)


def median_is_possible(median: Fraction, n: int) -> bool:
    """Whether ``n`` whole numbers can have this median: a whole number, or (n even) a half."""
    return (median * (1 if n % 2 else 2)).denominator == 1


def sorted_vectors(n: int, median: Fraction, minimum: int, maximum: int) -> Iterator[tuple[int, ...]]:
    """Every non-decreasing vector of ``n`` whole numbers with this minimum, maximum and median."""
    if n < 2 or minimum > maximum or not median_is_possible(median, n):
        return
    if comb(maximum - minimum + n - 2, n - 2) > MAX_VECTORS:
        raise ValueError(f"a range of {minimum} to {maximum} over {n} values is too wide to enumerate")
    for middle in itertools.combinations_with_replacement(range(minimum, maximum + 1), n - 2):
        vector = (minimum, *middle, maximum)
        if median_of(vector) == median:
            yield vector


def feasible(n: int, median: Fraction, minimum: int, maximum: int) -> FeasibleSet:
    """Count the vectors of :func:`sorted_vectors` and bound each order statistic across them."""
    count, lower, upper = 0, [maximum] * n, [minimum] * n
    for vector in sorted_vectors(n, median, minimum, maximum):
        count += 1
        lower = [min(a, b) for a, b in zip(lower, vector)]
        upper = [max(a, b) for a, b in zip(upper, vector)]
    return FeasibleSet(n, median, minimum, maximum, count, tuple(lower), tuple(upper))


@cache  # a second or so at six pairs, and the same for every dataset
def sign_patterns(n: int, alpha: Fraction) -> SignPatterns:
    """Every multiset of ``n`` differences from −n…n, each with its exact two-sided signed-rank p.

    Magnitudes 1…n realise every way ``n`` non-zero differences can tie, and
    the test depends on the differences only through their signs, zeros and
    the order and ties of their magnitudes, so these multisets are every case.
    """
    patterns = below = 0
    smallest, forced = Fraction(1), True
    for diffs in itertools.combinations_with_replacement(range(-n, n + 1), n):
        test = signed_rank([Fraction(d) for d in diffs])
        patterns += 1
        if test.p_value is None:
            continue
        smallest = min(smallest, Fraction(test.p_value))
        if test.p_value < alpha:
            below += 1
            forced &= 0 not in diffs and (all(d > 0 for d in diffs) or all(d < 0 for d in diffs))
    return SignPatterns(n, alpha, patterns, smallest, below, forced and below > 0)


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

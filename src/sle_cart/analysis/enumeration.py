"""Exhaustive enumeration over published numbers, the ground of :mod:`.consistency`.

Cheap at six patients: every sorted vector of whole numbers with a published
median, minimum and maximum, and every pattern of signs, zeros and ties of six
paired differences with its exact signed-rank p.  Nothing here reads patient data.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from math import comb

from . import publications
from .wilcoxon import signed_rank

#: More sorted vectors than this is a range no abstract of a small cohort prints: refuse, not hang.
MAX_VECTORS = 2_000_000
#: More sign patterns than this (seven pairs: 116,280; eight: 735,471) takes minutes: refuse, not hang.
MAX_PATTERNS = 200_000


class NotStated(LookupError):
    """The publication in force states no value for a claim a check or an enumeration needs."""

    def __init__(self, claim_id: str):
        super().__init__(claim_id)
        self.claim_id = claim_id


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


def published(claim_id: str, publication=None) -> str:
    """The value ``publication`` (default: abstract 0647) prints for ``claim_id``, as text.

    Raises :class:`NotStated` when the publication gives no value for it.
    """
    text = (publication or publications.default()).value(claim_id)
    if text is None:
        raise NotStated(claim_id)
    return text


def number(claim_id: str, publication=None) -> Fraction:
    """The printed value as an exact number (a threshold such as '<0.05' has no single value)."""
    text = published(claim_id, publication)
    if text.startswith("<"):
        raise ValueError(f"{claim_id} is printed as a threshold ({text}), not a value")
    return Fraction(text)


class Stated:
    """The values a publication states (default: abstract 0647), read as exact numbers.

    Calling it with a claim id gives the value, or raises :class:`NotStated`; :meth:`shown`
    never raises, for the words of a check that cannot be made.
    """

    def __init__(self, publication=None):
        self.publication = publication

    def __call__(self, claim_id: str) -> Fraction:
        return number(claim_id, self.publication)

    def text(self, claim_id: str) -> str:
        return published(claim_id, self.publication)

    def shown(self, claim_id: str, otherwise: str) -> str:
        try:
            return self.text(claim_id)
        except NotStated:
            return otherwise


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
    if comb(3 * n, n) > MAX_PATTERNS:  # multisets of n from 2n + 1 differences
        raise ValueError(f"{n} pairs have too many sign patterns to enumerate")
    patterns = below = 0
    smallest, forced = Fraction(1), True
    for diffs in itertools.combinations_with_replacement(range(-n, n + 1), n):
        test = signed_rank(list(diffs))  # whole numbers: exact as they are
        patterns += 1
        if test.p_value is None:
            continue
        smallest = min(smallest, Fraction(test.p_value))
        if test.p_value < alpha:
            below += 1
            forced &= 0 not in diffs and (all(d > 0 for d in diffs) or all(d < 0 for d in diffs))
    return SignPatterns(n, alpha, patterns, smallest, below, forced and below > 0)

"""Uncertainty of small-sample results: exact binomial intervals and the Hodges–Lehmann shift.

* Clopper & Pearson (Biometrika 1934;26:404): the exact interval of a proportion
  k/n, from scipy.stats (3/6 -> 0.118–0.882; 0/6 -> 0–0.459).
* Hodges–Lehmann estimate of a paired shift: the median of the n(n+1)/2 Walsh
  averages (d_i + d_j)/2, i <= j.  Its exact interval is [W_(k), W_(N+1−k)] over
  the sorted Walsh averages, N = n(n+1)/2, with confidence 1 − 2·P(W+ <= k − 1)
  under H0 (Hollander, Wolfe & Chicken, 3rd ed., §3.3).  Only a few levels are
  attainable with small n; the interval reported is the narrowest whose level is
  at least 95 %, and its own level is reported with it (n = 6: 96.9 %, never
  called 95 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations_with_replacement

from .exact import Obs, median
from .wilcoxon import null_distribution

TARGET = Fraction(95, 100)


def clopper_pearson(k: int, n: int) -> tuple[float, float] | None:
    """Exact two-sided 95 % interval of the proportion k/n; None when n is 0."""
    if n <= 0:
        return None
    from scipy import stats  # imported here: it costs most of a chapter's start-up time

    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=0.95, method="exact")
    return float(ci.low), float(ci.high)


@dataclass(frozen=True)
class ShiftEstimate:
    """Hodges–Lehmann estimate of a paired change and its exact interval at an attainable level."""

    n: int
    estimate: Fraction | None
    low: Fraction | None
    high: Fraction | None
    level: Fraction | None  # the interval's exact confidence; None when no level reaches 95 %


def walsh_averages(d: list[Fraction]) -> list[Fraction]:
    """All (d_i + d_j)/2 with i <= j, sorted."""
    return sorted((a + b) / 2 for a, b in combinations_with_replacement(d, 2))


def _level(n: int, k: int) -> Fraction:
    """Confidence of [W_(k), W_(N+1−k)]: 1 − 2·P(W+ <= k − 1) for the signed-rank statistic without ties."""
    dist = null_distribution([2 * r for r in range(1, n + 1)])  # doubled ranks 2, 4, …, 2n
    below = sum(c for s, c in dist.items() if s // 2 <= k - 1)
    return 1 - Fraction(2 * below, 2**n)


def hodges_lehmann(d: list[Fraction]) -> ShiftEstimate:
    """The Hodges–Lehmann estimate of the changes ``d`` with its exact interval (see the module docstring)."""
    n = len(d)
    if n == 0:
        return ShiftEstimate(0, None, None, None, None)
    w = walsh_averages(d)
    estimate = median([Obs(x) for x in w])
    best = None
    for k in range(1, len(w) // 2 + 1):
        level = _level(n, k)
        if level < TARGET:
            break
        best = (k, level)
    if best is None:
        return ShiftEstimate(n, estimate, None, None, None)
    k, level = best
    return ShiftEstimate(n, estimate, w[k - 1], w[len(w) - k], level)

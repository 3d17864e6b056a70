"""Uncertainty of small-sample results: exact binomial intervals and the Hodges–Lehmann shift.

* Clopper & Pearson (Biometrika 1934;26:404): the exact interval of a proportion
  k/n, from scipy.stats (3/6 -> 0.118–0.882; 0/6 -> 0–0.459).
* Hodges–Lehmann estimate of a paired shift: the median of the N = n(n+1)/2 Walsh
  averages (d_i + d_j)/2, i <= j, over all n differences, zeros included
  (Hollander, Wolfe & Chicken, *Nonparametric Statistical Methods*, 3rd ed. 2014, §3.2).
  Its interval is [W_(k), W_(N+1−k)] over the sorted Walsh averages (§3.3).  Only a
  few levels are attainable with small n; the interval reported is the narrowest
  (largest k) whose attained level is at least 95 %, and that level is reported
  with it (n = 6 without ties: 96.9 %, never called 95 %).

The attained level, and what ``ShiftEstimate.level_basis`` says about it:

* ``"exact"`` — no ties among ``|d|`` and no zero difference.  Then the number of
  positive Walsh averages is the signed-rank statistic W+ (Tukey), so the level is
  1 − 2·P(W+ <= k − 1) under the signed-rank distribution over ranks 1..n (§3.3),
  whatever the data.
* ``"permutation"`` — ties or zeros among the differences.  The level is then
  computed from the sign-flip distribution of these data, the one the exact test
  uses (§3.1): each of the m non-zero differences keeps its magnitude and takes
  the sign + or − with probability ½, independently (a zero is zero under either
  sign, so it stays in the Walsh averages exactly as in the estimate).  The level
  is the share of those 2ᵐ equally likely data sets whose interval
  [W_(k), W_(N+1−k)] (closed) contains 0:

      level(k) = #{s in {−1, +1}ᵐ : W_(k)(s·d) <= 0 <= W_(N+1−k)(s·d)} / 2ᵐ  (d: the magnitudes).

  It is counted exactly, for any n, by the correspondence between Walsh averages
  and signs (see ``_permutation_levels``).  Without ties or zeros it reduces to
  the ``"exact"`` formula.  It is the interval's coverage when the differences'
  magnitudes are those observed and the true shift is 0: conditional on the
  data's magnitudes, as the exact test is.
* ``"normal approximation"`` — more than 20 differences (where the signed-rank
  test also uses the normal approximation): k = floor(N/2 − 1.96·sd(W+)),
  sd(W+)² = n(n+1)(2n+1)/24 (§3.3, large samples), and the level is 95 %
  approximately; it is stated as approximate.
* ``"nominal"`` is not produced.

With no differences, or with every difference zero, the shift is not estimable:
``estimate``, ``low``, ``high``, ``level`` and ``level_basis`` are all None (an
"estimate" of 0 with an interval of 0.0 to 0.0 would claim a precision that
nothing measured).  When no k reaches 95 % the estimate is given without an
interval (``low``, ``high``, ``level``, ``level_basis`` None).
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations_with_replacement, groupby
from math import comb

from .exact import Obs, median
from .walsh import walsh_order_statistics
from .wilcoxon import EXACT_MAX_N, null_distribution

TARGET = Fraction(95, 100)
EXACT_LEVEL = "exact"  # no ties, no zeros: the signed-rank distribution over ranks 1..n
PERMUTATION_LEVEL = "permutation"  # ties or zeros: the sign-flip distribution of these data
NOMINAL_LEVEL = "nominal"  # not produced here (see the module docstring)
APPROXIMATE_LEVEL = "normal approximation"  # more than EXACT_MAX_N differences: 95 % approximately
#: Two-sided 95 % quantile of the standard normal distribution.
Z95 = 1.959963984540054


@functools.lru_cache(maxsize=4096)  # a pure function of two integers, asked for the same counts often
def clopper_pearson(k: int, n: int) -> tuple[float, float] | None:
    """Exact two-sided 95 % interval of the proportion k/n; None when n is 0."""
    if n <= 0:
        return None
    from scipy import stats  # imported here: it costs most of a chapter's start-up time

    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=0.95, method="exact")
    return float(ci.low), float(ci.high)


@dataclass(frozen=True)
class ShiftEstimate:
    """Hodges–Lehmann estimate of a paired change and its interval at an attainable level.

    ``estimate`` is None when the shift is not estimable (no differences, or all zero);
    ``level`` is the interval's attained confidence and ``level_basis`` how it was
    obtained ("exact" or "permutation", see the module docstring); both None without
    an interval.  ``n_zero`` counts the zero differences (kept in the Walsh averages).
    """

    n: int
    estimate: Fraction | None
    low: Fraction | None
    high: Fraction | None
    level: Fraction | None
    level_basis: str | None = None
    n_zero: int = 0

    @property
    def estimable(self) -> bool:
        return self.estimate is not None


def walsh_averages(d: list[Fraction]) -> list[Fraction]:
    """All (d_i + d_j)/2 with i <= j, sorted."""
    return sorted((a + b) / 2 for a, b in combinations_with_replacement(d, 2))


def _level(n: int, k: int) -> Fraction:
    """Confidence of [W_(k), W_(N+1−k)]: 1 − 2·P(W+ <= k − 1) for the signed-rank statistic without ties."""
    dist = null_distribution([2 * r for r in range(1, n + 1)])  # doubled ranks 2, 4, …, 2n
    below = sum(c for s, c in dist.items() if s // 2 <= k - 1)
    return 1 - Fraction(2 * below, 2**n)


def _permutation_levels(d: list[Fraction]) -> list[Fraction]:
    """level(k) for k = 1..N, counted over the 2ᵐ sign flips of the non-zero |d| (see the module docstring).

    0 lies in the closed interval [W_(k), W_(N+1−k)] exactly when at least k Walsh
    averages are <= 0 and at least k are >= 0, i.e. when P <= N − k and M <= N − k,
    with P and M the numbers of positive and negative Walsh averages.  A single
    rank sum does not decide this, because a Walsh average of 0 (two tied
    magnitudes of opposite sign, or zeros) counts on both sides; so P and M are
    counted separately.  The sign of (e_i + e_j)/2 is the sign of whichever of
    e_i, e_j has the larger magnitude; with L the number of |d| strictly below a
    tie group of magnitude a > 0 (zeros included) and p of its t members positive,
    that group contributes p·L + p(p+1)/2 positive and q·L + q(q+1)/2 negative
    averages (q = t − p), and p·q averages equal to 0.  Zeros contribute
    z(z+1)/2 averages equal to 0 whatever the signs.  Counting (P, X = Σ p·q) by
    dynamic programming over the tie groups, with weight C(t, p), enumerates the
    2ᵐ assignments exactly.
    """
    n = len(d)
    total = n * (n + 1) // 2
    nonzero = sorted(abs(x) for x in d if x != 0)
    zeros = n - len(nonzero)
    fixed_zero = zeros * (zeros + 1) // 2
    states = Counter({(0, 0): 1})  # (P, X) -> number of sign assignments
    below = zeros
    for _, group in groupby(nonzero):
        t = len(list(group))
        nxt: Counter = Counter()
        for (pos, ties), c in states.items():
            for p in range(t + 1):
                nxt[(pos + p * below + p * (p + 1) // 2, ties + p * (t - p))] += c * comb(t, p)
        states = nxt
        below += t
    worst = Counter()  # max(P, M) -> number of sign assignments
    for (pos, ties), c in states.items():
        worst[max(pos, total - fixed_zero - ties - pos)] += c
    assignments = 2 ** len(nonzero)
    levels, covered = [], sum(worst.values())
    for k in range(1, total + 1):
        covered -= worst.get(total - k + 1, 0)  # k grows: assignments with max(P, M) = N − k + 1 drop out
        levels.append(Fraction(covered, assignments))
    return levels


def _normal_k(n: int) -> int:
    """Large samples: k = floor(N/2 − z·sd(W+)) (§3.3, large-sample approximation), at least 1."""
    sd = math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
    return max(1, math.floor(n * (n + 1) / 4 - Z95 * sd))


def _large_sample(d: list[Fraction], n_zero: int) -> ShiftEstimate:
    """More than 20 differences: the estimate and the normal-approximation interval, from a few order
    statistics of the Walsh averages (:mod:`.walsh`) instead of all n(n+1)/2 of them."""
    n = len(d)
    total, k = n * (n + 1) // 2, _normal_k(n)
    middle = [(total + 1) // 2, (total + 2) // 2]  # the same rank twice when N is odd
    wanted = [*middle, k, total + 1 - k]
    got = walsh_order_statistics(d, wanted)
    if got is None:  # values too large for integer arithmetic: list them (slow, exact)
        w = walsh_averages(d)
        got = [w[r - 1] for r in wanted]
    return ShiftEstimate(n, (got[0] + got[1]) / 2, got[2], got[3], TARGET, APPROXIMATE_LEVEL, n_zero)


def hodges_lehmann(d: list[Fraction]) -> ShiftEstimate:
    """The Hodges–Lehmann estimate of the changes ``d`` with its interval (see the module docstring).

    Hollander, Wolfe & Chicken, *Nonparametric Statistical Methods*, 3rd ed., §3.2–3.3.
    """
    n = len(d)
    n_zero = sum(1 for x in d if x == 0)
    if n == 0 or n_zero == n:
        return ShiftEstimate(n, None, None, None, None, None, n_zero)
    if n > EXACT_MAX_N:  # as the test: beyond this, counting grows without bound and the normal law is close
        return _large_sample(d, n_zero)
    w = walsh_averages(d)
    estimate = median([Obs(x) for x in w])
    ties_or_zeros = n_zero > 0 or len({abs(x) for x in d}) < n
    if ties_or_zeros:
        levels = _permutation_levels(d)
        level_of, basis = (lambda k: levels[k - 1]), PERMUTATION_LEVEL
    else:
        level_of, basis = (lambda k: _level(n, k)), EXACT_LEVEL
    best = None
    for k in range(1, len(w) // 2 + 1):
        level = level_of(k)
        if level < TARGET:  # levels never rise with k, so no wider k can qualify after this
            break
        best = (k, level)
    if best is None:
        return ShiftEstimate(n, estimate, None, None, None, None, n_zero)
    k, level = best
    return ShiftEstimate(n, estimate, w[k - 1], w[len(w) - k], level, basis, n_zero)

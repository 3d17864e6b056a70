"""Order statistics of the Walsh averages without listing them: large samples in O(n log n) memory O(n).

A Hodges–Lehmann estimate and interval need only a few of the N = n(n+1)/2
Walsh averages (d_i + d_j)/2, i <= j: the middle one or two and the k-th from
each end.  Listing all of them costs N exact fractions (18 million for 6,000
patients).  Here the differences are scaled to integers s (by the least common
denominator L), sorted, and the r-th smallest pair sum is found by bisection on
the integer x with count(x) = #{i <= j : s_i + s_j <= x}, which one vectorised
``searchsorted`` gives.  Every step is integer arithmetic, so the result is the
exact Walsh average x / (2L).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

#: Scaled sums must fit an int64 with room to spare.
INT_LIMIT = 2**61


def _scaled(d: list[Fraction]) -> tuple[np.ndarray, int] | None:
    """The sorted differences times their least common denominator, as int64; None if too large."""
    lcd = math.lcm(*(x.denominator for x in d))
    ints = sorted(int(x * lcd) for x in d)
    if max(abs(ints[0]), abs(ints[-1])) * 2 >= INT_LIMIT:
        return None
    return np.asarray(ints, dtype=np.int64), lcd


def _count_at_most(s: np.ndarray, x: int) -> int:
    """#{i <= j : s_i + s_j <= x} for sorted s."""
    upto = np.searchsorted(s, x - s, side="right")  # j < upto[i] have s_i + s_j <= x
    return int(np.maximum(upto - np.arange(len(s)), 0).sum())


def _pair_sum(s: np.ndarray, rank: int) -> int:
    """The rank-th smallest s_i + s_j, i <= j (1-based), by bisection on the integers."""
    lo, hi = 2 * int(s[0]), 2 * int(s[-1])
    while lo < hi:
        mid = (lo + hi) // 2
        if _count_at_most(s, mid) >= rank:
            hi = mid
        else:
            lo = mid + 1
    return lo


def walsh_order_statistics(d: list[Fraction], ranks: list[int]) -> list[Fraction] | None:
    """The Walsh averages of the given 1-based ranks, exactly; None when the values are too large to scale."""
    scaled = _scaled(d)
    if scaled is None:
        return None
    s, lcd = scaled
    return [Fraction(_pair_sum(s, r), 2 * lcd) for r in ranks]

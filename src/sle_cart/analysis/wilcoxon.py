"""The Wilcoxon signed-rank test, exact with ties and zeros (data contract v2).

Zero differences are dropped (Wilcoxon's rule) and ``|d|`` is ranked with
mid-ranks.  Under H0 each of the n signs is + or − with probability ½, so the
null distribution of W+ is the 2ⁿ equally likely sign assignments over those
ranks (Hollander, Wolfe & Chicken, *Nonparametric Statistical Methods*, 3rd ed.,
§3.1).  It is counted exactly here, on doubled ranks (whole numbers even with
ties), for n <= 20; two-sided p = ``P(|W+ − T/2| >= |w+ − T/2|)``, T the sum of the
ranks.  Above 20 pairs scipy's normal approximation with tie correction is used,
and the method says so.

scipy 1.17's ``wilcoxon(method="auto")`` is not exact with ties above 13 pairs,
and its exact permutation mode takes minutes at n = 20; counting sign
assignments by rank sum takes milliseconds and gives the same distribution.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

EXACT_MAX_N = 20
# Reader-facing: these texts are printed in tables and the paper, so no caret notation for powers.
EXACT = "Wilcoxon signed-rank, exact (every assignment of signs to the mid-ranks, zeros dropped), two-sided"
APPROX = "Wilcoxon signed-rank, normal approximation with tie correction (more than 20 pairs), two-sided"
# Short machine labels for claims.json and the ledger ("method" of the p-value claim).
EXACT_LABEL = "exact"
APPROX_LABEL = "normal approximation"


@dataclass(frozen=True)
class SignedRank:
    """A signed-rank test: n non-zero pairs, W+ (sum of the ranks of positive differences), exact p."""

    n: int
    n_zero: int
    w_plus: Fraction | None
    p_value: Fraction | float | None
    method: str

    @property
    def exact(self) -> bool:
        """True when p was counted over the sign assignments, False for the normal approximation."""
        return self.method == EXACT

    @property
    def method_label(self) -> str:
        """'exact' or 'normal approximation': the short label claims.json and the ledger carry."""
        return EXACT_LABEL if self.exact else APPROX_LABEL

    @property
    def minimum_p(self) -> Fraction | None:
        """The smallest two-sided p any data could give with n pairs: 2/2ⁿ."""
        return Fraction(2, 2**self.n) if self.n else None


def doubled_midranks(magnitudes: list[Fraction]) -> list[int]:
    """Twice the mid-rank of each magnitude (ties share the mean of their positions)."""
    order = sorted(range(len(magnitudes)), key=lambda i: magnitudes[i])
    ranks = [0] * len(magnitudes)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and magnitudes[order[j + 1]] == magnitudes[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + 1) + (j + 1)  # 2 × mean of positions i+1..j+1
        i = j + 1
    return ranks


def null_distribution(doubled: list[int]) -> Counter:
    """How many of the 2ⁿ sign assignments give each doubled W+."""
    counts = Counter({0: 1})
    for r in doubled:
        nxt = Counter(counts)
        for s, c in counts.items():
            nxt[s + r] += c
        counts = nxt
    return counts


@lru_cache(maxsize=1024)
def _null_counts(doubled: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    return tuple(null_distribution(list(doubled)).items())


@lru_cache(maxsize=8192)
def _as_extreme(doubled: tuple[int, ...], distance: int) -> int:
    """How many sign assignments of these (sorted) doubled ranks put doubled W+ at least ``distance``
    from its centre.  Cached: the enumeration behind the published-numbers checks
    (``enumeration.sign_patterns``) asks it of the same few tie structures thousands of times."""
    total2 = sum(doubled)
    return sum(c for s, c in _null_counts(doubled) if abs(2 * s - total2) >= distance)


def signed_rank(differences: list[Fraction]) -> SignedRank:
    """Two-sided signed-rank test of the paired differences (exact up to 20 non-zero pairs)."""
    nonzero = [d for d in differences if d != 0]
    n, n_zero = len(nonzero), len(differences) - len(nonzero)
    if n == 0:
        return SignedRank(0, n_zero, None, None, EXACT)
    doubled = doubled_midranks([abs(d) for d in nonzero])
    w2 = sum(r for d, r in zip(nonzero, doubled) if d > 0)
    total2 = sum(doubled)
    if n <= EXACT_MAX_N:
        extreme = _as_extreme(tuple(sorted(doubled)), abs(2 * w2 - total2))
        return SignedRank(n, n_zero, Fraction(w2, 2), Fraction(extreme, 2**n), EXACT)
    from scipy import stats  # imported here: it costs most of a chapter's start-up time

    res = stats.wilcoxon([float(d) for d in nonzero], method="approx", correction=False)
    return SignedRank(n, n_zero, Fraction(w2, 2), float(res.pvalue), APPROX)

"""Labels that are true (issue 17): the Hodges–Lehmann level with ties and zeros, the
signed-rank method label, and p-values shown with enough figures to decide their threshold.

The Hodges–Lehmann levels are checked against tests/plain_contract.py's brute force, which
builds the interval from every one of the 2^n sign flips of the observed |d|.
"""

from __future__ import annotations

import os
import tempfile
from fractions import Fraction
from pathlib import Path

# Keep hypothesis's database out of the working tree (see test_plain_contract.py).
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "sle-cart-hypothesis")
)

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plain_contract import hodges_lehmann_brute
from sle_cart.analysis import disease_activity
from sle_cart.analysis.exact import exact, round_half_away
from sle_cart.analysis.uncertainty import _level, _permutation_levels, hodges_lehmann, walsh_averages
from sle_cart.analysis.wilcoxon import APPROX, EXACT, signed_rank
from sle_cart.present.formatting import p_value

F = Fraction


def fr(*xs) -> list[Fraction]:
    return [F(x) for x in xs]


def agrees_with_brute_force(d: list[Fraction]) -> None:
    hl, brute = hodges_lehmann(d), hodges_lehmann_brute(d)
    if brute is None:
        assert (hl.estimate, hl.low, hl.high, hl.level, hl.level_basis) == (None,) * 5
        assert not hl.estimable
        return
    estimate, interval = brute
    assert hl.estimate == estimate
    if interval is None:
        assert (hl.low, hl.high, hl.level, hl.level_basis) == (None,) * 4
    else:
        assert (hl.low, hl.high, hl.level) == interval
        ties_or_zeros = 0 in d or len({abs(x) for x in d}) < len(d)
        assert hl.level_basis == ("permutation" if ties_or_zeros else "exact")


# ---------------------------------------------------------------- Hodges–Lehmann level
TIED = [
    fr(-6, -6, -11, -11, -6, -4),  # the bundled month-1 changes: ties
    fr(0, -2, -4, -4, -6, -8),  # a zero and a tie
    fr(0, 0, -3, -3, -3, -5, -7),
    fr(1, -1, 2, -2, 3, 3, 0),  # opposite signs on tied magnitudes: Walsh averages equal to 0
    fr(-4, -4, -4, -4, -4, -4, -4, -4),  # one tie group of 8
    fr(0, 0, 0, 0, 0, 0, 5, -5),
    fr(0, 0, 0, 0, 0, 0, 0),  # every difference zero: nothing to estimate
    fr("1.5", "-0.5", "0.5", "1.5", 0, 2, "-1.5"),
    fr(-1, -1, -1, -1, -1),  # n = 5 all tied: no interval reaches 95 % without zeros
    fr(0, -1, -1, -1, -1),
]


@pytest.mark.parametrize("d", TIED, ids=[" ".join(map(str, d)) for d in TIED])
def test_level_with_ties_and_zeros_is_the_sign_flip_coverage(d):
    agrees_with_brute_force(d)


@given(st.lists(st.integers(-3, 3).map(Fraction), min_size=1, max_size=7))
def test_level_matches_brute_force_on_tied_small_samples(d):
    agrees_with_brute_force(d)


@given(st.lists(st.integers(-40, 40).map(lambda x: Fraction(x, 2)), min_size=1, max_size=8))
def test_level_matches_brute_force_on_wider_samples(d):
    agrees_with_brute_force(d)


@pytest.mark.parametrize("n", range(1, 13))
def test_permutation_count_reduces_to_the_no_ties_formula(n):
    """Without ties or zeros the sign-flip count equals 1 − 2·P(W+ <= k − 1) for every k."""
    d = [F((-1) ** i * (i + 1)) for i in range(n)]
    levels = _permutation_levels(d)
    assert levels[: n * (n + 1) // 4] == [_level(n, k) for k in range(1, n * (n + 1) // 4 + 1)]


def test_no_ties_keeps_the_exact_level():
    hl = hodges_lehmann(fr(-10, -6, -12, -18, -4, -2))
    assert (hl.estimate, hl.low, hl.high, hl.level, hl.level_basis) == (-8, -18, -2, F(31, 32), "exact")


def test_all_differences_zero_is_not_estimable():
    hl = hodges_lehmann(fr(0, 0, 0, 0, 0, 0, 0))
    assert not hl.estimable and hl.n == 7 and hl.n_zero == 7
    assert (hl.estimate, hl.low, hl.high, hl.level, hl.level_basis) == (None,) * 5
    assert not hodges_lehmann([]).estimable


def test_a_zero_among_the_differences_changes_the_level():
    """[min, max] contains 0 under every flip once one difference is 0: the level is 100 %, not 96.9 %."""
    hl = hodges_lehmann(fr(0, -2, -4, -6, -8, -10))
    assert hl.level_basis == "permutation" and hl.n_zero == 1
    assert hl.level != _level(6, 1)
    assert hl.level == hodges_lehmann_brute(fr(0, -2, -4, -6, -8, -10))[1][2]


def test_twenty_tied_differences_are_counted_exactly_and_more_use_the_normal_approximation():
    d = [F(x) for x in (-1, -2, -2, -3, -4, -4, -5, -6, -6, -7, -8, 0, 2, -9, -10, -11, -12, -12, -13, -14)]
    hl = hodges_lehmann(d)
    assert hl.level_basis == "permutation" and hl.level >= F(95, 100)
    assert hl.low in walsh_averages(d) and hl.high in walsh_averages(d)
    large = hodges_lehmann(d * 30)  # 600 differences, as a large cohort has: no count, the normal law
    assert large.level_basis == "normal approximation" and large.level == F(95, 100)
    assert large.low <= large.estimate <= large.high


def test_bundled_month3_interval_unchanged(bundled):
    v = disease_activity.sledai_visits(bundled)
    d = [exact(b) - exact(a) for a, b in zip(v["baseline"], v["month3"])]
    assert sorted(d) == fr(-18, -12, -10, -6, -4, -2)  # no ties, no zeros: the "exact" level applies
    hl = hodges_lehmann(d)
    assert (hl.estimate, hl.low, hl.high, hl.level, hl.level_basis) == (-8, -18, -2, F(31, 32), "exact")


# ---------------------------------------------------------------- signed-rank method label
def test_signed_rank_method_labels():
    t = signed_rank(fr(16, 16, 10, 8, 15))
    assert t.exact and t.method == EXACT and t.method_label == "exact" and t.p_value == F(1, 16)
    big = signed_rank([F(i + 1) for i in range(25)])
    assert not big.exact and big.method == APPROX and big.method_label == "normal approximation"
    assert "2^n" not in EXACT and "exact" in EXACT and "exact" not in APPROX


# ---------------------------------------------------------------- p-values beside a threshold
@pytest.mark.parametrize(
    "p, shown",
    [
        (F(51, 1024), "0.0498"),
        (51 / 1024, "0.0498"),
        (F(1, 16), "0.063"),
        (0.0625, "0.063"),
        (F(1, 32), "0.031"),
        (F(1, 20), "0.050"),
        (0.05, "0.050"),
        (F(5001, 100000), "0.05001"),
        (F(3, 64), "0.047"),
        (F(1, 2), "0.50"),
        (F(1, 1024), "< 0.001"),
        (1.0, "1.0"),
        (None, "not evaluable"),
    ],
)
def test_p_value_decides_005(p, shown):
    assert p_value(p) == shown


def test_p_value_other_thresholds():
    assert p_value(F(51, 1024), threshold=None) == "0.050"
    assert p_value(F(99, 10000), threshold=F(1, 100)) == "0.0099"
    assert p_value(F(1, 32), threshold=F(1, 32)) == "0.03125"  # equals the threshold: shown as equal
    assert p_value(F(1, 1024), threshold=F(1, 10000)) == "0.00098"  # "< 0.001" would not decide 0.0001


def _side(x, t):
    return (x > t) - (x < t)


@given(
    st.fractions(min_value=F(1, 1000), max_value=F(999, 1000)),
    st.sampled_from([F(1, 20), F(1, 100), F(1, 10), F(1, 1000)]),
)
def test_shown_p_lies_on_the_side_of_the_exact_p(p, t):
    shown = p_value(p, threshold=t)
    value = F(shown)
    assert _side(value, t) == _side(p, t)
    places = len(shown.split(".")[1])
    assert value == round_half_away(p, places)
    leading_zeros = places - len(shown.split(".")[1].lstrip("0"))
    if places > leading_zeros + 2:  # a figure beyond two was added only because one fewer would not decide
        assert _side(round_half_away(p, places - 1), t) != _side(p, t)


@given(
    st.lists(st.integers(-60, 60).map(lambda x: Fraction(x, 4)), min_size=21, max_size=70),
)
def test_large_samples_take_the_same_walsh_averages_as_the_full_list(d):
    """Above 20 differences the order statistics are found without listing: they equal the listed ones."""
    from sle_cart.analysis.exact import Obs, median
    from sle_cart.analysis.uncertainty import _normal_k

    hl = hodges_lehmann(d)
    if all(x == 0 for x in d):
        assert not hl.estimable
        return
    w = walsh_averages(d)
    k = _normal_k(len(d))
    assert hl.estimate == median([Obs(x) for x in w])
    assert (hl.low, hl.high) == (w[k - 1], w[len(w) - k])
    assert hl.level_basis == "normal approximation"

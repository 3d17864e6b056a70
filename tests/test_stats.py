import math

import pytest

from sle_cart.analysis.stats import fmt, fmt_median_range, fmt_n_pct, median_range, round_half_up


def test_median_of_even_count_is_mean_of_middle_pair():
    assert median_range([43, 19, 35, 39, 28, 41])["median"] == 37.0
    assert median_range([7, 8, 8, 9, 10, 11]) == {"median": 8.5, "min": 7.0, "max": 11.0, "n": 6}


def test_median_ignores_missing_and_counts_them_out():
    mr = median_range([1.0, None, 3.0, float("nan")])
    assert mr == {"median": 2.0, "min": 1.0, "max": 3.0, "n": 2}
    assert median_range([None])["n"] == 0


@pytest.mark.parametrize(
    "x, d, expected",
    [
        (2.675, 2, 2.68),
        (0.5, 0, 1.0),
        (1.5, 0, 2.0),
        (2.5, 0, 3.0),
        (-2.5, 0, -3.0),
        (188.05, 1, 188.1),
        (5.0, 1, 5.0),
    ],
)
def test_round_half_up_is_half_away_from_zero(x, d, expected):
    assert round_half_up(x, d) == expected


def test_round_half_up_keeps_nan():
    assert math.isnan(round_half_up(float("nan"), 1))


def test_formatting():
    assert fmt(None) == "–"
    assert fmt(9.5, 1) == "9.5"
    assert fmt_median_range([3, 6, 9, 10, 12, 14], 0) == "9.5 (3–14)"  # whole numbers keep a halfway .5
    assert fmt_median_range([1.24, 1.26], 0) == "1 (1–1)"
    assert fmt_median_range([-90, -25, -50], 0) == "−50 (−90 to −25)"
    assert fmt_n_pct(5, 6) == "5/6 (83%)"
    assert fmt_n_pct(1, 8) == "1/8 (13%)"  # 12.5 rounds half up
    assert fmt_median_range([]) == "–"

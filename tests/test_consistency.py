"""What the published numbers determine: enumeration against brute force, checks that can fail."""

from __future__ import annotations

import functools
import itertools
import statistics
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sle_cart.analysis import claims, consistency, enumeration, publications
from sle_cart.analysis.consistency import Verdict


# ------------------------------------------------------------------ independent brute force
def brute_vectors(n: int, median: Fraction, minimum: int, maximum: int, low: int, high: int) -> set:
    """Sorted n-tuples over low…high (a wider range than the answer) filtered by the three statistics."""
    return {
        v
        for v in itertools.combinations_with_replacement(range(low, high + 1), n)
        if v[0] == minimum
        and v[-1] == maximum
        and Fraction(statistics.median(v)).limit_denominator(2) == median
    }


def brute_p(diffs: tuple[int, ...]) -> Fraction | None:
    """Two-sided exact signed-rank p by flipping every sign, with average ranks for ties, zeros dropped."""
    nonzero = [d for d in diffs if d]
    if not nonzero:
        return None
    mags = sorted(abs(d) for d in nonzero)
    # twice the average rank of a tie occupying positions i..j (from 1) is i + j: whole numbers throughout
    doubled = {m: mags.index(m) + 1 + len(mags) - mags[::-1].index(m) for m in set(mags)}
    ranks = [doubled[abs(d)] for d in nonzero]
    total = sum(ranks)
    observed = abs(2 * sum(r for r, d in zip(ranks, nonzero) if d > 0) - total)
    flips = list(itertools.product((0, 1), repeat=len(ranks)))
    extreme = sum(1 for f in flips if abs(2 * sum(r for r, s in zip(ranks, f) if s) - total) >= observed)
    return Fraction(extreme, len(flips))


@functools.cache
def brute_patterns(n: int) -> tuple[tuple[tuple[int, ...], Fraction | None], ...]:
    """Every multiset of n differences from −n…n with its brute-force p (computed once per run)."""
    return tuple((d, brute_p(d)) for d in itertools.combinations_with_replacement(range(-n, n + 1), n))


# ------------------------------------------------------------------ enumeration
@settings(max_examples=min(40, settings().max_examples), deadline=None)  # fewer in make check
@given(
    n=st.integers(2, 6),
    low=st.integers(0, 5),
    width=st.integers(0, 5),
    data=st.data(),
)
def test_sorted_vectors_are_exactly_the_brute_force_set(n, low, width, data):
    high = low + width
    minimum = data.draw(st.integers(low, high))
    maximum = data.draw(st.integers(minimum, high))
    median = Fraction(data.draw(st.integers(2 * minimum, 2 * maximum)), 2)
    got = list(enumeration.sorted_vectors(n, median, minimum, maximum))
    assert len(got) == len(set(got))
    assert set(got) == brute_vectors(n, median, minimum, maximum, low, high)
    for v in got:  # each reproduces the published statistics
        assert (
            list(v) == sorted(v)
            and enumeration.median_of(v) == median
            and (v[0], v[-1]) == (minimum, maximum)
        )
    fs = enumeration.feasible(n, median, minimum, maximum)
    assert fs.count == len(got)
    if got:
        assert fs.lower == tuple(min(col) for col in zip(*got))
        assert fs.upper == tuple(max(col) for col in zip(*got))


def test_the_sledai_visits_feasible_sets_match_brute_force():
    """The abstract's three visits, and age, follow-up and the peak day, counted again without fixing
    the minimum and maximum first (age, whose range is wide, over its range only)."""
    n = int(enumeration.number("n_patients"))
    found = consistency.sledai_visits() | consistency.sledai_visits(names=consistency.OTHER_WHOLE)
    assert set(found) == {*consistency.VISITS, *consistency.OTHER_WHOLE}
    for visit, fs in found.items():
        lo, hi = int(enumeration.number(f"{visit}_min")), int(enumeration.number(f"{visit}_max"))
        margin = 0 if visit == "age" else 2
        expected = brute_vectors(n, enumeration.number(f"{visit}_median"), lo, hi, lo - margin, hi + margin)
        assert fs.count == len(expected) > 0, visit
        assert fs.lower == tuple(min(c) for c in zip(*expected)), visit
        assert fs.upper == tuple(max(c) for c in zip(*expected)), visit


def test_a_median_of_whole_numbers_is_whole_or_half():
    assert enumeration.median_is_possible(Fraction(11, 2), 6)
    assert not enumeration.median_is_possible(Fraction(11, 2), 5)
    assert not enumeration.median_is_possible(Fraction(53, 10), 6)
    assert list(enumeration.sorted_vectors(6, Fraction(53, 10), 2, 10)) == []


def test_a_range_too_wide_to_enumerate_is_refused():
    with pytest.raises(ValueError, match="too wide"):
        enumeration.feasible(6, Fraction(50), 0, 105)


@pytest.mark.parametrize("n", [4, 5, 6])
def test_sign_patterns_agree_with_flipping_every_sign(n):
    alpha = Fraction(1, 20)
    ps = [p for _, p in brute_patterns(n)]
    got = enumeration.sign_patterns(n, alpha)
    assert got.patterns == len(ps)
    assert got.smallest_p == min(p for p in ps if p is not None)
    assert got.below_alpha == sum(1 for p in ps if p is not None and p < alpha)


def test_p_below_005_with_six_pairs_forces_every_difference_nonzero_and_one_signed():
    got = enumeration.sign_patterns(6, Fraction(1, 20))
    forced = all(
        0 not in d and len({x > 0 for x in d}) == 1
        for d, p in brute_patterns(6)
        if p is not None and p < Fraction(1, 20)
    )
    assert got.below_alpha > 0 and got.below_alpha_all_nonzero_one_sign is forced is True
    assert not enumeration.sign_patterns(5, Fraction(1, 20)).below_alpha  # 1/16 is the floor at five


# ------------------------------------------------------------------ checks
def test_every_check_of_the_abstract_is_consistent_and_names_real_claims():
    ids = {c.id for c in claims.CLAIMS}
    found = consistency.checks()
    assert {c.verdict for c in found} == {Verdict.CONSISTENT}
    assert all(set(c.claims) <= ids and c.reason for c in found)


@pytest.mark.parametrize(
    "claim_id, printed, topic",
    [
        ("n_male", "4", "women and men make up the cohort"),
        ("n_renal_no_response", "2", "the renal categories make up the cohort"),
        ("n_crs_grade1", "7", "CRS grades with no CRS make up the cohort"),
        ("renal_response_rate", "0.4", "the renal response rate against its counts"),
        ("n_bcell_depleted_by_day1", "6", None),  # equal to day 4 is still consistent
        ("n_bcell_depleted_by_day4", "4", "depletion by day 1 cannot exceed depletion by day 4"),
        ("sledai_m1_median", "5.3", "the median SLEDAI-2K at month 1 is possible for 6 whole numbers"),
        ("age_median", "44", "the range of age in years holds its median"),
        ("sledai_m3_p_value", "<0.01", "p below 0.01 is attainable with 6 pairs"),
        ("sledai_baseline_min", "9", "every patient met the entry criterion"),
    ],
)
def test_a_changed_published_number_makes_its_check_inconsistent(claim_id, printed, topic):
    default = publications.default()
    changed = replace(default, claims=tuple((k, printed if k == claim_id else v) for k, v in default.claims))
    bad = [c.topic for c in consistency.checks(changed) if c.verdict is Verdict.INCONSISTENT]
    assert bad == ([topic] if topic else [])


def test_numbers_are_shown_as_printed():
    assert [enumeration.shown(Fraction(x)) for x in ("5.5", "12", "0.05", "188.1")] == [
        "5.5",
        "12",
        "0.05",
        "188.1",
    ]
    assert enumeration.shown(Fraction(1, 3)) == "1/3"


def test_the_implications_and_the_json_hold_the_same_numbers():
    found, doc = consistency.implications(), consistency.document()
    n = int(enumeration.number("n_patients"))
    m1 = brute_vectors(n, enumeration.number("sledai_m1_median"), 4, 13, 2, 15)
    assert found.middle_pairs["sledai_m1"] == tuple(sorted({(v[2], v[3]) for v in m1}))
    assert doc["implications"]["middle_pairs"]["sledai_m1"] == [
        list(p) for p in found.middle_pairs["sledai_m1"]
    ]
    assert doc["implications"]["every_patient_improved"] is (
        found.every_difference_one_signed and found.median_fell
    )
    assert doc["implications"]["patients_with_lupus_nephritis"] == enumeration.published("n_patients")
    for visit, fs in consistency.sledai_visits().items():
        assert doc["feasible_sorted_scores"][visit] == {
            "count": fs.count,
            "lowest": list(fs.lower),
            "highest": list(fs.upper),
        }
    assert [c["verdict"] for c in doc["checks"]] == [str(c.verdict) for c in consistency.checks()]

"""Tests of the plain contract oracle itself: hand-worked cases, the bundled dataset, invariants.

The oracle (tests/plain_contract.py) is only worth comparing the project with if it is right,
so every case below was worked out by hand from the data contract (version 2).
"""

from __future__ import annotations

import os
import re
import tempfile
from fractions import Fraction
from pathlib import Path

# Hypothesis caches into ./.hypothesis by default; keep the working tree clean (other people
# edit it concurrently) unless the caller chose a place. Read lazily, so setting it here works.
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "sle-cart-hypothesis")
)

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohort_strategies import cohorts, reorder, to_mg_dl, write_cohort
from conftest import BUNDLED, write_dataset
from plain_contract import PUBLISHED, exact_wilcoxon_p, plain_claims, round_half_away

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "data-contract.md"  # beside the checkout
COUNT_IDS = [k for k in PUBLISHED if k.startswith("n_")] + ["renal_response_rate"]


def claims(tmp_path, measurements, events=(), pids=None, definitions="{}", patients=None):
    """Write a dataset (default patients for every id mentioned) and run the oracle on it."""
    pids = pids or sorted({m[0] for m in measurements} | {e[0] for e in events})
    patients = patients or [{"patient_id": pid} for pid in pids]
    folder = write_dataset(tmp_path / "ds", patients, measurements, events, definitions=definitions)
    return plain_claims(folder)


def sledai_pairs(pairs):
    """Baseline (day -5) and month-3 (day 90) SLEDAI-2K rows for patients P1, P2, ..."""
    rows = []
    for i, (before, after) in enumerate(pairs, start=1):
        rows += [(f"P{i}", -5, "sledai_2k", before), (f"P{i}", 90, "sledai_2k", after)]
    return rows


# ------------------------------------------------------------------ Wilcoxon and rounding
def test_tied_differences_give_exactly_one_sixteenth(tmp_path):
    assert exact_wilcoxon_p([Fraction(d) for d in (16, 16, 10, 8, 15)]) == Fraction(1, 16)
    r = claims(tmp_path, sledai_pairs([(20, 4), (20, 4), (20, 10), (20, 12), (20, 5)]))
    p = r["sledai_m3_p_value"]
    assert (p["reproduced"], p["n_evaluable"], p["holds"]) == (Fraction(1, 16), 5, False)


def test_six_all_improved_give_one_thirty_second_and_zero_difference_is_dropped(tmp_path):
    # The seventh patient did not change: Wilcoxon's rule drops the pair, n stays 6.
    r = claims(tmp_path, sledai_pairs([(10, 2), (10, 4), (12, 4), (24, 6), (16, 6), (12, 10), (8, 8)]))
    p = r["sledai_m3_p_value"]
    assert (p["reproduced"], p["n_evaluable"], p["holds"]) == (Fraction(1, 32), 6, True)


def test_mixed_signs_with_ties_match_hand_count():
    # |d| = 2,2,4: mid-ranks 1.5,1.5,3, T = 6, observed W+ = 1.5 + 3 = 4.5, |W+ - 3| = 1.5.
    # W+ over the 8 sign sets: 0,1.5,1.5,3,3,4.5,4.5,6 -> |W+ - 3| >= 1.5 for 6 of them.
    assert exact_wilcoxon_p([Fraction(2), Fraction(-2), Fraction(4)]) == Fraction(6, 8)
    assert exact_wilcoxon_p([Fraction(0), Fraction(0)]) is None


def test_rounding_is_exact_and_half_away_from_zero():
    assert round_half_away(Fraction("188.05"), 1) == Fraction("188.1")
    assert round_half_away(Fraction("2.675"), 2) == Fraction("2.68")  # float round() gives 2.67
    assert round_half_away(Fraction("-2.5"), 0) == -3
    assert round_half_away(Fraction("5.049999"), 1) == Fraction("5.0")


# ------------------------------------------------------------------ CAR T and B cells
def test_peak_median_188_05_rounds_to_published_188_1(tmp_path):
    peaks = ["42.7", "100.2", "275.9", "512.8"]
    rows = [(f"P{i}", 8, "car_t", v) for i, v in enumerate(peaks, start=1)]
    r = claims(tmp_path, rows + [("P1", 0, "car_t", "<0.5")])["car_t_peak_median"]
    assert (r["reproduced"], r["n_evaluable"], r["holds"]) == (Fraction("188.05"), 4, True)


def test_non_expander_in_the_middle_makes_the_median_not_evaluable(tmp_path):
    rows = [("P1", 8, "car_t", "100"), ("P2", 7, "car_t", "<0.5"), ("P2", 14, "car_t", "<1")]
    r = claims(tmp_path, rows)
    assert r["car_t_peak_median"]["reproduced"] is None
    assert r["car_t_peak_median"]["n_evaluable"] == 2
    assert r["car_t_peak_day_median"]["reproduced"] == 8  # peak days: the expander only
    assert r["car_t_peak_day_median"]["n_evaluable"] == 1


def test_non_expander_ranks_below_every_peak(tmp_path):
    rows = [
        ("P1", 8, "car_t", "0.3"),
        ("P2", 9, "car_t", "200"),
        ("P3", 7, "car_t", "<1"),
        ("P2", 95, "car_t", "900"),
    ]  # day 95 is outside the 90-day kinetics window
    r = claims(tmp_path, rows)
    assert r["car_t_peak_median"]["reproduced"] == Fraction("0.3")
    assert r["car_t_peak_day_max"]["reproduced"] == 9


def test_missing_day1_bcell_sample_is_not_evaluable_not_undepleted(tmp_path):
    rows = [
        ("P1", 1, "cd19_b", "<1"),
        ("P2", -5, "cd19_b", "150"),
        ("P2", 4, "cd19_b", "2.0"),  # no sample on days 0..1
        ("P3", 1, "cd19_b", "<10"),
        ("P3", 4, "cd19_b", "7"),
    ]  # "<10" vs 5 is undecided
    r = claims(tmp_path, rows)
    day1, day4 = r["n_bcell_depleted_by_day1"], r["n_bcell_depleted_by_day4"]
    assert (day1["reproduced"], day1["denominator"]) == (1, 1)
    assert (day4["reproduced"], day4["denominator"]) == (2, 3)


# ------------------------------------------------------------------ renal, serology, safety
def test_ln_patient_without_post_infusion_urine_is_not_in_the_denominator(tmp_path):
    rows = [
        ("P1", -5, "urine_protein_24h", "2.0"),
        ("P1", 90, "urine_protein_24h", "0.3"),
        ("P2", -5, "urine_protein_24h", "3.0"),
        ("P2", 0, "urine_protein_24h", "2.9"),
        ("P3", -5, "urine_protein_24h", "4.0"),
        ("P3", 90, "urine_protein_24h", "1.0"),
    ]
    patients = [{"patient_id": "P1"}, {"patient_id": "P2"}, {"patient_id": "P3", "lupus_nephritis": "false"}]
    r = claims(tmp_path, rows, patients=patients)
    assert r["n_renal_complete"]["reproduced"] == 1
    assert r["n_renal_complete"]["denominator"] == 1
    assert r["renal_response_rate"]["reproduced"] == 1


def test_baseline_below_complete_threshold_is_not_evaluable(tmp_path):
    rows = [("P1", -5, "urine_protein_24h", "0.3"), ("P1", 90, "urine_protein_24h", "0.2")]
    r = claims(tmp_path, rows)
    for claim_id in ("n_renal_complete", "n_renal_partial", "n_renal_no_response", "renal_response_rate"):
        assert r[claim_id]["reproduced"] is None and r[claim_id]["denominator"] == 0


def test_renal_partial_and_none_at_the_boundaries(tmp_path):
    rows = [
        ("P1", -5, "urine_protein_24h", "4.0"),
        ("P1", 60, "urine_protein_24h", "2.0"),  # exactly 50 %
        ("P2", -5, "urine_protein_24h", "8.0"),
        ("P2", 60, "urine_protein_24h", "3.0"),  # not < 3
        ("P3", -5, "urine_protein_24h", "2.0"),
        ("P3", 60, "urine_protein_24h", "<1"),
    ]  # undecided
    r = claims(tmp_path, rows)
    got = [r[k]["reproduced"] for k in ("n_renal_complete", "n_renal_partial", "n_renal_no_response")]
    assert got == [0, 1, 1] and r["renal_response_rate"]["reproduced"] == Fraction(1, 2)


def test_c3_censored_above_lower_limit_is_undecided(tmp_path):
    rows = [
        ("P1", 30, "c3", "<1.0"),
        ("P1", 30, "c4", "0.2"),  # "<1.0" vs 0.9: undecided
        ("P2", 30, "c3", "<0.9"),
        ("P2", 30, "c4", "0.2"),
    ]  # "<0.9": decided low
    r = claims(tmp_path, rows)["n_complement_normal_by_day60"]
    assert (r["reproduced"], r["denominator"]) == (0, 1)


def test_crs_with_onset_day_35_is_not_counted(tmp_path):
    events = [("P1", "CRS", 1, 2, 4), ("P1", "CRS", 3, 35, ""), ("P1", "ICANS", 1, 40, 41)]
    r = claims(tmp_path, [], events=events, pids=["P1", "P2"])
    got = [
        (r[k]["reproduced"], r[k]["denominator"]) for k in ("n_crs_grade1", "n_crs_grade2_plus", "n_icans")
    ]
    assert got == [(1, 2), (0, 2), (0, 2)]
    wide = claims(tmp_path, [], events=events, pids=["P1", "P2"], definitions="{safety_window_days: 40}")
    assert [wide[k]["reproduced"] for k in ("n_crs_grade1", "n_crs_grade2_plus", "n_icans")] == [0, 1, 1]


def test_month1_visit_is_never_a_baseline_day_even_with_a_40_day_window(tmp_path):
    rows = [
        ("P1", -5, "sledai_2k", "12"),
        ("P1", 0, "sledai_2k", "11"),
        ("P1", 69, "sledai_2k", "4"),
        ("P2", -1, "sledai_2k", "10"),
        ("P2", 0, "sledai_2k", "10"),
    ]  # only baseline days
    r = claims(tmp_path, rows, definitions="{visit_window_days: 40}")["sledai_m1_median"]
    assert (r["reproduced"], r["n_evaluable"]) == (4, 1)


def test_equidistant_visits_take_the_earlier_day(tmp_path):
    rows = [("P1", 25, "sledai_2k", "6"), ("P1", 35, "sledai_2k", "8"), ("P1", 41, "sledai_2k", "0")]
    assert claims(tmp_path, rows)["sledai_m1_median"]["reproduced"] == 6


def test_anti_dsdna_negative_at_baseline_is_excluded(tmp_path):
    rows = [
        ("P1", -5, "anti_dsdna", "5"),
        ("P1", 90, "anti_dsdna", "3"),  # never positive
        ("P2", -5, "anti_dsdna", "50"),
        ("P2", 90, "anti_dsdna", "4"),
        ("P3", -5, "anti_dsdna", "50"),
        ("P3", 90, "anti_dsdna", "<10"),
    ]  # undecided vs 8
    r = claims(tmp_path, rows)["n_dsdna_negative"]
    assert (r["reproduced"], r["denominator"]) == (1, 1)


def test_mg_units_are_converted_exactly(tmp_path):
    # 16 mg/dL is exactly the C4 lower limit 0.16 g/L; 500 mg/24h exactly the 0.5 g/24h threshold.
    rows = [
        ("P1", 30, "c3", "95", "mg/dL"),
        ("P1", 30, "c4", "16", "mg/dL"),
        ("P1", -5, "urine_protein_24h", "500", "mg/24h"),
        ("P1", 90, "urine_protein_24h", "240", "mg/24h"),
    ]
    r = claims(tmp_path, rows)
    assert r["n_complement_normal_by_day60"]["reproduced"] == 1
    assert (r["n_renal_complete"]["reproduced"], r["n_renal_complete"]["denominator"]) == (1, 1)


# ------------------------------------------------------------------ the bundled dataset
def test_bundled_dataset_reproduces_every_published_claim():
    r = plain_claims(BUNDLED)
    assert len(r) == 39
    assert [k for k, v in r.items() if not v["holds"]] == []


def test_published_values_match_the_contract_table():
    if not CONTRACT.exists():
        pytest.skip(
            f"the shared data contract is not beside this checkout ({CONTRACT}); test_claims_match_the_published_values still checks the ids and values"
        )
    cells = re.findall(r"\| (\w+) \| (\"?[<\d.]+\"?) \|", CONTRACT.read_text(encoding="utf-8"))
    assert {k: v.strip('"') for k, v in cells} == PUBLISHED


# ------------------------------------------------------------------ invariants on messy cohorts
def check_invariants(r: dict) -> None:
    renal = r["n_renal_complete"]["denominator"]
    parts = [r[k]["reproduced"] or 0 for k in ("n_renal_complete", "n_renal_partial", "n_renal_no_response")]
    assert sum(parts) == renal
    for claim_id in COUNT_IDS:
        c = r[claim_id]
        assert c["n_evaluable"] == c["denominator"]
        assert (c["reproduced"] is None) == (c["denominator"] == 0)
        if c["reproduced"] is not None:
            assert 0 <= c["reproduced"] <= (1 if claim_id == "renal_response_rate" else c["denominator"])
    day1, day4 = r["n_bcell_depleted_by_day1"], r["n_bcell_depleted_by_day4"]
    assert day1["denominator"] <= day4["denominator"]  # a longer window only adds decided samples
    assert (day1["reproduced"] or 0) <= (day4["reproduced"] or 0)
    p = r["sledai_m3_p_value"]
    if p["reproduced"] is not None:
        assert Fraction(2, 2 ** p["n_evaluable"]) <= p["reproduced"] <= 1
    assert all(c["holds"] is False for c in r.values() if c["reproduced"] is None)


@settings(database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cohort=cohorts(), rng=st.randoms(use_true_random=False))
def test_invariants_and_order_and_unit_independence(cohort, rng):
    with tempfile.TemporaryDirectory() as tmp:
        base = plain_claims(write_cohort(cohort, Path(tmp) / "as-drawn"))
        shuffled = plain_claims(write_cohort(reorder(cohort, rng), Path(tmp) / "shuffled"))
        in_mg = plain_claims(write_cohort(to_mg_dl(cohort), Path(tmp) / "mg"))
    check_invariants(base)
    assert shuffled == base
    assert in_mg == base

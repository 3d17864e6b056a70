"""Unit tests of the analysis rules on small datasets built for each rule."""

from fractions import Fraction

import pandas as pd
import pytest

from sle_cart.analysis import claims, disease_activity, kinetics, renal, safety, serology
from sle_cart.inputs import dataset


def _flags(col):
    """A boolean column as True/False/None (None = not evaluable)."""
    return [None if pd.isna(v) else bool(v) for v in col]


def _pid(n):
    return [{"patient_id": f"R{i}"} for i in range(1, n + 1)]


def test_renal_response_categories_and_boundaries(make_dataset):
    u = "urine_protein_24h"
    pats = _pid(7)
    pats[5]["lupus_nephritis"] = "no"  # R6 has no nephritis: excluded
    m = [
        ("R1", -3, u, 2.0),
        ("R1", 30, u, 3.0),
        ("R1", 90, u, 0.49),  # last value counts -> complete
        ("R2", -1, u, 2.0),
        ("R2", 60, u, 0.5),  # 0.5 is not < 0.5; 75 % lower and < 3 -> partial
        ("R3", 0, u, 4.0),
        ("R3", 60, u, 2.0),  # exactly 50 % lower -> partial
        ("R4", 0, u, 8.0),
        ("R4", 60, u, 3.0),  # 62.5 % lower but not < 3 -> none
        ("R5", 0, u, 2.0),
        ("R5", 60, u, 1.2),  # 40 % lower -> none
        ("R6", 0, u, 2.0),
        ("R6", 60, u, 0.1),
        ("R7", 30, u, 0.2),
    ]  # no baseline -> not evaluable
    ds = dataset.load(make_dataset(pats, m))
    r = renal.renal_response(ds)["response"].to_dict()
    assert r == {
        "R1": "complete",
        "R2": "partial",
        "R3": "partial",
        "R4": "none",
        "R5": "none",
        "R7": "not evaluable",
    }
    counts = renal.response_counts(ds)
    assert counts["n_lupus_nephritis"] == 6 and counts["evaluable"] == 5  # R7 has no baseline
    assert counts["complete"] + counts["partial"] + counts["none"] == counts["evaluable"]
    assert counts["rate"] == pytest.approx(3 / 5)
    assert any("R7" in str(w) for w in ds.warnings)


def test_depletion_day_uses_threshold_and_censoring(make_dataset):
    b = "cd19_b"
    m = [
        ("A", -5, b, 120),
        ("A", 1, b, "<5"),  # censored at the threshold: below 5
        ("B", -5, b, 80),
        ("B", 1, b, "<10"),  # '<10' might be 9: undecided, so B is not evaluable by day 1
        ("B", 4, b, 4.9),
        ("C", -5, b, 60),
        ("C", 1, b, 5.0),
        ("C", 7, b, 2),
    ]  # exactly 5 is not below 5
    ds = dataset.load(make_dataset([{"patient_id": p} for p in "ABCD"], m))
    dep = kinetics.bcell_depletion(ds)
    assert dep["first_depleted_day"].tolist()[:3] == [1, 4, 7]
    assert dep.loc["D", "first_depleted_day"] is pd.NA
    assert _flags(dep["depleted_by_day1"]) == [True, None, False, None]  # D: no sample, not "not depleted"
    assert _flags(dep["depleted_by_day4"]) == [True, True, False, None]
    assert dep.loc["D", "reason_day1"] == "no sample on days 0–1"
    assert "cannot be compared" in dep.loc["B", "reason_day1"]
    assert dep.loc["A", "baseline_cells_per_uL"] == 120


def test_reconstitution_is_the_first_decided_day_back_at_or_above_the_threshold(make_dataset):
    b = "cd19_b"
    m = [
        ("A", -5, b, 120),
        ("A", 1, b, "<1"),
        ("A", 60, b, "<10"),  # '<10' might be 9: not counted as back
        ("A", 90, b, 5),  # exactly the threshold: back (no longer below)
        ("A", 120, b, 30),
        ("B", -5, b, 80),
        ("B", 4, b, 2),
        ("B", 90, b, "<1"),  # never back
        ("C", -5, b, 60),
        ("C", 1, b, 40),  # never depleted: a high value is not a return
        ("D", -5, b, 50),  # no sample after infusion
        ("E", 1, b, 7),  # back above before depletion does not count ...
        ("E", 4, b, 3),
        ("E", 28, b, 6.5),  # ... only after it
    ]
    ds = dataset.load(make_dataset([{"patient_id": p} for p in "ABCDE"], m))
    dep = kinetics.bcell_depletion(ds)
    assert [None if pd.isna(v) else int(v) for v in dep["reconstitution_day"]] == [90, None, None, None, 28]
    reasons = dep["reason_reconstitution"].to_dict()
    assert reasons == {
        "A": "",
        "B": "not back by the last sample (day 90)",
        "C": "no depleted sample",
        "D": "no sample from day 0 on",
        "E": "",
    }


def test_depletion_threshold_can_be_overridden(make_dataset):
    m = [("A", -5, "cd19_b", 120), ("A", 1, "cd19_b", 8)]
    ds = dataset.load(make_dataset([{"patient_id": "A"}], m, definitions="{bcell_depletion_below: 10}"))
    assert kinetics.bcell_depletion(ds).loc["A", "first_depleted_day"] == 1


def test_peak_day_is_first_day_of_maximum_and_auc_is_trapezoidal(make_dataset):
    c = "car_t"
    m = [
        ("E", 0, c, "<0.5"),
        ("E", 7, c, 100),
        ("E", 8, c, 100),
        ("E", 9, c, 50),
        ("E", 28, c, 10),
        ("E", 60, c, 3),
        ("E", 90, c, "<0.5"),
        ("E", 120, c, 500),
    ]  # day 120 is outside the 0-90 window
    ds = dataset.load(make_dataset([{"patient_id": "E"}], m))
    k = kinetics.car_t_kinetics(ds).loc["E"]
    assert k["cmax_cells_per_uL"] == 100
    assert k["tmax_day"] == 7
    # (0+100)/2*7 + (100+100)/2*1 + (100+50)/2*1 + (50+10)/2*19 = 350 + 100 + 75 + 570
    assert k["auc_0_28_cells_day_per_uL"] == pytest.approx(1095)
    assert k["last_detectable_day"] == 60


def test_visits_baseline_is_last_pre_infusion_and_month_windows(make_dataset):
    s = "sledai_2k"
    m = [("V", -7, s, 10), ("V", 0, s, 12), ("V", 25, s, 6), ("V", 35, s, 4), ("V", 101, s, 2)]
    ds = dataset.load(make_dataset([{"patient_id": "V"}], m))
    v = disease_activity.sledai_visits(ds).loc["V"]
    assert (v["baseline"], v["baseline_day"]) == (12, 0)
    assert (v["month1"], v["month1_day"]) == (6, 25)  # equally near: the earlier visit
    assert v["month3"] is pd.NA  # day 101 is outside 90 +/- 10


def test_exact_wilcoxon_all_improved(make_dataset):
    s = "sledai_2k"
    base, m3 = [12, 10, 16, 24, 10, 12], [2, 4, 4, 6, 6, 10]
    m = [(f"W{i}", 0, s, b) for i, b in enumerate(base)] + [(f"W{i}", 90, s, x) for i, x in enumerate(m3)]
    ds = dataset.load(make_dataset([{"patient_id": f"W{i}"} for i in range(6)], m))
    t = disease_activity.change_test(disease_activity.sledai_visits(ds), 3)
    assert t.n == 6
    assert t.p == Fraction(2, 2**6)  # every sign positive: 2 of 64 sign patterns
    assert t.exact


def test_dsdna_conversion_and_complement(make_dataset):
    m = [
        ("S1", 0, "anti_dsdna", 40),
        ("S1", 90, "anti_dsdna", 5),  # converts
        ("S2", 0, "anti_dsdna", 40),
        ("S2", 90, "anti_dsdna", 8),  # 8 is not below the limit 8
        ("S3", 0, "anti_dsdna", 6),
        ("S3", 90, "anti_dsdna", 2),  # negative at baseline: no conversion
        ("S1", 0, "c3", 0.5),
        ("S1", 0, "c4", 0.1),
        ("S1", 30, "c3", 0.95),
        ("S1", 30, "c4", 0.15),
        ("S1", 45, "c3", 0.95),
        ("S1", 45, "c4", 0.16),  # both normal first on day 45
        ("S2", 0, "c3", 0.5),
        ("S2", 61, "c3", 1.0),
        ("S2", 61, "c4", 0.2),
    ]  # day 61 is too late
    ds = dataset.load(make_dataset([{"patient_id": p} for p in ("S1", "S2", "S3")], m))
    conv = serology.dsdna_conversion(ds)
    assert _flags(conv["converted_negative"]) == [True, False, None]  # S3 was negative at baseline
    assert conv.loc["S3", "reason"].startswith("negative at baseline")
    comp = serology.complement_normalisation(ds)
    assert comp.loc["S1", "first_normal_day"] == 45
    assert bool(comp.loc["S1", "normal_by_day60"]) is True
    # S2's only paired day is 61: no decided day in 1..60, so not evaluable (contract v2), not "not normal"
    assert comp.loc["S2", "normal_by_day60"] is pd.NA
    assert comp.loc["S2", "reason"] == "no day 1–60 with both C3 and C4 measured"
    assert bool(comp.loc["S1", "low_at_baseline"]) is True


def test_safety_counts_use_worst_grade(make_dataset):
    events = [("A", "CRS", 1, 1, 3), ("A", "CRS", 2, 5, 7), ("B", "CRS", 1, 2, ""), ("C", "ICANS", 1, 4, 6)]
    ds = dataset.load(make_dataset([{"patient_id": p} for p in "ABCD"], [("A", 0, "c3", 1)], events))
    assert safety.safety_counts(ds) == {
        "n_patients": 4,
        "crs_grade1": 1,
        "crs_grade2_plus": 1,
        "any_crs": 2,
        "icans": 1,
        "episodes_after_window": 0,
        "window_days": 28,
    }
    ae = safety.adverse_events(ds)
    assert ae["resolution_day"].isna().sum() == 1  # ongoing episode kept, not dropped


@pytest.mark.parametrize(
    "published, reproduced, ok",
    [
        ("5.0", 4.96, True),
        ("5.0", 4.94, False),
        ("188.1", 188.05, True),
        ("188.1", 188.149, True),
        ("37", 37.5, False),
        ("37", 36.5, True),
        ("9.5", 9.5, True),
        ("0.5", 0.45, True),
        ("0.5", 0.44, False),
        ("<0.05", 0.049, True),
        ("<0.05", 0.05, False),
        ("6", None, False),
        ("<0.05", None, False),
    ],
)
def test_claims_comparison_rule(published, reproduced, ok):
    assert claims.holds(published, reproduced) is ok


def test_claims_match_the_published_values():
    """Ids and printed values equal the contract's table (kept independently in tests/plain_contract.py)."""
    from plain_contract import PUBLISHED

    assert len(claims.CLAIMS) == len(claims.CLAIM_BY_ID) == 39
    from sle_cart.analysis import publications

    assert dict(publications.default().claims) == PUBLISHED


def test_blank_optional_cells_are_reported_as_missing_not_dropped(make_dataset):
    from sle_cart.present import registry

    pats = [
        {"patient_id": "A", "weight_kg": 50, "follow_up_months": 4},
        {"patient_id": "B", "weight_kg": "", "follow_up_months": ""},
        {"patient_id": "C", "weight_kg": 70, "follow_up_months": 8},
    ]
    ds = dataset.load(make_dataset(pats, [("A", 0, "sledai_2k", 10)]))
    assert len(ds.patients) == 3  # the patient with blanks is kept
    t1 = registry.make("table1", ds).frame
    summary = t1.columns[-1]
    assert summary == "Summary (N = 3)"
    assert t1.loc["Weight, kg", "B"] == "–"
    assert t1.loc["Weight, kg", summary] == "60 (50–70) [n=2; missing 1]"  # recorded as whole kg
    assert t1.loc["Follow-up, months", summary].endswith("[n=2; missing 1]")
    html = registry.make("table1", ds).to_html()
    assert "missing 1" in html


def test_the_b_cell_table_shows_the_day_back_and_its_csv_holds_it(make_dataset):
    from sle_cart.present import registry

    b = "cd19_b"
    m = [("A", -5, b, 100), ("A", 1, b, "<1"), ("A", 90, b, 12), ("B", -5, b, 80), ("B", 4, b, 3)]
    table = registry.make("bcells", dataset.load(make_dataset([{"patient_id": "A"}, {"patient_id": "B"}], m)))
    col = "Back to ≥5 cells/µL from day"
    assert table.frame.loc["A", col] == "90" and table.frame.loc["B", col] == "–"
    assert table.frame[col].iloc[-1] == "1 of 2 depleted (day 90)"
    assert table.csv_data.loc["B", "reason_reconstitution"] == "not back by the last sample (day 4)"
    assert any("B-cell reconstitution" in note for note in table.footnotes)

"""Exact decimals from input to output: no binary float decides a verdict or a rounded figure.

A cell is read as the decimal its text spells.  188.04999999999999999 is not
188.05 (a float cannot tell them apart), and a change from 0.88 to 0.55 g/24h is
exactly −37.5 %, which the book's one rule rounds to −38.
"""

from __future__ import annotations

import warnings
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import BUNDLED
from sle_cart.analysis import claims, kinetics, renal
from sle_cart.analysis.exact import exact
from sle_cart.inputs import dataset
from sle_cart.inputs.decimals import decimal, decimal_text
from sle_cart.present import outcome_tables

LONG = "188.04999999999999999"  # a float reads it as 188.05


def _claim(ds, claim_id: str) -> dict:
    return next(c for c in claims.evaluate(ds) if c["id"] == claim_id)


def _peak_dataset(make_dataset, peak: str):
    return dataset.load(
        make_dataset([{"patient_id": "P1"}], [("P1", 0, "car_t", "1"), ("P1", 8, "car_t", peak)])
    )


def test_a_long_decimal_is_not_rounded_by_a_float(make_dataset):
    """The peak written 188.04999999999999999 rounds to 188.0, so the claim '188.1' does not hold."""
    ds = _peak_dataset(make_dataset, LONG)
    assert _claim(ds, "car_t_peak_median")["status"] == "does not hold"
    assert kinetics.car_t_kinetics(ds).loc["P1", "cmax_exact"] == LONG


def test_the_same_peak_written_to_fewer_digits_holds(make_dataset):
    """Control for the test above: 188.05 does round to the published 188.1."""
    assert _claim(_peak_dataset(make_dataset, "188.05"), "car_t_peak_median")["status"] == "holds"


@pytest.mark.parametrize(
    "column, claim_id, long, short",
    [
        ("follow_up_months", "follow_up_min", "3.49999999999999999999", "3.5"),  # published 4
        ("disease_duration_years", "disease_duration_max", "13.49999999999999999999", "13.5"),  # published 14
    ],
)
def test_patient_numbers_are_exact_too(make_dataset, column, claim_id, long, short):
    """3.49999999999999999999 rounds to 3, not (as its float 3.5 would) to the published 4; 3.5 holds."""
    one_value = [("P1", 0, "car_t", "1")]
    ds = dataset.load(make_dataset([{"patient_id": "P1", column: long}], one_value))
    assert _claim(ds, claim_id)["status"] == "does not hold"
    ds = dataset.load(make_dataset([{"patient_id": "P1", column: short}], one_value, folder="short"))
    assert _claim(ds, claim_id)["status"] == "holds"


def test_a_threshold_comparison_is_exact(make_dataset):
    """4.99999999999999999999 cells/µL is below 5 (depleted), though its float equals 5.0."""
    ds = dataset.load(
        make_dataset(
            [{"patient_id": "P1"}],
            [("P1", 0, "cd19_b", "80"), ("P1", 1, "cd19_b", "4.99999999999999999999")],
        )
    )
    assert bool(kinetics.bcell_depletion(ds, days=(1,)).loc["P1", "depleted_by_day1"]) is True


def test_unit_conversions_are_exact(make_dataset):
    """mg/24h and mg/dL are converted by exact decimal factors, long decimals included."""
    ds = dataset.load(
        make_dataset(
            [{"patient_id": "P1"}],
            [
                ("P1", -1, "urine_protein_24h", "880", "mg/24h"),
                ("P1", 30, "urine_protein_24h", "550.00000000000000000001", "mg/24h"),
                ("P1", -1, "c3", "90.000000000000000001", "mg/dL"),
            ],
        )
    )
    exact_values = ds.measurements.set_index(["analyte", "day"])["value_exact"]
    assert exact_values[("urine_protein_24h", -1)] == Fraction("0.88")
    assert exact_values[("urine_protein_24h", 30)] == Fraction("0.55000000000000000000001")
    assert exact_values[("c3", -1)] == Fraction("0.90000000000000000001")
    assert ds.measurements.set_index(["analyte", "day"])["value"][("urine_protein_24h", -1)] == 0.88


def test_a_whole_number_column_rejects_a_long_fraction(make_dataset):
    """Age 37.0000000000000000001 is not a whole number, though its float is 37.0."""
    with pytest.raises(dataset.DataError) as exc:
        dataset.load(
            make_dataset(
                [{"patient_id": "P1", "age_years": "37.0000000000000000001"}], [("P1", 0, "car_t", "1")]
            )
        )
    assert any(v.column == "age_years" and "whole number" in v.rule for v in exc.value.violations)


@pytest.mark.parametrize("unit, before, after", [("g/24h", "0.88", "0.55"), ("mg/24h", "880", "550")])
def test_table5_rounds_a_half_percent_change_away_from_zero(make_dataset, unit, before, after):
    """0.88 to 0.55 g/24h is exactly −37.5 %: Table 5 prints −38 (a float gives −37.49999… and −37)."""
    ds = dataset.load(
        make_dataset(
            [{"patient_id": "P1"}],
            [("P1", -1, "urine_protein_24h", before, unit), ("P1", 30, "urine_protein_24h", after, unit)],
        )
    )
    table = outcome_tables.renal_table(ds)
    assert table.frame.loc["P1", "Change (%)"] == "−38"
    assert table.frame.iloc[-1]["Change (%)"] == "−37.5 (−38 to −38)"  # a halfway median keeps its .5
    assert renal.renal_response(ds).loc["P1", "change_pct_exact"] == Fraction(-75, 2)


def _cents(c: int) -> str:
    return f"{c // 100}.{c % 100:02d}"


def _half_way_pairs() -> list[tuple[int, int]]:
    """(baseline, last) in cents, baselines 0.50–4.99 g/24h, where a float percent rounds wrongly."""
    pairs = []
    for b in range(50, 500):
        for last in range(b):
            true = Fraction(100 * (last - b), b)
            as_float = exact(100 * (last / 100 - b / 100) / (b / 100))
            if _round_int(true) != _round_int(as_float):
                pairs.append((b, last))
    return pairs


def _round_int(x: Fraction) -> int:
    """Half away from zero to a whole number, in integers only: an oracle independent of the book's code."""
    n, d = abs(x.numerator), x.denominator
    r = (2 * n + d) // (2 * d)
    return -r if x < 0 else r


def test_every_half_percent_change_of_two_decimal_baselines_rounds_right(make_dataset):
    """All 123 decreases among two-decimal baselines 0.50–4.99 g/24h that a float rounds wrongly,
    through the loader and Table 5, in cohorts small enough for the table to list every patient."""
    pairs = _half_way_pairs()
    assert len(pairs) == 123
    for start in range(0, len(pairs), 30):
        chunk = pairs[start : start + 30]
        ids = [f"P{i}" for i in range(len(chunk))]
        rows = []
        for pid, (b, last) in zip(ids, chunk):
            rows += [(pid, -1, "urine_protein_24h", _cents(b)), (pid, 30, "urine_protein_24h", _cents(last))]
        ds = dataset.load(make_dataset([{"patient_id": p} for p in ids], rows, folder=f"chunk{start}"))
        shown = outcome_tables.renal_table(ds).frame["Change (%)"]
        for pid, (b, last) in zip(ids, chunk):
            expected = _round_int(Fraction(100 * (last - b), b))
            assert shown[pid] == f"−{-expected}", (_cents(b), _cents(last), shown[pid])


@given(st.integers(-(10**25), 10**25), st.integers(0, 30))
def test_decimal_text_round_trips(digits, places):
    """Decimal text written from a fraction reads back as the same fraction."""
    x = Fraction(digits, 10**places)
    assert decimal(decimal_text(x)) == x
    assert exact(decimal_text(x)) == x


@pytest.mark.parametrize("text", ["1/3", "inf", "nan", "0x10", "", "1,5", "1e"])
def test_decimal_refuses_what_is_not_decimal_text(text):
    assert decimal(text) is None


def test_serology_table_has_no_pandas_deprecation():
    """DataFrame.join(lsuffix=…) is deprecated for pandas 4; the table is built without a warning."""
    ds = dataset.load(BUNDLED)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = outcome_tables.serology_table(ds)
    assert "baseline_IU_per_mL" in table.data.columns and "reason_complement" in table.data.columns

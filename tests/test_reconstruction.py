"""The bundled dataset is the seeded generator's output, reproduces the abstract and is plausible."""

import pandas as pd
import pytest

from conftest import BUNDLED
from sle_cart.analysis import claims
from sle_cart.generate import reconstruct
from sle_cart.inputs.definitions import SLEDAI_2K_WEIGHTS


@pytest.fixture(scope="module")
def ds(bundled):
    return bundled  # the session's: loaded, and its findings computed, once


def test_committed_files_equal_generator_output():
    generated = reconstruct.generate()
    committed = {p.name: p.read_text(encoding="utf-8") for p in BUNDLED.iterdir()}
    assert committed == generated


def test_generator_is_seeded():
    assert reconstruct.generate(seed=reconstruct.SEED) == reconstruct.generate(seed=reconstruct.SEED)
    assert reconstruct.generate(seed=1)["measurements.csv"] != reconstruct.generate()["measurements.csv"]


def test_all_39_claims_hold(ds):
    results = claims.evaluate(ds)
    assert len(results) == 39
    assert [c["id"] for c in results if not c["holds"]] == []


def test_labelled_as_reconstruction(ds):
    assert ds.provenance == "reconstructed"


def test_dose_follows_registry(ds):
    p = ds.patients.set_index("patient_id")
    per_kg = p["dose_cells"] / p["weight_kg"]
    assert per_kg[["P1", "P2", "P3"]].round().tolist() == [1e6] * 3  # 1x10^6 cells/kg
    assert p.loc[["P4", "P5", "P6"], "dose_cells"].tolist() == [1e8] * 3  # flat 1x10^8 cells
    assert (p["weight_kg"] >= 40).all() and p["age_years"].between(18, 65).all()  # registry eligibility


def test_car_t_rises_peaks_and_contracts(ds):
    s = ds.series("car_t")
    for pid, g in s.groupby("patient_id"):
        g = g.sort_values("day")
        v = g["value"].where(~g["censored"], 0.0).to_numpy()
        peak = v.argmax()
        assert g["day"].iloc[0] == 0 and bool(g["censored"].iloc[0])  # nothing before infusion
        assert all(v[i] < v[i + 1] for i in range(peak)), pid  # expansion
        assert all(v[i] >= v[i + 1] for i in range(peak, len(v) - 1)), pid  # contraction
        assert g["day"].max() == 90


def test_b_cells_start_in_treated_sle_range(ds):
    base = ds.series("cd19_b").query("day <= 0")
    assert base["value"].between(20, 400).all()  # below the healthy 100-800, as on immunosuppression


def test_sledai_totals_are_sums_of_descriptors_consistent_with_labs(ds):
    """Each total is the sum of named SLEDAI-2K descriptors that agree with the labs of the visit."""
    m = ds.measurements.set_index(["patient_id", "day", "analyte"])["value"]
    lo3, lo4 = ds.reference_range("c3")[0], ds.reference_range("c4")[0]
    uln = ds.reference_range("anti_dsdna")[1]
    for spec in reconstruct.PATIENTS:
        for day, descriptors in zip(reconstruct.SLEDAI_DAYS, spec["sledai"]):
            total = m[(spec["id"], day, "sledai_2k")]
            assert total == sum(SLEDAI_2K_WEIGHTS[d] for d in descriptors)
            assert ("proteinuria" in descriptors) == (m[(spec["id"], day, "urine_protein_24h")] > 0.5)
            low = m[(spec["id"], day, "c3")] < lo3 or m[(spec["id"], day, "c4")] < lo4
            assert ("low_complement" in descriptors) == low, (spec["id"], day)
            assert ("increased_dna_binding" in descriptors) == (m[(spec["id"], day, "anti_dsdna")] >= uln)


def test_labs_are_measured_at_study_visits(ds):
    days = set(ds.series("c3")["day"])
    assert {-5, 14, 30, 60, 90} <= days
    last = ds.measurements.groupby("patient_id")["day"].max()
    fu = ds.patients.set_index("patient_id")["follow_up_months"]
    assert (last == 30 * fu).all()  # the last visit closes each patient's follow-up


def test_write_refuses_a_reconstruction_that_breaks_a_claim(tmp_path, monkeypatch):
    broken = [dict(p) for p in reconstruct.PATIENTS]
    broken[0] = {**broken[0], "age": 60}
    monkeypatch.setattr(reconstruct, "PATIENTS", broken)
    with pytest.raises(RuntimeError, match="age_max"):
        reconstruct.write(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_dataframe_types(ds):
    assert pd.api.types.is_integer_dtype(ds.measurements["day"])
    assert ds.measurements["censored"].dtype == bool

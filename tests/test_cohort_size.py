"""Synthetic cohorts, the dataset template, and a book that adapts to cohort size."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sle_cart import cli
from sle_cart.generate.synth import write_synthetic
from sle_cart.generate.template import write_template
from sle_cart.inputs import dataset
from sle_cart.inputs.definitions import LARGE_COHORT_PATIENTS
from sle_cart.paths import FolderRefused
from sle_cart.present import registry
from sle_cart.present.publish import publish

# renders PDFs, figures or large cohorts: left out of make check, run by make test
pytestmark = pytest.mark.build


def test_synthetic_cohort_is_valid_seeded_and_plausible(tmp_path):
    a = write_synthetic(tmp_path / "a", 25, seed=3)
    b = write_synthetic(tmp_path / "b", 25, seed=3)
    c = write_synthetic(tmp_path / "c", 25, seed=4)
    assert (a / "measurements.csv").read_bytes() == (b / "measurements.csv").read_bytes()
    assert (a / "measurements.csv").read_bytes() != (c / "measurements.csv").read_bytes()
    ds = dataset.load(a)
    assert len(ds.patients) == 25 and ds.warnings == []
    car = ds.series("car_t")
    for _, g in car.groupby("patient_id"):
        v = g["value"].where(~g["censored"], 0.0).to_numpy()
        k = v.argmax()
        assert 0 < k < len(v) - 1 and v[0] == 0 and v[-1] < v[k] / 10  # rise, peak, contraction
    assert set(ds.series("sledai_2k")["day"]) == {-5, 30, 90}


def test_cli_synth_and_validate(tmp_path, capsys):
    assert cli.main(["synth", "--patients", "12", "--out", str(tmp_path / "s")]) == 0
    assert cli.main(["validate", str(tmp_path / "s")]) == 0
    assert "valid (12 patients" in capsys.readouterr().out


@pytest.fixture(scope="module")
def cohorts(tmp_path_factory):
    base = tmp_path_factory.mktemp("cohorts")
    return {n: dataset.load(write_synthetic(base / str(n), n)) for n in (6, LARGE_COHORT_PATIENTS + 10, 600)}


def _spec_rows(fig) -> int:
    spec = fig.chart.to_dict()
    return sum(len(v) for v in spec.get("datasets", {}).values())


def test_large_cohorts_embed_summaries_not_patients(cohorts, tmp_path):
    small, mid, big = (cohorts[n] for n in sorted(cohorts))
    for name in registry.names("figure"):
        if name in ("robustness", "feasible_bands"):  # claims x alternatives, and the publication's
            continue  # feasible scores: their size does not depend on the cohort
        f_small, f_mid, f_big = (
            publish(registry.make(name, ds), tmp_path / str(len(ds.patients))) for ds in (small, mid, big)
        )
        assert "median" not in f_small.note and f_mid.note and f_big.note  # the caption says how it is drawn
        # what the page embeds does not grow with the cohort; the CSV keeps every patient
        assert _spec_rows(f_big) <= _spec_rows(f_mid) + 5, name
        assert len(f_big.data) > len(f_mid.data)
        csv = pd.read_csv(tmp_path / "600" / "downloads" / f"{name}.csv")
        assert len(csv) == len(f_big.data)


def test_large_cohort_tables_show_summaries_and_offer_listings(cohorts, tmp_path):
    small, big = cohorts[6], cohorts[600]
    t_small = registry.make("table1", small)
    t_big = publish(registry.make("table1", big), tmp_path / "b")
    assert len(t_small.frame.columns) == 7  # six patients + summary
    assert list(t_big.frame.columns) == ["Summary (N = 600)"]
    assert "only the summary is shown" in t_big.to_html()
    listing = pd.read_csv(tmp_path / "b" / "downloads" / "table1.csv")
    assert len(listing) == 600
    k = publish(registry.make("kinetics", big), tmp_path / "b")
    # the cohort's summary row and one per dose group; no patient rows
    assert k.frame.index[0].startswith("Median (range), N = 600")
    assert len(k.frame) == 3 and all(i.startswith("Median (range)") for i in k.frame.index)
    assert len(pd.read_csv(tmp_path / "b" / "downloads" / "kinetics.csv")) == 600


def test_figure_html_size_does_not_grow_with_cohort(cohorts):
    sizes = {
        n: len(registry.make("fig1a", ds)._repr_mimebundle_()["text/html"])
        for n, ds in cohorts.items()
        if n > LARGE_COHORT_PATIENTS
    }
    a, b = sizes.values()
    assert b < 1.2 * a


def test_template_is_empty_until_filled_then_valid(tmp_path, capsys):
    d = tmp_path / "mine"
    assert cli.main(["template", str(d)]) == 0
    assert {p.name for p in d.iterdir()} == {
        "dataset.yml",
        "patients.csv",
        "measurements.csv",
        "adverse_events.csv",
        "data.xlsx",
        "publication.yml",  # the starter: all comments, so it states nothing until filled in
    }
    assert cli.main(["validate", str(d)]) == 2  # no patients yet
    assert "no data rows" in capsys.readouterr().err
    # fill the CSVs by uncommenting the examples and adding a baseline for each needed analyte
    p = d / "patients.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("#P1", "P1"), encoding="utf-8")
    m = d / "measurements.csv"
    m.write_text(
        m.read_text(encoding="utf-8").replace("#P1", "P1") + "P1,30,sledai_2k,4,points\n", encoding="utf-8"
    )
    assert cli.main(["validate", str(d)]) == 0
    with pytest.raises(FolderRefused, match="already holds files"):
        write_template(d)


def test_template_workbook_can_be_filled_instead(tmp_path):
    d = write_template(tmp_path / "xl")
    sheets = pd.read_excel(d / "data.xlsx", sheet_name=None, dtype=str)
    for frame in sheets.values():
        frame.iloc[0, 0] = frame.iloc[0, 0].lstrip("#")
    with pd.ExcelWriter(d / "data.xlsx", engine="openpyxl") as xl:
        for name, frame in sheets.items():
            frame.to_excel(xl, sheet_name=name, index=False)
    ds = dataset.load(d)
    assert ds.patients["patient_id"].tolist() == ["P1"] and len(ds.adverse_events) == 1
    assert json.dumps(ds.reference_ranges["c3"]) == json.dumps({"lower": 0.9, "upper": 1.8, "unit": "g/L"})

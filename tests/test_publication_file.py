"""publication.yml: a dataset brings the publication it should reproduce (issue 20).

Values are read as written; every mistake is reported at once with the file, key,
value and rule; without the file the dataset is compared with abstract 0647, whose
values now live in a file read by the same reader.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sle_cart import cli
from sle_cart.analysis import claims, publications
from sle_cart.inputs import dataset
from sle_cart.inputs.errors import DataError
from sle_cart.inputs.publication import read

CITATION = """\
citation:
  authors: [Doe J, Roe R]
  title: A CD19 CAR T cohort in lupus
  venue: Lupus Sci Med. 2026;13(1)
  year: 2026
  doi: 10.1136/lupus-2026-000001
"""


def _read(tmp_path: Path, text: str):
    path = tmp_path / "publication.yml"
    path.write_text(text, encoding="utf-8")
    errors, warnings = [], []
    return read(path, errors, warnings, []), errors, warnings


def _problems(errors) -> dict[str, str]:
    return {v.column: str(v) for v in errors}


def test_values_are_read_as_written(tmp_path):
    text = (
        CITATION
        + 'claims:\n  sledai_m3_median: 5.0\n  car_t_peak_median: 188.10\n  sledai_m3_p_value: "<0.05"\n'
    )
    pub, errors, _ = _read(tmp_path, text)
    assert errors == []
    assert pub.value("sledai_m3_median") == "5.0"
    assert pub.value("car_t_peak_median") == "188.10"
    assert pub.value("sledai_m3_p_value") == "<0.05"
    assert [claims.decimals_shown(pub.value(k)) for k in ("sledai_m3_median", "car_t_peak_median")] == [1, 2]
    # 188.10 is checked to two decimals: 188.05 rounds to 188.05, not 188.10 (it would hold at 188.1)
    assert not claims.holds(pub.value("car_t_peak_median"), 188.05)
    assert claims.holds("188.1", 188.05)
    assert claims.holds(pub.value("sledai_m3_p_value"), 0.03125)
    assert pub.value("n_patients") is None and not pub.states("n_patients")


def test_unknown_claim_id_names_the_nearest(tmp_path):
    pub, errors, _ = _read(tmp_path, CITATION + "claims:\n  age_medain: 37\n  n_patients: 6\n")
    assert pub is None
    (message,) = errors
    assert str(message) == (
        "publication.yml, key 'claims.age_medain': unknown claim id (the data dictionary lists them); "
        "did you mean 'age_median'?"
    )


@pytest.mark.parametrize(
    ("key", "value", "rule"),
    [
        ("n_patients", "6.5", "whole number of patients"),
        ("n_female", "three", "whole number of patients"),
        ("renal_response_rate", "50", "proportion from 0 to 1"),
        ("car_t_peak_median", '"<200"', "a number >= 0"),
        ("sledai_m3_p_value", "< 0.05", "a p-value from 0 to 1"),
        ("age_median", "yes", "a number >= 0"),
        ("age_median", "[37]", "a number >= 0"),
    ],
)
def test_value_of_the_wrong_kind(tmp_path, key, value, rule):
    pub, errors, _ = _read(tmp_path, CITATION + f"claims:\n  {key}: {value}\n")
    assert pub is None
    message = _problems(errors)[f"claims.{key}"]
    assert message.startswith(f"publication.yml, key 'claims.{key}'") and rule in message


def test_missing_citation_fields_are_all_reported(tmp_path):
    pub, errors, _ = _read(tmp_path, "citation:\n  title: Only a title\nclaims:\n  n_patients: 6\n")
    assert pub is None
    found = _problems(errors)
    assert set(found) == {"citation.authors", "citation.venue", "citation.year", "citation.doi"}
    assert "required key is missing" in found["citation.venue"]
    assert "a DOI or a URL is required" in found["citation.doi"]


def test_malformed_citation_values(tmp_path):
    text = CITATION.replace("2026\n", "26\n").replace("doi: 10.1136", "doi: https://doi.org/10.1136")
    _, errors, _ = _read(tmp_path, text + "claims:\n  n_patients: 6\n")
    assert set(_problems(errors)) == {"citation.year", "citation.doi"}


def test_no_claims_is_an_error_and_unknown_keys_warn(tmp_path):
    pub, errors, warnings = _read(tmp_path, CITATION + "claim:\n  n_patients: 6\n")
    assert pub is None and set(_problems(errors)) == {"claims"}
    assert "did you mean 'claims'?" in str(warnings[0])


def test_default_publication_is_abstract_0647_value_for_value():
    """Every value the catalogue used to hold in code, now read from the shipped file."""
    from plain_contract import PUBLISHED

    pub = publications.default()
    assert dict(pub.claims) == PUBLISHED
    assert [k for k, _ in pub.claims] == [c.id for c in claims.CLAIMS]
    assert pub.label == "abstract 0647" and pub.registration == "NCT06513429"
    assert pub.citation == claims.CITATION
    assert pub.citation.startswith("Zhao J, Zhang X, Li X, et al. Anti-CD19 chimeric antigen receptor")


def test_the_catalogue_names_exactly_the_contract_ids():
    from sle_cart.inputs.publication_schema import CLAIM_UNITS

    assert {c.id: c.unit for c in claims.CLAIMS} == CLAIM_UNITS


def test_template_round_trip(tmp_path):
    """The starter file states nothing (all comments: the data are compared with abstract 0647); with its
    citation block and every claim uncommented it is abstract 0647's values under the placeholder citation."""
    from sle_cart.generate.template import write_template

    out = write_template(tmp_path / "tpl")
    text = (out / "publication.yml").read_text(encoding="utf-8")
    errors, notes = [], []
    assert read(out / "publication.yml", errors, [], notes) is None
    assert errors == [] and any("states nothing yet" in n for n in notes)
    assert all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())
    head = ("# citation:", "#   ", "# registration:", "# intervention:", "# claims:")
    text = "\n".join(line[2:] if line.startswith(head) else line for line in text.splitlines())
    for c in claims.CLAIMS:  # a comment giving its meaning, unit and decimals precedes each id
        assert f"  # {c.id}: " in text
    lines = text.splitlines()
    notes = [lines[i - 1] for i, line in enumerate(lines) if line.startswith("  # car_t_peak_median:")]
    assert "Peak CAR+ T cells" in notes[0] and "cells/µL" in notes[0] and "1 decimal" in notes[0]
    ids = tuple(f"  # {c.id}: " for c in claims.CLAIMS)
    uncommented = "\n".join(line.replace("# ", "", 1) if line.startswith(ids) else line for line in lines)
    pub, errors, _ = _read(tmp_path, uncommented)
    assert errors == []
    assert pub.claims == publications.default().claims


def test_a_dataset_with_the_file_carries_it_and_its_digest(bundled_copy):
    before = dataset.load(bundled_copy)
    assert before.publication is None and publications.of(before) is publications.default()
    (bundled_copy / "publication.yml").write_text(CITATION + "claims:\n  n_patients: 7\n", encoding="utf-8")
    ds = dataset.load(bundled_copy)
    assert ds.publication.value("n_patients") == "7"
    assert ds.sha256() != before.sha256()  # the publication is part of what was checked
    rows = {r["id"]: r for r in claims.evaluate(ds)}
    assert rows["n_patients"]["status"] == "does not hold" and rows["n_patients"]["published"] == 7


def test_validate_exits_2_and_reports_three_mistakes_at_once(bundled_copy, capsys):
    bad = CITATION.replace("  venue: Lupus Sci Med. 2026;13(1)\n", "") + (
        "claims:\n  n_patiens: 6\n  sledai_m3_median: five\n"
    )
    (bundled_copy / "publication.yml").write_text(bad, encoding="utf-8")
    with pytest.raises(DataError) as err:
        dataset.load(bundled_copy)
    report = err.value.report()
    assert "3 problems found" in report
    assert "publication.yml, key 'citation.venue': required key is missing" in report
    assert (
        "key 'claims.n_patiens': unknown claim id (the data dictionary lists them); did you mean 'n_patients'?"
        in report
    )
    assert "key 'claims.sledai_m3_median': value 'five': must be a number >= 0" in report
    assert cli.main(["validate", str(bundled_copy)]) == 2


def test_without_the_file_the_bundled_claims_are_unchanged(bundled):
    """No publication.yml: the bundled dataset still reproduces all 39 values of abstract 0647."""
    rows = claims.evaluate(bundled)
    assert len(rows) == 39 and all(r["holds"] for r in rows)
    assert {r["id"]: r["published"] for r in rows}["sledai_m3_median"] == 5.0


TWELVE = {  # on the bundled data: 9 hold, 2 do not, and follow-up (blanked below) is not evaluable
    "n_patients": "6",
    "n_female": "4",
    "age_median": "37",
    "car_t_peak_median": "188.10",
    "sledai_m3_median": "5.0",
    "sledai_m3_p_value": '"<0.05"',
    "n_renal_complete": "2",
    "renal_response_rate": "0.5",
    "n_dsdna_negative": "3",
    "n_crs_grade1": "4",
    "n_icans": "1",
    "follow_up_median": "5.5",
}


def test_a_publication_of_twelve_claims_is_what_every_view_counts(bundled_copy):
    import csv

    from sle_cart.analysis import claims_json
    from sle_cart.analysis.findings import findings_of
    from sle_cart.present import claims_text, ledger

    rows = list(csv.DictReader((bundled_copy / "patients.csv").open(encoding="utf-8")))
    for r in rows:
        r["follow_up_months"] = ""
    with (bundled_copy / "patients.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    claims_text_ = "".join(f"  {k}: {v}\n" for k, v in TWELVE.items())
    (bundled_copy / "publication.yml").write_text(CITATION + "claims:\n" + claims_text_, encoding="utf-8")
    ds = dataset.load(bundled_copy)
    found = findings_of(ds)
    status = {c.id: str(c.status) for c in found.claims}
    assert found.n_stated == 12 and found.n_holding == 9
    assert status["n_female"] == status["n_icans"] == "does not hold"
    assert status["car_t_peak_median"] == "holds"  # 188.1 exactly: it holds to two decimals too
    assert status["follow_up_median"] == "not evaluable"
    assert sum(s == "not stated" for s in status.values()) == 39 - 12
    doc = claims_json.claims_document(ds, found)
    assert doc["source"].startswith("Doe J, Roe R. A CD19 CAR T cohort in lupus.")
    assert doc["publication"]["label"] == "Doe et al. 2026" and doc["publication"]["claims_stated"] == 12
    assert {r["id"]: r["status"] for r in doc["claims"]} == status
    assert {r["id"]: r["published"] for r in doc["claims"]}["age_max"] is None
    table = ledger.claims_ledger(ds)
    assert table.title == "Claims ledger: 9 of 12 claims hold"
    assert (table.frame["Published"] == "not stated").sum() == 27
    assert "Doe J, Roe R" in table.footnotes[0]
    assert "Of the 12 numbers stated in Doe et al. 2026, 9 are reproduced" in claims_text.reproduction(ds)[0]

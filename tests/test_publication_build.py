"""A synthetic cohort that brings its own publication.yml, built end to end (issue 20).

The publication states 12 claims: on this cohort (seed 3) seven hold, four do not, and
follow-up (blanked in the data) is not evaluable.  The ledger page, the summary page,
claims.json, the PDF and consistency.json must report the same 12 verdicts and name
that publication, never abstract 0647.  They read the session's shared synthetic site
(``conftest.synthetic_build``), built from this cohort (``publication_cohort.py``).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from sle_cart.analysis import claims_fields

pytestmark = pytest.mark.build

#: What each stated claim comes to on that cohort.
EXPECTED = {
    "n_patients": "holds",
    "n_female": "does not hold",
    "age_median": "does not hold",
    "age_min": "holds",
    "n_sledai_baseline_ge_10": "holds",
    "follow_up_median": "not evaluable",
    "car_t_peak_median": "does not hold",
    "car_t_peak_day_min": "holds",
    "sledai_baseline_min": "holds",
    "sledai_m3_p_value": "holds",
    "n_crs_grade1": "does not hold",
    "n_icans": "holds",
}
LABEL = "Doe et al. 2026"


@pytest.fixture(scope="module")
def site(synthetic_build) -> Path:
    return synthetic_build[1] / "html"


def _text(page: Path) -> str:
    """A page's visible text, tags stripped and entities decoded."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_claims_json_reports_the_twelve_verdicts_and_the_publication(site):
    doc = json.loads((site / "claims.json").read_text(encoding="utf-8"))
    stated = {r["id"]: r["status"] for r in doc["claims"] if r["status"] != "not stated"}
    assert stated == EXPECTED
    assert doc["publication"]["label"] == LABEL and doc["publication"]["claims_stated"] == 12
    assert "0647" not in json.dumps(doc["source"])
    documented = {path for path, _, _ in claims_fields.FIELDS}
    assert [p for p in claims_fields.paths(doc) if p not in documented] == []  # its own fields are documented


def test_the_ledger_and_the_summary_count_seven_of_twelve_and_name_the_publication(site):
    ledger = _text(site / "chapters" / "08-claims-ledger.html")
    summary = _text(site / "chapters" / "01-summary.html")
    assert "Claims ledger: 7 of 12 claims hold" in ledger
    assert ledger.count("✓ holds") == 7 and ledger.count("✗ does not hold") == 4
    assert ledger.count("✗ not evaluable") == 1
    assert f"Of the 12 numbers stated in {LABEL}, 7 are reproduced" in summary
    for page in (ledger, summary):
        assert f"Compared with the published values of {LABEL}" in page  # the banner
        assert "Doe J, Roe R, Poe P, et al. CD19 CAR T cells in six patients" in page  # the footer
        assert "0647" not in page


def test_the_pdf_names_the_publication_and_its_verdicts(site):
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(site / "paper.pdf").pages)
    flat = " ".join(text.split())
    assert f"The numbers of {LABEL} recomputed" in flat
    assert "Doe J, Roe R, Poe P, et al. CD19 CAR T cells in six patients" in flat  # title block, reference 1
    assert "7 of 12 claims hold" in flat
    assert "0647" not in flat and "Zhao" not in flat and "abstract" not in flat.lower()


def test_consistency_json_checks_only_what_the_publication_states(site):
    doc = json.loads((site / "consistency.json").read_text(encoding="utf-8"))
    assert doc["publication"]["label"] == LABEL
    verdicts = {c["topic"]: (c["verdict"], c["reason"]) for c in doc["checks"]}
    assert verdicts["women and men make up the cohort"] == (
        "cannot be checked from the text",
        "the publication states no value for “Men”",
    )
    assert verdicts["the median age in years is possible for 6 whole numbers"][0] == "consistent"
    assert verdicts["every patient met the entry criterion"][0] == "consistent"
    assert verdicts["p below 0.05 is attainable with 6 pairs"][0] == "consistent"
    for check in doc["checks"]:  # a check rests on stated numbers, or says it cannot be made
        unstated = [c for c in check["claims"] if c not in EXPECTED]
        assert bool(unstated) == (check["verdict"] == "cannot be checked from the text"), check
    assert doc["implications"] is None  # they rest on numbers it does not state


def test_the_crate_cites_the_publication(site):
    crate = json.loads((site / "ro-crate-metadata.json").read_text(encoding="utf-8"))
    by_id = {e["@id"]: e for e in crate["@graph"]}
    cited = by_id[by_id["./"]["citation"]["@id"]]
    assert cited["@id"] == "https://doi.org/10.1136/lupus-2026-000001"
    assert cited["@type"] == "ScholarlyArticle" and cited["alternateName"] == LABEL
    assert "0647" not in by_id["./"]["description"]


def test_the_landing_page_and_the_navigation_name_the_publication(site):
    index = _text(site / "index.html")
    opening = index.split("Rebuild it with your data #")[0]  # the heading; the rest is for any dataset
    assert f"Synthetic CAR T cohort of 6 patients (seed 3): checked against {LABEL}" in opening
    assert "Doe J, Roe R, Poe P, et al. CD19 CAR T cells in six patients" in opening
    assert "0647" not in opening and "IM19" not in opening and "reconstruction" not in opening
    for page in (index, _text(site / "chapters" / "01-summary.html")):
        assert "The publication, rebuilt from data" in page and "The abstract, rebuilt" not in page

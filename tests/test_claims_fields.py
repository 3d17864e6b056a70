"""claims.json is documented from one list: every field a build writes, in the README and the data
dictionary chapter alike."""

from __future__ import annotations

import pytest

from conftest import ROOT
from sle_cart.analysis import claims_fields, claims_json
from sle_cart.analysis.robustness import Robustness
from sle_cart.present import registry
from sle_cart.present.dictionary import claims_json_markdown

DOCUMENTED = [path for path, _, _ in claims_fields.FIELDS]


@pytest.fixture(scope="module")
def ds(bundled):
    return bundled  # the session's: loaded, and its findings computed, once


@pytest.fixture(scope="module")
def written(ds):
    return claims_fields.paths(claims_json.claims_document(ds))


def test_every_field_of_the_bundled_claims_json_is_documented(written):
    assert [p for p in written if p not in DOCUMENTED] == []
    gone = [p for p in DOCUMENTED if p not in written and p not in claims_fields.ONLY_WITH_OWN_PUBLICATION]
    assert gone == []  # and nothing documented is gone


def test_the_fields_readers_ask_about_are_documented_with_every_robustness_class():
    for field in ("label", "alternatives_that_could_affect", "versus", "method", "robustness"):
        assert any(p.endswith(f"[].{field}") for p in DOCUMENTED), field
    meaning = {p: m for p, _, m in claims_fields.FIELDS}
    for cls in Robustness:  # each class named where the field is, and defined beside its count
        assert f'"{cls}"' in meaning["claims[].robustness"]
        assert meaning[f"robustness_counts.{cls}"].startswith(f'the number of claims classed "{cls}"; ')


def test_paths_name_list_rows_and_keep_keyed_mappings_whole():
    doc = {"a": [{"b": 1, "holds_under": {"x": True}}], "claims": [{"holds_under": {"alt_id": True}}]}
    assert claims_fields.paths(doc) == [
        "a",
        "a[].b",
        "a[].holds_under",
        "a[].holds_under.x",
        "claims",
        "claims[].holds_under",
    ]


def test_readme_holds_the_generated_field_table():
    assert claims_json_markdown() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_data_dictionary_chapter_lists_every_field(ds):
    made = registry.make("claims_fields", ds)
    assert made.frame.index.tolist() == DOCUMENTED
    assert made.frame.loc["claims[].label", "meaning"].startswith("what a reader sees")


def test_long_field_names_may_wrap_at_their_dots_and_underscores_but_numbers_do_not(ds):
    # on a phone the sticky field column would otherwise take the whole width
    markup = registry.make("claims_fields", ds).to_html()
    assert "claims[].<wbr>alternatives_<wbr>that_<wbr>could_<wbr>affect" in markup
    assert "<wbr>" not in registry.make("table1", ds).to_html().split("<tbody>")[1].split("</tbody>")[0]

"""The paper's words without typesetting: a paper's vocabulary, numbered references, sentences that
begin with a word, right-aligned numbers (content.json as ``sle_cart.book.paper`` writes it)."""

from __future__ import annotations

import html
import re

import pytest

from sle_cart.book import paper, paper_text
from sle_cart.inputs.dataset import load
from sle_cart.present import prose, references

FIGURES = {"fig1": "fig1.pdf", "fig2": "fig2.pdf"}
#: The sources the paper relies on (issue 18): each must be in its reference list.
REQUIRED = (
    "zhao2025",
    "nct06513429",
    "aringer2019",
    "gladman2002",
    "lee2019",
    "kdigo2024",
    "clopper1934",
    "hodges1963",
    "wilcoxon1945",
    "mackensen2022",
    "muller2024",
)


_CONTENTS: dict[int, tuple] = {}


def _content(ds) -> dict:
    """The paper's content for ``ds``, made once per dataset for this module (tests only read it)."""
    if id(ds) not in _CONTENTS:  # the dataset is kept with it, so its id is not reused
        _CONTENTS[id(ds)] = (ds, paper.content(ds, commit="0" * 12, versions={}, figures=FIGURES))
    return _CONTENTS[id(ds)][1]


def _texts(doc: dict):
    """(kind, text) of every sentence-bearing text of the paper, in order."""
    for block in doc["blocks"]:
        for field in paper.TEXT_FIELDS.get(block["kind"], ()):
            value = block[field]
            for text in value if isinstance(value, list) else [value]:
                yield block["kind"], text


@pytest.fixture(scope="module")
def datasets(tmp_path_factory, bundled):
    from sle_cart.generate.synth import write_synthetic

    synthetic = load(write_synthetic(tmp_path_factory.mktemp("synth") / "s", n_patients=5, seed=3))
    return {"bundled": bundled, "synthetic": synthetic}


def test_paper_uses_no_words_of_the_website(datasets):
    for name, ds in datasets.items():
        for kind, text in _texts(_content(ds)):
            assert not paper_text.WEB_WORDS.search(text), (name, kind, text)


def test_no_sentence_of_the_paper_or_the_summary_starts_with_a_numeral(datasets):
    for name, ds in datasets.items():
        for kind, text in _texts(_content(ds)):
            assert not prose.starts_with_numeral(text), (name, kind, text)
        for key, section in prose.SECTIONS.items():
            for paragraph in section(ds):
                assert not prose.starts_with_numeral(paragraph), (name, key, paragraph)


def test_the_numeral_check_finds_one():
    assert prose.starts_with_numeral("Six were treated. 5 of 6 responded.") == ["5 of 6 responded."]
    assert prose.starts_with_numeral("A p of 0.031 and 2.5 cells/µL. Of 6, 5 responded.") == []
    assert prose.starts_with_numeral("Notes. 95% CI: exact interval. 3 of 6 had: none.") == [
        "3 of 6 had: none."
    ]


def test_registration_is_in_methods_and_every_source_is_numbered(datasets):
    doc = _content(datasets["bundled"])
    blocks = doc["blocks"]
    headings = [b["text"] for b in blocks if b["kind"] == "heading"]
    methods, results = (
        next(i for i, b in enumerate(blocks) if b.get("text") == h) for h in ("Methods", "Results")
    )
    methods_text = " ".join(b["text"] for b in blocks[methods:results] if b["kind"] == "paragraph")
    assert references.registration() == "NCT06513429"
    assert f"ClinicalTrials.gov as {references.registration()} [" in methods_text
    (listed,) = [b["items"] for b in blocks if b["kind"] == "references"]
    assert "References" in headings
    for key in REQUIRED:
        assert references.vancouver(references.LIBRARY[key]) in listed, key
    body = " ".join(text for _, text in _texts(doc))
    assert "[@" not in body
    cited = set()
    for group in re.findall(r"\[(\d+(?:(?:, |–)\d+)*)\]", body):
        for part in group.split(", "):
            low, _, high = part.partition("–")
            cited |= set(range(int(low), int(high or low) + 1))
    assert cited == set(range(1, len(listed) + 1))  # every reference is cited, by its number


def test_citations_number_by_first_citation():
    numbering = references.Numbering()
    first = numbering.resolve(
        f"A {references.cite('wilcoxon1945')} and {references.cite('lee2019', 'gladman2002')}."
    )
    second = numbering.resolve(
        f"Again {references.cite('gladman2002', 'wilcoxon1945', 'lee2019')}; [@not-ours] stays."
    )
    assert first == "A [1] and [2, 3]."
    assert second == "Again [1–3]; [@not-ours] stays."
    assert numbering.cited()[0].startswith("Wilcoxon F. Individual comparisons by ranking methods. ")
    with pytest.raises(KeyError):
        references.cite("nobody2099")


def test_vancouver_format():
    lib = references.LIBRARY
    assert references.vancouver(lib["gladman2002"]) == (
        "Gladman DD, Ibañez D, Urowitz MB. Systemic lupus erythematosus disease activity index 2000. "
        "J Rheumatol. 2002;29:288–291."
    )
    assert references.vancouver(lib["zhao2025"]).startswith("Zhao J, Zhang X, Li X, et al. Anti-CD19")
    assert references.vancouver(lib["zhao2025"]).endswith("Arthritis Rheumatol. 2025;77(suppl 9).")
    assert references.vancouver(lib["lee2019"]).startswith("Lee DW, et al. ASTCT consensus")


def test_safety_table_is_in_the_paper_as_table_2(datasets):
    doc = _content(datasets["bundled"])
    tables = [b for b in doc["blocks"] if b["kind"] == "table"]
    titles = [t["title"] for t in tables]
    assert titles[:2] == ["Table 1. Baseline characteristics", "Table 2. Cytokine release syndrome and ICANS"]
    safety = " ".join(b["text"] for b in doc["blocks"] if b["kind"] == "paragraph" and "ICANS" in b["text"])
    assert "Every episode is listed in Table 2." in safety


def test_numeric_columns_are_right_aligned(datasets):
    block = paper.table1_block(datasets["bundled"])
    assert block["align"][0] == "left"
    assert set(block["align"][1:]) == {"right"}, list(zip(block["header"], block["align"]))


def test_the_site_lists_the_same_references():
    from sle_cart.present.chapter import reference_list

    markup = reference_list()._repr_html_()
    assert markup.count("<li>") == len(references.LIBRARY)
    for key in REQUIRED:
        assert html.escape(references.vancouver(references.LIBRARY[key])) in markup, key

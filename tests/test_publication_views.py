"""Every view names the publication in force: abstract 0647 by default, else the dataset's own (issue 20).

Pages (banner, title, authors line, footer), the summary's source and sources, the
prose's attributions, the paper's title block and references, the consistency checks
and the data dictionary's tables; the whole build is ``test_publication_build``.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from sle_cart.analysis import consistency, enumeration, publications
from sle_cart.book import page_text, paper, paper_text
from sle_cart.inputs import dataset
from sle_cart.present import attribution, chapter, dictionary, prose, registry
from sle_cart.present.references import Numbering, cite, source_id
from test_publication_file import CITATION

OWN = (
    CITATION
    + """\
registration: NCT09999999
intervention: 1×10⁶ CAR T cells/kg
claims:
  n_patients: 6
  age_median: 37
  sledai_m3_p_value: "<0.05"
"""
)
FIGURES = {"fig1": "f1.pdf", "fig2": "f2.pdf"}


@pytest.fixture
def own(bundled_copy):
    """The bundled data with a publication.yml of their own (three claims)."""
    (bundled_copy / "publication.yml").write_text(OWN, encoding="utf-8")
    return dataset.load(bundled_copy)


def test_without_the_file_every_page_says_abstract_0647(bundled):
    assert "Compared with the published values of <a href=" in page_text.compared_html(bundled)
    assert ">abstract 0647</a>." in page_text.compared_html(bundled)
    assert page_text.title(bundled, "The book") == "The book"
    foot = page_text.footer_html(bundled, "abc", {})
    assert "Published values: <a href=" in foot and "Zhao J, Zhang X, Li X, et al." in foot
    assert "Registration: NCT06513429." in foot


def test_with_the_file_every_page_names_the_publication(own):
    assert ">Doe et al. 2026</a>." in page_text.compared_html(own)
    assert 'href="https://doi.org/10.1136/lupus-2026-000001"' in page_text.compared_html(own)
    assert page_text.title(own, "The book").endswith(": checked against Doe et al. 2026")
    foot = page_text.footer_html(own, "abc", {})
    assert ">Doe et al. 2026</a>, Doe J, Roe R. A CD19 CAR T cohort in lupus." in foot  # not abstract 0647
    assert "Zhao J, Zhang X, Li X" not in foot  # abstract 0647 as cited (the data's own source may name it)
    cff = {"title": "sle-cart: x", "authors": [{"name": "The sle-cart authors"}], "references": [{}]}
    authors = page_text.citation_html(cff, own.publication)
    assert "the publication this build checks" in authors and "Doe J, Roe R" in authors
    assert "abstract it rebuilds" not in authors


def test_the_summary_names_the_publication_and_not_the_abstracts_trial(own, bundled):
    assert attribution.source(bundled).startswith("Compared with the published values of abstract 0647. ")
    assert attribution.source(own).startswith("Compared with the published values of Doe et al. 2026. ")
    assert "NCT09999999" in attribution.source(own)
    assert attribution.concluded(bundled) == attribution.CONCLUDED_0647
    assert "Doe et al. 2026" in attribution.concluded(own) and "IM19" not in attribution.concluded(own)
    words = " ".join(prose.treated(own) + prose.limitations(own) + registry.make("safety", own).footnotes)
    assert "According to Doe et al. 2026, patients received 1×10⁶ CAR T cells/kg" in words
    assert "abstract" not in words and "IM19" not in words
    sources = chapter.reference_list(own).markup
    assert sources.startswith('<ol class="sle-references"><li>Doe J, Roe R. A CD19 CAR T cohort in lupus.')
    assert "Zhao" not in sources and "Zhao" in chapter.reference_list(bundled).markup


def test_the_papers_title_block_and_references_follow_the_publication(own, bundled):
    doc = paper.content(own, commit="0" * 12, versions={}, figures=FIGURES)
    assert doc["title"] == "The numbers of Doe et al. 2026 recomputed from patient-level data"
    assert doc["citation"].startswith("Checks: Doe J, Roe R. A CD19 CAR T cohort in lupus.")
    assert doc["running_head"].startswith("Doe et al. 2026 checked against data")
    refs = next(b["items"] for b in doc["blocks"] if b["kind"] == "references")
    assert any(r.startswith("Doe J, Roe R. A CD19") for r in refs) and not any("Zhao" in r for r in refs)
    default = paper.content(bundled, commit="0" * 12, versions={}, figures=FIGURES)
    assert default["title"] == paper.TITLE and default["citation"].startswith("Rebuilds: Zhao J")
    assert source_id(bundled) == "zhao2025" and source_id(own) == "publication"
    assert "Each number stated in the publication is compared" in " ".join(paper_text.analysis(own))


def test_a_numbering_cites_the_publication_where_it_is_first_cited(own):
    numbering = Numbering(
        [{"id": "publication", "type": "publication", "citation": "Doe J. T.", "URL": None}]
    )
    assert numbering.resolve(f"A {cite('publication')} and {cite('lee2019')}.") == "A [1] and [2]."
    assert numbering.cited()[0] == "Doe J. T."
    assert Numbering().resolve(cite("publication")) == "[@publication]"  # not given: left as written


def _stating(**values: str):
    """Abstract 0647 with only the claims ``values`` (id -> value as written)."""
    return replace(publications.default(), claims=tuple(values.items()))


def test_consistency_checks_run_on_what_a_publication_states():
    pub = _stating(n_patients="6", n_female="4", n_male="3", age_median="37.5")
    found = {c.topic: c for c in consistency.checks(pub)}
    assert found["women and men make up the cohort"].verdict is consistency.Verdict.INCONSISTENT
    assert (
        found["the median age in years is possible for 6 whole numbers"].verdict
        is consistency.Verdict.CONSISTENT
    )
    unmade = found["the range of age in years holds its median"]
    assert unmade.verdict is consistency.Verdict.UNCHECKABLE
    assert unmade.reason == "the publication states no value for “Age, minimum”"
    assert consistency.implications(pub) is None and consistency.sledai_visits(pub) == {}
    doc = consistency.document(pub)
    assert doc["implications"] is None and doc["feasible_sorted_scores"] == {}
    assert consistency.document()["publication"]["label"] == "abstract 0647"
    assert consistency.document()["checks"] == consistency.document(publications.default())["checks"]


def test_too_many_sign_patterns_cannot_be_checked_rather_than_hang():
    with pytest.raises(ValueError, match="too many sign patterns"):
        enumeration.sign_patterns(9, Fraction(1, 20))
    pub = _stating(n_patients="9", sledai_m3_p_value="<0.05")
    attainable = next(c for c in consistency.checks(pub) if c.topic.startswith("p below"))
    assert attainable.verdict is consistency.Verdict.UNCHECKABLE and "too many" in attainable.reason
    with pytest.raises(enumeration.NotStated):
        enumeration.number("n_female", _stating(n_patients="6"))


def test_the_dictionary_lists_keys_and_claim_ids_in_two_tables(bundled):
    keys = dictionary.publication_dictionary(bundled).frame
    ids = dictionary.publication_claims(bundled).frame
    assert not any(k.startswith("claims.") and k != "claims.<claim id>" for k in keys.index)
    assert len(ids) == 39 and list(ids.columns) == ["unit", "claim"]
    notes = dictionary.publication_claims(bundled).footnotes[0]
    assert "patients: a whole number of patients" in notes and "any other unit: a number >= 0" in notes


def test_the_landing_page_and_first_caption_follow_the_publication(own, bundled):
    from sle_cart.book import landing
    from sle_cart.paths import ROOT

    index, toc = (
        (ROOT / "index.md").read_text(encoding="utf-8"),
        (ROOT / "_toc.yml").read_text(encoding="utf-8"),
    )
    assert landing.index_page(bundled, index) == index and landing.toc(bundled, toc) == toc
    page = landing.index_page(own, index)
    head, general = page.split(landing.REBUILD)
    assert head.startswith("# ") and "Doe et al\\. 2026" in head.splitlines()[0]
    checked = head.split("## About the data")[0].split("\n", 1)[1]  # the title holds the data's own title
    assert "0647" not in checked and "Zhao" not in checked and "IM19" not in checked
    assert "Trial registration: NCT09999999." in checked
    assert "(https://doi.org/10.1136/lupus-2026-000001)" in head  # a link to read it
    assert landing.REBUILD + general == index[index.index(landing.REBUILD) :]  # how to rebuild, unchanged
    assert landing.CAPTION_OWN in landing.toc(own, toc) and landing.CAPTION_0647 not in landing.toc(own, toc)


def test_a_publications_words_reach_the_landing_page_as_text_not_markup(own):
    from sle_cart.book import landing
    from sle_cart.book.plan import BuildError

    assert landing.literal("<script>x</script> *a* [b](c) {role}`d`") == (
        "\\<script\\>x\\<\\/script\\> \\*a\\* \\[b\\]\\(c\\) \\{role\\}\\`d\\`"
    )
    assert landing.literal("two\n  lines") == "two lines"  # a line break would end the heading
    with pytest.raises(BuildError, match=r"index\.md: no heading '## Rebuild it with your data'"):
        landing.index_page(own, "# A page without the heading\n")
    with pytest.raises(BuildError, match=r"_toc\.yml: no 'caption: The abstract, rebuilt'"):
        landing.toc(own, "format: jb-book\n")

"""paper.pdf (typst) and the composite publication figures (Figure 1 a–b, Figure 2 a–d)."""

from __future__ import annotations

import re
import struct
import unicodedata

import pypdf
import pytest
import vl_convert as vlc

from conftest import write_dataset
from sle_cart.book.paper import write_paper
from sle_cart.inputs.dataset import load
from sle_cart.present import prose, publication, registry

COMMIT, VERSIONS = "0123456789ab", {"pandas": "9.9", "altair": "8.8"}
# renders PDFs, figures or large cohorts: left out of make check, run by make test
pytestmark = pytest.mark.build


HOSTILE = "<img src=x> #set text(red) $x$ *b* @ref [c] \\ `d` _e_"
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def squash(text: str) -> str:
    """Text without whitespace or hyphens (where lines wrap and words break), ligatures expanded."""
    return re.sub(r"[\s\-\u00ad\u2010]", "", unicodedata.normalize("NFKC", text))


def pdf_text(path) -> tuple[int, str]:
    reader = pypdf.PdfReader(path)
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def bundled_paper(bundled, tmp_path_factory):
    """The bundled dataset's paper written twice, into two site folders."""
    sites = [tmp_path_factory.mktemp(f"site{i}") for i in range(2)]
    (sites[0] / "index.html").write_text("kept", encoding="utf-8")
    paths = [write_paper(site, bundled, commit=COMMIT, versions=VERSIONS) for site in sites]
    pages, text = pdf_text(paths[0])
    return paths, pages, text


@pytest.fixture(scope="module")
def sparse(tmp_path_factory):
    """Three patients without CAR T counts (so Figure 1a is a placeholder), with a hostile title."""
    patients = [{"patient_id": f"S{i}", "sex": "FM"[i % 2], "age_years": 30 + i} for i in range(1, 4)]
    m = []
    for i in range(1, 4):
        pid = f"S{i}"
        m += [(pid, -2, "sledai_2k", 10 + i), (pid, 31, "sledai_2k", 6), (pid, 88, "sledai_2k", 4)]
        m += [(pid, -2, "cd19_b", 120), (pid, 4, "cd19_b", "<1"), (pid, -2, "c3", 0.6), (pid, 45, "c3", 1.0)]
        m += [
            (pid, -2, "c4", 0.08),
            (pid, 45, "c4", 0.2),
            (pid, -2, "anti_dsdna", 60),
            (pid, 90, "anti_dsdna", 4),
        ]
    quoted = "'" + HOSTILE.replace("'", "''") + "'"  # a YAML single-quoted string
    path = write_dataset(tmp_path_factory.mktemp("sparse") / "ds", patients, m, title=quoted, name="sparse")
    ds = load(path)
    assert ds.title == HOSTILE
    return ds


# ------------------------------------------------------------------ paper.pdf
def test_paper_is_a_deterministic_pdf_of_several_pages(bundled_paper):
    (first, second), pages, _ = bundled_paper
    data = first.read_bytes()
    assert data.startswith(b"%PDF")
    assert pages >= 3
    assert len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data)) == pages
    assert data == second.read_bytes()  # no date, no random identifier


def test_paper_writes_only_paper_pdf(bundled_paper):
    (first, _), _, _ = bundled_paper
    assert sorted(p.name for p in first.parent.iterdir()) == ["index.html", "paper.pdf"]
    assert (first.parent / "index.html").read_text(encoding="utf-8") == "kept"


def test_summary_sentences_and_their_numbers_are_in_the_paper(bundled, bundled_paper):
    _, _, text = bundled_paper
    flat = squash(text)
    for key, section in prose.SECTIONS.items():
        for paragraph in section(bundled):
            assert squash(paragraph) in flat, (key, paragraph)
            for token in NUMBER.findall(paragraph):
                assert token in text, (key, token)


def test_table1_summary_and_provenance_are_in_the_paper(bundled, bundled_paper):
    _, _, text = bundled_paper
    flat = squash(text)
    table = registry.make("table1", bundled)
    for value in table.frame.iloc[:, -1]:
        assert squash(str(value)) in flat, value
    assert squash(table.footnotes[0]) in flat
    assert bundled.sha256() in text
    assert COMMIT in text
    for name, version in VERSIONS.items():
        assert f"{name} {version}" in text


def test_paper_states_citation_notice_ledger_and_sections(bundled, bundled_paper):
    _, _, text = bundled_paper
    flat = squash(text)
    for heading in (
        "Background",
        "Methods",
        "Results",
        "Limitations",
        "Conclusion",
        "Appendix A",
        "Appendix B",
    ):
        assert heading in text
    assert squash("Arthritis Rheumatol. 2025;77(suppl 9)") in flat
    assert "Reconstructed data." in text and squash("They are not patient data") in flat
    ledger = registry.make("claims", bundled)
    assert squash(ledger.title) in flat
    for statement in ledger.frame.index:
        assert squash(statement) in flat, statement
    assert "Figure 1" in text and "Figure 2" in text


def test_hostile_title_is_printed_as_written(sparse, tmp_path):
    path = write_paper(tmp_path, sparse, commit=COMMIT, versions=VERSIONS)
    pages, text = pdf_text(path)
    assert pages >= 3
    assert squash(HOSTILE) in squash(text)
    assert HOSTILE in " ".join(text.split())
    assert "Reconstructed data." not in text and "Synthetic data." not in text  # observed data: no notice
    assert squash("This dataset has no CAR T cell counts") in squash(text)


def test_synthetic_cohort_gets_its_own_paper_with_the_notice(tmp_path):
    from sle_cart.generate.synth import write_synthetic

    ds = load(write_synthetic(tmp_path / "synth", n_patients=5, seed=1))
    site = tmp_path / "site"
    site.mkdir()
    path = write_paper(site, ds, commit=COMMIT, versions=VERSIONS)
    _, text = pdf_text(path)
    flat = squash(text)
    assert "Synthetic data." in text
    assert squash("They are not patient data and reproduce no publication") in flat
    assert ds.sha256() in text and squash(ds.title) in flat
    assert squash(prose.SECTIONS["treated"](ds)[0]) in flat


# ------------------------------------------------------------------ composite figures
def _png_ppm(data: bytes) -> tuple[int, int, int, int]:
    """(width, height, x pixels per metre, y pixels per metre) of a PNG."""
    width, height = struct.unpack(">II", data[16:24])
    i = data.index(b"pHYs")
    x, y, unit = struct.unpack(">IIB", data[i + 4 : i + 13])
    assert unit == 1  # metre
    return width, height, x, y


def test_composites_are_written_at_300_dpi_deterministically(bundled, tmp_path):
    first = publication.export(bundled, tmp_path / "a")
    second = publication.export(bundled, tmp_path / "b")
    assert sorted(p.name for p in first) == sorted(
        f"{f}.{e}" for f in ("fig1", "fig2") for e in ("svg", "pdf", "png")
    )
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    for fig in ("fig1", "fig2"):
        svg = (tmp_path / "a" / f"{fig}.svg").read_text(encoding="utf-8")
        w_svg, h_svg = (float(v) for v in re.search(r'width="([\d.]+)" height="([\d.]+)"', svg).groups())
        width, height, x, y = _png_ppm((tmp_path / "a" / f"{fig}.png").read_bytes())
        assert x == y == round(300 / 0.0254)
        assert abs(width - w_svg * 300 / 72) <= 2 and abs(height - h_svg * 300 / 72) <= 2
        assert (tmp_path / "a" / f"{fig}.pdf").read_bytes().startswith(b"%PDF")


def test_composites_have_lettered_panels_and_one_patient_legend(bundled):
    for make, letters in ((publication.figure1, "ab"), (publication.figure2, "abcd")):
        spec = make(bundled).to_dict()
        assert "config" in spec and spec["resolve"]["scale"]["color"] == "shared"
        text = str(spec)
        for letter in letters:
            assert f"'{letter}   " in text
        svg = vlc.vegalite_to_svg(spec)
        assert svg.count(">Patient<") == 1  # the colour legend, drawn once


def test_a_panel_without_data_still_composes(sparse):
    svg = vlc.vegalite_to_svg(publication.figure1(sparse).to_dict())
    assert "This dataset has no CAR T cell counts" in svg
    assert "B-cell depletion" in svg
    vlc.vegalite_to_svg(publication.figure2(sparse).to_dict())

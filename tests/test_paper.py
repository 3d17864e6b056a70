"""paper.pdf (typst) and the composite publication figures (Figure 1 a–b, Figure 2 a–d)."""

from __future__ import annotations

import re
import struct
import unicodedata

import pypdf
import pytest
import vl_convert as vlc

from conftest import write_dataset
from sle_cart.book.paper import LEFT_OUT, in_print, write_paper
from sle_cart.book.paper_text import WEB_WORDS
from sle_cart.inputs.dataset import load
from sle_cart.present import prose, publication, registry
from sle_cart.present.references import LIBRARY, Numbering, registration, vancouver

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
def exported(bundled, tmp_path_factory):
    """The bundled dataset's composite and single-panel figures, written once for this module."""
    folder = tmp_path_factory.mktemp("downloads")
    return folder, publication.export(bundled, folder)


@pytest.fixture(scope="module")
def figures(bundled):
    """The bundled dataset's composite figures as Vega-Lite specs."""
    return {name: make(bundled) for name, make in publication.FIGURES.items()}


@pytest.fixture(scope="module")
def bundled_paper(bundled, exported, tmp_path_factory):
    """The bundled dataset's paper written twice, into two site folders, with the figures drawn once
    (their own determinism is the export's test, across two processes)."""
    sites = [tmp_path_factory.mktemp(f"site{i}") for i in range(2)]
    (sites[0] / "index.html").write_text("kept", encoding="utf-8")
    pdfs = {p.stem: p.read_bytes() for p in exported[1] if p.suffix == ".pdf"}
    paths = [write_paper(site, bundled, commit=COMMIT, versions=VERSIONS, figure_pdfs=pdfs) for site in sites]
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
        if key in LEFT_OUT:
            continue
        for paragraph in section(bundled):
            (block,) = in_print([{"kind": "paragraph", "text": paragraph}], Numbering())
            paragraph = block["text"]
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
    assert "Table 2. Cytokine release syndrome and ICANS" in text
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
    assert squash("they are not patient data and reproduce no publication") in flat
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


def test_composites_are_written_at_300_dpi_deterministically(exported, bundled_build):
    folder, first = exported
    _, base = bundled_build  # the same figures, drawn by the build in other processes
    stems = ["fig1", "fig2", *(f"{p}-single" for names in publication.PANELS.values() for p in names)]
    assert sorted(p.name for p in first) == sorted(f"{f}.{e}" for f in stems for e in ("svg", "pdf", "png"))
    for a in first:
        assert a.read_bytes() == (base / "html" / "downloads" / a.name).read_bytes(), a.name
    for fig in ("fig1", "fig2"):
        svg = (folder / f"{fig}.svg").read_text(encoding="utf-8")
        w_svg, h_svg = (float(v) for v in re.search(r'width="([\d.]+)" height="([\d.]+)"', svg).groups())
        width, height, x, y = _png_ppm((folder / f"{fig}.png").read_bytes())
        assert x == y == round(300 / 0.0254)
        assert abs(width - w_svg * 300 / 72) <= 2 and abs(height - h_svg * 300 / 72) <= 2
        assert (folder / f"{fig}.pdf").read_bytes().startswith(b"%PDF")


def test_composites_have_lettered_panels_and_one_patient_legend(figures):
    for spec, letters in ((figures["fig1"], "ab"), (figures["fig2"], "abcd")):
        assert "config" in spec and spec["resolve"]["scale"]["color"] == "shared"
        text = str(spec)
        for letter in letters:
            assert f"'{letter}   " in text
        svg = vlc.vegalite_to_svg(spec)
        assert svg.count(">Patient<") == 1  # the colour legend, drawn once


def test_a_panel_without_data_still_composes(sparse):
    svg = vlc.vegalite_to_svg(publication.figure1(sparse))
    assert "This dataset has no CAR T cell counts" in svg
    assert "B-cell depletion" in svg
    vlc.vegalite_to_svg(publication.figure2(sparse))


def test_paper_reads_as_a_paper_with_registration_and_references(bundled_paper):
    _, _, text = bundled_paper
    flat = squash(text)
    assert not WEB_WORDS.search(text), WEB_WORDS.search(text)
    methods, results = text.index("Methods"), text.index("Results")
    assert registration() in text[methods:results]
    references = text.index("References")
    for key in ("zhao2025", "nct06513429", "aringer2019", "gladman2002", "lee2019", "kdigo2024"):
        assert squash(vancouver(LIBRARY[key])) in squash(text[references:]), key
    for key in ("clopper1934", "hodges1963", "mackensen2022", "muller2024"):
        assert squash(vancouver(LIBRARY[key])) in flat, key
    assert re.search(r"\[1[],]", text) and "[@" not in text


def _text_sizes(page) -> list[tuple[float, str]]:
    """(size in pt on the page, text) of each text run: the font size scaled by the text and CTM matrices."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():  # the height of a glyph: the text matrix then the CTM, applied to (0, size)
            c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
            runs.append((round(size * (c * c + d * d) ** 0.5, 2), text))

    page.extract_text(visitor_text=visit)
    return runs


def test_a_table_title_is_on_the_page_its_table_starts_on(bundled_paper):
    # a short table is kept with its title: a title alone at the foot of a page is an orphan
    (first, _), _, _ = bundled_paper
    pages = [page.extract_text() for page in pypdf.PdfReader(first).pages]
    for title, first_row in (
        ("Table 1. Baseline", "Sex, female"),
        ("Table 2. Cytokine release", "Worst CRS"),
    ):
        on = [i for i, text in enumerate(pages) if title in text]
        assert on and first_row in pages[on[0]], (title, on)


def test_a_figure_floats_so_text_fills_the_page_before_it(bundled_paper):
    # a composite that does not fit below the text moves to the next page's top; the text after it
    # fills the page instead of leaving its lower half empty
    (first, _), _, _ = bundled_paper
    pages = [squash(page.extract_text()) for page in pypdf.PdfReader(first).pages]
    fig1 = next(i for i, text in enumerate(pages) if squash("Figure 1. CAR T cell expansion") in text)
    assert squash("Disease activity, kidneys and serology") in pages[fig1 - 1], pages[fig1 - 1][-300:]


def test_appendix_text_is_at_least_8_pt(bundled_paper):
    (first, _), _, _ = bundled_paper
    reader = pypdf.PdfReader(first)
    start = next(i for i, page in enumerate(reader.pages) if "Appendix A. Claims" in page.extract_text())
    runs = [r for page in reader.pages[start:] for r in _text_sizes(page)]
    assert runs and min(runs)[0] >= 7.99, min(runs)


SVG_TEXT = re.compile(r'<text[^>]*font-size="([\d.]+)px"')


def _svg_width(svg: str) -> float:
    return float(re.search(r'<svg[^>]*?width="([\d.]+)"', svg).group(1))


def test_composites_fit_a_journal_column_with_print_type(exported):
    folder, _ = exported
    widths = {"fig1": 7.2 * 72, "fig2": 7.2 * 72}
    widths |= {f"{p}-single": 3.6 * 72 for names in publication.PANELS.values() for p in names}
    for stem, widest in widths.items():
        svg = (folder / f"{stem}.svg").read_text(encoding="utf-8")
        page = pypdf.PdfReader(folder / f"{stem}.pdf").pages[0]
        box = page.mediabox
        assert min(_text_sizes(page))[0] >= 6, stem
        assert float(box.width) <= widest, stem
        assert abs(float(box.width) - _svg_width(svg)) < 1, stem  # the PDF is the drawing at 1:1
        assert float(box.width) >= widest - 0.3 * 72, stem  # and fills its column
        sizes = [float(v) for v in SVG_TEXT.findall(svg)]
        assert sizes and min(sizes) >= 6, (stem, min(sizes))
        axis = re.findall(r'role-axis-(?:label|title)".*?</g>', svg, re.S)
        assert axis and min(float(v) for g in axis for v in SVG_TEXT.findall(g)) >= 7, stem


def test_composites_are_full_rows_of_bold_lettered_panels(figures):
    fig1, fig2 = figures["fig1"], figures["fig2"]
    assert [len(row.get("hconcat", [row])) for row in fig2["vconcat"]] == [2, 2]  # no empty quarter
    panels = [*fig1["vconcat"], *(p for row in fig2["vconcat"] for p in row["hconcat"])]
    for letter, p in zip("ababcd", panels):
        assert p["title"]["text"].startswith(f"{letter}   ") and p["title"]["fontWeight"] == "bold"


def _view_widths(spec: dict) -> list[float]:
    views = spec.get("hconcat") or spec.get("vconcat")
    return [w for v in views for w in _view_widths(v)] if views else [spec["width"]]


def test_fig1b_views_are_readable_in_both_columns(bundled, figures):
    # Figure 1b's two views (days -7 to 28, whole follow-up) each get half a double column, not a
    # quarter, and a single column's width when the panel stands alone
    fig1 = publication.spec(figures["fig1"])
    early, whole = _view_widths(fig1["vconcat"][1])
    assert min(early, whole) >= 0.4 * publication.DOUBLE_COLUMN, (early, whole)
    assert _view_widths(fig1["vconcat"][0])[0] >= 0.8 * publication.DOUBLE_COLUMN  # 1a fills its row
    single = publication.spec(publication.single(bundled, "fig1b"))
    assert min(_view_widths(single)) >= 0.75 * publication.SINGLE_COLUMN, _view_widths(single)

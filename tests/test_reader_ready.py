"""What a reader meets first: one display rule per quantity, tables that say they scroll, a landing
page that says how to rebuild the book, a one-line notice, named authors, and the clinical gaps said."""

from __future__ import annotations

import re
from fractions import Fraction

import pandas as pd
import pytest

from conftest import ROOT
from sle_cart.book import page_text, sphinx_ext
from sle_cart.present import prose, registry, summary
from sle_cart.present.cells import median_range, value_cell
from sle_cart.present.formatting import recorded, times_ten


@pytest.fixture(scope="module")
def ds(bundled):
    return bundled  # the session's: loaded, and its findings computed, once


# ------------------------------------------------------------------ one display rule per quantity
def test_measured_values_print_as_recorded_and_derived_ones_at_their_decimals():
    assert value_cell(142.0, None) == "142" and value_cell(Fraction("35.3"), None) == "35.3"
    assert value_cell(5.0, None, censored=True) == "<5"
    assert recorded(Fraction("0.065")) == "0.065"
    areas = pd.Series([640.0, 1032.4, 1450.0])
    assert median_range(areas, 0) == "1032 (640–1450)"  # not '1032.4' beside whole numbers
    assert median_range(pd.Series([7, 8, 9, 10]), 0) == "8.5 (7–10)"  # exactly halfway keeps its .5
    assert median_range(pd.Series([142.0, 88.0, 210.0]), None) == "142 (88–210)"
    # one precision per quantity: the one its values were recorded at (0.70 beside 0.52, not 0.7)
    assert median_range(pd.Series([0.52, 0.70, 0.61]), None) == "0.61 (0.52–0.70)"


def test_tables_and_summary_show_a_quantity_alike(ds):
    values = summary.summary_values(ds)
    sledai = registry.make("sledai", ds).frame
    cohort_row = next(i for i in sledai.index if str(i).startswith("Median (range), N ="))
    assert sledai.loc[cohort_row, "Month 3"].startswith(values["sledai_m3_median"] + " (")
    assert values["sledai_m3_median"] == "5"  # the abstract printed 5.0; the ledger compares at that
    ledger = registry.make("claims", ds).frame
    row = next(i for i in ledger.index if i.startswith("SLEDAI-2K at month 3") and "median" in i)
    assert ledger.loc[row, "Reproduced"] == "5.0"
    shown = " ".join(str(x) for t in ("table1", "bcells") for x in registry.make(t, ds).frame.values.ravel())
    assert not re.search(r"\b\d+\.0\b", shown), "a value recorded as a whole number printed with .0"
    assert registry.make("table1", ds).frame.loc["C3, g/L", "P5"] == "0.70"


def test_table1_gives_no_interval_for_rows_fixed_by_design(ds):
    t1 = registry.make("table1", ds).frame
    summary_col = t1.columns[-1]
    design = [i for i in t1.index if i.startswith(("Dose group", "Prior therapy lines ≥", "SLEDAI-2K ≥"))]
    assert len(design) == 4
    for row in design:
        assert "CI" not in t1.loc[row, summary_col], row
    assert "95% CI" in t1.loc["Sex, female, n/N (%)", summary_col]


# ------------------------------------------------------------------ tables that say they scroll
def test_every_table_sits_in_a_named_focusable_scroll_region(ds):
    for name in registry.names("table"):
        markup = registry.make(name, ds).to_html()
        box = re.search(r'<div class="sle-scroll" role="region" aria-label="([^"]+)" tabindex="0">', markup)
        assert box and box.group(1).endswith("(scrolls sideways)"), name
    ledger = registry.make("claims", ds).to_html()
    assert '<th scope="col" class="key">' in ledger and 'class="txt key"' in ledger


def test_numbers_in_text_cells_are_kept_whole_and_no_css_breaks_words(ds):
    markup = registry.make("renal", ds).to_html()
    assert re.search(r'<span class="nw">\d+–\d+%\)', markup)  # an interval cannot break at its dash
    css = (ROOT / "src" / "sle_cart" / "book" / "static" / "sle.css").read_text(encoding="utf-8")
    assert "break-all" not in css


# ------------------------------------------------------------------ landing page, notice, footer
def test_landing_page_says_how_to_rebuild_with_your_data():
    text = (ROOT / "index.md").read_text(encoding="utf-8")
    assert "## Rebuild it with your data" in text
    for command in (
        "make book",
        "make book DATA=",
        "OUT=",
        "python -m sle_cart template",
        "paper.pdf",
        "claims.json",
    ):
        assert command in text, command


def test_the_notice_is_one_line_with_the_rest_behind_a_disclosure(ds):
    markup = page_text.notice_html(ds)
    line, _, more = markup.partition("<details>")
    assert "Reconstructed data." in line and "consistent with the published" not in line
    assert "<summary>What this means</summary>" in more and "consistent with the published" in more
    assert markup.count("not patient data") == 1


def test_the_footer_names_the_authors_from_citation_cff():
    text = page_text.citation_text()
    assert "sle-cart 1.0.0 is by the sle-cart authors" in text
    assert "Zhao J, Zhang X, Li X, Wei H, Liu R, Sun L, Li Z, Guo W and Mu R" in text


def test_the_print_entry_is_called_print_this_page():
    button = {"label": "download-pdf-button", "text": ".pdf", "tooltip": "Print to PDF"}
    context = {"header_buttons": [{"type": "group", "buttons": [button]}]}
    sphinx_ext._print_not_download(None, "index", "page.html", context, None)
    assert button["text"] == "Print this page" and button["tooltip"] == "Print this page"


# ------------------------------------------------------------------ clinical gaps
def test_summary_states_doses_denominators_days_and_what_the_data_cannot_show(ds):
    treated = " ".join(prose.treated(ds))
    assert "1×10⁶ CAR T cells per kg of body weight in 3 patients" in treated
    assert "a flat 1×10⁸ CAR T cells in 3 patients" in treated
    safety = " ".join(prose.safety_text(ds))
    assert "grade 2 or higher in 0 of 6" in safety
    for gap in ("cytopenias", "infections", "hypogammaglobulinaemia", "tocilizumab", "glucocorticoids"):
        assert gap in safety
    assert re.search(
        r"last value, measured between days \d+ and \d+ after infusion",
        " ".join(prose.kidneys_and_serology(ds)),
    )
    assert any("fludarabine and cyclophosphamide" in s and "B cells" in s for s in prose.limitations(ds))


def test_limitations_make_the_conditioning_point_once(ds):
    # the chemotherapy as a lupus treatment and its own early B-cell depletion are one point, one bullet
    items = prose.limitations(ds)
    about = [s for s in items if "cyclophosphamide" in s or "conditioning" in s]
    assert len(about) == 1, about
    assert "treatment for lupus" in about[0] and "B-cell depletion" in about[0]


def test_units_are_iu_per_ml_everywhere():
    # what a reader sees comes from analysis, present and book (inputs/ accepts "U/mL" as written)
    shown = ("analysis", "present", "book")
    sources = [p for d in shown for p in (ROOT / "src" / "sle_cart" / d).rglob("*.py")] + [ROOT / "index.md"]
    stray = [str(p) for p in sources if re.search(r"(?<!I)U/mL", p.read_text(encoding="utf-8"))]
    assert stray == []


def test_times_ten():
    assert times_ten(Fraction(10**6)) == "1×10⁶" and times_ten(5.2e7) == "5.2×10⁷"

"""The summary's sentences follow the data: no typed numbers, no holes, attributions where due."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sle_cart.inputs.dataset import load
from sle_cart.present import clinical_text, prose
from sle_cart.present.chapter import summary_section

#: Digits that are names, not numbers: figure and table labels, analyte and index names.
NAMES = re.compile(r"Figure \d[a-d]?|Table \d|CD19|SLEDAI-2K|SRI-4|C3|C4|IM19|month-\d|grade \d|2\^n")


@pytest.mark.parametrize("module", [prose, clinical_text], ids=lambda m: m.__name__)
def test_prose_module_types_no_numbers(module):
    """Every number in a sentence comes from the data or a named constant, never from a literal."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and " " in node.value:
            assert not re.search(r"\d", NAMES.sub("", node.value)), node.value


def _all_text(ds) -> str:
    return " ".join(p for f in prose.SECTIONS.values() for p in f(ds))


def test_bundled_summary_reads_as_the_trial(bundled):
    text = _all_text(bundled)
    assert "The single-centre pilot enrolled 6 patients" in text
    assert "peaked at a median of 188.1 cells/µL" in text
    assert "not evaluable" not in text and "nan" not in text and "None" not in text


def test_a_cohort_without_car_t_c4_and_dsdna_reads_as_sentences(make_dataset):
    m = [
        ("A", 0, "sledai_2k", 12),
        ("A", 30, "sledai_2k", 6),
        ("A", 90, "sledai_2k", 4),
        ("B", 0, "sledai_2k", 14),
        ("B", 90, "sledai_2k", 8),
        ("A", 1, "cd19_b", 2),
        ("A", 0, "c3", 0.5),
    ]
    ds = load(make_dataset([{"patient_id": "A"}, {"patient_id": "B"}], m, name="other"))
    text = _all_text(ds)
    assert "This dataset has no CAR T cell counts; Figure 1a cannot be drawn." in text
    assert "No patient can be assessed for anti-dsDNA conversion" in text
    assert "No patient has C3 and C4 measured together" in text
    assert "In the abstract's trial, patients received" in text and "single-centre" not in text
    for hole in ("not evaluable cells", "day not evaluable", "nan", " – "):
        assert hole not in text, hole
    assert not re.search(r"\bNone\b(?! of)", text)
    for sentence in re.split(r"(?<=[.])\s+", text):
        assert sentence[:1].isupper(), sentence


def test_sections_render_escaped_html_with_links(make_dataset):
    ds = load(
        make_dataset(
            [{"patient_id": "A"}], [("A", 0, "car_t", "<0.5"), ("A", 7, "car_t", 40)], title="<b>x</b>"
        )
    )
    html = summary_section("expansion", ds)._repr_html_()
    assert '<a href="03-fig1a-car-t-kinetics.html">Figure 1a</a>' in html
    assert "<b>" not in html


def test_the_summary_says_who_had_b_cells_back_and_from_which_day(bundled, make_dataset):
    text = _all_text(bundled)
    assert re.search(
        r"B cells came back to 5 cells/µL or more in 5 of the 6 depleted patients \(P1 from day 120, P2 from day 150",
        text,
    )
    b = "cd19_b"
    never_back = [("A", -5, b, 100), ("A", 1, b, "<1"), ("A", 90, b, 2), ("B", -5, b, 80), ("B", 4, b, 3)]
    assert "No depleted patient was back to 5 cells/µL or more by the last sample" in _all_text(
        load(make_dataset([{"patient_id": "A"}, {"patient_id": "B"}], never_back))
    )
    every = [("A", -5, b, 100), ("A", 1, b, "<1"), ("A", 90, b, 12)]
    assert "in every depleted patient (A from day 90; Table 3)" in _all_text(
        load(make_dataset([{"patient_id": "A"}], every))
    )

"""No identifier reaches a reader.

Claims and alternatives are named by their labels, doses as a reader writes
them (1×10⁶ cells/kg), and no configuration path (``reference_ranges.c3.lower``)
appears, in:

* every page of a built site (bundled data and a synthetic cohort), its
  visible text;
* every chart's visible strings (titles, axis and legend titles, tooltip
  titles, text marks, the values of the fields a chart shows), from the
  registry's figures and the composite publication figures, without building;
* the text of paper.pdf.

Ids stay in claims.json and the CSV downloads.  Two pages are exempt, for
what they document: the source-code chapter (an API reference: its names are
the code's) and the data dictionary, which names the definitions a data
provider writes in dataset.yml and shows the dose-group codes as example data.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import sampled
from sle_cart.analysis import claims, robustness
from sle_cart.generate.synth import write_synthetic
from sle_cart.inputs.dataset import load
from sle_cart.present import publication, registry

#: Chart channels a reader sees (their fields' values are drawn or shown in a tooltip).
SHOWN = {"x", "y", "color", "fill", "stroke", "shape", "strokeDash", "text", "tooltip", "row", "column"}
#: Pages that document the code or the input format, and may name what they document.
API_PAGES = ("11-source-code",)
DICTIONARY_PAGES = ("10-data-dictionary",)


def _word(token: str) -> re.Pattern:
    return re.compile(rf"(?<![\w.]){re.escape(token)}(?![\w])")


def forbidden(*, definitions: bool = True) -> dict[str, re.Pattern]:
    """What no reader should see: claim and alternative ids, configuration paths, dose codes."""
    out = {c.id: _word(c.id) for c in claims.CLAIMS}
    out |= {a.id: _word(a.id) for a in robustness.ALTERNATIVES}
    out["reference_ranges.…"] = re.compile(r"reference_ranges\.")
    if definitions:  # the names of the definitions the alternatives change, as configuration keys
        keys = {k for a in robustness.ALTERNATIVES for k in a.changes if "." not in k}
        out |= {k: _word(k) for k in keys}
        out["dose code"] = re.compile(r"(?<![\w.])\d+(?:\.\d+)?e\d+\s*(?:/\s*kg|flat)\b")
    return out


def offenders(text: str, *, definitions: bool = True) -> list[str]:
    return [name for name, pattern in forbidden(definitions=definitions).items() if pattern.search(text)]


def test_the_scan_catches_what_it_looks_for():
    assert offenders("Patients n_bcell_depleted_by_day1 (under bcell_below_1)") == [
        "n_bcell_depleted_by_day1",
        "bcell_below_1",
    ]
    assert offenders("reference_ranges.anti_dsdna.upper: 15") == ["reference_ranges.…"]
    assert offenders("Dose group 1e6/kg and 1e8 flat") == ["dose code"]
    assert offenders("Dose group 1×10⁶ cells/kg; depletion threshold 1 cell/µL; c3_lower_0.82x") == []


# ------------------------------------------------------------------ chart specs
def _strings(node, out: list[str], fields: set[str], tooltips: list) -> None:
    """Collect the visible strings of a Vega-Lite spec, the fields it shows, and its tooltip entries."""
    if isinstance(node, list):
        for x in node:
            _strings(x, out, fields, tooltips)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in ("title", "description", "text", "subtitle") and isinstance(value, str | list):
            out += [str(v) for v in (value if isinstance(value, list) else [value])]
        if key == "encoding":
            for channel, enc in value.items():
                entries = enc if isinstance(enc, list) else [enc]
                if channel in SHOWN:
                    fields |= {e["field"] for e in entries if isinstance(e, dict) and "field" in e}
                if channel == "tooltip":
                    tooltips += [e for e in entries if isinstance(e, dict)]
        if key == "values" and isinstance(value, list):  # inline data: read below with the datasets
            continue
        _strings(value, out, fields, tooltips)


def visible_strings(spec: dict) -> tuple[list[str], list[dict]]:
    out: list[str] = []
    fields: set[str] = set()
    tooltips: list[dict] = []
    _strings(spec, out, fields, tooltips)
    rows = [r for data in spec.get("datasets", {}).values() for r in data]
    out += [str(r[f]) for r in rows for f in fields if isinstance(r.get(f), str)]
    return out, tooltips


@pytest.fixture(scope="module", params=sampled(["bundled", "synthetic"]))
def cohort(request, tmp_path_factory):
    if request.param == "bundled":
        return request.getfixturevalue("bundled")  # the session's: its findings are computed once
    return load(write_synthetic(tmp_path_factory.mktemp("synth") / "s", 8, seed=1))


def _no_identifier_and_titled_tooltips(specs: dict[str, dict]) -> None:
    for name, spec in specs.items():
        strings, tooltips = visible_strings(spec)
        assert strings, name
        bad = {s: offenders(s) for s in strings if offenders(s)}
        assert bad == {}, name
        for t in tooltips:
            assert "title" in t and "_" not in t["title"], (name, t)


def test_no_chart_shows_an_identifier_and_every_tooltip_field_has_a_readers_title(cohort):
    specs = {a.name: a.make(cohort).chart.to_dict() for a in registry.ARTEFACTS if a.kind == "figure"}
    _no_identifier_and_titled_tooltips(specs)


@pytest.mark.build  # the composites are laid out by drawing them: seconds each
def test_no_composite_figure_shows_an_identifier(cohort):
    _no_identifier_and_titled_tooltips({name: make(cohort) for name, make in publication.FIGURES.items()})


def test_the_heat_map_names_claims_and_alternatives_by_their_labels(cohort):
    grid = registry.make("robustness", cohort).data
    labels = {c.label for c in claims.CLAIMS}
    assert set(grid["claim"]) <= labels
    assert set(grid["alternative"]) <= {"as defined", *(a.label for a in robustness.ALTERNATIVES)}


def test_every_claim_and_alternative_has_a_distinct_label():
    labels = [c.label for c in claims.CLAIMS]
    assert all(labels) and len(set(labels)) == len(labels)
    alt_labels = [a.label for a in robustness.ALTERNATIVES]
    assert all(alt_labels) and len(set(alt_labels)) == len(alt_labels)


def test_tables_print_doses_as_a_reader_writes_them(cohort):
    for name in ("table1", "kinetics", "sledai"):
        frame = registry.make(name, cohort).frame
        text = " ".join(map(str, [*frame.index, *frame.columns, *frame.to_numpy().ravel()]))
        assert offenders(text) == [], name
        if "dose_group" in cohort.patients and cohort.patients["dose_group"].notna().any():
            assert "×10" in text, name


# ------------------------------------------------------------------ the site and the PDF
class _Text(HTMLParser):
    """The text a browser shows: everything outside <script>, <style> and <template>."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    HIDDEN = ("script", "style", "template")

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def page_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(parser.parts)


def site_offenders(site: Path) -> dict[str, list[str]]:
    bad = {}
    pages = [site / "index.html", *sorted((site / "chapters").glob("*.html"))]
    assert len(pages) >= 10
    for page in pages:
        if page.stem in API_PAGES:
            continue
        found = offenders(page_text(page), definitions=page.stem not in DICTIONARY_PAGES)
        if found:
            bad[page.name] = found
    return bad


def pdf_offenders(pdf: Path) -> list[str]:
    """Identifiers in the paper's text; the package's name in its body (the provenance appendix
    prints the dataset's own metadata as the data give it, e.g. a generator's name)."""
    import pypdf

    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)
    body = text.split("Appendix B. Provenance")[0]
    return offenders(text) + (["sle_cart"] if "sle_cart" in body else [])


@pytest.mark.build
def test_no_page_or_paper_of_the_bundled_site_shows_an_identifier(bundled_build):
    _, base = bundled_build
    site = base / "html"
    assert site_offenders(site) == {}
    assert pdf_offenders(site / "paper.pdf") == []


@pytest.mark.build
def test_no_page_or_paper_of_a_synthetic_site_shows_an_identifier(synthetic_build):
    _, base = synthetic_build
    assert site_offenders(base / "html") == {}
    assert pdf_offenders(base / "html" / "paper.pdf") == []

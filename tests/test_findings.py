"""One computation, many views: the findings are computed once and every view reads them.

* A clean build analyses each definition set (the dataset's own and each
  alternative) exactly once, across every process, and validates the data once.
* The robustness classes agree across claims.json, the ledger, the summary and
  the heat map, on the bundled data and on cohorts where claims fail.
* Every number in the summary is a value of the findings, on awkward cohorts.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections import Counter
from fractions import Fraction

import pandas as pd
import pytest

from conftest import sampled
from sle_cart.analysis import claims, claims_json, findings, outcomes, robustness
from sle_cart.analysis.exact import round_half_away
from sle_cart.analysis.robustness import Robustness
from sle_cart.book import paper
from sle_cart.generate.synth import write_synthetic
from sle_cart.inputs.dataset import load
from sle_cart.paths import BUNDLED
from sle_cart.present import prose, published_numbers, registry, summary
from sle_cart.present.claims_text import PHRASES
from sle_cart.present.formatting import count_ci


# ------------------------------------------------------------------ awkward cohorts
def _edit(folder, old: str, new: str):
    f = folder / "measurements.csv"
    text = f.read_text(encoding="utf-8")
    assert old in text, old
    f.write_text(text.replace(old, new), encoding="utf-8")


def _censored_month3(folder):
    _edit(folder, "P2,90,sledai_2k,4,points", "P2,90,sledai_2k,<4,points")


def _no_month3(folder):
    f = folder / "measurements.csv"
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    f.write_text("".join(x for x in lines if ",90,sledai_2k," not in x), encoding="utf-8")


def _ties_and_zero(folder):
    _edit(folder, "P6,90,sledai_2k,10,points", "P6,90,sledai_2k,12,points")  # no change
    _edit(folder, "P5,90,sledai_2k,6,points", "P5,90,sledai_2k,4,points")  # ties P2's and P5's changes


AWKWARD = {"censored": _censored_month3, "no-month-3": _no_month3, "ties-and-zero": _ties_and_zero}


@pytest.fixture(scope="module", params=sampled([*AWKWARD, "n1", "n25", "n8"]))
def awkward(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param) / "ds"
    if request.param in AWKWARD:
        shutil.copytree(BUNDLED, folder)
        AWKWARD[request.param](folder)
    else:
        write_synthetic(folder, int(request.param[1:]), seed=3)
    return load(folder)


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def _numbers(text: str) -> list[str]:
    """Every number in a text, as written (minus sign normalised; 1×10⁶ read as 1000000); a claim's
    label is a name, not a number."""
    for label in sorted((c.label for c in claims.CLAIMS), key=len, reverse=True):
        text = text.replace(label, "")
    text = re.sub(
        r"(\d+(?:\.\d+)?)×10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)",
        lambda m: str(Fraction(m.group(1)) * 10 ** int(m.group(2).translate(_SUPERSCRIPTS))),
        text,
    )
    text = re.sub(
        r"\b(Figure \d[a-d]?|Table \d|CD19\+?|SLEDAI-2K|SRI-4|C3|C4|IM19|month-\d|grade \d|P\d+)", "", text
    )
    return re.findall(r"\d+(?:\.\d+)?", text.replace("\u2212", "-"))


def _values(found, ds) -> set[Fraction]:
    """Every value the findings hold that a sentence may state (exact), with the definitions' numbers."""
    out: set[Fraction] = set()
    for c in found.claims:
        v = c.verdict
        out |= {Fraction(x) for x in (v.value, v.n_evaluable, v.denominator) if x is not None}
        if v.ci95:
            out |= {Fraction(repr(x)) * 100 for x in v.ci95}
        if v.value is not None and v.denominator:
            out |= {Fraction(v.value) * 100 / v.denominator, Fraction(v.value) * 100}
    for t in found.analyses.tests.values():
        out |= {Fraction(x) for x in (t.n, t.n_pairs, t.n_zero, t.n_censored, t.month) if x is not None}
        out |= {Fraction(x) for x in (t.p, t.minimum_p) if x is not None}
        s = t.shift
        out |= {Fraction(x) for x in (s.estimate, s.low, s.high, s.n) if x is not None}
        if s.level is not None:
            out.add(Fraction(s.level) * 100)
    out |= {Fraction(x) for lv in found.analyses.dose_levels for x in (lv.n, lv.cells) if x is not None}
    dep = found.analyses.depletion  # B-cell reconstitution: the days back, how many depleted and back
    out |= {Fraction(int(x)) for x in dep["reconstitution_day"].dropna()}
    out |= {Fraction(int(dep[c].notna().sum())) for c in ("first_depleted_day", "reconstitution_day")}
    for counts in (found.analyses.renal_counts, found.analyses.safety):
        out |= {Fraction(x) for x in counts.values() if isinstance(x, int)}
    out |= {Fraction(n) for n in found.counts().values()} | {Fraction(found.n_holding)}
    out |= {Fraction(len(found.claims)), Fraction(len(robustness.ALTERNATIVES)), Fraction(len(ds.patients))}
    out |= {Fraction(repr(float(v))) for a in robustness.ALTERNATIVES for v in a.changes.values()}
    own = (robustness.current(ds, k) for a in robustness.ALTERNATIVES for k in a.changes)  # "… instead of 8"
    out |= {Fraction(repr(float(v))) for v in own if v is not None}
    d = ds.definitions
    out |= {Fraction(repr(float(getattr(d, f)))) for f in vars(d) if isinstance(getattr(d, f), int | float)}
    return out


def _stated_by(number: str, values: set[Fraction]) -> bool:
    """The written number is some value of the findings, rounded to the decimals it shows."""
    decimals = len(number.split(".")[1]) if "." in number else 0
    shown = Fraction(number)
    return any(round_half_away(abs(v), decimals) == shown for v in values)


def test_every_number_in_the_summary_is_a_value_of_the_findings(awkward):
    found = findings.findings_of(awkward)
    values = _values(found, awkward) | {Fraction(95), Fraction(1, 1000)}  # 95% CI; "p < 0.001"
    ours = {
        k: f for k, f in prose.SECTIONS.items() if k not in published_numbers.SECTIONS
    }  # the audit's: apart
    text = " ".join(p for section in ours.values() for p in section(awkward))
    stray = [n for n in _numbers(text) if not _stated_by(n, values)]
    assert stray == [], (stray, text)


def test_censored_scores_are_never_numbers_in_the_summary_or_figure_2a(awkward):
    t = findings.findings_of(awkward).test(3)
    text = " ".join(prose.SECTIONS["disease_activity"](awkward))
    if t.n_censored:
        assert "below the assay limit" in text
        assert t.n_pairs == len(t.changes) and all(c.denominator == 1 for c in t.changes)
    fig = registry.make("fig2a", awkward)
    if fig.chart is not None:
        assert "median" in fig.chart.description


def test_no_pair_says_why(tmp_path):
    folder = tmp_path / "ds"
    shutil.copytree(BUNDLED, folder)
    _no_month3(folder)
    text = " ".join(prose.SECTIONS["disease_activity"](load(folder)))
    assert "no patient has a score at both baseline and month 3" in text
    assert "changed between" not in text


def test_hodges_lehmann_is_named_and_matches_table_4(bundled):
    ds = bundled
    t = findings.findings_of(ds).test(3)
    summary = " ".join(prose.SECTIONS["disease_activity"](ds))
    table = " ".join(registry.make("sledai", ds).footnotes)
    assert "the median change was" not in summary
    for text in (summary, table):
        assert "Hodges–Lehmann estimate of the change" in text
        assert f"{float(t.shift.low):.1f}".replace("-", "\u2212") in text


#: Table cells that state a claim's median (range): (table, row, or the start of the cohort's summary
#: row; column, or None for Table 1's summary column) -> the claim ids' stem.  The tables compute these
#: from the findings' per-patient data with the claims' own censoring-aware functions; this checks
#: that the two computations cannot drift apart.
STATED_IN_TABLES = {
    ("table1", "Age, years", None): "age",
    ("table1", "Disease duration, years", None): "disease_duration",
    ("table1", "Follow-up, months", None): "follow_up",
    ("table1", "SLEDAI-2K, points", None): "sledai_baseline",
    ("kinetics", "Median (range), N =", "Cmax (cells/µL)"): "car_t_peak",
    ("kinetics", "Median (range), N =", "Tmax (day)"): "car_t_peak_day",
    ("sledai", "Median (range), N =", "Baseline"): "sledai_baseline",
    ("sledai", "Median (range), N =", "Month 1"): "sledai_m1",
    ("sledai", "Median (range), N =", "Month 3"): "sledai_m3",
}


def _median_range_cell(cell: str) -> dict[str, str]:
    """'37 (19–43) [n=5; missing 1]' -> median, min, max as shown ('not evaluable' for n.e. or –)."""
    if cell.startswith("–"):
        return dict.fromkeys(("median", "min", "max"), "not evaluable")
    m = re.match(r"(\S+) \((\S+?)(?:–| to )(\S+?)\)", cell)
    assert m, cell
    return {
        k: "not evaluable" if x == "n.e." else x.replace("\u2212", "-")
        for k, x in zip(("median", "min", "max"), m.groups())
    }


def test_every_table_median_that_states_a_claim_shows_the_claims_value(awkward):
    values = summary.summary_values(awkward)
    checked = 0
    for (table, row, column), stem in STATED_IN_TABLES.items():
        frame = registry.make(table, awkward).frame
        label = next(i for i in frame.index if str(i).startswith(row))
        cell = _median_range_cell(str(frame.loc[label, column or frame.columns[-1]]))
        for stat, shown in cell.items():
            if f"{stem}_{stat}" in values:
                assert shown == values[f"{stem}_{stat}"].replace("\u2212", "-"), (table, label, stat)
                checked += 1
    assert checked == 25
    figure = registry.make("fig2a", awkward).chart
    for visit, stem in (("baseline", "sledai_baseline"), ("month 1", "sledai_m1"), ("month 3", "sledai_m3")):
        if values[f"{stem}_median"] != "not evaluable" and figure is not None:  # its median line, said
            assert f"median {values[f'{stem}_median']} at {visit} (" in figure.description, visit


# ------------------------------------------------------------------ one meaning of robustness
def _class_counts_everywhere(ds) -> dict[str, Counter]:
    found = findings.findings_of(ds)
    doc = claims_json.claims_document(ds)
    ledger = registry.make("claims", ds).frame["Robustness"]
    text = " ".join(prose.SECTIONS["robustness"](ds) + prose.SECTIONS["reproduction"](ds))
    heat = registry.make("robustness", ds).chart.description
    doc_pdf = paper.content(ds, commit="0" * 40, versions={}, figures={"fig1": "f1.pdf", "fig2": "f2.pdf"})
    pdf_text = " ".join(b["text"] for b in doc_pdf["blocks"] if b["kind"] == "paragraph")
    pdf_ledger = next(b for b in doc_pdf["blocks"] if b["kind"] == "table" and "ledger" in b["title"])
    column = pdf_ledger["header"].index("Robustness")

    def stated(words: str) -> Counter:
        return Counter(
            {
                str(k): int(m.group(1)) if (m := re.search(rf"(\d+) {PHRASES[k]}\b", words)) else 0
                for k in Robustness
            }
        )

    def cell_class(cell: str) -> str:  # 'fragile: fails under …', 'not affected by any alternative'
        return next(str(k) for k in Robustness if cell.startswith((str(k), PHRASES[k])))

    return {
        "findings": Counter({str(k): n for k, n in found.counts().items()}),
        "claims.json": Counter(str(c["robustness"]) for c in doc["claims"]),
        "claims.json counts": Counter(doc["robustness_counts"]),
        "ledger": Counter(cell_class(str(c)) for c in ledger),
        "summary": stated(text),
        "heat map": stated(heat),
        "paper": stated(pdf_text),
        "paper ledger": Counter(cell_class(row[column]) for row in pdf_ledger["rows"]),
    }


@pytest.mark.parametrize("cohort", sampled(["bundled", "synthetic-8"]))
def test_every_view_gives_the_same_robustness_counts(cohort, tmp_path, bundled):
    ds = bundled if cohort == "bundled" else load(write_synthetic(tmp_path / "s", 8, seed=1))
    views = _class_counts_everywhere(ds)
    reference = +views["findings"]
    for name, counts in views.items():
        assert +counts == reference, (name, counts, reference)
    if cohort != "bundled":  # the synthetic cohort has claims that fail as defined
        assert reference[str(Robustness.DOES_NOT_HOLD)] > 0
    # patient count, sex and age: no alternative touches them, so they are counted apart, not as robust
    assert reference[str(Robustness.NOT_AFFECTED)] > 0
    if cohort == "bundled":
        assert reference[str(Robustness.ROBUST)] > 0 and reference[str(Robustness.FRAGILE)] > 0


def test_could_affect_is_read_from_what_a_claim_is_computed_from(bundled):
    found = {c.id: c for c in findings.findings_of(bundled).claims}
    for cid in ("n_patients", "n_female", "age_median", "follow_up_max"):
        assert found[cid].could_affect == () and found[cid].robustness is Robustness.NOT_AFFECTED, cid
    assert set(found["n_bcell_depleted_by_day1"].could_affect) == {"bcell_below_1", "bcell_below_10"}
    assert set(found["sledai_m3_p_value"].could_affect) == {"visit_window_7", "visit_window_14"}
    assert found["n_complement_normal_by_day60"].could_affect == ("c3_lower_0.82", "c4_lower_0.15")
    for c in found.values():  # an alternative that could not affect a claim leaves its status as it is
        assert all(s == c.status for a, s in c.under if a not in c.could_affect), c.id


def test_a_failing_claim_is_never_called_fragile(tmp_path):
    ds = load(write_synthetic(tmp_path / "s", 8, seed=1))
    for c in findings.findings_of(ds).claims:
        if not c.holds:
            assert c.robustness in (Robustness.DOES_NOT_HOLD, Robustness.NOT_EVALUABLE)
            assert all(dict(c.under)[a] == "holds" for a in c.alternatives)  # "would hold under"


def test_the_p_value_claim_names_its_method(tmp_path, bundled):
    small = claims_json.claims_document(bundled)["claims"]
    large = claims_json.claims_document(load(write_synthetic(tmp_path / "s", 25, seed=3)))["claims"]
    p_small = next(c for c in small if c["unit"] == "p")
    p_large = next(c for c in large if c["unit"] == "p")
    assert p_small["method"] == "exact" and p_small["statement"].endswith("exact")
    if p_large["reproduced"] is not None and p_large["n_evaluable"] > 20:
        assert p_large["method"] == "normal approximation"
        assert "normal approximation" in p_large["statement"]


# ------------------------------------------------------------------ one evaluation per definition set
@pytest.mark.build
def test_a_clean_build_analyses_each_definition_set_once(bundled_build):
    _, base = bundled_build  # built clean, logging every validation and analysis from every process
    counts = Counter((base / "evaluations.log").read_text(encoding="utf-8").splitlines())
    expected = Counter({"validate": 1, "as defined": 1} | {a.id: 1 for a in robustness.ALTERNATIVES})
    expected["consistency audit"] = 1  # the published numbers' checks: read by the chapter, PDF and file
    assert counts == expected, counts


def test_every_view_reads_the_one_audit_of_the_findings(bundled, tmp_path):
    from sle_cart.analysis import consistency
    from sle_cart.present import published_numbers

    found = findings.findings_of(bundled)
    assert published_numbers.audit(bundled) is found.audit
    assert found.audit == consistency.document(bundled.publication)
    other = load(write_synthetic(tmp_path / "s", 6, seed=2))  # compared with abstract 0647 too
    assert findings.findings_of(other).audit is found.audit  # one audit per publication, not per dataset


# ------------------------------------------------------------------ reuse across definition sets
def _same(a, b) -> bool:
    if isinstance(a, pd.DataFrame | pd.Series):
        return a.equals(b)
    return a == b


@pytest.mark.parametrize("cohort", sampled(["bundled", "synthetic-8"]))
def test_an_alternative_reuses_only_what_it_cannot_change(cohort, tmp_path, bundled):
    """Each group of analyses an alternative reuses equals the group computed afresh under it."""
    ds = bundled if cohort == "bundled" else load(write_synthetic(tmp_path / "s", 8, seed=1))
    base = outcomes.analyse(ds)
    reused = 0
    for alt in robustness.ALTERNATIVES:
        other = robustness.apply(ds, alt)
        quick = outcomes.analyse(other, alt.id, base=base, changed=tuple(alt.changes))
        full = outcomes.analyse(other, alt.id)
        for f in dataclasses.fields(outcomes.Analyses):
            assert _same(getattr(quick, f.name), getattr(full, f.name)), (alt.id, f.name)
            reused += getattr(quick, f.name) is getattr(base, f.name)
    assert reused > 0  # the reuse happens, and is checked


@pytest.mark.build
def test_a_build_with_nothing_to_do_reads_no_data_and_imports_no_analysis_library(bundled_build):
    import subprocess
    import sys

    from sle_cart.book.plan import chapters
    from sle_cart.paths import ROOT

    _, base = bundled_build
    cmd = [sys.executable, "-X", "importtime", "-m", "sle_cart", "build"]
    cmd += ["--out", str(base / "html"), "--cache-dir", str(base / "cache")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    n = len(chapters(ROOT))
    assert f"0 executed, {n} cached" in proc.stdout and "39/39 claims hold" in proc.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
    assert not imported & {"pandas", "scipy", "altair", "pandera", "numpy"}
    assert "sle_cart.book.build" in imported  # the log is read (the check can fail)


def test_the_papers_sentences_are_the_summarys_so_their_numbers_are_the_findings(awkward):
    """paper.pdf typesets the summary's own paragraphs (checked above) and static text without numbers."""
    from sle_cart.book import paper, paper_text
    from sle_cart.present.references import registration

    doc = paper.content(awkward, commit="0" * 40, versions={}, figures={"fig1": "f1.pdf", "fig2": "f2.pdf"})
    said = {p for section in prose.SECTIONS.values() for p in section(awkward)}
    static = {t for make in paper.STATIC.values() for t in make(awkward)} | set(
        paper_text.conclusion(awkward)
    )
    sources = re.compile(rf"\[@[^\]]*\]|2019 EULAR/ACR|KDIGO 2024|{registration()}")  # names, not results
    assert not [t for t in static if _numbers(sources.sub("", t))]  # nor are CD19 or SLEDAI-2K

    def printed(text: str) -> str:  # in the paper's words, citation numbers left out
        return re.sub(r" \[(?:@[^\]]*|\d[\d, –]*)\]", "", paper.renumber(paper_text.for_print(text)))

    texts = [b["text"] for b in doc["blocks"] if b["kind"] == "paragraph"]
    texts += [i for b in doc["blocks"] if b["kind"] == "list" for i in b["items"]]
    allowed = {printed(t) for t in said | static}
    assert texts and all(printed(t) in allowed for t in texts)


# ------------------------------------------------------------------ the tables' counts
def test_the_tables_counts_and_intervals_are_the_findings_and_travel_with_them(awkward):
    import pickle

    from scipy import stats

    found = findings.find(load(awkward.path))  # a dataset no table has read yet
    handed = pickle.loads(pickle.dumps(found)).analyses
    assert "proportions" in vars(handed)  # made before the hand-over: no chapter computes an interval
    shares = handed.proportions
    b = awkward.patients
    assert (shares["female"].k, shares["female"].n) == (int((b["sex"] == "F").sum()), len(b))
    for key, p in shares.items():
        if p.n:
            ci = stats.binomtest(p.k, p.n).proportion_ci(method="exact")
            assert p.ci95 == pytest.approx((ci.low, ci.high), abs=1e-12), key
        else:
            assert p.k is None and p.ci95 is None, key
    cells = {
        str(x)
        for t in ("table1", "bcells", "renal", "serology", "safety")
        for x in registry.make(t, awkward).frame.values.ravel()
    }
    shown = " ".join(cells)
    for key, p in shares.items():  # each as the table prints it: k/n, %, interval
        category = key.removeprefix("renal_")
        assert (f"{category} {count_ci(p)}" if category != key else count_ci(p)) in shown, key

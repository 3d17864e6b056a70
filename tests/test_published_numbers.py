"""What the published numbers determine: the chapter, its PDF section, and ``determined_by_publication``.

The chapter's numbers are compared with the audit (``consistency.document()``);
whether the publication decides a verdict is checked against witnesses: copies
of the bundled data that all reproduce the published numbers, whose verdicts
under an alternative agree exactly when the flag says "determined".
"""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import sampled
from sle_cart.analysis import claims, claims_json, consistency, determined, findings, kinetics, robustness
from sle_cart.analysis.enumeration import number, published
from sle_cart.analysis.outcomes import analyse
from sle_cart.book import paper, paper_text
from sle_cart.present import feasible_figure, prose, published_numbers, registry

FIGURES = {"fig1": "f1.pdf", "fig2": "f2.pdf"}
BCELL = "cd19_b"


# ------------------------------------------------------------------ determined_by_publication
def _status(ds, claim_id: str, alt_id: str | None = None) -> str:
    """The claim's status for ``ds`` as defined, or under an alternative, from the real pipeline."""
    target = ds if alt_id is None else robustness.apply(ds, robustness.BY_ID[alt_id])
    return next(str(v.status) for v in claims.verdicts(analyse(target), intervals=False) if v.id == claim_id)


def _with_bcells(ds, changes: dict[tuple[str, int], str]):
    """A copy of ``ds`` with some CD19+ B-cell values replaced ('<1' censored, '7' measured)."""
    m = ds.measurements.copy()
    for (pid, day), text in changes.items():
        row = (m["patient_id"] == pid) & (m["day"] == day) & (m["analyte"] == BCELL)
        assert row.sum() == 1, (pid, day)
        value = Fraction(text.lstrip("<"))
        m.loc[row, ["value", "censored"]] = [float(value), text.startswith("<")]
        m.loc[row, "value_exact"] = pd.Series([value], index=m.index[row])
    return replace(ds, measurements=m)


#: B-cell values that keep every published depletion count (5 by day 1, 6 by day 4, below 5 cells/µL).
VARIANTS = (
    {},
    {("P6", 4): "<1"},  # the last patient deeper by day 4
    {("P6", 1): "7"},  # the one not depleted on day 1 nearer the threshold
    {("P1", 1): "<1", ("P3", 1): "<1", ("P5", 1): "<1"},  # deeper on day 1
)


@pytest.fixture(scope="module")
def witnesses(bundled):
    return [_with_bcells(bundled, v) for v in VARIANTS]


@pytest.mark.parametrize("claim_id", sampled(sorted(determined.COUNTS_RISING_WITH)))
@pytest.mark.parametrize("alt_id", sampled(["bcell_below_1", "bcell_below_10"]))
def test_a_depletion_verdict_is_determined_exactly_when_no_two_witnesses_disagree(
    witnesses, claim_id, alt_id
):
    assert {_status(w, claim_id) for w in witnesses} == {"holds"}  # each reproduces the publication
    under = {_status(w, claim_id, alt_id) for w in witnesses}
    assert determined.determined_by_publication(claim_id, alt_id, True) is (len(under) == 1), under


def test_the_flags_of_the_bundled_claims(bundled):
    found = {c.id: c for c in findings.findings_of(bundled).claims}
    # a count that partitions the cohort: nothing changes it, so the publication decides it everywhere
    for cid in ("n_female", "n_male", "n_patients"):
        assert all(determined.determined_under(cid, found[cid].could_affect).values()), cid
    # a threshold no publication gives for B-cell depletion, below the stated one: undecided
    assert not determined.determined_by_publication("n_bcell_depleted_by_day4", "bcell_below_1", True)
    # a visit window the abstract never states: undecided for every score it could move
    for cid in ("sledai_m3_median", "sledai_m3_p_value"):
        flags = determined.determined_under(cid, found[cid].could_affect)
        assert found[cid].could_affect and not any(flags[a] for a in found[cid].could_affect), cid


@settings(max_examples=min(40, settings().max_examples), deadline=None)  # fewer in make check
@given(
    day1=st.lists(st.sampled_from(["<1", "1.5", "3", "4.9", "5", "9", "40"]), min_size=6, max_size=6),
    day4=st.lists(st.sampled_from(["<1", "0.5", "2", "4.9"]), min_size=6, max_size=6),
)
def test_a_count_of_all_below_the_stated_threshold_stays_all_under_a_higher_one(bundled, day1, day4):
    """The reason the flag gives 'determined': every patient below 5 by day 4 is below 10 by day 4."""
    ds = _with_bcells(bundled, {**{(f"P{i}", 1): v for i, v in enumerate(day1, 1)}, **{
        (f"P{i}", 4): v for i, v in enumerate(day4, 1)}})  # fmt: skip
    n = len(ds.patients)
    stated = kinetics.bcell_depletion(ds)["depleted_by_day4"]  # what the claim counts
    higher = kinetics.bcell_depletion(robustness.apply(ds, robustness.BY_ID["bcell_below_10"]))[
        "depleted_by_day4"
    ]
    assert int(stated.sum()) == n == int(number("n_bcell_depleted_by_day4"))  # reproduces the publication
    assert int(higher.sum()) == n


def test_claims_json_carries_the_flag_for_every_claim_and_alternative(bundled):
    doc = claims_json.claims_document(bundled)
    ids = [a.id for a in robustness.ALTERNATIVES]
    for row in doc["claims"]:
        flags = row["determined_by_publication"]
        assert list(flags) == ids, row["id"]
        for a, flag in flags.items():
            affected = a in row["alternatives_that_could_affect"]
            assert flag is determined.determined_by_publication(row["id"], a, affected)
            assert flag or affected  # only what an alternative can change can be left open
    ledger = registry.make("claims", bundled).data  # the CSV beside it: flattened like holds_under
    assert {f"determined_by_publication:{a}" for a in ids} <= set(ledger.columns)


def test_the_ledger_and_the_robustness_text_say_the_publication_does_not_decide(bundled):
    found = findings.findings_of(bundled)
    ledger = registry.make("claims", bundled).frame
    text = " ".join(prose.SECTIONS["robustness"](bundled))
    for c in found.with_robustness(findings.Robustness.FRAGILE):
        open_ = determined.undecided(c.id, c.alternatives, c.could_affect)
        cell = ledger.loc[c.verdict.statement, "Robustness"]
        assert (published_numbers.UNDECIDED in cell) is bool(open_), cell
        assert cell.startswith("fragile on the reconstruction") is bool(open_)
    assert "fragile on the reconstruction" in text and "does the publication decide" in text


# ------------------------------------------------------------------ the chapter
def _numbers(text: str) -> list[str]:
    for label in sorted((c.label for c in claims.CLAIMS), key=len, reverse=True):
        text = text.replace(label, "")
    text = re.sub(r"\b(SLEDAI-2K|CD19\+?|month-\d|\d(?:st|nd|rd|th) lowest)", "", text)
    return re.findall(r"\d+(?:\.\d+)?", text)


def _audit_values(doc: dict) -> set[Fraction]:
    """Every number the audit holds or the published numbers print (whole scores and their sums too)."""
    out = {Fraction(published(c.id).lstrip("<")) for c in claims.CLAIMS}
    out |= {number("renal_response_rate") * 100}

    def walk(node):
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
            if len(node) == 2 and all(isinstance(v, int) for v in node):  # a middle pair: its sum
                out.add(Fraction(sum(node)))
        elif isinstance(node, int | str) and not isinstance(node, bool):
            for token in re.findall(r"\d+(?:\.\d+)?", str(node)):
                out.add(Fraction(token))

    walk(doc)
    out |= {Fraction(len(doc["checks"]))}
    out |= {Fraction(repr(float(v))) for a in robustness.ALTERNATIVES for v in a.changes.values()}
    return out


def test_every_number_in_the_chapters_text_is_the_audits(bundled):
    doc = consistency.document()
    values = _audit_values(doc)
    text = " ".join(p for key in published_numbers.SECTIONS for p in prose.SECTIONS[key](bundled))
    assert [n for n in _numbers(text) if Fraction(n) not in values] == []
    implied = doc["implications"]
    assert f"smallest attainable p is {implied['smallest_exact_p']}" in text
    assert implied["every_patient_improved"] and "every patient's SLEDAI-2K was lower at month 3" in text
    assert f"all {published('n_patients')} patients had lupus nephritis" in text
    assert (
        " or ".join(f"{a} and {b}" for a, b in implied["middle_pairs"]["sledai_m1"]).replace(" or ", ", or ")
        in text
    )
    assert f"All {len(doc['checks'])} checks" in text


def test_the_checks_table_is_the_audits(bundled):
    doc = consistency.document()
    table = registry.make("checks", bundled)
    assert list(table.frame["Verdict"]) == [c["verdict"] for c in doc["checks"]]
    for (_, row), check in zip(table.frame.iterrows(), doc["checks"]):
        for cid in check["claims"]:  # each number involved, by its label and printed value
            assert f"{claims.claim_by_id(cid).label}: {published(cid)}" in row["Published numbers"]
        assert row["Why"] == f"because {check['reason']}"
    notes = " ".join(table.footnotes)
    assert all(reason in notes for reason in doc["whole_numbers"].values())
    lo, hi = doc["sledai_scale"]
    assert f"{lo} to {hi} points" in notes
    assert not [n for n in claims.CLAIM_BY_ID if re.search(rf"\b{n}\b", table.to_html())]  # no id shown


def test_the_feasible_table_and_chart_are_the_audits(bundled):
    doc = consistency.document()["feasible_sorted_scores"]
    table = registry.make("feasible", bundled).frame
    fig = registry.make("feasible_bands", bundled)
    others = consistency.document()["feasible_sorted_values"]
    assert len(table) == len(doc) + len(others) == 6  # three visits; age, follow-up and the peak day
    for fs, (_, row) in zip([*doc.values(), *others.values()], table.iterrows()):
        assert row["Possible sets of values"] == str(fs["count"])
        for i in range(2, len(fs["lowest"])):
            lo, hi = fs["lowest"][i - 1], fs["highest"][i - 1]
            assert row[published_numbers.ordinal(i, len(fs["lowest"])).capitalize()] == (
                str(lo) if lo == hi else f"{lo}–{hi}"
            )
    for (visit, fs), (_, row) in zip(doc.items(), table.iterrows()):
        assert row["Possible sets of values"] == str(fs["count"])
        for i in range(2, len(fs["lowest"])):
            lo, hi = fs["lowest"][i - 1], fs["highest"][i - 1]
            assert row[published_numbers.ordinal(i, len(fs["lowest"])).capitalize()] == (
                str(lo) if lo == hi else f"{lo}–{hi}"
            )
        drawn = fig.data[fig.data["visit"] == published_numbers.VISITS[visit]]
        assert (
            list(drawn["lowest_possible"]) == fs["lowest"]
            and list(drawn["highest_possible"]) == fs["highest"]
        )
        # the reconstruction's sorted scores are one member of the set: inside every band
        assert drawn["dataset_score"].between(drawn["lowest_possible"], drawn["highest_possible"]).all()
    assert "Range chart" in fig.chart.to_dict()["description"]


def test_the_chart_marks_nothing_for_a_visit_without_six_scores(bundled, monkeypatch):
    sledai = findings.analyses_of(bundled).sledai.copy()
    sledai.loc[sledai.index[0], "month1"] = None
    monkeypatch.setattr(feasible_figure, "analyses_of", lambda ds: SimpleNamespace(sledai=sledai))
    data = feasible_figure.band_data(bundled)
    assert data.loc[data["visit"] == "Month 1", "dataset_score"].isna().all()
    assert data.loc[data["visit"] == "Baseline", "dataset_score"].notna().all()
    assert "dots: the dataset" in feasible_figure._description(data, bundled)
    sledai = findings.analyses_of(bundled).sledai.copy()
    sledai.loc[sledai.index[0], "month3_censored"] = True  # a score below the limit is not a number
    data = feasible_figure.band_data(bundled)
    assert data.loc[data["visit"] == "Month 3", "dataset_score"].isna().all()
    assert data.loc[data["visit"] == "Baseline", "dataset_score"].notna().all()


# ------------------------------------------------------------------ the PDF section
def test_the_paper_has_the_section_with_its_tables_in_a_papers_words(bundled):
    doc = paper.content(bundled, commit="0" * 40, versions={}, figures=FIGURES)
    blocks = doc["blocks"]
    at = next(i for i, b in enumerate(blocks) if b.get("text") == "What the published numbers determine")
    section = blocks[at + 1 : next(i for i in range(at + 1, len(blocks)) if blocks[i]["kind"] == "heading")]
    paragraphs = [b["text"] for b in section if b["kind"] == "paragraph"]
    expected = [p for key in published_numbers.SECTIONS for p in prose.SECTIONS[key](bundled)]
    assert [paper_text.for_print(p) for p in expected] == paragraphs
    titles = [b["title"] for b in section if b["kind"] == "table"]
    assert titles == [
        "Table 3. Consistency of the published numbers",
        "Table 4. Whole-number values the published numbers allow",
    ]
    counts = [
        row[2] for row in next(b for b in section if b["kind"] == "table" and "allow" in b["title"])["rows"]
    ]
    audit = consistency.document()
    sets = [*audit["feasible_sorted_scores"].values(), *audit["feasible_sorted_values"].values()]
    assert counts == [str(v["count"]) for v in sets]
    for b in section:
        for field in paper.TEXT_FIELDS.get(b["kind"], ()):
            value = b[field]
            assert not any(
                paper_text.WEB_WORDS.search(t) for t in (value if isinstance(value, list) else [value])
            )

"""The figures: absent data as a sentence, honest censoring, the safety window, rules, ticks, text alternatives."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from sle_cart.generate.synth import write_synthetic
from sle_cart.inputs import dataset
from sle_cart.inputs.definitions import LARGE_COHORT_PATIENTS
from sle_cart.present import registry
from sle_cart.present.charts import CENSORED, PALETTE, Figure, num, summary_bands
from sle_cart.present.publish import publish

OUR_FIGURES = ("fig1a", "fig1b", "fig2a", "fig2b", "fig2c", "fig2d", "figS1")


# ------------------------------------------------------------------ walking a Vega-Lite spec
def units(spec: dict, data: dict | None = None) -> list[dict]:
    """Every unit (single-mark) view of a spec, depth first, with the data it inherits filled in."""
    data = spec.get("data", data)
    out = []
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key, []):
            out += units(child, data)
    if "mark" in spec:
        out.append({**spec, "data": data})
    return out


def mark(unit: dict) -> dict:
    m = unit["mark"]
    return m if isinstance(m, dict) else {"type": m}


def rows(spec: dict, unit: dict) -> list[dict]:
    return spec["datasets"][unit["data"]["name"]]


def layers_of(spec: dict, kind: str, **props) -> list[dict]:
    return [
        u
        for u in units(spec)
        if mark(u)["type"] == kind and all(mark(u).get(k) == v for k, v in props.items())
    ]


def rules(spec: dict) -> list[tuple[float, str | None]]:
    """(position, label) of every labelled rule: the rule's data carries both."""
    return [
        (r["rule_at"], r.get("label"))
        for u in layers_of(spec, "rule")
        for r in rows(spec, u)
        if "rule_at" in r
    ]


def colour_scales(spec: dict) -> list[dict]:
    return [
        u["encoding"]["color"]["scale"]
        for u in units(spec)
        if u.get("encoding", {}).get("color", {}).get("field") == "patient_id"
    ]


_MADE: dict[tuple[str, int], tuple] = {}


def make(name, ds):
    """Figure ``name`` of ``ds``, made once per dataset for this module: the tests only read it."""
    key = (name, id(ds))
    if key not in _MADE:  # the dataset is kept with its figure, so its id is not reused
        fig = registry.make(name, ds)
        _MADE[key] = (ds, fig, fig.chart.to_dict())
    return _MADE[key][1]


def spec_of(name, ds) -> dict:
    """The Vega-Lite spec of figure ``name`` of ``ds`` (validated once)."""
    make(name, ds)
    return _MADE[(name, id(ds))][2]


# ------------------------------------------------------------------ 1. absent data: a sentence, never empty axes
ABSENT = {
    "fig1a": "This dataset has no CAR T cell counts; Figure 1a cannot be drawn.",
    "fig1b": "This dataset has no CD19+ B cell counts; Figure 1b cannot be drawn.",
    "fig2b": "This dataset has no 24-hour urine protein values; Figure 2b cannot be drawn.",
    "fig2c": "This dataset has no anti-dsDNA values; Figure 2c cannot be drawn.",
    "fig2d": "This dataset has no complement C3 or C4 values; Figure 2d cannot be drawn.",
}


@pytest.fixture
def only_sledai(make_dataset):
    return dataset.load(
        make_dataset([{"patient_id": "P1"}], [("P1", -3, "sledai_2k", 12), ("P1", 30, "sledai_2k", 6)])
    )


@pytest.mark.parametrize("name", sorted(ABSENT))
def test_a_figure_without_its_values_says_so_instead_of_drawing(only_sledai, name, tmp_path):
    fig = make(name, only_sledai)
    assert fig.absent_sentence == ABSENT[name]
    markup = fig._repr_mimebundle_()["text/html"]
    assert ABSENT[name] in markup and "<script" not in markup and "vega" not in markup
    assert 'class="sle-figure-absent"' in markup and 'class="sle-figure"' not in markup
    spec = fig.chart.to_dict()  # the downloads' placeholder says the same sentence
    assert spec["description"] == ABSENT[name] and spec["title"] == ABSENT[name]
    publish(fig, tmp_path)
    downloads = tmp_path / "downloads"
    assert (downloads / f"{name}.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")
    assert (downloads / f"{name}.png").stat().st_size > 100
    assert list(pd.read_csv(downloads / f"{name}.csv").columns)  # empty, with headers
    assert fig.caption  # the caption still says what the figure is


def test_fig2a_without_scores_and_the_absent_sentence_is_escaped(make_dataset, tmp_path):
    ds = dataset.load(make_dataset([{"patient_id": "P1"}], [("P1", 1, "car_t", 10)]))
    assert (
        make("fig2a", ds).absent_sentence
        == "This dataset has no SLEDAI-2K scores; Figure 2a cannot be drawn."
    )
    fig = Figure(None, pd.DataFrame(), caption="c", absent="No <b>values</b> & more", title="Figure X")
    markup = fig.to_html()
    assert "No &lt;b&gt;values&lt;/b&gt; &amp; more; Figure X cannot be drawn." in markup
    assert "<b>" not in markup
    with pytest.raises(ValueError, match="needs a chart"):
        Figure(None, pd.DataFrame())


def test_fig2d_draws_the_one_complement_it_has(make_dataset):
    ds = dataset.load(make_dataset([{"patient_id": "P1"}], [("P1", -3, "c3", 0.5), ("P1", 30, "c3", 1.0)]))
    fig = make("fig2d", ds)
    spec = fig.chart.to_dict()
    assert not fig.absent and len(spec["hconcat"]) == 1 and spec["hconcat"][0]["title"] == "C3"
    assert "no C4 values; only C3 is drawn" in fig.note


# ------------------------------------------------------------------ 2. censoring drawn honestly
@pytest.fixture
def censored_ds(make_dataset):
    m = [
        ("P1", 0, "car_t", "<0.5"),
        ("P1", 7, "car_t", 100),
        ("P1", 14, "car_t", "<1"),  # a censored value between two measured ones
        ("P1", 28, "car_t", 3),
        ("P1", 35, "car_t", 2),
        ("P2", 0, "car_t", "<0.5"),  # P2 never expands
        ("P2", 7, "car_t", "<0.5"),
    ]
    return dataset.load(make_dataset([{"patient_id": "P1"}, {"patient_id": "P2"}], m))


def test_censored_values_are_markers_at_the_limit_never_in_a_line(censored_ds):
    fig = make("fig1a", censored_ds)
    spec = fig.chart.to_dict()
    (line,) = layers_of(spec, "line")
    drawn = rows(spec, line)
    assert all(not r["censored"] for r in drawn) and {r["day"] for r in drawn if r["patient_id"] == "P1"} == {
        7,
        28,
        35,
    }
    assert line["encoding"]["detail"]["field"] == "segment"  # the line breaks at the censored day 14
    seg = {r["day"]: r["segment"] for r in drawn if r["patient_id"] == "P1"}
    assert seg[7] != seg[28] == seg[35]
    (pts,) = [u for u in layers_of(spec, "point") if "shape" in u.get("encoding", {})]
    marked = {(r["patient_id"], r["day"]): r for r in rows(spec, pts)}
    assert marked[("P1", 14)]["value"] == 1 and marked[("P1", 14)]["result"] == CENSORED
    assert all(r["value"] > 0 for r in rows(spec, pts))  # nothing censored is drawn at 0
    shape = pts["encoding"]["shape"]["scale"]
    assert shape["domain"] == ["measured", "below assay limit (drawn at the limit)"]
    assert shape["range"] == ["circle", "triangle-down"]


def test_non_expanders_get_no_peak(censored_ds):
    fig = make("fig1a", censored_ds)
    spec = fig.chart.to_dict()
    (diamonds,) = layers_of(spec, "point", shape="diamond")
    assert [r["patient_id"] for r in rows(spec, diamonds)] == ["P1"]
    assert "1 patient never above the assay limit" in spec["description"]
    assert "non-expander" in fig.caption


def test_large_cohort_medians_resting_on_censored_values_are_not_joined():
    data = pd.DataFrame(
        {
            "patient_id": [f"S{i}" for i in range(8)],
            "day": [0] * 4 + [7] * 4,
            "value": [1.0, 1.0, 1.0, 5.0, 10.0, 20.0, 30.0, 40.0],
            "censored": [True, True, True, False, False, False, False, False],
        }
    )
    b = summary_bands(data).set_index("day")
    assert not b.loc[0, "median_exact"] and b.loc[0, "median_label"].startswith("<")
    assert b.loc[7, "median_exact"] and b.loc[7, "median"] == 25
    # a measured value below a censored limit cannot be ranked: not exact either
    mixed = data.assign(value=[0.5, 9.0, 9.0, 9.0, 10, 20, 30, 40], censored=[False, True] + [False] * 6)
    assert not summary_bands(mixed).set_index("day").loc[0, "q1_exact"]


# ------------------------------------------------------------------ 3. the safety swimmer
@pytest.fixture
def late_ds(make_dataset):
    patients = [
        {"patient_id": "P1", "follow_up_months": 3},
        {"patient_id": "P2", "follow_up_months": ""},  # blank: drawn to the last study day
        {"patient_id": "P3"},
    ]
    m = [("P2", -5, "sledai_2k", 10), ("P2", 120, "sledai_2k", 4)]
    events = [
        ("P1", "CRS", 1, 2, 5),
        ("P1", "ICANS", 2, 40, ""),  # after the window, ongoing
        ("P2", "CRS", 1, 3, ""),  # ongoing, follow-up blank
    ]
    return dataset.load(make_dataset(patients, m, events))


def test_late_and_ongoing_episodes_are_drawn_marked_and_the_axis_grows(late_ds):
    fig = make("figS1", late_ds)
    spec = fig.chart.to_dict()
    (bars,) = layers_of(spec, "bar")
    drawn = {(r["patient_id"], r["event"]): r for r in rows(spec, bars)}
    late = drawn[("P1", "ICANS")]
    assert late["window"] == "after day 28 (not counted)" and late["resolution"] == "ongoing"
    assert late["end"] == 90  # 3 months of follow-up
    assert drawn[("P2", "CRS")]["end"] == 120  # blank follow-up: the patient's last study day
    assert drawn[("P1", "CRS")]["end"] == 5.5 and drawn[("P1", "CRS")]["window"].endswith("(counted)")
    enc = bars["encoding"]
    assert enc["fillOpacity"]["scale"]["domain"][1] == "after day 28 (not counted)"
    assert enc["fillOpacity"]["legend"] is not None and enc["strokeDash"]["scale"]["range"][1] != [1, 0]
    domain = enc["x"]["scale"]["domain"]
    assert domain[0] == 0 and domain[1] > 120  # max(window, latest end) + margin
    assert (28.5, "day 28 window") in rules(spec)
    (arrows,) = [u for u in layers_of(spec, "point") if "shape" in u["encoding"]]
    assert arrows["encoding"]["shape"]["scale"]["range"] == ["triangle-right"]
    assert {(r["patient_id"], r["end"]) for r in rows(spec, arrows)} == {("P1", 90), ("P2", 120)}
    assert any(t.get("field") == "resolution" for t in enc["tooltip"] if isinstance(t, dict))
    assert "1 with onset after day 28 (not counted); 2 ongoing" in spec["description"]
    assert set(fig.data["resolution"]) == {"5", "ongoing"} and "in_window" in fig.data


def test_without_late_episodes_the_window_legend_is_hidden(bundled):
    spec = spec_of("figS1", bundled)
    (bars,) = layers_of(spec, "bar")
    assert bars["encoding"]["fillOpacity"]["legend"] is None
    assert bars["encoding"]["x"]["scale"]["domain"][1] >= 28.5


# ------------------------------------------------------------------ 4. the complete-response threshold
def test_fig2b_draws_the_complete_response_threshold_from_the_definitions(make_dataset):
    m = [("P1", -5, "urine_protein_24h", 2.0), ("P1", 30, "urine_protein_24h", 0.6)]
    ds = dataset.load(make_dataset([{"patient_id": "P1"}], m, definitions="{renal_complete_below_g24h: 0.7}"))
    spec = spec_of("fig2b", ds)
    assert (0.7, "complete response < 0.7 g/24h") in rules(spec)
    (rule,) = [u for u in layers_of(spec, "rule") if rows(spec, u)[0].get("rule_at") == 0.7]
    assert mark(rule)["strokeDash"]
    assert layers_of(spec, "rect")  # the normal range band is still drawn


def test_fig2b_default_threshold(bundled):
    assert (0.5, "complete response < 0.5 g/24h") in rules(spec_of("fig2b", bundled))


# ------------------------------------------------------------------ 5. readable anti-dsDNA ticks
def _y_axis_values(spec):
    return {
        tuple(u["encoding"]["y"]["axis"]["values"])
        for u in units(spec)
        if "axis" in u["encoding"].get("y", {})
    }


def test_fig2c_ticks_include_the_upper_limit_of_normal(bundled):
    spec = spec_of("fig2c", bundled)
    (ticks,) = _y_axis_values(spec)
    assert 8 in ticks and ticks[0] == 0 and 10 not in ticks  # 10 would crowd the limit
    assert {2, 5, 20, 50, 100, 200}.issubset(ticks) and max(ticks) >= 310
    assert (8, "upper limit of normal (8 IU/mL)") in rules(spec)


def test_fig2c_limit_comes_from_the_dataset(make_dataset):
    d = make_dataset([{"patient_id": "P1"}], [("P1", -5, "anti_dsdna", 40), ("P1", 30, "anti_dsdna", 3)])
    yml = d / "dataset.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("anti_dsdna: {upper: 8", "anti_dsdna: {upper: 12"))
    spec = spec_of("fig2c", dataset.load(d))
    (ticks,) = _y_axis_values(spec)
    assert 12 in ticks and 8 not in ticks and max(ticks) >= 40
    assert (12, "upper limit of normal (12 IU/mL)") in rules(spec)


# ------------------------------------------------------------------ 6. text alternatives
def test_every_figure_describes_itself(bundled):
    for name in registry.names("figure"):
        spec = spec_of(name, bundled)
        assert isinstance(spec.get("description"), str) and len(spec["description"]) > 40, name
    d = spec_of("fig1a", bundled)["description"]
    assert d.startswith("Line chart of circulating CAR+ T cells per patient, days 0 to 90, log scale; 6 of 6")
    assert re.search(r"peaks from [\d.]+ to [\d.]+ cells/µL on days 7 to 11", d)


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    return dataset.load(write_synthetic(tmp_path_factory.mktemp("large") / "s", LARGE_COHORT_PATIENTS + 5))


def test_large_cohort_figures_describe_themselves(large):
    for name in OUR_FIGURES:
        spec = spec_of(name, large)
        assert len(spec.get("description", "")) > 40, name
        if name in ("fig1a", "fig1b", "fig2b", "fig2c", "fig2d"):
            assert spec["description"].startswith("Median and interquartile range per study day"), name


# ------------------------------------------------------------------ 7. one patient, one colour
def test_colour_domain_is_every_patient_in_natural_order(make_dataset):
    patients = [{"patient_id": p} for p in ("P10", "P2", "P1")]
    m = [("P10", -5, "urine_protein_24h", 2.0), ("P10", 30, "urine_protein_24h", 1.0)]
    m += [("P2", -5, "c3", 0.5), ("P1", -5, "c4", 0.1)]
    ds = dataset.load(make_dataset(patients, m))
    for name in ("fig2b", "fig2d"):
        scales = colour_scales(spec_of(name, ds))
        assert scales, name
        for s in scales:
            assert s["domain"] == ["P1", "P2", "P10"] and s["range"] == PALETTE[:3], name


def test_colours_agree_across_figures(bundled):
    domains = {
        name: {tuple(s["domain"]) for s in colour_scales(spec_of(name, bundled))}
        for name in ("fig1a", "fig1b", "fig2a", "fig2b", "fig2c", "fig2d")
    }
    assert set().union(*domains.values()) == {("P1", "P2", "P3", "P4", "P5", "P6")}


# ------------------------------------------------------------------ 8. the minus sign
def test_negative_numbers_in_figure_text_use_the_minus_sign(bundled, late_ds):
    assert num(-5) == "−5" and num(-0.25) == "−0.25" and num(3) == "3"
    texts = []
    for ds in (bundled, late_ds):
        for name in OUR_FIGURES:
            fig = make(name, ds)
            spec = fig.chart.to_dict()
            texts += [spec.get("description", ""), str(spec.get("title", "")), fig.caption, fig.note]
    joined = "\n".join(texts)
    assert "days −5 to 210" in joined
    assert not re.search(r"(?<![\w−])-\d", joined)


# ------------------------------------------------------------------ 9. figures a reader can use
def test_patients_differ_by_dash_as_well_as_colour_in_every_figure(bundled):
    for name in ("fig1a", "fig1b", "fig2a", "fig2b", "fig2c", "fig2d"):
        spec = spec_of(name, bundled)
        lines = [
            u for u in layers_of(spec, "line") if u["encoding"].get("color", {}).get("field") == "patient_id"
        ]
        assert lines, name
        for u in lines:
            dash = u["encoding"]["strokeDash"]
            assert dash["field"] == "patient_id" and dash["scale"]["domain"] == [
                "P1",
                "P2",
                "P3",
                "P4",
                "P5",
                "P6",
            ]
            ranges = dash["scale"]["range"]
            assert ranges[0] != ranges[5] and ranges[1] != ranges[4], name  # the two blues, the two oranges


def test_fig1a_draws_the_assay_limit_and_day_0_sits_inside_the_axis(bundled):
    spec = spec_of("fig1a", bundled)
    assert (0.5, "assay limit, 0.5 cells/µL") in rules(spec)
    (line,) = layers_of(spec, "line")
    assert line["encoding"]["x"]["scale"]["domain"][0] < 0  # a marker on day 0 is drawn right of the axis
    assert "assay limit, 0.5 cells/µL" in spec["description"]


def test_fig1b_shows_the_depletion_days_beside_the_whole_course(bundled):
    spec = spec_of("fig1b", bundled)
    early, whole = spec["hconcat"]
    (early_line,) = layers_of(early, "line")
    assert early_line["encoding"]["x"]["scale"]["domain"] == [-7, 28]
    assert all(-7 <= r["day"] <= 28 for u in units(early) for r in rows(spec, u) if "day" in r)
    assert max(r["day"] for u in layers_of(whole, "line") for r in rows(spec, u)) == 210
    (back,) = layers_of(whole, "point", shape="triangle-up")
    assert {(r["patient_id"], r["day"]) for r in rows(spec, back)} == {
        ("P1", 120),
        ("P2", 150),
        ("P3", 150),
        ("P4", 150),
        ("P6", 150),
    }  # P5 is not back by its last sample (day 120, 4.1 cells/µL)


def test_reference_lines_are_named_in_the_legend_not_on_the_plot(bundled):
    for name, label in (
        ("fig1b", "depletion threshold, 5 cells/µL"),
        ("fig2c", "upper limit of normal (8 IU/mL)"),
        ("fig2b", "complete response < 0.5 g/24h"),
    ):
        spec = spec_of(name, bundled)
        ruled = [u for u in layers_of(spec, "rule") if rows(spec, u)[0].get("label") == label]
        assert ruled, name
        for u in ruled:
            legend = u["encoding"]["opacity"]["legend"]
            assert legend["symbolType"] == "stroke" and legend["symbolDash"] == mark(u)["strokeDash"]
        labels = [u for u in layers_of(spec, "text") if u["encoding"].get("text", {}).get("field") == "label"]
        assert not labels, name  # no label drawn over the lines


def test_fig2a_labels_are_horizontal_and_the_median_is_in_the_legend(bundled):
    spec = spec_of("fig2a", bundled)
    assert {u["encoding"]["x"]["axis"]["labelAngle"] for u in units(spec)} == {0}
    (median,) = [u for u in layers_of(spec, "line") if "opacity" in u["encoding"]]
    assert rows(spec, median)[0]["line"] == "median of the patients"
    assert median["encoding"]["opacity"]["legend"]["symbolStrokeWidth"] == mark(median)["strokeWidth"]


def test_fig2b_marks_each_renal_response_on_the_value_it_is_judged_on(bundled):
    spec = spec_of("fig2b", bundled)
    assert '"resolve": {"scale": {"shape": "independent"}}' in json.dumps(spec)  # a legend of its own
    (marked,) = [u for u in units(spec) if u["encoding"].get("shape", {}).get("field") == "renal_response"]
    drawn = rows(spec, marked)
    assert len({r["patient_id"] for r in drawn}) == len(drawn) > 0
    assert {r["renal_response"] for r in drawn} <= {"complete", "partial", "none", "not evaluable"}

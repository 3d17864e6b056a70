"""Skipping Altair's needless deep copies changes no chart (sle_cart.present.chart_copies)."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
import pytest

from conftest import ROOT, sampled
from sle_cart.generate.synth import write_synthetic
from sle_cart.inputs.dataset import load
from sle_cart.inputs.definitions import LARGE_COHORT_PATIENTS
from sle_cart.present import chart_copies, registry


def _specs(ds) -> dict[str, str]:
    """Every figure of ``ds`` made afresh (not from the registry's memo), as Vega-Lite JSON."""
    out = {}
    for name in registry.names("figure"):
        fig = registry.get(name).make(ds)
        if fig.chart is not None:
            out[name] = json.dumps(fig.chart.to_dict(), sort_keys=True)
    return out


@pytest.fixture
def released():
    """Altair as released for the test's duration, the wrap put back afterwards."""
    chart_copies.as_released()
    yield
    assert chart_copies.skip_needless_copies()


# make test only: it makes every figure the slow way, with Altair as released
@pytest.mark.parametrize("cohort", sampled(["bundled", "synthetic-8", "large"], in_check=0))
def test_every_figure_is_the_same_with_and_without_the_copies(cohort, tmp_path, bundled, released):
    if cohort == "bundled":
        ds = bundled
    else:
        n = 8 if cohort == "synthetic-8" else LARGE_COHORT_PATIENTS + 5  # large: bands, not lines
        ds = load(write_synthetic(tmp_path / "s", n, seed=1))
    as_released = _specs(ds)
    assert chart_copies.skip_needless_copies()
    wrapped = _specs(ds)
    assert len(as_released) >= 8 and wrapped == as_released


def test_a_chart_with_a_selection_still_has_it_lifted(released):
    df = pd.DataFrame({"x": [1, 2], "y": [3, 4]})
    point = alt.Chart(df).mark_point().encode(x="x:Q", y="y:Q")

    def chart():
        pick = alt.selection_point(name="pick", fields=["x"])
        layered = point.add_params(pick) + point.mark_line()
        return alt.hconcat(layered, point.properties(name="plain")).to_dict()

    as_released = chart()
    assert chart_copies.skip_needless_copies()
    wrapped = chart()
    assert wrapped == as_released and wrapped["params"][0]["name"] == "pick"  # lifted to the top


def test_the_wrap_is_made_only_for_the_pinned_altair():
    pinned = re.search(r"^altair==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    assert chart_copies.PINNED == pinned == alt.__version__  # a new Altair: re-read its lifting first

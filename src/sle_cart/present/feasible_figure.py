"""The feasible-band chart: per SLEDAI-2K visit, the values each sorted score can take given the published
median, minimum and maximum, with this dataset's own sorted scores marked as one member of that set.

The bands come from the consistency audit of the published numbers
(``published_numbers.audit``); only the marks read the dataset, as its
scores at each visit from the findings.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from sle_cart.analysis.enumeration import NotStated, number, published
from sle_cart.analysis.findings import analyses_of

from .charts import INK, PALETTE, Figure, described
from .published_numbers import VISITS, audit, ordinal

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

#: The audit's visits and the findings' SLEDAI-2K columns.
COLUMNS = {"sledai_baseline": "baseline", "sledai_m1": "month1", "sledai_m3": "month3"}
BAND, MARK = "possible values, from the published numbers", "this dataset's score"


def _own_scores(ds: Dataset, n: int) -> dict[str, list[float] | None]:
    """Per visit, the dataset's scores sorted, or None when it has not exactly ``n`` of them to compare
    (a score below an assay limit is not a number, so a visit with one is not compared either)."""
    sledai = analyses_of(ds).sledai
    out = {}
    for visit, column in COLUMNS.items():
        values = []
        if column in sledai:
            censored = sledai.get(f"{column}_censored", pd.Series(False, index=sledai.index)).fillna(False)
            values = sledai.loc[~censored.astype(bool), column].dropna().astype(float).sort_values().tolist()
        out[visit] = values if len(values) == n else None
    return out


def band_data(ds: Dataset) -> pd.DataFrame:
    """One row per visit and sorted position: the lowest and highest possible score, and the dataset's."""
    feasible = audit(ds)["feasible_sorted_scores"]
    if not feasible:  # the publication states no visit's median and range: nothing to draw
        return pd.DataFrame(columns=["visit", "position", "lowest_possible", "highest_possible", "band_from"])
    n = int(number("n_patients", ds.publication))
    own = _own_scores(ds, n)
    rows = []
    for visit, label in VISITS.items():
        if visit not in feasible:
            continue
        fs = feasible[visit]
        for i, (lo, hi) in enumerate(zip(fs["lowest"], fs["highest"]), 1):
            rows.append(
                {
                    "visit": label,
                    "position": ordinal(i, n),
                    "lowest_possible": lo,
                    "highest_possible": hi,
                    # each band covers whole scores: half a point either side, so a fixed score shows too
                    "band_from": lo - 0.5,
                    "band_to": hi + 0.5,
                    "dataset_score": None if own[visit] is None else own[visit][i - 1],
                }
            )
    return pd.DataFrame(rows)


def _description(data: pd.DataFrame, ds: Dataset) -> str:
    parts = []
    for label in VISITS.values():
        d = data[data["visit"] == label]
        bands = ", ".join(
            f"{p} {lo}" if lo == hi else f"{p} {lo} to {hi}"
            for p, lo, hi in zip(d["position"], d["lowest_possible"], d["highest_possible"])
        )
        parts.append(f"{label}: {bands}")
    marked = data["dataset_score"].notna().groupby(data["visit"]).all()
    shown_visits = [v for v in VISITS.values() if marked.get(v, False)]
    mark = (
        f"; dots: the dataset {ds.name}'s sorted scores at {', '.join(shown_visits).lower()}"
        if shown_visits
        else "; the dataset has no complete set of scores to mark"
    )
    return (
        "Range chart of the SLEDAI-2K score each sorted position (lowest to highest of the patients) can take, "
        f"given the published median, minimum and maximum, per visit. {'; '.join(parts)}{mark}."
    )


def _medians(publication) -> str:
    """'baseline 12, month 1 5.5, month 3 5': the published medians of the visits drawn."""
    out = []
    for visit, label in VISITS.items():
        try:
            out.append(f"{label.lower()} {published(visit + '_median', publication)}")
        except NotStated:
            continue
    return ", ".join(out)


def feasible_bands(ds: Dataset) -> Figure:
    """Per visit, the range of each sorted SLEDAI-2K score the published numbers allow, and this dataset's."""
    data = band_data(ds)
    pub = ds.publication
    if data.empty:
        caption = "The SLEDAI-2K scores a publication's median, minimum and maximum allow, per visit."
        return Figure(
            None,
            data,
            caption=caption,
            absent="The publication states no SLEDAI-2K median and range of all patients",
        )
    n = int(number("n_patients", pub))
    order = [ordinal(i, n) for i in range(1, n + 1)]
    x = alt.X("position:N", sort=order, title=None, axis=alt.Axis(labelAngle=-40))
    colour = alt.Color("what:N", title=None, scale=alt.Scale(domain=[BAND, MARK], range=[PALETTE[0], INK]))
    tip = [
        alt.Tooltip("visit:N", title="Visit"),
        alt.Tooltip("position:N", title="Sorted position"),
        alt.Tooltip("lowest_possible:Q", title="Lowest possible"),
        alt.Tooltip("highest_possible:Q", title="Highest possible"),
        alt.Tooltip("dataset_score:Q", title="This dataset"),
    ]
    base = alt.Chart().encode(x=x, tooltip=tip)
    bands = base.mark_bar(size=16, opacity=0.6).encode(
        y=alt.Y("band_from:Q", title="SLEDAI-2K (points)", scale=alt.Scale(zero=True)),
        y2="band_to:Q",
        color=colour,
    )
    dots = base.mark_point(filled=True, size=60, opacity=1).encode(y="dataset_score:Q", color=colour)
    # each layer names itself for the legend; JSON-quoted, as the dots' name holds an apostrophe
    layered = alt.layer(
        bands.transform_calculate(what=json.dumps(BAND)),
        dots.transform_filter("isValid(datum.dataset_score)").transform_calculate(what=json.dumps(MARK)),
        data=data,
    ).properties(width=150, height=260)
    chart = (
        layered.facet(column=alt.Column("visit:N", sort=list(VISITS.values()), title=None))
        .properties(title="SLEDAI-2K scores the published numbers allow")
        .configure_view(stroke=None)
        .configure_legend(orient="bottom", labelLimit=320)
    )
    caption = (
        f"Per visit, the band over each sorted position (lowest to highest of the {n} patients) covers every "
        f"whole SLEDAI-2K score it can take in some set of {n} scores with the published median, minimum and "
        f"maximum ({_medians(pub)} at the median). Dots: the dataset's own sorted scores; scores "
        "that reproduce the published median, minimum and maximum are one member of that set."
    )
    return Figure(described(chart, _description(data, ds)), data, caption=caption)

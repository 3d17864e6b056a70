"""How robust are the claims? The heat map of claims × alternative choices, and the alternatives table.

Each alternative changes one definition or one laboratory reference range
(``sle_cart.analysis.robustness.ALTERNATIVES``, with sources); every claim is
re-evaluated under each, straight from the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from sle_cart.analysis import robustness
from sle_cart.analysis.claims import Status
from sle_cart.analysis.findings import findings_of

from .charts import Figure
from .claims_text import counts_phrase
from .table import Table

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

STATUSES = ("holds", "does not hold", "not evaluable")
#: Colour and a text mark per status, so the map reads without colour too (Okabe–Ito).
COLOURS = ("#009E73", "#D55E00", "#BBBBBB")
MARKS = {"holds": "✓", "does not hold": "✗", "not evaluable": "–"}
AS_DEFINED = "as defined"


def _grid(ds: Dataset) -> pd.DataFrame:
    """One row per claim × definition set, with the claim's statement and the alternative's label."""
    rows = []
    for c in findings_of(ds).claims:
        claim = c.verdict.statement
        rows.append({"claim": claim, "alternative": AS_DEFINED, "status": str(c.status)})
        rows += [
            {"claim": claim, "alternative": robustness.BY_ID[a].label, "status": str(s)} for a, s in c.under
        ]
    grid = pd.DataFrame(rows)
    grid["mark"] = grid["status"].map(MARKS)
    return grid


def robustness_heatmap(ds: Dataset) -> Figure:
    """Claims × alternatives: does each claim hold (✓), not hold (✗) or become not evaluable (–)?"""
    grid = _grid(ds)
    claim_order = list(dict.fromkeys(grid["claim"]))
    alternatives = [AS_DEFINED, *(a.label for a in robustness.ALTERNATIVES)]
    x = alt.X(
        "alternative:N",
        sort=alternatives,
        title="Definition or reference range",
        axis=alt.Axis(labelAngle=-40, labelLimit=260),
    )
    # long enough for every statement: two claims may differ only in their last words ("by day 1", "by day 4")
    y = alt.Y("claim:N", sort=claim_order, title=None, axis=alt.Axis(labelLimit=400))
    cells = (
        alt.Chart(grid)
        .mark_rect(stroke="white")
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "status:N", title="Claim", scale=alt.Scale(domain=list(STATUSES), range=list(COLOURS))
            ),
            tooltip=["claim:N", "alternative:N", "status:N"],
        )
    )
    # black on the coloured cells in either theme (not charts.INK, which turns light in dark mode)
    text = alt.Chart(grid).mark_text(fontSize=11, color="#000000").encode(x=x, y=y, text="mark:N")
    described = (
        f"Heat map of the {len(claim_order)} claims (rows) under the definitions in force and "
        f"{len(alternatives) - 1} alternatives (columns); a tick where the claim holds, a cross where it "
        f"does not, a dash where it is not evaluable. {counts_sentence(findings_of(ds))}"
    )
    chart = (
        (cells + text)
        .properties(
            width=420, height=14 * len(claim_order), title="Robustness of the claims", description=described
        )
        .configure_view(stroke=None)
    )
    return Figure(chart, grid)


def counts_sentence(found) -> str:
    """The robustness counts, as every view states them."""
    return f"Of the {len(found.claims)} claims: {counts_phrase(found)}."


def alternatives_table(ds: Dataset) -> Table:
    """Each alternative: what it changes, why, its source, and the claims that fail under it."""
    found = findings_of(ds)
    rows = []
    for a in robustness.ALTERNATIVES:
        hit = [c.verdict.statement for c in found.claims if c.holds and dict(c.under)[a.id] != Status.HOLDS]
        rows.append(
            {
                "Alternative": a.label,
                "Why": a.why,
                "Source": a.source,
                "Claims that hold as defined but not under it": "; ".join(hit) if hit else "none",
            }
        )
    frame = pd.DataFrame(rows).set_index("Alternative")
    return Table(
        frame,
        [
            "Each alternative changes one choice and keeps everything else as defined for this dataset.",
            "Listed: claims that hold under the dataset's own definitions but do not hold, or become not "
            "evaluable, under the alternative (the claims it makes fragile).",
        ],
    )

"""How robust are the claims? The heat map of claims × alternative choices, and the alternatives table.

Each alternative changes one definition or one laboratory reference range
(``sle_cart.analysis.robustness.ALTERNATIVES``, with a source or "none"); every
claim is re-evaluated under each, straight from the data.  Claims and
alternatives are shown by their labels; the claims no alternative could affect
are left out of the map (the chapter's text lists them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from sle_cart.analysis import robustness
from sle_cart.analysis.claims import Status
from sle_cart.analysis.findings import findings_of
from sle_cart.analysis.robustness import Robustness

from .charts import Figure
from .claims_text import claim_labels, counts_phrase
from .table import Table

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

STATUSES = ("holds", "does not hold", "not evaluable", "not affected")
#: Colour and a text mark per status, so the map reads without colour too (Okabe–Ito); "not affected":
#: the alternative changes nothing the claim is computed from, so its cell is blank.
COLOURS = ("#009E73", "#D55E00", "#BBBBBB", "#F2F2F2")
MARKS = {"holds": "✓", "does not hold": "✗", "not evaluable": "–", "not affected": ""}
AS_DEFINED = "as defined"


def _rows(found) -> list:
    """The heat map's claims: all but those no alternative affects (listed apart, in the text)."""
    return [c for c in found.claims if c.robustness not in (Robustness.NOT_AFFECTED, Robustness.NOT_STATED)]


def _grid(ds: Dataset) -> pd.DataFrame:
    """One row per claim × definition set, with the claim's label and the alternative's."""
    rows = []
    for c in _rows(findings_of(ds)):
        claim = c.verdict.claim.label
        rows.append({"claim": claim, "alternative": AS_DEFINED, "status": str(c.status)})
        rows += [
            {
                "claim": claim,
                "alternative": robustness.BY_ID[a].label,
                "status": str(s) if a in c.could_affect else "not affected",
            }
            for a, s in c.under
        ]
    grid = pd.DataFrame(rows, columns=["claim", "alternative", "status"])
    grid["mark"] = grid["status"].map(MARKS)
    return grid


def robustness_heatmap(ds: Dataset) -> Figure:
    """Claims × alternatives: does each claim hold (✓), not hold (✗) or become not evaluable (–)?"""
    found = findings_of(ds)
    grid = _grid(ds)
    if grid.empty:
        return Figure(None, grid, absent="No alternative could affect any claim of this dataset")
    claim_order = list(dict.fromkeys(grid["claim"]))
    alternatives = [AS_DEFINED, *(a.label for a in robustness.ALTERNATIVES)]
    title = "Definition or reference range"
    x = alt.X("alternative:N", sort=alternatives, title=title, axis=alt.Axis(labelAngle=-40, labelLimit=260))
    y = alt.Y("claim:N", sort=claim_order, title=None, axis=alt.Axis(labelLimit=400))
    tooltip = [
        alt.Tooltip("claim:N", title="Claim"),
        alt.Tooltip("alternative:N", title=title),
        alt.Tooltip("status:N", title="Verdict"),
    ]
    colour = alt.Color("status:N", title="Claim", scale=alt.Scale(domain=list(STATUSES), range=list(COLOURS)))
    cells = alt.Chart(grid).mark_rect(stroke="white").encode(x=x, y=y, color=colour, tooltip=tooltip)
    # black on the coloured cells in either theme (not charts.INK, which turns light in dark mode)
    text = alt.Chart(grid).mark_text(fontSize=11, color="#000000").encode(x=x, y=y, text="mark:N")
    described = (
        f"Heat map of the {len(claim_order)} claims that some alternative could affect or that do not hold "
        f"(rows) under the definitions in force and {len(alternatives) - 1} alternatives (columns); a tick "
        "where the claim holds, a cross where it does not, a dash where it is not evaluable, a blank where "
        f"the alternative changes nothing the claim is computed from. {counts_sentence(found)}"
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
    """Each alternative: what it changes, why, its source, the claims it could affect and those that fail."""
    found = findings_of(ds)
    rows = []
    for a in robustness.ALTERNATIVES:
        could = [c for c in found.claims if a.id in c.could_affect]
        hit = [c for c in could if c.holds and dict(c.under)[a.id] != Status.HOLDS]
        rows.append(
            {
                "Alternative": a.versus(ds),
                "Why": a.why,
                "Source": a.cited,
                "Claims it could affect": str(len(could)),
                "Claims that hold as defined but not under it": claim_labels(hit) if hit else "none",
            }
        )
    frame = pd.DataFrame(rows).set_index("Alternative")
    return Table(
        frame,
        [
            "Each alternative changes one choice and keeps everything else as defined for this dataset.",
            "Source: a published source for the alternative value, or 'none' where it is a sensitivity choice "
            "that no publication gives.",
            "Claims it could affect: those computed from something the alternative changes.",
            "Listed: claims that hold under the dataset's own definitions but do not hold, or become not "
            "evaluable, under the alternative (the claims it makes fragile).",
        ],
    )

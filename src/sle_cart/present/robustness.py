"""How robust are the claims? The heat map of claims × alternative choices, and the alternatives table.

Each alternative changes one definition or one laboratory reference range
(``sle_cart.analysis.robustness.ALTERNATIVES``, with sources); every claim is
re-evaluated under each, straight from the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from sle_cart.analysis import claims, robustness

from .charts import Figure
from .table import Table

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

STATUSES = ("holds", "does not hold", "not evaluable")
#: Colour and a text mark per status, so the map reads without colour too (Okabe–Ito).
COLOURS = ("#009E73", "#D55E00", "#BBBBBB")
MARKS = {"holds": "✓", "does not hold": "✗", "not evaluable": "–"}


def _grid(ds: Dataset) -> pd.DataFrame:
    base = {c["id"]: c for c in claims.evaluate(ds)}
    under = robustness.holds_under(ds)
    rows = []
    for cid, statuses in under.items():
        rows.append({"claim": cid, "alternative": "as defined", "status": base[cid]["status"]})
        rows += [{"claim": cid, "alternative": alt_id, "status": s} for alt_id, s in statuses.items()]
    grid = pd.DataFrame(rows)
    grid["mark"] = grid["status"].map(MARKS)
    return grid


def robustness_heatmap(ds: Dataset) -> Figure:
    """Claims × alternatives: does each claim hold (✓), not hold (✗) or become not evaluable (–)?"""
    grid = _grid(ds)
    claim_order = [c.id for c in claims.CLAIMS]
    alternatives = ["as defined", *(a.id for a in robustness.ALTERNATIVES)]
    x = alt.X(
        "alternative:N",
        sort=alternatives,
        title="Definition or reference range",
        axis=alt.Axis(labelAngle=-40),
    )
    y = alt.Y("claim:N", sort=claim_order, title=None)
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
    text = alt.Chart(grid).mark_text(fontSize=11, color="black").encode(x=x, y=y, text="mark:N")
    changed = grid[(grid["alternative"] != "as defined") & (grid["status"] != "holds")]
    described = (
        f"Heat map of the {len(claim_order)} claims (rows) under the definitions in force and "
        f"{len(alternatives) - 1} alternatives (columns); a tick where the claim holds, a cross where it "
        f"does not, a dash where it is not evaluable. {len(changed)} cells differ from 'holds' under an "
        f"alternative, in {changed['claim'].nunique()} claims."
    )
    chart = (
        (cells + text)
        .properties(
            width=420, height=14 * len(claim_order), title="Robustness of the claims", description=described
        )
        .configure_view(stroke=None)
    )
    return Figure(chart, grid)


def alternatives_table(ds: Dataset) -> Table:
    """Each alternative: what it changes, why, its source, and the claims that do not hold under it."""
    under = robustness.holds_under(ds)
    rows = []
    for a in robustness.ALTERNATIVES:
        hit = [cid for cid, s in under.items() if s[a.id] != "holds"]
        rows.append(
            {
                "Alternative": a.id,
                "Change": ", ".join(f"{k}: {v:g}" for k, v in a.changes.items()),
                "Why": a.why,
                "Source": a.source,
                "Claims that do not hold": ", ".join(hit) if hit else "none",
            }
        )
    frame = pd.DataFrame(rows).set_index("Alternative")
    return Table(
        frame,
        [
            "Each alternative changes one choice and keeps everything else as defined for this dataset.",
            "A claim listed here holds or not under the definitions in force (see the claims ledger) but does not "
            "hold, or becomes not evaluable, under the alternative.",
        ],
    )

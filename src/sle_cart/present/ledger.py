"""The claims ledger: each number the abstract states, published beside reproduced.

The same ledger is published for machines as ``claims.json`` at the site root
(schema: the data contract), carried by the table as an extra file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sle_cart.analysis import claims_json

from .formatting import num, p_value, precise
from .summary import published_decimals
from .table import Table

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

VERDICTS = {"holds": "✓ holds", "does not hold": "✗ does not hold", "not evaluable": "✗ not evaluable"}
FOOTNOTES = [
    "Published: the value printed in the abstract (Zhao et al., ACR Convergence 2025, abstract 0647), under "
    "the abstract's own definitions; the statement names the definitions this build used.",
    "Reproduced: computed from this dataset at the published number of decimals, or more where the data "
    "have them (188.05 stays 188.05); p-values at two significant figures.",
    "n / N: the patients the value rests on (for the p-value, the pairs with a non-zero change) out of all "
    "patients. 95% CI: exact Clopper–Pearson interval of a count or proportion.",
    "A claim holds when the reproduced value, rounded half away from zero to the published decimals, equals "
    "the published value; for '<0.05', when the exact p-value is below 0.05.",
    "Not evaluable: the data lack what the claim needs (for example a baseline value).",
    "Robustness: 'robust' when the claim holds under every alternative definition or reference range of the "
    "robustness chapter; 'fragile' names the alternatives under which it does not.",
    "Machine-readable: claims.json at the root of this site.",
]


def _reproduced(c: dict) -> str:
    v = c["reproduced"]
    if v is None:
        return "–"
    if c["unit"] == "p":
        return p_value(v)
    return precise(v, published_decimals(c["id"]))


def _row(c: dict, n_patients: int) -> dict:
    ci = c.get("ci95")
    fragile = [a for a, ok in c["holds_under"].items() if not ok]
    return {
        "Claim": c["statement"],
        "Published": str(c["published"]),
        "Reproduced": _reproduced(c),
        "n / N": f"{c['n_evaluable']}/{n_patients}",
        "95% CI": "" if ci is None else f"{num(100 * ci[0], 0)}–{num(100 * ci[1], 0)}%",
        "Unit": c["unit"],
        "Verdict": VERDICTS[c["status"]],
        "Robustness": "robust" if not fragile else "fragile: " + ", ".join(fragile),
        "Claim id": c["id"],
    }


def claims_ledger(ds: Dataset) -> Table:
    """The claims ledger (statement, published, reproduced, verdict), carrying ``claims.json``."""
    doc = claims_json.claims_document(ds)
    frame = pd.DataFrame([_row(c, len(ds.patients)) for c in doc["claims"]]).set_index("Claim")
    n_ok = sum(c["holds"] for c in doc["claims"])
    return Table(
        frame,
        FOOTNOTES,
        data=pd.DataFrame(
            [
                {k: v for k, v in c.items() if k not in ("holds_under", "status_under")}
                | {f"holds_under:{a}": ok for a, ok in c["holds_under"].items()}
                for c in doc["claims"]
            ]
        ).set_index("id"),
        title=f"Claims ledger: {n_ok} of {len(frame)} claims hold",
        files={"claims.json": claims_json.claims_json_text(doc)},
    )

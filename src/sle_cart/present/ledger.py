"""The claims ledger: each number the abstract states, published beside reproduced.

The same ledger is published for machines as ``claims.json`` at the site root
(schema: the data contract), carried by the table as an extra file.  Claims
are shown by their statements; their ids are in claims.json and the CSV only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sle_cart.analysis import claims_json, publications, robustness
from sle_cart.analysis.claims import Status
from sle_cart.analysis.findings import ClaimFinding, findings_of
from sle_cart.analysis.robustness import Robustness

from .claims_text import PHRASES, fragile_cell
from .formatting import num
from .summary import shown
from .table import Table

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

VERDICTS = {
    Status.HOLDS: "✓ holds",
    Status.FAILS: "✗ does not hold",
    Status.NOT_EVALUABLE: "✗ not evaluable",
    Status.NOT_STATED: "not stated",
}
FOOTNOTES = [
    "Published: the value printed in the abstract (Zhao et al., ACR Convergence 2025, abstract 0647), under "
    "the abstract's own definitions; the statement names the definitions this build used.",
    "Reproduced: computed from this dataset at the published number of decimals, or more where the data "
    "have them (188.05 stays 188.05); p-values at two significant figures, or more where two would not "
    "decide the comparison with the published threshold. The p-value's statement names its method (exact "
    "or normal approximation).",
    "n / N: the patients the value rests on (for the p-value, the pairs with a non-zero change) out of all "
    "patients. 95% CI: exact Clopper–Pearson interval of a count or proportion.",
    "A claim holds when the reproduced value, rounded half away from zero to the published decimals, equals "
    "the published value; for '<0.05', when the exact p-value is below 0.05.",
    "Not evaluable: the data lack what the claim needs (for example a baseline value).",
    "Robustness: 'fragile' when the claim holds under the dataset's definitions but fails (or is not "
    "evaluable) under at least one alternative definition or reference range of the robustness chapter, "
    "named; 'robust' when it holds under every alternative that changes something its value is computed "
    "from; 'not affected by any alternative' when no alternative changes anything it is computed from (it "
    "is counted neither robust nor fragile). A claim that does not hold, or is not evaluable, is so "
    "whatever the alternatives say; those under which it would hold are named.",
    "'The publication does not decide this': under that alternative the claim's verdict depends on patient "
    "values the publication does not print (sets of values that all reproduce the published numbers disagree "
    "on it), so its fragility describes these data, not the trial.",
    "Machine-readable: claims.json at the root of this site.",
]


def footnotes(ds) -> list[str]:
    """The ledger's notes; with a dataset's own publication, the first names it and says what 'not stated' is."""
    if not ds.publication:
        return FOOTNOTES
    pub = publications.of(ds)
    first = (
        f"Published: the value as written in {pub.label} ({pub.citation}); the statement names the "
        "definitions this build used. Not stated: the publication gives no value for the claim, so it is "
        "computed and shown but neither checked nor counted."
    )
    return [first, *FOOTNOTES[1:]]


def robustness_cell(c: ClaimFinding, reconstructed: bool = False) -> str:
    """The robustness column: the class, and the alternatives that matter for it, in a reader's words;
    a fragile claim says when the publication does not decide its verdict under them."""
    labels = ", ".join(robustness.BY_ID[a].label for a in c.alternatives)
    if c.robustness is Robustness.NOT_AFFECTED:
        return PHRASES[c.robustness]
    if c.robustness is Robustness.ROBUST:
        return "robust"
    if c.robustness is Robustness.FRAGILE:
        return fragile_cell(c, reconstructed)
    return f"{c.robustness}" + (f"; would hold under {labels}" if labels else "")


def _row(c: ClaimFinding, n_patients: int, reconstructed: bool) -> dict:
    v = c.verdict
    ci = v.ci95
    return {
        "Claim": v.statement,
        "Published": v.published or "not stated",
        "Reproduced": "–" if v.value is None else shown(v),
        "n / N": f"{v.n_evaluable}/{n_patients}",
        "95% CI": "" if ci is None else f"{num(100 * ci[0], 0)}–{num(100 * ci[1], 0)}%",
        "Unit": v.claim.unit,
        "Verdict": VERDICTS[v.status],
        "Robustness": robustness_cell(c, reconstructed),
    }


def claims_ledger(ds: Dataset) -> Table:
    """The claims ledger (statement, published, reproduced, verdict), carrying ``claims.json``."""
    found = findings_of(ds)
    doc = claims_json.claims_document(ds, found)
    frame = pd.DataFrame([_row(c, len(ds.patients), ds.reconstructed) for c in found.claims]).set_index(
        "Claim"
    )
    return Table(
        frame,
        footnotes(ds),
        data=pd.DataFrame(
            [
                {
                    k: v
                    for k, v in c.items()
                    if k
                    not in (
                        "holds_under",
                        "status_under",
                        "alternatives_that_matter",
                        "determined_by_publication",
                    )
                }
                | {f"holds_under:{a}": ok for a, ok in c["holds_under"].items()}
                | {f"determined_by_publication:{a}": ok for a, ok in c["determined_by_publication"].items()}
                for c in doc["claims"]
            ]
        ).set_index("id"),
        title=f"Claims ledger: {found.n_holding} of {found.n_stated} claims hold",
        files={"claims.json": claims_json.claims_json_text(doc)},
        key_column="Verdict",
    )

"""claims.json: every claim with its value, denominator, interval and robustness, for machines.

Schema: the data contract's "Claims" section, extended with ``alternatives``
(the robustness ledger's choices) and, per claim, ``holds_under`` (alternative
id -> true/false), ``status_under`` (the status under each) and ``robustness``
("robust" or "fragile").
"""

from __future__ import annotations

import json
from pathlib import Path

from . import claims, robustness


def claims_document(ds, results: list[dict] | None = None) -> dict:
    """The claims.json document."""
    results = claims.evaluate(ds) if results is None else results
    under = robustness.holds_under(ds)
    rows = []
    for row in results:
        statuses = under[row["id"]]
        fragile = robustness.fragile_to(statuses)
        rows.append(
            {
                **row,
                "holds_under": {a: s == "holds" for a, s in statuses.items()},
                "status_under": statuses,
                "robustness": "fragile" if fragile else "robust",
            }
        )
    return {
        "dataset": {
            "name": ds.name,
            "provenance": ds.provenance,
            "license": ds.license,
            "sha256": ds.sha256(),
        },
        "source": claims.CITATION,
        "alternatives": robustness.alternatives_document(),
        "claims": rows,
    }


def claims_json_text(doc: dict) -> str:
    """Stable key order, UTF-8 characters kept, trailing newline."""
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def write_claims_json(ds, path: str | Path) -> dict:
    """Write claims.json and return the document."""
    doc = claims_document(ds)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(claims_json_text(doc), encoding="utf-8")
    return doc

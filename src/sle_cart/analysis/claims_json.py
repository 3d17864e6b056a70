"""claims.json: every claim with its value, denominator, interval and robustness, for machines.

Schema: the data contract's "Claims" section, extended with ``alternatives``
(the robustness ledger's choices) and, per claim, ``method`` (for the p-value:
"exact" or "normal approximation"), ``holds_under`` (alternative id ->
true/false), ``status_under`` (the status under each), ``robustness`` ("robust",
"fragile", "not affected", "does not hold" or "not evaluable",
:class:`.robustness.Robustness`), ``alternatives_that_matter`` (fragile: those
it fails under; otherwise those under which it would hold),
``alternatives_that_could_affect`` (those that change something its value is
computed from), ``determined_by_publication`` (alternative id -> whether the
claim's status under it follows from the published numbers alone, or depends on
unpublished patient values: :mod:`.determined`) and ``label`` (what a reader
sees instead of the id; each alternative has one too, and ``versus``, the label
beside the dataset's own value).  Ids are kept for machines.  Everything is read
from the findings.
"""

from __future__ import annotations

import json

from . import claims, publications, robustness
from .findings import Findings, findings_of


def claim_rows(found: Findings) -> list[dict]:
    """The ``claims`` list: one row per claim."""
    rows = []
    for c in found.claims:
        statuses = {a: str(s) for a, s in c.under}
        rows.append(
            claims.row(c.verdict)
            | {
                "holds_under": {a: s == "holds" for a, s in statuses.items()},
                "status_under": statuses,
                "robustness": str(c.robustness),
                "alternatives_that_matter": list(c.alternatives),
                "alternatives_that_could_affect": list(c.could_affect),
                "determined_by_publication": dict(c.determined),
            }
        )
    return rows


def claims_document(ds, found: Findings | None = None) -> dict:
    """The claims.json document."""
    found = findings_of(ds) if found is None else found
    return {
        "dataset": {
            "name": ds.name,
            "provenance": ds.provenance,
            "license": ds.license,
            "sha256": found.sha256,
        },
        "source": publications.of(ds).citation,
        "alternatives": robustness.alternatives_document(ds),
        "robustness_counts": {str(k): n for k, n in found.counts().items()},
        "claims": claim_rows(found),
    } | ({"publication": publication_document(ds)} if ds.publication else {})


def publication_document(ds) -> dict:
    """The publication a dataset brings (absent for abstract 0647, the default): how it is cited."""
    pub = publications.of(ds)
    return {
        "label": pub.label,
        "citation": pub.citation,
        "link": pub.link,
        "registration": pub.registration,
        "intervention": pub.intervention,
        "claims_stated": len(pub.claims),
    }


def claims_json_text(doc: dict) -> str:
    """Stable key order, UTF-8 characters kept, trailing newline."""
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"

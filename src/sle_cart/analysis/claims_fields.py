"""What each field of claims.json means: the one list the README and the data dictionary show.

A field is named by its path in the document: ``claims[].label`` is the ``label``
of each row of the ``claims`` list.  Mappings keyed by data (an alternative's
changed inputs, a claim's status under each alternative id) are documented as a
whole (``MAPPINGS``); :func:`paths` walks a document the same way, so a test can
check that every key a build writes is documented here.
"""

from __future__ import annotations

from sle_cart.inputs.metadata import PROVENANCES

from .claims import Status
from .robustness import Robustness

#: The robustness classes (``claims[].robustness``), each with what it means.
ROBUSTNESS_CLASSES: dict[Robustness, str] = {
    Robustness.ROBUST: "it holds under the dataset's definitions and under every alternative, "
    "and at least one alternative could have changed it",
    Robustness.FRAGILE: "it holds under the dataset's definitions, but under at least one alternative "
    "it does not hold or is not evaluable",
    Robustness.NOT_AFFECTED: "it holds, and no alternative changes anything its value is computed from "
    "(the number of patients, their sex and age, for instance)",
    Robustness.DOES_NOT_HOLD: "it does not hold under the dataset's own definitions (an alternative cannot rescue it)",
    Robustness.NOT_EVALUABLE: "it cannot be computed under the dataset's own definitions (too few values)",
    Robustness.NOT_STATED: "the publication in force gives no value for it: computed and shown, neither "
    "checked nor counted (only with a dataset's own publication.yml)",
}
#: Fields a build writes only for a dataset with its own publication.yml (absent from the bundled file).
ONLY_WITH_OWN_PUBLICATION = (
    f"robustness_counts.{Robustness.NOT_STATED}",
    "publication",
    *(
        f"publication.{k}"
        for k in ("label", "citation", "link", "registration", "intervention", "claims_stated")
    ),
)
_CLASSES = ", ".join(f'"{k}"' for k in ROBUSTNESS_CLASSES)
_STATUSES = ", ".join(f'"{s}"' for s in Status)
_PROVENANCES = ", ".join(f'"{p}"' for p in PROVENANCES)

#: Fields whose keys are data (input names, alternative ids): documented as one field.
MAPPINGS = (
    "alternatives[].changes",
    "claims[].holds_under",
    "claims[].status_under",
    "claims[].determined_by_publication",
)

#: Every field of claims.json, in document order: (path, type, meaning).
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("dataset", "object", "the dataset the claims were computed from"),
    ("dataset.name", "text", "the dataset's name (dataset.yml)"),
    ("dataset.provenance", "text", f"one of {_PROVENANCES} (dataset.yml)"),
    ("dataset.license", "text", "the dataset's license (dataset.yml)"),
    ("dataset.sha256", "text", "SHA-256 of the dataset's files as read"),
    ("source", "text", "the publication whose numbers are checked, as a citation"),
    ("alternatives", "list", "the alternative definitions and reference ranges of the robustness ledger"),
    ("alternatives[].id", "text", "a stable identifier, for machines"),
    ("alternatives[].label", "text", 'what a reader sees, e.g. "depletion threshold 1 cell/µL"'),
    ("alternatives[].changes", "mapping", "the inputs it changes and their new values"),
    ("alternatives[].why", "text", "why the alternative is plausible"),
    (
        "alternatives[].source",
        "text",
        "its citation, or a statement that it is a sensitivity choice with no source",
    ),
    ("alternatives[].versus", "text", 'the label beside this dataset\'s own value ("… instead of …")'),
    ("robustness_counts", "object", "how many claims fall in each robustness class"),
    *(
        (
            f"robustness_counts.{k}",
            "integer",
            f'the number of claims classed "{k}"; a claim is so classed when {v}',
        )
        for k, v in ROBUSTNESS_CLASSES.items()
    ),
    (
        "publication",
        "object",
        "only with a dataset's own publication.yml: the publication it is checked against",
    ),
    ("publication.label", "text", 'how the pages name it, e.g. "Doe et al. 2026"'),
    ("publication.citation", "text", "its citation, as the pages give it"),
    ("publication.link", "text", "its DOI or address"),
    ("publication.registration", "text", "the trial registration it states"),
    ("publication.intervention", "text", "the intervention as it states it"),
    ("publication.claims_stated", "integer", "how many claims it gives a value for"),
    ("claims", "list", "one row per published number"),
    ("claims[].id", "text", "a stable identifier, for machines (CSV downloads use it too)"),
    ("claims[].label", "text", 'what a reader sees instead of the id, e.g. "B cells depleted by day 1"'),
    ("claims[].statement", "text", "the claim in words, with the definitions in force"),
    ("claims[].unit", "text", "the unit of published and reproduced"),
    ("claims[].published", "number or text", 'the value as the publication prints it ("<0.05" stays text)'),
    (
        "claims[].reproduced",
        "number or null",
        "the value computed from the dataset, to the published decimals",
    ),
    ("claims[].n_evaluable", "integer", "patients with the data the claim needs"),
    ("claims[].method", "text", 'for a p-value only: "exact" or "normal approximation"'),
    ("claims[].denominator", "integer", "for a count or a proportion: the patients it is out of"),
    (
        "claims[].ci95",
        "list of 2 numbers",
        "for a count of patients or a proportion: the exact (Clopper–Pearson) 95% interval of the proportion",
    ),
    ("claims[].holds", "true/false", "whether the reproduced value matches the published one"),
    ("claims[].status", "text", f"the verdict under the dataset's own definitions: {_STATUSES}"),
    ("claims[].chapter", "text", "the chapter that shows the number"),
    ("claims[].holds_under", "mapping", "alternative id → whether the claim holds under it"),
    ("claims[].status_under", "mapping", "alternative id → the verdict under it"),
    (
        "claims[].robustness",
        "text",
        f"its robustness class: {_CLASSES} (each defined under robustness_counts)",
    ),
    (
        "claims[].alternatives_that_matter",
        "list of ids",
        "fragile: the alternatives it fails under; does not hold or not evaluable: those it would hold under",
    ),
    (
        "claims[].alternatives_that_could_affect",
        "list of ids",
        "the alternatives that change something its value is computed from (empty: not affected)",
    ),
    (
        "claims[].determined_by_publication",
        "mapping",
        "alternative id → whether the published numbers alone decide the claim's verdict under it "
        "(false: it depends on patient values the publication does not give)",
    ),
)


def paths(doc, prefix: str = "") -> list[str]:
    """Every field path of ``doc`` (a claims.json document), in the notation of ``FIELDS``."""
    found: list[str] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            path = f"{prefix}{key}"
            found.append(path)
            if path not in MAPPINGS:
                found += paths(value, path + ".")
    elif isinstance(doc, list):
        for item in doc:
            found += paths(item, prefix[:-1] + "[].")
    return list(dict.fromkeys(found))

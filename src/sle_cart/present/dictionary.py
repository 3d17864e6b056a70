"""The data dictionary chapter: input files and columns, analyte codes, the
analysis definitions in force, and the notes made while loading the dataset.

The first two come from the validation schema itself
(``sle_cart.inputs.contract``), so the documentation cannot drift from the checks;
the fields of claims.json come from ``sle_cart.analysis.claims_fields``, which the
README's table is generated from too.
"""

from __future__ import annotations

import html
from dataclasses import fields
from typing import TYPE_CHECKING

import pandas as pd

from sle_cart.analysis import claims, claims_fields, publications
from sle_cart.inputs import contract, publication_schema
from sle_cart.inputs.definitions import Definitions
from sle_cart.inputs.errors import capped

from .summary import HTMLBlock
from .table import Table

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset


def data_dictionary(ds: Dataset) -> Table:
    """Every column of every input table, from the validation schema (the same for every dataset)."""
    return Table(
        contract.dictionary().set_index("file"),
        [
            "Tables come as CSV files or as sheets of one data.xlsx workbook (sheet names in any letter case; "
            "other sheets are ignored). CSV files may be UTF-8 (with or without a byte-order mark), UTF-16 with a "
            "byte-order mark or Windows-1252, separated by ',', ';' or tabs; ';'- and tab-separated files may use "
            "decimal commas. Column names, analyte codes, sex and event are matched ignoring letter case; each "
            "such reading is reported as a note when the dataset is loaded.",
            "Rows whose first cell starts with '#' are comments and are skipped.",
            "Extra columns are allowed, except ones that look like direct identifiers (names, record numbers, "
            "contact details, dates), which stop the build.",
        ],
    )


def publication_dictionary(ds: Dataset) -> Table:
    """The keys of publication.yml, from the schema that validates it (its claim ids: :func:`publication_claims`)."""
    rows = [{"key": k.name, "required": k.required, "rule": k.rule} for k in publication_schema.KEYS]
    in_force = publications.of(ds)
    source = "this dataset's publication.yml" if ds.publication else "abstract 0647 (no publication.yml)"
    return Table(
        pd.DataFrame(rows).set_index("key"),
        [
            "publication.yml is optional. Without it the dataset is compared with the published values of "
            "abstract 0647; with it, with the values it states, and the claims it does not state are computed "
            "and shown as not stated.",
            "Values are read as written, not as numbers: 5.0 is checked to one decimal and 188.10 to two; "
            'a p-value may be a threshold in quotes, such as "<0.05". `python -m sle_cart template` writes a '
            "starter file with every claim id commented out.",
            f"In force for this dataset: {source}, stating {len(in_force.claims)} claims.",
        ],
    )


def publication_claims(ds: Dataset) -> Table:
    """Every claim id publication.yml may state under ``claims:``, its unit and what it counts; the kind of
    value each unit takes is said once, in the notes (a table of one rule per row left no room for the claim)."""
    rows = [{"claim id": c.id, "unit": c.unit, "claim": c.says(ds.definitions)} for c in claims.CLAIMS]
    kinds = [f"{unit}: {kind.rule}" for unit, kind in publication_schema.KINDS.items()]
    return Table(
        pd.DataFrame(rows).set_index("claim id"),
        [
            "Each value is " + "; ".join(kinds) + f"; any other unit: {publication_schema.MEASURE.rule}.",
            "A claim the file does not list is computed and shown, but neither checked nor counted.",
        ],
    )


def analyte_dictionary(ds: Dataset) -> Table:
    """Analyte codes, canonical units and the alternative units converted on loading (the same for every dataset)."""
    return Table(
        contract.analyte_dictionary().set_index("analyte"),
        [
            "cells/µL may be written with the micro sign, the Greek mu or 'u'.",
            "Values in an alternative unit are converted on loading and each conversion is reported below.",
            "A censored value such as '<5' is kept as 'below 5'.",
        ],
    )


def definitions_table(ds: Dataset) -> Table:
    """The analysis definitions (thresholds and windows) in force for this dataset."""
    default = Definitions()
    rows = []
    for f in fields(Definitions):
        value, base = getattr(ds.definitions, f.name), getattr(default, f.name)
        rows.append(
            {
                "definition": f.name,
                "value": str(value),
                "source": "default" if value == base else f"dataset.yml (default {base})",
            }
        )
    return Table(
        pd.DataFrame(rows).set_index("definition"),
        [
            "Override any of these under 'definitions:' in dataset.yml; unknown names are rejected.",
            "Meaning and clinical sources: sle_cart.inputs.definitions.Definitions.",
        ],
    )


def dataset_notes(ds: Dataset) -> HTMLBlock:
    """Unit conversions and warnings made while loading this dataset, as an escaped HTML list."""
    # the warnings as validate prints them: the first of each kind, the rest counted
    items = [html.escape(n) for n in ds.notes] + [html.escape(w) for w in capped(ds.warnings)]
    if not items:
        return HTMLBlock("<p>Loading this dataset needed no unit conversion and raised no warning.</p>")
    return HTMLBlock("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")


def claims_json_dictionary(ds: Dataset) -> Table:
    """Every field of claims.json, with its type and meaning (the same for every dataset)."""
    frame = pd.DataFrame(claims_fields.FIELDS, columns=["field", "type", "meaning"]).set_index("field")
    return Table(
        frame,
        [
            "claims.json is written next to the site's pages. 'claims[].label' is a field of each row of "
            "the 'claims' list; ids are for machines, labels for readers.",
            "method, denominator and ci95 appear only on the claims they apply to.",
        ],
    )


def claims_json_markdown() -> str:
    """The claims.json fields as a Markdown table: the README's copy (a test keeps the two equal)."""
    rows = [f"| `{path}` | {kind} | {meaning} |" for path, kind, meaning in claims_fields.FIELDS]
    return "\n".join(["| field | type | meaning |", "|---|---|---|", *rows]) + "\n"

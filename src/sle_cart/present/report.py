"""What the chapters call: open the dataset, glue numbers into prose, show the ledger.

Notebooks hold no analysis; each cell calls one function from this package.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from sle_cart.analysis import claims, disease_activity, renal
from sle_cart.analysis.stats import fmt
from sle_cart.inputs import dataset

from .tables import Table


class Shown:
    """A value glued into prose: it displays as its formatted text, without quotes."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def open_dataset(data_dir: str | Path) -> dataset.Dataset:
    """Load and validate the dataset a chapter is parameterised with (validated once per content)."""
    return dataset.load_cached(data_dir)


def _published_decimals(claim_id: str) -> int:
    return claims.decimals_shown(claims.CLAIM_BY_ID[claim_id].published)


def summary_values(ds) -> dict[str, str]:
    """Every claim's reproduced value, formatted at its published decimals, plus a few extras.

    Keys are claim ids (e.g. ``age_median``); extras: ``sledai_m3_p_exact``,
    ``renal_response_pct``, ``n_renal_responders``, ``n_lupus_nephritis``,
    ``sledai_test_n``, ``bcell_threshold``, ``complement_day``, ``dataset_name`` and
    ``n_claims_holding``/``n_claims``.
    """
    results = claims.evaluate(ds)
    out = {}
    for c in results:
        v = c["reproduced"]
        out[c["id"]] = "not evaluable" if v is None else fmt(v, _published_decimals(c["id"]))
    test = disease_activity.sledai_change_test(ds)
    out["sledai_m3_p_exact"] = "not evaluable" if test["p_value"] is None else fmt(test["p_value"], 3)
    out["sledai_test_n"] = str(test["n"])
    counts = renal.response_counts(ds)
    out["n_lupus_nephritis"] = str(counts["n_lupus_nephritis"])
    out["n_renal_responders"] = str(counts["complete"] + counts["partial"])
    out["renal_response_pct"] = "–" if counts["rate"] is None else fmt(100 * counts["rate"], 0)
    out["n_claims_holding"] = str(sum(c["holds"] for c in results))
    out["n_claims"] = str(len(results))
    d = ds.definitions
    out["bcell_threshold"] = f"{d.bcell_depletion_below:g}"
    out["complement_day"] = str(d.complement_normal_by_day)
    out["dataset_name"] = ds.name
    return out


def glue_summary(ds) -> pd.DataFrame:
    """Glue every summary value (see :func:`summary_values`) for ``{glue:}`` roles; return them as a table."""
    from myst_nb import glue

    values = summary_values(ds)
    for key, text in values.items():
        glue(key, Shown(text), display=False)
    return pd.DataFrame({"value": values}).rename_axis("glue key")


def claims_ledger(ds, out_dir) -> Table:
    """The claims ledger (statement, published, reproduced, verdict); also writes ``claims.json``."""
    doc = claims.write_claims_json(ds, Path(out_dir) / "claims.json")
    mark = {"holds": "✓ holds", "does not hold": "✗ does not hold", "not evaluable": "✗ not evaluable"}
    rows = []
    for c in doc["claims"]:
        v = c["reproduced"]
        rep = "–" if v is None else (fmt(v, 4) if c["unit"] == "p" else fmt(v, _published_decimals(c["id"])))
        rows.append(
            {
                "Claim": c["statement"],
                "Published": str(c["published"]),
                "Reproduced": rep,
                "Unit": c["unit"],
                "Verdict": mark[c["status"]],
                "Claim id": c["id"],
            }
        )
    frame = pd.DataFrame(rows).set_index("Claim")
    n_ok = sum(c["holds"] for c in doc["claims"])
    t = Table(
        "claims",
        f"Claims ledger: {n_ok} of {len(rows)} claims hold",
        frame,
        [
            "Published: the value printed in the abstract (Zhao et al., ACR Convergence 2025, abstract 0647).",
            "Reproduced: computed from this dataset, shown at the published number of decimals "
            "(p-values at 4 decimals).",
            "A claim holds when the reproduced value, rounded half away from zero to the published decimals, equals "
            "the published value; for '<0.05', when the reproduced p-value is below 0.05.",
            "Not evaluable: the data lack what the claim needs (for example a baseline value).",
            "Machine-readable: claims.json at the root of this site.",
        ],
        "sle_cart.present.report.claims_ledger",
        data=pd.DataFrame(doc["claims"]).set_index("id"),
    )
    return t.publish(out_dir)


class HTMLBlock:
    """Pre-escaped HTML that a notebook displays as such."""

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:  # stable text/plain output (nbval compares it)
        return "<HTML block>"


def dataset_notes(ds) -> HTMLBlock:
    """Unit conversions and warnings made while loading this dataset, as an escaped HTML list."""
    items = [html.escape(n) for n in ds.notes] + [html.escape(str(w)) for w in ds.warnings]
    if not items:
        return HTMLBlock("<p>Loading this dataset needed no unit conversion and raised no warning.</p>")
    return HTMLBlock("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")


def data_dictionary(out_dir) -> Table:
    """Every column of every input table, from the validation schema (``sle_cart.inputs.contract.TABLES``)."""
    from sle_cart.inputs import contract

    f = contract.dictionary().set_index("file")
    return Table(
        "dictionary",
        "Input files and columns",
        f,
        [
            "Tables come as CSV files (UTF-8, a byte-order mark is fine) or as sheets of one data.xlsx workbook.",
            "Rows whose first cell starts with '#' are comments and are skipped.",
            "Extra columns are allowed, except ones that look like direct identifiers (names, record numbers, "
            "contact details, dates), which stop the build.",
        ],
        "sle_cart.present.report.data_dictionary",
    ).publish(out_dir)


def analyte_dictionary(out_dir) -> Table:
    """Analyte codes, canonical units and the alternative units converted on loading."""
    from sle_cart.inputs import contract

    f = contract.analyte_dictionary().set_index("analyte")
    return Table(
        "analytes",
        "Analyte codes",
        f,
        [
            "cells/µL may be written with the micro sign, the Greek mu or 'u'.",
            "Values in an alternative unit are converted on loading and each conversion is reported below.",
            "A censored value such as '<5' is kept as 'below 5'.",
        ],
        "sle_cart.present.report.analyte_dictionary",
    ).publish(out_dir)


def definitions_table(ds, out_dir) -> Table:
    """The analysis definitions (thresholds and windows) in force for this dataset."""
    from dataclasses import fields

    from sle_cart.inputs.definitions import Definitions

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
        "definitions",
        "Analysis definitions",
        pd.DataFrame(rows).set_index("definition"),
        [
            "Override any of these under 'definitions:' in dataset.yml; unknown names are rejected.",
            "Meaning and clinical sources: sle_cart.inputs.definitions.Definitions.",
        ],
        "sle_cart.present.report.definitions_table",
    ).publish(out_dir)

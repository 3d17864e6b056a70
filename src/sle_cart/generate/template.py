"""An empty dataset to fill in: ``python -m sle_cart template DIR``."""

from __future__ import annotations

import csv
from pathlib import Path

from sle_cart.analysis import claims, publications
from sle_cart.inputs import contract
from sle_cart.inputs.definitions import Definitions
from sle_cart.inputs.publication_schema import CLAIM_UNITS, kind_of
from sle_cart.inputs.publication_schema import FILE as PUBLICATION_FILE
from sle_cart.paths import refuse_foreign

from .common import reference_ranges_yaml

DATASET_YML = (
    """\
# Describe your dataset. Required: name, title, provenance. See the data dictionary chapter.
name: my-cohort                # lower-case letters, digits and '-' (used in output names)
title: My CAR T cohort         # shown on every page of the book
provenance: observed           # observed (real measurements), reconstructed or synthetic (both add a notice)
source: >-
  Citation of the publication these data belong to.
license:                       # optional: the data's license, e.g. CC-BY-4.0 or CC0-1.0 (shown on every page)
"""
    + reference_ranges_yaml(
        "              # your laboratory's normal ranges, in the units of measurements.csv"
    )
    + "definitions: {}                # optional overrides, e.g. {bcell_depletion_below: 5, visit_window_days: 10}\n"
)

PUBLICATION_HEAD = """\
# The publication these data should reproduce (optional). While every line is a comment, as now,
# the file states nothing and the data are compared with abstract 0647. To check your own
# publication, uncomment the citation block and "claims:", fill them in, then uncomment each claim
# the publication states and write its value exactly as printed: its decimals are the precision it
# is checked to (5.0 is checked to one decimal), and a p-value may be a threshold in quotes
# ("<0.05"). Claims left commented out are computed and shown as "not stated". The keys are
# described in the data dictionary chapter.
# citation:
#   authors: [Surname A, Surname B, Surname C]
#   title: Title of the publication
#   venue: Journal or meeting, year;volume(issue)
#   year: 2025
#   doi: 10.0000/replace-me          # or instead url: https://...
#   label: Surname et al. 2025       # optional: how pages name it
# registration: NCT00000000          # optional: the trial registration
# intervention: 1×10⁶ CAR T cells/kg # optional: the intervention as the publication states it
# claims:
"""


def publication_yml() -> str:
    """The starter publication.yml: every claim commented out, with its meaning, unit and decimals.

    Each commented value is abstract 0647's, so uncommenting a line gives a valid file.
    """
    example = publications.default()
    lines = [PUBLICATION_HEAD]
    for c in claims.CLAIMS:
        value = example.value(c.id)
        written = f'"{value}"' if value.startswith("<") else value
        lines.append(f"  # {c.says(Definitions())}. {_value_note(c.id, value)}\n  # {c.id}: {written}\n")
    return "".join(lines)


def _value_note(claim_id: str, example: str) -> str:
    """What the value of one claim is: its unit, and the decimals it is checked to."""
    unit = CLAIM_UNITS[claim_id]
    if kind_of(claim_id).whole:
        return f"Unit: {unit}; a whole number."
    n = claims.decimals_shown(example)
    shown = f"{n} decimal{'s' if n != 1 else ''}" if n else "no decimals"
    kind = "A p-value or a threshold" if unit == "p" else f"Unit: {unit}"
    return f"{kind}; checked to the decimals written (abstract 0647: {example}, {shown})."


#: One example row per table; written commented out ('#' in the first cell), so the
#: template is empty until filled.
EXAMPLES = {
    "patients": ["#P1", "F", "35", "8", "60", "6.0e7", "3", "true", "6", "1e6/kg"],
    "measurements": ["#P1", "-5", "sledai_2k", "12", "points"],
    "adverse_events": ["#P1", "CRS", "1", "2", "4"],
}


def write_template(out_dir: str | Path) -> Path:
    """Write dataset.yml, publication.yml, the three CSVs and data.xlsx (same tables as sheets) into ``out_dir``.

    Fill in either the CSVs or data.xlsx, not both. Refuses to overwrite an existing dataset.
    """
    import pandas as pd

    out = refuse_foreign(out_dir, set(), "template")  # the template never overwrites anything
    out.mkdir(parents=True, exist_ok=True)
    (out / "dataset.yml").write_text(DATASET_YML, encoding="utf-8")
    (out / PUBLICATION_FILE).write_text(publication_yml(), encoding="utf-8")
    sheets = {}
    for name, table in contract.TABLES.items():
        header = [c.name for c in table.columns]
        with open(out / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerow(EXAMPLES[name])
        sheets[name] = pd.DataFrame([EXAMPLES[name]], columns=header)
    with pd.ExcelWriter(out / "data.xlsx", engine="openpyxl") as xl:
        for name, frame in sheets.items():
            frame.to_excel(xl, sheet_name=name, index=False)
    return out

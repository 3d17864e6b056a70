"""An empty dataset to fill in: ``python -m sle_cart template DIR``."""

from __future__ import annotations

import csv
from pathlib import Path

from sle_cart.inputs import contract
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

#: One example row per table; written commented out ('#' in the first cell), so the
#: template is empty until filled.
EXAMPLES = {
    "patients": ["#P1", "F", "35", "8", "60", "6.0e7", "3", "true", "6", "1e6/kg"],
    "measurements": ["#P1", "-5", "sledai_2k", "12", "points"],
    "adverse_events": ["#P1", "CRS", "1", "2", "4"],
}


def write_template(out_dir: str | Path) -> Path:
    """Write dataset.yml, the three CSVs and data.xlsx (same tables as sheets) into ``out_dir``.

    Fill in either the CSVs or data.xlsx, not both. Refuses to overwrite an existing dataset.
    """
    import pandas as pd

    out = refuse_foreign(out_dir, set(), "template")  # the template never overwrites anything
    out.mkdir(parents=True, exist_ok=True)
    (out / "dataset.yml").write_text(DATASET_YML, encoding="utf-8")
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

"""A synthetic cohort that brings its own publication.yml: 12 stated claims (issue 20).

The session's shared synthetic site (``conftest.synthetic_build``) is built from it, so the
publication's views, the identifier scan and the byte-identity of builds all read one build.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sle_cart.generate.synth import write_synthetic

PUBLICATION = """\
citation:
  authors: [Doe J, Roe R, Poe P, Moe M]
  title: CD19 CAR T cells in six patients with refractory lupus
  venue: Lupus Sci Med. 2026;13(1)
  year: 2026
  doi: 10.1136/lupus-2026-000001
registration: NCT09999999
intervention: 1×10⁶ CAR T cells/kg after fludarabine and cyclophosphamide
claims:
  n_patients: 6
  n_female: 3
  age_median: 37
  age_min: 19
  n_sledai_baseline_ge_10: 6
  follow_up_median: 5.5
  car_t_peak_median: 188.1
  car_t_peak_day_min: 7
  sledai_baseline_min: 10
  sledai_m3_p_value: "<0.05"
  n_crs_grade1: 4
  n_icans: 0
"""


def cohort_with_publication(folder: Path) -> Path:
    """Synthetic cohort (6 patients, seed 3) without follow-up, and the publication above."""
    data = write_synthetic(folder, n_patients=6, seed=3)
    path = data / "patients.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for r in rows:
        r["follow_up_months"] = ""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    (data / "publication.yml").write_text(PUBLICATION, encoding="utf-8")
    return data

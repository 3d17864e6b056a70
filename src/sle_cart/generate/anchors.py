"""Per-patient anchors of the reconstruction, chosen by hand to match abstract 0647.

Every value here is pinned by a published statistic (median, range or count) or by
the trial registry (NCT06513429); :mod:`sle_cart.generate.reconstruct` fills in the
kinetics between them.  Changing one can break a claim, which ``reconstruct`` checks
before writing anything.
"""

from __future__ import annotations

#: The registry's two dose cohorts (NCT06513429): patients 1-3 per kg, patients 4-6 a flat dose.
DOSE_GROUPS = ("1e6/kg", "1e8 flat")
LLOQ_CAR_T = 0.5  # cells/µL, flow cytometry limit written as "<0.5"
LLOQ_B = 1.0  # cells/µL, written as "<1"

#: Patient anchors.  peak = (day, CAR+ T cells/µL).  sledai = descriptors at
#: baseline (day -5), month 1 (day 30) and month 3 (day 90).
PATIENTS = [
    dict(
        id="P1",
        sex="F",
        age=28,
        duration=6,
        weight=52.0,
        lines=3,
        fu=7,
        peak=(8, 226.0),
        crs=(1, 1, 3),
        sledai=(
            ["proteinuria", "low_complement", "increased_dna_binding", "alopecia", "rash"],
            ["proteinuria", "alopecia"],
            ["alopecia"],
        ),
        urine={-5: 2.80, 30: 0.90, 60: 0.60, 90: 0.42, "last": 0.28},
        dsdna={-5: 86.0, 14: 21.0, 30: 6.2, 60: 5.0, 90: 4.1, "last": 3.5},
        c3={-5: 0.52, 14: 0.78, 30: 0.95, 60: 1.05, 90: 1.10, "last": 1.12},
        c4={-5: 0.07, 14: 0.12, 30: 0.18, 60: 0.21, 90: 0.22, "last": 0.24},
        b={-5: 142.0, 1: 2.1, 4: "<1", "reconstitution": [6.5, 22.0, 48.0, 75.0]},
    ),
    dict(
        id="P2",
        sex="M",
        age=19,
        duration=3,
        weight=68.0,
        lines=2,
        fu=6,
        peak=(7, 96.3),
        crs=None,
        sledai=(
            ["proteinuria", "low_complement", "increased_dna_binding", "rash"],
            ["increased_dna_binding", "rash"],
            ["increased_dna_binding", "rash"],
        ),
        urine={-5: 1.60, 30: 0.45, 60: 0.38, 90: 0.31, "last": 0.22},
        dsdna={-5: 45.0, 14: 30.0, 30: 22.0, 60: 18.0, 90: 15.0, "last": 12.0},
        c3={-5: 0.61, 14: 0.85, 30: 0.98, 60: 1.02, 90: 1.08, "last": 1.10},
        c4={-5: 0.09, 14: 0.15, 30: 0.19, 60: 0.20, 90: 0.22, "last": 0.23},
        b={-5: 88.0, 1: "<1", 4: "<1", "reconstitution": [3.2, 15.0, 36.0]},
    ),
    dict(
        id="P3",
        sex="F",
        age=41,
        duration=10,
        weight=58.0,
        lines=4,
        fu=5,
        peak=(9, 150.2),
        crs=(1, 2, 4),
        sledai=(
            ["proteinuria", "low_complement", "increased_dna_binding", "arthritis", "haematuria"],
            ["proteinuria", "leukopenia"],
            ["proteinuria"],
        ),
        urine={-5: 4.20, 30: 2.60, 60: 1.90, 90: 1.50, "last": 1.30},
        dsdna={-5: 120.0, 14: 35.0, 30: 7.5, 60: 6.0, 90: 5.0, "last": 4.0},
        c3={-5: 0.45, 14: 0.80, 30: 0.92, 60: 0.98, 90: 1.01, "last": 1.04},
        c4={-5: 0.05, 14: 0.13, 30: 0.17, 60: 0.18, 90: 0.19, "last": 0.20},
        b={-5: 210.0, 1: 3.4, 4: "<1", "reconstitution": ["<1", 9.8]},
    ),
    dict(
        id="P4",
        sex="M",
        age=43,
        duration=14,
        weight=75.0,
        lines=2,
        fu=6,
        peak=(11, 512.8),
        crs=(1, 1, 5),
        sledai=(
            [
                "proteinuria",
                "low_complement",
                "increased_dna_binding",
                "arthritis",
                "haematuria",
                "vasculitis",
            ],
            ["proteinuria", "haematuria", "increased_dna_binding", "low_complement", "leukopenia"],
            ["proteinuria", "increased_dna_binding"],
        ),
        urine={-5: 3.50, 30: 3.10, 60: 2.80, 90: 2.60, "last": 2.40},
        dsdna={-5: 310.0, 14: 160.0, 30: 96.0, 60: 61.0, 90: 48.0, "last": 35.0},
        c3={-5: 0.38, 14: 0.62, 30: 0.81, 60: 0.96, 90: 1.02, "last": 1.05},
        c4={-5: 0.04, 14: 0.08, 30: 0.13, 60: 0.17, 90: 0.19, "last": 0.20},
        b={-5: 64.0, 1: "<1", 4: "<1", "reconstitution": [2.0, 11.0, 28.0]},
    ),
    dict(
        id="P5",
        sex="F",
        age=35,
        duration=9,
        weight=49.0,
        lines=3,
        fu=4,
        peak=(8, 42.7),
        crs=None,
        sledai=(
            ["proteinuria", "low_complement", "increased_dna_binding", "mucosal_ulcers"],
            ["proteinuria"],
            ["proteinuria", "mucosal_ulcers"],
        ),
        urine={-5: 1.20, 30: 1.00, 60: 0.98, 90: 0.95, "last": 0.90},
        dsdna={-5: 38.0, 14: 15.0, 30: 7.0, 60: 6.0, 90: 5.1, "last": 3.0},
        c3={-5: 0.70, 14: 0.88, 30: 0.99, 60: 1.04, 90: 1.06, "last": 1.08},
        c4={-5: 0.11, 14: 0.15, 30: 0.20, 60: 0.21, 90: 0.22, "last": 0.22},
        b={-5: 175.0, 1: 1.8, 4: "<1", "reconstitution": [4.1]},
    ),
    dict(
        id="P6",
        sex="M",
        age=39,
        duration=12,
        weight=61.0,
        lines=5,
        fu=5,
        peak=(10, 310.5),
        crs=(1, 3, 4),
        sledai=(
            ["proteinuria", "low_complement", "increased_dna_binding", "haematuria"],
            ["proteinuria", "increased_dna_binding", "low_complement"],
            ["proteinuria", "haematuria", "increased_dna_binding"],
        ),
        urine={-5: 5.10, 30: 4.40, 60: 4.10, 90: 3.90, "last": 3.60},
        dsdna={-5: 150.0, 14: 90.0, 30: 60.0, 60: 50.0, 90: 42.0, "last": 30.0},
        c3={-5: 0.48, 14: 0.66, 30: 0.84, 60: 0.93, 90: 0.97, "last": 0.99},
        c4={-5: 0.06, 14: 0.10, 30: 0.14, 60: 0.18, 90: 0.20, "last": 0.21},
        b={-5: 118.0, 1: 12.4, 4: 1.5, "reconstitution": ["<1", 7.7]},
    ),
]

#: The bundled study's sampling days; synth reuses them so its cohorts look like the trial's.
CAR_T_DAYS = [0, 1, 4, 7, 8, 9, 10, 11, 14, 21, 28, 60, 90]
B_EARLY_DAYS = [7, 14, 28, 60, 90]
SLEDAI_DAYS = (-5, 30, 90)

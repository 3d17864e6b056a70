"""The patient counts the tables show with an interval: k of n and the exact 95 % interval, computed
once per dataset with its findings, so no table computes a count or an interval for itself.

The claims hold their own counts and intervals (``Verdict.ci95``); these are the tables' rows,
which include counts no claim states (Table 1's women, a B-cell depletion day the dataset defines,
anti-dsDNA conversion, complement low at baseline, each renal category, each worst grade).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from . import renal
from .uncertainty import clopper_pearson

if TYPE_CHECKING:
    from .outcomes import Analyses


def flagged(flags: pd.Series) -> tuple[int | None, int]:
    """(patients flagged True, patients whose flag is decided); NA is undecided (not evaluable), and
    with nobody decided the count is None."""
    decided = flags.dropna()
    return (int(decided.astype(bool).sum()) if len(decided) else None), len(decided)


@dataclass(frozen=True)
class Proportion:
    """``k`` of ``n`` patients with its Clopper–Pearson 95 % interval; ``k`` and ``ci95`` are None
    when nobody is evaluable (``n`` is 0)."""

    k: int | None
    n: int
    ci95: tuple[float, float] | None

    @classmethod
    def of(cls, k: int | None, n: int) -> Proportion:
        if k is None or not n:
            return cls(None, n, None)
        return cls(int(k), int(n), clopper_pearson(int(k), int(n)))

    @classmethod
    def of_flags(cls, flags: pd.Series) -> Proportion:
        """The patients flagged True among those whose flag is decided (:func:`flagged`)."""
        return cls.of(*flagged(flags))


#: The safety table's rows: worst counted grade per patient.
SAFETY_ROWS = ("crs_grade1", "crs_grade2_plus", "icans")


def tabulate(a: Analyses) -> dict[str, Proportion]:
    """Every count a table shows with an interval, by what it counts (names as in the analyses' frames)."""
    b, d = a.baseline, a.definitions
    out = {
        "female": Proportion.of(int((b["sex"] == "F").sum()), len(b)),
        "lupus_nephritis": Proportion.of_flags(b["lupus_nephritis"].astype("boolean")),
        "dsdna_converted_negative": Proportion.of_flags(a.dsdna["converted_negative"]),
        "complement_low_at_baseline": Proportion.of_flags(a.complement["low_at_baseline"]),
        "complement_normal": Proportion.of_flags(a.complement[f"normal_by_day{d.complement_normal_by_day}"]),
    }
    for day in d.bcell_depletion_days:
        out[f"depleted_by_day{day}"] = Proportion.of_flags(a.depletion[f"depleted_by_day{day}"])
    evaluable = a.renal_counts["evaluable"]
    for category in renal.CATEGORIES:
        out[f"renal_{category}"] = Proportion.of(a.renal_counts[category], evaluable)
    for key in SAFETY_ROWS:
        out[key] = Proportion.of(a.safety[key], a.safety["n_patients"])
    return out

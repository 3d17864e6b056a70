"""SLEDAI-2K over time (Fig. 2a) and the exact Wilcoxon signed-rank tests of its change."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from .exact import Obs, exact, median
from .uncertainty import ShiftEstimate, hodges_lehmann
from .visits import baseline, month_visit
from .wilcoxon import EXACT, signed_rank

VISITS = ("baseline", "month1", "month3")


def sledai_visits(ds) -> pd.DataFrame:
    """SLEDAI-2K (points) per patient at baseline, month 1 and month 3, with each visit's day and censoring."""
    d = ds.definitions
    s = ds.series("sledai_2k")
    out = pd.DataFrame(index=pd.Index(ds.patients["patient_id"], name="patient_id"))
    for label, rows in zip(
        VISITS, (baseline(s), month_visit(s, 1, d.visit_window_days), month_visit(s, 3, d.visit_window_days))
    ):
        out[label] = rows["value"].reindex(out.index).astype("Float64")
        out[f"{label}_day"] = rows["day"].reindex(out.index).astype("Int64")
        out[f"{label}_censored"] = rows["censored"].reindex(out.index).fillna(False).astype(bool)
        out[f"{label}_exact"] = rows["value_exact"].reindex(out.index)  # the decimal as written
    return out


@dataclass(frozen=True)
class ChangeTest:
    """Baseline vs month-``month`` SLEDAI-2K: the pairs compared, the signed-rank test and the shift.

    ``changes`` are month − baseline over the pairs with a quantified score at
    both visits; a pair with a censored score ("<4") is left out (its change is
    not a number) and counted in ``n_censored``; a patient without one of the
    two visits is counted in ``n_no_visit``.  ``n`` is the test's n (non-zero
    changes).  ``shift`` is the Hodges–Lehmann estimate of the change with its
    interval at an attainable level; ``median_change`` the plain median of the
    changes (Table 4 shows both, labelled).
    """

    month: int
    n_patients: int
    n_no_visit: int
    n_censored: int
    changes: tuple[Fraction, ...]
    n: int
    n_zero: int
    statistic: Fraction | None  # W+
    p: Fraction | float | None
    method: str
    exact: bool
    minimum_p: Fraction | None
    shift: ShiftEstimate
    median_change: Fraction | None

    @property
    def n_pairs(self) -> int:
        return len(self.changes)

    @property
    def method_label(self) -> str:
        """'exact' or 'normal approximation', as claims.json and the ledger state it."""
        return "exact" if self.exact else "normal approximation"


def change_test(visits: pd.DataFrame, month: int) -> ChangeTest:
    """The two-sided Wilcoxon signed-rank test and Hodges–Lehmann shift of month − baseline SLEDAI-2K."""
    label = f"month{month}"
    both = visits.dropna(subset=["baseline", label])
    quantified = both[~both["baseline_censored"] & ~both[f"{label}_censored"]]
    changes = tuple(
        exact(b) - exact(a) for a, b in zip(quantified["baseline_exact"], quantified[f"{label}_exact"])
    )
    t = signed_rank([-c for c in changes])  # W+ counts the ranks of the falls (baseline − month > 0)
    return ChangeTest(
        month=month,
        n_patients=len(visits),
        n_no_visit=len(visits) - len(both),
        n_censored=len(both) - len(quantified),
        changes=changes,
        n=t.n,
        n_zero=t.n_zero,
        statistic=t.w_plus,
        p=t.p_value,
        method=t.method,
        exact=t.method == EXACT,
        minimum_p=t.minimum_p,
        shift=hodges_lehmann(list(changes)),
        median_change=median([Obs(c) for c in changes]) if changes else None,
    )

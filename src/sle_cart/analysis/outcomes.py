"""Every analysis of one dataset under one set of definitions, computed once, and the claim outcome type.

:func:`analyse` runs each analysis of the book once and keeps its result in an
:class:`Analyses` (the frames of Table 1, Figures 1 and 2, the SLEDAI-2K tests,
renal, serology and safety).  Claims, tables, figures and prose all read these
results; none calls an analysis function again.

Each claim reduces to an :class:`Outcome`: the exact value, the number of
patients (or, for the p-value, non-zero pairs) it rests on, and for counts and
proportions the denominator (the evaluable patients).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from sle_cart.paths import record_evaluation

from . import cohort, disease_activity, kinetics, renal, safety, serology
from .disease_activity import ChangeTest
from .exact import Obs, maximum, median, minimum, observations
from .proportions import Proportion, flagged, tabulate
from .visits import decide_at_least

#: Days the abstract reports B-cell depletion by (claims n_bcell_depleted_by_day1 and _day4).
CLAIM_DEPLETION_DAYS = (1, 4)
#: SLEDAI-2K entry criterion of the trial (abstract 0647; NCT06513429): active disease.
SLEDAI_ENTRY = 10


@dataclass(frozen=True)
class Outcome:
    """A claim's value (exact; None = not evaluable), n evaluable, and denominator for counts."""

    value: Fraction | int | None
    n_evaluable: int
    denominator: int | None = None


@dataclass(frozen=True)
class Analyses:
    """The results of every analysis of one dataset under one set of definitions.

    Frames are indexed by patient id.  ``label`` names the definition set
    ("as defined" or an alternative's id).
    """

    label: str
    definitions: object
    patients: pd.DataFrame
    baseline: pd.DataFrame  # Table 1: patients' columns, dose per kg and baseline labs
    follow_up: pd.Series
    dose_levels: tuple  # of cohort.DoseLevel: the summary's dose levels
    kinetics: pd.DataFrame  # Figure 1a, Table 2
    depletion: pd.DataFrame  # Figure 1b, Table 3: depleted by the definitions' days and the claims' days
    sledai: pd.DataFrame  # Figure 2a, Table 4
    tests: dict[int, ChangeTest]  # month -> baseline vs month SLEDAI-2K test
    renal: pd.DataFrame  # Figure 2b, Table 5: per patient with lupus nephritis
    renal_counts: dict
    dsdna: pd.DataFrame  # Figure 2c
    complement: pd.DataFrame  # Figure 2d
    adverse_events: pd.DataFrame  # Figure S1, Table 7
    worst_grades: pd.DataFrame
    safety: dict

    def test(self, month: int) -> ChangeTest:
        return self.tests[month]

    @functools.cached_property
    def proportions(self) -> dict[str, Proportion]:
        """Every count a table shows with an interval (:func:`.proportions.tabulate`): made when first
        asked for, which for the dataset's own definitions is in the build, before the findings are
        handed to the chapters (so they travel with them); the alternatives never need them."""
        return tabulate(self)


def _depletion(ds) -> dict:
    days = tuple(sorted({*ds.definitions.bcell_depletion_days, *CLAIM_DEPLETION_DAYS}))
    return {"depletion": kinetics.bcell_depletion(ds, days=days)}


def _sledai(ds) -> dict:
    visits = disease_activity.sledai_visits(ds)
    return {"sledai": visits, "tests": {m: disease_activity.change_test(visits, m) for m in (1, 3)}}


def _renal(ds) -> dict:
    response = renal.renal_response(ds)
    return {"renal": response, "renal_counts": renal.count_responses(response)}


def _safety(ds) -> dict:
    return {
        "adverse_events": safety.adverse_events(ds),
        "worst_grades": safety.worst_grades(ds),
        "safety": safety.safety_counts(ds),
    }


@dataclass(frozen=True)
class Group:
    """Analyses computed together: what they read of the definitions, and what they fill."""

    inputs: tuple[str, ...]  # definition names, or reference_ranges.<analyte>
    fields: tuple[str, ...]  # of Analyses
    compute: Callable[..., dict]


#: Every analysis, by what it reads.  An alternative that changes none of a group's inputs reuses
#: the group's results from the dataset's own analyses (a test checks each reuse against a full run).
GROUPS = (
    Group((), ("baseline", "follow_up", "dose_levels"), lambda ds: {"baseline": cohort.baseline_values(ds), "follow_up": cohort.follow_up(ds), "dose_levels": cohort.dose_levels(ds)}),
    Group(("kinetics_window_days", "auc_window_days"), ("kinetics",), lambda ds: {"kinetics": kinetics.car_t_kinetics(ds)}),
    Group(("bcell_depletion_below", "bcell_depletion_days"), ("depletion",), _depletion),
    Group(("visit_window_days",), ("sledai", "tests"), _sledai),
    Group(("renal_complete_below_g24h", "renal_partial_below_g24h", "renal_partial_min_reduction"), ("renal", "renal_counts"), _renal),
    Group(("reference_ranges.anti_dsdna",), ("dsdna",), lambda ds: {"dsdna": serology.dsdna_conversion(ds)}),
    Group(("complement_normal_by_day", "reference_ranges.c3", "reference_ranges.c4"), ("complement",), lambda ds: {"complement": serology.complement_normalisation(ds)}),
    Group(("safety_window_days",), ("adverse_events", "worst_grades", "safety"), _safety),
)  # fmt: skip


def analyse(
    ds, label: str = "as defined", *, base: Analyses | None = None, changed: tuple[str, ...] = ()
) -> Analyses:
    """Run every analysis once for ``ds`` under its definitions (``label`` names them).

    With ``base`` (the analyses of the same data under other definitions) and
    ``changed`` (the definition keys that differ), a group none of whose inputs
    changed is taken from ``base`` instead of being computed again.
    """
    record_evaluation(label)
    fields = {"label": label, "definitions": ds.definitions, "patients": ds.patients}
    for g in GROUPS:
        fresh = base is None or touches(changed, g.inputs)
        fields |= g.compute(ds) if fresh else {f: getattr(base, f) for f in g.fields}
    return Analyses(**fields)


def touches(changed: tuple[str, ...], inputs: tuple[str, ...]) -> bool:
    """Whether changing the keys ``changed`` changes one of ``inputs`` (``reference_ranges.c3.lower``
    changes the input ``reference_ranges.c3``): the one rule for reuse and for what could affect a claim."""
    return any(k == i or k.startswith(i + ".") for k in changed for i in inputs)


STATS = {"median": median, "min": minimum, "max": maximum}


def statistic(obs: list[Obs], which: str) -> Outcome:
    """Median, minimum or maximum of observations (censoring-aware), resting on all of them."""
    return Outcome(STATS[which](obs), len(obs))


def column_stat(values: pd.Series, which: str, censored: pd.Series | None = None) -> Outcome:
    return statistic(observations(values, censored), which)


def count(flags: pd.Series) -> Outcome:
    """Patients flagged True among those with a decided flag (NA = not evaluable)."""
    k, n = flagged(flags)
    return Outcome(k, n, n)


def car_t_peak(r: Analyses, which: str) -> Outcome:
    """Peak CAR T: quantified peaks, with non-expanders ranked below every one of them."""
    kin = r.kinetics
    sampled = kin[kin["expander"].notna()]
    obs = [
        Obs(Fraction(0), True) if not e else Obs(Fraction(v))  # exact decimal text: no float rounds it
        for e, v in zip(sampled["expander"], sampled["cmax_exact"])
    ]
    return statistic(obs, which)


def sledai(r: Analyses, visit: str, which: str) -> Outcome:
    sl = r.sledai
    return column_stat(sl[f"{visit}_exact"].where(sl[visit].notna()), which, sl[f"{visit}_censored"])


def sledai_at_entry(r: Analyses) -> Outcome:
    sl = r.sledai.dropna(subset=["baseline"])
    return count(decide_at_least(sl["baseline"].astype(float), sl["baseline_censored"], SLEDAI_ENTRY))


def prior_lines(r: Analyses) -> Outcome:
    lines = r.patients["prior_therapy_lines"].dropna()
    return count((lines >= 2).astype("boolean"))


def sex(r: Analyses, code: str | None) -> Outcome:
    """Patients of one sex (None: all patients), out of all patients."""
    n = len(r.patients)
    return Outcome(n if code is None else int((r.patients["sex"] == code).sum()), n, n)


def renal_count(r: Analyses, category: str) -> Outcome:
    c = r.renal_counts
    n = c["evaluable"]
    return Outcome(c[category] if n else None, n, n)


def renal_rate(r: Analyses) -> Outcome:
    c = r.renal_counts
    n = c["evaluable"]
    return Outcome(Fraction(c["complete"] + c["partial"], n) if n else None, n, n)


def complement(r: Analyses) -> Outcome:
    return count(r.complement[f"normal_by_day{r.definitions.complement_normal_by_day}"])


def safety_count(r: Analyses, key: str) -> Outcome:
    n = r.safety["n_patients"]
    return Outcome(r.safety[key], n, n)


def p_value(r: Analyses) -> Outcome:
    t = r.test(3)
    return Outcome(t.p, t.n)

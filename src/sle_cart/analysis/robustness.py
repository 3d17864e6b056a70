"""How much each claim leans on choices the abstract does not state.

Each alternative changes one definition or one laboratory reference range.  Its
source is a citation where one exists (``shared/reference/clinical-definitions.md``);
the others are sensitivity choices with no published source, and say so.  Every
claim is re-evaluated under each, directly from the data (no chapter re-runs).

Which alternatives *could* affect a claim is read from the computation, not
from a list: :func:`reads` records which analyses a claim's value is computed
from, and an alternative can affect it only if it changes an input of one of
them (``outcomes.GROUPS``, the same rule by which ``analyse`` reuses a
group).  A claim no alternative could affect is *not affected*; among the
others, one that holds under every alternative is *robust*, and one that does
not is *fragile* to the alternatives under which it does not hold.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from enum import StrEnum

from .claims import Claim, Status
from .outcomes import GROUPS, touches

#: What the source column says of an alternative that no publication gives.
NO_SOURCE = "none: a sensitivity choice with no published source"


@dataclass(frozen=True)
class Alternative:
    """One changed choice: a definition (``definitions.<name>``) or a reference limit.

    ``label`` is what a reader sees; ``was`` formats the dataset's own value of the
    same choice ("{} cells/µL"), for "… instead of 5 cells/µL"; ``source`` is a
    citation, or "" when the choice is a sensitivity analysis no publication gives.
    """

    id: str
    label: str
    changes: dict[str, float]
    why: str
    was: str
    source: str = ""

    @property
    def cited(self) -> str:
        """The source as a reader sees it: the citation, or that there is none."""
        return self.source or NO_SOURCE

    def versus(self, ds) -> str:
        """'depletion threshold 1 cell/µL instead of 5 cells/µL': the label beside the dataset's own value."""
        (key,) = self.changes
        own = current(ds, key)
        if own is None:
            return f"{self.label} (the dataset sets none)"
        if float(own) == float(self.changes[key]):
            return f"{self.label} (the dataset's own value)"
        return f"{self.label} instead of {self.was.format(float(own))}"


ALTERNATIVES: tuple[Alternative, ...] = (
    Alternative(
        "visit_window_7",
        "visit window ±7 days",
        {"visit_window_days": 7},
        "a tighter protocol visit window (the abstract and the trial registry state none)",
        "±{:g} days",
    ),
    Alternative(
        "visit_window_14",
        "visit window ±14 days",
        {"visit_window_days": 14},
        "a looser protocol visit window (the abstract and the trial registry state none)",
        "±{:g} days",
    ),
    Alternative(
        "bcell_below_1",
        "depletion threshold 1 cell/µL",
        {"bcell_depletion_below": 1},
        "a stricter reading of B-cell aplasia than the abstract's < 5 cells/µL",
        "{:g} cells/µL",
    ),
    Alternative(
        "bcell_below_10",
        "depletion threshold 10 cells/µL",
        {"bcell_depletion_below": 10},
        "a more lenient B-cell depletion threshold than the abstract's < 5 cells/µL",
        "{:g} cells/µL",
    ),
    Alternative(
        "renal_complete_below_0.7",
        "complete renal response below 0.7 g/24h",
        {"renal_complete_below_g24h": 0.7},
        "the upper end of the complete-response proteinuria target",
        "{:g} g/24h",
        "EULAR/ERA-EDTA 2019 recommendations (Fanouriakis A, et al. Ann Rheum Dis 2020;79:713): complete "
        "response < 0.5–0.7 g/24h",
    ),
    Alternative(
        "dsdna_upper_15",
        "anti-dsDNA upper limit 15 IU/mL",
        {"reference_ranges.anti_dsdna.upper": 15},
        "an upper limit of normal used by older Farr radioimmunoassays (reference ranges are laboratory-specific)",
        "{:g} IU/mL",
    ),
    Alternative(
        "c3_lower_0.82",
        "C3 lower limit 0.82 g/L",
        {"reference_ranges.c3.lower": 0.82},
        "another laboratory's C3 range, 0.82–1.93 g/L (reference ranges are laboratory-specific)",
        "{:g} g/L",
    ),
    Alternative(
        "c4_lower_0.15",
        "C4 lower limit 0.15 g/L",
        {"reference_ranges.c4.lower": 0.15},
        "another laboratory's C4 range, 0.15–0.57 g/L (reference ranges are laboratory-specific)",
        "{:g} g/L",
    ),
)


def current(ds, key: str):
    """The dataset's own value of a changeable choice (None when it sets none, e.g. no reference limit)."""
    if key.startswith("reference_ranges."):
        _, analyte, limit = key.split(".")
        return (ds.reference_ranges.get(analyte) or {}).get(limit)
    return getattr(ds.definitions, key)


def apply(ds, alt: Alternative):
    """A copy of the dataset with the alternative's changes (the data themselves are shared, not copied)."""
    definitions, ranges = ds.definitions, copy.deepcopy(ds.reference_ranges)
    for key, value in alt.changes.items():
        if key.startswith("reference_ranges."):
            _, analyte, limit = key.split(".")
            ranges.setdefault(analyte, {})[limit] = value
        else:
            default = getattr(definitions, key)
            definitions = replace(definitions, **{key: type(default)(value)})
    return replace(ds, definitions=definitions, reference_ranges=ranges)


class Robustness(StrEnum):
    """How a claim fares under the alternatives: the one meaning every view uses.

    * robust: holds under the dataset's definitions and under every alternative,
      and at least one alternative could have changed it;
    * fragile: holds under the dataset's definitions, and under at least one
      alternative it does not hold or is not evaluable;
    * not affected: holds, and no alternative changes anything its value is
      computed from (the cohort's size, sex and age, for instance);
    * does not hold / not evaluable: its status under the dataset's own
      definitions, whatever the alternatives say (an alternative cannot rescue it).
    """

    ROBUST = "robust"
    FRAGILE = "fragile"
    NOT_AFFECTED = "not affected"
    DOES_NOT_HOLD = "does not hold"
    NOT_EVALUABLE = "not evaluable"
    NOT_STATED = "not stated"  # the publication in force gives no value: nothing to be robust about


def classify(
    status: Status, under: dict[str, Status], could_affect: tuple[str, ...] | None = None
) -> tuple[Robustness, tuple[str, ...]]:
    """The claim's robustness and the alternatives that matter for it.

    For a claim that holds: the alternatives under which it does not (empty:
    robust, or not affected when ``could_affect`` is empty).  For one that does
    not hold or is not evaluable: the alternatives under which it would hold.
    ``could_affect`` None: every alternative could.
    """
    if status is Status.NOT_STATED:
        return Robustness.NOT_STATED, ()
    if status is Status.HOLDS:
        against = tuple(a for a, s in under.items() if s is not Status.HOLDS)
        if against:  # what happened outranks what could: a claim seen to fail is fragile
            return Robustness.FRAGILE, against
        return (Robustness.NOT_AFFECTED if could_affect == () else Robustness.ROBUST), ()
    rescued = tuple(a for a, s in under.items() if s is Status.HOLDS)
    return (Robustness.DOES_NOT_HOLD if status is Status.FAILS else Robustness.NOT_EVALUABLE), rescued


class _Reads:
    """Stands in for an ``Analyses`` (or its definitions) and records what is read of it."""

    def __init__(self, real, seen: set[str], prefix: str = ""):
        self._real, self._seen, self._prefix = real, seen, prefix

    def __getattr__(self, name: str):
        self._seen.add(self._prefix + name)
        value = getattr(self._real, name)
        if name == "definitions":
            return _Reads(value, self._seen, "definitions.")
        if name == "test":  # a method of Analyses: what it reads is the tests
            self._seen.add("tests")
        return value


def reads(claim: Claim, analyses) -> set[str]:
    """What ``claim``'s value is computed from: fields of ``Analyses`` and ``definitions.<name>``."""
    seen: set[str] = set()
    claim.compute(_Reads(analyses, seen))
    return seen


def inputs_of(fields: set[str]) -> tuple[str, ...]:
    """The changeable inputs (definition names, ``reference_ranges.<analyte>``) behind what a claim reads."""
    out = [i for g in GROUPS if set(g.fields) & fields for i in g.inputs]
    out += [f.removeprefix("definitions.") for f in fields if f.startswith("definitions.")]
    return tuple(dict.fromkeys(out))


def could_affect(claim: Claim, analyses) -> tuple[str, ...]:
    """The alternatives that change an input of what ``claim`` is computed from, in ALTERNATIVES order."""
    inputs = inputs_of(reads(claim, analyses))
    return tuple(a.id for a in ALTERNATIVES if touches(tuple(a.changes), inputs))


BY_ID = {a.id: a for a in ALTERNATIVES}


def alternatives_document(ds=None) -> list[dict]:
    """The ``alternatives`` list of claims.json (``versus``: the label beside the dataset's own value)."""
    return [
        {"id": a.id, "label": a.label, "changes": a.changes, "why": a.why, "source": a.cited}
        | ({"versus": a.versus(ds)} if ds is not None else {})
        for a in ALTERNATIVES
    ]

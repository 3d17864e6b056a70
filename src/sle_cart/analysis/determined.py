"""Which claims' verdicts the publication decides by itself, under each alternative definition.

The question, per claim and alternative: would *every* set of patient values
that reproduces the abstract's printed numbers give this claim the same status
under the alternative?  If so, the published numbers determine it; if not, it
depends on values nobody has published, and a claim that is fragile on a
reconstruction is fragile on invented values.

The answer is "determined" only when it can be proved:

* the alternative changes nothing the claim's value is computed from: its
  status is the published value's own, whatever the patients' values;
* the claim counts patients below a threshold the abstract states (B cells
  "< 5 cells/µL"), a count can only grow as the threshold rises (a value
  decided below a threshold is below every higher one), and the published
  count is already all of the cohort (a higher threshold) or none of it (a
  lower one): it cannot move.

Everything else (a visit window, a reference range or a renal threshold the
abstract never states, a count strictly between none and all) depends on
unpublished values.  Nothing here reads patient data.
"""

from __future__ import annotations

from fractions import Fraction

from sle_cart.inputs.definitions import Definitions

from .enumeration import NotStated, number
from .robustness import ALTERNATIVES, BY_ID

#: Definitions the abstract itself states; their values are the data contract's defaults, which cite it.
STATED_BY_THE_ABSTRACT = ("bcell_depletion_below",)
#: Counts of patients whose value is decided below a threshold by a given day: claim id -> definition.
#: Raising the threshold can only add patients to such a count (``kinetics.bcell_depletion``).
COUNTS_RISING_WITH = {
    "n_bcell_depleted_by_day1": "bcell_depletion_below",
    "n_bcell_depleted_by_day4": "bcell_depletion_below",
}


def stated(definition: str) -> Fraction | None:
    """The value the abstract states for ``definition``, exactly; None when it states none."""
    if definition not in STATED_BY_THE_ABSTRACT:
        return None
    return Fraction(str(getattr(Definitions(), definition)))


def _count_cannot_move(claim_id: str, definition: str, value: float, publication=None) -> bool:
    """A published count of all (or none) of the cohort, under a threshold above (or below) the stated one."""
    own = stated(definition)
    if own is None:  # which way the alternative moves the threshold is unknown
        return False
    try:
        count, cohort = number(claim_id, publication), number("n_patients", publication)
    except (NotStated, ValueError):  # a number the publication does not give decides nothing
        return False
    other = Fraction(str(value))
    return (other >= own and count == cohort) or (other <= own and count == 0)


def determined_by_publication(claim_id: str, alternative_id: str, affected: bool, publication=None) -> bool:
    """Whether the claim's status under the alternative follows from the published numbers alone.

    ``affected``: the alternative changes something the claim's value is computed
    from (``robustness.could_affect``).  True only when proved (module docstring).
    """
    if not affected:
        return True
    definition = COUNTS_RISING_WITH.get(claim_id)
    changes = BY_ID[alternative_id].changes
    if definition is None or set(changes) != {definition}:
        return False
    return _count_cannot_move(claim_id, definition, changes[definition], publication)


def determined_under(claim_id: str, could_affect: tuple[str, ...], publication=None) -> dict[str, bool]:
    """:func:`determined_by_publication` for every alternative, in ``ALTERNATIVES`` order, by the numbers
    ``publication`` states (default: abstract 0647)."""
    return {
        a.id: determined_by_publication(claim_id, a.id, a.id in could_affect, publication)
        for a in ALTERNATIVES
    }


def undecided(claim_id: str, alternatives: tuple[str, ...], could_affect: tuple[str, ...]) -> tuple[str, ...]:
    """Those of ``alternatives`` (e.g. the ones a claim is fragile to) whose verdict the publication
    does not decide."""
    return tuple(a for a in alternatives if not determined_by_publication(claim_id, a, a in could_affect))

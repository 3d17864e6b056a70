"""Every number abstract 0647 states, recomputed from the data and compared (data contract v2).

Rule: a claim holds when the reproduced value, rounded half away from zero to
as many decimals as the published value shows, equals it; for the published
p-value "<0.05", when the exact p is below 0.05.  Values and rounding are
exact fractions, so binary floating point never decides a verdict.  A claim
whose inputs are missing is *not evaluable* (``holds`` false).  Statements
name the definitions in force (a dataset may change the B-cell threshold or
the windows); the abstract's own values are the ``published`` column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from . import outcomes as o
from . import publications
from .exact import exact, round_half_away
from .uncertainty import clopper_pearson

#: The default publication's citation (abstract 0647); a dataset's own is ``publications.of(ds).citation``.
CITATION = publications.default().citation


@dataclass(frozen=True)
class Claim:
    """One number of the catalogue: id, statement (a template over the definitions ``d``), how it is computed.

    The id is for machines (claims.json, CSV downloads); readers see ``label`` or the statement.
    The value a publication prints for it is the publication's (:mod:`.publications`).
    """

    id: str
    statement: str
    compute: Callable[[dict], o.Outcome]
    chapter: str
    label: str = ""  # what a reader sees instead of the id: ``labels.LABELS``
    unit: str = ""  # the data contract's (``inputs.publication_schema.CLAIM_UNITS``)

    def __reduce__(self):  # pickled by id: the catalogue holds the function, which cannot be pickled
        return (claim_by_id, (self.id,))

    def says(self, definitions) -> str:
        """The statement with the definitions in force filled in."""
        return self.statement.format(d=definitions)


def decimals_shown(published: str) -> int:
    """Decimals a published value shows: '5.0' -> 1, '37' -> 0, '<0.05' -> 2."""
    text = published.lstrip("<")
    return len(text.split(".")[1]) if "." in text else 0


def published_value(published: str | None) -> float | int | str | None:
    """The claims.json value of a published text: a threshold stays text, a number is a number."""
    if published is None or published.startswith("<"):
        return published
    return float(published) if "." in published else int(published)


def holds(published: str | None, reproduced: float | Fraction | None) -> bool:
    """The comparison rule of the data contract, on exact values (a claim not stated never holds)."""
    if published is None or reproduced is None:
        return False
    if published.startswith("<"):
        return exact(reproduced) < Fraction(published[1:])
    return round_half_away(reproduced, decimals_shown(published)) == Fraction(published)


from .published import CLAIMS  # noqa: E402 - the table needs Claim, defined above

CLAIM_BY_ID = {c.id: c for c in CLAIMS}


def claim_by_id(claim_id: str) -> Claim:
    """The catalogue's claim ``claim_id``."""
    return CLAIM_BY_ID[claim_id]


class Status(StrEnum):
    """A claim's verdict under one set of definitions."""

    HOLDS = "holds"
    FAILS = "does not hold"
    NOT_EVALUABLE = "not evaluable"
    NOT_STATED = "not stated"  # computed, but the publication in force gives no value to compare with


@dataclass(frozen=True)
class Verdict:
    """One claim evaluated under one set of definitions: the exact value, its support, the verdict."""

    claim: Claim
    published: str | None  # as the publication in force writes it; None: it does not state this claim
    statement: str  # the statement with the definitions in force
    value: Fraction | int | None  # exact; None = not evaluable
    n_evaluable: int
    denominator: int | None
    ci95: tuple[float, float] | None
    status: Status
    method: str | None  # how the p-value was computed ("exact", "normal approximation"); else None

    @property
    def id(self) -> str:
        return self.claim.id

    @property
    def holds(self) -> bool:
        return self.status is Status.HOLDS


def _shown(value: Fraction | int | None, unit: str) -> float | int | None:
    """The JSON value: a whole count as an int, anything else as the float nearest the exact value."""
    if value is None:
        return None
    if unit != "p" and Fraction(value).denominator == 1:
        return int(value)
    return float(value)


def _has_interval(c: Claim) -> bool:
    """Counts of patients (but the cohort size) and the response rate carry an exact 95 % interval."""
    return (c.unit == "patients" and c.id != "n_patients") or c.unit == "proportion"


def _interval(c: Claim, res: o.Outcome) -> tuple[float, float] | None:
    if not (_has_interval(c) and res.value is not None and res.denominator):
        return None
    k = int(res.value) if c.unit == "patients" else int(Fraction(res.value) * res.denominator)
    return tuple(round(x, 6) for x in clopper_pearson(k, res.denominator))


def _status(published: str | None, value) -> Status:
    if published is None:
        return Status.NOT_STATED
    if holds(published, value):
        return Status.HOLDS
    return Status.NOT_EVALUABLE if value is None else Status.FAILS


def verdicts(analyses: o.Analyses, publication=None, *, intervals: bool = True) -> tuple[Verdict, ...]:
    """Every claim under the definitions the analyses were run with, compared with ``publication``
    (default: abstract 0647); ``intervals``: with their ci95."""
    publication = publication or publications.default()
    out = []
    for c in CLAIMS:
        res = c.compute(analyses)
        published = publication.value(c.id)
        status = _status(published, res.value)
        method = analyses.test(3).method_label if c.unit == "p" and res.value is not None else None
        out.append(
            Verdict(
                c, published, statement(c, analyses.definitions, method), res.value, res.n_evaluable, res.denominator,
                _interval(c, res) if intervals else None, status, method,
            )
        )  # fmt: skip
    return tuple(out)


def statement(c: Claim, definitions, method: str | None = None) -> str:
    """The claim's statement; the p-value's names the method that gave it."""
    text = c.says(definitions)
    return f"{text}, {method}" if method else text


def row(v: Verdict) -> dict:
    """The claims.json row of a verdict (data contract v2, "Claims")."""
    out = {
        "id": v.id,
        "label": v.claim.label,
        "statement": v.statement,
        "unit": v.claim.unit,
        "published": published_value(v.published),
        "reproduced": _shown(v.value, v.claim.unit),
        "n_evaluable": v.n_evaluable,
    }
    if v.method:
        out["method"] = v.method
    if v.denominator is not None:
        out["denominator"] = v.denominator
    if v.ci95 is not None:
        out["ci95"] = list(v.ci95)
    return out | {"holds": v.holds, "status": str(v.status), "chapter": v.claim.chapter}


def evaluate(ds) -> list[dict]:
    """All claims of ``ds`` under its own definitions, as claims.json rows (computed once per dataset)."""
    from .findings import verdicts_of

    return [row(v) for v in verdicts_of(ds)]

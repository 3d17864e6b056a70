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
from .exact import exact, round_half_away
from .uncertainty import clopper_pearson

CITATION = (
    "Zhao J, Zhang X, Li X, et al. Anti-CD19 chimeric antigen receptor T cell therapy for "
    "refractory systemic lupus erythematosus: an open-label pilot study [abstract 0647]. "
    "Arthritis Rheumatol. 2025;77(suppl 9)."
)


@dataclass(frozen=True)
class Claim:
    """One published number: id, statement (a template over the definitions ``d``), unit, value as printed.

    The id is for machines (claims.json, CSV downloads); readers see ``label`` or the statement.
    """

    id: str
    statement: str
    unit: str
    published: str  # as printed in the abstract, so its decimals are known
    compute: Callable[[dict], o.Outcome]
    chapter: str
    label: str = ""  # what a reader sees instead of the id: ``labels.LABELS``

    def __reduce__(self):  # pickled by id: the catalogue holds the function, which cannot be pickled
        return (claim_by_id, (self.id,))

    def says(self, definitions) -> str:
        """The statement with the definitions in force filled in."""
        return self.statement.format(d=definitions)


def decimals_shown(published: str) -> int:
    """Decimals a published value shows: '5.0' -> 1, '37' -> 0, '<0.05' -> 2."""
    text = published.lstrip("<")
    return len(text.split(".")[1]) if "." in text else 0


def published_value(claim: Claim) -> float | int | str:
    if claim.published.startswith("<"):
        return claim.published
    return float(claim.published) if "." in claim.published else int(claim.published)


def holds(published: str, reproduced: float | Fraction | None) -> bool:
    """The comparison rule of the data contract, on exact values."""
    if reproduced is None:
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


@dataclass(frozen=True)
class Verdict:
    """One claim evaluated under one set of definitions: the exact value, its support, the verdict."""

    claim: Claim
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


def verdicts(analyses: o.Analyses, *, intervals: bool = True) -> tuple[Verdict, ...]:
    """Every claim under the definitions the analyses were run with (``intervals``: with their ci95)."""
    out = []
    for c in CLAIMS:
        res = c.compute(analyses)
        ok = holds(c.published, res.value)
        status = Status.HOLDS if ok else (Status.NOT_EVALUABLE if res.value is None else Status.FAILS)
        method = analyses.test(3).method_label if c.unit == "p" and res.value is not None else None
        out.append(
            Verdict(
                c, statement(c, analyses.definitions, method), res.value, res.n_evaluable, res.denominator,
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
        "published": published_value(v.claim),
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

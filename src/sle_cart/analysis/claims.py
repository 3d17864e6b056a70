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
    """One published number: id, statement (a template over the definitions ``d``), unit, value as printed."""

    id: str
    statement: str
    unit: str
    published: str  # as printed in the abstract, so its decimals are known
    compute: Callable[[dict], o.Outcome]
    chapter: str

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


def evaluate(ds) -> list[dict]:
    """All claims with published and reproduced values, n evaluable, denominators and the verdict."""
    r = o.results(ds)
    out = []
    for c in CLAIMS:
        res = c.compute(r)
        ok = holds(c.published, res.value)
        row = {
            "id": c.id,
            "statement": c.says(ds.definitions),
            "unit": c.unit,
            "published": published_value(c),
            "reproduced": _shown(res.value, c.unit),
            "n_evaluable": res.n_evaluable,
        }
        if res.denominator is not None:
            row["denominator"] = res.denominator
        if _has_interval(c) and res.value is not None and res.denominator:
            k = int(res.value) if c.unit == "patients" else int(Fraction(res.value) * res.denominator)
            row["ci95"] = [round(x, 6) for x in clopper_pearson(k, res.denominator)]
        row.update(
            holds=ok,
            status="holds" if ok else ("not evaluable" if res.value is None else "does not hold"),
            chapter=c.chapter,
        )
        out.append(row)
    return out

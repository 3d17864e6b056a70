"""The findings of a dataset: every number the book shows, computed once per build.

:func:`find` runs every analysis once under the dataset's own definitions and
once under each alternative of :mod:`sle_cart.analysis.robustness`, evaluates every claim under
each, and classifies each claim's robustness once.  The result is one frozen
:class:`Findings`; the chapters, the summary's sentences, figure annotations and
text alternatives, the PDF, ``claims.json`` and ``--strict`` all read it.

The build computes the findings in its own process and hands them to every
chapter and to Sphinx as a pickle (:func:`save`, :func:`load`), together with
the dataset they were computed from, so nothing re-reads the live input files
and nothing computes a number twice.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path

from . import claims, robustness
from .claims import Status, Verdict
from .disease_activity import ChangeTest
from .outcomes import Analyses, analyse
from .robustness import ALTERNATIVES, Robustness

#: Set by the build: a pickle of (dataset, findings) that chapters and Sphinx read instead of the data.
CHECKED_ENV = "SLE_CART_CHECKED"


@dataclass(frozen=True)
class ClaimFinding:
    """One claim: its verdict under the dataset's definitions, under each alternative, and its robustness."""

    verdict: Verdict
    under: tuple[tuple[str, Status], ...]  # (alternative id, status), in ALTERNATIVES order
    robustness: Robustness
    alternatives: tuple[str, ...]  # fragile: those it fails under; otherwise those that would make it hold

    @property
    def id(self) -> str:
        return self.verdict.id

    @property
    def holds(self) -> bool:
        return self.verdict.holds

    @property
    def status(self) -> Status:
        return self.verdict.status

    def status_under(self) -> dict[str, Status]:
        return dict(self.under)


@dataclass(frozen=True)
class Findings:
    """Everything the book shows about one dataset (see the module docstring)."""

    sha256: str
    analyses: Analyses  # under the dataset's own definitions: every table's and figure's data
    claims: tuple[ClaimFinding, ...]

    def claim(self, claim_id: str) -> ClaimFinding:
        return next(c for c in self.claims if c.id == claim_id)

    def test(self, month: int) -> ChangeTest:
        return self.analyses.test(month)

    @property
    def n_holding(self) -> int:
        return sum(c.holds for c in self.claims)

    def with_robustness(self, kind: Robustness) -> list[ClaimFinding]:
        return [c for c in self.claims if c.robustness is kind]

    def counts(self) -> dict[Robustness, int]:
        """Claims per robustness class (every class present, zero included)."""
        return {k: len(self.with_robustness(k)) for k in Robustness}


def find(ds) -> Findings:
    """Compute the findings: each definition set (the dataset's own and each alternative) once."""
    analyses = analyses_of(ds)
    base = verdicts_of(ds)
    under: dict[str, list[tuple[str, Status]]] = {v.id: [] for v in base}
    for alt in ALTERNATIVES:
        for v in claims.verdicts(analyse(robustness.apply(ds, alt), alt.id)):
            under[v.id].append((alt.id, v.status))
    found = []
    for v in base:
        kind, alts = robustness.classify(v.status, dict(under[v.id]))
        found.append(ClaimFinding(v, tuple(under[v.id]), kind, alts))
    return Findings(ds.sha256(), analyses, tuple(found))


_MEMO: dict[int, tuple[object, Findings]] = {}
_ANALYSES: dict[int, tuple[object, Analyses]] = {}


def analyses_of(ds) -> Analyses:
    """The analyses of ``ds`` under its own definitions: those of its findings, or computed once here.

    Tables and figures need only these; the alternatives are evaluated when the
    findings are first asked for (the build asks before any chapter runs).
    """
    for memo in (_MEMO, _ANALYSES):
        hit = memo.get(id(ds))
        if hit is not None and hit[0] is ds:
            return hit[1] if memo is _ANALYSES else hit[1].analyses
    result = analyse(ds)
    _ANALYSES[id(ds)] = (ds, result)
    return result


def findings_of(ds) -> Findings:
    """The findings of ``ds``: handed over by the build, or computed once in this process."""
    hit = _MEMO.get(id(ds))
    if hit is not None and hit[0] is ds:
        return hit[1]
    result = find(ds)
    _MEMO[id(ds)] = (ds, result)
    return result


_VERDICTS: dict[int, tuple[object, tuple[Verdict, ...]]] = {}


def verdicts_of(ds) -> tuple[Verdict, ...]:
    """The claims under the dataset's own definitions only (no alternative is evaluated)."""
    hit = _MEMO.get(id(ds))
    if hit is not None and hit[0] is ds:
        return tuple(c.verdict for c in hit[1].claims)
    hit = _VERDICTS.get(id(ds))
    if hit is None or hit[0] is not ds:
        hit = _VERDICTS[id(ds)] = (ds, claims.verdicts(analyses_of(ds)))
    return hit[1]


def remember(ds, result: Findings) -> None:
    """Use ``result`` as the findings of ``ds`` in this process."""
    _MEMO[id(ds)] = (ds, result)


def save(ds, result: Findings, path: Path) -> Path:
    """Write the dataset and its findings for the build's chapters and Sphinx (atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_bytes(pickle.dumps((ds, result), protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, path)
    return path


def load(path: Path):
    """(dataset, findings) written by :func:`save`, remembered for this process."""
    ds, result = pickle.loads(Path(path).read_bytes())
    remember(ds, result)
    return ds, result


def handed_over():
    """(dataset, findings) the build handed to this process, or None outside a build."""
    path = os.environ.get(CHECKED_ENV)
    return load(Path(path)) if path and Path(path).is_file() else None

"""The findings of a dataset: every number the book shows, computed once per build.

:func:`find` runs every analysis once under the dataset's own definitions and
once under each alternative of :mod:`sle_cart.analysis.robustness`, evaluates every claim under
each, and classifies each claim's robustness once (with the alternatives that could
affect it at all, read from what its value is computed from).  The result is one frozen
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
import weakref
from dataclasses import dataclass
from pathlib import Path

from sle_cart.paths import CHECKED_ENV, record_evaluation

from . import claims, consistency, publications, robustness
from .claims import Status, Verdict
from .determined import determined_under
from .disease_activity import ChangeTest
from .outcomes import Analyses, analyse
from .robustness import ALTERNATIVES, Robustness


@dataclass(frozen=True)
class ClaimFinding:
    """One claim: its verdict under the dataset's definitions, under each alternative, and its robustness."""

    verdict: Verdict
    under: tuple[tuple[str, Status], ...]  # (alternative id, status), in ALTERNATIVES order
    robustness: Robustness
    alternatives: tuple[str, ...]  # fragile: those it fails under; otherwise those that would make it hold
    could_affect: tuple[str, ...] = ()  # the alternatives that change something its value is computed from
    #: (alternative id, whether the published numbers alone decide its verdict under it), ALTERNATIVES order
    determined: tuple[tuple[str, bool], ...] = ()

    def undecided(self, alternatives: tuple[str, ...]) -> tuple[str, ...]:
        """Those of ``alternatives`` whose verdict the publication does not decide."""
        decided = dict(self.determined)
        return tuple(a for a in alternatives if not decided.get(a, False))

    @property
    def id(self) -> str:
        return self.verdict.id

    @property
    def holds(self) -> bool:
        return self.verdict.holds

    @property
    def status(self) -> Status:
        return self.verdict.status


@dataclass(frozen=True)
class Findings:
    """Everything the book shows about one dataset (see the module docstring)."""

    sha256: str
    analyses: Analyses  # under the dataset's own definitions: every table's and figure's data
    claims: tuple[ClaimFinding, ...]
    #: What the published numbers determine by themselves (``consistency.json``): the publication's,
    #: not the data's, and the same object for the chapter, the paper and the file.
    audit: dict

    def test(self, month: int) -> ChangeTest:
        return self.analyses.test(month)

    @property
    def n_holding(self) -> int:
        return sum(c.holds for c in self.claims)

    @property
    def n_stated(self) -> int:
        """The claims the publication in force states: the m of "n of m hold"."""
        return sum(c.status is not Status.NOT_STATED for c in self.claims)

    def with_robustness(self, kind: Robustness) -> list[ClaimFinding]:
        return [c for c in self.claims if c.robustness is kind]

    def counts(self) -> dict[Robustness, int]:
        """Claims per robustness class (every class present, zero included; "not stated" only when some are)."""
        out = {k: len(self.with_robustness(k)) for k in Robustness}
        return (
            out
            if out[Robustness.NOT_STATED]
            else {k: n for k, n in out.items() if k is not Robustness.NOT_STATED}
        )


def find(ds) -> Findings:
    """Compute the findings: each definition set (the dataset's own and each alternative) once."""
    analyses = analyses_of(ds)
    base = verdicts_of(ds)
    under: dict[str, list[tuple[str, Status]]] = {v.id: [] for v in base}
    for alt in ALTERNATIVES:
        other = analyse(robustness.apply(ds, alt), alt.id, base=analyses, changed=tuple(alt.changes))
        for v in claims.verdicts(other, publications.of(ds), intervals=False):  # only the status is kept
            under[v.id].append((alt.id, v.status))
    found = []
    for v in base:
        affecting = robustness.could_affect(v.claim, analyses)
        kind, alts = robustness.classify(v.status, dict(under[v.id]), affecting)
        decided = tuple(determined_under(v.id, affecting, publications.of(ds)).items())
        found.append(ClaimFinding(v, tuple(under[v.id]), kind, alts, affecting, decided))
    analyses.proportions  # noqa: B018 - made now, so they are handed over with the findings
    return Findings(ds.sha256(), analyses, tuple(found), audit_of(ds.publication))


class PerDataset:
    """Results remembered per dataset object, forgotten when the dataset is (a test makes hundreds)."""

    def __init__(self):
        self._by_id: dict[int, object] = {}

    def get(self, ds):
        return self._by_id.get(id(ds))

    def put(self, ds, value):
        if id(ds) not in self._by_id:
            weakref.finalize(ds, self._by_id.pop, id(ds), None)
        self._by_id[id(ds)] = value
        return value


_FINDINGS, _ANALYSES, _VERDICTS = PerDataset(), PerDataset(), PerDataset()


def analyses_of(ds) -> Analyses:
    """The analyses of ``ds`` under its own definitions: those of its findings, or computed once here.

    Tables and figures need only these; the alternatives are evaluated when the
    findings are first asked for (the build asks before any chapter runs).
    """
    found = _FINDINGS.get(ds)
    if found is not None:
        return found.analyses
    return _ANALYSES.get(ds) or _ANALYSES.put(ds, analyse(ds))


def verdicts_of(ds) -> tuple[Verdict, ...]:
    """The claims under the dataset's own definitions only (no alternative is evaluated)."""
    found = _FINDINGS.get(ds)
    if found is not None:
        return tuple(c.verdict for c in found.claims)
    return _VERDICTS.get(ds) or _VERDICTS.put(ds, claims.verdicts(analyses_of(ds), publications.of(ds)))


def findings_of(ds) -> Findings:
    """The findings of ``ds``: handed over by the build, or computed once in this process."""
    return _FINDINGS.get(ds) or _FINDINGS.put(ds, find(ds))


_AUDITS: dict[int, tuple] = {}


def audit_of(publication=None) -> dict:
    """The consistency audit of what ``publication`` states (default: abstract 0647), made once per
    publication in a process: every dataset compared with abstract 0647 shares one."""
    if id(publication) not in _AUDITS:  # the publication is kept with it, so its id is not reused
        record_evaluation("consistency audit")
        _AUDITS[id(publication)] = (publication, consistency.document(publication))
    return _AUDITS[id(publication)][1]


def remember(ds, result: Findings) -> None:
    """Use ``result`` as the findings of ``ds`` in this process."""
    _FINDINGS.put(ds, result)


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

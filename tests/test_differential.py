"""The project against a deliberately plain implementation of the data contract (tests/plain_contract.py).

Over generated cohorts shaped like real follow-up (missing samples, assay limits,
ties, window edges, late events, one patient), every claim must agree: the value,
n evaluable, the denominator and the verdict.
"""

from __future__ import annotations

import tempfile
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from cohort_strategies import cohorts, write_cohort
from plain_contract import plain_claims
from sle_cart.analysis import claims
from sle_cart.inputs.dataset import load


def _compare(folder: Path) -> None:
    plain = plain_claims(folder)
    mine = {c["id"]: c for c in claims.evaluate(load(folder))}
    assert mine.keys() == plain.keys()
    for cid, p in plain.items():
        m = mine[cid]
        where = (cid, m, p)
        assert m["holds"] == p["holds"], where
        assert m["n_evaluable"] == p["n_evaluable"], where
        assert m.get("denominator") == p["denominator"], where
        if p["reproduced"] is None:
            assert m["reproduced"] is None, where
        else:
            assert m["reproduced"] is not None, where
            assert abs(Fraction(m["reproduced"]) - p["reproduced"]) <= Fraction(1, 10**9), where


@settings(database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cohort=cohorts())
def test_project_agrees_with_the_plain_implementation(cohort):
    with tempfile.TemporaryDirectory() as tmp:
        _compare(write_cohort(cohort, Path(tmp) / "cohort"))


def test_bundled_dataset_agrees_with_the_plain_implementation():
    from conftest import BUNDLED

    _compare(BUNDLED)

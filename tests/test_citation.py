"""CITATION.cff is valid CFF 1.2.0 (checked offline against the vendored schema) and cites the abstract;
LICENSE is the BSD-3-Clause text."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "tests" / "data" / "cff-1.2.0.schema.json"
CITATION_PATH = ROOT / "CITATION.cff"
LICENSE_PATH = ROOT / "LICENSE"

ABSTRACT_AUTHORS = [
    ("Zhao", "Jinxia"),
    ("Zhang", "Xiaoying"),
    ("Li", "Xinyi"),
    ("Wei", "Hui"),
    ("Liu", "Rui"),
    ("Sun", "Lin"),
    ("Li", "Zhaohua"),
    ("Guo", "Wei"),
    ("Mu", "Rong"),
]


def _stringify_dates(node):
    """The schema wants dates as strings; YAML may load unquoted ones as ``date`` (the schema's own
    $comment asks tools to cast them before validating)."""
    if isinstance(node, dict):
        return {k: _stringify_dates(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_stringify_dates(v) for v in node]
    if isinstance(node, (dt.date, dt.datetime)):
        return node.isoformat()
    return node


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$id"] == "https://citation-file-format.github.io/1.2.0/schema.json"
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)  # no format_checker: offline, pattern checks still apply


@pytest.fixture(scope="module")
def cff() -> dict:
    return _stringify_dates(yaml.safe_load(CITATION_PATH.read_text(encoding="utf-8")))


def _errors(validator, data) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(data)
    ]


def test_citation_is_valid_cff_1_2_0(validator, cff):
    assert _errors(validator, cff) == []
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "software"
    assert cff["version"] == "1.0.0"
    assert cff["license"] == "BSD-3-Clause"
    assert cff["date-released"] == "2026-11-25"
    assert cff["authors"] == [{"name": "The sle-cart authors"}]
    assert cff["title"].startswith("sle-cart: abstract 0647")


def test_references_cite_the_abstract(cff):
    refs = cff["references"]
    assert len(refs) == 1
    ref = refs[0]
    assert ref["type"] == "conference-paper"
    assert [(a["family-names"], a["given-names"]) for a in ref["authors"]] == ABSTRACT_AUTHORS
    assert ref["year"] == 2025
    assert ref["journal"] == "Arthritis & Rheumatology"
    assert ref["volume"] == 77
    assert ref["issue"] == "suppl 9"
    assert ref["conference"]["name"] == "ACR Convergence 2025"
    assert ref["url"].startswith("https://acrabstracts.org/abstract/anti-cd19-chimeric-antigen-receptor")
    text = json.dumps(ref)
    assert "NCT06513429" in text
    assert "0647" in text
    ids = {i["value"] for i in ref["identifiers"]}
    assert "NCT06513429" in ids
    assert "https://clinicaltrials.gov/study/NCT06513429" in ids


@pytest.mark.parametrize(
    "mutate, where",
    [
        (lambda d: d.pop("cff-version"), "<root>"),
        (lambda d: d.__setitem__("authors", []), "authors"),
        (lambda d: d.__setitem__("cff-version", "1.1.0"), "cff-version"),
        (lambda d: d["references"][0].pop("authors"), "references/0"),
        (lambda d: d["references"][0].__setitem__("type", "abstract"), "references/0/type"),
    ],
    ids=["no-cff-version", "empty-authors", "wrong-cff-version", "ref-without-authors", "ref-bad-type"],
)
def test_broken_citation_fails_validation(validator, cff, mutate, where):
    broken = copy.deepcopy(cff)
    mutate(broken)
    errors = _errors(validator, broken)
    assert errors, "the schema accepted a broken CITATION.cff"
    assert any(e.startswith(f"{where}:") for e in errors), errors
    assert not validator.is_valid(broken)


def test_license_is_bsd_3_clause():
    text = LICENSE_PATH.read_text(encoding="utf-8")
    assert "Copyright (c) 2026, the sle-cart authors" in text
    assert "Redistribution and use in source and binary forms" in text
    assert "Neither the name" in text
    assert "EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE" in text

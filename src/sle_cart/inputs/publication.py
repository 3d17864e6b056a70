"""``publication.yml``: the publication a dataset is checked against, its values read as written.

A dataset folder may hold this file; without it the book compares the data with
abstract 0647 (the default publication shipped with the analysis).  The keys and
their rules are :mod:`.publication_schema`.  Every scalar is read as its source
text, not as a float: ``5.0`` keeps one decimal and ``188.10`` two, which is the
precision a claim is checked to.  Problems are collected with the dataset's own,
so ``validate`` reports them all at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import Violation
from .publication_schema import CITATION_KEYS, CLAIM_UNITS, FILE, TOP_KEYS, wrong_kind
from .suggest import did_you_mean
from .textfiles import decode
from .yamlfile import load_yaml

_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_YEAR = re.compile(r"^\d{4}$")
_URL = re.compile(r"^https?://\S+$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
#: Authors a citation lists before "et al." (the style of the book's reference to abstract 0647).
AUTHORS_SHOWN = 3


class AsWritten(yaml.SafeLoader):
    """A safe loader whose numbers stay text, so a value's decimals are the ones written."""


AsWritten.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _NUMBER_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Publication:
    """A publication: its citation, registration, intervention and published values (as written)."""

    authors: tuple[str, ...]
    title: str
    venue: str
    year: str
    doi: str | None
    url: str | None
    label: str  # how pages name it ("abstract 0647")
    registration: str | None
    intervention: str | None
    claims: tuple[tuple[str, str], ...]  # (claim id, value as written), in the catalogue's order

    def value(self, claim_id: str) -> str | None:
        """The published value of ``claim_id`` as written, or None when the publication does not state it."""
        return dict(self.claims).get(claim_id)

    def states(self, claim_id: str) -> bool:
        return self.value(claim_id) is not None

    @property
    def citation(self) -> str:
        """Authors (the first three, then et al.), title and venue, each ending in a full stop."""
        names = list(self.authors[:AUTHORS_SHOWN]) + (["et al"] if len(self.authors) > AUTHORS_SHOWN else [])
        return " ".join(_sentence(part) for part in (", ".join(names), self.title, self.venue))

    @property
    def link(self) -> str | None:
        """Where to read it: the DOI's address, else the URL."""
        return f"https://doi.org/{self.doi}" if self.doi else self.url


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _problem(key: str | None, value, rule: str, **kw) -> Violation:
    return Violation(FILE, None, key, value, rule, **kw)


def read(
    path: Path, errors: list[Violation], warnings: list[Violation], notes: list[str]
) -> Publication | None:
    """The publication in file ``path``, or None (with every problem in ``errors``)."""
    text = decode(path.read_bytes(), FILE, errors, notes, save_as="UTF-8")
    doc = None if text is None else load_yaml(text, errors, FILE, loader=AsWritten)
    if doc == {}:  # only comments (the template's starter, not filled in): it states nothing
        notes.append(f"{FILE} states nothing yet (every line is a comment): compared with abstract 0647")
        return None
    if doc is None:
        return None
    if not isinstance(doc, dict):
        errors.append(_problem(None, None, "must be a mapping with the keys citation and claims"))
        return None
    before = len(errors)
    _unknown_keys(doc, TOP_KEYS, "", warnings)
    citation = _citation(doc.get("citation"), errors, warnings)
    claims = _claims(doc.get("claims"), errors)
    extra = {k: _text(doc, k, errors) for k in ("registration", "intervention")}
    if len(errors) > before:
        return None
    return Publication(**citation, **extra, claims=claims)


def _unknown_keys(block: dict, known: tuple[str, ...], prefix: str, warnings: list[Violation]) -> None:
    for key in block:
        if key not in known:
            rule = f"unknown key is ignored{did_you_mean(key, known)} (known keys: {', '.join(known)})"
            warnings.append(_problem(f"{prefix}{key}", None, rule, severity="warning"))


def _text(block: dict, key: str, errors: list[Violation], prefix: str = "") -> str | None:
    """An optional text value, stripped; a list or a mapping is an error."""
    value = block.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        errors.append(_problem(f"{prefix}{key}", value, "must be text"))
        return None
    return value.strip() or None


def _citation(block, errors: list[Violation], warnings: list[Violation]) -> dict:
    """The citation's fields; each missing or malformed one is reported."""
    if not isinstance(block, dict):
        rule = (
            "required key is missing"
            if block is None
            else "must be a mapping of authors, title, venue, year, doi or url"
        )
        errors.append(_problem("citation", None if block is None else block, rule))
        block = {}
    _unknown_keys(block, CITATION_KEYS, "citation.", warnings)
    out = {k: _text(block, k, errors, "citation.") for k in ("title", "venue", "year", "doi", "url", "label")}
    for key in ("title", "venue", "year"):
        if key not in block or block[key] in (None, ""):
            errors.append(_problem(f"citation.{key}", None, "required key is missing"))
    checks = (("year", _YEAR, "must be a year of four digits, e.g. 2025"),
              ("doi", _DOI, "must be a DOI such as 10.1002/art.43000 (without https://doi.org/)"),
              ("url", _URL, "must be an address starting with https:// or http://"))  # fmt: skip
    for key, pattern, rule in checks:
        if out[key] is not None and not pattern.match(out[key]):
            errors.append(_problem(f"citation.{key}", out[key], rule))
    if not (block.get("doi") or block.get("url")):
        errors.append(_problem("citation.doi", None, "a DOI or a URL is required (give doi or url)"))
    out["authors"] = _authors(block.get("authors"), errors)
    out["label"] = out["label"] or _label(out["authors"], out["year"])
    return out


def _authors(value, errors: list[Violation]) -> tuple[str, ...]:
    if value in (None, "", []):
        errors.append(_problem("citation.authors", None, "required key is missing"))
        return ()
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        errors.append(
            _problem("citation.authors", value, "must be a list of author names, e.g. [Zhao J, Mu R]")
        )
        return ()
    return tuple(n.strip() for n in names)


def _label(authors: tuple[str, ...], year: str | None) -> str:
    """'Zhao et al. 2025' from the first author's surname (the word before the initials)."""
    if not authors:
        return ""
    name = authors[0].split()[0]
    return " ".join(p for p in (name, "et al." if len(authors) > 1 else "", year or "") if p)


def _claims(block, errors: list[Violation]) -> tuple[tuple[str, str], ...]:
    """(claim id, value as written) in the catalogue's order; unknown ids and wrong kinds reported."""
    if not isinstance(block, dict) or not block:
        rule = "must map at least one claim id to its published value, e.g. {n_patients: 6}"
        errors.append(_problem("claims", None if block is None else block, rule))
        return ()
    stated = {}
    for key, value in block.items():
        if key not in CLAIM_UNITS:
            rule = f"unknown claim id (the data dictionary lists them){did_you_mean(key, CLAIM_UNITS)}"
            errors.append(_problem(f"claims.{key}", None, rule, code="unknown-claim"))
            continue
        text = value.strip() if isinstance(value, str) else ""  # true, a list or nothing: not a value
        why = wrong_kind(key, text)
        if why:
            errors.append(_problem(f"claims.{key}", value, why, code="claim-kind"))
            continue
        stated[key] = text
    return tuple((k, stated[k]) for k in CLAIM_UNITS if k in stated)

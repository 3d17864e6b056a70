"""The bibliography, kept as data: ``references.json`` (CSL-JSON), formatted in Vancouver style.

A text cites entries by id in a marker, ``[@gladman2002]`` or ``[@clopper1934; @hodges1963]``
(:func:`cite` writes one and checks the ids).  :class:`Numbering` turns the markers of
the texts it is given, in reading order, into numbers by first citation ("[1]",
"[2, 3]", "[4–6]") and lists the entries cited, in that order, for the reference list.
Every entry's facts come from the project's collected clinical definitions
(``shared/reference/clinical-definitions.md``); the abstract's from its own page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

PATH = Path(__file__).with_name("references.json")
#: Every entry, by CSL id, in the file's order.
LIBRARY: dict[str, dict] = {e["id"]: e for e in json.loads(PATH.read_text(encoding="utf-8"))}
#: The trial's registration entry (its ``number`` is the registration number).
REGISTRATION_ID = "nct06513429"
#: The abstract the project rebuilds.
ABSTRACT_ID = "zhao2025"
#: The id under which a dataset's own publication (its publication.yml) is cited: not a library entry,
#: it joins a :class:`Numbering` through :func:`publication_entry`.
PUBLICATION_ID = "publication"
#: More authors than this are cut to the first three and "et al." (Vancouver).
MAX_AUTHORS = 6
_MARKER = re.compile(r"\[(@[\w-]+(?:;\s*@[\w-]+)*)\]")


def registration() -> str:
    """The trial's registration number, as the registry entry records it."""
    return LIBRARY[REGISTRATION_ID]["number"]


def cite(*ids: str) -> str:
    """A citation marker for ``ids`` (each must be an entry of the library)."""
    missing = [i for i in ids if i not in LIBRARY and i != PUBLICATION_ID]
    if missing:
        raise KeyError(f"not in references.json: {missing}")
    return "[" + "; ".join(f"@{i}" for i in ids) + "]"


def _authors(entry: dict) -> str:
    names = [
        a.get("literal") or f"{a['family']} {a.get('given', '')}".strip() for a in entry.get("author", [])
    ]
    more = entry.get("custom", {}).get("more-authors", False)
    if len(names) > MAX_AUTHORS:
        names, more = names[:3], True
    return ", ".join(names + (["et al"] if more else []))


def _source(entry: dict) -> str:
    """'Biometrika. 1934;26:404–413' (journal, year, volume, issue and pages as far as known)."""
    journal = entry.get("container-title-short") or entry.get("container-title", "")
    year = str(entry["issued"]["date-parts"][0][0]) if "issued" in entry else ""
    where = entry.get("volume", "")
    if entry.get("issue"):
        where += f"({entry['issue']})"
    if entry.get("page"):
        where += ":" + entry["page"].replace("-", "–")
    return f"{journal}. {year};{where}" if where else f"{journal}. {year}"


def publication_entry(pub) -> dict:
    """A dataset's own publication as an entry: its citation as publication.yml gives it, and its address."""
    return {"id": PUBLICATION_ID, "type": "publication", "citation": pub.citation, "URL": pub.link}


def source_id(ds) -> str:
    """The entry a text cites for the published values: the dataset's own publication, or abstract 0647."""
    return PUBLICATION_ID if getattr(ds, "publication", None) else ABSTRACT_ID


def vancouver(entry: dict) -> str:
    """One reference as a sentence list: authors, title, source (a web entry: its site, number, address)."""
    if entry["type"] == "publication":  # formatted from publication.yml already; its address, if any, after
        return entry["citation"] + (f" Available from: {entry['URL']}" if entry.get("URL") else "")
    parts = [p for p in (_authors(entry), entry.get("title", "")) if p]
    if entry["type"] == "webpage":
        parts += [entry["container-title"], entry.get("number", ""), f"Available from: {entry['URL']}"]
    else:
        parts.append(_source(entry))
    return " ".join(p if p.endswith((".", "?", "!")) else f"{p}." for p in parts if p)


def _span(numbers: list[int]) -> str:
    """'1, 2' or '3–5': runs of three or more consecutive numbers as a range."""
    out, run = [], [numbers[0]]
    for n in numbers[1:]:
        if n == run[-1] + 1:
            run.append(n)
            continue
        out.append(run)
        run = [n]
    out.append(run)
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in out)


class Numbering:
    """Citation numbers by first citation, over every text passed to :meth:`resolve` in order."""

    def __init__(self, extra: list[dict] = ()) -> None:
        """``extra``: entries beyond the library (a dataset's own publication, :func:`publication_entry`)."""
        self.order: list[str] = []
        self.library = LIBRARY | {e["id"]: e for e in extra}

    def _numbers(self, match: re.Match) -> str:
        ids = [i.strip().lstrip("@") for i in match.group(1).split(";")]
        if any(
            i not in self.library for i in ids
        ):  # not a marker of ours (text from the data): left as written
            return match.group(0)
        for i in ids:
            if i not in self.order:
                self.order.append(i)
        return f"[{_span(sorted(self.order.index(i) + 1 for i in ids))}]"

    def resolve(self, text: str) -> str:
        """``text`` with each citation marker replaced by its numbers."""
        return _MARKER.sub(self._numbers, text)

    def cited(self) -> list[str]:
        """The cited entries formatted, in citation order (entry *k* is reference *k*)."""
        return [vancouver(self.library[i]) for i in self.order]


def html_list(ids: list[str] | None = None, first: list[dict] = ()) -> str:
    """The entries ``ids`` (default: the whole library, in its order) as an escaped HTML ordered list,
    after the entries ``first`` (a dataset's own publication, :func:`publication_entry`)."""
    import html

    entries = [*first, *(LIBRARY[i] for i in ids or LIBRARY)]
    items = "".join(f"<li>{html.escape(vancouver(e))}</li>" for e in entries)
    return f'<ol class="sle-references">{items}</ol>'

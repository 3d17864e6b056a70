"""The landing page and the first part's caption, for the publication a dataset is compared with.

``index.md`` and ``_toc.yml`` speak of abstract 0647, the publication of the bundled data; a
dataset compared with it gets them unchanged.  A dataset that brings its own publication.yml
is not that trial, so the part of ``index.md`` before "Rebuild it with your data" (the title,
what the book checks, where the data come from) and the caption of the first part are written
for its publication instead.  The rest of the page (how to rebuild, how to read) holds for
any dataset.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from sle_cart.analysis import publications

from .page_text import title
from .plan import BuildError

#: Where the general part of index.md begins.
REBUILD = "\n## Rebuild it with your data\n"
#: The first part's caption in _toc.yml, about abstract 0647.
CAPTION_0647 = "caption: The abstract, rebuilt\n"
CAPTION_OWN = "caption: The publication, rebuilt from data\n"

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")

#: What the data of a build are, by provenance (each page's notice says so too, unless observed).
_PROVENANCE = {
    "reconstructed": (
        "They are a reconstruction: values generated to agree with published summary statistics, not "
        "measured in anyone."
    ),
    "synthetic": "They are synthetic: generated at random, not measured in anyone.",
    "observed": "They are observed data, as the dataset's authors recorded them.",
}


def literal(text: str) -> str:
    """``text`` for a markdown source, read as written: ASCII punctuation escaped, one line."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))


def index_page(ds, bundled: str, where: str = "index.md") -> str:
    """The landing page's markdown for ``ds``: ``bundled`` itself, or with its opening written for the
    dataset's own publication."""
    if publications.is_default(ds):
        return bundled
    _, sep, general = bundled.partition(REBUILD)
    if not sep:
        raise BuildError(f"{where}: no heading '{REBUILD.strip()}' to begin the general part at")
    return _opening(ds) + sep + general


def toc(ds, bundled: str, where: str = "_toc.yml") -> str:
    """The table of contents for ``ds``: the first part's caption names what is rebuilt."""
    if publications.is_default(ds):
        return bundled
    if CAPTION_0647 not in bundled:
        raise BuildError(f"{where}: no '{CAPTION_0647.strip()}' to name the dataset's publication in")
    return bundled.replace(CAPTION_0647, CAPTION_OWN, 1)


def _opening(ds) -> str:
    """Title, what is checked against which publication, and what the data are."""
    pub = publications.of(ds)
    cited = literal(pub.citation)
    if pub.registration:
        cited += f" Trial registration: {literal(pub.registration)}."
    if pub.link:
        cited += f" [{literal(pub.link)}]({quote(pub.link, safe=':/?#@!$&*+,;=%~')})"
    source = f" Source: {literal(ds.source.rstrip('.'))}." if ds.source else ""
    return (
        f"# {literal(title(ds, ''))}\n\n"
        f"This book recomputes, from patient-level data, every number that {literal(pub.label)} states and "
        "the book can compute, and checks each against the published value. The numbers it does not "
        "state are shown as computed, marked “not stated”.\n\n"
        f"> {cited}\n\n"
        "## About the data\n\n"
        f"The data of this build are {literal(ds.name)}: {literal(ds.title)}. {_PROVENANCE[ds.provenance]}"
        f"{source}\n"
    )

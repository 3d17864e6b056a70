"""What every page of the site says besides its content: the data notice, the authors, the provenance.

Every text that comes from the dataset or CITATION.cff is HTML-escaped.  The paper reads
the notice from here too (``sle_cart.book.paper.notice``), without the disclosure's button.
"""

from __future__ import annotations

import html

from sle_cart.analysis import publications
from sle_cart.paths import ROOT

#: The license of the book's own prose, figures and tables (the code is BSD-3-Clause: LICENSE).
CONTENT_LICENSE = (
    'Text, figures and tables: <a href="https://creativecommons.org/licenses/by/4.0/">'
    "CC BY 4.0</a>; code: BSD-3-Clause"
)


def notice_html(ds) -> str:
    """The notice every page shows, chosen by the dataset's provenance (none for observed data).

    One line (what the data are), then a "What this means" disclosure with the rest, said once.
    """
    e = html.escape
    if ds.reconstructed:
        of = f"of {e(ds.source.rstrip('.'))}" if ds.source else "of the publication it belongs to"
        head, line = "Reconstructed data.", "They are not patient data."
        more = (
            f"The patient-level values in this book ({e(ds.name)}: {e(ds.title)}) were generated to be "
            f"consistent with the published summary statistics {of}. Only those summaries are published "
            "facts; the individual values illustrate them and were not measured in anyone."
        )
    elif ds.synthetic:
        head, line = "Synthetic data.", "They are not patient data and reproduce no publication."
        if ds.publication:  # compared with a publication all the same: not its patients' values
            line = "They are not patient data, and were not measured in the patients of the publication."
        more = f"The values in this book ({e(ds.name)}: {e(ds.title)}) were generated at random."
    else:
        return ""
    return (
        f'<div class="sle-notice" role="note"><strong>{head}</strong> {line} '
        f"<details><summary>What this means</summary><p>{more}</p></details></div>"
    )


def _named(pub) -> str:
    """The publication's label, linked to where it can be read (escaped)."""
    e = html.escape
    return f'<a href="{e(pub.link)}">{e(pub.label)}</a>' if pub.link else e(pub.label)


def compared_html(ds) -> str:
    """The line every page shows in its banner: which publication's values the dataset is compared with."""
    return f'<p class="sle-compared">Compared with the published values of {_named(publications.of(ds))}.</p>'


def title(ds, default: str) -> str:
    """The site's title: ``default`` (the book's, about abstract 0647) unless the dataset brings its own
    publication, which is then named."""
    if publications.is_default(ds):
        return default
    return f"{ds.title}: checked against {publications.of(ds).label}"


#: The software's citation, read from CITATION.cff at the repository root.
CITATION_FILE = ROOT / "CITATION.cff"


def _people(authors: list) -> str:
    """CFF authors as a sentence names them: 'Zhao J, Zhang X and Mu R'; an entity by its name ('the …')."""
    names = []
    for a in authors or []:
        if a.get("family-names"):
            initials = "".join(part[0] for part in str(a.get("given-names", "")).split())
            names.append(f"{a['family-names']} {initials}".strip())
        elif a.get("name"):
            name = str(a["name"])
            names.append("the " + name[4:] if name.startswith("The ") else name)  # it follows "by"
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def citation_html(cff: dict, publication=None) -> str:
    """Who made the book and whose abstract it rebuilds, from CITATION.cff (escaped).

    ``publication``: a dataset's own publication, which this build checks instead of the
    abstract CITATION.cff cites; its authors are named from it.
    """
    e = html.escape
    if not cff.get("authors"):
        return ""
    software = str(cff.get("title", "this software")).split(":")[0]
    version = f" {cff['version']}" if cff.get("version") else ""
    text = f"<strong>Authors.</strong> {e(software + version)} is by {e(_people(cff['authors']))}"
    if publication is not None:
        checked = ", ".join(publication.authors)
        text += f"; the publication this build checks, {_named(publication)}, is by {e(checked)}"
        return f'<p class="sle-authors">{text}. Cite the software as CITATION.cff says.</p>'
    cited = [_people(r["authors"]) for r in cff.get("references") or [] if r.get("authors")]
    if cited:
        text += f"; the abstract it rebuilds is by {e(cited[0])}"
    return f'<p class="sle-authors">{text}. Cite both as CITATION.cff says.</p>'


def citation_text(ds=None) -> str:
    """The authors' line of the footer, from the repository's CITATION.cff ('' without it); with a
    dataset that brings its own publication, that publication's authors."""
    import yaml

    if not CITATION_FILE.exists():  # an installed package without the repository
        return ""
    cff = yaml.safe_load(CITATION_FILE.read_text(encoding="utf-8")) or {}
    return citation_html(cff, getattr(ds, "publication", None))


def _published_line(ds) -> str:
    """The footer's line on the publication in force: its name (linked), citation and registration."""
    e = html.escape
    pub = publications.of(ds)
    registration = f" Registration: {e(pub.registration)}." if pub.registration else ""
    return f"<br>Published values: {_named(pub)}, {e(pub.citation)}{registration}"


def footer_html(ds, commit: str, versions: dict) -> str:
    """Provenance on every page: dataset, source, license, digest, commit, versions."""
    e = html.escape
    vers = ", ".join(f"{e(k)} {e(v)}" for k, v in versions.items())
    source = f"<br>Source: {e(ds.source)}" if ds.source else ""
    allowed = ds.identifying_text_allowed
    if allowed:
        source += f"<br>Free text that looks identifying is published, as dataset.yml allows: {e(allowed)}"
    return (
        '<footer class="sle-provenance"><strong>Provenance.</strong> '
        f"Dataset <code>{e(ds.name)}</code> ({e(ds.provenance)}): "
        f"{e(ds.title)}{source}{_published_line(ds)}<br>"
        f"Dataset license: {e(ds.license or 'not stated')}. {CONTENT_LICENSE}.<br>"
        f"Dataset SHA-256 <code>{ds.sha256()}</code>; code commit <code>{e(commit)}</code><br>"
        f"Built with {vers}.</footer>"
    )

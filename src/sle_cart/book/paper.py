"""The paper: ``paper.pdf`` at the site root, typeset offline by typst.

The layout is ``static/paper.typ``; everything it shows comes from one JSON
file written here (``content.json``): titles, the notice on the data, the
summary's paragraphs, Tables 1 and 2 (baseline, safety), the composite figures,
the numbered references, the claims ledger and the provenance.  The template
shows each text as a typst *string*, never as markup, so a dataset title such
as ``#set text(red) $x$`` prints as it is written.

Methods and Results are the summary chapter's own paragraphs
(:data:`sle_cart.present.prose.SECTIONS`), so the site and the paper say the
same thing in the same words; the background, the analysis methods and the
conclusion are the paper's own (:mod:`.paper_text`, no results).  Texts borrowed
from the site are put in the paper's terms (:func:`in_print`): its table
numbers, no chapter or download, citations numbered from ``references.json``.
The figures are the composites of :mod:`sle_cart.present.publication`, embedded
as vector PDF at their journal size.  ``#set document(date: none)`` and no
other time-dependent content: the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from sle_cart.analysis import publications
from sle_cart.present import prose, publication, registry
from sle_cart.present.references import Numbering, publication_entry

from . import paper_text
from .paper_tables import table_block

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

TEMPLATE = Path(__file__).parent / "static" / "paper.typ"
TITLE = "IM19 anti-CD19 CAR T cells in refractory lupus: abstract 0647 rebuilt from data"
AUTHORS = ["The sle-cart authors"]
#: The paper's texts that are not the summary's (``prose.SECTIONS``), by the name ``LAYOUT`` uses.
STATIC = {
    "background": paper_text.background,
    "registration": paper_text.registration_text,
    "analysis": paper_text.analysis,
}
#: The paper's order: (section, subsection or "", texts (``prose.SECTIONS`` or ``STATIC`` keys), artefacts).
#: The robustness paragraph of the site is left out: the reproduction paragraph states the same result.
LAYOUT = (
    ("Background", "", ("background",), ()),
    ("Methods", "Patients and treatment", ("treated", "registration"), ()),
    ("Methods", "Analysis", ("analysis",), ()),
    ("Results", "Baseline characteristics", (), ("table1",)),
    ("Results", "CAR T cell expansion and B-cell depletion", ("expansion",), ("fig1",)),
    ("Results", "Disease activity, kidneys and serology", ("disease_activity", "kidneys"), ("fig2",)),
    ("Results", "Safety", ("safety",), ("safety",)),
    ("Results", "Reproduction of the published numbers", ("reproduction",), ()),
    (
        "Results",
        "What the published numbers determine",
        ("published_checks", "published_implications", "published_undecided"),
        ("checks", "feasible"),
    ),
)
#: Summary sections the paper does not show (see ``LAYOUT``); limitations are a list of their own.
LEFT_OUT = {"robustness", "limitations"}
#: The registry's tables in the paper's body, in its order: they are Table 1, Table 2, … here.
BODY_TABLES = ("table1", "safety", "checks", "feasible")
LEDGER_COLUMNS = {
    "Published": 0.9,
    "Reproduced": 0.9,
    "n / N": 0.6,
    "95% CI": 0.9,
    "Verdict": 1.1,
    "Robustness": 1.6,
}
#: A robustness cell longer than this (many fragile alternatives) puts the ledger on a landscape page.
LEDGER_LANDSCAPE_ABOVE = 45
#: Above this many patients, Table 1 in the paper keeps only its summary column.
TABLE1_MAX_PATIENT_COLUMNS = 8


# ------------------------------------------------------------------ content
def table1_block(ds: Dataset) -> dict:
    t = registry.make("table1", ds)
    patients = len(t.frame.columns) - 1
    if patients > TABLE1_MAX_PATIENT_COLUMNS:  # one column per patient would not fit on the page
        summary = t.frame.columns[-1]
        block = table_block(t, {summary: 2.0})
        block["footnotes"].insert(0, "Per-patient values: the supplementary file table1.csv.")
        return block
    block = table_block(t)
    block["widths"] = [2.4] + [0.75] * patients + [2.1]
    block["breakable"] = len(block["rows"]) > 30  # kept on one page when it fits
    return block


def ledger_blocks(ledger, lead: list[str] = ()) -> list[dict]:
    """Appendix A, the claims ledger: on a landscape page of its own when its robustness cells are long.

    ``lead``: the ledger's lead sentences (``prose.SECTIONS["ledger"]``: what the verdicts prove),
    set above the table.
    """
    heading = "Appendix A. Claims ledger"
    cells = ledger.frame.get("Robustness", [])
    extra = {"lead": " ".join(lead)} if lead else {}
    if any(len(str(c)) > LEDGER_LANDSCAPE_ABOVE for c in cells):
        block = table_block(ledger, LEDGER_COLUMNS | {"Robustness": 3.4})
        return [block | extra | {"flipped": True, "heading": heading}]
    return [{"kind": "pagebreak"}, _heading(heading), table_block(ledger, LEDGER_COLUMNS) | extra]


def figure_block(ds: Dataset, name: str, file: str) -> dict:
    """A composite figure and its caption: each panel's caption from the registry, after its letter."""
    parts = []
    for letter, panel in zip("abcdefgh", publication.PANELS[name]):
        fig = registry.make(panel, ds)
        text = fig.absent_sentence or " ".join(t for t in (fig.caption, fig.note) if t)
        parts.append(f"{letter}, {text}")
    title, _, rest = publication.TITLES[name].partition(". ")
    return {"kind": "figure", "file": file, "title": title, "caption": f"{rest}. " + " ".join(parts)}


def _paragraphs(texts: list[str]) -> list[dict]:
    return [{"kind": "paragraph", "text": t} for t in texts]


def _heading(text: str, level: int = 1) -> dict:
    return {"kind": "heading", "level": level, "text": text}


def _artefact(ds: Dataset, name: str, figures: dict[str, str]) -> dict:
    if name == "table1":
        return table1_block(ds)
    if name in figures:
        return figure_block(ds, name, figures[name])
    return table_block(registry.make(name, ds))


def body_blocks(ds: Dataset, figures: dict[str, str]) -> list[dict]:
    """Background, Methods, Results, Limitations and Conclusion, as template blocks."""
    placed = {key for *_, keys, _ in LAYOUT for key in keys} | LEFT_OUT | {"ledger"}  # "ledger": Appendix A
    extra = tuple(k for k in prose.SECTIONS if k not in placed)
    layout = (
        [*LAYOUT, ("Results", "Further findings", extra, ())] if extra else LAYOUT
    )  # a section added later
    blocks, section = [], None
    for heading, sub, keys, artefacts in layout:
        if heading != section:
            blocks.append(_heading(heading))
            section = heading
        if sub:
            blocks.append(_heading(sub, 2))
        for key in keys:
            blocks += _paragraphs(STATIC[key](ds) if key in STATIC else prose.SECTIONS[key](ds))
        blocks += [_artefact(ds, name, figures) for name in artefacts]
    blocks += [_heading("Limitations"), {"kind": "list", "items": prose.SECTIONS["limitations"](ds)}]
    blocks += [_heading("Conclusion"), *_paragraphs(paper_text.conclusion(ds))]
    return blocks


def renumber(text: str) -> str:
    """The registry's table labels ("Table 7") as the paper numbers its body tables ("Table 2")."""
    labels = {prose.table_label(name): f"Table {i}" for i, name in enumerate(BODY_TABLES, 1)}
    return re.sub(r"\bTable \d+\b", lambda m: labels.get(m.group(0), m.group(0)), text)


#: The text fields of each block kind (a list field holds several texts).
TEXT_FIELDS = {
    "paragraph": ("text",),
    "list": ("items",),
    "notice": ("body",),
    "table": ("title", "footnotes"),
    "figure": ("caption",),
}


def in_print(blocks: list[dict], numbering: Numbering) -> list[dict]:
    """``blocks`` in the paper's words and table numbers, with citations numbered by ``numbering``."""

    def word(text: str) -> str:
        return numbering.resolve(renumber(paper_text.for_print(text)))

    out = []
    for block in blocks:
        block = dict(block)
        for field in TEXT_FIELDS.get(block["kind"], ()):
            value = block[field]
            block[field] = [word(t) for t in value] if isinstance(value, list) else word(value)
        out.append(block)
    return out


def provenance_block(ds: Dataset, commit: str, versions: dict) -> dict:
    import typst

    software = {**{str(k): str(v) for k, v in versions.items()}, "typst": typst.__version__}
    rows = [
        ("Dataset", ds.name, True),
        ("Title", ds.title, False),
        ("Provenance", ds.provenance, False),
        ("Source", ds.source or "not stated", False),
        ("License", ds.license or "not stated", False),
        ("SHA-256", ds.sha256(), True),
        ("Code commit", commit, True),
        ("Software", ", ".join(f"{k} {v}" for k, v in software.items()), False),
    ]
    return {
        "kind": "fields",
        "title": "Appendix B. Provenance",
        "rows": [[k, str(v), mono] for k, v, mono in rows],
    }


def title_block(ds: Dataset) -> dict:
    """Title, citation line and running head: abstract 0647's, or those of the dataset's own publication."""
    pub = publications.of(ds)
    if publications.is_default(ds):
        return {
            "title": TITLE,
            "citation": f"Rebuilds: {pub.citation}",
            "running_head": f"Abstract 0647 rebuilt from data · dataset {ds.name}",
        }
    return {
        "title": f"The numbers of {pub.label} recomputed from patient-level data",
        "citation": f"Checks: {pub.citation}" + (f" {pub.link}" if pub.link else ""),
        "running_head": f"{pub.label} checked against data · dataset {ds.name}",
    }


def content(ds: Dataset, *, commit: str, versions: dict, figures: dict[str, str]) -> dict:
    """Everything the template shows (``figures``: composite name -> file name beside the template)."""
    numbering = Numbering([publication_entry(ds.publication)] if ds.publication else [])
    notice = paper_text.notice(ds)
    blocks = in_print([notice, *body_blocks(ds, figures)] if notice else body_blocks(ds, figures), numbering)
    blocks += [_heading("References"), {"kind": "references", "items": numbering.cited()}]
    blocks += in_print(ledger_blocks(registry.make("claims", ds), prose.SECTIONS["ledger"](ds)), numbering)
    blocks.append(provenance_block(ds, commit, versions))
    heads = title_block(ds)
    return {
        "title": heads["title"],
        "subtitle": f"Built from the dataset {ds.name}: {ds.title}",
        "authors": AUTHORS,
        "citation": heads["citation"],
        "running_head": heads["running_head"],
        "blocks": blocks,
    }


# ------------------------------------------------------------------ typesetting
def paper_pdf(
    ds: Dataset, *, commit: str, versions: dict, figure_pdfs: dict[str, bytes] | None = None
) -> bytes:
    """The paper's PDF bytes (built in a private temporary folder; nothing else is written).

    ``figure_pdfs`` are the composite figures' PDFs when the caller has them
    already (the build exports them for download), so they are drawn once.
    """
    import typst

    with tempfile.TemporaryDirectory(prefix="sle-paper-") as tmp:
        root = Path(tmp)
        figures = {}
        for name, make in publication.FIGURES.items():
            figures[name] = f"{name}.pdf"
            drawn = (figure_pdfs or {}).get(name) or publication.pdf_bytes(publication.spec(make(ds)))
            (root / figures[name]).write_bytes(drawn)
        doc = content(ds, commit=commit, versions=versions, figures=figures)
        (root / "content.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        shutil.copyfile(TEMPLATE, root / "paper.typ")
        return typst.compile(str(root / "paper.typ"), root=str(root), ignore_system_fonts=True)


def write_paper(
    site: Path, ds: Dataset, *, commit: str, versions: dict, figure_pdfs: dict[str, bytes] | None = None
) -> Path:
    """Write ``site/paper.pdf`` (and nothing else in ``site``); return its path."""
    data = paper_pdf(ds, commit=commit, versions=versions, figure_pdfs=figure_pdfs)
    path = Path(site) / "paper.pdf"
    path.write_bytes(data)
    return path

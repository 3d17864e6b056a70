"""The paper: ``paper.pdf`` at the site root, typeset offline by typst.

The layout is ``static/paper.typ``; everything it shows comes from one JSON
file written here (``content.json``): titles, the reconstruction notice, the
summary's paragraphs, Table 1, the composite figures, the claims ledger and the
provenance.  The template shows each text as a typst *string*, never as markup,
so a dataset title such as ``#set text(red) $x$`` prints as it is written.

Methods and Results are the summary chapter's own paragraphs
(:data:`sle_cart.present.prose.SECTIONS`), so the site and the paper say the
same thing in the same words; only the background, the analysis methods and
the conclusion are static text here, and they contain no results.  The figures
are the composites of :mod:`sle_cart.present.publication`, embedded as vector
PDF (vl-convert's drawing with its own fonts).  ``#set document(date: none)``
and no other time-dependent content: the same inputs give the same bytes.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from sle_cart.analysis.claims import CITATION
from sle_cart.present import prose, publication, registry
from sle_cart.present.table import ROUNDING_NOTE

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

TEMPLATE = Path(__file__).parent / "static" / "paper.typ"
TITLE = "IM19 anti-CD19 CAR T cells in refractory lupus: abstract 0647 rebuilt from data"
AUTHORS = ["The sle-cart authors"]
#: Static text: none of it states a result (those come from ``prose.SECTIONS``).
BACKGROUND = [
    "Systemic lupus erythematosus that stays active despite glucocorticoids, immunosuppressants and "
    "biologic agents leaves few options. Autologous T cells engineered to recognise CD19 remove the "
    "circulating B cells from which autoantibody-producing cells arise, and early case series have "
    "described lasting remissions after such a reset of the B-cell compartment.",
    "The conference abstract cited above reported an open-label pilot study of one such product, IM19. "
    "This document recomputes each of its tables, figures and stated numbers from patient-level data and "
    "sets every number beside the published one. Its text is generated from the dataset named in the "
    "provenance appendix: built from other data, it describes those data.",
]
ANALYSIS = [
    "Every statistic is computed from the dataset by the code published with this book. Continuous values are given as "
    "medians with ranges, and proportions with exact Clopper–Pearson confidence intervals. The change in "
    "SLEDAI-2K from baseline is tested with the two-sided Wilcoxon signed-rank test (exact where the data "
    "allow), with the Hodges–Lehmann estimate of the change and its interval at the confidence level the "
    "data attain.",
    "B-cell depletion, renal response, anti-dsDNA conversion and complement normalisation follow the "
    "definitions recorded with the dataset. Each number stated in the abstract is compared with its "
    "reproduction after rounding half away from zero to the published decimals, and re-evaluated under "
    "alternative reasonable definitions and laboratory reference ranges (Appendix A).",
]
CONCLUSION = [
    "The claims ledger (Appendix A) states which of the abstract's numbers this dataset reproduces and how "
    "much each depends on the choice of definitions. Whatever the verdicts, a small single-arm pilot "
    "describes what happened to the patients treated; how well the treatment works, for how long and at "
    "what risk can only be learned from larger controlled trials with longer follow-up.",
]
#: The static texts, by the name ``LAYOUT`` uses for them (no key of ``prose.SECTIONS``).
STATIC = {"background": BACKGROUND, "analysis": ANALYSIS}
#: The paper's order: (section, subsection or "", texts (``prose.SECTIONS`` or ``STATIC`` keys), artefacts).
LAYOUT = (
    ("Background", "", ("background",), ()),
    ("Methods", "Patients and treatment", ("treated",), ()),
    ("Methods", "Analysis", ("analysis",), ()),
    ("Results", "Baseline characteristics", (), ("table1",)),
    ("Results", "CAR T cell expansion and B-cell depletion", ("expansion",), ("fig1",)),
    ("Results", "Disease activity, kidneys and serology", ("disease_activity", "kidneys"), ("fig2",)),
    ("Results", "Safety", ("safety",), ()),
    ("Results", "Reproduction of the published numbers", ("reproduction", "robustness"), ()),
)
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
_NUMERIC = re.compile(r"^[<−\-–]?[\d.–]")


# ------------------------------------------------------------------ content
def notice(ds: Dataset) -> dict | None:
    """The site's banner (``sphinx_ext.notice_html``) as plain text: {"head": …, "body": …}; None if none."""
    from .sphinx_ext import notice_html

    markup = notice_html(ds)  # every text from the data in it is HTML-escaped, so '<' only opens a tag
    markup = re.sub(r"<summary>.*?</summary>", " ", markup)  # the site's disclosure button, not text
    if not markup:
        return None
    strong = re.search(r"<strong>(.*?)</strong>", markup)
    head = html.unescape(strong.group(1)) if strong else ""
    text = html.unescape(re.sub(r"<[^>]+>", "", markup)).strip()
    return {"kind": "notice", "head": head, "body": text[len(head) :].strip()}


def _cells(values) -> list[str]:
    return ["" if v is None else str(v) for v in values]


def table_block(table, columns: dict[str, float] | None = None, size: float = 7.5) -> dict:
    """A registry table as a template block: header, text cells, alignment, widths and footnotes."""
    frame = table.frame if columns is None else table.frame[[c for c in columns if c in table.frame]]
    header = _cells([frame.index.name or "", *frame.columns])
    rows = [_cells([idx, *row]) for idx, row in zip(frame.index, frame.itertuples(index=False))]
    align = ["left"] + [
        "right" if all(_NUMERIC.match(r[i]) or r[i] in ("", "–") for r in rows) else "left"
        for i in range(1, len(header))
    ]
    block = {
        "kind": "table",
        "title": table.title,
        "header": header,
        "rows": rows,
        "align": align,
        "footnotes": _cells([*table.footnotes, ROUNDING_NOTE]),
        "size": size,
    }
    if columns is not None:
        block["widths"] = [4.0] + [columns[c] for c in frame.columns]
    return block


def table1_block(ds: Dataset) -> dict:
    t = registry.make("table1", ds)
    patients = len(t.frame.columns) - 1
    if patients > TABLE1_MAX_PATIENT_COLUMNS:  # one column per patient would not fit on the page
        summary = t.frame.columns[-1]
        block = table_block(t, {summary: 2.0})
        block["footnotes"].insert(0, "Per-patient values: table1.csv in the downloads of the site.")
        return block
    block = table_block(t)
    block["widths"] = [2.4] + [0.75] * patients + [2.1]
    block["breakable"] = len(block["rows"]) > 30  # kept on one page when it fits
    return block


def ledger_blocks(ledger) -> list[dict]:
    """Appendix A, the claims ledger: on a landscape page of its own when its robustness cells are long."""
    heading = "Appendix A. Claims ledger"
    cells = ledger.frame.get("Robustness", [])
    if any(len(str(c)) > LEDGER_LANDSCAPE_ABOVE for c in cells):
        block = table_block(ledger, LEDGER_COLUMNS | {"Robustness": 3.4}, size=7)
        return [block | {"flipped": True, "heading": heading}]
    return [{"kind": "pagebreak"}, _heading(heading), table_block(ledger, LEDGER_COLUMNS, size=7)]


def figure_block(ds: Dataset, name: str, file: str) -> dict:
    """A composite figure and its caption: each panel's caption from the registry, after its letter."""
    parts = []
    for letter, panel in zip("abcdefgh", publication.PANELS[name]):
        fig = registry.make(panel, ds)
        text = fig.absent_sentence or " ".join(t for t in (fig.caption, fig.note) if t)
        parts.append(f"{letter}, {text}")
    title, _, rest = publication.TITLES[name].partition(". ")
    return {
        "kind": "figure",
        "file": file,
        "title": title,
        "caption": f"{rest}. " + " ".join(parts),
        "width": 100,
    }


def _paragraphs(texts: list[str]) -> list[dict]:
    return [{"kind": "paragraph", "text": t} for t in texts]


def _heading(text: str, level: int = 1) -> dict:
    return {"kind": "heading", "level": level, "text": text}


def body_blocks(ds: Dataset, figures: dict[str, str]) -> list[dict]:
    """Background, Methods, Results, Limitations and Conclusion, as template blocks."""
    placed = {key for *_, keys, _ in LAYOUT for key in keys} | {"limitations"}
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
            if key in STATIC or key in prose.SECTIONS:
                blocks += _paragraphs(STATIC[key] if key in STATIC else prose.SECTIONS[key](ds))
        for name in artefacts:
            blocks.append(table1_block(ds) if name == "table1" else figure_block(ds, name, figures[name]))
    blocks += [_heading("Limitations"), {"kind": "list", "items": prose.SECTIONS["limitations"](ds)}]
    blocks += [_heading("Conclusion"), *_paragraphs(CONCLUSION)]
    return blocks


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


def content(ds: Dataset, *, commit: str, versions: dict, figures: dict[str, str]) -> dict:
    """Everything the template shows (``figures``: composite name -> file name beside the template)."""
    ledger = registry.make("claims", ds)
    blocks = [b for b in [notice(ds)] if b] + body_blocks(ds, figures)
    blocks += ledger_blocks(ledger)
    blocks.append(provenance_block(ds, commit, versions))
    return {
        "title": TITLE,
        "subtitle": f"Built from the dataset {ds.name}: {ds.title}",
        "authors": AUTHORS,
        "citation": f"Rebuilds: {CITATION}",
        "running_head": f"Abstract 0647 rebuilt from data · dataset {ds.name}",
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
            drawn = (figure_pdfs or {}).get(name) or publication.pdf_bytes(make(ds).to_dict())
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

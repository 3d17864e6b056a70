"""What a chapter notebook calls: open the dataset, then one call per cell.

A chapter's cells::

    ds = open_dataset(data_dir)
    show("fig1a", ds, out_dir)      # any artefact of the registry
    summary_section("treated", ds)  # a paragraph of the summary, built from the data
    dataset_notes(ds)               # the data dictionary chapter's loading notes
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sle_cart.analysis import findings
from sle_cart.inputs import dataset

from . import registry
from .dictionary import dataset_notes
from .publish import publish
from .summary import HTMLBlock

if TYPE_CHECKING:
    from .charts import Figure
    from .table import Table

__all__ = [
    "dataset_notes",
    "open_dataset",
    "publication_conclusion",
    "publication_source",
    "reference_list",
    "show",
    "summary_section",
]


def open_dataset(data_dir: str | Path) -> dataset.Dataset:
    """The dataset a chapter is parameterised with.

    In a build, the dataset as the build checked it, with its findings (nothing is
    validated or computed again); run on its own, the dataset validated once per content.
    """
    handed = findings.handed_over()
    return handed[0] if handed is not None else dataset.load_cached(data_dir)


def show(name: str, ds: dataset.Dataset, out_dir: str | Path) -> Figure | Table:
    """Make the registry's artefact ``name`` for ``ds``, publish its downloads into ``out_dir``,
    and return it for the notebook to display."""
    return publish(registry.make(name, ds), out_dir)


def summary_section(name: str, ds: dataset.Dataset) -> HTMLBlock:
    """One section of the summary (``sle_cart.present.prose.SECTIONS``) as escaped paragraphs,
    with "Figure 1a", "Table 1" … linked to the chapters that show them; limitations as a list."""
    import html

    from . import prose

    paragraphs = prose.SECTIONS[name](ds)
    items = [_link_artefacts(html.escape(p)) for p in paragraphs]
    if name == "limitations":
        return HTMLBlock('<ul class="sle-prose">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
    return HTMLBlock("".join(f'<p class="sle-prose">{i}</p>' for i in items))


def _paragraph(text: str) -> HTMLBlock:
    import html

    return HTMLBlock(f'<p class="sle-prose">{html.escape(text)}</p>')


def publication_source(ds: dataset.Dataset) -> HTMLBlock:
    """The summary's source: the publication the dataset is compared with (its own, or abstract 0647)."""
    from .attribution import source

    return _paragraph(source(ds))


def publication_conclusion(ds: dataset.Dataset) -> HTMLBlock:
    """What the authors of the publication in force concluded (abstract 0647's), not recomputed."""
    from .attribution import concluded

    return _paragraph(concluded(ds))


def reference_list(ds: dataset.Dataset | None = None) -> HTMLBlock:
    """The sources the summary and the paper rely on, from ``references.json`` (the paper numbers them
    by first citation; here they keep the file's order, the abstract and its registration first).
    With a dataset's own publication, that publication comes first instead of the abstract and its
    registration."""
    from .references import ABSTRACT_ID, LIBRARY, REGISTRATION_ID, html_list, publication_entry

    if ds is None or ds.publication is None:
        return HTMLBlock(html_list())
    rest = [i for i in LIBRARY if i not in (ABSTRACT_ID, REGISTRATION_ID)]
    return HTMLBlock(html_list(rest, first=[publication_entry(ds.publication)]))


def _link_artefacts(text: str) -> str:
    """Link each artefact title that the text names ("Figure 2a", "Table 1") to its chapter page."""
    import re

    pages = {}
    for a in registry.ARTEFACTS:
        label = (a.title or "").split(".")[0]
        if label and label not in pages:
            pages[label] = f"{a.chapter}.html"
    if not pages:
        return text
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(k) for k in sorted(pages, key=len, reverse=True)) + r")\b"
    )
    return pattern.sub(lambda m: f'<a href="{pages[m.group(1)]}">{m.group(1)}</a>', text)

"""The Table type: a clinical table as accessible, escaped HTML with footnotes and a CSV download.

Layout follows gtsummary/rtables conventions: a caption, the denominators in
the header or the cells, and footnotes that state each statistic and unit.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from sle_cart.inputs.definitions import LARGE_COHORT_PATIENTS

from .links import made_by_html

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

DOWNLOAD_PREFIX = "../downloads/"
ROUNDING_NOTE = (
    "Measured values (and their medians and ranges) at the precision they were recorded at; derived "
    "values rounded half away from zero at the decimals shown; percentages to whole numbers; a median "
    "that falls halfway between two shown places keeps its .5. – = missing."
)


@dataclass(frozen=True, eq=False)
class Table:
    """A table: the frame shown (text cells), the data offered as CSV, and footnotes.

    A table function fills ``frame``, ``footnotes``, ``data`` and, when it
    depends on the data, ``title``; extra files to publish beside the CSV go in
    ``files`` (path under the output folder -> text, e.g. ``claims.json``).  Its
    registry entry (``sle_cart.present.registry``) adds ``name`` (the CSV file
    stem), a static ``title`` and ``made_by`` (the function, for the source link).
    """

    frame: pd.DataFrame
    footnotes: list[str]
    data: pd.DataFrame | None = None  # numeric values offered as CSV (defaults to ``frame``)
    title: str = ""
    files: Mapping[str, str] = field(default_factory=dict)
    name: str = ""
    made_by: Callable | None = None
    #: A column a reader must always see (the ledger's verdict): on a narrow screen it stays at the
    #: right edge of the scrolling table, as the row headers stay at the left.
    key_column: str = ""

    @property
    def csv_data(self) -> pd.DataFrame:
        return self.frame if self.data is None else self.data

    def for_cohort(
        self, ds: Dataset, summary_rows: int = 1, summary_columns: list[str] | None = None
    ) -> Table:
        """Above ``LARGE_COHORT_PATIENTS``, a copy showing only the summary rows (or columns);
        the per-patient listing stays in the CSV download."""
        n = len(ds.patients)
        if n <= LARGE_COHORT_PATIENTS:
            return self
        frame = self.frame[summary_columns] if summary_columns else self.frame.iloc[-summary_rows:]
        note = (
            f"{n} patients (more than {LARGE_COHORT_PATIENTS}): only the summary is shown; the "
            "per-patient listing is in the CSV download."
        )
        return replace(self, frame=frame, footnotes=[note, *self.footnotes])

    def to_html(self) -> str:
        e = html.escape
        f = self.frame
        key = [" key" if c == self.key_column else "" for c in f.columns]
        keyed = ' class="key"'
        head = f'<th scope="col">{_unbroken(f.index.name or "")}</th>' + "".join(
            f'<th scope="col"{keyed if k else ""}>{_unbroken(c)}</th>' for c, k in zip(f.columns, key)
        )
        body = []
        for idx, row in f.iterrows():
            cells = "".join(f'<td class="{_align(v)}{k}">{_unbroken(v)}</td>' for v, k in zip(row, key))
            body.append(f'<tr><th scope="row">{_unbroken(idx)}</th>{cells}</tr>')
        notes = "".join(f"<li>{e(n)}</li>" for n in [*self.footnotes, ROUNDING_NOTE])
        # The table scrolls inside its own box when it is wider than the page: a named,
        # focusable region (keyboard users scroll it too), with a fade at the edge that hides more.
        label = f"{self.title or self.name} (scrolls sideways)"
        return (
            f'<div class="sle-table" id="table-{e(self.name)}">'
            f'<div class="sle-scroll" role="region" aria-label="{e(label)}" tabindex="0">'
            f'<table class="table sle-clinical">'
            f"<caption>{e(self.title)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>"
            f'<ol class="sle-footnotes">{notes}</ol>'
            f'<p class="figure-provenance">Download: <a href="{DOWNLOAD_PREFIX}{e(self.name)}.csv" download>'
            f"data (CSV)</a>.{made_by_html(self.made_by)}</p></div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:  # stable, short text/plain output
        return f"<Table {self.name}: {self.title}>"


#: A run of text that a browser may split at a dash or a slash ('54–100%)', 'g/24h', 'Hodges–Lehmann').
_UNBREAKABLE = re.compile(r"\S*[/–\-]\S*")


#: A dot or underscore inside a name such as 'claims[].alternatives_that_could_affect' (not in a number).
_NAME_JOINT = re.compile(r"(?<=[a-z\]])([._])(?=[a-z])")


def _unbroken(value) -> str:
    """A cell's text, escaped, with each run that holds a dash or a slash kept on one line (other words
    and numbers have no break opportunity inside them, and no rule of the book's CSS adds one).  A long
    name may wrap after its dots and underscores (``<wbr>``), so that on a phone it does not take the
    whole width as a row header."""
    text = _UNBREAKABLE.sub(lambda m: f'<span class="nw">{m.group(0)}</span>', html.escape(str(value)))
    return _NAME_JOINT.sub(r"\1<wbr>", text)


def _align(value) -> str:
    """Numbers (and '<5', '–', '3/6 (50%)') right-aligned, words left-aligned."""
    return "num" if re.match(r"^[<−\-–]?[\d.–]", str(value)) or str(value) == "–" else "txt"

"""Every figure and table of the book, declared once.

In the spirit of showyourwork!'s ``dependencies:``, this is the one list of the
book's artefacts.  Each entry names the download file stem, the kind (figure or
table), the function that makes it from the dataset, the chapter (notebook stem)
that shows it, and its title and caption where these are static (a function
returns them itself when they depend on the data).  The source link under every
caption is read from the function object.

Derived from this list: what a chapter cell shows (``show("fig1a", ds, out_dir)``),
the download and browser checks of the test suite, and the source-code chapter
(``chapters/11-source-code.md``, regenerated with
``python -m sle_cart.present.registry``).

Adding a figure: write its function in ``figures.py``, add its entry below, add a
``show("<name>", ds, out_dir)`` cell to its chapter, and regenerate the source chapter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from sle_cart.analysis import findings

from . import (
    chart_copies,
    dictionary,
    feasible_figure,
    figures,
    ledger,
    outcome_tables,
    published_numbers,
    robustness,
    safety_figure,
    tables,
)
from .charts import Figure
from .links import source_name
from .table import Table

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

Kind = Literal["figure", "table"]


@dataclass(frozen=True)
class Artefact:
    """One figure or table: what makes it, where it is shown, and its static texts."""

    name: str  # file stem of the downloads, e.g. "fig1a" -> downloads/fig1a.svg
    kind: Kind
    function: Callable[[Dataset], Figure | Table]
    chapter: str  # notebook stem, e.g. "03-fig1a-car-t-kinetics"
    title: str | None = None  # None: the function sets it (it depends on the data)
    caption: str | None = None  # figures only; None: the function sets it

    @property
    def source(self) -> str:
        """``module.qualname`` of the function (what the caption's source link names)."""
        return source_name(self.function)

    def make(self, ds: Dataset) -> Figure | Table:
        """Call the function and complete its result with this entry's name, texts and source."""
        made = self.function(ds)
        if not isinstance(made, Figure if self.kind == "figure" else Table):
            raise TypeError(f"{self.source} returned {type(made).__name__}, not a {self.kind}")
        static = {"name": self.name, "made_by": self.function}
        texts = ("title", "caption") if self.kind == "figure" else ("title",)
        for attr in texts:
            declared, returned = getattr(self, attr), getattr(made, attr)
            if declared is not None and returned:
                raise ValueError(f"{self.name}: the {attr} is declared here and also set by {self.source}")
            if declared is None and not returned:
                raise ValueError(f"{self.name}: no {attr}; declare it here or set it in {self.source}")
            if declared is not None:
                static[attr] = declared
        return replace(made, **static)


def figure(
    name: str, function: Callable[[Dataset], Figure], chapter: str, *, title: str, caption: str | None = None
) -> Artefact:
    """A figure entry: downloads ``<name>.svg``, ``.png``, ``.csv`` and ``.vl.json``."""
    return Artefact(name, "figure", function, chapter, title, caption)


def table(
    name: str, function: Callable[[Dataset], Table], chapter: str, *, title: str | None = None
) -> Artefact:
    """A table entry: downloads ``<name>.csv``."""
    return Artefact(name, "table", function, chapter, title)


#: The book's figures and tables, in reading order.  A figure without a caption here, and
#: the claims ledger without a title, get it from their function (it depends on the data).
ARTEFACTS: tuple[Artefact, ...] = (
    table("table1", tables.table1_baseline, "02-table1-baseline", title="Table 1. Baseline characteristics"),
    figure("fig1a", figures.fig1a_car_t_expansion, "03-fig1a-car-t-kinetics", title="Figure 1a"),
    table("kinetics", tables.kinetics_table, "03-fig1a-car-t-kinetics", title="Table 2. CAR T cell kinetics"),
    figure("fig1b", figures.fig1b_b_cells, "04-fig1b-b-cell-depletion", title="Figure 1b"),
    table(
        "bcells",
        tables.bcell_table,
        "04-fig1b-b-cell-depletion",
        title="Table 3. Circulating B-cell depletion",
    ),
    figure(
        "fig2a",
        figures.fig2a_sledai,
        "05-fig2a-sledai",
        title="Figure 2a",
        caption="SLEDAI-2K per patient at baseline, month 1 and month 3 (coloured lines) and the median "
        "(thick line).",
    ),
    table("sledai", tables.sledai_table, "05-fig2a-sledai", title="Table 4. SLEDAI-2K over time"),
    figure(
        "fig2b",
        figures.fig2b_proteinuria,
        "06-fig2b-d-renal-serology",
        title="Figure 2b",
        caption="24-hour urine protein per patient; the large open marker on each patient's last value gives "
        "the renal response judged on it (complete, partial, none). The grey band is the normal range; the "
        "dashed line is the complete-response threshold.",
    ),
    table(
        "renal",
        outcome_tables.renal_table,
        "06-fig2b-d-renal-serology",
        title="Table 5. Renal response (patients with lupus nephritis)",
    ),
    figure(
        "fig2c",
        figures.fig2c_anti_dsdna,
        "06-fig2b-d-renal-serology",
        title="Figure 2c",
        caption="Anti-dsDNA antibodies per patient (symmetric log scale). The grey band is the normal range; "
        "the dashed line is its upper limit.",
    ),
    figure(
        "fig2d",
        figures.fig2d_complement,
        "06-fig2b-d-renal-serology",
        title="Figure 2d",
        caption="Complement C3 and C4 per patient. The grey bands are the normal ranges.",
    ),
    table(
        "serology",
        outcome_tables.serology_table,
        "06-fig2b-d-renal-serology",
        title="Table 6. Anti-dsDNA and complement",
    ),
    figure("figS1", safety_figure.fig_safety_swimmer, "07-safety", title="Figure S1"),
    table(
        "safety",
        outcome_tables.safety_table,
        "07-safety",
        title="Table 7. Cytokine release syndrome and ICANS",
    ),
    table("claims", ledger.claims_ledger, "08-claims-ledger"),
    table(
        "checks",
        published_numbers.checks_table,
        "08b-published-numbers",
        title="Table 8. Consistency of the published numbers",
    ),
    table(
        "feasible",
        published_numbers.feasible_table,
        "08b-published-numbers",
        title="Table 9. Whole-number values the published numbers allow",
    ),
    figure("feasible_bands", feasible_figure.feasible_bands, "08b-published-numbers", title="Figure P1"),
    figure(
        "robustness",
        robustness.robustness_heatmap,
        "09-robustness",
        title="Figure R1",
        caption="Each claim that some alternative could affect, or that does not hold (rows), re-evaluated "
        "under the definitions in force and under each alternative definition or laboratory reference range "
        "(columns): ✓ holds, ✗ does not hold, – not evaluable; blank: the alternative changes nothing the claim "
        "is computed from. The claims no alternative affects are listed in the text above the map.",
    ),
    table("alternatives", robustness.alternatives_table, "09-robustness", title="Alternative definitions"),
    table("dictionary", dictionary.data_dictionary, "10-data-dictionary", title="Input files and columns"),
    table("analytes", dictionary.analyte_dictionary, "10-data-dictionary", title="Analyte codes"),
    table("definitions", dictionary.definitions_table, "10-data-dictionary", title="Analysis definitions"),
    table(
        "claims_fields", dictionary.claims_json_dictionary, "10-data-dictionary", title="claims.json fields"
    ),
    table(
        "publication", dictionary.publication_dictionary, "10-data-dictionary", title="publication.yml: keys"
    ),
    table(
        "publication_claims",
        dictionary.publication_claims,
        "10-data-dictionary",
        title="publication.yml: claim ids",
    ),
)


def _index(entries: tuple[Artefact, ...]) -> dict[str, Artefact]:
    out: dict[str, Artefact] = {}
    for a in entries:
        if a.name in out:  # two artefacts would write the same download files
            raise ValueError(f"artefact name {a.name!r} is declared twice")
        out[a.name] = a
    return out


BY_NAME: dict[str, Artefact] = _index(ARTEFACTS)


def get(name: str) -> Artefact:
    """The entry called ``name``."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"no artefact {name!r} in the registry; known: {', '.join(BY_NAME)}") from None


#: Figures made, per dataset: one is shown in its chapter, drawn in its composite and alone for
#: print, and captioned in the paper, and making it costs more than all of those uses together.
_FIGURES = findings.PerDataset()


def make(name: str, ds: Dataset) -> Figure | Table:
    """Make artefact ``name`` for ``ds`` (nothing is written; see ``publish``); a figure once per dataset."""
    entry = get(name)
    if entry.kind != "figure":
        return entry.make(ds)
    chart_copies.skip_needless_copies()
    made = _FIGURES.get(ds)
    if made is None:
        made = _FIGURES.put(ds, {})
    if name not in made:
        made[name] = entry.make(ds)
    return made[name]


def names(kind: Kind | None = None) -> list[str]:
    """Names of the artefacts (of one kind), in reading order."""
    return [a.name for a in ARTEFACTS if kind is None or a.kind == kind]

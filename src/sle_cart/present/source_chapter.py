"""The chapter "Source code": one autodoc block per module, generated from the registry.

The registry's figure and table functions come first, by module, then the chapter helpers and
the analysis modules.  ``chapters/11-source-code.md`` is this text, committed; a test checks it
is current (regenerate with ``python -m sle_cart.present.source_chapter``).
"""

from __future__ import annotations

from sle_cart.paths import ROOT

from . import dictionary
from .registry import ARTEFACTS

SOURCE_CHAPTER = ROOT / "chapters" / "11-source-code.md"
_INTRO = """\
# Source code

Every table, figure and number in this book is made by the `sle_cart` package in `src/`. Figure and table
captions link here. Each module is named for the clinical question it answers; follow a function's
`[source]` link to read its code.
"""
#: Modules documented after the presentation ones: (module, members; None = all public members).
OTHER_MODULES: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("sle_cart.analysis.cohort", None),
    ("sle_cart.analysis.kinetics", None),
    ("sle_cart.analysis.disease_activity", None),
    ("sle_cart.analysis.renal", None),
    ("sle_cart.analysis.serology", None),
    ("sle_cart.analysis.safety", None),
    ("sle_cart.analysis.findings", None),
    ("sle_cart.analysis.claims", ("holds", "verdicts", "evaluate")),
    ("sle_cart.analysis.claims_json", ("claims_document",)),
    ("sle_cart.analysis.claims_fields", ("paths",)),
    ("sle_cart.analysis.consistency", None),
    ("sle_cart.analysis.enumeration", None),
    ("sle_cart.analysis.determined", None),
    ("sle_cart.analysis.robustness", None),
    ("sle_cart.analysis.uncertainty", None),
    ("sle_cart.analysis.wilcoxon", None),
    ("sle_cart.analysis.exact", None),
    ("sle_cart.analysis.stats", None),
    ("sle_cart.analysis.visits", None),
    ("sle_cart.inputs.definitions", ("Definitions", "resolve")),
    ("sle_cart.generate.reconstruct", ("generate", "write")),
)


def _present_members() -> dict[str, list[str]]:
    """The registry's functions by module (figures first), then the chapter helpers."""
    from . import chapter, publish, summary  # chapter imports the registry

    functions = [a.function for a in ARTEFACTS if a.kind == "figure"]
    functions += [a.function for a in ARTEFACTS if a.kind == "table"]
    functions += [summary.summary_values, dictionary.dataset_notes]
    functions += [chapter.open_dataset, chapter.show, chapter.summary_section, publish.publish]
    members: dict[str, list[str]] = {}
    for fn in functions:
        listed = members.setdefault(fn.__module__, [])
        if fn.__qualname__ not in listed:
            listed.append(fn.__qualname__)
    return members


def source_chapter_markdown() -> str:
    """The text of ``chapters/11-source-code.md``: one automodule block per module."""
    blocks = [(m, tuple(ms)) for m, ms in _present_members().items()] + list(OTHER_MODULES)
    rst = "\n\n".join(
        f".. automodule:: {module}\n   :members:" + (f" {', '.join(members)}" if members else "")
        for module, members in blocks
    )
    return f"{_INTRO}\n```{{eval-rst}}\n{rst}\n```\n"


if __name__ == "__main__":  # python -m sle_cart.present.source_chapter: regenerate it
    SOURCE_CHAPTER.write_text(source_chapter_markdown(), encoding="utf-8")
    print(f"wrote {SOURCE_CHAPTER}")

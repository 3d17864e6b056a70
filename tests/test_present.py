"""The presentation layer: one registry of artefacts, pure artefact functions, one publish step."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import ROOT
from sle_cart.present import charts, registry, source_chapter
from sle_cart.present.chapter import show
from sle_cart.present.links import source_href
from sle_cart.present.table import Table

PRESENT = ROOT / "src" / "sle_cart" / "present"


@pytest.fixture(scope="module")
def ds(bundled):
    return bundled  # the session's: loaded, and its findings computed, once


def _notebook_calls(chapter: str) -> list[str]:
    nb = json.loads((ROOT / "chapters" / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    code = "".join("".join(c["source"]) + "\n" for c in nb["cells"] if c["cell_type"] == "code")
    return re.findall(r'\bshow\("([^"]+)", ds, out_dir\)', code)


def test_source_chapter_is_generated_from_the_registry():
    committed = source_chapter.SOURCE_CHAPTER.read_text(encoding="utf-8")
    assert committed == source_chapter.source_chapter_markdown(), (
        "chapters/11-source-code.md is stale: run .venv/bin/python -m sle_cart.present.source_chapter"
    )
    for a in registry.ARTEFACTS:
        assert a.function.__qualname__ in committed, a.name


def test_each_chapter_shows_exactly_its_registry_entries_in_order():
    chapters = sorted({a.chapter for a in registry.ARTEFACTS})
    shown = {ch: _notebook_calls(ch) for ch in chapters}
    for ch in chapters:
        assert shown[ch] == [a.name for a in registry.ARTEFACTS if a.chapter == ch], ch
    others = [p.stem for p in (ROOT / "chapters").glob("*.ipynb") if p.stem not in chapters]
    assert [(ch, _notebook_calls(ch)) for ch in others if _notebook_calls(ch)] == []


def test_names_are_unique_and_duplicates_are_refused():
    names = registry.names()
    assert len(names) == len(set(names))
    a = registry.ARTEFACTS[0]
    with pytest.raises(ValueError, match="declared twice"):
        registry._index((a, a))
    with pytest.raises(KeyError, match="no artefact 'nope'"):
        registry.get("nope")


@pytest.mark.build  # renders every figure with vl-convert
def test_artefacts_are_made_without_writing_and_link_to_their_function(ds, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for a in registry.ARTEFACTS:
        made = a.make(ds)
        assert made.name == a.name and made.title and made.made_by is a.function
        assert a.source == f"{a.function.__module__}.{a.function.__qualname__}"
        markup = made.to_html()
        assert f'href="{source_href(a.function)}"' in markup and f"<code>{a.source}</code>" in markup
        if a.kind == "figure":
            assert isinstance(made, charts.Figure) and made.caption
        else:
            assert isinstance(made, Table)
    assert list(tmp_path.iterdir()) == []  # making is pure: nothing written anywhere


def test_registry_refuses_a_text_declared_twice_or_missing(ds):
    fig1b = registry.get("fig1b")  # its caption depends on the data: the function sets it
    with pytest.raises(ValueError, match="caption is declared here and also set by"):
        replace(fig1b, caption="static").make(ds)
    claims_entry = registry.get("claims")  # its title counts the claims that hold
    with pytest.raises(ValueError, match="title is declared here and also set by"):
        replace(claims_entry, title="static").make(ds)
    fig2a = registry.get("fig2a")
    with pytest.raises(ValueError, match="no caption"):
        replace(fig2a, caption=None).make(ds)


@pytest.mark.build  # renders every figure with vl-convert
def test_show_publishes_every_download_the_captions_link(ds, tmp_path):
    for name in registry.names():
        markup = show(name, ds, tmp_path).to_html()
        for href in re.findall(r'href="\.\./downloads/([^"]+)"', markup):
            assert (tmp_path / "downloads" / href).stat().st_size > 0, href
    figures = registry.names("figure")
    assert {p.name for p in (tmp_path / "downloads").iterdir()} == {
        *(f"{n}.{ext}" for n in figures for ext, _ in charts.FIGURE_DOWNLOADS),
        *(f"{n}.csv" for n in registry.names("table")),
    }


def test_no_altair_renderer_is_registered_on_import():
    import altair as alt

    assert "sle_offline" not in alt.renderers.names()


def _imports(tree: ast.Module) -> set[str]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(n.name for n in node.names)
    return {m for m in out if m.split(".")[0] == "sle_cart"}


def test_public_artefact_functions_take_the_dataset_only():
    import inspect

    for a in registry.ARTEFACTS:
        assert list(inspect.signature(a.function).parameters) == ["ds"], a.source
        assert Path(inspect.getfile(a.function)).parent == PRESENT

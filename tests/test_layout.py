"""The package's layout is its architecture: each layer imports only the layers before it.

data/ -> inputs -> analysis -> present -> book -> _build/, with generate/ apart;
paths and cli at the top.  No module over 300 lines, no function over 60.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sle_cart.paths import PACKAGE

LAYERS = {
    "inputs": ("sle_cart.paths", "sle_cart.inputs"),
    "analysis": ("sle_cart.paths", "sle_cart.inputs", "sle_cart.analysis"),
    "present": ("sle_cart.paths", "sle_cart.inputs", "sle_cart.analysis", "sle_cart.present"),
    "book": (
        "sle_cart.paths",
        "sle_cart.inputs",
        "sle_cart.analysis",
        "sle_cart.present",
        "sle_cart.book",
        "sle_cart.__init__",
        "sle_cart.__version__",
    ),
    "generate": ("sle_cart.paths", "sle_cart.inputs", "sle_cart.analysis", "sle_cart.generate"),
}
MODULES = sorted(PACKAGE.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    """Absolute names of the sle_cart modules a file imports (relative imports resolved)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(n.name for n in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names = [f"{base}.{n.name}" for n in node.names] if base in ("sle_cart",) else [base]
            out.update(names)
    return {m if m != "sle_cart" else "sle_cart.__init__" for m in out if m.split(".")[0] == "sle_cart"}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_layer_imports_only_the_layers_before_it(layer):
    for path in sorted((PACKAGE / layer).glob("*.py")):
        bad = sorted(m for m in _imports(path) if not m.startswith(LAYERS[layer]))
        assert bad == [], (path.name, bad)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_and_function_sizes(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 300, f"{path.name} has {len(text.splitlines())} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno - node.lineno + 1 <= 60, (path.name, node.name)


def test_relative_imports_resolve(tmp_path, monkeypatch):
    """The check can fail: an analysis module importing presentation and the book is caught."""
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path / "sle_cart")
    bad = tmp_path / "sle_cart" / "analysis" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "from sle_cart.present import figures\nfrom ..book import build\nfrom . import stats\n",
        encoding="utf-8",
    )
    assert _imports(bad) == {"sle_cart.present", "sle_cart.book", "sle_cart.analysis"}

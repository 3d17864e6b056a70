"""Sphinx extension: offline Vega, the reconstruction notice and the provenance footer.

* Vega, Vega-Lite and vega-embed come from ``vl_convert.javascript_bundle()``,
  served as one local script.  ``VEGA_DEBUG`` is set first so that Altair's
  loader finds the libraries present and never asks a CDN.
* Every page gets a visible notice (the theme's announcement bar) when the
  dataset is a reconstruction, and a footer (the theme's extra footer) with the dataset name and SHA-256, the git commit and package versions.
  All text from the dataset is HTML-escaped.

The dataset is ``$SLE_CART_DATA`` if set, else ``sle_cart_data`` from the
Sphinx config (``_config.yml``), relative to the book root.
"""

from __future__ import annotations

import html
import json
import os
import shutil
from pathlib import Path

import altair as alt

from . import provenance

#: Written straight into the output's _static/ at build start, and deliberately not
#: listed in html_static_path: JB1 injects every .js/.css found there into every page.
STATIC = "sle"
#: The package's own static files (CSS, JS templates).
STATIC_SRC = Path(__file__).parent / "static"


def _dataset(app):
    from sle_cart.inputs.dataset import load

    path = Path(os.environ.get("SLE_CART_DATA") or app.config.sle_cart_data)
    if not path.is_absolute():
        path = Path(app.confdir) / path
    return load(path)


def _notice(ds) -> str:
    e = html.escape
    if not ds.reconstructed:
        return ""
    return (
        '<div class="sle-notice" role="note"><strong>Reconstructed data.</strong> '
        f"The patient-level values in this book ({e(ds.name)}) are a reconstruction, generated to be "
        "consistent with the published summary statistics of the abstract. They are not the trial's "
        "patient data; individual values illustrate, only the summaries are published facts.</div>"
    )


def _footer(ds, commit: str, versions: dict) -> str:
    e = html.escape
    vers = ", ".join(f"{e(k)} {e(v)}" for k, v in versions.items())
    source = f"<br>Source: {e(ds.source)}" if ds.source else ""
    return (
        '<footer class="sle-provenance"><strong>Provenance.</strong> '
        f"Dataset <code>{e(ds.name)}</code> ({e(ds.provenance)}): "
        f"{e(ds.title)}{source}<br>"
        f"Dataset SHA-256 <code>{ds.sha256()}</code>; code commit <code>{e(commit)}</code><br>"
        f"Built with {vers}.</footer>"
    )


def _on_builder_inited(app):
    ds = _dataset(app)
    notice, footer = _notice(ds), _footer(ds, provenance.git_commit(), provenance.versions())
    # In an incremental build the environment comes from the last build. Every page
    # carries the notice, the footer and the navigation (all page titles), so when
    # any of them changed every page is re-read and re-written, not just the edited one.
    stamp = (notice, footer, _titles(Path(app.srcdir)))
    app.env.sle_cart_stale = getattr(app.env, "sle_cart_stamp", None) != stamp
    app.env.sle_cart_stamp = stamp
    app.env.sle_cart_notice, app.env.sle_cart_footer = notice, footer
    _write_static(Path(app.outdir) / "_static" / STATIC)


def _write_static(static: Path) -> None:
    """The book's CSS, the Vega version hint and the offline Vega bundle, into the site's _static."""
    import vl_convert

    static.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STATIC_SRC / "sle.css", static / "sle.css")
    versions = {
        "vega_version": alt.VEGA_VERSION,
        "vegalite_version": alt.VEGALITE_VERSION,
        "vegaembed_version": alt.VEGAEMBED_VERSION,
    }
    setup_js = (STATIC_SRC / "vega-setup.js").read_text(encoding="utf-8")
    (static / "vega-setup.js").write_text(
        setup_js.replace("__VERSIONS__", json.dumps(versions, sort_keys=True)), encoding="utf-8"
    )
    bundle = static / "vega-bundle.js"
    text = "(function(){\n" + vl_convert.javascript_bundle() + "\n})();\n"
    if not bundle.exists() or bundle.read_text(encoding="utf-8") != text:
        bundle.write_text(text, encoding="utf-8")


def _titles(srcdir: Path) -> str:
    """The table of contents and every page's level-1 headings: what the sidebar shows."""
    parts = [(srcdir / "_toc.yml").read_text(encoding="utf-8") if (srcdir / "_toc.yml").exists() else ""]
    for p in sorted(srcdir.rglob("*")):
        if p.suffix not in (".md", ".ipynb") or "_build" in p.parts:
            continue
        text = p.read_text(encoding="utf-8")
        if p.suffix == ".ipynb":
            cells = json.loads(text).get("cells", [])
            text = "\n".join(
                "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                for c in cells
                if c.get("cell_type") == "markdown"
            )
        heads = [line for line in text.splitlines() if line.startswith("# ")]
        parts.append(f"{p.relative_to(srcdir)}:{'|'.join(heads)}")
    return "\n".join(parts)


def _on_get_outdated(app, env, added, changed, removed):
    return sorted(env.found_docs - set(added) - set(changed)) if getattr(env, "sle_cart_stale", False) else []


def _on_page(app, pagename, templatename, context, doctree):
    # The theme's announcement bar and extra footer appear on every page, the
    # generated ones (index, search, module source) included; the page body does not.
    if app.env.sle_cart_notice:
        context["theme_announcement"] = app.env.sle_cart_notice
    context["theme_extra_footer"] = app.env.sle_cart_footer
    # Thebe (live code on a remote Binder kernel) cannot work offline, and Jupyter
    # Book 1 registers its configuration script twice (a console error); drop it.
    if "script_files" in context:
        context["script_files"] = [js for js in context["script_files"] if not _is_thebe(js)]


def _is_thebe(js) -> bool:
    name = str(getattr(js, "filename", js) or "")
    body = str(getattr(js, "attributes", {}).get("body", ""))
    return "thebe" in name.lower() or "THEBE_JS_URL" in body


def setup(app):
    app.add_config_value("sle_cart_data", "data/im19-sle", "env")
    app.connect("builder-inited", _on_builder_inited)
    app.connect("env-get-outdated", _on_get_outdated)
    app.connect("html-page-context", _on_page)
    app.add_js_file(f"{STATIC}/vega-setup.js", priority=200)
    app.add_js_file(f"{STATIC}/vega-bundle.js", priority=201)
    app.add_css_file(f"{STATIC}/sle.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

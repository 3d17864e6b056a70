"""Sphinx extension: offline Vega, the reconstruction notice and the provenance footer.

* Vega, Vega-Lite and vega-embed come from ``vl_convert.javascript_bundle()``,
  served as one local script.  ``VEGA_DEBUG`` is set first so that Altair's
  loader finds the libraries present and never asks a CDN.
* Every page gets a visible notice (the theme's announcement bar) when the
  dataset is a reconstruction, a line naming the publication the dataset is
  compared with (its own ``publication.yml``, else abstract 0647; the site's
  title names a dataset's own), and a footer (the theme's extra footer) with the dataset name and SHA-256, the git commit and package versions.
  All text from the dataset is HTML-escaped.
* Every page links the paper (``paper.pdf`` at the site root, written by the build)
  from the announcement bar.
* Accessibility (WCAG 2.1 AA, checked with axe-core by ``tests/test_accessibility.py``):
  once the build has finished, :func:`accessible_html` rewrites a few pieces of the
  themes' markup in every written page so that each control's accessible name
  contains its visible label (WCAG 2.5.3) and layout tables are not data tables.
  This is done in the HTML itself, not by a script at view time, so that it holds
  for assistive technology and browsers without JavaScript too; the rewrite is
  deterministic and idempotent.  Contrast, wide tables and printing are in
  ``static/sle.css``.

The dataset is ``$SLE_CART_DATA`` if set, else ``sle_cart_data`` from the
Sphinx config (``_config.yml``), relative to the book root.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from pathlib import Path

import altair as alt

from . import provenance
from .page_text import citation_text, compared_html, footer_html, notice_html, title

#: Written straight into the output's _static/ at build start, and deliberately not
#: listed in html_static_path: JB1 injects every .js/.css found there into every page.
STATIC = "sle"
#: The package's own static files (CSS, JS templates).
STATIC_SRC = Path(__file__).parent / "static"


def _dataset(app):
    from sle_cart.analysis.findings import handed_over
    from sle_cart.inputs.dataset import load

    handed = handed_over()  # in a build: the dataset the build checked, not validated a second time
    if handed is not None:
        return handed[0]
    path = Path(os.environ.get("SLE_CART_DATA") or app.config.sle_cart_data)
    if not path.is_absolute():
        path = Path(app.confdir) / path
    return load(path)


def _on_builder_inited(app):
    ds = _dataset(app)
    notice = notice_html(ds) + compared_html(ds)
    footer = citation_text(ds) + footer_html(ds, provenance.git_commit(), provenance.versions())
    # the title every page shows (navbar, window): it names a dataset's own publication
    app.config.html_title = title(ds, app.config.html_title)
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
    """In an incremental build the environment comes from the last build.  Every page carries the
    notice, the footer and the navigation (all page titles), so when any of them changed every page
    is re-read and re-written, not just the edited one.  Asked when the build reads the pages (the
    build may set Sphinx up before the chapters are in place)."""
    stamp = (env.sle_cart_notice, env.sle_cart_footer, app.config.html_title, _titles(Path(app.srcdir)))
    stale = getattr(env, "sle_cart_stamp", None) != stamp
    env.sle_cart_stamp = stamp
    return sorted(env.found_docs - set(added) - set(changed)) if stale else []


#: The paper, written by the build at the site root; every page links it.
PAPER = "paper.pdf"


def paper_link_html(href: str) -> str:
    """The link to the paper that every page shows under the notice."""
    return f'<p class="sle-paper"><a href="{html.escape(href)}">Download the paper (PDF)</a></p>'


def _on_page(app, pagename, templatename, context, doctree):
    # The theme's announcement bar and extra footer appear on every page, the
    # generated ones (index, search, module source) included; the page body does not.
    paper = paper_link_html(context["pathto"](PAPER, 1))
    context["theme_announcement"] = f'<div class="sle-banner">{app.env.sle_cart_notice}{paper}</div>'
    context["theme_extra_footer"] = app.env.sle_cart_footer
    context["author"] = ""  # the theme's "By <author>": the footer names the authors from CITATION.cff
    # Thebe (live code on a remote Binder kernel) cannot work offline, and Jupyter
    # Book 1 registers its configuration script twice (a console error); drop it.
    if "script_files" in context:
        context["script_files"] = [js for js in context["script_files"] if not _is_thebe(js)]


def _print_not_download(app, pagename, templatename, context, doctree):
    """The theme's download menu offers "window.print()" as a ".pdf" beside the real paper: call it what it is."""
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            if button.get("label") == "download-pdf-button":
                button.update(text="Print this page", tooltip="Print this page", icon="fas fa-print")


def _is_thebe(js) -> bool:
    name = str(getattr(js, "filename", js) or "")
    body = str(getattr(js, "attributes", {}).get("body", ""))
    return "thebe" in name.lower() or "THEBE_JS_URL" in body


#: (pattern, replacement) pairs applied in order to every written page; each leaves
#: text it has already rewritten unchanged.
_A11Y_REWRITES = [
    # The search field button shows "Search Ctrl+K" but is named "Search": named by what
    # it shows instead, it keeps its shortcut, which assistive technology also gets as
    # aria-keyshortcuts.
    (
        re.compile(
            r'(<button class="btn search-button-field search-button__button[^"]*"[^>]*?) aria-label="[^"]*"'
        ),
        r"\1",
    ),
    (
        re.compile(
            r'(<button class="btn search-button-field search-button__button[^"]*")(?![^>]*aria-keyshortcuts)'
        ),
        r'\1 aria-keyshortcuts="Control+K"',
    ),
    # The colour-mode button is named "Color mode"; the titles of its icons ("Light",
    # "Dark", "System Settings") became text inside it that the name lacks.
    (
        re.compile(r'(<i class="theme-switch [^"]*" data-mode="\w+")\s+title="[^"]*"'),
        r'\1 aria-hidden="true"',
    ),
    # myst-nb's hide-input toggle reads "Show code cell source" / "Hide code cell source"
    # but is named "Toggle hidden content": without the aria-label its name is what it shows.
    (re.compile(r'<summary aria-label="Toggle hidden content">'), "<summary>"),
    # The module index lays its entries out in a table without headers.
    (
        re.compile(r'<table class="indextable modindextable">'),
        '<table class="indextable modindextable" role="presentation">',
    ),
]


def accessible_html(text: str) -> str:
    """One page's HTML with the themes' accessibility defects fixed (see the module docstring)."""
    for pattern, replacement in _A11Y_REWRITES:
        text = pattern.sub(replacement, text)
    return text


def _on_build_finished(app, exception):
    """Rewrite every HTML page the builder wrote with :func:`accessible_html`."""
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for page in sorted(out.rglob("*.html")):
        if "_static" in page.relative_to(out).parts:
            continue
        text = page.read_text(encoding="utf-8")
        fixed = accessible_html(text)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def setup(app):
    app.add_config_value("sle_cart_data", "data/im19-sle", "env")
    app.connect("builder-inited", _on_builder_inited)
    app.connect("env-get-outdated", _on_get_outdated)
    app.connect("html-page-context", _on_page)
    app.connect("html-page-context", _print_not_download, priority=600)  # after the theme's buttons (501)
    app.connect("build-finished", _on_build_finished)
    app.add_js_file(f"{STATIC}/vega-setup.js", priority=200)
    app.add_js_file(f"{STATIC}/vega-bundle.js", priority=201)
    app.add_css_file(f"{STATIC}/sle.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

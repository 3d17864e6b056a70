"""A site that every reader can use (WCAG 2.1 AA), checked in a real browser.

axe-core (bundled with axe-playwright-python, no network) audits every page of the
built site in light and in dark colour mode and fails on any violation of impact
serious or critical.  Next to it, what axe cannot judge: every clinical table has a
caption and scoped header cells, every drawn chart has a text alternative, every
download is reachable with the Tab key, every page links the paper, numbers in the
wide tables never wrap at 1280 px, and a printed chapter is only its content.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest

from sle_cart.book.sphinx_ext import accessible_html
from sle_cart.present import registry
from test_browser import CHROMIUM, FLAGS, served_site  # noqa: F401  (served_site is a fixture)

#: axe-core rules tagged "experimental" that test WCAG 2.1 A/AA success criteria; off by default.
EXPERIMENTAL_WCAG_RULES = [
    "css-orientation-lock",
    "label-content-name-mismatch",
    "p-as-heading",
    "table-fake-caption",
    "td-has-header",
]
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {r: {"enabled": True} for r in EXPERIMENTAL_WCAG_RULES},
}
BLOCKING = ("serious", "critical")
PAPER_TEXT = "Download the paper (PDF)"
CHARTS_DRAWN = "() => [...document.querySelectorAll('.sle-figure')].every(f => f.querySelector('svg.marks, canvas.marks'))"
#: Per page: what axe cannot check.
PAGE_FACTS = """() => ({
  tables: [...document.querySelectorAll('table.sle-clinical')].map(t => ({
    id: t.closest('[id]') ? t.closest('[id]').id : '',
    caption: t.caption ? t.caption.textContent.trim() : '',
    unscoped: [...t.querySelectorAll('th')].filter(th => !th.getAttribute('scope')).map(th => th.textContent)})),
  charts: [...document.querySelectorAll('.sle-figure')].map(f => {
    // Vega names the chart by its description: on the drawing or on its container (graphics-document)
    const m = f.querySelector('svg.marks, canvas.marks');
    const named = m && (m.getAttribute('aria-label') ? m : m.closest('[role="graphics-document"][aria-label]'));
    return {id: f.id, label: named ? named.getAttribute('aria-label').trim() : ''};
  }),
  paper: [...document.querySelectorAll('a[href]')].filter(a => a.textContent.trim() === 'Download the paper (PDF)')
    .map(a => a.getAttribute('href')),
  downloads: [...document.querySelectorAll('a[download]')].map(a => a.href),
})"""
#: Each td.num of the clinical tables that takes more than one line: [table id, text, lines].
WRAPPED_NUMBERS = """() => [...document.querySelectorAll('table.sle-clinical td.num')].map(td => {
  const r = document.createRange(); r.selectNodeContents(td);
  const lines = new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;
  return [td.closest('[id]').id, td.textContent, lines];
}).filter(x => x[2] > 1)"""


#: In dark mode only colours differ from the light page axe has already checked in full: the
#: rules that colours decide (contrast, links told apart from text by colour) are the ones to run.
#: (The AAA rule of the same category stays off, as in the full audit.)
AXE_COLOUR_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
}


def _axe(page, options: dict = AXE_OPTIONS) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options=options)
    return [v for v in result.response["violations"] if v["impact"] in BLOCKING]


def _describe(page_name: str, mode: str, violations: list[dict]) -> list[str]:
    return [
        f"{page_name} [{mode}] {v['id']} ({v['impact']}): {', '.join(' '.join(n['target']) for n in v['nodes'])}"
        for v in violations
    ]


def _dark(page) -> None:
    """Switch the page to dark mode the way a reader's system setting does (the theme follows it)."""
    page.emulate_media(color_scheme="dark")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'")
    # the theme fades colours in: audit the colours the reader ends up with, not a blend
    page.wait_for_function(
        "() => document.getAnimations().every(a => !(a instanceof CSSTransition) || a.playState !== 'running')"
    )


def _tab_reaches(page, hrefs: list[str], max_presses: int = 600) -> set[str]:
    """The hrefs among ``hrefs`` that pressing Tab from the top of the page focuses."""
    page.evaluate(
        "() => { window.sleFocused = []; document.activeElement && document.activeElement.blur();"
        " document.addEventListener('focusin', e => window.sleFocused.push(e.target.href || '')); }"
    )
    wanted, reached = set(hrefs), set()
    for i in range(1, max_presses + 1):
        page.keyboard.press("Tab")
        if i % 25 == 0 or i == max_presses:
            reached = wanted & set(page.evaluate("() => window.sleFocused"))
            if reached == wanted:
                break
    return reached


def audit(root_url: str, pages: list[str]) -> dict:
    """Open every page in Chromium at 1280x900: axe in light and dark mode, facts, Tab order."""
    from playwright.sync_api import sync_playwright

    report = {"violations": [], "pages": {}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for rel in pages:
            page.emulate_media(color_scheme="light")
            page.goto(urljoin(root_url, rel), wait_until="load")
            page.wait_for_function(CHARTS_DRAWN, timeout=15000)
            report["violations"] += _describe(rel, "light", _axe(page))
            facts = page.evaluate(PAGE_FACTS)
            facts["wrapped"] = page.evaluate(WRAPPED_NUMBERS)
            facts["tab_reached"] = (
                sorted(_tab_reaches(page, facts["downloads"])) if facts["downloads"] else []
            )
            _dark(page)
            report["violations"] += _describe(rel, "dark", _axe(page, AXE_COLOUR_OPTIONS))
            report["pages"][rel] = facts
        browser.close()
    return report


def _code_pages_covering_every_token(site, pages: list[str]) -> list[str]:
    """Few highlighted-source pages that between them show every kind of code token.

    Sphinx draws all source pages (``_modules/``) from one template; they differ in
    which highlighted tokens (and so which colours) they hold, so auditing pages
    that cover every token class audits what any source page can show.
    """
    tokens = {
        p: set(re.findall(r'<span class="([\w-]+)"', (site / p).read_text(encoding="utf-8"))) for p in pages
    }
    wanted, chosen = set().union(*tokens.values()), []
    while wanted:
        best = max(sorted(tokens), key=lambda p: len(tokens[p] & wanted))
        chosen.append(best)
        wanted -= tokens[best]
    return sorted(chosen)


@pytest.fixture(scope="module")
def audited(served_site):  # noqa: F811
    url, site = served_site
    pages = sorted(str(p.relative_to(site)) for p in site.rglob("*.html") if "_static" not in p.parts)
    code = [p for p in pages if p.startswith("_modules/") and p != "_modules/index.html"]
    chosen = _code_pages_covering_every_token(site, code)
    assert 0 < len(chosen) < len(code)
    return audit(url, [p for p in pages if p not in code or p in chosen]), url, site


@pytest.mark.browser
def test_axe_finds_no_serious_or_critical_violation(audited):
    rep, _, _ = audited
    assert len(rep["pages"]) > 10
    assert rep["violations"] == [], "\n".join(rep["violations"])


@pytest.mark.browser
def test_every_clinical_table_has_a_caption_and_scoped_headers(audited):
    rep, _, _ = audited
    tables = [(page, t) for page, facts in rep["pages"].items() for t in facts["tables"]]
    expected = sum(1 for a in registry.ARTEFACTS if a.kind == "table")
    assert len(tables) >= expected
    assert [(page, t["id"]) for page, t in tables if not t["caption"]] == []
    assert [(page, t["id"], t["unscoped"]) for page, t in tables if t["unscoped"]] == []


@pytest.mark.browser
def test_every_drawn_chart_has_a_text_alternative(audited):
    rep, _, _ = audited
    charts = [(page, c) for page, facts in rep["pages"].items() for c in facts["charts"]]
    assert len(charts) == sum(1 for a in registry.ARTEFACTS if a.kind == "figure")
    assert [(page, c["id"]) for page, c in charts if not c["label"]] == []


@pytest.mark.browser
def test_every_download_is_reached_with_the_tab_key(audited):
    rep, _, _ = audited
    pages = {page: facts for page, facts in rep["pages"].items() if facts["downloads"]}
    assert pages, "no page has downloads"
    for page, facts in pages.items():
        assert sorted(set(facts["downloads"]) - set(facts["tab_reached"])) == [], page


@pytest.mark.browser
def test_every_page_links_the_paper(audited):
    rep, url, _ = audited
    missing = [page for page, facts in rep["pages"].items() if not facts["paper"]]
    assert missing == []
    for page, facts in rep["pages"].items():  # relative to the page, to the site root
        assert {urljoin(urljoin(url, page), href) for href in facts["paper"]} == {
            urljoin(url, "paper.pdf")
        }, page


@pytest.mark.browser
def test_numbers_in_table1_and_the_ledger_do_not_wrap_at_1280px(audited):
    rep, _, _ = audited
    wide = {f"chapters/{a.chapter}.html" for a in registry.ARTEFACTS if a.name in ("table1", "claims")}
    assert len(wide) == 2 and wide <= set(rep["pages"])
    for page in sorted(wide):
        assert rep["pages"][page]["wrapped"] == [], page


#: For each part of a page: is any of it visible?
PRINTED = """() => Object.fromEntries(Object.entries({
  navigation: '.bd-sidebar-primary, nav.bd-docs-nav', header: '.bd-header', sidebar: '.bd-sidebar-secondary',
  header_buttons: '.bd-header-article, .article-header-buttons', search: '.search-button__button, .bd-search',
  theme_switch: '.theme-switch-button', prev_next: '.prev-next-footer', code_toggles: '.cell > details > summary',
  table: 'table.sle-clinical', notice: '.sle-notice', provenance: '.sle-provenance',
}).map(([k, sel]) => [k, [...document.querySelectorAll(sel)].some(e => e.checkVisibility())]))"""


@pytest.mark.browser
def test_a_printed_chapter_is_its_content(served_site):  # noqa: F811
    from playwright.sync_api import sync_playwright

    url, _ = served_site
    table1 = next(a.chapter for a in registry.ARTEFACTS if a.name == "table1")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(urljoin(url, f"chapters/{table1}.html"), wait_until="load")
        on_screen = page.evaluate(PRINTED)
        page.emulate_media(media="print")
        printed = page.evaluate(PRINTED)
        browser.close()
    assert all(on_screen[k] for k in ("navigation", "header_buttons", "search", "code_toggles"))
    shown = {k for k, visible in printed.items() if visible}
    assert shown == {"table", "notice", "provenance"}


@pytest.mark.browser
def test_the_audit_has_teeth(served_site):  # noqa: F811
    """Put back what the extension removed (a toggle named unlike its label): axe fails the page."""
    from playwright.sync_api import sync_playwright

    url, _ = served_site
    table1 = next(a.chapter for a in registry.ARTEFACTS if a.name == "table1")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(urljoin(url, f"chapters/{table1}.html"), wait_until="load")
        assert _axe(page) == []
        page.evaluate(
            "() => document.querySelector('summary').setAttribute('aria-label', 'Toggle hidden content')"
        )
        found = {v["id"] for v in _axe(page)}
        _dark(page)  # the dark-mode audit, colours only, still sees text too faint to read
        page.evaluate(
            "() => { const p = document.createElement('p'); p.textContent = 'faint';"
            " p.style.color = '#333'; document.querySelector('main').prepend(p); }"
        )
        found_dark = {v["id"] for v in _axe(page, AXE_COLOUR_OPTIONS)}
        browser.close()
    assert found == {"label-content-name-mismatch"}
    assert found_dark == {"color-contrast"}


THEME_MARKUP = """\
<button class="btn search-button-field search-button__button pst-js-only" title="Search" aria-label="Search" \
data-bs-placement="bottom" data-bs-toggle="tooltip">
 <i class="fa-solid fa-magnifying-glass"></i>
 <span class="search-button__default-text">Search</span>
</button>
<button class="btn btn-sm pst-navbar-icon search-button search-button__button pst-js-only" title="Search" \
aria-label="Search" data-bs-placement="bottom" data-bs-toggle="tooltip">
<i class="theme-switch fa-solid fa-moon               fa-lg" data-mode="dark"  title="Dark"></i>
<summary aria-label="Toggle hidden content">
<table class="indextable modindextable">
"""


def test_accessible_html_rewrites_the_theme_markup_once():
    fixed = accessible_html(THEME_MARKUP)
    assert accessible_html(fixed) == fixed
    assert fixed.count('aria-label="Search"') == 1  # the icon-only search button keeps its name
    assert 'aria-keyshortcuts="Control+K"' in fixed
    assert 'data-mode="dark" aria-hidden="true">' in fixed and 'title="Dark"' not in fixed
    assert "<summary>" in fixed and "Toggle hidden content" not in fixed
    assert '<table class="indextable modindextable" role="presentation">' in fixed
    assert accessible_html("<p>Search</p>") == "<p>Search</p>"

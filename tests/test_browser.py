"""A real browser over the built site: offline, every chart drawn, no errors, no broken links.

Needs Debian's Chromium (/usr/bin/chromium) and Playwright for Python. In CI
(``CI`` or ``SLE_CART_REQUIRE_BROWSER`` set) a missing browser fails the test;
elsewhere the test is skipped with the install command.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin
from urllib.request import urlopen

import pytest

from conftest import ROOT
from sle_cart.inputs.dataset import load
from sle_cart.present import registry, summary

CHROMIUM = os.environ.get("SLE_CART_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = ROOT / "_build" / "screenshots"
pytestmark = pytest.mark.browser


def _require_browser():
    required = bool(os.environ.get("CI") or os.environ.get("SLE_CART_REQUIRE_BROWSER"))
    missing = None
    if not Path(CHROMIUM).exists():
        missing = f"Chromium not found at {CHROMIUM}; install it with: sudo apt-get install chromium"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "Playwright for Python is missing; run: make setup"
    if missing:
        if required:
            pytest.fail(missing)
        pytest.skip(missing)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """Chromium drops connections it no longer needs (a page left while a request was under way):
        not an error of the site, so no traceback in the test log; anything else is still printed."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def served_site(bundled_build):
    _require_browser()
    _, base = bundled_build
    handler = functools.partial(_Quiet, directory=str(base / "html"))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", base / "html"
    server.shutdown()


def browse(root_url: str, site: Path, pages: list[str], chart_timeout_ms: int = 15000) -> dict:
    """Open each page in headless Chromium; collect console errors, foreign requests and chart state."""
    from playwright.sync_api import sync_playwright

    report_ = {"errors": [], "foreign": [], "pages": {}}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on(
            "console",
            lambda m: report_["errors"].append(f"{page.url}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: report_["errors"].append(f"{page.url}: {e}"))
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith(root_url) or r.url.startswith(("data:", "blob:"))
                else report_["foreign"].append(r.url)
            ),
        )
        for rel in pages:
            page.goto(urljoin(root_url, rel), wait_until="load")
            n_charts = page.locator(".sle-figure").count()
            if n_charts:
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.sle-figure')].every("
                    "f => f.querySelector('svg.marks, canvas.marks'))",
                    timeout=chart_timeout_ms,
                )
            drawn = page.locator(".sle-figure svg.marks, .sle-figure canvas.marks").count()
            notice = page.locator(".sle-notice")
            report_["pages"][rel] = {
                "charts": n_charts,
                "drawn": drawn,
                "notice_visible": notice.count() > 0 and notice.first.is_visible(),
                "text": page.inner_text("body"),
                "links": page.eval_on_selector_all(
                    "a[href], link[href], script[src], img[src]", "els => els.map(e => e.href || e.src)"
                ),
            }
            if not rel.startswith("_modules/"):  # for a person to look at: the reader's pages, not the code
                page.screenshot(path=str(SCREENSHOTS / (rel.replace("/", "__") + ".png")), full_page=True)
        browser.close()
    return report_


@pytest.fixture(scope="module")
def browsed(served_site):
    url, site = served_site
    pages = sorted(str(p.relative_to(site)) for p in site.rglob("*.html") if "_static" not in p.parts)
    return browse(url, site, pages), url, site


def test_every_chart_is_drawn(browsed):
    rep, _, _ = browsed
    with_charts = {k: v for k, v in rep["pages"].items() if v["charts"]}
    expected = Counter(f"chapters/{a.chapter}.html" for a in registry.ARTEFACTS if a.kind == "figure")
    assert {k: v["charts"] for k, v in with_charts.items()} == dict(expected)
    for page, info in with_charts.items():
        assert info["drawn"] == info["charts"], page


def test_no_console_errors_and_nothing_leaves_localhost(browsed):
    rep, _, _ = browsed
    assert rep["errors"] == []
    assert rep["foreign"] == []


def test_reconstruction_notice_visible_on_every_page(browsed):
    rep, _, _ = browsed
    assert [p for p, info in rep["pages"].items() if not info["notice_visible"]] == []


def test_summary_shows_the_glued_numbers(browsed):
    rep, _, _ = browsed
    text = rep["pages"]["chapters/01-summary.html"]["text"]
    values = summary.summary_values(load(ROOT / "data" / "im19-sle"))
    for key in (
        "car_t_peak_median",
        "car_t_peak_day_median",
        "sledai_baseline_median",
        "sledai_m1_median",
        "sledai_m3_p_value",
        "disease_duration_median",
        "follow_up_median",
        "bcell_day1",
    ):
        assert values[key] in text, key
    assert re.search(r"peaked at a median of 188\.1 cells/µL", text)
    assert "{glue" not in text and "not evaluable" not in text


def test_every_internal_link_and_download_resolves(browsed):
    rep, url, _ = browsed
    targets = set()
    for info in rep["pages"].values():
        for link in info["links"]:
            if link.startswith(url):
                targets.add(link.split("#")[0])
    assert any(t.endswith(".svg") for t in targets) and any(t.endswith("claims.json") for t in targets)
    assert urljoin(url, "paper.pdf") in targets  # every page links the paper, and it resolves
    broken = []
    for t in sorted(targets):
        try:
            with urlopen(t) as r:
                if r.status != 200:
                    broken.append((t, r.status))
        except Exception as exc:  # HTTPError for 404
            broken.append((t, str(exc)))
    assert broken == []


def test_browser_check_fails_without_the_offline_vega_bundle(served_site, tmp_path):
    """The check has teeth: remove the local Vega bundle and charts are no longer drawn."""
    _url, site = served_site
    broken = tmp_path / "site"
    shutil.copytree(site, broken)
    (broken / "_static" / "sle" / "vega-bundle.js").unlink()
    handler = functools.partial(_Quiet, directory=str(broken))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        from playwright.sync_api import Error as PlaywrightError

        with pytest.raises(PlaywrightError):  # waiting for drawn charts times out
            browse(
                f"http://127.0.0.1:{server.server_address[1]}/",
                broken,
                ["chapters/03-fig1a-car-t-kinetics.html"],
                chart_timeout_ms=4000,
            )
    finally:
        server.shutdown()


#: Each chart's own background and its output panel's background, once the charts are drawn.
CHART_BACKDROP = """() => [...document.querySelectorAll('.sle-figure')].map(f => [
  getComputedStyle(f.querySelector('.marks')).backgroundColor,
  getComputedStyle(f.closest('.text_html') || f).backgroundColor,
])"""
CLEAR = ("rgba(0, 0, 0, 0)", "transparent")


def test_charts_follow_the_readers_dark_theme(served_site):
    """Light: charts on white. Dark (switched after the page drew): redrawn on a transparent background."""
    from playwright.sync_api import sync_playwright

    url, _ = served_site
    drawn = "() => [...document.querySelectorAll('.sle-figure')].every(f => f.querySelector('.marks'))"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(urljoin(url, "chapters/04-fig1b-b-cell-depletion.html"), wait_until="load")
        page.wait_for_function(drawn)
        light = page.evaluate(CHART_BACKDROP)
        page.emulate_media(color_scheme="dark")
        page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.sle-figure .marks')].every("
            "m => ['rgba(0, 0, 0, 0)', 'transparent'].includes(getComputedStyle(m).backgroundColor))",
            timeout=10000,
        )
        dark = page.evaluate(CHART_BACKDROP)
        browser.close()
    assert light and all(chart == "rgb(255, 255, 255)" for chart, _ in light)
    assert dark and all(chart in CLEAR and panel in CLEAR for chart, panel in dark)

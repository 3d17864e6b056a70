"""Tables that fit, in a real browser, on a desktop (1280 px) and on a phone (390 px).

* A table wider than the box it is shown in sits in a scroll region that says so: named
  ("… (scrolls sideways)"), focusable, scrollable, with a fade at the edge; no column is ever
  cut off without that cue.
* No cell splits a number or a word across lines.
* The ledger keeps the claim and its verdict on screen on a phone, however far it is scrolled.
"""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from sle_cart.present import registry
from test_browser import CHROMIUM, FLAGS, served_site  # noqa: F401  (served_site is a fixture)

pytestmark = pytest.mark.browser
WIDTHS = (1280, 390)

#: Every table of the article that reaches beyond the box that shows it, and what its scroll box lacks.
HIDDEN_COLUMNS = """() => {
  const clipping = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement)
      if (getComputedStyle(a).overflowX !== 'visible') return a;
    return null;
  };
  const out = [];
  for (const t of document.querySelectorAll('article table')) {
    const clip = clipping(t);
    const view = clip ? clip.getBoundingClientRect() : {left: 0, right: document.documentElement.clientWidth};
    const r = t.getBoundingClientRect();
    if (r.right <= view.right + 1 && r.left >= view.left - 1) continue;  // every column in view
    const box = t.closest('.sle-scroll');
    const problems = [];
    if (!box || box !== clip) problems.push('not in a scroll region');
    else {
      if (box.getAttribute('role') !== 'region') problems.push('no region role');
      if (!/scrolls sideways/.test(box.getAttribute('aria-label') || '')) problems.push('not named as scrolling');
      if (box.tabIndex !== 0) problems.push('not focusable');
      if (box.scrollWidth <= box.clientWidth) problems.push('does not scroll');
      if (!/gradient/.test(getComputedStyle(box).backgroundImage)) problems.push('no fade cue');
    }
    if (problems.length) out.push([t.caption ? t.caption.textContent.trim() : t.className, problems]);
  }
  return out;
}"""
#: Every run of non-space text in a clinical table's cells that takes more than one line.
SPLIT_WORDS = """() => {
  const out = [];
  for (const cell of document.querySelectorAll('table.sle-clinical th, table.sle-clinical td')) {
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].map(x => Math.round(x.top))).size;
        if (lines > 1) out.push(m[0]);
      }
    }
  }
  return out;
}"""
#: The ledger's first row on a phone: are its claim and its verdict inside the scroll box, at the
#: start and scrolled halfway and all the way?
LEDGER_KEY_CELLS = """() => {
  const box = document.querySelector('#table-claims .sle-scroll');
  const row = box.querySelector('tbody tr');
  const verdict = [...box.querySelectorAll('thead th')].findIndex(th => th.textContent.trim() === 'Verdict');
  const inside = el => { const a = el.getBoundingClientRect(), b = box.getBoundingClientRect();
    return a.left >= b.left - 1 && a.right <= b.right + 1 && a.right <= document.documentElement.clientWidth + 1; };
  const seen = [];
  for (const f of [0, 0.5, 1]) {
    box.scrollLeft = f * (box.scrollWidth - box.clientWidth);
    seen.push([inside(row.children[0]), inside(row.children[verdict])]);
  }
  return {scrolls: box.scrollWidth > box.clientWidth, seen};
}"""


def _pages() -> list[str]:
    return [
        "index.html",
        *sorted({f"chapters/{a.chapter}.html" for a in registry.ARTEFACTS if a.kind == "table"}),
    ]


@pytest.fixture(scope="module")
def measured(served_site):  # noqa: F811
    from playwright.sync_api import sync_playwright

    url, _ = served_site
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 900})
            for rel in _pages():
                page.goto(urljoin(url, rel), wait_until="load")
                out[width, rel] = {
                    "hidden": page.evaluate(HIDDEN_COLUMNS),
                    "split": page.evaluate(SPLIT_WORDS),
                }
            ledger = next(a.chapter for a in registry.ARTEFACTS if a.name == "claims")
            page.goto(urljoin(url, f"chapters/{ledger}.html"), wait_until="load")
            out[width, "ledger"] = page.evaluate(LEDGER_KEY_CELLS)
            page.close()
        browser.close()
    return out


@pytest.mark.parametrize("width", WIDTHS)
def test_no_column_is_hidden_without_a_scroll_cue(measured, width):
    hidden = {
        rel: m["hidden"] for (w, rel), m in measured.items() if w == width and rel != "ledger" and m["hidden"]
    }
    assert hidden == {}


@pytest.mark.parametrize("width", WIDTHS)
def test_no_cell_splits_a_number_or_a_word(measured, width):
    split = {
        rel: m["split"] for (w, rel), m in measured.items() if w == width and rel != "ledger" and m["split"]
    }
    assert split == {}


def test_the_ledger_on_a_phone_keeps_claim_and_verdict_in_view(measured):
    ledger = measured[390, "ledger"]
    assert ledger["scrolls"]  # the test means something only where the ledger is wider than a phone
    assert ledger["seen"] == [[True, True]] * 3

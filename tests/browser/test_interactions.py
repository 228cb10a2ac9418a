"""What a reader does: copy a block, search, switch theme, switch tabs."""

import re

import pytest

from tools import records
from tools.blocks import page_blocks

pytestmark = pytest.mark.browser

CHAPTER = "history/1986-backprop/"
TABLES = "glossary/batch-size/"  # a page with tables


def test_copy_button_copies_the_code_that_ran(visit, site):
    v = visit(CHAPTER)
    v.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    block = v.page.locator("div.language-python.highlight").first
    block.hover()
    block.locator("button[data-md-type=copy]").click()
    copied = v.page.evaluate("navigator.clipboard.readText()")
    html = (site / CHAPTER / "index.html").read_text()
    expected = page_blocks(html, CHAPTER)[0]
    assert copied.rstrip("\n") == expected.code.rstrip("\n")
    # the build ran exactly this text, as a reader would, and recorded it
    plan = records.plan("history/1986-backprop.md")
    ran = plan.records[plan.shown[0].index]
    assert copied.rstrip("\n") == ran["code"].rstrip("\n")
    assert "w=0.502997366709045" in ran["stdout"]


def search(v, words: str) -> list[str]:
    """Type into the site's search box (replacing what it holds); the
    result links, best first, once they answer the whole query."""
    focused = v.page.evaluate("document.activeElement?.classList"
                              ".contains('md-search__input')")
    if not focused:
        v.page.keyboard.press("/")  # material's shortcut opens the search
    v.page.keyboard.press("Control+A")
    v.page.keyboard.type(words, delay=20)  # key by key, as a reader
    links = v.page.locator(".md-search-result__item a")
    links.first.wait_for(timeout=10_000)
    # Results follow each key from a web worker, which lags behind the
    # keys on a busy machine: the answer to "learning" can sit still for
    # a while before "learning-rate decay"'s comes (CI saw it). Each link
    # carries the terms it answers (?h=learning+rate+decay): wait for the
    # whole query's, then until the list settles. Read the links in one
    # call: the list is re-rendered between answers, so counting first
    # and reading the n-th after can wait on a link that is gone.
    terms = "h=" + "+".join(re.findall(r"\w+", words.lower()))
    hits, before = [], None
    for _ in range(80):
        hits = links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
        answered = bool(hits) and terms in hits[0].split("#")[0]
        if answered and hits == before:
            return hits
        before = hits if answered else None
        v.page.wait_for_timeout(250)
    raise AssertionError(f"search for {words!r}: no settled answer to the "
                         f"whole query ({terms}) in 20 s; last: {hits[:3]}")


def test_search_finds_a_name_on_the_timeline_and_references(visit):
    # "Linnainmaa" is in no title: the index keeps the timeline and the
    # References page whole (tools/search_index.py), and the timeline
    # links the 1986 chapter
    hits = search(visit(""), "Linnainmaa")
    pages = {h.split("?")[0].split("#")[0] for h in hits}
    assert any(p.endswith("/history/timeline/") for p in pages), hits
    assert any(p.endswith("/references/") for p in pages), hits


def test_search_finds_every_hyperparameter_first(visit, site):
    # the index holds summaries only (at most 150 KB): a hyperparameter's
    # name, typed as a reader types it, still finds its glossary page first
    from bs4 import BeautifulSoup

    v = visit("", index=True)
    pages = sorted(p.parent.name for p in (site / "glossary").glob(
        "*/index.html"))
    assert len(pages) >= 12
    for name in pages:
        html = (site / "glossary" / name / "index.html").read_text()
        title = BeautifulSoup(html, "html.parser").h1.get_text(strip=True)
        title = title.removesuffix("¶")
        hits = search(v, title.lower())
        first = hits[0].split("?")[0].split("#")[0]
        # exactly: "learning rate" must not find learning-rate-decay
        assert first.endswith(f"/glossary/{name}/"), (title, hits[:3])


def test_dark_mode_toggle_switches_and_persists(visit):
    v = visit("", color_scheme="light")
    scheme = "document.body.getAttribute('data-md-color-scheme')"
    assert v.page.evaluate(scheme) == "default"
    v.page.get_by_title("Switch to dark mode").first.click()
    assert v.page.evaluate(scheme) == "slate"
    v.page.reload(wait_until="networkidle")
    assert v.page.evaluate(scheme) == "slate"
    v.goto(CHAPTER)  # and on another page
    assert v.page.evaluate(scheme) == "slate"


# What the theme's script changes as a page loads, and after, each a
# restyle of every element: the body's "switching" mark (stops transitions
# for a frame), the <meta name="color-scheme"> it adds, the classes of
# <html>, and a table taken out of the page (to wrap it).
CHANGES = """
window.__changes = [];
new MutationObserver((records) => {
  for (const r of records) {
    if (r.attributeName === "data-md-color-switching")
      __changes.push("switching " + (r.target.hasAttribute(
        "data-md-color-switching") ? "on" : "off"));
    else if (r.target.name === "color-scheme")
      __changes.push("meta " + r.target.content);
    else if (r.target === document.documentElement && document.body
             && r.attributeName === "class"
             && r.oldValue !== r.target.className)  // the same: no restyle
      __changes.push("html class " + r.target.className);
    for (const node of r.addedNodes)
      if (node.name === "color-scheme") __changes.push("meta " + node.content);
    for (const node of r.removedNodes)
      if (node.nodeName === "TABLE") __changes.push("table moved");
  }
}).observe(document, {
  subtree: true, attributes: true, childList: true, attributeOldValue: true,
  attributeFilter: ["data-md-color-switching", "content", "class"]});
"""


@pytest.mark.parametrize("reader", ["light", "dark"])
def test_the_theme_restyles_the_page_only_when_it_changes(visit, reader):
    # tools/hooks.py, patch_bundle, and overrides/main.html: loading a
    # page restyles it no more than its palette needs; a reader's switch
    # still works as the theme's.
    v = visit(TABLES, color_scheme=reader)
    v.page.add_init_script(CHANGES)
    v.page.reload(wait_until="networkidle")
    assert v.page.locator(".md-typeset__table > table").count() >= 1
    assert v.page.locator(".md-typeset__table .md-typeset__table").count() == 0
    meta = "document.querySelector('meta[name=color-scheme]')?.content"
    if reader == "light":  # no meta: a page is drawn light without one
        assert v.page.evaluate("__changes") == []
        assert v.page.evaluate(meta) is None
        toggle, scheme = "Switch to dark mode", "dark"
    else:  # the dark palette needs it, once
        assert v.page.evaluate("__changes") == ["meta dark"]
        toggle, scheme = "Switch to light mode", "light"
    v.page.get_by_title(toggle).first.click()
    v.page.wait_for_function(
        "__changes.includes('switching off')", timeout=5_000)
    assert v.page.evaluate("__changes").count("switching on") == 1
    assert v.page.evaluate(meta) == scheme


def test_linked_tabs_switch_together(visit):
    v = visit(CHAPTER)
    sets = v.page.locator(".tabbed-set")
    pytorch = v.page.locator(".tabbed-labels label", has_text="PyTorch")
    assert pytorch.count() >= 2, "the test needs two NumPy|PyTorch tab sets"
    pytorch.first.click()
    for i in range(sets.count()):
        labels = sets.nth(i).locator(".tabbed-labels label")
        texts = labels.all_inner_texts()
        if "PyTorch" in texts:
            idx = texts.index("PyTorch")
            radio = sets.nth(i).locator(":scope > input").nth(idx)
            assert radio.is_checked(), f"tab set {i} did not follow"


def test_a_dark_system_preference_opens_in_dark_mode(visit):
    from tests.browser.test_pages import COLOUR_RULES, serious_violations

    v = visit(CHAPTER, color_scheme="dark")
    scheme = "document.body.getAttribute('data-md-color-scheme')"
    assert v.page.evaluate(scheme) == "slate"
    assert serious_violations(v.page, rules=COLOUR_RULES) == []

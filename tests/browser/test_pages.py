"""Every page, in light and in dark mode, in a real browser: no console
errors, no failed requests, no request to another host, math rendered,
images and figures shown, and no serious or critical accessibility
violation (axe-core, bundled with axe-playwright-python: offline)."""

import os
from pathlib import Path

import pytest

from tests.pages import PAGES, url_path

pytestmark = pytest.mark.browser

STATE = """() => {
  const article = document.querySelector("article");
  const math = [...document.querySelectorAll(".arithmatex")];
  return {
    unrendered: math.filter(el => !el.querySelector("math")).length,
    raw_tex: /\\\\\\(|\\\\\\[/.test(article.innerText),
    tex_errors: document.querySelectorAll(".temml-error").length,
    images_broken: [...document.images]
      .filter(img => !(img.complete && img.naturalWidth > 0))
      .map(img => img.src),
    figures: [...document.querySelectorAll("svg.hpe-figure")]
      .map(svg => svg.getBoundingClientRect().width),
  };
}"""


# Code blocks and their output boxes look the same on every page (one
# stylesheet, one Pygments theme), and checking their thousands of
# highlighted tokens is most of axe's time: they are checked in full on
# these pages, in both themes, and left out elsewhere. A block gets its
# token spans when it comes near the screen (tools/highlight.py): every
# shown block is scrolled to first.
CODE_CHECKED = {"history/1986-backprop.md", "glossary/momentum.md",
                "models/transformer.ipynb"}
SHOWN_UNPAINTED = """() => [...document.querySelectorAll('code[data-hl]')]
  .filter(code => code.checkVisibility())"""


def paint_all_code(page) -> None:
    """Scroll every shown code block into view, so that it is coloured."""
    for code in page.evaluate_handle(SHOWN_UNPAINTED).get_properties(
            ).values():
        code.as_element().scroll_into_view_if_needed()
    page.wait_for_function(f"({SHOWN_UNPAINTED})().length === 0",
                           timeout=10_000)
    page.evaluate("window.scrollTo(0, 0)")


# What changes between the themes is colour: in the second theme, the
# page's DOM is the same, and only the colour rules run again.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def serious_violations(page, *, code=True, rules=None) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    context = None if code else {"exclude": [[".highlight"]]}
    options = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    found = Axe().run(page, context=context, options=options)
    return [
        f"{x['id']} ({x['impact']}): {x['help']} at "
        + "; ".join(str(n["target"][0]) for n in x["nodes"][:3])
        for x in found.response["violations"]
        if x["impact"] in ("serious", "critical")
    ]


SCHEME = "document.body.getAttribute('data-md-color-scheme')"
LOAD_IMAGES = """async () => {
  const images = [...document.images];
  images.forEach((img) => { img.loading = "eager"; });
  await Promise.all(images.map((img) => img.decode().catch(() => null)));
}"""


@pytest.mark.parametrize("md", PAGES, ids=str)
def test_page(md, visit):
    """The page in the light theme, then in the dark one, switched with
    the theme toggle as a reader does (loading in dark mode, from the
    reader's system preference, is tests/browser/test_interactions.py's)."""
    v = visit(url_path(md), color_scheme="light", index=True)
    # lazy figures (notebook pages) load only near the screen: load them
    # all, as a reader scrolling through does, before counting failures
    v.page.evaluate(LOAD_IMAGES)
    assert v.console_errors == []
    assert v.failed == []
    assert v.external == [], "requests to another host"
    state = v.page.evaluate(STATE)
    assert state["unrendered"] == 0 and not state["raw_tex"], "raw TeX"
    assert state["tex_errors"] == 0
    assert state["images_broken"] == []
    code = md.as_posix() in CODE_CHECKED
    if code:
        paint_all_code(v.page)
        assert v.page.locator(".highlight code span.k").count() > 0
    assert serious_violations(v.page, code=code) == [], "light theme"
    v.page.get_by_title("Switch to dark mode").first.click()
    assert v.page.evaluate(SCHEME) == "slate"
    assert serious_violations(v.page, code=code, rules=COLOUR_RULES) == [], (
        "dark theme")
    assert v.console_errors == [] and v.failed == [] and v.external == []


def test_figures_are_drawn(visit):
    v = visit("history/1986-backprop/")
    v.page.locator(".tabbed-labels label", has_text="Figure").first.click()
    widths = v.page.evaluate(STATE)["figures"]
    assert widths and all(w > 200 for w in widths)


def test_math_is_mathml_in_the_served_math_font(visit):
    v = visit("history/1986-backprop/")
    assert v.page.locator("math").count() > 20
    assert v.page.locator("math[display=block]").count() >= 4
    # the font loaded (the preload and the stylesheet name the same file),
    # and a formula is laid out in it, not in a fallback
    assert v.page.evaluate(
        "document.fonts.ready.then(() => [...document.fonts].some("
        "f => f.family === 'STIX2' && f.status === 'loaded'))")
    assert v.page.evaluate(
        "getComputedStyle(document.querySelector('math')).fontFamily"
    ).startswith("STIX2")


SCREENSHOTS = ["", "history/1986-backprop/", "references/"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", SCREENSHOTS)
def test_screenshot(path, scheme, visit, tmp_path):
    # The GitHub workflow sets HPE_SCREENSHOTS and keeps the folder as an
    # artefact; elsewhere they go to pytest's temporary folder.
    folder = Path(os.environ.get("HPE_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    v = visit(path, color_scheme=scheme, viewport={"width": 1280,
                                                   "height": 900})
    name = (path.strip("/").replace("/", "_") or "home") + f"-{scheme}.png"
    v.page.screenshot(path=folder / name, full_page=True)
    assert (folder / name).stat().st_size > 20_000

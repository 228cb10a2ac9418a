"""Code colours in a real browser (tools/highlight.py and
docs/assets/javascripts/highlight.js): a block gets its token spans when
it comes near the screen, not before; the spans carry the theme's colours;
the text a reader reads and copies is the text that ran."""

import pytest

from tools.blocks import page_blocks

pytestmark = pytest.mark.browser

PAGE = "tuning/comparison/"  # the longest listings on the site
PHONE = {"viewport": {"width": 412, "height": 823}, "is_mobile": True,
         "device_scale_factor": 1.75}

UNPAINTED = "document.querySelectorAll('code[data-hl]').length"


def test_blocks_are_coloured_near_the_screen(visit, site):
    v = visit(PAGE, **PHONE)
    page = v.page
    waiting = page.evaluate(UNPAINTED)
    assert waiting >= 5, "blocks far below the screen wait to be painted"
    spans = page.evaluate("document.querySelectorAll("
                          "'.highlight code span').length")
    assert spans < 1500, f"{spans} token spans at load"
    # scroll the last block with an import into view: it gets its spans
    last = page.locator("article > div.language-python.highlight code",
                        has_text="import").last
    last.scroll_into_view_if_needed()
    page.wait_for_function(
        "el => !el.hasAttribute('data-hl')", arg=last.element_handle(),
        timeout=5_000)
    assert last.locator("span").count() > 20
    assert page.evaluate(UNPAINTED) < waiting
    # the text is the code the build ran, character for character
    built = page_blocks((site / PAGE / "index.html").read_text(), PAGE)
    shown = last.evaluate("el => el.textContent")
    assert shown.rstrip("\n") in [b.code.rstrip("\n") for b in built]
    # keywords in the theme's keyword colour, not the code colour
    colours = last.evaluate("""el => {
      const k = el.querySelector('span.kn');
      const probe = document.createElement('span');
      probe.style.color = 'var(--md-code-hl-keyword-color)';
      el.append(probe);
      const out = [getComputedStyle(k).color,
                   getComputedStyle(probe).color,
                   getComputedStyle(el).color];
      probe.remove();
      return out;
    }""")
    keyword, theme_keyword, plain = colours
    assert keyword == theme_keyword != plain

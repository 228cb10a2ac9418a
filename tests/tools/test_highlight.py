"""tools/highlight.py: a code block's text is kept exactly, and its
tokens, painted the way docs/assets/javascripts/highlight.js paints them,
give back Pygments' colours (the browser side is in
tests/browser/test_highlight.py)."""

import re

import markdown
import pytest
from bs4 import BeautifulSoup

from tools import highlight

SOURCE = '''\
import math  # 𝔼 is outside the BMP: two UTF-16 units

def f(x, *, lr=0.1):
    """Docstring <b>not markup</b> & more."""
    return x - lr * math.sqrt(x) if x > 0 else "𝔼[x]"
'''


def rendered(code: str) -> str:
    md = markdown.Markdown(
        extensions=["pymdownx.highlight", "pymdownx.superfences"],
        extension_configs={"pymdownx.highlight": {
            "pygments_lang_class": True}})
    return md.convert(f"```python\n{code}```")


def paint(flat_code) -> list[tuple[str, str]]:
    """highlight.js's paint in Python: (class, text) per token, with
    offsets counted in UTF-16 code units as JavaScript counts them."""
    units = flat_code.get_text().encode("utf-16-le")
    out, at = [], 0
    for run in flat_code["data-hl"].split(" "):
        cls, gap, length = run.split(":")
        start = at + int(gap)
        at = start + int(length)
        out.append((cls, units[2 * start:2 * at].decode("utf-16-le")))
    return out


def coloured(original_code) -> list[tuple[str, str]]:
    """Pygments' tokens that the theme colours, adjacent ones of one class
    joined, as highlight.flatten joins them."""
    out = []
    for span in original_code.find_all("span", class_=True):
        cls = " ".join(span["class"])
        text = span.get_text()
        if cls in highlight.PLAIN or not text.strip():
            continue
        out.append((cls, text))
    return out


def test_text_is_kept_and_tokens_paint_pygments_colours():
    page = rendered(SOURCE)
    before = BeautifulSoup(page, "html.parser").find("code")
    flat = BeautifulSoup(highlight.flatten(page), "html.parser").find("code")
    assert flat.find("span") is None  # one text node, no element per token
    assert flat.get_text() == before.get_text()  # every character, as is
    painted = paint(flat)
    # each run is one of Pygments' coloured tokens, or neighbours of one
    # class merged; read in order, they are the coloured tokens
    expected = coloured(before)
    joined = []
    for cls, text in expected:
        if joined and joined[-1][0] == cls and before.get_text().find(
                joined[-1][1] + text) >= 0:
            joined[-1] = (cls, joined[-1][1] + text)
        else:
            joined.append((cls, text))
    assert painted == joined
    assert ("s2", '"𝔼[x]"') in painted  # after a non-BMP character
    assert ("sd", '"""Docstring <b>not markup</b> & more."""') in painted


def test_markup_in_text_stays_escaped():
    out = highlight.flatten(rendered('s = "<script>alert(1)</script>"\n'))
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_blocks_without_tokens_and_other_markup_are_left_alone():
    plain = ('<div class="language-text highlight"><pre><span></span>'
             '<code>loss 0.5 &lt; 1\n</code></pre></div>')
    got = highlight.flatten(plain)
    assert "data-hl" not in got and "loss 0.5 &lt; 1" in got
    nested = ('<pre><code><span class="k">def</span> <a href="#x">'
              'link</a></code></pre>')
    assert highlight.flatten(nested) == nested


@pytest.mark.parametrize("page", ["history/1986-backprop",
                                  "tuning/comparison"])
def test_built_pages_have_no_token_spans(page, site):
    built = (site / page / "index.html").read_text()
    soup = BeautifulSoup(built, "html.parser")
    codes = soup.select("div.highlight pre code")
    assert codes and all(c.find("span") is None for c in codes)
    assert any(c.get("data-hl") for c in codes)
    # the page loads the script that colours them
    assert re.search(r'<script src="[./]*assets/javascripts/highlight\.js"'
                     r' defer>', built)

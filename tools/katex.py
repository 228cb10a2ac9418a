"""Render the page's TeX to HTML at build time with the vendored KaTeX.

pymdownx.arithmatex (generic mode) leaves ``<span class="arithmatex">\\(…\\)
</span>`` and ``<div class="arithmatex">\\[…\\]</div>`` in the page. Here
KaTeX itself (docs/assets/vendor/katex/katex.min.js, run by the QuickJS
engine from the `quickjs` package) turns each into HTML and MathML, so a
page needs no script to show math, only KaTeX's stylesheet and fonts. A
TeX error fails the build.
"""

import html
import re
from functools import cache

import quickjs

from tools import ROOT

KATEX_JS = ROOT / "docs/assets/vendor/katex/katex.min.js"
ARITHMATEX = re.compile(  # not yet rendered: the content is still \( or \[
    r'<(?P<tag>span|div) class="arithmatex">(?P<tex>\s*\\[(\[].*?)'
    r"</(?P=tag)>",
    re.S,
)


class TeXError(ValueError):
    """KaTeX could not render a formula."""


@cache
def _renderer():
    ctx = quickjs.Context()
    ctx.eval(KATEX_JS.read_text())
    ctx.eval(
        "function render(tex, display) {"
        "  return katex.renderToString(tex, {displayMode: display,"
        "    throwOnError: true, strict: 'error', output: 'htmlAndMathml'});"
        "}"
    )
    return ctx.get("render")


@cache
def render(tex: str, *, display: bool) -> str:
    """KaTeX's HTML for one formula."""
    try:
        return _renderer()(tex, display)
    except quickjs.JSException as error:
        message = str(error).splitlines()[0]
        raise TeXError(f"{message} in: {tex}") from None


def render_page(content: str) -> str:
    """Every arithmatex formula of a page's HTML, rendered."""

    def one(match: re.Match) -> str:
        tex = html.unescape(match["tex"]).strip()
        display = tex.startswith("\\[")
        if tex[-2:] not in ("\\)", "\\]"):
            raise TeXError(f"unexpected arithmatex output: {tex[:40]}")
        out = render(tex[2:-2].strip(), display=display)
        if display:
            # A wide formula scrolls sideways; a keyboard must reach it
            # (axe: scrollable-region-focusable).
            return f'<div class="arithmatex" tabindex="0">{out}</div>'
        return f'<span class="arithmatex">{out}</span>'

    return ARITHMATEX.sub(one, content)

"""Render the page's TeX to MathML at build time with the vendored Temml,
and serve the math font cut to the site's own symbols.

pymdownx.arithmatex (generic mode) leaves ``<span class="arithmatex">\\(…\\)
</span>`` and ``<div class="arithmatex">\\[…\\]</div>`` in the page. Here
Temml (docs/assets/vendor/temml/temml.min.js, run by the QuickJS engine
from the `quickjs` package) turns each into MathML Core, which browsers
lay out natively: a page needs no script to show math, only Temml's
stylesheet and one font. A TeX error fails the build.

MathML is one element per symbol. KaTeX, used here before, wrote each
formula twice (MathML for screen readers, HTML for the eye) and its HTML
took about three times the elements: three quarters of the largest page's
5,500 elements, each restyled whenever the theme restyles the page.

The font is STIX Two Math, whose OpenType MATH table places fractions,
roots, scripts and stretchy brackets. Whole, it weighs 372 KB; the build
keeps only the glyphs the site's formulas use, with the variants and
parts the MATH table draws them from (``subset_font``).
"""

import html
import io
import re
from functools import cache
from pathlib import Path

import quickjs
from fontTools import subset
from fontTools.ttLib import TTFont

from tools import ROOT

VENDOR = ROOT / "docs/assets/vendor/temml"
TEMML_JS = VENDOR / "temml.min.js"
FONT = VENDOR / "stix-two-math.woff"  # whole; the site gets a subset
SUBSET = "assets/vendor/temml/STIXTwoMath.woff"  # named by the CSS
ARITHMATEX = re.compile(  # not yet rendered: the content is still \( or \[
    r'<(?P<tag>span|div) class="arithmatex">(?P<tex>\s*\\[(\[].*?)'
    r"</(?P=tag)>",
    re.S,
)
MATH = re.compile(r"<math\b.*?</math>", re.S)
TAG = re.compile(r"<[^>]*>")


class TeXError(ValueError):
    """Temml could not render a formula."""


@cache
def _renderer():
    ctx = quickjs.Context()
    ctx.eval(TEMML_JS.read_text())
    # strict: TeX that LaTeX itself would reject is an error; wrap "tex":
    # inline math may break after a relation or an operator, as in LaTeX
    # (a phone's line is narrow)
    ctx.eval(
        "function render(tex, display) {"
        "  return temml.renderToString(tex, {displayMode: display,"
        "    throwOnError: true, strict: true,"
        "    wrap: display ? 'none' : 'tex'});"
        "}"
    )
    return ctx.get("render")


@cache
def render(tex: str, *, display: bool) -> str:
    """Temml's MathML for one formula."""
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


# Drawn from the font with no character in the markup: a root's radical
# sign (<msqrt>, <mroot>), which the browser takes from the font's U+221A.
IMPLIED = {"<msqrt": "\u221a", "<mroot": "\u221a"}


def math_chars(page: str) -> set[str]:
    """The characters a page's MathML draws."""
    chars = set()
    for m in MATH.findall(page):
        chars |= {c for c in html.unescape(TAG.sub("", m)) if not c.isspace()}
        chars |= {c for tag, c in IMPLIED.items() if tag in m}
    return chars


@cache
def subset_font(chars: frozenset[str]) -> bytes:
    """STIX Two Math cut to `chars` (as WOFF: fontTools writes WOFF2 only
    with the brotli package), every OpenType feature and the MATH table
    kept, so stretchy brackets keep their larger sizes and parts."""
    options = subset.Options()
    options.layout_features = ["*"]
    font = TTFont(FONT)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(map(ord, chars)))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff"
    font.save(out)
    return out.getvalue()


def write_font(site: Path) -> tuple[int, int]:
    """Write the font subset for every formula of the built `site`;
    returns (characters, bytes)."""
    chars = set()
    for page in site.rglob("*.html"):
        chars |= math_chars(page.read_text())
    data = subset_font(frozenset(chars))
    target = site / SUBSET
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return len(chars), len(data)

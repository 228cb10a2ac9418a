"""Math rendered to MathML at build time by the vendored Temml, and the
math font cut to the symbols it draws."""

import io

import pytest
from fontTools.ttLib import TTFont

from tools import tex


def test_inline_and_display_math_are_rendered():
    page = (
        '<p>If <span class="arithmatex">\\(\\eta &lt; 2/\\lambda\\)</span>'
        '</p><div class="arithmatex">\\[\nL = \\tfrac12 (Y - \\hat y)^2\n\\]'
        "</div>"
    )
    out = tex.render_page(page)
    assert "\\(" not in out and "\\[" not in out
    assert out.count("<math") == 2
    assert out.count('display="block"') == 1  # the display formula only
    assert "<mfrac>" in out  # \tfrac, as MathML
    assert "<mo>&lt;</mo>" in out  # the escaped < reached Temml as <
    assert "class=\"katex" not in out  # no second copy of the formula


def test_tex_error_fails_loudly():
    with pytest.raises(tex.TeXError, match=r"\\frac\{"):
        tex.render_page('<span class="arithmatex">\\(\\frac{\\)</span>')


def test_page_without_math_is_unchanged():
    assert tex.render_page("<p>no math</p>") == "<p>no math</p>"


def test_math_chars_are_what_the_formulas_draw():
    page = tex.render_page(
        '<p>η <span class="arithmatex">\\(\\sum_i w_i &lt; \\lambda\\)'
        "</span></p>")
    # the prose's η is not math; the formula's symbols are
    assert tex.math_chars(page) == set("∑iw<λ")
    # a root's sign is in no text, but is drawn from the font
    root = tex.render_page('<span class="arithmatex">\\(\\sqrt{x}\\)</span>')
    assert tex.math_chars(root) == {"x", "√"}


def test_font_subset_keeps_the_math_table_and_the_variants():
    chars = frozenset("(∑√λ")
    font = TTFont(io.BytesIO(tex.subset_font(chars)))
    whole = TTFont(tex.FONT)
    assert "MATH" in font  # fractions, roots, scripts are placed by it
    drawn = set(map(chr, font.getBestCmap()))
    # (plus what a feature maps them to: "(" brings its mirror ")")
    assert chars <= drawn and len(drawn) <= len(chars) + 2
    # a stretchy bracket keeps its larger sizes, which have no code point
    assert len(font.getGlyphOrder()) > len(chars) + 10
    assert len(font.getGlyphOrder()) < len(whole.getGlyphOrder()) / 20

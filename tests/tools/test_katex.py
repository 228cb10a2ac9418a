"""Math rendered at build time by the vendored KaTeX."""

import pytest

from tools import katex


def test_inline_and_display_math_are_rendered():
    page = (
        '<p>If <span class="arithmatex">\\(\\eta &lt; 2/\\lambda\\)</span>'
        '</p><div class="arithmatex">\\[\nL = \\tfrac12 (Y - \\hat y)^2\n\\]'
        "</div>"
    )
    out = katex.render_page(page)
    assert "\\(" not in out and "\\[" not in out
    assert out.count('class="katex"') == 2
    assert 'class="katex-display"' in out  # the display formula only
    assert "<math" in out  # MathML for screen readers
    assert "<mo>&lt;</mo>" in out  # the escaped < reached KaTeX as <


def test_tex_error_fails_loudly():
    with pytest.raises(katex.TeXError, match=r"\\frac\{"):
        katex.render_page('<span class="arithmatex">\\(\\frac{\\)</span>')


def test_page_without_math_is_unchanged():
    assert katex.render_page("<p>no math</p>") == "<p>no math</p>"

"""Turn the current matplotlib figure into inline SVG for a page.

Reader code ends with ``plt.show()``; on the page, a hidden line after it
prints ``svg(...)`` instead, so the figure is drawn by the same code at
build time. The SVG is made to be:

- reproducible: no date, and ids salted with the figure's name;
- readable in light and dark mode: black becomes ``currentColor`` and the
  background is transparent;
- accessible: ``role="img"`` with the given ``alt`` text as its name;
- responsive: it scales to the width of the page;
- light: an artist with thousands of points (a scatter of samples, a long
  curve) is drawn as an embedded image instead of thousands of SVG paths;
  coordinates keep two decimals (a hundredth of a point), the font list is
  stated once, and ids nothing refers to and whitespace are dropped.
"""

import html
import io
import re

import matplotlib
import matplotlib.pyplot as plt

from tools.png import lighter_png

INK = "#010203"  # sentinel colour for text and axes, swapped for currentColor
MANY_POINTS = 400  # above this, a collection or line is rasterized

STYLE = {
    "text.color": INK,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.facecolor": "none",
    "legend.frameon": False,
    "grid.color": "#9e9e9e",
    "grid.alpha": 0.4,
    "svg.fonttype": "none",  # real text: smaller, selectable, page font
    "font.family": "sans-serif",
    "font.size": 10,
}


def use_site_style() -> None:
    """Apply the site's figure style to every figure made after this."""
    matplotlib.rcParams.update(STYLE)


def _rasterize_crowds(fig) -> None:
    """Rasterize artists with more than MANY_POINTS points (as an image
    inside the SVG): a scatter of 2,000 samples is 400 KB of paths."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D

    for ax in fig.axes:
        for artist in ax.get_children():
            if isinstance(artist, Collection):
                n = len(artist.get_offsets()) + len(artist.get_paths())
            elif isinstance(artist, Line2D):
                n = len(artist.get_xdata())
            else:
                continue
            if n > MANY_POINTS:
                artist.set_rasterized(True)


def svg(fig=None, *, name: str, alt: str) -> str:
    """The figure as an inline <svg> element, then closes the figure."""
    if not alt.strip():
        raise ValueError("alt must describe the figure, got an empty string")
    fig = fig or plt.gcf()
    _rasterize_crowds(fig)
    buf = io.StringIO()
    with plt.rc_context({"svg.hashsalt": name}):
        fig.savefig(buf, format="svg", metadata={"Date": None}, dpi=150)
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]  # drop the XML prolog and doctype
    text = text.replace(INK, "currentColor")
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(
        r'<svg([^>]*?) width="[\d.]+pt" height="[\d.]+pt"',
        rf'<svg\1 class="hpe-figure" role="img" '
        rf'aria-label="{html.escape(alt, quote=True)}"',
        text,
        count=1,
    )
    return _minify(text)


_GEOMETRY = re.compile(r'\b(d|x|y|transform|points)="([^"]*)"')
_DECIMALS = re.compile(r"(\d\.\d\d)\d+")
_FONT = re.compile(r"font-family: [^;\"]*;? ?")
_ID = re.compile(r'<g id="([^"]+)"')


def _minify(text: str) -> str:
    """Smaller SVG that draws the same at any zoom a reader uses."""
    # geometry: two decimals are a hundredth of a point, and one space
    def geometry(m):
        value = " ".join(_DECIMALS.sub(r"\1", m[2]).split())
        return f'{m[1]}="{value}"'

    text = _GEOMETRY.sub(geometry, text)
    text = re.sub(r' transform="rotate\(-?0 [^)]*\)"', "", text)
    # a rasterized crowd: a 256-colour palette PNG, when that is smaller
    text = re.sub(r'"(data:image/png;base64,[^"]+)"',
                  lambda m: f'"{lighter_png(m[1])}"', text)
    # every <text> repeats matplotlib's font list: state it once in CSS
    fonts = _FONT.search(text)
    if fonts:
        text = _FONT.sub("", text)
        text = text.replace(
            "<style type=\"text/css\">",
            f"<style type=\"text/css\">text{{{fonts[0].strip(' ;')}}}", 1)
    # group ids ("axes_1", "line2d_7") that no href or url() points to
    used = set(re.findall(r"#([\w.-]+)", text))
    text = _ID.sub(lambda m: "<g" if m[1] not in used else m[0], text)
    return re.sub(r">\s+<", "><", text).strip()

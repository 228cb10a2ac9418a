"""Nothing the built site loads comes from another host (a static scan).

Links a reader clicks (<a href>) may go anywhere; what the browser fetches
by itself (scripts, stylesheets, fonts, images, frames, CSS url() and
@import) must be served by the site. tests/browser checks the same thing
with a real browser, on every page.
"""

import re

from bs4 import BeautifulSoup
from fontTools.ttLib import TTFont

EXTERNAL = re.compile(r"^\s*(https?:)?//", re.I)
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)""")
# a data: URL in quotes, which may hold url()s of its own (Temml's arrow
# heads are an SVG whose marker-end is url(%23a), a reference inside it)
DATA_URL = re.compile(r"""url\(\s*(["'])data:.*?\1\s*\)""", re.S)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""")
LOADING = {
    "script": ["src"],
    "img": ["src", "srcset"],
    "source": ["src", "srcset"],
    "iframe": ["src"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "embed": ["src"],
    "object": ["data"],
    "track": ["src"],
    "image": ["href", "xlink:href"],
    "use": ["href", "xlink:href"],
}
LINK_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "icon",
             "manifest", "preconnect", "dns-prefetch", "apple-touch-icon"}


def external_loads_in_html(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for tag, attrs in LOADING.items():
        for el in soup.find_all(tag):
            for attr in attrs:
                for url in (el.get(attr) or "").split(","):
                    if EXTERNAL.match(url):
                        found.append(f"<{tag} {attr}={url.strip()}>")
    for el in soup.find_all("link"):
        if set(el.get("rel") or []) & LINK_RELS and EXTERNAL.match(
            el.get("href", "")
        ):
            found.append(f"<link {el.get('rel')} {el['href']}>")
    styles = [s.get_text() for s in soup.find_all("style")]
    styles += [el["style"] for el in soup.find_all(style=True)]
    for css in styles:
        found += external_loads_in_css(css)
    return found


def external_loads_in_css(css: str) -> list[str]:
    urls = CSS_URL.findall(css) + CSS_IMPORT.findall(css)
    return [f"css {u}" for u in urls if EXTERNAL.match(u)]


def test_scanner_finds_external_loads():
    html = (
        '<link rel="stylesheet" href="https://fonts.googleapis.com/x">'
        '<script src="//cdn.example/x.js"></script>'
        '<div style="background:url(https://e.example/a.png)"></div>'
        '<a href="https://example.com">a link is fine</a>'
    )
    assert len(external_loads_in_html(html)) == 3
    assert external_loads_in_css("@import url('https://x.example/a.css');")


def test_built_html_loads_nothing_from_other_hosts(site):
    offenders = {}
    for page in site.rglob("*.html"):
        found = external_loads_in_html(page.read_text())
        if found:
            offenders[str(page.relative_to(site))] = found
    assert offenders == {}


def test_built_css_loads_nothing_from_other_hosts(site):
    offenders = {}
    for sheet in site.rglob("*.css"):
        found = external_loads_in_css(sheet.read_text())
        if found:
            offenders[str(sheet.relative_to(site))] = found
    assert offenders == {}


def test_css_urls_point_at_shipped_files(site):
    # A font or image a stylesheet names must exist, or the browser's
    # request fails (the math font is written by the build, tools/tex.py).
    missing = []
    for sheet in site.rglob("*.css"):
        for url in CSS_URL.findall(DATA_URL.sub("", sheet.read_text())):
            if url.startswith(("data:", "#")) or EXTERNAL.match(url):
                continue
            target = (sheet.parent / url.split("?")[0].split("#")[0])
            if not target.exists():
                missing.append(f"{sheet.relative_to(site)} -> {url}")
    assert missing == []


def test_math_font_draws_every_formula(site):
    # The build serves STIX Two Math cut to the site's formulas
    # (tools/tex.py): a symbol left out would be drawn in another font, or
    # not at all (a root's sign is in no text: the browser takes U+221A).
    font = TTFont(site / "assets/vendor/temml/STIXTwoMath.woff")
    assert "MATH" in font
    drawn = set(map(chr, font.getBestCmap()))
    missing = {}
    for page in site.rglob("*.html"):
        for math in BeautifulSoup(page.read_text(), "html.parser")("math"):
            need = {c for c in math.get_text() if not c.isspace()}
            if math.find(["msqrt", "mroot"]):
                need.add("\u221a")
            for c in need - drawn:
                missing.setdefault(c, page.relative_to(site).as_posix())
    assert missing == {}

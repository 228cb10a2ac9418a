"""Notebook pages, rewritten to look and behave like every other page.

mkdocs-jupyter executes a notebook and renders it with JupyterLab's
markup: about 600 KB of inlined CSS, its own copy buttons and scripts, a
MathJax loader and math left as raw ``$...$``. This keeps its work (the
executed cells, their outputs, the headings it puts in the table of
contents) and rewrites the markup:

- scripts and styles are dropped (the theme's CSS and copy buttons apply);
- each code cell becomes a theme code block, ``language-python``, which
  the site's tests read like any other block;
- text outputs become the result box used by markdown-exec pages, and
  images get an alt text and a palette of 256 colours (a figure has few
  colours; its PNG shrinks by about half);
- ``$...$`` and ``$$...$$`` in Markdown cells are rendered by Temml at
  build time, as on the other pages.

The page is wrapped in ``<div class="hpe-notebook">``: its code cells run
top to bottom, one after another, as in Jupyter (tools/blocks.py).

Last, ``figure_files`` takes each figure out of the page into a PNG file
beside it, loaded lazily: inline, as base64, the five figures of the
diffusion chapter were 106 KB of its 230 KB of HTML, which a phone
downloads and parses before it shows the first line.
"""

import base64
import hashlib
import html as htmllib
import re
import struct

from bs4 import BeautifulSoup, NavigableString

from tools import tex
from tools.png import lighter_png

DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
# Inline math may wrap onto the next line, but not across a blank line.
INLINE = re.compile(r"(?<![\\$])\$(?!\$)((?:(?!\n\n)[^$])+?)(?<![\\])\$")


def _math(soup, cell) -> None:
    """Render the TeX in a Markdown cell's text (not in code)."""
    for text in list(cell.find_all(string=True)):
        if text.find_parent(["code", "pre"]) or "$" not in text:
            continue
        source = htmllib.escape(str(text), quote=False)

        def display(m):
            formula = htmllib.unescape(m.group(1)).strip()
            out = tex.render(formula, display=True)
            return f'<div class="arithmatex" tabindex="0">{out}</div>'

        def inline(m):
            formula = htmllib.unescape(m.group(1)).strip()
            out = tex.render(formula, display=False)
            return f'<span class="arithmatex">{out}</span>'

        rendered = INLINE.sub(inline, DISPLAY.sub(display, source))
        if rendered != source:
            fragment = BeautifulSoup(rendered, "html.parser")
            text.replace_with(fragment)


def _code_block(soup, cell):
    pre = cell.select_one(".highlight-ipynb pre")
    block = soup.new_tag("div", attrs={"class": "language-python highlight"})
    new_pre = soup.new_tag("pre")
    code = soup.new_tag("code")
    for child in list(pre.contents):
        if getattr(child, "name", None) == "span" and not child.get_text():
            continue  # pygments' empty leading <span></span>
        code.append(child.extract())
    new_pre.append(code)
    block.append(new_pre)
    return block


def _alt(cell, default: str) -> str:
    """A figure's alt text: the cell's ``# Figure: ...`` comment, if any,
    with the comment lines that continue it."""
    lines = cell.select_one(".highlight-ipynb pre").get_text().split("\n")
    for i, line in enumerate(lines):
        if line.startswith("# Figure:"):
            words = [line.removeprefix("# Figure:").strip()]
            for more in lines[i + 1:]:
                if not more.startswith("# ") or more.startswith("# %%"):
                    break
                words.append(more.removeprefix("# ").strip())
            return " ".join(words)
    return default


def _text_box(soup, text: str, kind: str):
    result = soup.new_tag("div", attrs={"class": f"result {kind}".strip()})
    box = soup.new_tag("div", attrs={"class": "language-text highlight"})
    pre, code = soup.new_tag("pre"), soup.new_tag("code")
    code.append(NavigableString(text))
    pre.append(code)
    box.append(pre)
    result.append(box)
    return result


def _outputs(soup, cell, alt: str):
    """A cell's outputs as result boxes. Jupyter splits one cell's printed
    text into several outputs when the prints are far apart in time; they
    are joined again, so that the box shows what the cell printed. Text on
    stderr (warnings) gets a box of its own, marked "stderr"."""
    out, stdout = [], []

    def flush():
        if stdout:
            out.append(_text_box(soup, "".join(stdout), ""))
            stdout.clear()

    for area in cell.select(".jp-OutputArea-output"):
        img = area.find("img")
        if img is not None:
            flush()
            img["alt"] = alt
            img["class"] = ["hpe-notebook-figure"]
            img["src"] = lighter_png(img.get("src", ""))
            figure = soup.new_tag("div", attrs={"class": "result"})
            figure.append(img.extract())
            out.append(figure)
            continue
        pre = area.find("pre")
        if pre is None:
            continue
        if "stderr" in area.get("data-mime-type", ""):
            flush()
            out.append(_text_box(soup, pre.get_text(), "stderr"))
        else:
            stdout.append(pre.get_text())
    flush()
    return out


def clean(content: str, *, figure_alt: str = "A figure drawn by the code "
          "cell above (see its code for what it plots)") -> str:
    """The rewritten page content (see the module docstring)."""
    soup = BeautifulSoup(content, "html.parser")
    for el in soup.find_all(["script", "style"]):
        el.decompose()
    notebook = soup.find("div", class_="jp-Notebook")
    if notebook is None:
        raise ValueError("not a mkdocs-jupyter page: no .jp-Notebook")
    wrapper = soup.new_tag("div", attrs={"class": "hpe-notebook"})
    for cell in notebook.find_all("div", class_="jp-Cell", recursive=False):
        classes = cell.get("class", [])
        if "jp-MarkdownCell" in classes:
            body = cell.select_one(".jp-RenderedMarkdown")
            for link in body.select("a.anchor-link"):
                link.decompose()
            _math(soup, body)
            for child in list(body.contents):
                wrapper.append(child.extract())
        elif "jp-CodeCell" in classes:
            alt = _alt(cell, figure_alt)
            wrapper.append(_code_block(soup, cell))
            for output in _outputs(soup, cell, alt):
                wrapper.append(output)
    notebook.parent.replace_with(wrapper)  # the .jupyter-wrapper div
    # the References cell (tools/citations.py) stays out of the search
    # index, as a page's References section does
    for heading in wrapper.find_all("h2", id="references"):
        heading["data-search-exclude"] = ""
    return str(soup)


FIGURE = re.compile(r'<img (?P<attrs>[^>]*?)class="hpe-notebook-figure"'
                    r'(?P<rest>[^>]*?)src="data:image/png;base64,'
                    r'(?P<data>[^"]+)"(?P<end>[^>]*)/?>')


def figure_files(html: str) -> tuple[str, dict[str, bytes]]:
    """The page with each notebook figure (a data-URI PNG) replaced by a
    file beside the page, named by its content, with its size (so that
    it holds its place before it loads: no layout shift) and
    ``loading="lazy"``; and the files, name -> bytes."""
    files = {}

    def to_file(m):
        data = base64.b64decode(m["data"])
        if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
            raise ValueError("a notebook figure that is not a PNG")
        width, height = struct.unpack(">II", data[16:24])
        name = f"figure-{hashlib.sha256(data).hexdigest()[:12]}.png"
        files[name] = data
        return (f'<img {m["attrs"]}class="hpe-notebook-figure"{m["rest"]}'
                f'src="{name}" width="{width}" height="{height}" '
                f'loading="lazy" decoding="async"{m["end"].rstrip()}>')

    return FIGURE.sub(to_file, html), files

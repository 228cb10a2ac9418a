"""The Python code blocks of a built page, as a reader copies them.

A block's text is the text of its ``<code>`` element: what the copy button
copies, with every ``--8<--`` include already expanded and every line
marked ``# markdown-exec: hide`` already gone. Under it, the page shows
what it printed (a text box) or drew (an inline SVG, or a PNG in a
notebook chapter).

The tests compare these with what the build recorded when it ran each
block (tools/execute.py; tests/site/test_code_blocks.py).
"""

from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

from tools.examples import needs

PYTHON = ("language-python", "language-py")


@dataclass
class Block:
    page: str  # the built page, relative to the site root
    index: int  # 0-based position among the page's Python blocks
    title: str  # the visible title ("" when there is none)
    code: str  # the text the copy button copies
    output: str | None  # text printed under it at build; None: a figure
    figure: str = ""  # the figure's markup (<svg> or <img>), if any

    @property
    def needs(self) -> list[str]:
        """The names its title says it runs after."""
        return needs(self.title)

    @property
    def name(self) -> str:
        """The file name that starts the title (``train.py``)."""
        return self.title.split()[0] if self.title else ""

    def __str__(self) -> str:
        title = self.title or "untitled"
        return f"{self.page} block {self.index + 1} ({title})"


def _result(highlight):
    """The box that shows what a block printed or drew: right after it,
    or, for markdown-exec's "Code|Figure" tabs, the tab beside it. (A
    notebook's stderr box, e.g. a warning, is not what the code printed.)
    """
    result = highlight.find_next_sibling()
    while result is not None and "stderr" in (result.get("class") or []):
        result = result.find_next_sibling()
    if result is not None and "result" in (result.get("class") or []):
        return result
    tab = highlight.find_parent("div", class_="tabbed-block")
    if tab is not None and tab.parent is not None:
        for other in tab.parent.find_all("div", class_="tabbed-block",
                                         recursive=False):
            if other is not tab and other.find(["svg", "img"]):
                return other
    return None


def _output(highlight) -> tuple[str | None, str]:
    """(the text shown under a block, or None for a figure; the figure)."""
    result = _result(highlight)
    if result is None:
        return "", ""
    figure = result.find(["svg", "img"], recursive=True)
    if figure is not None:
        return None, str(figure)
    code = result.find("code")
    return (code.get_text() if code is not None else result.get_text()), ""


def page_blocks(html: str, page: str) -> list[Block]:
    """Every Python code block of one built page, in page order. On a
    notebook page (tools/notebook_html.py) each cell runs after the one
    before it, as in Jupyter."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.find("article") or soup
    notebook = article.find("div", class_="hpe-notebook") is not None
    blocks = []
    for div in article.select("div.highlight"):
        if not set(div.get("class", [])) & set(PYTHON):
            continue
        title_el = div.find(class_="filename")
        title = title_el.get_text(" ", strip=True) if title_el else ""
        if notebook:
            n = len(blocks) + 1
            title = f"cell{n} — run after cell{n - 1}" if n > 1 else "cell1"
        output, figure = _output(div)
        blocks.append(Block(page=page, index=len(blocks), title=title,
                            code=div.find("code").get_text(),
                            output=output, figure=figure))
    return blocks


def site_pages(site: Path) -> list[Path]:
    """Every HTML page of a built site (the 404 page and assets aside)."""
    return sorted(
        p
        for p in site.rglob("*.html")
        if p.name != "404.html" and "assets" not in p.relative_to(site).parts
    )


def normalise(text: str) -> str:
    """Text output compared line by line: trailing spaces and blank lines
    at either end do not count; leading spaces (an indented table) do."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)

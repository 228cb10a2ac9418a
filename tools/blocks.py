"""The Python code blocks of a built page, as a reader copies them.

A block's text is the text of its ``<code>`` element: what the copy button
copies, with every ``--8<--`` include already expanded and every line
marked ``# markdown-exec: hide`` already gone.

A block may need earlier blocks of its page. It says so in its title, which
the reader sees above the code::

    train.py — run after backprop.py
    figure.py — run after backprop.py and train.py

Such a block is run after the blocks it names (and what they need, in page
order), all in one fresh interpreter; a block without "run after" must run
alone.
"""

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup

PYTHON = ("language-python", "language-py")
RUN_AFTER = re.compile(r"run after (.+)$")


@dataclass
class Block:
    page: str  # the built page, relative to the site root
    index: int  # 0-based position among the page's Python blocks
    title: str  # the visible title ("" when there is none)
    code: str  # the text the copy button copies
    output: str | None  # text printed under it at build; None: a figure
    needs: list[str] = field(default_factory=list)  # names it runs after

    @property
    def name(self) -> str:
        """The file name that starts the title (``train.py``)."""
        return self.title.split()[0] if self.title else ""

    def __str__(self) -> str:
        title = self.title or "untitled"
        return f"{self.page} block {self.index + 1} ({title})"


def _needs(title: str) -> list[str]:
    m = RUN_AFTER.search(title)
    if not m:
        return []
    return [n for n in re.split(r",\s*|\s+and\s+", m.group(1).strip()) if n]


def _output(highlight) -> str | None:
    """Text shown in the result box right after a code block, if any (a
    notebook's stderr box, e.g. a warning, is not what the code printed)."""
    result = highlight.find_next_sibling()
    while result is not None and "stderr" in (result.get("class") or []):
        result = result.find_next_sibling()
    if result is None or "result" not in (result.get("class") or []):
        return ""
    if result.find("svg") is not None or result.find("img") is not None:
        return None
    code = result.find("code")
    return code.get_text() if code is not None else result.get_text()


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
        code = div.find("code")
        blocks.append(
            Block(
                page=page,
                index=len(blocks),
                title=title,
                code=code.get_text(),
                output=_output(div),
                needs=_needs(title),
            )
        )
    return blocks


def chain(block: Block, blocks: list[Block]) -> list[Block]:
    """`block` preceded by every earlier block it needs, in page order."""
    by_name = {}
    for earlier in blocks[: block.index]:
        by_name.setdefault(earlier.name, earlier)
    wanted = {block.index}
    todo = list(block.needs)
    while todo:
        name = todo.pop()
        if name not in by_name:
            raise LookupError(
                f"{block} runs after {name!r}, which is not an earlier "
                f"block of the page"
            )
        dep = by_name[name]
        if dep.index not in wanted:
            wanted.add(dep.index)
            todo.extend(dep.needs)
    return [b for b in blocks if b.index in wanted]


def runs(blocks: list[Block]) -> list[list[Block]]:
    """The chains to run so that every block runs as the reader would.

    A chain that is the start of a longer chain is left out: running the
    longer one runs it too, from a fresh interpreter, in the same order.
    """
    chains = [chain(b, blocks) for b in blocks]
    keep = []
    for c in chains:
        ids = [b.index for b in c]
        covered = any(
            len(o) > len(c) and [b.index for b in o[: len(c)]] == ids
            for o in chains
        )
        if not covered:
            keep.append(c)
    return keep


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


def run_fresh(code: str, folder: Path, name: str):
    """Run `code` as a reader would: a new `python -I` (no project on
    sys.path, no user site, no PYTHON* variables) in `folder`, which should
    be empty. Returns the CompletedProcess."""
    script = folder / (name if name.endswith(".py") else "block.py")
    script.write_text(code)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["MPLBACKEND"] = "Agg"  # plt.show() must not wait for a window
    # As in the build (tools/hooks.py): one thread, the same numbers.
    env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = "1"
    return subprocess.run(
        [sys.executable, "-I", script.name],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120,
    )

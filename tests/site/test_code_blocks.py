"""What the reader copies is what ran, and the page shows what it printed.

The build ran every block once, in a fresh interpreter, as a reader copies
it: after the blocks its title names (tools/execute.py, tools/kernel.py).
These tests do not run anything again. For every Python block of every
built page they check that

- the text the copy button copies is, byte for byte, the code that ran;
- what the page shows under it is what that run printed (or drew).

On a notebook chapter, the cells are compared with the executed notebook
the build recorded.
"""

import pytest
from bs4 import BeautifulSoup

from tests.pages import PAGES, html_path
from tools import records
from tools.blocks import page_blocks

MARKDOWN = [md for md in PAGES if md.suffix == ".md"]
NOTEBOOKS = [md for md in PAGES if md.suffix == ".ipynb"]


def canonical(markup: str) -> list:
    """HTML as a list of (tag, attributes) and text: the same drawing
    whatever the attribute order or the case of tag names, and without
    the search plugin's data-search-exclude, which the build adds."""
    out = []
    for el in BeautifulSoup(markup, "html.parser").descendants:
        if getattr(el, "name", None):
            out.append((el.name.lower(), sorted(
                (k.lower(), " ".join(v) if isinstance(v, list) else v)
                for k, v in el.attrs.items()
                if k != "data-search-exclude")))
        elif str(el).strip():
            out.append(str(el).strip())
    return out


def same_markup(a: str, b: str) -> bool:
    return canonical(a) == canonical(b)


@pytest.mark.parametrize("md", MARKDOWN, ids=str)
def test_page_shows_what_ran(md, site):
    page = html_path(md)
    built = page_blocks((site / page).read_text(), str(page))
    plan = records.plan(md.as_posix())
    ran = plan.shown
    assert len(built) == len(ran), (
        f"{md}: {len(built)} Python blocks on the page, {len(ran)} ran")
    for block, example in zip(built, ran):
        record = plan.records[example.index]
        assert block.title == example.title
        assert block.code == record["code"] == example.visible, (
            f"{block}: the copy button copies something else than what ran")
        if block.output is None:  # a figure, printed by hidden lines
            assert same_markup(block.figure, record["stdout"].strip()), (
                f"{block}: the figure is not the one the run drew")
        else:
            # exactly, but for blank lines at the end, which a Markdown
            # code block cannot show
            assert block.output.rstrip("\n") == record["stdout"].rstrip(
                "\n"), (f"{block}: the page shows something else than the "
                        f"run printed")


@pytest.mark.parametrize("md", NOTEBOOKS, ids=str)
def test_notebook_page_shows_what_ran(md, site):
    page = html_path(md)
    built = page_blocks((site / page).read_text(), str(page))
    nb = records.notebook(md.stem)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    assert len(built) == len(cells)
    for block, cell in zip(built, cells):
        assert block.code.rstrip("\n") == cell.source.rstrip("\n")
        printed = "".join(o.get("text", "") for o in cell.outputs
                          if o.get("name") == "stdout")
        images = [o for o in cell.outputs if "image/png" in o.get("data",
                                                                 {})]
        if images:
            assert block.output is None and block.figure
        else:
            assert (block.output or "") == printed, (
                f"{block}: the page shows something else than the cell "
                f"printed")


def test_some_blocks_exist(site):
    # A selector that silently matches nothing would make the tests above
    # pass on every page; the first chapter alone has six Python blocks.
    page = "history/1986-backprop/index.html"
    blocks = page_blocks((site / page).read_text(), page)
    assert len(blocks) >= 6
    assert all(b.code.strip() for b in blocks)
    assert sum(b.output is None for b in blocks) >= 1  # a figure

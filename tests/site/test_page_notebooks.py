"""Every page with code offers it as a notebook, and the notebook is what
runs: the page's blocks in page order, both tabs of each tab pair, run top
to bottom in one fresh interpreter without error, and print, block by
block, what the page shows under each one.

The top-to-bottom run goes through the execution cache like every other
example (tools/records.py, ``page_run``): once per change of the page's
code.
"""

import json

import nbformat
import pytest
from bs4 import BeautifulSoup

from tests.pages import PAGES, html_path
from tools import execute, notebooks, records, stamp
from tools.examples import imports_torch

MARKDOWN = [md for md in PAGES if md.suffix == ".md"]


def built(site, md) -> BeautifulSoup:
    return BeautifulSoup((site / html_path(md)).read_text(), "html.parser")


@pytest.mark.parametrize("md", MARKDOWN, ids=str)
def test_page_notebook_is_what_runs_top_to_bottom(md, site):
    plan = records.page_run(md.as_posix())
    soup = built(site, md)
    link = soup.select_one('a.hpe-download[download][href$=".ipynb"]')
    if not plan.shown:
        assert link is None, f"{md} has no code, and offers a notebook"
        return
    assert link is not None, f"{md} has code and offers no notebook"
    # the whole page ran top to bottom, every block, without error (the
    # cache keeps a record only of a run that did not raise) ...
    ran = plan.page_record["blocks"]
    assert [b["code"] for b in ran] == [b.visible for b in plan.shown]
    # ... and printed what the page shows under each block
    assert execute.check_page(plan) == []
    # the notebook offered is those blocks with those outputs
    served = json.loads((site / html_path(md).parent / link["href"])
                        .read_text())
    title = soup.title.get_text().split(" - ")[0]
    expected = notebooks.page_notebook(execute.notebook_blocks(plan), title,
                                       stamp.stamp())
    assert served == json.loads(nbformat.writes(expected))
    # after the one-thread cell on a page that uses torch (its reason:
    # tools/notebooks.ONE_THREAD), the page's blocks
    code = [c for c in served["cells"] if c["cell_type"] == "code"]
    torch = imports_torch(*(b["code"] for b in ran))
    assert (code[0].get("id") == notebooks.SETUP_ID) == torch
    code = code[1:] if torch else code
    assert ["".join(c["source"]) for c in code] == [b["code"] for b in ran]
    for cell, run in zip(code, ran):
        printed = run["stdout"]
        if not printed.strip():
            assert cell["outputs"] == []
        elif cell["outputs"][0]["output_type"] == "display_data":
            svg = "".join(cell["outputs"][0]["data"]["image/svg+xml"])
            assert svg == printed.strip()
        else:
            assert "".join(cell["outputs"][0]["text"]) == printed
    first = "".join(served["cells"][0]["source"])
    assert "Python 3." in first and "PyTorch" in first  # the versions


def test_a_page_that_changes_a_shared_name_fails(tmp_path):
    # glossary/learning-rate once had a PyTorch tab that rebound the NumPy
    # tab's A: a copied chain ran, the page top to bottom did not
    from tools.cache import Cache
    from tools.examples import Block, needs

    def block(i, code, title):
        return Block(page="p.md", index=i, code=code,
                     options={"source": "block", "extra": {"title": title}},
                     needs=needs(title))

    blocks = [block(0, "A = [1]\nprint(A)", "a.py"),
              block(1, "A = 'x'\nprint(A)", "b.py"),
              block(2, "print(A + [2])", "c.py — run after a.py")]
    plan = execute.PagePlan(
        "p.md", blocks, {0: blocks[:1], 1: blocks[1:2],
                         2: [blocks[0], blocks[2]]},
        {0: "k0", 1: "k1", 2: "k2"}, "kpage")
    cache = Cache(tmp_path)
    # as a reader copies them, every block runs
    assert execute.run_all(execute.jobs(plan, cache), cache) == []
    assert plan.records[2]["stdout"] == "[1, 2]\n"
    # the build's run of the whole page (make test's) reports c.py
    errors = execute.run_all(execute.jobs(plan, cache, page=True), cache)
    assert len(errors) == 1, errors
    assert errors[0].startswith("p.md, block 3 (c.py")
    assert "run top to bottom with the whole page" in errors[0]
    assert "TypeError" in errors[0]
    assert cache.get("kpage") is None  # nothing recorded for the notebook


def test_tabs_become_headings(site):
    md = next(m for m in MARKDOWN if m.as_posix() == "glossary/momentum.md")
    nb = json.loads((site / html_path(md).parent / "momentum.ipynb")
                    .read_text())
    headings = ["".join(c["source"]) for c in nb["cells"]
                if c["cell_type"] == "markdown"]
    assert "### NumPy" in headings and "### PyTorch" in headings


def test_page_notebook_names():
    assert notebooks.page_filename("glossary/momentum.md") == (
        "momentum.ipynb")
    assert notebooks.page_filename("glossary/index.md") == "glossary.ipynb"

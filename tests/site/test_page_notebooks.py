"""Every page with code offers it as a notebook, and it is the one that
ran: the page's blocks in page order, both tabs of each tab pair, run top
to bottom in one fresh interpreter without error (tools/execute.py runs
it once per change, and the build fails if a block raises there or prints
something else than after the blocks its title names)."""

import json

import nbformat
import pytest
from bs4 import BeautifulSoup

from tests.pages import PAGES, html_path
from tools import notebooks, records, stamp

MARKDOWN = [md for md in PAGES if md.suffix == ".md"]


def download_link(site, md):
    soup = BeautifulSoup((site / html_path(md)).read_text(), "html.parser")
    return soup.select_one("p.hpe-download a[download]")


@pytest.mark.parametrize("md", MARKDOWN, ids=str)
def test_page_offers_the_notebook_that_ran(md, site):
    plan = records.plan(md.as_posix())
    link = download_link(site, md)
    if not plan.shown:
        assert link is None, f"{md} has no code, and offers a notebook"
        return
    assert link is not None, f"{md} has code and offers no notebook"
    served = site / html_path(md).parent / link["href"]
    nb = json.loads(served.read_text())
    record = plan.page_record
    # the whole page ran top to bottom, every block, without error
    assert [b["code"] for b in record["blocks"]] == [
        b.visible for b in plan.shown]
    title = BeautifulSoup((site / html_path(md)).read_text(),
                          "html.parser").title.get_text().split(" - ")[0]
    expected = notebooks.page_notebook(record, title, stamp.stamp())
    assert nb == json.loads(nbformat.writes(expected))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert ["".join(c["source"]) for c in code] == [
        b.visible for b in plan.shown]
    # what each cell printed there is what the page shows under it
    for cell, example in zip(code, plan.shown):
        printed = plan.records[example.index]["stdout"]
        if not printed.strip():
            assert cell["outputs"] == []
        elif example.options.get("html"):
            assert "".join(cell["outputs"][0]["data"]["image/svg+xml"]) == (
                printed.strip())
        else:
            assert "".join(cell["outputs"][0]["text"]) == printed
    first = "".join(nb["cells"][0]["source"])
    assert "Python 3." in first and "PyTorch" in first  # the versions


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

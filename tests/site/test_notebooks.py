"""Notebook chapters: clean sources, executed pages with their figures,
and a downloadable .ipynb that is the one the build ran."""

import json
import re
import subprocess

import nbformat
import pytest
from bs4 import BeautifulSoup
from PIL import Image

from tests.conftest import ROOT
from tools import notebooks, records

STORIES = sorted((ROOT / "notebooks").glob("*.py"))
ids = [s.stem for s in STORIES]


def page(site, story):
    html = (site / "models" / story.stem / "index.html").read_text()
    return BeautifulSoup(html, "html.parser")


def test_no_committed_notebook_has_outputs():
    tracked = subprocess.run(
        ["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True,
        text=True, check=True,
    ).stdout.split()
    for name in tracked:
        nb = nbformat.read(ROOT / name, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, (
                    f"{name}: committed with outputs; clear them"
                )


@pytest.mark.parametrize("story", STORIES, ids=ids)
def test_generated_notebook_is_clean_and_self_contained(story):
    nb = notebooks.notebook(story)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook without code"
    for source in code:
        assert "--8<--" not in source  # every include was expanded
        compile(source, story.name, "exec")
        assert "from snippets" not in source and "import snippets" not in (
            source
        ), "the downloaded notebook must not need this repository"
    assert all(not c.get("outputs") for c in nb.cells)


@pytest.mark.parametrize("story", STORIES, ids=ids)
def test_page_offers_the_notebook_it_ran(story, site):
    link = page(site, story).select_one(
        'a.hpe-download[download][href$=".ipynb"]')
    assert link is not None
    served = json.loads((site / "models" / story.stem / link["href"])
                        .read_text())
    executed = records.notebook(story.stem)
    assert served == json.loads(nbformat.writes(executed))
    code = [c for c in served["cells"] if c["cell_type"] == "code"]
    assert all(c["execution_count"] for c in code)  # it ran, every cell
    assert sum(bool(c["outputs"]) for c in code) > len(code) / 2


@pytest.mark.parametrize("story", STORIES, ids=ids)
def test_page_shows_its_figures(story, site):
    # A non-interactive backend in the kernel drops figures without an
    # error: count them against the cells that show one.
    nb = notebooks.notebook(story)
    shows = sum(c.source.count("plt.show()") for c in nb.cells
                if c.cell_type == "code")
    figures = page(site, story).select("img.hpe-notebook-figure")
    assert len(figures) == shows
    # each a PNG file beside the page (not base64 in it), loaded lazily,
    # with its size, and the whole of its "# Figure:" comment as alt text
    alts = [a.removeprefix("Figure:").strip() for a in re.findall(
        r"^# (Figure:.*?)(?=\n(?!# )|\n# %%)", story.read_text(),
        re.S | re.M)]
    for img in figures:
        png = site / "models" / story.stem / img["src"]
        assert "/" not in img["src"] and png.stat().st_size > 2000
        with Image.open(png) as image:
            assert image.format == "PNG"
            assert image.size == (int(img["width"]), int(img["height"]))
        assert img["loading"] == "lazy"
        assert " ".join(img["alt"].split()) in [
            " ".join(a.replace("\n# ", " ").split()) for a in alts]


@pytest.mark.parametrize("story", STORIES, ids=ids)
def test_edit_link_opens_the_story(story, site):
    edit = page(site, story).find("a", rel="edit")
    assert edit["href"].endswith(f"/notebooks/{story.stem}.py")


@pytest.mark.parametrize("story", STORIES, ids=ids)
def test_page_has_no_jupyter_markup_left(story, site):
    article = page(site, story).find("article")
    assert article.find("style") is None and article.find("script") is None
    assert article.select(".jp-Cell, .jp-InputPrompt") == []
    assert "$" not in article.get_text().replace("\\$", "")


@pytest.mark.parametrize("story", STORIES, ids=ids)
def test_each_cell_shows_what_it_printed_in_one_piece(story):
    # The cells print line by line, as a reader writes them; the page and
    # a reader's Jupyter show one cell's consecutive prints as one block
    # (tools/notebooks.py merges them). What could still split a result:
    # a figure or a warning between two prints, which the page would show
    # as separate boxes (tools/blocks.py compares a code cell with the one
    # result box after it).
    nb = records.notebook(story.stem)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    kinds = [[o.get("name", o["output_type"]) for o in c.outputs]
             for c in cells]
    assert all(k.count("stdout") <= 1 and "stderr" not in k
               for k in kinds), kinds
    assert sum(k.count("stdout") for k in kinds) >= 8
    # and no cell collects its lines to print them once
    assert not any('"\\n".join(' in c.source for c in cells)

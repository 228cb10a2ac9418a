"""Every page with code offers it as a script and as a notebook, from icons
beside the edit icon; the script is the page's code in page order, and
``python <page>.py`` in an empty folder, in a reader's default
environment, prints what the page shows (tools/downloads.py: each run
cached by the script's text and the machine).

On the build's machine the script prints the page's numbers to the last
digit: it runs on one thread as the build does (its first cell says so,
tools/notebooks.ONE_THREAD). A reader's machine may print other last
digits; the prose types none of those (tests/site/test_kernels.py).
"""

import re

import pytest
from bs4 import BeautifulSoup

from tests.pages import PAGES, html_path
from tools import downloads, execute, notebooks, records, stamp

SVG = re.compile(r"<svg\b.*?</svg>\s*", re.S)


def links(site, md) -> dict[str, dict]:
    soup = BeautifulSoup((site / html_path(md)).read_text(), "html.parser")
    found = {}
    for a in soup.select("a.hpe-download"):
        found[a["href"].rsplit(".", 1)[-1]] = {
            "href": a["href"], "label": a.get("aria-label", ""),
            "download": a.has_attr("download"),
            "button": "md-content__button" in a.get("class", []),
            "before_title": a.find_next("h1") is not None}
    return found


def has_code(md) -> bool:
    if md.suffix == ".ipynb":
        return True
    plan = records.plan(md.as_posix())
    return bool(plan.shown)


@pytest.mark.parametrize("md", PAGES, ids=str)
def test_downloads_sit_beside_the_edit_icon(md, site):
    found = links(site, md)
    if not has_code(md):
        assert found == {}, f"{md} has no code, and offers downloads"
        return
    assert set(found) == {"ipynb", "py"}, found
    for kind, what in (("ipynb", "Jupyter notebook"),
                       ("py", "Python script")):
        link = found[kind]
        # a material page action: an icon button in the title's row,
        # a link (keyboard-reachable) that says what it downloads
        assert link["download"] and link["button"] and link["before_title"]
        assert what in link["label"] and link["href"] in link["label"]
        assert (site / html_path(md).parent / link["href"]).is_file()


def expected(md, site) -> tuple[str, str]:
    """The script the page offers, and what it must print: the page's
    outputs in page order (a figure block's SVG is the page's drawing of
    what the script shows in a window)."""
    if md.suffix == ".ipynb":
        story = notebooks.STORIES / f"{md.stem}.py"
        text = notebooks.story_script(notebooks.notebook(story))
        return text, "".join(records.cell_outputs(md.stem))
    plan = records.plan(md.as_posix())
    blocks = execute.notebook_blocks(plan)
    title = BeautifulSoup((site / html_path(md)).read_text(), "html.parser"
                          ).title.get_text().split(" - ")[0]
    name = notebooks.page_filename(md.as_posix(), ".py")
    text = notebooks.page_script(blocks, title, stamp.stamp(), name)
    printed = "".join(SVG.sub("", b["stdout"]) if b["html"] else b["stdout"]
                      for b in blocks)
    return text, printed


@pytest.mark.parametrize("md", PAGES, ids=str)
def test_page_script_is_the_page_and_prints_it(md, site):
    name = notebooks.page_filename(md.as_posix(), ".py")
    path = site / html_path(md).parent / name
    if not has_code(md):
        assert not path.exists(), f"{md} has no code, and offers {name}"
        return
    text, printed = expected(md, site)
    served = path.read_text()
    assert served == text
    ran = downloads.run_script(served, name)
    assert ran["returncode"] == 0, ran["stderr"]
    assert ran["stdout"] == printed

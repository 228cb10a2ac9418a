"""The site builds from a clean state with zero warnings."""

from tests.conftest import ROOT
from tests.pages import PAGES, html_path


def test_strict_clean_build_passes(build):
    assert build.returncode == 0, build.log[-4000:]
    warnings = [
        line for line in build.log.splitlines()
        if line.startswith(("WARNING", "ERROR"))
    ]
    assert warnings == []


def test_mkdocs_jupyter_does_not_execute(build):
    # Its cache is keyed by the notebook's bytes, not by the snippet
    # sections it includes: tools/execute.py runs the notebooks instead,
    # keyed by their expanded code, and mkdocs-jupyter only renders them.
    assert "execute: false" in (ROOT / "mkdocs.yml").read_text()
    assert "Converting notebook (execute=True)" not in build.log


def test_nothing_is_written_into_docs(build):
    # mkdocs serve rebuilds on every change in docs/: a build that wrote
    # there would rebuild itself
    assert list((ROOT / "docs").rglob("*.ipynb")) == []


def test_every_page_is_built(site):
    for md in PAGES:
        assert (site / html_path(md)).is_file(), f"{md} was not built"

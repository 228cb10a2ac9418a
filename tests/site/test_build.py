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


def test_build_runs_without_notebook_cache(build):
    # mkdocs-jupyter keys its cache on the notebook alone, so a change in
    # snippets/ would not re-run it: the test build must not use it.
    assert "cache: !ENV [HPE_NOTEBOOK_CACHE, true]" in (
        ROOT / "mkdocs.yml"
    ).read_text()
    assert "Cache hit" not in build.log


def test_every_page_is_built(site):
    for md in PAGES:
        assert (site / html_path(md)).is_file(), f"{md} was not built"

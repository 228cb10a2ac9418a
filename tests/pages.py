"""The site's pages, known before the build (for test parameters)."""

from pathlib import Path

from tests.conftest import ROOT

DOCS = ROOT / "docs"
# Markdown pages, and the notebook pages the build generates from the
# stories in notebooks/ (tools/notebooks.py).
PAGES = sorted(
    [p.relative_to(DOCS) for p in DOCS.rglob("*.md")
     if p.relative_to(DOCS).parts[0] != "includes"]
    + [Path("models") / f"{s.stem}.ipynb"
       for s in (ROOT / "notebooks").glob("*.py")]
)


def html_path(md: Path) -> Path:
    """Where the built page lands (use_directory_urls)."""
    if md.name == "index.md":
        return md.parent / "index.html"
    return md.with_suffix("") / "index.html"


def url_path(md: Path) -> str:
    """The page's path under the site root, as a browser asks for it."""
    parent = str(html_path(md).parent)
    return "" if parent == "." else parent + "/"

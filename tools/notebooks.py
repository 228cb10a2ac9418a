"""Notebook chapters: written as jupytext "percent" scripts in notebooks/,
turned into .ipynb pages under docs/models/ at the start of every build.

A story is a readable script: Markdown cells (``# %% [markdown]``, which
may cite with ``[@key]`` as pages do) and code cells (``# %%``). A code
cell can include a section of a snippet module with a line such as
``# --8<-- "snippets/models/x.py:section"``, as pages do: the heavy logic
lives in snippets/ (tested by pytest), and the notebook a reader downloads
contains the code itself and runs on its own. The generated .ipynb has no
outputs (mkdocs-jupyter executes it during the build) and is not
committed.
"""

import re
from pathlib import Path

import jupytext
import nbformat

from tools import citations
from tools.sections import sections

ROOT = Path(__file__).resolve().parents[1]
STORIES = ROOT / "notebooks"
PAGES = ROOT / "docs/models"
INCLUDE = re.compile(r'^# --8<-- "(?P<path>[^":]+):(?P<section>[\w-]+)"\s*$')


def expand(code: str) -> str:
    """A code cell with its include lines replaced by the sections."""
    out = []
    for line in code.splitlines():
        m = INCLUDE.match(line)
        if m is None:
            out.append(line)
            continue
        path = ROOT / m["path"]
        if not path.is_file():
            raise ValueError(f"include of a missing file: {m['path']}")
        found = sections(path)
        if m["section"] not in found:
            raise ValueError(f"{m['path']} has no section {m['section']}")
        out.append(found[m["section"]].strip("\n"))
    return "\n".join(out)


def notebook(story: Path) -> nbformat.NotebookNode:
    """The .ipynb for one story: includes expanded, no outputs."""
    nb = jupytext.read(story, fmt="py:percent")
    cells, cited = [], []
    for cell in nb.cells:
        if cell.cell_type == "code":
            cells.append(nbformat.v4.new_code_cell(expand(cell.source)))
        elif cell.cell_type == "markdown":
            # [@key] citations link to a References cell at the end, which
            # works on the site and in the downloaded notebook alike.
            source, _ = citations.cite(cell.source, cited=cited)
            cells.append(nbformat.v4.new_markdown_cell(source))
    if cited:
        cells.append(nbformat.v4.new_markdown_cell(
            citations.references(cited, html_anchor=True)
        ))
    out = nbformat.v4.new_notebook(cells=cells)
    out.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3",
                       "language": "python"},
        "language_info": {"name": "python"},
    }
    for i, cell in enumerate(out.cells):
        cell.id = f"cell-{i}"  # stable ids: the same story, the same file
    return out


def sync() -> list[Path]:
    """Write docs/models/<story>.ipynb for every story whose notebook
    changed; returns the notebooks written."""
    PAGES.mkdir(parents=True, exist_ok=True)
    written = []
    for story in sorted(STORIES.glob("*.py")):
        target = PAGES / f"{story.stem}.ipynb"
        text = nbformat.writes(notebook(story)) + "\n"
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
            written.append(target)
    return written

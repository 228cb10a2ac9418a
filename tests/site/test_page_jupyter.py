"""Every notebook the site offers runs in a reader's Jupyter: downloaded
into an empty folder, run top to bottom in Jupyter's default ``python3``
kernel (nbclient starts it as Jupyter does), in a reader's default
environment (no OMP_NUM_THREADS, no MKL_NUM_THREADS, no MPLBACKEND), and
each cell prints what the notebook shows under it, which is what the page
shows (tests/site/test_page_notebooks.py).

On the build's machine that is exact, to the last digit: the notebook's
first code cell puts torch on one thread, as the build runs
(tools/notebooks.ONE_THREAD). It prints no warning the page does not
show. A figure is compared by its presence: the page draws it as SVG, a
reader's Jupyter as a PNG.

Each run is cached like every example (tools/downloads.py): keyed by the
notebook's code and the machine, so a notebook runs again only when its
code or the machine changed; a clean clone (CI) runs them all.
"""

import json

import pytest

from tests.pages import PAGES, html_path
from tools import downloads, notebooks, records


def offered(md, site):
    """The .ipynb the page offers, or None."""
    if md.suffix == ".ipynb":  # a notebook chapter: models/<stem>/
        path = site / html_path(md).parent / f"{md.stem}.ipynb"
    else:
        path = (site / html_path(md).parent
                / notebooks.page_filename(md.as_posix()))
    return path if path.exists() else None


def stream(outputs, name) -> str:
    return "".join(o["text"] for o in outputs if o.get("stream") == name)


def shown(cell) -> tuple[str, str, int]:
    """A served cell's printed text, its warnings and its number of
    figures."""
    out = downloads.outputs(cell)
    return (stream(out, "stdout"), stream(out, "stderr"),
            sum(1 for o in out if is_figure(o)))


def is_figure(output) -> bool:
    return any(m.startswith("image/") for m in output.get("display", []))


@pytest.mark.parametrize("md", PAGES, ids=str)
def test_the_notebook_runs_in_jupyter_and_prints_the_page(md, site):
    path = offered(md, site)
    if path is None:
        assert md.suffix == ".md" and not records.plan(md.as_posix()).shown
        pytest.skip(f"{md} has no code, and offers no notebook")
    text = path.read_text()
    ran = downloads.run_notebook(text, path.name)
    assert ran["ok"], f"{path.name}: a cell raised:\n{ran['error']}"
    served = [c for c in json.loads(text)["cells"]
              if c["cell_type"] == "code"]
    assert len(ran["cells"]) == len(served)
    for i, (cell, got) in enumerate(zip(served, ran["cells"])):
        text_shown, warned, figures = shown(cell)
        assert stream(got, "stdout") == text_shown, (path.name, i,
                                                     cell["source"][:3])
        # no warning the page does not show (Optuna's tqdm.auto warns
        # in a Jupyter without ipywidgets: tools/notebooks.IN_JUPYTER)
        assert stream(got, "stderr") == warned, (path.name, i)
        assert sum(map(is_figure, got)) == figures, (path.name, i)

"""Notebook chapters: written as jupytext "percent" scripts in notebooks/,
turned into .ipynb pages under docs/models/ at the start of every build.

A story is a readable script: Markdown cells (``# %% [markdown]``, which
may cite with ``[@key]`` as pages do) and code cells (``# %%``). A code
cell can include a section of a snippet module with a line such as
``# --8<-- "snippets/models/x.py:section"``, as pages do: the heavy logic
lives in snippets/ (tested by pytest), and the notebook a reader downloads
contains the code itself and runs on its own.

The build executes the notebook in a fresh Jupyter kernel (nbclient; the
kernel is ``python -I`` in an empty folder, as for every example) once per
change: its content key covers the code cells, includes expanded, so an
edit of a snippet section it includes runs it again and a prose edit does
not (tools/execute.py). The executed notebook is written under the cache
folder, outside docs/ (writing into docs/ would make ``mkdocs serve``
rebuild again), and mkdocs-jupyter renders it without executing it.
"""

import hashlib
import json
import re
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import jupytext
import nbformat

from tools import ROOT, citations, glue
from tools.environment import Setting, environment_key, kernel_env
from tools.examples import HIDE, imports_torch
from tools.sections import sections

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


# The build runs a story with its hidden lines, after this cell; a value a
# hidden line glues (tools/glue.py) comes back as an output of this type,
# which the page and the download do not show.
GLUE_MIME = "application/vnd.hpe.glue+json"
GLUE_CELL = f"""\
def glue(name, value):
    from IPython.display import display
    display({{{GLUE_MIME!r}: {{name: str(value)}}}}, raw=True)
"""


def _visible(code: str) -> str:
    """A code cell as the reader gets it: no hidden line."""
    return "\n".join(line for line in code.split("\n")
                     if HIDE not in line).strip("\n")


# The downloads' first cell, on pages that use PyTorch. Measured on this
# site's build machine (2 cores): alone, a notebook is no faster on
# PyTorch's default of two threads (make jupyter-times: the median ratio
# is 1.00); but glossary/gradient-clipping's script, 17 s on one thread,
# took over 8 minutes when two ran at once on two threads each; and two
# threads printed other digits in its chaotic runs.
SETUP_ID = "one-thread"
ONE_THREAD = """\
# The page's numbers come from a run on one CPU thread. PyTorch's default,
# a thread per core, adds up in another order (other last digits in a
# chaotic run), and is no faster for examples this small.
import torch

torch.set_num_threads(1)"""


NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")  # a valid nbformat cell id


def notebook(story: Path, *, hidden: bool = False) -> nbformat.NotebookNode:
    """The .ipynb for one story: includes expanded, no outputs. Lines that
    end in ``# markdown-exec: hide`` are the build's: kept, after a cell
    that defines ``glue``, when `hidden` (the notebook the build runs),
    left out otherwise (the notebook a reader gets); a cell of hidden
    lines only is left out with them.

    A code cell whose marker names it (``# %% name="sorters"``) gets that
    name as its id, so tests look its output up by name
    (tools.records.cell_output); the other cells are ``cell-<n>``."""
    nb = jupytext.read(story, fmt="py:percent")
    cells, cited, names = [], [], set()
    if hidden:
        cells.append(nbformat.v4.new_code_cell(GLUE_CELL))
    for cell in nb.cells:
        if cell.cell_type == "code":
            code = expand(cell.source)
            if not hidden:
                code = _visible(code)
                if not code:
                    continue
            new = nbformat.v4.new_code_cell(code)
            if "name" in cell.metadata:
                name = cell.metadata["name"]
                if not (isinstance(name, str) and NAME.fullmatch(name)):
                    raise ValueError(f"{story.name}: a cell's name must be "
                                     f"lower_case_with_underscores, at "
                                     f"most 64 characters, got {name!r}")
                if name in names:
                    raise ValueError(f"{story.name}: two cells are named "
                                     f"{name!r}")
                names.add(name)
                new.metadata["name"] = name
            cells.append(new)
        elif cell.cell_type == "markdown":
            # [@key] citations link to a References cell at the end, which
            # works on the site and in the downloaded notebook alike.
            source, _ = citations.cite(cell.source, cited=cited)
            cells.append(nbformat.v4.new_markdown_cell(source))
    if cited:
        cells.append(nbformat.v4.new_markdown_cell(
            citations.references(cited, html_anchor=True)
        ))
    codes = [c.source for c in cells if c.cell_type == "code"]
    if imports_torch(*codes):  # one thread, before the first code cell
        first = next(i for i, c in enumerate(cells)
                     if c.cell_type == "code" and c.source != GLUE_CELL)
        cell = nbformat.v4.new_code_cell(ONE_THREAD)
        cell.metadata["name"] = SETUP_ID
        cells.insert(first, cell)
    out = nbformat.v4.new_notebook(cells=cells)
    out.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3",
                       "language": "python"},
        "language_info": {"name": "python"},
    }
    for i, cell in enumerate(out.cells):
        # stable ids: the same story, the same file
        cell.id = cell.metadata.pop("name", f"cell-{i}")
    return out


def run(stem: str) -> None:
    """Run the notebook chapter ``notebooks/<stem>.py`` in this
    interpreter, cell after cell, as the reader's notebook has them (no
    hidden line), printing as it goes: ``python -m snippets.models.<stem>``
    runs its chapter this way."""
    nb = notebook(STORIES / f"{stem}.py")
    namespace = {"__name__": "__main__"}
    for cell in nb.cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, f"<{stem}.ipynb, {cell.id}>", "exec"),
                 namespace)


def merge_streams(outputs: list) -> list:
    """Consecutive stream outputs of one stream as one, as a reader's
    Jupyter shows them (MyST-NB's ``nb_merge_streams``): a cell that prints
    line by line shows one block of text."""
    merged: list = []
    for output in outputs:
        last = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and last is not None
                and last.get("output_type") == "stream"
                and last.get("name") == output.get("name")):
            merged[-1] = nbformat.from_dict(
                {**last, "text": last["text"] + output["text"]})
        else:
            merged.append(output)
    return merged


def key(nb, env: dict) -> str:
    """What can change the outputs: the code cells, and the environment
    (tools/examples.py)."""
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    if not imports_torch(*code):
        env = {k: v for k, v in env.items() if k != "torch"}
    payload = {"kind": "notebook", "code": code, "env": env}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()
                          ).hexdigest()


def kernel_manager(folder: Path):
    """A Jupyter kernel started as the examples' interpreter is: ``python
    -I`` (nothing of the repository importable), one torch/BLAS thread."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    spec = folder / "kernels" / "hpe"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-I", "-m", "ipykernel_launcher", "-f",
                 "{connection_file}"],
        "display_name": "Python 3", "language": "python"}))
    specs = KernelSpecManager(kernel_dirs=[str(folder / "kernels")])
    return KernelManager(kernel_name="hpe", kernel_spec_manager=specs)


def execute(nb, overrides: Setting = ()) -> nbformat.NotebookNode:
    """`nb` run top to bottom in a fresh kernel in an empty folder."""
    from nbclient import NotebookClient

    env = kernel_env(overrides)
    # ipykernel picks its inline backend only when no backend is named:
    # under Agg, a notebook's figures would vanish without an error
    env.pop("MPLBACKEND")
    nb = nbformat.from_dict(nb)
    with tempfile.TemporaryDirectory(prefix="hpe-nb-") as home:
        work = Path(home) / "work"
        work.mkdir()
        client = NotebookClient(nb, km=kernel_manager(Path(home)),
                                timeout=900, allow_errors=False,
                                kernel_name="hpe")
        with open(Path(home) / "kernel.log", "wb") as log:
            client.execute(cwd=str(work), env=env, stdout=log, stderr=log)
    return nb


class NotebookJob:
    """Execute one story's notebook unless the cache has it."""

    kind = "notebook"

    def __init__(self, story: Path, env: dict, overrides: Setting = ()):
        self.story = story
        self.overrides = overrides
        self.nb = notebook(story, hidden=True)
        self.key = key(self.nb, env)
        self.expected = 1e9  # the longest jobs: start them first
        self.page = f"models/{story.stem}.ipynb"

    def __str__(self):
        return self.page

    def needed(self, cache) -> bool:
        return cache.get(self.key) is None

    def run(self, cache, root: Path | None = None) -> list[str]:
        """Execute it unless the cache has it; root is unused: a notebook
        runs in a folder of its own (execute)."""
        with cache.locked([self.key]):
            if cache.get(self.key) is not None:
                return []
            start = time.perf_counter()
            try:
                done = execute(self.nb, self.overrides)
            except Exception as error:  # nbclient's CellExecutionError
                return [f"{self.page}: a cell raised:\n{error}"]
            cells = [c for c in done.cells if c.cell_type == "code"]
            for n in range(len(cells)):
                cache.count("notebook", f"{self.page}#{n}")
            cache.put(self.key, {
                "kind": "notebook", "page": self.page,
                "outputs": [c.outputs for c in cells],
                "counts": [c.execution_count for c in cells],
                "seconds": round(time.perf_counter() - start, 2),
            })
        return []


def executed(story: Path, cache, env: dict | None = None):
    """The story's notebook as a reader gets it, with the outputs its last
    run recorded and the values that run glued in its prose; None when it
    has not run since it changed."""
    ran = notebook(story, hidden=True)
    record = cache.get(key(ran, env or environment_key()))
    if record is None:
        return None
    nb = notebook(story)
    shown = iter(c for c in nb.cells if c.cell_type == "code")
    glued: dict[str, str] = {}
    ran_cells = [c for c in ran.cells if c.cell_type == "code"]
    count = 0
    for cell, outputs in zip(ran_cells[1:], record["outputs"][1:]):
        kept = []
        for output in map(nbformat.from_dict, outputs):
            value = output.get("data", {}).get(GLUE_MIME)
            if value is None:
                kept.append(output)
            else:
                glued.update(glue.collect([{"glue": value}, {"glue": glued}],
                                          str(story)))
        if not _visible(cell.source):
            continue  # hidden lines only: the reader has no such cell
        count += 1  # as if the reader ran the cells in order
        target = next(shown)
        target.outputs = merge_streams(kept)
        target.execution_count = count
    prose = [c for c in nb.cells if c.cell_type == "markdown"]
    glue.verify("\n".join(c.source for c in prose), glued, str(story))
    for cell in prose:
        cell.source = glue.substitute(cell.source, glued, str(story),
                                      check=False)
    return nb


def page_filename(src_uri: str, suffix: str = ".ipynb") -> str:
    """The notebook (or, with ``suffix=".py"``, the script) a page offers:
    ``momentum.md`` -> ``momentum.ipynb``, ``glossary/index.md`` ->
    ``glossary.ipynb``."""
    path = Path(src_uri)
    stem = path.stem if path.stem != "index" else (
        path.parent.name or "home")
    return f"{stem}{suffix}"


IMPORT = re.compile(r"^\s*(?:import|from)\s+([A-Za-z_]\w*)", re.M)


# What a distribution needs besides itself in Jupyter: Optuna imports
# tqdm.auto, which warns in a notebook without ipywidgets ("TqdmWarning:
# IProgress not found"), a warning the page does not show.
IN_JUPYTER = {"optuna": "ipywidgets"}


def requirements(codes: list[str], *, jupyter: bool = False) -> list[str]:
    """What the code imports from outside the standard library, as pinned
    requirements of the versions it ran with (``numpy==2.3.1``; a local
    build tag such as torch's ``+cpu`` left out: any build of the version
    runs it); with `jupyter`, and what they need in a notebook
    (IN_JUPYTER)."""
    from importlib.metadata import packages_distributions, version

    dists = packages_distributions()
    found = set()
    for code in codes:
        for module in IMPORT.findall(code):
            if module not in sys.stdlib_module_names:
                found.update(dists.get(module, []))
    if jupyter:
        found |= {IN_JUPYTER[d] for d in found if d in IN_JUPYTER}
    return sorted((f"{d}=={version(d).split('+')[0]}" for d in found),
                  key=str.lower)


def _needs(codes: list[str], *, block: bool = False,
           jupyter: bool = False) -> str:
    """What the code needs, in a sentence: the Python it ran with and the
    pip install line of what it imports (on a line of its own with
    `block`, as a script's docstring shows it; with what a notebook needs
    besides, with `jupyter`)."""
    pins = " ".join(requirements(codes, jupyter=jupyter))
    python = ".".join(map(str, sys.version_info[:2]))
    if not pins:
        return f"It needs Python {python} or newer, and nothing else."
    if block:
        return (f"It needs Python {python} or newer, and:\n\n"
                f"    pip install {pins}")
    return f"It needs Python {python} or newer and `pip install {pins}`."


def setup(blocks: list[dict]) -> str | None:
    """The cell a page's downloads start with, if any: ONE_THREAD on a
    page whose code imports torch."""
    codes = [b["code"] for b in blocks]
    return ONE_THREAD if imports_torch(*codes) else None


def page_script(blocks: list[dict], title: str, versions: str,
                name: str) -> str:
    """A page's blocks as one Python script, `name`, in page order: a
    docstring that says what it is and what it needs, then each block as
    a ``# %%`` cell (the percent format that VS Code, Spyder and jupytext
    read as cells), titled as on the page. ``python <name>`` prints what
    the page shows under each block (tests/site/test_page_scripts.py)."""
    about = textwrap.fill(
        f"Every code block of the page, in page order: `python {name}` "
        f"runs them top to bottom, and each prints what the page shows "
        f"under it. {versions}", 76)
    needs = _needs([b["code"] for b in blocks], block=True)
    parts = [f'"""{title}: the code of this page of Hyperparameters, '
             f'Explained.\n\n{about}\n\n{needs}\n"""\n']
    if (first := setup(blocks)) is not None:
        parts.append(f"\n# %% one thread, as the page ran\n{first}\n")
    for block in blocks:
        label = " ".join(x for x in (block["tab"], block["title"]) if x)
        parts.append(f"\n# %% {label}".rstrip() + "\n"
                     + block["code"].rstrip("\n") + "\n")
    return "".join(parts)


def story_script(nb) -> str:
    """A notebook chapter's reader notebook as a percent-format script."""
    nb = nbformat.from_dict(nb)
    nb.metadata["jupytext"] = {"notebook_metadata_filter": "-all",
                               "cell_metadata_filter": "-all"}
    return jupytext.writes(nb, fmt="py:percent")


def page_notebook(blocks: list[dict], title: str, versions: str):
    """A page's blocks as a notebook: in page order, each tab's title as a
    heading, each block with what it printed (tools/execute.py,
    ``notebook_blocks``), which is what it prints when the notebook runs
    top to bottom (tests/site/test_page_notebooks.py)."""
    cells = [nbformat.v4.new_markdown_cell(
        f"# {title}\n\nThe code of the page *{title}* of Hyperparameters, "
        f"Explained, block by block, in page order, with what each block "
        f"prints when the notebook runs top to bottom. {versions} "
        f"{_needs([b['code'] for b in blocks], jupyter=True)}")]
    if (first := setup(blocks)) is not None:
        cells.append(nbformat.v4.new_code_cell(first, id=SETUP_ID))
    tab = ""
    for block in blocks:
        if block["tab"] and block["tab"] != tab:
            cells.append(nbformat.v4.new_markdown_cell(
                f"### {block['tab']}"))
        tab = block["tab"]
        if block["title"]:
            cells.append(nbformat.v4.new_markdown_cell(
                f"`{block['title']}`"))
        cell = nbformat.v4.new_code_cell(block["code"])
        if block.get("html") and block["stdout"].strip():
            cell.outputs = [nbformat.v4.new_output(
                "display_data",
                data={"image/svg+xml": block["stdout"].strip()})]
        elif block["stdout"]:
            cell.outputs = [nbformat.v4.new_output(
                "stream", name="stdout", text=block["stdout"])]
        cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3",
                       "language": "python"},
        "language_info": {"name": "python"},
    }
    count = 0
    for i, cell in enumerate(nb.cells):
        if cell.get("id") != SETUP_ID:
            cell.id = f"cell-{i}"
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
    return nb

"""No Python fence goes untested without saying so.

pytest-codeblocks runs only fences whose info string is exactly
``python``/``sh``/``bash``; it skips ```` ```python title="x" ```` and
``exec="on"`` fences without a word. So every fence is checked here:

- in docs/, a Python fence is shown on a built page and run by
  tests/site/test_code_blocks.py only if its language is one that test
  collects; an ``exec="on"`` fence also runs at build time;
- in README.md, a fence runs only through pytest-codeblocks;
- a fence may opt out with ``<!-- untested: reason -->`` (or
  pytest-codeblocks' ``<!--pytest.mark.skip-->``) on the line before it.

Docs fences must also take their code from snippets/ (invariant 1).
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tools import fences
from tools.blocks import PYTHON

PYTHON_LIKE = re.compile(r"^(python\d?|py\d?|pycon|ipython\d?|pyi)$", re.I)
SKIP = re.compile(r"<!--\s*(untested:\s*\S.*|pytest\.mark\.skip)\s*-->")
BUILT_LANGS = {cls.removeprefix("language-") for cls in PYTHON}


@dataclass
class Fence:
    path: Path
    fence: fences.Fence

    @property
    def lang(self) -> str:
        return self.fence.lang

    @property
    def attrs(self) -> str:
        return self.fence.attrs

    @property
    def body(self) -> list[str]:
        return self.fence.body

    @property
    def skipped(self) -> bool:
        return bool(SKIP.search(self.fence.before))

    def __str__(self):
        where = f"{self.path.relative_to(ROOT)}:{self.fence.line}"
        return f"{where} ```{self.lang}"


def page_fences(path: Path) -> list[Fence]:
    return [Fence(path, f) for f in fences.fences(path.read_text())]


DOCS = sorted((ROOT / "docs").rglob("*.md"))
PY_FENCES = [
    f for p in [*DOCS, ROOT / "README.md"] for f in page_fences(p)
    if PYTHON_LIKE.match(f.lang)
]


def covered(f: Fence) -> bool:
    in_docs = f.path.is_relative_to(ROOT / "docs")
    if f.skipped:
        return True
    if 'exec="on"' in f.attrs:
        return True  # runs at build (a failure fails the strict build)
    if in_docs and f.lang in BUILT_LANGS:
        return True  # shown on a built page: run by test_code_blocks
    return f.lang == "python" and not f.attrs  # pytest-codeblocks


@pytest.mark.parametrize("fence", PY_FENCES, ids=str)
def test_every_python_fence_is_tested_or_excluded(fence):
    assert covered(fence), (
        f"{fence}: no test runs this fence; use ```python, or mark it "
        f"<!-- untested: reason --> on the line before"
    )


@pytest.mark.parametrize(
    "fence",
    [f for f in PY_FENCES if f.path.is_relative_to(ROOT / "docs")],
    ids=str,
)
def test_docs_code_comes_from_snippets(fence):
    if fence.skipped:
        pytest.skip("marked <!-- untested: reason -->: not code to run")
    if 'exec="on"' in fence.attrs and "source=" not in fence.attrs:
        pytest.skip("build-only code the reader never sees (e.g. the "
                    "stamp): nothing to include from snippets/")
    code = [
        line.strip() for line in fence.body
        if line.strip() and "markdown-exec: hide" not in line
    ]
    pasted = [line for line in code if not line.startswith("--8<--")]
    assert code and not pasted, (
        f"{fence}: code shown on a page must be included from snippets/ "
        f"with --8<--, not pasted: {pasted[:2]}"
    )


def test_guard_sees_the_fences():
    # The first chapter has Python fences; if the parser found none, the
    # guard would pass on anything.
    chapter = ROOT / "docs/history/1986-backprop.md"
    assert sum(f.path == chapter for f in PY_FENCES) >= 6

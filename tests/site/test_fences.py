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
from tools.blocks import PYTHON

FENCE = re.compile(r"^(?P<indent>\s*)(?P<ticks>`{3,}|~{3,})(?P<info>.*)$")
PYTHON_LIKE = re.compile(r"^(python\d?|py\d?|pycon|ipython\d?|pyi)$", re.I)
SKIP = re.compile(r"<!--\s*(untested:\s*\S.*|pytest\.mark\.skip)\s*-->")
BUILT_LANGS = {cls.removeprefix("language-") for cls in PYTHON}


@dataclass
class Fence:
    path: Path
    line: int
    lang: str
    attrs: str
    body: list[str]
    skipped: bool

    def __str__(self):
        return f"{self.path.relative_to(ROOT)}:{self.line} ```{self.lang}"


def fences(path: Path) -> list[Fence]:
    lines = path.read_text().splitlines()
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        ticks, info = m.group("ticks"), m.group("info").strip()
        lang, _, attrs = info.partition(" ")
        lang = lang.strip("{}.")
        start, body = i, []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(ticks):
            body.append(lines[i])
            i += 1
        before = lines[start - 1] if start else ""
        out.append(Fence(path, start + 1, lang, attrs.strip(), body,
                         bool(SKIP.search(before))))
        i += 1
    return out


DOCS = sorted((ROOT / "docs").rglob("*.md"))
PY_FENCES = [
    f for p in [*DOCS, ROOT / "README.md"] for f in fences(p)
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
    if fence.skipped or ('exec="on"' in fence.attrs
                         and "source=" not in fence.attrs):
        return  # build-only code the reader never sees (e.g. the stamp)
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

"""What the reader copies runs: every Python block of the built site.

Each block (with the earlier blocks its title says it runs after) runs in
a fresh interpreter (`python -I`: no project on sys.path, no user site) in
an empty folder, and must print exactly what the page shows under it.
"""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tools.blocks import page_blocks, runs

PAGES = sorted(
    p.relative_to(ROOT / "docs")
    for p in (ROOT / "docs").rglob("*.md")
    if "includes" not in p.relative_to(ROOT / "docs").parts
)


def html_path(md):
    if md.name == "index.md":
        return md.parent / "index.html"
    return md.with_suffix("") / "index.html"


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def run_fresh(code: str, folder, name: str) -> subprocess.CompletedProcess:
    script = folder / (name if name.endswith(".py") else "block.py")
    script.write_text(code)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["MPLBACKEND"] = "Agg"  # plt.show() must not wait for a window
    return subprocess.run(
        [sys.executable, "-I", script.name],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize("md", PAGES, ids=str)
def test_blocks_run_as_copied(md, site, tmp_path):
    page = html_path(md)
    blocks = page_blocks((site / page).read_text(), str(page))
    for n, chain in enumerate(runs(blocks)):
        folder = tmp_path / f"run{n}"
        folder.mkdir()
        code = "\n\n".join(b.code for b in chain)
        proc = run_fresh(code, folder, chain[-1].name)
        names = " + ".join(str(b) for b in chain)
        assert proc.returncode == 0, f"{names} failed:\n{proc.stderr}"
        shown = [b.output for b in chain]
        if None not in shown:
            expected = "\n".join(normalise(s) for s in shown if s.strip())
            assert normalise(proc.stdout) == expected, (
                f"{names} printed something else than the page shows"
            )


def test_some_blocks_exist(site):
    # A selector that silently matches nothing would make the test above
    # pass on every page; the first chapter alone has six Python blocks.
    page = "history/1986-backprop/index.html"
    blocks = page_blocks((site / page).read_text(), page)
    assert len(blocks) >= 6
    assert all(b.code.strip() for b in blocks)

"""What the reader copies runs: every Python block of the built site.

Each block (with the earlier blocks its title says it runs after) runs in
a fresh interpreter (`python -I`: no project on sys.path, no user site) in
an empty folder, and must print exactly what the page shows under it.
"""

import pytest

from tests.pages import PAGES, html_path
from tools.blocks import normalise, page_blocks, run_fresh, runs


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
        # A figure block prints nothing when run as copied: its figure came
        # from a hidden line (or, in a notebook, from the kernel).
        shown = [b.output or "" for b in chain]
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

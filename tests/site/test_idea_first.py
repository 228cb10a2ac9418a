"""Every block a page shows opens with its idea, not with argument checks
(tools/idea_first.py): at most MOST lines of ``def check_*`` before the
first line of the idea, and the contributing guide states the most."""

import re

import pytest

from tests.conftest import ROOT
from tests.pages import PAGES
from tools import idea_first, records

MD = [p for p in PAGES if p.suffix == ".md"]


def shown(md) -> list:
    return records.plan(md.as_posix()).shown


@pytest.mark.parametrize("md", MD, ids=str)
def test_no_block_opens_with_checks(md):
    for block in shown(md):
        n = idea_first.checks_before_idea(block.visible)
        assert n <= idea_first.MOST, (
            f"{block}: {n} lines of argument checks before the idea; "
            f"move them after the functions that call them")


def test_the_guide_states_the_most_there_is():
    most = max((idea_first.checks_before_idea(b.visible)
                for md in MD for b in shown(md)), default=0)
    guide = (ROOT / "docs/contributing/adding-a-page.md").read_text()
    said = re.search(r"the most lines of checks before the first\s+line "
                     r"of the idea is \*\*(\d+)\*\*", guide)
    assert said and int(said[1]) == most


def test_the_count_stops_at_the_idea():
    code = ("import math\n\n\ndef check_int(name, value):\n    pass\n\n\n"
            "def check_real(name, value):\n    '''Doc.'''\n    pass\n\n\n"
            "def step(w, *, lr):\n    check_real('lr', lr)\n    return w\n"
            "\n\ndef check_bool(name, value):\n    pass\n")
    assert idea_first.checks_before_idea(code) == 2 + 3  # not check_bool
    assert idea_first.checks_before_idea("x = 1\n") == 0

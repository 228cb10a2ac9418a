"""Tests for snippets/history/turing_award_2018.py (the 2018 chapter).

The module's table of works is held against docs/references.bib, the
site's single source of citations, so that the two cannot drift apart.
"""

import re

import pytest

from snippets.history import turing_award_2018 as ta
from tests.conftest import ROOT
from tools.bib import entries
from tools.records import output

PAGE = ROOT / "docs/history/2018-turing-award.md"
PAGE_NAME = "history/2018-turing-award.md"
BY_KEY = {w.key: w for w in ta.WORKS}


def squash(name: str) -> str:
    """'Le Cun' and 'LeCun' are one person: compare without spaces."""
    return name.replace(" ", "").casefold()


def laureates_among(entry) -> set[str]:
    authors = {squash(last) for last in entry.last_names}
    return {name for name in ta.LAUREATES if squash(name) in authors}


def test_keys_are_unique_and_laureates_known():
    assert len(BY_KEY) == len(ta.WORKS)
    for work in ta.WORKS:
        assert work.laureates, work.key
        assert set(work.laureates) <= set(ta.LAUREATES), work.key


@pytest.mark.parametrize("work", ta.WORKS, ids=lambda w: w.key)
def test_every_row_matches_the_references(work):
    bib = entries()
    assert work.key in bib, f"{work.key} is not in docs/references.bib"
    entry = bib[work.key]
    # entries() marks two works with one label as 1986a, 1986b
    assert int(re.match(r"\d{4}", entry.year)[0]) == work.year
    assert entry.title.casefold().startswith(work.title.casefold()), (
        f"{work.key}: {work.title!r} does not start {entry.title!r}"
    )
    assert set(work.laureates) == laureates_among(entry), (
        f"{work.key}: authors {entry.last_names}"
    )


def test_no_work_by_a_laureate_is_missing():
    found = {key for key, e in entries().items() if laureates_among(e)}
    assert found == set(BY_KEY), (
        f"in the references but not in WORKS: {sorted(found - set(BY_KEY))}"
        f"; in WORKS but not by a laureate: {sorted(set(BY_KEY) - found)}"
    )


def test_works_of_sorts_and_filters():
    for laureate in ta.LAUREATES:
        mine = ta.works_of(laureate)
        assert [w.year for w in mine] == sorted(w.year for w in mine)
        assert {w.key for w in mine} == {
            w.key for w in ta.WORKS if laureate in w.laureates
        }
    shared = [w.key for w in ta.WORKS if len(w.laureates) > 1]
    assert shared == ["lecun1998"]
    assert ta.works_of("LeCun")[-1].key == "lecun1998"
    assert ta.works_of("Bengio")[0].key == "lecun1998"


@pytest.mark.parametrize("laureate", ["Schmidhuber", "lecun", "", None])
def test_unknown_laureate_is_refused(laureate):
    with pytest.raises(ValueError, match=r"^laureate must be one of "
                       r"'Bengio', 'Hinton', 'LeCun', got "):
        ta.works_of(laureate)


def test_the_page_names_the_award_exactly():
    page = PAGE.read_text()
    assert "Turning" not in page
    assert "**2018** ACM A.M. Turing Award" in page
    assert ('"for conceptual and engineering\nbreakthroughs that have made '
            'deep neural networks a critical component of\ncomputing" '
            '[@acm2019]') in page
    for date in ("27 March 2019", "15 June 2019"):
        assert date in page.replace("\n", " ")


def test_numbers_in_the_prose_are_what_the_code_computes():
    # The page's only numbers are dates and the prize, cited to the ACM;
    # the spans it calls "the span of years" are printed by the block
    # (read here from the build's run, in the execution cache).
    printed = output(PAGE_NAME, "by_laureate.py")
    spans = {
        m["name"]: (int(m["first"]), int(m["last"]), int(m["n"]))
        for m in re.finditer(r"^(?P<name>\w+ \w+): (?P<n>\d+) works, "
                             r"(?P<first>\d{4})-(?P<last>\d{4})$",
                             printed, re.M)
    }
    assert spans == {"Yoshua Bengio": (1998, 2013, 7),
                     "Geoffrey Hinton": (1986, 2017, 8),
                     "Yann LeCun": (1985, 1998, 4)}
    for last, name in ta.LAUREATES.items():
        mine = ta.works_of(last)
        assert spans[name] == (mine[0].year, mine[-1].year, len(mine))
    assert output(PAGE_NAME, "works.py") == (
        f"{len(ta.WORKS)} works in the references have a laureate among "
        f"their authors\n")
    assert BY_KEY["krizhevsky2012"].title == BY_KEY["krizhevsky2017"].title
    assert "Hinton's two ImageNet rows are one paper" in PAGE.read_text()


def test_built_page_shows_every_key(site):
    html = (site / "history/2018-turing-award/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    for key in BY_KEY:
        assert f"[{key}]" in text
    assert "Turning" not in text

"""The timeline data: complete, in order, cited, linked to real pages."""

import pytest

from tools import bib, timeline


def test_the_timeline_is_valid():
    events = timeline.load()
    keys = set(bib.entries())
    assert len(events) >= 40
    for e in events:
        assert set(e["cite"]) <= keys, e
    years = [int(str(e["year"])[:4]) for e in events]
    assert years[0] == 1964 and years[-1] == 2023  # momentum to Playbook


def test_the_turing_award_is_the_2018_award_announced_in_2019():
    [award] = [e for e in timeline.load() if "Turing" in e["event"]]
    assert award["year"] == "2019" and "2018" in award["event"]


@pytest.mark.parametrize(
    "bad, message",
    [
        ("- {year: '1990', event: a, people: b, cite: [x]}\n"
         "- {year: '1980', event: a, people: b, cite: [x]}\n", "out of order"),
        ("- {year: '1990', event: a, people: b, cite: []}\n", "no citation"),
        ("- {year: '1990', event: a, people: b, cite: [x], "
         "chapter: nowhere.md}\n", "no page"),
        ("- {year: '1990', event: a, cite: [x]}\n", "fields"),
    ],
)
def test_bad_data_is_refused(tmp_path, bad, message):
    path = tmp_path / "t.yml"
    path.write_text(bad)
    with pytest.raises(ValueError, match=message):
        timeline.load(path)


def test_pipes_in_text_do_not_break_the_table():
    rows = timeline.table(
        [{"year": "2000", "event": "a | b", "people": "c", "cite": ["k"]}],
        "history/timeline.md",
    )
    assert "a \\| b" in rows

"""The search index every page load fetches: at most 150 KB, each
section's title and summary, no code, output, figure, explorer, MathML or
per-page reference list (tools/hooks.py: search_exclude, and
tools/search_index.py). That a hyperparameter's name finds its page first
is checked in a real browser (tests/browser/test_interactions.py)."""

import json

import pytest

from tools import search_index
from tools.blocks import page_blocks

BUDGET = 150_000  # bytes (issue 19)


def docs(site) -> list[dict]:
    return json.loads((site / "search/search_index.json").read_text(
        encoding="utf-8"))["docs"]


def test_index_is_within_its_budget(site):
    size = (site / "search/search_index.json").stat().st_size
    assert size <= BUDGET, f"search index {size} bytes > {BUDGET}"


def test_index_has_summaries_but_no_code_blocks(site):
    found = docs(site)
    text = " ".join(d["title"] + " " + d["text"] for d in found)
    assert "<pre>" not in text  # code blocks and printed results
    # every section, with the start of its prose
    epochs = {d["location"]: d["text"] for d in found}
    assert epochs["glossary/epochs/#typical-values"].startswith(
        "Bengio recommends exactly this")
    for d in found:
        if not d["location"].startswith(search_index.WHOLE):
            assert len(d["text"]) <= search_index.CAP + 2, d["location"]
    # the first code block of the 1986 chapter: none of its lines
    page = (site / "history/1986-backprop/index.html").read_text()
    code = page_blocks(page, "history/1986-backprop/")[0].code
    lines = [ln.strip() for ln in code.splitlines() if len(ln.strip()) > 20]
    assert lines and not [ln for ln in lines if ln in text]


def test_index_holds_math_once_and_no_page_reference_lists(site):
    found = docs(site)
    text = " ".join(d["text"] for d in found)
    assert "η" in text  # the MathML's symbols, as the reader sees them
    # no TeX, and no invisible operator (function application, U+2061)
    assert "\\eta" not in text and "\u2061" not in text
    lists = [d["location"] for d in found if d["title"] == "References"]
    assert lists == ["references/"], lists  # the References page, once
    names = " ".join(d["text"] for d in found
                     if d["location"].startswith("references/"))
    assert "Linnainmaa" in names and "Rumelhart" in names


def test_index_leaves_out_the_explorers(site):
    text = " ".join(d["text"] for d in docs(site)
                    if d["location"].startswith("glossary/learning-rate/"))
    assert "learning rate" in text
    # its caption, its panels' titles and its controls go
    assert "Gradient descent on the valley, by learning rate" not in text
    assert "how much each step multiplies each direction" not in text


def test_summary_skips_a_title_and_cuts_at_a_word():
    text = ("<p>In one line</p> <p>The batch size is the number of "
            "examples averaged into each step of gradient descent.</p> "
            "<p>More.</p>")
    assert search_index.summary(text) == (
        "In one line The batch size is the number of examples averaged "
        "into each step of gradient descent.")
    long = "<p>" + "word " * 200 + "</p>"
    got = search_index.summary(long)
    assert got.endswith(" …") and len(got) <= search_index.CAP + 2
    assert "wor …" not in got  # a whole word, never a piece of one
    assert search_index.summary("<p>x&lt;y\u200b z</p>") == "x&lt;y z"


def test_a_changed_index_format_fails_loudly(tmp_path):
    path = tmp_path / "search_index.json"
    path.write_text(json.dumps({"config": {}, "items": []}))
    with pytest.raises(ValueError, match="no longer"):
        search_index.lighten(path)

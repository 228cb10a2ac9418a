"""The search index holds the prose, not the code, output or figures
(tools/hooks.py: search_exclude): every page load fetches it."""

import json

from tools.blocks import page_blocks


def test_index_has_prose_but_no_code_blocks(site):
    docs = json.loads((site / "search/search_index.json").read_text())["docs"]
    text = " ".join(d["title"] + " " + d["text"] for d in docs)
    assert "<pre>" not in text  # code blocks and printed results
    assert "Linnainmaa" in text and "patience" in text  # prose stays
    # the first code block of the 1986 chapter: none of its lines
    page = (site / "history/1986-backprop/index.html").read_text()
    code = page_blocks(page, "history/1986-backprop/")[0].code
    lines = [ln.strip() for ln in code.splitlines() if len(ln.strip()) > 20]
    assert lines and not [ln for ln in lines if ln in text]


def test_index_leaves_out_the_explorers(site):
    docs = json.loads((site / "search/search_index.json").read_text())["docs"]
    text = " ".join(d["text"] for d in docs
                    if d["location"].startswith("glossary/learning-rate/"))
    assert "Explore it." in text  # the prose before the explorer stays
    # its caption, its panels' titles and its controls go
    assert "Gradient descent on the valley, by learning rate" not in text
    assert "how much each step multiplies each direction" not in text

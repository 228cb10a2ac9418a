"""The symptoms table: valid data, and the two views of it."""

import pytest

from tools import symptoms
from tools.symptoms import SymptomsError

GLOSSARY = symptoms.DOCS / "glossary"
ROW = {"group": "explodes", "see": "`nan`", "cause": "lr | too large",
       "fix": "lower it", "page": "glossary/learning-rate.md"}


def test_every_glossary_page_has_rows_and_shows_them():
    rows = symptoms.load()
    pages = {r["page"].partition("#")[0] for r in rows}
    glossary = {f"glossary/{p.name}" for p in GLOSSARY.glob("*.md")
                if p.name != "index.md"}
    assert pages == glossary  # the 12 sections, merged
    for page in glossary:
        text = (symptoms.DOCS / page).read_text()
        assert text.count("<!-- symptoms -->") == 1, page
        table = symptoms.expand(text, page, rows)
        mine = [r for r in rows if r["page"].startswith(page)]
        assert table.count("\n| ") >= len(mine) + 1  # the header, each row


def test_the_merged_page_shows_every_row_once_linked_to_its_page():
    rows = symptoms.load()
    page = "start-here/when-training-goes-wrong.md"
    text = symptoms.expand("# x\n\n<!-- symptoms: all -->\n", page, rows)
    body = [line for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("| what")]
    assert len(body) == len(rows)
    for r in rows:
        target = "../" + r["page"]
        assert any(f"]({target})" in line for line in body), r
    # each table out of the search index (the glossary pages hold them)
    assert text.count("data-search-exclude markdown>") == len(titles := [
        t for t in symptoms.GROUPS.values() if f"### {t}" in text])
    # groups in the order a run shows them, each group once
    assert [line[4:] for line in text.splitlines()
            if line.startswith("### ")] == titles


def test_a_page_view_escapes_pipes_and_keeps_markdown():
    out = symptoms.page_table([ROW], "glossary/learning-rate.md")
    assert out.splitlines()[-1] == "| `nan` | lr \\| too large | lower it |"


def test_a_row_links_relative_to_the_page():
    row = dict(ROW, page="glossary/learning-rate.md#a-range-test")
    out = symptoms.all_tables([row], "start-here/x.md")
    assert "[learning rate](../glossary/learning-rate.md#a-range-test)" in out


def test_a_page_without_its_marker_is_refused():
    with pytest.raises(SymptomsError, match="no <!-- symptoms -->"):
        symptoms.expand("# Learning rate\n", "glossary/learning-rate.md",
                        [ROW])
    # a page no row names is left alone
    assert symptoms.expand("# x\n", "glossary/dropout.md", [ROW]) == "# x\n"


def test_a_marker_with_no_rows_is_refused():
    with pytest.raises(SymptomsError, match="no row"):
        symptoms.expand("<!-- symptoms -->\n", "glossary/dropout.md", [ROW])


@pytest.mark.parametrize("change, message", [
    ({"group": "weird"}, "group 'weird'"),
    ({"fix": " "}, "empty fix"),
    ({"extra": "x"}, "fields"),
])
def test_bad_data_is_refused(tmp_path, change, message):
    import yaml

    path = tmp_path / "s.yml"
    path.write_text(yaml.safe_dump([ROW | change]))
    with pytest.raises(SymptomsError, match=message):
        symptoms.load(path)


def test_a_row_naming_a_missing_page_fails_where_it_is_linked():
    row = dict(ROW, page="glossary/nowhere.md")
    with pytest.raises(SymptomsError, match="no page docs/glossary/nowhere"):
        symptoms.all_tables([row], "start-here/x.md")

"""Citations: [@key] -> linked (Author Year) and a References section."""

from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from tools import bib, hooks


def render(markdown: str, *, meta=None, src="history/x.md") -> str:
    page = SimpleNamespace(file=SimpleNamespace(src_uri=src), meta=meta or {})
    return hooks.on_page_markdown(markdown, page, None, None)


def test_citation_becomes_a_link_and_a_reference():
    out = render("Popularized in 1986 [@rumelhart1986].")
    assert "([Rumelhart et al. 1986a](#ref-rumelhart1986))" in out
    assert "## References" in out
    assert "{ #ref-rumelhart1986 .bib-entry }" in out
    assert "https://doi.org/10.1038/323533a0" in out


def test_several_keys_in_one_citation():
    out = render("[@werbos1974; @werbos1982]")
    assert (
        "([Werbos 1974](#ref-werbos1974); [Werbos 1982](#ref-werbos1982))"
    ) in out


def test_unknown_key_fails_the_build():
    with pytest.raises(PluginError, match="unknown citation key 'nobody2099'"):
        render("as shown [@nobody2099]")


def test_code_is_left_alone():
    text = "Write `[@key]` to cite.\n\n```text\n[@key]\n```\n"
    assert render(text) == text


def test_page_without_citations_is_unchanged():
    assert render("# Title\n\nNo citations.") == "# Title\n\nNo citations."


def test_bibliography_marker_lists_every_entry():
    out = render("<!-- bibliography -->")
    for key in bib.entries():
        assert f"{{ #{key} .bib-entry }}" in out


def test_labels_are_unique():
    labels = [e.label for e in bib.entries().values()]
    assert len(labels) == len(set(labels))


def test_latex_accents_are_decoded():
    entry = bib.entries()["goyal2017"]
    assert "Dollár" in entry.markdown()
    assert "{" not in entry.markdown() and "\\" not in entry.markdown()


def test_citations_can_point_at_the_bibliography_page():
    out = render("[@bengio2012]", meta={"cite_to": "bibliography"})
    assert "([Bengio 2012](../references.md#bengio2012))" in out
    assert "## References" not in out


def test_timeline_marker_becomes_a_table_with_citations():
    out = render("<!-- timeline -->", src="history/timeline.md")
    assert out.startswith("| Year | Event | People | Source |")
    assert "(1986-backprop.md)" in out  # chapter links, relative
    assert "[Polyak 1964](#ref-polyak1964)" in out


def test_code_results_and_figures_are_left_out_of_search():
    html = (
        '<p class="highlight">prose</p>'
        '<div class="language-python highlight"><pre>x = 1</pre></div>'
        '<div class="result"><pre>1</pre></div>'
        '<svg xmlns="http://www.w3.org/2000/svg" class="hpe-figure"></svg>'
        '<div class="admonition note"><p>kept</p></div>'
        '<div class="highlights">kept</div>'
    )
    out = hooks.search_exclude(html)
    assert out.count("data-search-exclude") == 3
    assert '<div data-search-exclude class="language-python highlight">' in (
        out)
    assert '<svg data-search-exclude xmlns=' in out
    assert '<p class="highlight">' in out  # only divs and figures


def test_the_search_dialog_gets_a_name():
    from mkdocs.exceptions import PluginError

    from tools.hooks import SEARCH_DIALOG, name_search_dialog

    page = f"<body>{SEARCH_DIALOG}><input></div></body>"
    assert f'{SEARCH_DIALOG} aria-label="Search">' in name_search_dialog(page)
    assert name_search_dialog("<p>no search here</p>") == (
        "<p>no search here</p>")
    changed = '<div data-md-component="search" class="x">'
    with pytest.raises(PluginError, match="search dialog changed"):
        name_search_dialog(changed)


def test_the_theme_bundle_is_patched_once_and_fails_loudly():
    from pathlib import Path

    import material
    from mkdocs.exceptions import PluginError

    from tools.hooks import BUNDLE, patch_bundle

    # the theme's own bundle, as the installed mkdocs-material ships it
    (bundle,) = (Path(material.__file__).parent / "templates/assets/"
                 "javascripts").glob("bundle.*.min.js")
    js = bundle.read_text()
    out = patch_bundle(js)
    for old, new in BUNDLE:
        assert out.count(new) == 1 and js.count(old) == 1
    assert patch_bundle(out) == out  # a second build leaves it as it is
    for old, _ in BUNDLE:
        with pytest.raises(PluginError, match="bundle changed"):
            patch_bundle(js.replace(old, "x"))


def test_tables_are_wrapped_as_the_theme_wraps_them():
    page = ('<table>\n<tr><td>1</td></tr></table><p>x</p>'
            '<table class="dataframe"><tr><td>2</td></tr></table>')
    out = hooks.wrap_tables(page)
    assert out.startswith(
        '<div class="md-typeset__scrollwrap"><div class="md-typeset__table">'
        "<table>\n<tr><td>1</td></tr></table></div></div><p>x</p>")
    # a table with a class is the theme's to leave alone, and it does
    assert out.endswith('<table class="dataframe"><tr><td>2</td></tr></table>')


def test_figures_sit_in_a_box_of_their_aspect_ratio():
    figure = ('<svg xmlns="http://www.w3.org/2000/svg" class="hpe-figure" '
              'role="img" aria-label="a" viewBox="0 0 460.8 345.6">'
              '<g><text>1</text></g></svg>')
    page = f'<div class="result">{figure}</div><svg viewBox="0 0 1 1"></svg>'
    assert hooks.box_figures(page) == (
        '<div class="result"><div class="hpe-figure-box" style="aspect-ratio:'
        f' 460.8 / 345.6">{figure}</div></div><svg viewBox="0 0 1 1"></svg>')

"""No broken internal link or anchor in the built site."""

from tools import links


def test_no_broken_internal_links(site):
    broken, _ = links.check(site)
    assert broken == []


def test_external_links_are_reported_not_fetched(site, tmp_path):
    _, external = links.check(site)
    # The citations link to DOIs, so there are some; the report lists them.
    assert any(url.startswith("https://doi.org/") for url in external)


def test_checker_catches_a_broken_link_and_anchor(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_text(
        '<h2 id="here">x</h2><a href="#here">ok</a><a href="#gone">bad</a>'
        '<a href="../b/">missing page</a><a href="../a/#here">ok too</a>'
        '<a href="https://example.com/">external</a>'
    )
    broken, external = links.check(tmp_path)
    assert len(broken) == 2
    assert list(external) == ["https://example.com/"]

"""Links in the built site: internal ones checked, external ones listed.

    .venv/bin/python -m tools.links site    # prints the external links

The tests fail on a broken internal link or anchor; external links are
only reported (tests never fetch anything from the network).
"""

import sys
from collections import defaultdict
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from bs4 import BeautifulSoup

EXTERNAL_SCHEMES = ("http", "https", "mailto", "ftp")


@cache
def _anchors(page: Path) -> frozenset[str]:
    soup = BeautifulSoup(page.read_text(), "html.parser")
    ids = {el["id"] for el in soup.find_all(id=True)}
    ids |= {el["name"] for el in soup.find_all("a", attrs={"name": True})}
    return frozenset(ids)


def _target(site: Path, page: Path, path: str) -> Path:
    base = page.parent
    target = (base / unquote(path)).resolve()
    if target.is_dir() or path.endswith("/"):
        target = target / "index.html"
    return target


def check(site: Path) -> tuple[list[str], dict[str, list[str]]]:
    """(broken internal links, {external url: pages that link to it})."""
    site = site.resolve()
    broken, external = [], defaultdict(list)
    pages = sorted(site.rglob("*.html"))
    for page in pages:
        rel = str(page.relative_to(site))
        if rel == "404.html":  # its links are absolute, for any depth
            continue
        soup = BeautifulSoup(page.read_text(), "html.parser")
        for a in soup.find_all("a", href=True):
            href = a["href"].strip()
            scheme = urlsplit(href).scheme
            if scheme in EXTERNAL_SCHEMES or href.startswith("//"):
                external[href].append(rel)
                continue
            if scheme:  # javascript:, data: ...
                continue
            path, fragment = urldefrag(href)
            target = _target(site, page, path) if path else page
            if not target.is_relative_to(site) or not target.exists():
                broken.append(f"{rel}: {href} (no such file)")
            elif (fragment and target.suffix == ".html"
                  and unquote(fragment) not in _anchors(target)):
                broken.append(f"{rel}: {href} (no such anchor)")
    return broken, dict(external)


def main(site: str) -> None:
    broken, external = check(Path(site))
    print(f"# External links in {site} (not fetched)\n")
    for url in sorted(external):
        pages = sorted(set(external[url]))
        print(f"- {url} ({len(pages)} pages: {', '.join(pages[:3])}"
              f"{', ...' if len(pages) > 3 else ''})")
    if broken:
        print("\n# Broken internal links\n")
        print("\n".join(f"- {b}" for b in broken))
        raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "site")

"""MkDocs hooks: citations, math at build time, the build environment.

Citations: a page writes ``[@key]`` or ``[@key1; @key2]``; the hook turns
it into "(Author Year)" linked to a References section it appends to the
page (or, on a page whose front matter says ``cite_to: bibliography``, to
the References page). The References page gets the whole .bib file in
place of the marker ``<!-- bibliography -->``; a page with
``<!-- timeline -->`` gets the timeline (tools/timeline.py). An unknown key
fails the build.
"""

import logging
import os
import posixpath
import re
import sys
import time
import warnings
from pathlib import Path

# One thread for torch and NumPy's BLAS, set before either is imported: the
# examples are tiny, so one thread is faster (two threads on a busy 2-core
# machine can be 100x slower), and the tests run the same code the same way
# (tools/blocks.py), so the numbers match to the last digit.
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"
# Notebook kernels inherit this process's environment: with MPLBACKEND=Agg
# (as the tests set for themselves) their figures would silently vanish.
# This process picks its own backend in on_config.
os.environ.pop("MPLBACKEND", None)

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # markdown-exec runs page code in this process; hidden build-only lines
    # (figures) import from tools/.
    sys.path.insert(0, str(ROOT))

from tools import (  # noqa: E402
    bib,
    citations,
    figures,
    katex,
    notebook_html,
    notebooks,
    timeline,
)

BIBLIOGRAPHY = "<!-- bibliography -->"
log = logging.getLogger("mkdocs.hooks.timing")
_started: dict[str, float] = {}  # page -> when its conversion began
_took: dict[str, float] = {}  # page -> seconds to convert (runs its code)


def on_pre_build(config):
    # Notebook pages are generated from their stories (tools/notebooks.py)
    # before MkDocs collects the files.
    try:
        notebooks.sync()
    except ValueError as error:
        raise PluginError(f"notebooks/: {error}") from None


def on_config(config):
    import matplotlib

    # Figures are rendered to SVG by the build; no window may open, and
    # plt.show() in reader code is expected to do nothing here.
    matplotlib.use("Agg")
    figures.use_site_style()
    warnings.filterwarnings(
        "ignore", message=".*non-interactive, and thus cannot be shown"
    )
    return config


def on_page_markdown(markdown, page, config, files):
    _started[page.file.src_uri] = time.perf_counter()
    entries = bib.entries()
    src = page.file.src_uri
    to_bibliography = page.meta.get("cite_to") == "bibliography"
    bib_page = posixpath.relpath("references.md", posixpath.dirname(src))

    if timeline.MARKER in markdown:
        try:
            events = timeline.load()
        except ValueError as error:
            raise PluginError(str(error)) from None
        markdown = markdown.replace(
            timeline.MARKER, timeline.table(events, src)
        )

    target = ((lambda key: f"{bib_page}#{key}") if to_bibliography
              else (lambda key: f"#ref-{key}"))
    try:
        markdown, cited = citations.cite(markdown, target=target)
    except citations.UnknownKeyError as error:
        raise PluginError(f"{src}: {error}") from None

    if BIBLIOGRAPHY in markdown:
        listing = "\n".join(citations.entry_block(e, e.key)
                            for e in citations.ordered(entries))
        markdown = markdown.replace(BIBLIOGRAPHY, listing)

    if cited and not to_bibliography:
        markdown += "\n\n" + citations.references(cited)
    return markdown


def on_page_content(html, page, config, files):
    # Math is rendered here, at build time, so pages need no script for it;
    # notebook pages get the site's own markup (tools/notebook_html.py).
    src = page.file.src_uri
    if src in _started:  # converting the page ran its examples
        _took[src] = time.perf_counter() - _started.pop(src)
    try:
        if page.file.src_uri.endswith(".ipynb"):
            html = notebook_html.clean(html)
        return search_exclude(katex.render_page(html))
    except (katex.TeXError, ValueError) as error:
        raise PluginError(f"{page.file.src_path}: {error}") from None


# Code blocks, their printed output and figures: half of every page's
# text, fetched by every page load in the search index, and words a reader
# does not search for (the prose around each block names what it does).
_NOT_SEARCHED = re.compile(
    r'<(div|svg)\b(?=[^>]*\bclass="(?:[^"]*\s)?'
    r'(?:highlight|result|hpe-figure)(?:\s[^"]*)?")'
)


def search_exclude(html: str) -> str:
    """Mark code blocks, results and figures for material's search plugin
    to leave out of the index (its ``data-search-exclude`` pragma)."""
    return _NOT_SEARCHED.sub(r"<\1 data-search-exclude", html)


def on_page_context(context, page, config, nav):
    # A notebook page is generated from its story in notebooks/: "Edit this
    # page" must open the story, not the generated .ipynb.
    if page.file.src_uri.endswith(".ipynb") and page.edit_url:
        stem = page.file.src_uri.rsplit("/", 1)[-1].removesuffix(".ipynb")
        page.edit_url = (
            f"{config.repo_url.rstrip('/')}/{config.edit_uri.split('/')[0]}"
            f"/main/notebooks/{stem}.py"
        )
    return context


def on_post_build(config):
    # Where the build's time goes: the pages whose examples run longest.
    slowest = sorted(_took.items(), key=lambda kv: -kv[1])[:8]
    log.info("slowest pages (s): " + ", ".join(
        f"{page} {seconds:.1f}" for page, seconds in slowest))
    _took.clear()

"""MkDocs hooks: the examples, citations, math at build time.

Examples: at the start of every build, tools/execute.py runs what changed
(each example once per change, cached by content, on every core); pages
then show the recorded outputs. Notebook chapters are executed the same
way and handed to mkdocs-jupyter as files outside docs/; every page with
code offers its blocks and their outputs as a notebook and a script
(``<page>.ipynb`` and ``<page>.py`` beside it, as icons beside the edit
icon; tests/site/test_page_notebooks.py and test_page_scripts.py run
them top to bottom).

Citations: a page writes ``[@key]`` or ``[@key1; @key2]``; the hook turns
it into "(Author Year)" linked to a References section it appends to the
page (or, on a page whose front matter says ``cite_to: bibliography``, to
the References page). The References page gets the whole .bib file in
place of the marker ``<!-- bibliography -->``; a page with
``<!-- timeline -->`` gets the timeline (tools/timeline.py), a page with
``<!-- symptoms -->`` its rows of the symptoms table (tools/symptoms.py), and
``<!-- stamp -->`` the versions the examples ran with (tools/stamp.py). An
unknown key fails the build.
"""

import logging
import os
import posixpath
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.utils.meta import get_data

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the build's own tools/

from tools import (  # noqa: E402
    bib,
    citations,
    execute,
    glue,
    highlight,
    notebook_html,
    notebooks,
    search_index,
    stamp,
    symptoms,
    tex,
    timeline,
)
from tools.cache import Cache  # noqa: E402
from tools.environment import environment_key  # noqa: E402
from tools.examples import ExampleError  # noqa: E402

BIBLIOGRAPHY = "<!-- bibliography -->"
STAMP = "<!-- stamp -->"
log = logging.getLogger("mkdocs.hooks.execute")


@dataclass
class Build:
    """What one build's hooks hand on to the next ones, in one place:
    on_files plans and runs the examples; the page hooks read the plans
    and note each page's title; on_post_build writes each page's
    notebook. (MkDocs hooks are module functions: this module's one
    object is where their state lives. execute.set_page hands the page
    being rendered to markdown-exec's formatter, which has no page
    argument.)"""

    site: execute.Site = field(default_factory=execute.Site)
    titles: dict[str, str] = field(default_factory=dict)  # for notebooks


_build = Build()


def on_config(config):
    # markdown-exec renders the Python fences; the output it shows is the
    # recorded one (tools/execute.py), never a run in this process.
    fences = config.mdx_configs["pymdownx.superfences"]["custom_fences"]
    for fence in fences:
        if fence["name"] == "python":
            fence["format"] = execute.formatter
    return config


@event_priority(100)  # before mkdocs-jupyter looks at the files
def on_files(files, config):
    """Run every example whose content key has no record yet."""
    start = time.perf_counter()
    cache, env = Cache(), environment_key()
    sources = execute.sources_digest()
    page_runs = os.environ.get("HPE_PAGE_RUNS") == "1"
    site, jobs = execute.Site(), []
    try:
        for file in files.documentation_pages():
            if not file.src_uri.endswith(".md"):
                continue
            body, _ = get_data(file.content_string)
            plan = execute.plan_page(file.src_uri, body,
                                     config.markdown_extensions,
                                     config.mdx_configs, env,
                                     sources=sources)
            if not plan.blocks:
                continue
            site.pages[file.src_uri] = plan
            # make test also runs each page top to bottom (its notebook,
            # tests/site/test_page_notebooks.py), sharing the start of the
            # page with the chains that start it
            jobs += execute.jobs(plan, cache, page=page_runs)
        stories = sorted(notebooks.STORIES.glob("*.py"))
        jobs += [notebooks.NotebookJob(s, env) for s in stories]
    except (ExampleError, ValueError) as error:
        raise PluginError(str(error)) from None
    jobs = [j for j in jobs if j.needed(cache)]
    errors = execute.run_all(jobs, cache)
    if errors:
        raise PluginError("examples failed:\n\n" + "\n\n".join(errors))
    pages = sorted({str(j) for j in jobs})
    log.info(f"examples: {len(jobs)} jobs ran, for {len(pages)} pages"
             f"{': ' + ', '.join(pages) if 0 < len(pages) <= 3 else ''}; "
             f"{time.perf_counter() - start:.1f} s")
    # the notebook chapters, executed, as files outside docs/
    folder = cache.path / "pages"
    for story in stories:
        nb = notebooks.executed(story, cache, env)
        target = folder / "models" / f"{story.stem}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = notebooks.nbformat.writes(nb) + "\n"
        if not target.exists() or target.read_text() != text:
            # whole or absent, for a build that reads it at the same time
            tmp = target.with_name(f".{target.name}.{os.getpid()}")
            tmp.write_text(text)
            os.replace(tmp, target)
        uri = f"models/{story.stem}.ipynb"
        if (old := files.get_file_from_path(uri)) is not None:
            files.remove(old)  # a notebook an older build left in docs/
        files.append(File(uri, src_dir=str(folder),
                          dest_dir=config.site_dir,
                          use_directory_urls=config.use_directory_urls))
    _build.site = site
    return files


def on_page_markdown(markdown, page, config, files):
    execute.set_page(page.file.src_uri, _build.site)
    entries = bib.entries()
    src = page.file.src_uri

    # numbers the page's runs glued (tools/glue.py), before anything else
    # reads the prose
    plan = _build.site.pages.get(src)
    try:
        markdown = glue.substitute(markdown, execute.glued(plan), src)
    except glue.GlueError as error:
        raise PluginError(str(error)) from None
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

    # symptoms.yml's rows: a glossary page's own, or all of them grouped
    try:
        markdown = symptoms.expand(markdown, src, symptoms.load())
    except symptoms.SymptomsError as error:
        raise PluginError(str(error)) from None

    target = ((lambda key: f"{bib_page}#{key}") if to_bibliography
              else (lambda key: f"#ref-{key}"))
    try:
        markdown, cited = citations.cite(markdown, target=target)
    except citations.UnknownKeyError as error:
        raise PluginError(f"{src}: {error}") from None

    if STAMP in markdown:
        markdown = markdown.replace(STAMP, stamp.stamp())

    if BIBLIOGRAPHY in markdown:
        listing = "\n".join(citations.entry_block(e, e.key)
                            for e in citations.ordered(entries))
        markdown = markdown.replace(BIBLIOGRAPHY, listing)

    if cited and not to_bibliography:
        markdown += "\n\n" + citations.references(cited)
    return markdown


def on_page_content(html, page, config, files):
    # Math is rendered here, at build time, so pages need no script for it;
    # notebook pages get the site's own markup (tools/notebook_html.py);
    # code blocks keep their text and list their tokens for a script to
    # colour (tools/highlight.py).
    # mkdocs serve rebuilds every page on each edit: a page whose HTML did
    # not change gets the result of the last rebuild (a pure function of
    # the HTML and the tools that transform it).
    notebook = page.file.src_uri.endswith(".ipynb")
    key = execute.digest(html, str(notebook))
    if key not in _content:
        try:
            if notebook:
                html = notebook_html.clean(html)
            # code colours painted near the screen (tools/highlight.py)
            _content[key] = highlight.flatten(search_exclude(box_figures(
                wrap_tables(tex.render_page(html)))))
        except (tex.TeXError, ValueError) as error:
            raise PluginError(f"{page.file.src_path}: {error}") from None
    out = _content[key]
    if notebook:  # figures as files beside the page, on every build
        try:
            out, figures = notebook_html.figure_files(out)
        except ValueError as error:
            raise PluginError(f"{page.file.src_path}: {error}") from None
        folder = Path(config.site_dir) / page.url
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in figures.items():
            (folder / name).write_bytes(data)
    return out


_content = execute.Memo()  # page HTML -> transformed HTML


# Code blocks, their printed output, figures and explorers: half of every
# page's text, fetched by every page load in the search index, and words a
# reader does not search for (the prose around each block names what it
# does). A formula's MathML stays: its text is the symbols as read.
_NOT_SEARCHED = re.compile(
    r'<(div|svg|figure|span)\b(?=[^>]*\bclass="(?:[^"]*\s)?'
    r'(?:highlight|result|hpe-figure|hpe-explorer)'
    r'(?:\s[^"]*)?")'
)


def search_exclude(html: str) -> str:
    """Mark code blocks, results, figures and explorers for material's
    search plugin to leave out of the index (its ``data-search-exclude``
    pragma)."""
    return _NOT_SEARCHED.sub(r"<\1 data-search-exclude", html)


# A figure far below the screen costs a phone its style and layout as the
# page loads: a matplotlib SVG is 300 to 900 elements, half a page's. In a
# box of its own aspect ratio, with content-visibility: auto (extra.css),
# the browser skips it until it comes near the screen, and the box keeps
# its exact size meanwhile, so nothing moves when it is drawn.
FIGURE = re.compile(
    r'<svg\b(?=[^>]*\bclass="hpe-figure")[^>]*\bviewBox="([^"]+)"[^>]*>'
    r".*?</svg>", re.S)


def box_figures(html: str) -> str:
    """Each inline SVG figure in a box of its aspect ratio."""
    def box(m: re.Match) -> str:
        _, _, w, h = (float(v) for v in m[1].split())
        return (f'<div class="hpe-figure-box" style="aspect-ratio: '
                f'{w:g} / {h:g}">{m[0]}</div>')

    return FIGURE.sub(box, html)


def on_page_context(context, page, config, nav):
    # A notebook page is generated from its story in notebooks/: "Edit this
    # page" must open the story, not the generated .ipynb.
    if page.file.src_uri.endswith(".ipynb") and page.edit_url:
        stem = page.file.src_uri.rsplit("/", 1)[-1].removesuffix(".ipynb")
        page.edit_url = (
            f"{config.repo_url.rstrip('/')}/{config.edit_uri.split('/')[0]}"
            f"/main/notebooks/{stem}.py"
        )
    plan = _build.site.pages.get(page.file.src_uri)
    shown = plan is not None and bool(plan.shown)
    if shown:
        page.hpe_notebook = notebooks.page_filename(page.file.src_uri)
        _build.titles[page.file.src_uri] = page.title
    if shown or page.file.src_uri.endswith(".ipynb"):
        # its code as a script (a notebook page: its story's)
        page.hpe_script = notebooks.page_filename(page.file.src_uri, ".py")
    return context


# The stock search partial gives the search dialog no accessible name
# (axe: aria-dialog-name). Named here, after rendering, rather than in a
# fork of the partial that would pin the theme's version.
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" ' \
    'role="dialog"'


def name_search_dialog(html: str, name: str = "Search") -> str:
    if SEARCH_DIALOG not in html:
        if 'data-md-component="search"' in html:
            raise PluginError("the theme's search dialog changed: name it "
                              "in tools/hooks.py (name_search_dialog)")
        return html
    return html.replace(SEARCH_DIALOG,
                        f'{SEARCH_DIALOG} aria-label="{name}"', 1)


# The theme's bundle restyles every element of a page four times as the
# page loads, for nothing; on a page of 2,000 elements that is about half
# the style work of a load (issue 19). Patched in its output, as the
# search dialog's name is, rather than in a fork of the theme, and the
# build fails when the theme's code changes. What it did, and the patch:
# - PALETTE. The palette script marks the body as "switching" (to stop
#   transitions) and unmarks it a frame later, and adds a <meta
#   name="color-scheme"> and writes the page's colour scheme into it,
#   each a change of the platform's colours. The first choice of palette
#   (the page loading) does not mark the body: nothing on screen is
#   transitioning. The meta is added and written only when it changes
#   what the page shows: absent, a page is drawn light, so a light palette
#   leaves it out. A reader's switch of palette still does both.
# - TABLES. Each table is wrapped in two divs (a scrolling frame) by
#   taking it out of the page and putting it back. The build wraps them
#   (``wrap_tables``), and the bundle leaves a wrapped table where it is.
PALETTE = (
    ('document.body.setAttribute("data-md-color-switching","")',
     '(window.__hpe_palette?document.body.setAttribute('
     '"data-md-color-switching",""):window.__hpe_palette=1)'),
    ('let o=x("meta",{name:"color-scheme"});document.head.appendChild(o);',
     'let o=x("meta",{name:"color-scheme"});'),
    ("o.content=a.colorScheme",
     '(o.content||"light")!==a.colorScheme&&(o.content=a.colorScheme,'
     "o.isConnected||document.head.appendChild(o))"),
)
TABLES = (
    ("function ti(e){return e.replaceWith(ei),ei.replaceWith(Un(e)),",
     'function ti(e){return e.parentElement.matches(".md-typeset__table")'
     "||(e.replaceWith(ei),ei.replaceWith(Un(e))),"),
)
BUNDLE = PALETTE + TABLES


def patch_bundle(js: str) -> str:
    """The theme's bundle with ``BUNDLE``'s patches; fails loudly when the
    theme's code changed."""
    if BUNDLE[0][1] in js:
        return js  # patched already (mkdocs serve keeps the file)
    for old, new in BUNDLE:
        if js.count(old) != 1:
            raise PluginError("the theme's bundle changed: update PALETTE "
                              "or TABLES in tools/hooks.py (patch_bundle)")
        js = js.replace(old, new)
    return js


# A table as the theme's script wraps it (md-typeset__scrollwrap: it
# scrolls sideways on a narrow screen), for every table it wraps: those
# without a class attribute.
TABLE = re.compile(r"<table(?![^>]*\sclass=)(\s[^>]*)?>(.*?)</table>", re.S)


def wrap_tables(html: str) -> str:
    """Wrap each table the theme's script would wrap, as it would."""
    return TABLE.sub(
        r'<div class="md-typeset__scrollwrap"><div class="md-typeset__table">'
        r"<table\1>\2</table></div></div>", html)


def on_post_page(output, page, config):
    return name_search_dialog(output)


def on_post_template(output_content, template_name, config):
    return name_search_dialog(output_content)


@event_priority(-100)  # after the search plugin has written its index
def on_post_build(config):
    index = Path(config.site_dir) / "search/search_index.json"
    try:
        before, after = search_index.lighten(index)
    except ValueError as error:
        raise PluginError(str(error)) from None
    log.info(f"search index: {before / 1000:.0f} KB -> {after / 1000:.0f} KB")
    for bundle in (Path(config.site_dir) / "assets/javascripts").glob(
            "bundle.*.min.js"):
        bundle.write_text(patch_bundle(bundle.read_text()))
    # the math font, cut to the symbols the site's formulas draw
    chars, size = tex.write_font(Path(config.site_dir))
    log.info(f"math font: {chars} characters, {size / 1000:.0f} KB")
    # every page's code as a notebook and a script, beside the page
    for plan in _build.site.pages.values():
        if not plan.shown:
            continue
        nb = notebooks.page_notebook(
            execute.notebook_blocks(plan),
            _build.titles.get(plan.page, plan.page), stamp.stamp())
        uri = plan.page.removesuffix(".md")
        folder = Path(config.site_dir) / (
            "" if uri == "index" else uri.removesuffix("/index"))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / notebooks.page_filename(plan.page)).write_text(
            notebooks.nbformat.writes(nb) + "\n")
        name = notebooks.page_filename(plan.page, ".py")
        (folder / name).write_text(notebooks.page_script(
            execute.notebook_blocks(plan),
            _build.titles.get(plan.page, plan.page), stamp.stamp(), name))
    # and each notebook chapter's, as a script beside its page
    for story in sorted(notebooks.STORIES.glob("*.py")):
        folder = Path(config.site_dir) / "models" / story.stem
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{story.stem}.py").write_text(
            notebooks.story_script(notebooks.notebook(story)))

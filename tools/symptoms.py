"""Symptoms of badly set hyperparameters, from docs/start-here/symptoms.yml.

One list, two views, so that they never disagree:

- a glossary page's ``<!-- symptoms -->`` becomes a table of the rows whose
  ``page`` is that page (what you see, likely cause, what to try);
- ``<!-- symptoms: all -->`` (on start-here/when-training-goes-wrong.md)
  becomes every row, grouped by what you see, each linked to its page.
"""

import posixpath
import re
from pathlib import Path

import yaml

from tools import ROOT
from tools.timeline import cell

DOCS = ROOT / "docs"
DATA = DOCS / "start-here/symptoms.yml"
MARKER = re.compile(r"^<!-- symptoms(?P<all>: all)? -->$", re.M)
FIELDS = ("group", "see", "cause", "fix", "page")
# what you see, in the order a run shows it: the groups of the merged page
GROUPS = {
    "explodes": "The loss explodes, or turns into `nan`",
    "stuck": "The loss does not move",
    "slow": "The loss falls, but slowly",
    "noisy": "The loss jumps around, zig-zags or spikes",
    "overfits": "Training improves, validation does not",
    "underfits": "Training and validation are both poor",
    "inconsistent": "Results change from run to run, or epoch to epoch",
    "resources": "Training is slow, or runs out of memory",
}


class SymptomsError(ValueError):
    """symptoms.yml, or a page's use of it, is wrong."""


def load(path: Path = DATA) -> list[dict]:
    """The rows, checked: exactly the fields, a known group and text in
    every field. (That each row's page exists is checked where the rows
    are shown with links to their pages, by all_tables.)"""
    rows = yaml.safe_load(path.read_text())
    if not isinstance(rows, list) or not rows:
        raise SymptomsError(f"{path.name}: expected a list of rows")
    for i, row in enumerate(rows, 1):
        where = f"{path.name}, row {i}"
        if not isinstance(row, dict) or set(row) != set(FIELDS):
            got = sorted(row) if isinstance(row, dict) else row
            raise SymptomsError(f"{where}: fields {got}, need "
                                f"{', '.join(FIELDS)}")
        empty = [k for k in FIELDS if not str(row[k]).strip()]
        if empty:
            raise SymptomsError(f"{where}: empty {', '.join(empty)}")
        if row["group"] not in GROUPS:
            raise SymptomsError(f"{where}: group {row['group']!r} is not "
                                f"one of {', '.join(GROUPS)}")
    return rows


def _link(row: dict, page_path: str) -> str:
    """A link to the row's page, relative to the page at page_path, named
    by the page's file (glossary/learning-rate.md -> "learning rate")."""
    target, _, anchor = row["page"].partition("#")
    if not (DOCS / target).is_file():
        raise SymptomsError(f"{DATA.name}: no page docs/{target}, named by "
                            f"the row {row['see']!r}")
    name = posixpath.splitext(posixpath.basename(target))[0]
    href = posixpath.relpath(target, posixpath.dirname(page_path))
    anchor = f"#{anchor}" if anchor else ""
    return f"[{name.replace('-', ' ')}]({href}{anchor})"


def page_table(rows: list[dict], page_path: str) -> str:
    """The rows of one page, in file order, as a Markdown table."""
    mine = [r for r in rows if r["page"].partition("#")[0] == page_path]
    if not mine:
        raise SymptomsError(f"{page_path}: <!-- symptoms --> but no row of "
                            f"{DATA.name} names this page")
    lines = ["| what you see | likely cause | what to try |",
             "|---|---|---|"]
    lines += [f"| {cell(r['see'])} | {cell(r['cause'])} "
              f"| {cell(r['fix'])} |" for r in mine]
    return "\n".join(lines)


def all_tables(rows: list[dict], page_path: str) -> str:
    """Every row, one section per group (in GROUPS' order), each a table
    whose last column links to the page that shows it, left out of the
    search index."""
    out = []
    for group, title in GROUPS.items():
        mine = [r for r in rows if r["group"] == group]
        if not mine:
            continue
        # out of the search index: the rows are the glossary pages' own,
        # and a section of the merged page is found by its title
        out += [f"### {title}", "",
                '<div data-search-exclude markdown>',
                "",
                "| what you see | likely cause | what to try | see |",
                "|---|---|---|---|"]
        out += [f"| {cell(r['see'])} | {cell(r['cause'])} "
                f"| {cell(r['fix'])} | {_link(r, page_path)} |"
                for r in mine]
        out += ["", "</div>", ""]
    return "\n".join(out).rstrip("\n")


def expand(markdown: str, page_path: str, rows: list[dict]) -> str:
    """The page with its markers replaced; unchanged if it has none.
    A page named by a row must show its rows: a page that lost its marker
    would drop them silently, so that is an error too."""
    if not MARKER.search(markdown):
        if any(r["page"].partition("#")[0] == page_path for r in rows):
            raise SymptomsError(f"{page_path}: {DATA.name} has rows for this "
                                f"page, and it has no <!-- symptoms -->")
        return markdown
    return MARKER.sub(
        lambda m: (all_tables(rows, page_path) if m["all"]
                   else page_table(rows, page_path)), markdown)

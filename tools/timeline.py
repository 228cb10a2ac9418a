"""The History timeline, generated from docs/history/timeline.yml.

A page that contains ``<!-- timeline -->`` gets, in its place, a table of
every event: year, event (linked to its chapter when there is one), people
and citations (``[@key]``, resolved by the citation hook).
"""

import posixpath
import re
from pathlib import Path

import yaml

from tools import ROOT

DOCS = ROOT / "docs"
DATA = DOCS / "history/timeline.yml"
MARKER = "<!-- timeline -->"
FIELDS = {"year", "event", "people", "cite", "chapter"}


def load(path: Path = DATA) -> list[dict]:
    """The events, checked: fields, chapters that exist, years in order."""
    events = yaml.safe_load(path.read_text())
    last = 0
    for i, e in enumerate(events):
        where = f"{path.name}, event {i + 1} ({e.get('event', '?')})"
        missing = {"year", "event", "people", "cite"} - set(e)
        if missing or set(e) - FIELDS:
            raise ValueError(f"{where}: fields {sorted(set(e))}, need "
                             f"year, event, people, cite (+ chapter)")
        year = int(re.match(r"\d{4}", str(e["year"])).group())
        if year < last:
            raise ValueError(f"{where}: year {year} is out of order")
        last = year
        if not e["cite"]:
            raise ValueError(f"{where}: no citation")
        if "chapter" in e and not (DOCS / e["chapter"]).is_file():
            raise ValueError(f"{where}: no page docs/{e['chapter']}")
    return events


def cell(text: str) -> str:
    """Text as one Markdown table cell: on one line, its pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def table(events: list[dict], page_path: str) -> str:
    """A Markdown table; chapter links relative to the page at page_path."""
    here = posixpath.dirname(page_path)
    rows = ["| Year | Event | People | Source |", "|---|---|---|---|"]
    for e in events:
        event = cell(e["event"])
        if "chapter" in e:
            event = f"[{event}]({posixpath.relpath(e['chapter'], here)})"
        cites = "; ".join(f"@{k}" for k in e["cite"])
        rows.append(f"| {e['year']} | {event} | {cell(e['people'])} "
                    f"| [{cites}] |")
    return "\n".join(rows)

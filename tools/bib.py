"""Read docs/references.bib and format its entries as Markdown.

The .bib file is the single source of every citation on the site: pages
cite with ``[@key]`` (see tools/hooks.py), each page ends with the works it
cites, and the References page lists them all.
"""

import codecs
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
from pybtex.database import parse_file

from tools import ROOT

BIB = ROOT / "docs" / "references.bib"


def plain(latex: str) -> str:
    """LaTeX text from a .bib field as plain Unicode: accents, no braces."""
    text = codecs.decode(latex, "ulatex")
    return re.sub(r"[{}$]", "", text).strip()


@dataclass(frozen=True)
class Entry:
    key: str
    authors: tuple[str, ...]  # "Last, F. M." each
    last_names: tuple[str, ...]
    year: str
    title: str
    venue: str
    links: tuple[tuple[str, str], ...]  # (label, url)
    label: str = ""  # in-text label, set by entries()

    def markdown(self) -> str:
        """The full reference, one Markdown paragraph."""
        if len(self.authors) > 1:
            who = ", ".join(self.authors[:-1]) + " and " + self.authors[-1]
        else:
            who = self.authors[0]
        title = self.title if self.title[-1] in ".?!" else self.title + "."
        parts = [f"{who} ({self.year}). {title}"]
        if self.venue:
            parts.append(f"*{self.venue}*.")
        parts += [f"[{label}]({url})" for label, url in self.links]
        return " ".join(parts)


def _label(last_names: tuple[str, ...], year: str) -> str:
    """Short in-text label: "Bengio 2012", "Glorot and Bengio 2010"."""
    if len(last_names) == 1:
        who = last_names[0]
    elif len(last_names) == 2:
        who = f"{last_names[0]} and {last_names[1]}"
    else:
        who = f"{last_names[0]} et al."
    return f"{who} {year}"


def _author(person) -> tuple[str, str]:
    last = plain(" ".join(person.prelast_names + person.last_names))
    first = " ".join(person.first_names + person.middle_names)
    initials = " ".join(
        f"{plain(name)[0]}." for name in first.split() if plain(name)
    )
    return (f"{last}, {initials}" if initials else last), last


def _venue(fields) -> str:
    journal = fields.get("journal")
    if journal:
        venue = plain(journal)
        if "volume" in fields:
            venue += f" {fields['volume']}"
            if "number" in fields:
                venue += f"({fields['number']})"
        if "pages" in fields:
            venue += f":{plain(fields['pages'])}"
        return venue
    for name in ("booktitle", "school", "institution", "howpublished"):
        if name in fields:
            venue = plain(fields[name])
            if name == "howpublished" and venue.startswith("\\url"):
                return ""
            if "pages" in fields:
                venue += f", pp. {plain(fields['pages'])}"
            return re.sub(r"^\\url", "", venue)
    return ""


def _links(fields) -> tuple[tuple[str, str], ...]:
    links = []
    if "doi" in fields:
        doi = fields["doi"]
        links.append((f"doi:{doi}", f"https://doi.org/{doi}"))
    if fields.get("archiveprefix", "").lower() == "arxiv":
        arxiv = fields["eprint"]
        links.append((f"arXiv:{arxiv}", f"https://arxiv.org/abs/{arxiv}"))
    url = fields.get("url") or re.sub(
        r"^\\url", "", fields.get("howpublished", "")
    )
    url = url.strip("{}")
    if url.startswith("http"):
        links.append(("web", url))
    return tuple(links)


@cache
def entries(path: Path = BIB) -> dict[str, Entry]:
    """Every entry of the .bib file, by key."""
    db = parse_file(str(path))
    out = {}
    for key, e in db.entries.items():
        # pybtex lower-cases field names only on lookup; normalise once.
        fields = {k.lower(): v for k, v in e.fields.items()}
        pairs = [_author(p) for p in e.persons.get("author", [])]
        last_names = tuple(last for _, last in pairs)
        year = fields.get("year", "n.d.")
        out[key] = Entry(
            key=key,
            authors=tuple(a for a, _ in pairs),
            last_names=last_names,
            year=year,
            title=plain(fields["title"]),
            venue=_venue(fields),
            links=_links(fields),
            label=_label(last_names, year),
        )
    # Two works with one label ("Rumelhart et al. 1986") get 1986a, 1986b.
    by_label: dict[str, list[str]] = {}
    for key, entry in out.items():
        by_label.setdefault(entry.label, []).append(key)
    for keys in by_label.values():
        if len(keys) > 1:
            for suffix, key in zip("abcdefgh", keys):
                e = out[key]
                out[key] = replace(
                    e, year=e.year + suffix, label=e.label + suffix
                )
    return out

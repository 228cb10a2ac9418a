"""Citations in Markdown: ``[@key]`` or ``[@key1; @key2]``, keys from
docs/references.bib, become "(Author Year)" links, and the cited works a
list of references. Used by the pages (tools/hooks.py) and the notebook
chapters (tools/notebooks.py)."""

import re

from tools import bib, fences

CITE = re.compile(r"\[(@[\w:-]+(?:\s*;\s*@[\w:-]+)*)\]")
INLINE_CODE = re.compile(r"(`+).+?\1")


class UnknownKeyError(ValueError):
    """A citation names a key that references.bib does not have."""


def _outside_code(line: str, replace) -> str:
    """Apply `replace` to the parts of a line outside `inline code`."""
    out, pos = [], 0
    for m in INLINE_CODE.finditer(line):
        out += [replace(line[pos:m.start()]), m.group(0)]
        pos = m.end()
    return "".join([*out, replace(line[pos:])])


def outside_code(markdown: str, replace) -> str:
    """Apply `replace` to each line outside fenced blocks and inline code."""
    return fences.outside(markdown,
                          lambda line: _outside_code(line, replace))


def cite(markdown: str, *, target=lambda key: f"#ref-{key}",
         cited: list[str] | None = None) -> tuple[str, list[str]]:
    """The Markdown with its citations linked, and the keys it cites in
    order of first use (appended to `cited` if given)."""
    entries = bib.entries()
    cited = [] if cited is None else cited

    def one(match: re.Match) -> str:
        links = []
        for key in (k.strip().lstrip("@") for k in match[1].split(";")):
            if key not in entries:
                raise UnknownKeyError(f"unknown citation key '{key}' (not in "
                                 f"docs/references.bib)")
            if key not in cited:
                cited.append(key)
            links.append(f"[{entries[key].label}]({target(key)})")
        return "(" + "; ".join(links) + ")"

    return outside_code(markdown, lambda line: CITE.sub(one, line)), cited


def ordered(keys) -> list[bib.Entry]:
    """Entries sorted by first author, then year."""
    entries = bib.entries()
    return sorted((entries[k] for k in keys),
                  key=lambda e: (e.last_names, e.year))


def entry_block(entry: bib.Entry, anchor: str) -> str:
    """One reference as a Markdown paragraph with an id (attr_list)."""
    return f"{entry.markdown()}\n{{ #{anchor} .bib-entry }}\n"


def references(keys, *, html_anchor: bool = False) -> str:
    """A "References" section for the cited keys. Pages use attr_list ids;
    notebooks, whose Markdown has no attr_list, an HTML anchor."""
    blocks = []
    for e in ordered(keys):
        if html_anchor:
            blocks.append(f'<a id="ref-{e.key}"></a>{e.markdown()}\n')
        else:
            blocks.append(entry_block(e, f"ref-{e.key}"))
    # a page's own list stays out of the search index: the References
    # page lists every entry once (material's data-search-exclude)
    heading = ("## References" if html_anchor
               else "## References { data-search-exclude }")
    return heading + "\n\n" + "\n".join(blocks)

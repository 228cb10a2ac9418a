"""Fenced code blocks in the site's Markdown: the one reader of them that
the build (citations skip code) and the tests (which fences run, where
pages include snippets) share.

A fence opens with three or more backticks or tildes, at any indent (a
fence inside a content tab or an admonition is indented), and closes with
a line of at least as many of the same character. CommonMark parsers
(markdown-it) read an indented fence as an indented code block instead,
which is not how pymdownx.superfences reads these pages.
"""

import re
from dataclasses import dataclass

OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})(?P<info>.*)$")


@dataclass
class Fence:
    line: int  # 1-based line of the opening fence
    end: int  # 1-based line of the closing fence (the last line if none)
    indent: str
    lang: str  # the first word of the info string, without {} or .
    attrs: str  # the rest of the info string
    body: list[str]  # the lines between the fences
    before: str  # the line just before the opening fence ("" if none)


def fences(text: str) -> list[Fence]:
    """Every fenced block of a Markdown text, in order (nested fences,
    such as an example fence inside a ````text fence, are part of the
    outer block's body)."""
    lines = text.split("\n")
    out, i = [], 0
    while i < len(lines):
        m = OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        ticks, info = m["ticks"], m["info"].strip()
        lang, _, attrs = info.partition(" ")
        close = re.compile(rf"^[ \t]*{re.escape(ticks[0])}{{{len(ticks)},}}"
                           rf"[ \t]*$")
        start, body = i, []
        i += 1
        while i < len(lines) and not close.match(lines[i]):
            body.append(lines[i])
            i += 1
        out.append(Fence(line=start + 1, end=min(i, len(lines) - 1) + 1,
                         indent=m["indent"], lang=lang.strip("{}."),
                         attrs=attrs.strip(), body=body,
                         before=lines[start - 1] if start else ""))
        i += 1
    return out


def outside(text: str, replace) -> str:
    """`text` with `replace` applied to every line outside fenced blocks
    (fence lines included in the blocks)."""
    lines = text.split("\n")
    inside = set()
    for f in fences(text):
        inside.update(range(f.line - 1, f.end))
    return "\n".join(line if n in inside else replace(line)
                     for n, line in enumerate(lines))

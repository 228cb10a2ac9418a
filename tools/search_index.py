"""A lighter search index: every section's title, and its summary.

mkdocs-material's search worker fetches ``search/search_index.json`` on
the first page of every visit, before a reader has typed anything. With
the whole text of every section it weighed 392 KB (issue 19). Each
section here keeps its title (which search weighs 1000 times its text) and
the start of its text, up to ``CAP`` characters: the summary each section
opens with (the house style's one-line summary) is what a search result
shows, and the title is what a reader searches for. The References page
and the timeline are kept whole (``WHOLE``). Code, outputs,
figures, explorers and each page's own References list are
left out before this, by ``data-search-exclude`` (tools/hooks.py).

The theme's format is checked, not assumed: when it changes, the build
fails here and says so.
"""

import json
import re
from pathlib import Path

INVISIBLE = re.compile("[\u200b\u2061-\u2064]")

# Pages indexed whole: lists of names and years, which readers search by a
# name that is not in any title ("Linnainmaa"), 15 KB together.
WHOLE = ("references/", "history/timeline/")
CAP = 400  # characters of a section's text: its summary, and a little more
LEAST = 80  # a shorter first paragraph (an admonition's title) is not one
BLOCK = re.compile(r"<(p|ul|ol)>(.*?)</\1>", re.S)
TAG = re.compile(r"<[^>]+>")


def summary(text: str) -> str:
    """The start of a section's indexed text, as plain text: paragraphs
    (or lists) until `LEAST` characters, cut at a word to `CAP`."""
    out = ""
    for m in BLOCK.finditer(text):
        out = f"{out} {TAG.sub('', m[2])}"
        if len(_squash(out)) >= LEAST:
            break
    out = _squash(out or TAG.sub("", text))
    if len(out) > CAP:
        out = out[:CAP].rsplit(" ", 1)[0] + " …"
    return out


def _squash(text: str) -> str:
    # zero-width spaces and MathML's invisible operators (function
    # application, times, separator, plus: U+2061 to U+2064) are not words
    return " ".join(INVISIBLE.sub("", text).split())


def lighten(path: Path) -> tuple[int, int]:
    """Rewrite the index at `path` with summaries, as compact UTF-8 JSON;
    the sizes in bytes before and after."""
    raw = path.read_bytes()
    index = json.loads(raw)
    docs = index.get("docs") if isinstance(index, dict) else None
    if not (isinstance(docs, list) and "config" in index and all(
            isinstance(d, dict) and {"location", "title", "text"} <= set(d)
            for d in docs)):
        raise ValueError(f"{path}: the theme's search index is no longer "
                         "{config, docs: [{location, title, text}]}: see "
                         "tools/search_index.py")
    for doc in docs:
        if not doc["location"].startswith(WHOLE):
            doc["text"] = summary(doc["text"])
    out = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    path.write_text(out, encoding="utf-8")
    return len(raw), len(out.encode())


"""Code colours without a span per token at load.

Pygments wraps every token of a code block in a ``<span>``; a page of
long listings has ten thousand of them, and the browser styles and lays
out each one at load (on tuning/comparison that was 6.6 s of a phone's
main thread, issue 19). Here the build keeps each block's text as one
text node and writes its tokens into a ``data-hl`` attribute; a small
script (docs/assets/javascripts/highlight.js) builds a block's spans,
with Pygments' classes and so the theme's own colours, when the block
comes within a screen of the viewport. Without script the same code shows
in the code colour, and copying, selecting and searching the text are
unchanged. (The CSS Custom Highlight API, which needs no spans at all,
was slower: sixty ``::highlight()`` names made every style recalculation
dearer than the spans.)

``data-hl`` is a list of ``<class>:<gap>:<length>`` separated by spaces:
the Pygments class of a token, how many characters of plain text come
before it (since the end of the token before), and its length, both in
UTF-16 code units, as the browser counts offsets in a text node. Tokens
the theme draws in the code colour anyway (names, whitespace) are left
out.
"""

import html
import re

# A code block as pymdownx.highlight writes it.
CODE = re.compile(r"(<pre\b[^>]*>(?:<span></span>)?<code\b[^>]*)>(.*?)</code>",
                  re.S)
TOKEN = re.compile(r'<span class="([\w -]+)">([^<]*)</span>|<[^>]+>|[^<]+')
# drawn in the code colour by the theme: no need to colour them again
PLAIN = {"n", "w", "nx", "py", "x"}


def utf16(text: str) -> int:
    """The length of `text` as a browser counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def tokens(inner: str) -> tuple[str, list[tuple[str, int, int]]] | None:
    """A code element's HTML as its plain text and its coloured runs
    (class, gap, length); None when it holds markup other than token
    spans (left as it is)."""
    text, runs, gap = [], [], 0
    for m in TOKEN.finditer(inner):
        if m[0].startswith("<") and m[1] is None:
            return None  # a nested element: not a Pygments token list
        piece = html.unescape(m[2] if m[1] is not None else m[0])
        text.append(piece)
        n = utf16(piece)
        cls = m[1]
        if cls is None or cls in PLAIN or " " in cls or not piece.strip():
            gap += n
            continue
        if runs and runs[-1][0] == cls and gap == 0:
            runs[-1] = (cls, runs[-1][1], runs[-1][2] + n)  # same colour
        else:
            runs.append((cls, gap, n))
        gap = 0
    return "".join(text), runs


def flatten(page: str) -> str:
    """Every highlighted code block of a page as one text node, its tokens
    in ``data-hl``."""
    def one(m: re.Match) -> str:
        got = tokens(m[2])
        if got is None:
            return m[0]
        text, runs = got
        attr = " ".join(f"{c}:{g}:{n}" for c, g, n in runs)
        hl = f' data-hl="{attr}"' if runs else ""
        return f"{m[1]}{hl}>{html.escape(text, quote=False)}</code>"

    return CODE.sub(one, page)

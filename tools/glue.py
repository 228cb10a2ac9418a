"""Numbers a run produced, inserted in the prose from that run.

The same seeded code prints other digits on another CPU
(tools/environment.py), so a measured number typed into a page is right
on one machine only. A block's hidden lines (``# markdown-exec: hide``,
after the code the reader sees) keep a value with ``glue``:

    ```python exec="on" source="block" result="text" title="sweep.py"
    --8<-- "snippets/glossary/x.py:sweep"
    glue("best_lr", f"{best:g}")  # markdown-exec: hide
    ```

and the page's prose shows it as ``{{ best_lr }}``. A notebook story does
the same with lines that end in ``# notebook: hide`` (tools/notebooks.py).
The value is text, formatted by the page to the precision it means. As in
MyST-NB's ``glue`` and Quarto's inline code, the page and its run cannot
disagree; unlike them, the reader's copy of the code has no trace of it.

A name the prose uses that no block glued, or one that two blocks glue
with different values, fails the build; so does a glued value the prose
never shows (it would be a number nobody checks).
"""

import re

from tools import fences

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")
CODE_SPAN = re.compile(r"(`+).+?\1")  # `{{ name }}` shows the syntax


def _in_prose(line: str, replace) -> str:
    """`line` with `replace` applied outside its inline code spans."""
    out, end = [], 0
    for m in CODE_SPAN.finditer(line):
        out += [replace(line[end:m.start()]), m[0]]
        end = m.end()
    return "".join([*out, replace(line[end:])])


class GlueError(ValueError):
    """The prose and the glued values do not match up."""


def collect(records, where: str) -> dict[str, str]:
    """Every value the records glued, by name (records in page order)."""
    found: dict[str, str] = {}
    for record in records:
        for name, value in (record or {}).get("glue", {}).items():
            if found.setdefault(name, value) != value:
                raise GlueError(f"{where}: two blocks glue {name!r}, as "
                                f"{found[name]!r} and {value!r}")
    return found


def names(text: str) -> list[str]:
    """The names the prose of `text` uses, outside code."""
    used: list[str] = []
    fences.outside(text, lambda line: _in_prose(
        line, lambda part: used.extend(PLACEHOLDER.findall(part)) or part))
    return used


def verify(text: str, values: dict[str, str], where: str) -> None:
    """Every name the prose uses is glued, and every glued value shown."""
    used = set(names(text))
    missing = sorted(used - set(values))
    if missing:
        raise GlueError(f"{where}: the prose shows {missing}, which no "
                        f"block glues (glue(name, value) in a block's "
                        f"hidden lines)")
    unused = sorted(set(values) - used)
    if unused:
        raise GlueError(f"{where}: glued but never shown: {unused}")


def substitute(text: str, values: dict[str, str], where: str, *,
               check: bool = True) -> str:
    """`text` with every ``{{ name }}`` outside code replaced by its
    glued value (after checking that they match up, unless told not to:
    a notebook checks its prose as a whole)."""
    if check:
        verify(text, values, where)
    return fences.outside(text, lambda line: _in_prose(
        line, lambda part: PLACEHOLDER.sub(lambda m: values[m[1]], part)))

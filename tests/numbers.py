"""Numbers as the tests read them in a page's prose and in what its code
printed (tests/site/test_kernels.py, tests/site/test_prose_numbers.py).

A number is read with the % that may follow it: "95%" is the fraction
0.95, to two more places than it shows. The prose is what a reader reads
that was typed by hand: the Markdown outside fenced code and outside
inline code (but a number quoted as `0.958` is prose), without the
``{{ name }}`` placeholders (tools/glue.py), which the run fills in.
"""

import ast
import re
from pathlib import Path

import jupytext

from tests.pages import DOCS
from tools import fences, glue, notebooks, records

ROOT = DOCS.parent
# a number, with the % that may follow it
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:,\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?"
                    r"(?![\w])%?")
CODE_SPAN = re.compile(r"(`+)[\s\S]+?\1")  # inline code, across lines too
QUOTED = re.compile(r"`+\s*-?[\d.,]+(?:e[-+]?\d+)?%?\s*`+")


def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


def value(number: str) -> float:
    if number.endswith("%"):
        return value(number[:-1]) / 100
    return float(number.replace(",", ""))


def significant(number: str) -> int:
    """Its significant digits: "0.958" has three, "3%" and "0.1" one. A
    number of one digit ("3 layers", "within 3%") is too coarse to tell a
    measured value from a coincidence; what it claims, the snippet tests
    check under every setting."""
    mantissa = number.rstrip("%").split("e")[0].replace(",", "")
    return len(mantissa.replace("-", "").replace(".", "").lstrip("0"))


def places(number: str) -> int:
    """The decimal places of the value it stands for: "0.958" and "95.8%"
    have three, "1.2e-03" four, "4.31e+04" minus two."""
    text = number.rstrip("%")
    mantissa, _, exponent = text.partition("e")
    found = len(mantissa.split(".")[1]) if "." in mantissa else 0
    found -= int(exponent) if exponent else 0
    return found + (2 if number.endswith("%") else 0)


def rounding(number: str):
    """How `number` is rounded, as a function that rounds any value the
    same way: to its decimals ("0.958", "95.8%": three), or to its
    significant digits in scientific notation ("1.2e-32": two)."""
    text = number.rstrip("%")
    if "e" in text:
        digits = len(text.split("e")[0].split(".")[1]) if "." in text.split(
            "e")[0] else 0
        return lambda v: f"{v:.{digits}e}"
    places = len(text.split(".")[1]) if "." in text else 0
    places += 2 if number.endswith("%") else 0
    return lambda v: f"{round(v, places):.{places}f}"


def constants(sources: list[str]) -> set[float]:
    """The numbers written in these Python sources."""
    found = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(
                    node.value, int | float) and not isinstance(
                    node.value, bool):
                found.add(float(node.value))
    return found


def code_constants(page: Path) -> set[float]:
    """The numbers written in the page's code: its inputs (a learning rate
    of 0.1, momentum 0.9), which the prose may name whatever a run prints."""
    if page.suffix == ".ipynb":
        nb = jupytext.read(ROOT / "notebooks" / f"{page.stem}.py",
                           fmt="py:percent")
        sources = [notebooks.expand(c.source) for c in nb.cells
                   if c.cell_type == "code"]
    else:
        plan = records.plan(page.as_posix())
        sources = [b.code for b in plan.blocks]
    return constants(sources)


def _blank(match: re.Match) -> str:
    """The match as spaces, its line breaks kept."""
    return re.sub(r"[^\n]", " ", match[0])


def outside_fences(markdown: str) -> str:
    """`markdown` with the lines of its fenced blocks blank (so a line
    keeps its number)."""
    lines = markdown.split("\n")
    for f in fences.fences(markdown):
        lines[f.line - 1:f.end] = [""] * (f.end - f.line + 1)
    return "\n".join(lines)


def reading(text: str) -> str:
    """`text` as typed prose: its inline code blank, unless it quotes a
    number (`run(lr=0.3)` is code; `0.958` quotes what a block printed),
    and its ``{{ name }}`` blank (those come from the run); every line
    where it was."""
    text = CODE_SPAN.sub(
        lambda m: m[0] if QUOTED.fullmatch(m[0]) else _blank(m), text)
    return glue.PLACEHOLDER.sub(_blank, text)


def prose(markdown: str) -> str:
    """The typed prose of a Markdown page, line for line."""
    return reading(outside_fences(markdown))

"""A measured number quoted in a page's prose is one the block it
describes printed.

The numbers checked are those of the typed prose (tests/numbers.py: not
code, fenced or inline, but a quoted `0.958`; not ``{{ name }}``) with a
decimal point or a % sign and at least two significant digits ("0.78",
"12.2", "95 %", "3.5%", "4.31e+04"), and every number with three or more
decimals; a whole number ("64 units", "1986") is a count or a date. A
number matches a printed one as printed, or rounded from a printed number
with at least as many decimals ("0.96" from "0.958", "96.7%" from
"0.967").

Which block a number describes comes from the page's structure: its
fences (tools/fences.py) are its blocks (tools/examples.py), in order,
and its headings cut it into sections. A block counts if the reader sees
it and what it prints is text: shown (``source=``), printing something,
and not HTML (``html="1"``: a figure's SVG, an explorer's data, where
thousands of numbers would match anything). The number must be printed
by

1. the nearest such block above it in its section, or, with none above,
   the nearest one below in the section; in a section that has none
   (a summary under its own heading), the nearest one above on the page;
2. with the blocks in the other tabs of that block's group (a NumPy and
   a PyTorch tab print the same results; the prose after them discusses
   either), and the blocks it runs after (its title says so: the prose
   about ``train.py — run after gradients.py`` may quote what
   ``gradients.py`` printed).

The nearest block alone is the narrowest rule, and it holds on the site
but for two kinds of pages, hence 2: the prose after a NumPy and a
PyTorch tab quotes the NumPy one (regularization), and the prose after
a training run quotes the gradients printed by the block it runs after
(activation functions). The prose after a figure reads the table printed
before the figure (the figure is not a candidate), and a summary section
reads the nearest table before it. A number printed by another section's
block, or only by a figure or an explorer, fails. Pages without examples
have nothing printed to check against, and are left out.

The exceptions are inputs, not results: the numbers written in the
page's code (a learning rate of 0.1, as in tests/site/test_kernels.py),
and what INPUTS lists, each with its reason: values cited from a paper,
a formula's constants, the prose's own arithmetic, values a reader is
invited to try, bounds that a snippet test checks ("above 95 %"). A
prose number that drifts from what the code prints (as "0.958" once did
on the initialization page) fails here.
"""

import functools
import re
from collections.abc import Callable, Iterable

import pytest

from tests.numbers import (constants, numbers, places, prose, rounding,
                           significant, value)
from tests.pages import DOCS, PAGES
from tools import examples, execute, fences, records

HEADING = re.compile(r"^#{1,6}\s")
TAB = re.compile(r"^===\+?\s")  # pymdownx.tabbed: === "NumPy"
TITLE = re.compile(r'\btitle="([^"]*)"')
INPUTS = {  # page -> {number: why the code need not print it}
    "glossary/activation-functions.md": {
        "2.303": "ln 10, the loss of a uniform guess over ten digits",
    },
    "glossary/batch-size.md": {
        "0.15": "the base rate of a run the page does not print (its "
                "failure, tests/snippets/glossary/test_batch_size.py)",
        "2.4": "0.15 x 512/32, the linear scaling rule's arithmetic",
        "3.2": "sqrt(10), a rate of the learning-rate page's grid, cited",
    },
    "glossary/dropout.md": {
        "0.003": "the tolerance the tests hold the kept fraction to",
        "0.95": "a rate the reader is invited to try",
    },
    "glossary/gradient-clipping.md": {
        "2.3": "ln 10, the loss of a uniform guess over ten digits",
        "3.2": "(1 - 0.9)/sqrt(1 - 0.999), the prose's own arithmetic",
    },
    "glossary/index.md": {
        "0.0005": "AlexNet's weight decay, cited",
        "0.001": "Adam's default rate, cited",
        "0.999": "Adam's default beta2, cited",
        "1.5": "LLaMA's learning rate of 1.5e-4 for 33B and 65B, cited",
        "0.95": "LLaMA's beta2, cited",
        "0.98": "the Transformer's beta2, cited",
    },
    "glossary/learning-rate.md": {
        "2.30": "ln 10, the loss of a uniform guess over ten digits",
        "0.98": "fast.ai's smoothing of the range test's losses, cited",
    },
    "glossary/momentum.md": {
        "0.995": "sqrt(0.99) in the prose's own arithmetic, and a cap of "
                 "Sutskever et al.'s schedule, cited",
        "0.999": "a cap of Sutskever et al.'s schedule, cited",
    },
    "glossary/optimizer.md": {
        "0.99": "a cap of Sutskever et al.'s schedule, cited",
        "0.98": "the Transformer's beta2, cited",
    },
    "glossary/regularization.md": {"0.0005": "AlexNet's weight decay, cited"},
    "glossary/weight-initialization.md": {
        "0.026": "256 x 1e-4, the prose's own arithmetic",
        "4.6%": "the normal distribution's share beyond two standard "
                "deviations, a constant",
    },
    "start-here/recipe.md": {
        "2.303": "ln 10, the loss of a uniform guess over ten digits",
    },
    "start-here/when-training-goes-wrong.md": {
        "2.303": "ln 10, the loss of a uniform guess over ten digits",
        "2.3": "ln 10, the loss of a uniform guess over ten digits",
        "3.4": "float32's largest number, 3.4e38, a constant",
    },
    "history/1986-backprop.md": {
        "2.5": "a rate the reader is invited to try",
        "1.2": "a target the reader is invited to try",
    },
    "history/1989-zip-codes.md": {
        "95%": "a bound (\"above 95 %\"), which "
               "tests/snippets/history/test_zip_codes_1989.py checks",
    },
    "history/2012-alexnet.md": {
        "1.2": "ImageNet's 1.2 million training images, cited",
        "15.3%": "AlexNet's top-5 test error, cited",
        "26.2%": "the second-best entry's top-5 test error, cited",
    },
    "history/2012-bengio.md": {
        "0.99": "a cap of Sutskever et al.'s schedule, cited",
        "0.999": "Adam's default beta2, cited",
        "1206.5533": "an arXiv identifier",
        "90%": "[0.1, 1) as a share of [1e-6, 1), the prose's own "
               "arithmetic",
    },
    "history/2017-transformer.md": {
        "0.98": "the Transformer's beta2, cited",
        "3.5": "the big model's days of training, cited",
        "80%": "the training error ResNet warmed up to, cited",
    },
    "history/2020-diffusion.md": {
        "0.008": "the offset s of the cosine schedule, cited",
    },
    "history/2022-mutransfer.md": {
        "6.7": "the size of the GPT-3 model μTransfer beat, cited",
        "26.8": "the largest model of Everett et al., cited",
    },
    "tuning/comparison.md": {
        "0.799": "the early-stopping methods' median after 8 trials, from "
                 "the committed results the table reads (its columns are "
                 "1, 5 and 27 trials), checked by tests/snippets/tuning/"
                 "test_comparison.py",
    },
    "tuning/reproducibility.md": {
        "0.95": "an example of a claim (\"about 0.95\"), not a result",
    },
    "tuning/scaling-out.md": {
        "4.9": "a version of Optuna",
        "3.8": "a version of Python (macOS stopped forking by default)",
        "3.14": "a version of Python (Linux stopped forking by default)",
    },
    "tuning/search.md": {
        "0.75": "a line of a 5 x 5 grid on [0, 1], the prose's arithmetic",
    },
}
MARKDOWN = [md for md in PAGES if md.suffix == ".md"]
# the pages with examples: a page without any has no printed numbers
EXECUTED = [md for md in MARKDOWN if any(
    f.lang == "python" and 'exec="on"' in f.attrs
    for f in fences.fences((DOCS / md).read_text()))]


def in_scope(number: str) -> bool:
    """Checked: a number with three or more decimals, or one with a
    decimal point or a % and at least two significant digits."""
    decimals = number.rstrip("%").split("e")[0].partition(".")[2]
    return len(decimals) >= 3 or (
        (bool(decimals) or number.endswith("%"))
        and significant(number) >= 2)


def quoted(markdown: str) -> list[tuple[int, str]]:
    """(line, number) for every number of the prose that is checked."""
    lines = prose(markdown).split("\n")
    start = _body_start(lines)
    found = []
    for n, line in enumerate(lines[start:], start + 1):
        line = re.sub(r"(\d) %", r"\1%", line)  # "4.6 %" is a percentage
        found += [(n, number) for number in numbers(line)
                  if in_scope(number)]
    return found


def _body_start(lines: list[str]) -> int:
    """The index of the first line after the front matter."""
    if lines and lines[0].strip() == "---":
        for n, line in enumerate(lines[1:], 1):
            if line.strip() in ("---", "..."):
                return n + 1
    return 0


def printed_matches(number: str, printed: str) -> bool:
    """`number` is in `printed`, as printed or rounded from a printed
    number with at least as many decimals (a percentage's two more)."""
    if re.search(rf"(?<![\w.]){re.escape(number)}(?![\d])", printed):
        return True
    rounded = rounding(number)
    want = rounded(value(number))
    return any(places(found) >= places(number)
               and rounded(value(found)) == want
               for found in numbers(printed))


def placed(markdown: str, plan: execute.PagePlan) -> list[tuple]:
    """(fence, block) for each of the page's blocks: the executed fences
    are the blocks, in page order."""
    found = [f for f in fences.fences(markdown)
             if f.lang == "python" and 'exec="on"' in f.attrs]
    titles = [m[1] if (m := TITLE.search(f.attrs)) else "" for f in found]
    assert titles == [b.title for b in plan.blocks], (
        f"{plan.page}: its fences are not its blocks: {titles}")
    return list(zip(found, plan.blocks))


def describer(markdown: str, plan: execute.PagePlan
              ) -> Callable[[int], list[examples.Block]]:
    """For a line of the prose, the blocks whose output it may quote (the
    rule of the module's docstring), in page order."""
    lines = markdown.split("\n")
    heads = _headings(markdown)

    def section(n: int) -> int:
        return max((h for h in heads if h <= n), default=0)

    seen = [(f, b) for f, b in placed(markdown, plan)
            if b.shown and not b.options.get("html")
            and plan.records[b.index]["stdout"].strip()]
    tabs = {b.index: _tab_group(lines, f.line) for f, b in seen}

    def described(line: int) -> list[examples.Block]:
        same = [(f, b) for f, b in seen if section(f.line) == section(line)]
        chosen = ([x for x in same if x[0].end < line][-1:]
                  or [x for x in same if x[0].line > line][:1]
                  or [x for x in seen if x[0].end < line][-1:])
        if not chosen:
            return []
        block = chosen[0][1]
        wanted = {i for i, tab in tabs.items()
                  if tab and tab == tabs[block.index]} | {block.index}
        for index in set(wanted):
            wanted.update(b.index for b in plan.chains[index])
        return [b for f, b in seen if b.index in wanted]

    return described


@functools.cache
def _headings(markdown: str) -> tuple[int, ...]:
    """The lines (1-based) of the page's headings."""
    text = prose(markdown).split("\n")
    start = _body_start(text)
    return tuple(n for n, line in enumerate(text[start:], start + 1)
                 if HEADING.match(line))


def _tab_group(lines: list[str], line: int) -> int:
    """The line of the first tab of the group of content tabs that
    `line` (1-based) sits in; 0 outside tabs."""
    start = 0
    for n, text in enumerate(lines[:line], 1):
        if TAB.match(text):
            start = start or n
        elif text.strip() and not text[0].isspace():
            start = 0
    return start


def unprinted(markdown: str, plan: execute.PagePlan,
              inputs: Iterable[str] = (), written: Iterable[float] = ()
              ) -> list[str]:
    """The prose's numbers that the blocks they describe do not print;
    not the `inputs`, nor a number `written` in the code."""
    inputs, written = set(inputs), set(written)
    described = describer(markdown, plan)
    bad = []
    for line, number in quoted(markdown):
        if number in inputs or abs(value(number)) in written:
            continue
        blocks = described(line)
        printed = "\n".join(plan.records[b.index]["stdout"] for b in blocks)
        if not printed_matches(number, printed):
            names = ", ".join(b.name for b in blocks) or "no block"
            bad.append(f"{number} (line {line}; {names})")
    return bad


@pytest.mark.parametrize("md", EXECUTED, ids=str)
def test_measured_numbers_in_prose_are_printed(md):
    page = md.as_posix()
    plan = records.plan(page)
    markdown = (DOCS / md).read_text()
    inputs = INPUTS.get(page, {})
    written = constants([b.code for b in plan.blocks])
    bad = unprinted(markdown, plan, inputs, written)
    assert bad == [], (
        f"{page}: these numbers in the prose are not printed by the block "
        f"they describe (the nearest above in their section; the module's "
        f"docstring): {bad}")
    now = {number for _, number in quoted(markdown)}
    stale = sorted(n for n in inputs
                   if n not in now or abs(value(n)) in written)
    assert stale == [], (
        f"{page}: listed as inputs, but no longer quoted, or written in "
        f"the page's code (exempt anyway): {stale}")


def _plan(markdown: str, printed: dict[str, str]) -> execute.PagePlan:
    """A plan of `markdown` as if its blocks had printed `printed` (by
    name), without running anything."""
    blocks = []
    for f in fences.fences(markdown):
        if f.lang == "python" and 'exec="on"' in f.attrs:
            options = dict(re.findall(r'(\w+)="([^"]*)"', f.attrs))
            options["extra"] = {"title": options.pop("title", "")}
            block = examples.Block(page="x.md", index=len(blocks), code="",
                                   options=options)
            block.needs = examples.needs(block.title)
            blocks.append(block)
    plan = execute.PagePlan("x.md", blocks, examples.chains(blocks), {},
                            None)
    plan.records = {b.index: {"stdout": printed.get(b.name, "")}
                    for b in blocks}
    return plan


PAGE = """\
# A page

## Training

```python exec="on" source="block" result="text" title="a.py"
```

It reaches 0.812, {between}.

```python exec="on" source="tabbed-right" html="1" title="figure.py"
```

```python exec="on" html="1"
```

After the figure: {after}.

## Another section

```python exec="on" source="block" result="text" title="b.py"
```

Here: {other}.

## What to remember

- {summary}
"""


def _bad(between="x", after="x", other="x", summary="x"):
    markdown = PAGE.format(between=between, after=after, other=other,
                           summary=summary)
    printed = {
        "a.py": "val_acc 0.812, loss 0.655\n",
        "figure.py": '<svg><text x="0.734">96.1%</text></svg>\n',
        "block3.py": '<div data-frames="[0.921, 0.377]"></div>\n',
        "b.py": "acc 95.3%, 3.48e-02\n",
    }
    return unprinted(markdown, _plan(markdown, printed))


def test_the_check_sees_numbers():
    # the learning-rate page's prose is full of printed numbers; if the
    # pattern found none, the test above would pass on anything
    text = (DOCS / "glossary/learning-rate.md").read_text()
    assert len(quoted(text)) >= 10
    assert printed_matches("0.0760", "r = 0.07596")
    assert not printed_matches("0.958", "0.953 of the validation digits")
    assert printed_matches("0.78", "0.7812") and printed_matches("12.2",
                                                                 "12.21")
    assert printed_matches("96.7%", "acc 0.9672")
    assert printed_matches("97%", "348/360 = 96.7%")
    assert not printed_matches("0.980", "0.98")  # fewer decimals
    assert [in_scope(n) for n in ("0.78", "12.2", "95%", "3.5%", "0.001",
                                  "0.5", "64", "5%", "1.2e-32")] == [
        True, True, True, True, True, False, False, False, True]
    assert [n for _, n in quoted("---\n# 0.25\n---\n\nat 4.6 % of it")] == [
        "4.6%"]


def test_the_check_reads_the_block_the_number_describes():
    assert _bad() == []
    assert _bad(between="loss 0.66", after="then 0.81") == []
    assert _bad(other="95%, 3.5e-02, about 0.035") == []
    # printed by another section's block: fails
    assert _bad(other="still 0.812") == ["0.812 (line 23; b.py)"]
    assert _bad(between="unlike 95.3%") == ["95.3% (line 8; a.py)"]
    # a summary in a section without blocks reads the nearest above
    assert _bad(summary="0.812 and 95.3%") == ["0.812 (line 27; b.py)"]
    # a percentage is checked, to its decimals
    assert _bad(other="95.4%") == ["95.4% (line 23; b.py)"]
    # a number printed only by a figure or an explorer: fails
    assert _bad(after="96.1% and 0.734") == [
        "96.1% (line 16; a.py)", "0.734 (line 16; a.py)"]
    assert _bad(after="0.921") == ["0.921 (line 16; a.py)"]
    # an input is exempt, when listed or written in the code
    markdown = PAGE.format(between="0.921", after="x", other="x",
                           summary="x")
    plan = _plan(markdown, {"a.py": "val_acc 0.812\n"})
    assert unprinted(markdown, plan, ["0.921"]) == []
    assert unprinted(markdown, plan, written=[0.921]) == []


def test_tabs_and_the_blocks_run_after_count():
    markdown = """\
## Tabs

=== "NumPy"

    ```python exec="on" source="block" result="text" title="np.py"
    ```

=== "PyTorch"

    ```python exec="on" source="block" result="text" title="pt.py"
    ```

Both: 2.25 and 0.23.

## Training

```python exec="on" source="block" title="t.py — run after np.py"
```

Its 0.97 needs the 2.25 above; not 0.51.

```python exec="on" source="block" title="u.py"
```

Only the nearest block above counts: 0.97 is not u.py's.
"""
    plan = _plan(markdown, {"np.py": "w 2.251\n", "pt.py": "w 0.230\n",
                            "t.py": "acc 0.968\n", "u.py": "acc 0.51\n"})
    assert unprinted(markdown, plan) == ["0.51 (line 20; np.py, t.py)",
                                         "0.97 (line 25; u.py)"]

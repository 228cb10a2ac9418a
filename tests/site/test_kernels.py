"""No number typed into a page depends on the machine.

The same seeded code prints other digits when torch, MKL or OpenBLAS
pick other kernels, as they do on another CPU (tools/environment.py).
Here every page's examples run under the three kernel settings that stand
in for three machines (torch's native kernels, ``ATEN_CPU_CAPABILITY=avx2``
and ``=default``), and every printed number is compared across them. A
number that differs is the machine's, not the page's: the prose may show
it only through ``{{ name }}`` (tools/glue.py), inserted from the run, or
rounded to the precision at which every setting agrees. A number typed
into the prose (or into a figure's description) that equals such a number
as one setting prints it, and not as another does, fails here.

The claims about a run's outcome ("A beats B", "diverges", "about X") are
the snippet tests' (tests/snippets): ``make kernels`` runs them under the
two other settings, after this module. These tests need every setting's
records, so they run there and are skipped in ``make test``.
"""

import re
from pathlib import Path

import jupytext
import pytest

from tests.numbers import (code_constants, numbers, outside_fences, reading,
                           rounding, significant, value)
from tests.pages import DOCS, PAGES
from tools import environment, fences, records

ROOT = DOCS.parent
SETTINGS = tuple(environment.SETTINGS)
ALT = re.compile(r'\balt=f?"((?:[^"\\]|\\.)*)"')
EXECUTED = [p for p in PAGES if p.suffix == ".ipynb"
            or "exec=\"on\"" in (DOCS / p).read_text()]


def outputs(page: Path, setting: str) -> list[str]:
    """What each block (each notebook cell) printed under `setting`; not
    figures, whose SVG coordinates are not prose."""
    if page.suffix == ".ipynb":
        return records.cell_outputs(page.stem, setting)
    plan = records.plan(page.as_posix(), setting=setting)
    return [plan.records[b.index]["stdout"] for b in plan.blocks
            if not b.options.get("html")]


def varying(runs: dict[str, list[str]]) -> list[dict[str, str]]:
    """The printed numbers that differ between settings, each as the
    settings print it: numbers at the same place in the same block. Where
    a block's lines differ in how many numbers they hold, every number of
    those lines counts as differing (no setting stands for the others)."""
    found = []
    for texts in zip(*runs.values()):
        if len(set(texts)) == 1:
            continue
        per_line = [t.splitlines() for t in texts]
        for lines in zip(*per_line):
            tokens = [numbers(line) for line in lines]
            if len({len(t) for t in tokens}) == 1:
                for values in zip(*tokens):
                    if len(set(values)) > 1:
                        found.append(dict(zip(runs, values)))
            else:
                for setting, line_tokens in zip(runs, tokens):
                    found += [{setting: t} for t in line_tokens]
        if len({len(p) for p in per_line}) > 1:  # lines only some print
            for setting, lines in zip(runs, per_line):
                for line in lines[min(len(p) for p in per_line):]:
                    found += [{setting: t} for t in numbers(line)]
    return found


def typed(page: Path) -> str:
    """What a reader reads on the page that was typed by hand: the prose
    outside code, fenced or inline (but a number quoted as `0.958` is
    prose; ``{{ name }}`` is left out: those come from the run), and the
    figures' descriptions (their literal parts); tests/numbers.py."""
    if page.suffix == ".ipynb":
        nb = jupytext.read(ROOT / "notebooks" / f"{page.stem}.py",
                           fmt="py:percent")
        parts = [c.source for c in nb.cells if c.cell_type == "markdown"]
        parts += [line for c in nb.cells if c.cell_type == "code"
                  for line in _figure_comment(c.source)]
    else:
        text = (DOCS / page).read_text()
        parts = [outside_fences(text)]
        inside = "\n".join(line for f in fences.fences(text)
                           for line in f.body)
        for match in ALT.finditer(inside):
            parts.append(re.sub(r"\{[^{}]*\}", " ", match[1]))
    return reading("\n".join(parts))


def _figure_comment(code: str) -> list[str]:
    """A notebook figure's description: the ``# Figure:`` comment, with
    the comment lines that continue it."""
    out, inside = [], False
    for line in code.splitlines():
        if line.startswith("# Figure:"):
            inside = True
        elif not line.startswith("#"):
            inside = False
        if inside:
            out.append(line)
    return out


def offending(prose: str, differing: list[dict[str, str]],
              inputs: set[float] = frozenset()) -> list[str]:
    """Typed numbers that are one setting's print of a differing number,
    at the typed precision, but not every setting's; not the `inputs`
    (numbers in the page's code), nor a number of one significant
    digit."""
    bad = set()
    for number in numbers(prose):
        x, rounded_as = value(number), rounding(number)
        if x in inputs or significant(number) < 2:
            continue
        for values in differing:
            rounded = {s: rounded_as(value(v)) for s, v in values.items()}
            agree = (len(values) == len(SETTINGS)
                     and len(set(rounded.values())) == 1)
            if rounded_as(x) in rounded.values() and not agree:
                printed = ", ".join(f"{s}: {v}" for s, v in values.items())
                bad.add(f"{number} ({printed})")
    return sorted(bad)


@pytest.mark.kernels
@pytest.mark.parametrize("page", EXECUTED, ids=str)
def test_no_typed_number_depends_on_the_kernels(page):
    runs = {s: outputs(page, s) for s in SETTINGS}
    bad = offending(typed(page), varying(runs), code_constants(page))
    assert bad == [], (
        f"{page}: these numbers are typed into the prose, and the kernel "
        f"settings print them differently; insert them from the run "
        f"({{{{ name }}}}, tools/glue.py) or round them to where every "
        f"setting agrees: {bad}")


def test_the_check_finds_a_typed_number():
    runs = {"native": ["acc 0.958 after 3 epochs\n"],
            "avx2": ["acc 0.958 after 3 epochs\n"],
            "default": ["acc 0.964 after 3 epochs\n"]}
    differing = varying(runs)
    assert differing == [{"native": "0.958", "avx2": "0.958",
                          "default": "0.964"}]
    assert offending("it reaches 0.958", differing)
    assert offending("it reaches 0.964", differing)
    assert not offending("it reaches 0.96", differing)  # all agree there
    assert not offending("after 3 epochs, 0.5", differing)
    assert not offending("it reaches 1.0", differing)
    assert offending("about 96% of them", differing) == []
    assert offending("95.8% of them", differing)
    assert not offending("0.05% of them", [{"native": "0.048",
                                           "default": "0.030"}])
    assert offending("a gradient of 6.7e-01", [{"native": "6.71e-01",
                                                "default": "6.62e-01"}])
    # a line with a number only some settings print: every one counts
    runs["default"] = ["acc 0.964 after 3 epochs, early stop at 12\n"]
    assert offending("stops at 12", varying(runs))
    # a number written in the code is an input, whatever a run prints
    assert not offending("at a rate of 0.958", differing, {0.958})


def test_typed_prose_leaves_out_code_and_glued_numbers():
    text = typed(Path("glossary/gradient-clipping.md"))
    assert "puts a ceiling on the step" in text  # the prose
    assert "--8<--" not in text and "import torch" not in text
    assert "{{" not in text
    assert "math.inf" not in text  # inline code, over two lines
    assert "validation loss after 10 epochs" in text  # a figure's alt
    text = typed(Path("glossary/weight-initialization.md"))
    assert re.search(r"`\d\.\d+e[-+]\d+`", text)  # a quoted printed number
    assert "1.2e-32" in numbers("about 1.2e-32, or 1,234.5")
    assert [significant(n) for n in ("0.958", "3%", "0.10", "33", "1e-6",
                                     "1,200")] == [3, 1, 2, 2, 1, 4]

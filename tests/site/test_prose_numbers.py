"""A measured number quoted in a page's prose is one its code printed.

Every number with three or more decimals in a page's text (outside code
blocks) must be printed by one of the page's blocks, as the build
recorded it (tools/records.py), exactly or rounded to the decimals the
prose gives. The exceptions are inputs, not results: values cited from a
paper, a formula's constants, and values a reader is invited to try;
each is listed below with its reason. A prose number that drifts from
what the code prints (as "0.958" once did on the initialization page)
fails here, whichever test of the module forgets it.
"""

import re

import pytest

from tests.pages import DOCS, PAGES
from tools import records

NUMBER = re.compile(r"(?<![\w.])\d+\.\d{3,}(?![\w])")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,}).*?^(?P=indent)"
                   r"(?P=ticks)[ \t]*$", re.S | re.M)
INPUTS = {  # page -> {number: why the code need not print it}
    "glossary/activation-functions.md": {
        "0.044715": "the constant in GELU's tanh approximation",
        "2.303": "ln 10, the loss of a uniform guess over ten digits",
    },
    "glossary/index.md": {
        "0.0005": "AlexNet's weight decay, cited",
        "0.001": "Adam's default rate, cited",
        "0.999": "Adam's default beta2, cited",
    },
    "glossary/momentum.md": {
        "0.995": "sqrt(0.99) in the prose's own arithmetic, and a cap of "
                 "Sutskever et al.'s schedule, cited",
        "0.999": "a cap of Sutskever et al.'s schedule, cited",
        "0.005": "a rate the reader is invited to try",
    },
    "glossary/dropout.md": {
        "0.003": "the tolerance the tests hold the kept fraction to",
        "0.004": "the experiment's learning rate, an input",
    },
    "glossary/regularization.md": {"0.0005": "AlexNet's weight decay, cited"},
    "glossary/weight-initialization.md": {
        "0.001": "a rate the reader is invited to try",
        "0.026": "256 x 1e-4, the prose's own arithmetic",
    },
    "history/2012-alexnet.md": {"0.0005": "AlexNet's weight decay, cited"},
    "history/2012-bengio.md": {
        "0.999": "Adam's default beta2, cited",
        "1206.5533": "an arXiv identifier",
    },
    "history/2020-diffusion.md": {
        "0.008": "the offset s of the cosine schedule, cited",
    },
}
MARKDOWN = [md for md in PAGES if md.suffix == ".md"]


def prose(md) -> str:
    return FENCE.sub("", (DOCS / md).read_text())


def printed_matches(number: str, printed: str) -> bool:
    """`number` is in `printed`, as printed or rounded from a printed
    number with more decimals."""
    if re.search(rf"(?<![\w.]){re.escape(number)}(?![\d])", printed):
        return True
    decimals = len(number.split(".")[1])
    for found in re.findall(r"\d+\.\d+", printed):
        if len(found.split(".")[1]) > decimals and (
                f"{float(found):.{decimals}f}" == number):
            return True
    return False


@pytest.mark.parametrize("md", MARKDOWN, ids=str)
def test_measured_numbers_in_prose_are_printed(md):
    page = md.as_posix()
    plan = records.plan(page)
    printed = "\n".join(r["stdout"] for r in plan.records.values())
    inputs = INPUTS.get(page, {})
    quoted = set(NUMBER.findall(prose(md)))
    unprinted = sorted(n for n in quoted
                       if n not in inputs and not printed_matches(n, printed))
    assert unprinted == [], (
        f"{page}: these numbers in the prose are printed by none of its "
        f"blocks: {unprinted}")
    stale = sorted(set(inputs) - quoted)
    assert stale == [], f"{page}: listed as inputs, no longer quoted: {stale}"


def test_the_check_sees_numbers():
    # the 1986 chapter's prose is full of printed numbers; if the pattern
    # found none, the test above would pass on anything
    text = prose("glossary/learning-rate.md")
    assert len(NUMBER.findall(text)) >= 10
    assert printed_matches("0.0760", "r = 0.07596")
    assert not printed_matches("0.958", "0.953 of the validation digits")

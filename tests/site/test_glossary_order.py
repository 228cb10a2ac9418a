"""The glossary builds up: read in the navigation's order, no page leans on
a later one.

A page's teaching sections (all but "Symptoms...", "How it interacts...",
"Try it" and "What to remember", which look sideways on purpose) may not
link to a later glossary page, nor use a later page's terms: "momentum"
before the momentum page, "Adam" before the optimizer page, "weight
decay" before the regularization page. Terms the glossary's index
introduces with the shared task (mini-batches, epochs, ReLU, hidden
units) are known from the start. Where a page must name a later concept
it defines it in place, and ALLOWED lists that case with the words of the
definition, which the page must contain.
"""

import re

import pytest
import yaml

from tests.conftest import ROOT

GLOSSARY = ROOT / "docs/glossary"
# a term of each page, as it appears in prose (code and math excluded)
TERMS = {
    "momentum": r"\bmomentum\b|\bheavy.ball\b|\bNesterov\b",
    "optimizer": r"\bAdam(W)?\b|\bRMSprop\b|\bAdaGrad\b",
    "learning-rate-decay": (r"(?<!weight )\bdecay(ed|s|ing)?\b|\bschedul\w*"
                            r"|\bwarm-?up\b|\bcosine\b|\bStepLR\b"),
    "batch-size": r"\bbatch size\b|\blarger batch|\bsmaller batch",
    "weight-initialization": (r"\binitiali[sz]ation\b|\bGlorot\b|\bHe's\b"
                              r"|\bXavier\b|\bKaiming\b"),
    "activation-functions": (r"\btanh\b|\bsigmoid\b|\bGELU\b|\bLeaky\b"
                             r"|\bactivation functions?\b"),
    "gradient-clipping": r"\bclip\w*",
    "epochs": r"\bearly stopping\b|\bpatience\b|\bstop(ping)? early\b",
    "regularization": r"\bweight decay\b|\bL2\b|\bregulari[sz]\w*",
    "dropout": r"\bdropout\b",
    "hidden-units": r"\bwidth\b|\bwider\b|\bnarrower\b",
}
CASE = {"optimizer"}  # "Adam" is a name; "adam" is not a word to find
# (page, term found) -> words of the definition the page gives in place
ALLOWED = {
    ("learning-rate", "adam"): "Adam, which rescales each weight's step",
    ("optimizer", "weight decay"): "it also shrinks each parameter by the "
                                   "fraction",
    ("weight-initialization", "tanh"): "an S-shaped curve from",
    ("weight-initialization", "sigmoid"): "sigmoid units [@bengio2012]",
}
SIDEWAYS = re.compile(r"^## (Symptoms|How it interacts|Try it|What to "
                      r"remember)")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
INLINE = re.compile(r"`[^`]*`|\$\$.*?\$\$|\$[^$]*\$", re.S)


def order() -> list[str]:
    """The glossary pages (stems) in the navigation's order."""
    # the nav block alone: the rest of mkdocs.yml has tags safe_load
    # refuses (!!python/name:...)
    block = (ROOT / "mkdocs.yml").read_text().split("\nnav:\n", 1)[1]
    nav = yaml.safe_load("nav:\n" + block.split("\n\n", 1)[0])["nav"]
    [section] = [s["Glossary"] for s in nav
                 if isinstance(s, dict) and "Glossary" in s]
    return [next(iter(e.values())).removeprefix("glossary/")
            .removesuffix(".md") for e in section if isinstance(e, dict)]


def teaching_lines(text: str):
    """(line number, text) of the prose a reader learns from: no front
    matter, fences, inline code or math, nor the sideways sections."""
    lines = text.splitlines()
    start = 0
    if lines and lines[0] == "---":
        start = lines.index("---", 1) + 1
    fenced = sideways = False
    for n, line in enumerate(lines[start:], start + 1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if line.startswith("## "):
            sideways = bool(SIDEWAYS.match(line))
        if not (fenced or sideways):
            yield n, INLINE.sub(" ", line)


def forward_references(page: str, text: str, pages: list[str]):
    """What `text` (the page `page`) uses of the pages after it."""
    later = pages[pages.index(page) + 1:]
    found = []
    for n, line in teaching_lines(text):
        for other in later:
            if re.search(rf"\]\((\./)?{re.escape(other)}\.md\b", line):
                found.append(f"line {n}: links to {other}.md")
            flags = 0 if other in CASE else re.I
            words = LINK_TARGET.sub("]", line)  # a link's text, not its URL
            for m in re.finditer(TERMS[other], words, flags):
                term = m.group().lower()
                definition = ALLOWED.get((page, term))
                if definition is None or definition not in " ".join(
                        text.split()):
                    found.append(f"line {n}: uses {m.group()!r} "
                                 f"({other}.md)")
    return found


def test_the_navigation_has_the_order_that_builds_up():
    pages = order()
    assert sorted(pages) == sorted(TERMS.keys() | {"learning-rate"})
    # the cases: momentum before the optimizer that uses it, the
    # initialization before the activations that lean on it
    assert pages.index("momentum") < pages.index("optimizer")
    assert pages.index("weight-initialization") < pages.index(
        "activation-functions")
    assert pages[0] == "learning-rate"


@pytest.mark.parametrize("page", sorted(TERMS.keys() | {"learning-rate"}))
def test_no_page_leans_on_a_later_one(page):
    text = (GLOSSARY / f"{page}.md").read_text()
    assert forward_references(page, text, order()) == []


def test_the_index_table_is_in_the_navigation_order():
    text = (GLOSSARY / "index.md").read_text()
    rows = re.findall(r"^\| \[[^]]+\]\(([\w-]+)\.md\)", text, re.M)
    assert rows == order()


def test_the_check_finds_a_forward_link_and_a_forward_term():
    pages = ["learning-rate", "momentum", "dropout"]
    text = ("---\nsearch: momentum\n---\n# x\n\nUse [it](dropout.md) with "
            "momentum, not `momentum` nor $\\text{dropout}$.\n\n"
            "## How it interacts with other hyperparameters\n\n"
            "- dropout, [momentum](momentum.md)\n")
    assert forward_references("learning-rate", text, pages) == [
        "line 6: uses 'momentum' (momentum.md)",
        "line 6: links to dropout.md"]
    # a term defined in place is allowed only with its definition
    assert forward_references("learning-rate", "Adam is fast.\n",
                              ["learning-rate", "optimizer"])

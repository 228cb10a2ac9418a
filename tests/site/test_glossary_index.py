"""The glossary index: one row per glossary page, and every PyTorch default
in its last column asserted against the installed torch (so an upgrade
that changes a default turns this red)."""

import ast
import inspect
import re

import torch

from tests.conftest import ROOT

INDEX = ROOT / "docs/glossary/index.md"
CALL = re.compile(r"`((?:nn\.)?\w+\([^`]*\))`")
CLASSES = {
    "SGD": torch.optim.SGD,
    "Adam": torch.optim.Adam,
    "AdamW": torch.optim.AdamW,
    "DataLoader": torch.utils.data.DataLoader,
    "nn.Dropout": torch.nn.Dropout,
    "nn.GELU": torch.nn.GELU,
    "StepLR": torch.optim.lr_scheduler.StepLR,
}


def rows():
    lines = INDEX.read_text().splitlines()
    return [line for line in lines
            if line.startswith("| [") and line.count("|") == 6]


def column(name):
    """The index of the column whose header starts with `name`."""
    header = next(line for line in INDEX.read_text().splitlines()
                  if line.startswith("| Hyperparameter |"))
    cells = [c.strip() for c in header.split("|")]
    return next(i for i, c in enumerate(cells) if c.startswith(name))


def test_one_row_per_glossary_page():
    pages = {p.name for p in (ROOT / "docs/glossary").glob("*.md")}
    linked = {re.search(r"\]\(([\w-]+\.md)\)", r).group(1) for r in rows()}
    assert linked == pages - {"index.md"}
    assert len(linked) == 12


def test_pytorch_defaults_in_the_table_are_the_installed_ones():
    checked = 0
    for row in rows():
        default_column = row.split("|")[column("PyTorch default")]
        for call in CALL.findall(default_column):
            node = ast.parse(call, mode="eval").body
            name = ast.unparse(node.func)
            params = inspect.signature(CLASSES[name]).parameters
            for kw in node.keywords:
                expected = ast.literal_eval(kw.value)
                assert params[kw.arg].default == expected, (
                    f"{call}: torch {torch.__version__} has "
                    f"{kw.arg}={params[kw.arg].default!r}"
                )
                checked += 1
    assert checked >= 10


def test_both_columns_of_typical_values_cite_their_source():
    # a value from a paper says which: every cell of the classic and the
    # modern column carries a citation, and the modern one names the
    # Transformer or LLaMA (or mu-P) papers, not the 2012 advice
    classic, modern = column("Typical values (classic)"), column("Modern")
    for row in rows():
        cells = row.split("|")
        assert "[@" in cells[classic], cells[1]
        keys = set(re.findall(r"@(\w+)", cells[modern]))
        assert keys and keys <= {"touvron2023", "vaswani2017", "yang2022"}, (
            cells[1], keys)
    assert len(rows()) == 12


def test_the_modern_column_has_the_values_the_issue_asks_for():
    text = " ".join(r.split("|")[column("Modern")] for r in rows())
    for value in ("AdamW", "3 × 10⁻⁴", "weight decay 0.1", "β₂ = 0.95",
                  "β₂ = 0.98", "warm-up", "cosine", "at 1.0"):
        assert value in text, value

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
            if line.startswith("| [") and line.count("|") == 5]


def test_one_row_per_glossary_page():
    pages = {p.name for p in (ROOT / "docs/glossary").glob("*.md")}
    linked = {re.search(r"\]\(([\w-]+\.md)\)", r).group(1) for r in rows()}
    assert linked == pages - {"index.md"}
    assert len(linked) == 12


def test_pytorch_defaults_in_the_table_are_the_installed_ones():
    checked = 0
    for row in rows():
        default_column = row.split("|")[4]
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

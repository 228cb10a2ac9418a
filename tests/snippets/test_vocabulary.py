"""One name per concept in the code (docs/contributing/adding-a-page.md,
"One name per concept"): no function in snippets/ or notebooks/ takes a
parameter under a name the table rules out."""

import ast
import re

import pytest

from tests.conftest import ROOT

PAGE = ROOT / "docs/contributing/adding-a-page.md"
SOURCES = sorted(
    [p for p in (ROOT / "snippets").rglob("*.py") if p.name != "__init__.py"]
    + list((ROOT / "notebooks").glob("*.py")))


def table() -> dict[str, str]:
    """The ruled-out names, each with the name to use instead."""
    text = PAGE.read_text().split("## One name per concept", 1)[1]
    out = {}
    for row in re.findall(r"^\| (.+?) \| (.+?) \| (.*?) \|$", text, re.M):
        _concept, names, nots = row
        use = re.findall(r"`([^`]+)`", names)
        for bad in re.findall(r"`([^`]+)`", nots):
            out[bad] = use[0]
    return out


RULED_OUT = table()


def parameters(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.Lambda)):
            args = node.args
            names = [a.arg for a in [*args.posonlyargs, *args.args,
                                     *args.kwonlyargs]]
            yield getattr(node, "name", "lambda"), names


def test_the_table_is_read():
    assert RULED_OUT["head_size"] == "head_dim"
    assert RULED_OUT["lam"] == "weight_decay" and len(RULED_OUT) >= 15


@pytest.mark.parametrize("path", SOURCES,
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_one_name_per_concept(path):
    for function, names in parameters(path):
        for name in names:
            assert name not in RULED_OUT, (
                f"{path.name}: {function}({name}=...): call it "
                f"{RULED_OUT[name]}")
        # the paper's h, as a parameter beside d_model, is num_heads
        assert not ({"h", "d_model"} <= set(names)), (
            f"{path.name}: {function}(h=...): call it num_heads")

"""Finding a page's examples, how they chain, and their content keys."""

import pytest

from tests.conftest import ROOT
from tools.environment import environment_key
from tools.examples import (
    Block,
    ExampleError,
    chains,
    collect,
    key,
    needs,
    project_imports,
)
from tools.records import _config


def block(index, code, title="", source="block"):
    return Block(page="p.md", index=index, code=code,
                 options={"source": source, "extra": {"title": title}},
                 needs=needs(title))


def test_titles_name_what_a_block_runs_after():
    assert needs("plot.py — run after model.py, data.py and train.py") == [
        "model.py", "data.py", "train.py"]
    assert needs("alone.py") == []


def test_hidden_lines_come_first_or_last_and_the_rest_is_shown():
    b = block(0, "from tools import a  # markdown-exec: hide\n\nx = 1\n"
                 "print(x)\nprint(a)  # markdown-exec: hide")
    prelude, visible, epilogue = b.parts()
    assert prelude == "from tools import a  # markdown-exec: hide"
    assert visible == "x = 1\nprint(x)\n"  # what the copy button copies
    assert epilogue == "print(a)  # markdown-exec: hide"
    bad = block(0, "x = 1\nprint(x)  # markdown-exec: hide\ny = 2")
    with pytest.raises(ExampleError, match="before or after"):
        bad.parts()
    # code the page does not show is build-only: all hidden
    assert block(0, "print(1)", source="").parts() == ("print(1)", "", "")


def test_chains_follow_titles_in_page_order():
    blocks = [block(0, "a = 1", "a.py"), block(1, "b = 2", "b.py"),
              block(2, "print(a)", "c.py — run after a.py"),
              block(3, "print(a + b)", "d.py — run after c.py and b.py")]
    found = {i: [b.name for b in c] for i, c in chains(blocks).items()}
    assert found == {0: ["a.py"], 1: ["b.py"], 2: ["a.py", "c.py"],
                     3: ["a.py", "b.py", "c.py", "d.py"]}
    late = [*blocks, block(4, "pass", "e.py — run after f.py")]
    with pytest.raises(ExampleError, match=r"f\.py"):
        chains(late)


def test_keys_change_with_code_helpers_and_environment(tmp_path):
    env = environment_key()
    a = [block(0, "x = 1")]
    assert key("chain", a, env) == key("chain", [block(0, "x = 1")], env)
    assert key("chain", a, env) != key("chain", [block(0, "x = 2")], env)
    assert key("chain", a, env) != key("page", a, env)
    assert key("chain", a, env) != key("chain", a, {**env, "python": "x"})
    # hidden lines: the files they import are part of the key
    root = tmp_path
    (root / "tools").mkdir()
    (root / "tools/__init__.py").write_text("")
    (root / "tools/fig.py").write_text("from tools import png\n")
    (root / "tools/png.py").write_text("X = 1\n")
    hidden = [block(0, "x = 1\nfrom tools.fig import f  # markdown-exec: "
                       "hide")]
    found = {p.relative_to(root).as_posix()
             for p in project_imports(hidden[0].parts()[2], root)}
    assert found == {"tools/__init__.py", "tools/fig.py", "tools/png.py"}
    before = key("chain", hidden, env, root)
    (root / "tools/png.py").write_text("X = 2\n")
    assert key("chain", hidden, env, root) != before


def test_collect_reads_a_page_as_the_build_does():
    config = _config(ROOT)
    text = (ROOT / "docs/glossary/momentum.md").read_text()
    blocks = collect(text, "glossary/momentum.md",
                     config.markdown_extensions, config.mdx_configs)
    names = [b.name for b in blocks]
    assert names[:3] == ["defaults.py", "momentum.py", "momentum_torch.py"]
    assert [b.tab for b in blocks[1:3]] == ["NumPy", "PyTorch"]
    assert all("--8<--" not in b.code for b in blocks)  # includes expanded


def test_sessions_are_refused():
    config = _config(ROOT)
    text = '```python exec="on" session="s"\nprint(1)\n```\n'
    with pytest.raises(ExampleError, match="session"):
        collect(text, "p.md", config.markdown_extensions,
                config.mdx_configs)

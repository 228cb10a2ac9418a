"""Finding a page's examples, how they chain, and their content keys."""

import pytest

from tests.conftest import ROOT
from tools.environment import environment_key
from tools.examples import (
    Block,
    ExampleError,
    chains,
    collect,
    imports_torch,
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


def project(root, files: dict[str, str]):
    """A repository of tools/ modules under `root`."""
    (root / "tools").mkdir(exist_ok=True)
    (root / "tools/__init__.py").write_text("")
    for name, text in files.items():
        (root / "tools" / name).write_text(text)
    return root


def found(code, root) -> set[str]:
    return {p.relative_to(root).as_posix()
            for p in project_imports(code, root)}


def test_project_imports_reads_every_form_of_import(tmp_path):
    root = project(tmp_path, {"a.py": "", "b.py": "import numpy\n",
                              "c.py": "from . import a\n"})
    assert found("import tools.a", root) == {"tools/__init__.py",
                                             "tools/a.py"}
    assert found("from tools.b import x", root) == {"tools/__init__.py",
                                                    "tools/b.py"}
    assert found("from tools import a, b", root) == {
        "tools/__init__.py", "tools/a.py", "tools/b.py"}
    # a relative import is the same package's: skipped, and the reading
    # goes on after it
    assert found("from . import a\nimport tools.b", root) == {
        "tools/__init__.py", "tools/b.py"}
    assert found("from .a import x\nimport tools.b", root) == {
        "tools/__init__.py", "tools/b.py"}
    assert found("import numpy, json", root) == set()


def test_imports_torch_is_read_not_run():
    for yes in ("import torch", "import torch.nn as nn", "from torch import"
                " nn", "from torch.optim import SGD", "import numpy, torch",
                "x = 1\nimport torch"):
        assert imports_torch(yes), yes
    for no in ("import numpy", "import torchvision", "from . import torch",
               "from .torch import x", "x = 'import torch'", ""):
        assert not imports_torch(no), no
    assert imports_torch("import numpy", "import torch")  # any source


def test_the_key_holds_every_file_the_hidden_lines_import(tmp_path):
    root = project(tmp_path, {"a.py": "A = 1\n", "b.py": "B = 1\n"})
    chain = [block(0, "from tools.a import A  # markdown-exec: hide\n"
                      "print(1)"),
             block(1, "from tools.b import B  # markdown-exec: hide\n"
                      "print(2)")]
    env = {"python": "3", "torch": "capability AVX2"}
    before = key("chain", chain, env, root)
    for name in ("a.py", "b.py"):  # each of them, in either block
        (root / "tools" / name).write_text("changed = 1\n")
        assert key("chain", chain, env, root) != before
        before = key("chain", chain, env, root)


def test_the_torch_part_of_the_environment_counts_only_with_torch(
        tmp_path):
    root = project(tmp_path, {"plain.py": "X = 1\n",
                              "nets.py": "import torch\n"})
    env = {"python": "3", "torch": "capability AVX2"}
    other = {**env, "torch": "capability DEFAULT"}
    plain = [block(0, "print(1)")]
    assert key("chain", plain, env, root) == key("chain", plain, other, root)
    for torchy in ([block(0, "import torch\nprint(1)")],
                   [block(0, "from tools.nets import x  # markdown-exec: "
                             "hide\nprint(1)")]):  # through a helper
        assert key("chain", torchy, env, root) != key(
            "chain", torchy, other, root)
    # and the rest of the environment always counts
    assert key("chain", plain, env, root) != key(
        "chain", plain, {**env, "python": "4"}, root)


def test_the_key_does_not_depend_on_the_order_of_the_environment(
        tmp_path):
    chain = [block(0, "print(1)")]
    a = {"python": "3", "numpy": "2", "variables": {"A": "1", "B": "2"}}
    b = {"variables": {"B": "2", "A": "1"}, "numpy": "2", "python": "3"}
    assert key("chain", chain, a, tmp_path) == key("chain", chain, b,
                                                   tmp_path)


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

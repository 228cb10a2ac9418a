"""The interpreter the examples run in (tools/kernel.py, tools/runner.py):
a reader's fresh one, for the code the reader sees."""

import pytest

from tools import runner
from tools.runner import ROOT


def node(node_id, visible, children=(), prelude="", epilogue=""):
    return {"id": node_id, "name": f"{node_id}.py", "visible": visible,
            "prelude": prelude, "epilogue": epilogue,
            "children": list(children)}


@pytest.fixture(scope="module")
def run():
    return lambda tree: runner.run(tree)


def test_branches_start_from_their_parent_and_nothing_else(run):
    tree = node("a", "x = [1]\nopen('a.txt', 'w').write('a')\nprint(x)", [
        node("b", "x.append(2)\nopen('b.txt', 'w').write('b')\nprint(x)"),
        node("c", "import os\nprint(x, sorted(os.listdir('.')))"),
    ])
    out = run(tree)
    assert out["a"]["stdout"] == "[1]\n"
    assert out["b"]["stdout"] == "[1, 2]\n"
    # c runs after a only: b's change and b's file are not there
    assert out["c"]["stdout"] == "[1] ['a.txt']\n"


def test_the_reader_has_no_repository(run):
    # hidden lines ran first, with the repository on sys.path for them
    out = run(node("r", "pass", prelude="import tools", children=[
        node("imp", "import tools"),
        node("read", f"open({str(ROOT / 'README.md')!r}).read()"),
        # no entry of sys.path inside the repository but its .venv (the
        # installed packages); nor the working folder, which is not in it
        node("path", "import os, sys\n"
                     f"root, venv = {str(ROOT)!r}, {str(ROOT / '.venv')!r}\n"
                     "inside = [p for p in map(os.path.abspath, sys.path)\n"
                     "          if os.path.commonpath([p, root]) == root\n"
                     "          and os.path.commonpath([p, venv]) != venv]\n"
                     "print(inside, os.getcwd().startswith(root))"),
        node("main", "print(__name__)"),
    ]))
    assert "ModuleNotFoundError: No module named 'tools'" in (
        out["imp"]["error"])
    assert "PermissionError" in out["read"]["error"]
    assert "a file of the repository" in out["read"]["error"]
    assert out["path"]["stdout"] == "[] False\n"
    assert out["main"]["stdout"] == "__main__\n"


def test_hidden_lines_reach_the_project_and_leave_nothing(run):
    out = run(node("h", "y = 2\n", [node("after", "print('svg' in dir())\n"
                                                  "import tools")],
                   epilogue="from tools.png import lighter_png as svg\n"
                            "print(svg('x'), y)"))
    assert out["h"]["stdout"] == "x 2\n"
    assert out["h"]["modules"]  # what the key must cover
    assert out["after"]["stdout"] == "False\n"
    assert "No module named 'tools'" in out["after"]["error"]


def test_output_is_captured_per_block_at_the_file_descriptor(run):
    out = run(node("p", "import os, sys\nprint('py')\n"
                        "os.write(1, b'fd\\n')\nsys.stderr.write('err\\n')",
                   [node("q", "print('next')")]))
    assert out["p"]["stdout"] == "py\nfd\n"
    assert out["p"]["stderr"] == "err\n"
    assert out["q"]["stdout"] == "next\n"


def test_an_error_names_the_reader_s_line_and_stops_its_branch(run):
    out = run(node("e", "x = 1\n1 / 0", [node("never", "print('no')")]))
    assert 'File "e.py", line 2' in out["e"]["error"]
    assert "ZeroDivisionError" in out["e"]["error"]
    assert "kernel" not in out["e"]["error"]  # no frame of the kernel's
    assert "never" not in out


def test_one_thread_and_no_window(run):
    out = run(node("env", "import os, torch\nprint(torch.get_num_threads(),"
                          " os.environ['MPLBACKEND'])"))
    assert out["env"]["stdout"] == "1 Agg\n"

"""Importing a snippet module (or an explorer's) runs nothing: no output,
no figure, no
training step (its page's demo code sits under ``if __name__ ==
"__main__":``), and it is quick.

One probe process imports the libraries the modules build on, then forks
a child per module: each module is imported on its own, from the same
state, and timed without the libraries' own import time: in CPU seconds,
which other processes on a busy machine do not add to (wall time did:
1.7 s for scaling_out while a mutation run shared the two cores).
"""

import ast
import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts)
    for folder in ("snippets", "explorers")  # explorers: build-only data
    for p in (ROOT / folder).rglob("*.py") if p.name != "__init__.py"
)

PROBE = """
import contextlib, io, json, os, sys, time
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy, optuna, scipy.stats, sklearn.datasets, torch  # noqa
import optuna.storages, sqlalchemy.engine  # noqa: scaling-out's storage
from torch.optim.optimizer import register_optimizer_step_pre_hook

steps = []
register_optimizer_step_pre_hook(lambda *args: steps.append(1))
for name in sys.argv[1:]:
    read, write = os.pipe()
    if os.fork() == 0:  # the child imports one module, from this state
        out, err = io.StringIO(), io.StringIO()
        start = time.process_time()
        try:
            with contextlib.redirect_stdout(out), \\
                    contextlib.redirect_stderr(err):
                __import__(name)
            error = None
        except BaseException as exc:
            error = repr(exc)
        found = {"module": name, "stdout": out.getvalue(),
                 "stderr": err.getvalue(), "error": error,
                 "figures": len(plt.get_fignums()), "steps": len(steps),
                 "seconds": time.process_time() - start}
        os.write(write, json.dumps(found).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as f:
        print(f.read(), flush=True)
    os.wait()
"""


@pytest.fixture(scope="module")
def imported() -> dict[str, dict]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *MODULES], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = [json.loads(line) for line in proc.stdout.splitlines() if line]
    return {f["module"]: f for f in found}


@pytest.mark.parametrize("module", MODULES)
def test_importing_runs_nothing(module, imported):
    found = imported[module]
    assert found["error"] is None, found["error"]
    assert found["stdout"] == "", f"printed: {found['stdout'][:300]}"
    assert found["figures"] == 0, "opened a figure"
    assert found["steps"] == 0, f"took {found['steps']} optimizer steps"
    # its libraries aside, a module that defines functions takes
    # milliseconds (a second is room for a busy machine)
    assert found["seconds"] < 1, f"took {found['seconds']:.1f} s"


def test_modules_are_found():
    assert "snippets.glossary.momentum" in MODULES and len(MODULES) > 30


def test_the_probe_catches_a_module_that_runs(tmp_path, monkeypatch):
    # a module with demo code at the top level fails every check above
    (tmp_path / "noisy.py").write_text(
        "import torch\nimport matplotlib.pyplot as plt\nprint('hello')\n"
        "plt.figure()\nw = torch.zeros(1, requires_grad=True)\n"
        "torch.optim.SGD([w], lr=0.1).step()\n")
    proc = subprocess.run([sys.executable, "-c", PROBE, "noisy"],
                          cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    found = json.loads(proc.stdout.strip())
    assert found["stdout"] == "hello\n"
    assert found["figures"] == 1 and found["steps"] == 1


# Modules with no chapter of their own to run: libraries the others import
LIBRARIES = {
    "snippets.glossary.digits_task": "the glossary's shared task",
    "snippets.tuning.task": "tuning's shared search space and trial",
    "snippets.tuning.methods": "the early-stopping page's search methods",
    "snippets.tuning.comparison_results": "data comparison.py writes",
}


def _is_main_guard(node) -> bool:
    return (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
            and ast.unparse(node.test) == "__name__ == '__main__'")


CHAPTERS = [m for m in MODULES
            if m.startswith("snippets.") and m not in LIBRARIES]


def test_the_libraries_exist():
    assert set(LIBRARIES) <= set(MODULES)


@pytest.mark.parametrize("module", CHAPTERS)
def test_running_a_module_runs_its_chapter(module):
    # `python -m snippets.<section>.<name>` runs the page's demo: one
    # __main__ guard, the module's last statement; a models module's runs
    # its notebook story (tools.notebooks.run)
    tree = ast.parse((ROOT / (module.replace(".", "/") + ".py")).read_text())
    guards = [n for n in tree.body if _is_main_guard(n)]
    assert len(guards) == 1 and tree.body[-1] is guards[0], module
    if module.startswith("snippets.models."):
        stem = module.rsplit(".", 1)[1]
        assert f"run({stem!r})" in ast.unparse(guards[0]).replace('"', "'")

"""Importing a snippet module runs nothing: no output, no figure, no
training step (its page's demo code sits under ``if __name__ ==
"__main__":``), and it is quick. Each module is imported in a fresh
interpreter, so that nothing another module imported hides its cost."""

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts)
    for p in (ROOT / "snippets").rglob("*.py") if p.name != "__init__.py"
)

PROBE = """
import contextlib, io, json, sys, time
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
# the libraries snippet modules build on, imported before the clock starts:
# the time below is the module's own
import numpy, optuna, scipy.stats, sklearn.datasets  # noqa: E401, F401
from torch.optim.optimizer import register_optimizer_step_pre_hook

steps = []
register_optimizer_step_pre_hook(lambda *args: steps.append(1))
out, err = io.StringIO(), io.StringIO()
start = time.perf_counter()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    __import__(sys.argv[1])
print(json.dumps({"stdout": out.getvalue(), "stderr": err.getvalue(),
                  "figures": len(plt.get_fignums()), "steps": len(steps),
                  "seconds": time.perf_counter() - start}))
"""


@pytest.mark.parametrize("module", MODULES)
def test_importing_runs_nothing(module):
    proc = subprocess.run([sys.executable, "-c", PROBE, module], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found["stdout"] == "", f"printed: {found['stdout'][:300]}"
    assert found["figures"] == 0, "opened a figure"
    assert found["steps"] == 0, f"took {found['steps']} optimizer steps"
    # its libraries aside, a module that defines functions takes
    # milliseconds (a second is room for a busy machine)
    assert found["seconds"] < 1, f"took {found['seconds']:.1f} s"


def test_modules_are_found():
    assert "snippets.glossary.momentum" in MODULES and len(MODULES) > 30

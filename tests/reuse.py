"""Not running again a slow test that passed on identical inputs.

What Bazel's test cache promises: a pass is keyed by every input, is
reported as cached, and is never mistaken for a run.

- **Which tests**: those marked ``reuse_pass``: the builds of a copy of
  the repository (tests/site/test_execution_cache.py), the PostgreSQL
  runs, and the browser tests that leave no artefact (marked by
  tests/browser/conftest.py). The mark's keyword arguments name inputs
  outside the repository, as values or as functions called once per
  session: the server's binary, the browser's.
- **The key** of a test: its node id, every file git tracks or would
  track (not the ignored ones: the built site, the caches), the Python,
  every installed distribution and its version, the variables that can
  change a result (tools/environment.py, and ``HPE_*``), the CPU, and the
  mark's inputs. The repository's part is computed once, when the session
  starts (on xdist's controller, handed to the workers), so a file edited
  while the tests run is never recorded under a key that names it.
- **The record**: a pass is recorded only when the test's setup, call and
  teardown all passed, in pytest's own cache (``.pytest_cache/``,
  ``pytest --cache-clear`` empties it; ``--lf`` and ``--sw`` use it too),
  apart from the execution cache: emptying or moving that one brings no
  old pass with it.
- **The report**: a reused test is skipped before its fixtures run, with
  the reason ``reused: passed on identical inputs``; the summary line
  says how many tests ran and how many were reused. ``HPE_RERUN=1`` runs
  them all, as a clean clone (CI) does.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REASON = "reused: passed on identical inputs"
RERUN = "HPE_RERUN"  # =1: run every test, record the passes
PREFIX = "hpe/passed/"  # config.cache keys: PREFIX + digest of the node id
KEPT = 8  # passes kept per test, under their keys
INPUTS = pytest.StashKey[str | None]()
KEY = pytest.StashKey[str | None]()
PHASES = pytest.StashKey[dict]()


def files_digest(root: Path) -> str | None:
    """Every file git tracks or would track under `root`, by path and
    content; None outside a git checkout (then nothing is reused)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"], cwd=root, capture_output=True,
            check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    h = hashlib.sha256()
    for name in sorted(set(filter(None, listed.split(b"\0")))):
        path = root / name.decode()
        if path.is_file():
            h.update(name + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def session_inputs(root: Path) -> str | None:
    """The inputs every reusable test shares, as one digest."""
    files = files_digest(root)
    if files is None:
        return None
    from tools import environment

    names = {k: v for k, v in os.environ.items()
             if k.startswith("HPE_") and not k.startswith(RERUN)}
    data = {"files": files, "python": sys.version,
            "executable": sys.executable,
            "distributions": environment.distributions(),
            "variables": {**environment.variables(dict(os.environ)),
                          **names},
            "cpu": environment.cpu()}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()
                          ).hexdigest()


def pytest_configure(config):
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:  # an xdist worker: the controller's
        config.stash[INPUTS] = workerinput.get("hpe_inputs")
    elif os.environ.get(RERUN) == "1" or getattr(config, "cache",
                                                   None) is None:
        config.stash[INPUTS] = None
    else:
        config.stash[INPUTS] = session_inputs(config.rootpath)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist: every worker keys on what the controller read at start."""
    node.workerinput["hpe_inputs"] = node.config.stash[INPUTS]


_extras: dict = {}  # a mark's callable inputs, called once per session


def _extra(value) -> str:
    if not callable(value):
        return str(value)
    if value not in _extras:
        _extras[value] = str(value())
    return _extras[value]


def key(item) -> str | None:
    """The key of `item`'s pass, or None for a test that always runs."""
    mark = item.get_closest_marker("reuse_pass")
    inputs = item.config.stash.get(INPUTS, None)
    if mark is None or inputs is None:
        return None
    extra = {k: _extra(v) for k, v in sorted(mark.kwargs.items())}
    return hashlib.sha256(json.dumps(
        [item.nodeid, inputs, extra]).encode()).hexdigest()


def _slot(item) -> str:
    return PREFIX + hashlib.sha256(item.nodeid.encode()).hexdigest()[:32]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    k = key(item)
    item.stash[KEY], item.stash[PHASES] = k, {}
    if k is not None and k in item.config.cache.get(_slot(item), []):
        pytest.skip(REASON)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Record a pass when setup, call and teardown all passed."""
    outcome = yield
    report = outcome.get_result()
    k = item.stash.get(KEY, None)
    if k is None:
        return
    phases = item.stash[PHASES]
    phases[report.when] = report.passed
    if report.when == "teardown" and phases == {
            "setup": True, "call": True, "teardown": True}:
        # the last KEPT keys: switching between two settings (CI's
        # HPE_REQUIRE_*, a kernel setting) keeps both passes
        kept = item.config.cache.get(_slot(item), [])
        kept = kept if isinstance(kept, list) else []
        item.config.cache.set(_slot(item),
                              [k, *[x for x in kept if x != k]][:KEPT])


def pytest_terminal_summary(terminalreporter):
    reused = [r for r in terminalreporter.stats.get("skipped", [])
              if REASON in str(r.longrepr)]
    if reused:
        ran = sum(len(terminalreporter.stats.get(s, []))
                  for s in ("passed", "failed", "error", "xfailed",
                            "xpassed"))
        n = len(reused)
        terminalreporter.write_line(
            f"{n} {'test was' if n == 1 else 'tests were'} not run, "
            f"{REASON} (files, packages, Python, browser or server); "
            f"{ran} ran. {RERUN}=1 runs them all.")

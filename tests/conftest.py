"""Shared fixtures: one clean, strict build of the site per test run."""

import fcntl
import functools
import hashlib
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Snippet modules end figures with plt.show(): no window in tests.
os.environ.setdefault("MPLBACKEND", "Agg")
# One thread for torch/BLAS, as in the build (see tools/hooks.py).
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"


@dataclass
class Build:
    site: Path  # the built site
    returncode: int
    log: str  # everything mkdocs printed


@contextmanager
def _locked(path: Path):
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_site(site: Path) -> Build:
    """`mkdocs build --strict --clean`. The examples' outputs come from the
    execution cache, keyed by content (tools/execute.py): what changed
    runs, once; the tests then read the records instead of running them
    again (tools/records.py)."""
    # HPE_PAGE_RUNS: also run every page top to bottom, for
    # tests/site/test_page_notebooks.py (in the build's own trie of runs)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", HPE_PAGE_RUNS="1")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean",
         "--site-dir", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    return Build(site, proc.returncode, proc.stdout + proc.stderr)


@pytest.fixture(scope="session")
def build(tmp_path_factory, worker_id) -> Build:
    """The site, built once per test run and shared by xdist workers."""
    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent
    site, record = shared / "site", shared / "build.json"
    with _locked(shared / "build.lock"):
        if record.exists():
            data = json.loads(record.read_text())
            return Build(site, data["returncode"], data["log"])
        result = build_site(site)
        record.write_text(
            json.dumps({"returncode": result.returncode, "log": result.log})
        )
        return result


@pytest.fixture(scope="session")
def site(build) -> Path:
    """The built site; fails (with mkdocs' log) if it did not build."""
    if build.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{build.log[-4000:]}")
    return build.site


@pytest.fixture(autouse=True, scope="module")
def _close_figures():
    """Snippet modules draw at import and end with plt.show(), which
    closes nothing under Agg: close them after each test module so a
    worker does not pile up figures (matplotlib warns past 20)."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def pytest_collectreport(report):
    """The same after collecting a test module, which imports the
    snippets it tests (and so draws their figures)."""
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


# --- the kernel settings ---------------------------------------------------
#
# Tests marked `kernels` compare the examples' runs under every kernel
# setting (tools/environment.py): make kernels runs them (`-m kernels`),
# and .ci/run does, after make test. Elsewhere they are skipped, and say so.

KERNELS_REASON = ("compares the runs under every kernel setting: `make "
                  "kernels` runs it (.ci/run does)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "site" in getattr(item, "fixturenames", ()):  # make kernels: out
            item.add_marker(pytest.mark.built_site)
    if "kernels" in (config.getoption("markexpr") or ""):
        return
    for item in items:
        if item.get_closest_marker("kernels") is not None:
            item.add_marker(pytest.mark.skip(reason=KERNELS_REASON))


# --- not running again the slow tests that passed on the same inputs ------
#
# A test marked `reuse_pass` (the execution cache's builds of a copy of
# the repository, the PostgreSQL runs) is a function of the repository's
# files, the packages (requirements.txt), the Python and what the mark's
# keyword arguments add (the server's binary). When it passed on exactly
# these, it is skipped, before its fixtures run, with a reason that says
# so; any change to any file runs it again, and CI's clean clone runs them
# all.
# HPE_RERUN=1 runs them anyway. (Browser tests have the same, keyed by the
# built site: tests/browser/conftest.py.)

REUSED_REASON = "passed before on these same files (HPE_RERUN=1 runs it)"


@functools.cache
def repo_digest() -> str | None:
    """Every file git tracks or would track (not the ignored ones), by
    path and content, and the Python; None outside a git checkout."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"], cwd=ROOT, capture_output=True,
            check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    h = hashlib.sha256(sys.version.encode())
    for name in sorted(set(filter(None, listed.split(b"\0")))):
        path = ROOT / name.decode()
        if path.is_file():
            h.update(name + b"\0" + path.read_bytes())
    return h.hexdigest()


def _reuse(item) -> Path | None:
    mark = item.get_closest_marker("reuse_pass")
    if mark is None or os.environ.get("HPE_RERUN") == "1":
        return None
    digest = repo_digest()
    if digest is None:
        return None
    extra = "\0".join(f"{k}={v() if callable(v) else v}"  # e.g. a binary
                       for k, v in sorted(mark.kwargs.items()))
    key = hashlib.sha256(
        f"{item.nodeid}\0{digest}\0{extra}".encode()).hexdigest()
    from tools.cache import folder

    return folder() / "tests-passed" / key


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    mark = _reuse(item)
    if mark is not None and mark.exists():
        pytest.skip(f"reused: {REUSED_REASON}")
    item._hpe_reuse = mark


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Record a pass under the key set above, or by the browser tests'
    own (tests/browser/conftest.py)."""
    outcome = yield
    report = outcome.get_result()
    mark = getattr(item, "_hpe_reuse", None)
    if report.when == "call" and report.passed and mark is not None:
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.touch()


def pytest_terminal_summary(terminalreporter):
    """Say how many tests were not run again because they passed on the
    same inputs (browser tests: tests/browser/conftest.py; slow ones:
    above). Here: with xdist, only this conftest is loaded where the
    summary is written."""
    reused = [r for r in terminalreporter.stats.get("passed", [])
              if any(v == "reused" for k, v in r.user_properties
                     if k == "hpe")]
    if reused:
        terminalreporter.write_line(
            f"{len(reused)} browser tests passed before on this same "
            f"site, browser and test code, and were not run again "
            f"(HPE_RERUN_BROWSER=1 runs them)")
    slow = [r for r in terminalreporter.stats.get("skipped", [])
            if REUSED_REASON in str(r.longrepr)]
    if slow:
        terminalreporter.write_line(
            f"{len(slow)} slow tests (skipped above) {REUSED_REASON}")

"""Shared fixtures: one clean, strict build of the site per test run."""

import fcntl
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


# --- mutation runs (make mutants) -----------------------------------------
#
# mutmut runs the tests in a copy (mutants/) whose snippet modules are
# rewritten, so the build's records (keyed by those files) are not there,
# and building them would run the site once per mutant. A test that reads
# them is skipped in a mutation run, and does not count as killing.

def _no_records(*args, **kwargs):
    pytest.skip("reads the build's records, which a mutation run does not "
                "have")


if os.environ.get("HPE_MUTANTS") == "1":  # before any fixture reads them
    from tools import records

    for _name in ("plan", "page_run", "notebook"):
        setattr(records, _name, _no_records)

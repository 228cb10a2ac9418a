"""Reusing a slow test's pass (tests/reuse.py): skipped and said so, keyed
by every file git tracks or would track (not the ignored ones), the
packages and the mark's inputs, recorded only after a whole pass, and
kept in pytest's own cache.

Each test runs a small suite in a git repository of its own, with pytest
in a subprocess (pytester), the plugin loaded as the site loads it.
"""

import subprocess

import pytest

from tests import reuse
from tests.conftest import ROOT

pytest_plugins = ["pytester"]

SUITE = """
import os
import pytest

def test_edit():  # runs first: an edit made while the tests run
    if os.environ.get("EDIT") == "1":
        with open("notes.md", "a") as f:
            f.write("edited while the tests ran\\n")

@pytest.fixture
def resource():
    yield
    if os.environ.get("FAIL_TEARDOWN") == "1":
        raise RuntimeError("teardown failed")

@pytest.mark.reuse_pass(server=lambda: os.environ.get("SERVER", "a"))
def test_slow(resource):
    with open("ran.log", "a") as f:
        f.write("slow\\n")

def test_plain():
    pass
"""


@pytest.fixture
def suite(pytester, monkeypatch):
    monkeypatch.delenv("HPE_RERUN", raising=False)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # tests.reuse, tools
    pytester.makepyfile(test_suite=SUITE)
    pytester.makeini("[pytest]\nmarkers =\n    reuse_pass: reused\n")
    (pytester.path / ".gitignore").write_text(
        ".pytest_cache/\nran.log\n__pycache__/\nsite/\n")
    subprocess.run(["git", "init", "-q"], cwd=pytester.path, check=True)

    def run(*args):
        result = pytester.runpytest_subprocess("-p", "tests.reuse",
                                               "-p", "no:xdist", "-rs",
                                               *args)
        log = pytester.path / "ran.log"
        ran = log.read_text().count("slow") if log.exists() else 0
        return result, ran

    return run


def test_a_second_run_skips_the_pass_and_says_so(suite):
    first, ran = suite()
    first.assert_outcomes(passed=3)
    assert ran == 1
    second, ran = suite()
    second.assert_outcomes(passed=2, skipped=1)  # never counted as passed
    assert ran == 1
    second.stdout.fnmatch_lines([
        f"1 test was not run, {reuse.REASON} (*); 2 ran. HPE_RERUN=1 *",
        f"SKIPPED * {reuse.REASON}"])


def test_any_input_runs_it_again(suite, pytester, monkeypatch):
    suite()
    (pytester.path / "notes.md").write_text("new")  # untracked, not ignored
    assert suite()[1] == 2
    (pytester.path / "site").mkdir()
    (pytester.path / "site/index.html").write_text("built")  # ignored
    assert suite()[1] == 2
    monkeypatch.setenv("SERVER", "b")  # the mark's own input
    assert suite()[1] == 3
    monkeypatch.setenv("SERVER", "a")  # back: that pass is still kept
    assert suite()[1] == 3
    monkeypatch.setenv("HPE_RERUN", "1")
    assert suite()[1] == 4


def test_a_failed_teardown_records_nothing(suite, monkeypatch):
    monkeypatch.setenv("FAIL_TEARDOWN", "1")
    result, ran = suite()
    result.assert_outcomes(passed=3, errors=1)
    assert ran == 1
    monkeypatch.delenv("FAIL_TEARDOWN")
    assert suite()[1] == 2  # run again: its pass was not whole


def test_an_edit_while_the_tests_run_is_not_recorded_as_run(
        suite, monkeypatch):
    # the key is read when the session starts: the pass is recorded under
    # the files as they were, so the next run (which sees the edit) runs
    # the test again
    monkeypatch.setenv("EDIT", "1")
    assert suite()[1] == 1
    monkeypatch.delenv("EDIT")
    assert suite()[1] == 2
    assert suite()[1] == 2  # and then it is reused


def test_the_record_is_in_pytests_cache(suite, pytester):
    suite()
    import shutil

    shutil.rmtree(pytester.path / ".pytest_cache")  # --cache-clear's work
    assert suite()[1] == 2


def test_an_installed_package_is_an_input(monkeypatch, tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    from tools import environment

    before = reuse.session_inputs(tmp_path)
    monkeypatch.setattr(environment, "distributions",
                        lambda: {"numpy": "0.0"})
    assert reuse.session_inputs(tmp_path) != before


def test_the_files_key_follows_every_file_but_the_ignored_ones(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("site/\n")
    (tmp_path / "a.py").write_text("x = 1\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "."], check=True)
    first = reuse.files_digest(tmp_path)
    assert first == reuse.files_digest(tmp_path)  # stable
    (tmp_path / "a.py").write_text("x = 2\n")  # an edit, not committed
    edited = reuse.files_digest(tmp_path)
    assert edited != first
    (tmp_path / "new_test.py").write_text("")  # untracked, not ignored
    added = reuse.files_digest(tmp_path)
    assert added != edited
    (tmp_path / "site").mkdir()
    (tmp_path / "site/index.html").write_text("built")  # ignored
    assert reuse.files_digest(tmp_path) == added


def test_no_git_no_reuse(tmp_path):
    assert reuse.files_digest(tmp_path) is None

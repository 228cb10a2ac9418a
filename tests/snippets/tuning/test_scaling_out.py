"""Tests for snippets/tuning/scaling_out.py (docs/tuning/scaling-out.md).

The multi-process test: two worker processes (fork) add 4 trials each to
one Optuna study in a journal file. Every trial must be recorded once
(numbers 0..7, unique), finished (COMPLETE or PRUNED), four per worker;
and the study's best validation accuracy must match that of eight trials
run by one process within 0.03 (about 11 of the 359 validation digits):
the two studies do not try exactly the same configurations, and which
trials the pruner stops depends on timing, so they need not agree
exactly, but both search the same space with the same sampler.

What the page's own runs printed is read from the build's record of it
(tools.records), not run again.
"""

import re

import optuna
import pytest

from snippets.tuning import scaling_out as so
from snippets.tuning.task import MAX_EPOCHS
from tests.conftest import ROOT
from tools.records import output

PAGE = ROOT / "docs/tuning/scaling-out.md"
TOLERANCE = 0.03


def check_record(trials, workers, n_trials):
    n = workers * n_trials
    assert len(trials) == n
    assert sorted(t.number for t in trials) == list(range(n))
    assert {t.state.name for t in trials} <= {"COMPLETE", "PRUNED"}
    per_worker = [sum(t.user_attrs["worker"] == k for t in trials)
                  for k in range(workers)]
    assert per_worker == [n_trials] * workers
    # each trial reported its epochs in order, and a complete one all 9
    for t in trials:
        steps = sorted(t.intermediate_values)
        assert steps == list(range(1, len(steps) + 1))
        assert t.state.name == "PRUNED" or len(steps) == MAX_EPOCHS


def test_the_page_run_recorded_every_trial_once():
    text = output("tuning/scaling-out.md", "parallel.py")
    assert text == ("8 trials; numbers 0..7, each once: True\n"
                    "every trial finished (complete or pruned): True\n"
                    "trials per worker: {0: 4, 1: 4}\n")


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    path = tmp_path_factory.mktemp("journal") / "digits.log"
    return so.parallel_study(path, workers=2, n_trials=4)


def test_two_processes_share_one_study(two_workers):
    check_record(two_workers, workers=2, n_trials=4)


def test_the_best_matches_a_single_process_run(two_workers, tmp_path):
    storage = so.journal(tmp_path / "one.log")
    optuna.create_study(study_name="digits", storage=storage,
                        direction="maximize")
    so.work(storage, n_trials=8, seed=0, worker=0)
    single = optuna.load_study(study_name="digits", storage=storage)
    check_record(single.trials, workers=1, n_trials=8)
    parallel = max(t.value for t in two_workers
                   if t.state.name == "COMPLETE")
    assert abs(parallel - single.best_value) <= TOLERANCE
    assert min(parallel, single.best_value) > 0.85


def test_the_sqlite_study():
    # two trials, both complete: the pruner waits for five (n_startup_trials)
    text = output("tuning/scaling-out.md", "database.py")
    found = re.fullmatch(r"2 trials in digits\.db; best (\S+) with "
                         r"lr=\S+, weight_decay=\S+, hidden=\d+, "
                         r"dropout=\S+, batch_size=\d+\n", text)
    assert found and 0 < float(found[1]) <= 1


@pytest.mark.parametrize("make, pattern", [
    (lambda tmp: so.work(so.journal(tmp / "x.log"), n_trials=0, seed=0,
                         worker=0), r"^n_trials must be an integer >= 1"),
    (lambda tmp: so.parallel_study(tmp / "y.log", workers=0),
     r"^workers must be an integer >= 1"),
    (lambda tmp: so.parallel_study(tmp / "z.log", n_trials=0),
     r"^n_trials must be an integer >= 1"),
])
def test_bad_counts_are_refused(make, pattern, tmp_path):
    with pytest.raises(ValueError, match=pattern):
        make(tmp_path)


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = " ".join(PAGE.read_text().split())  # one line
    assert "two processes run four trials each" in page
    assert "within $0.03$, about 11 of the 359 validation digits" in page
    assert round(TOLERANCE * 359) == 11
    shown = output("tuning/scaling-out.md", "parallel.py")
    assert "eight trials numbered 0 to 7" in page
    assert shown.startswith("8 trials; numbers 0..7, each once: True")
    assert "four from each worker" in page
    assert "trials per worker: {0: 4, 1: 4}" in shown

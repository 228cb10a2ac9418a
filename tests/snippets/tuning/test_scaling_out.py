"""Tests for snippets/tuning/scaling_out.py (docs/tuning/scaling-out.md).

The multi-process test: two worker processes (fork) add 4 trials each to
one Optuna study in a journal file. Every trial must be recorded once
(numbers 0..7, unique), finished (COMPLETE or PRUNED), four per worker;
and the study's best validation accuracy must match that of eight trials
run by one process within 0.03 (about 11 of the 359 validation digits):
the two studies do not try exactly the same configurations, and which
trials the pruner stops depends on timing, so they need not agree
exactly, but both search the same space with the same sampler.
"""

import optuna
import pytest

from snippets.tuning import scaling_out as so
from snippets.tuning.task import MAX_EPOCHS
from tests.conftest import ROOT

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
    check_record(so.trials, workers=2, n_trials=4)


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
    assert so.url.startswith("sqlite:///") and so.url.endswith("digits.db")
    assert len(so.sqlite_trials) == 2
    assert all(t.state.name == "COMPLETE" for t in so.sqlite_trials)


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
    assert "eight trials numbered 0 to 7" in page
    assert "four from each worker" in page

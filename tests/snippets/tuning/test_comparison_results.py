"""Tests for snippets/tuning/comparison_results.py, the committed results
of the comparison (docs/tuning/comparison.md).

They were written, from the repository's root, by

    .venv/bin/python -c "from snippets.tuning.comparison import \\
        write_results
    write_results('snippets/tuning/comparison_results.py')"

(8 methods x 10 seeds, about ten minutes of one CPU core). These tests
re-run slices of that run: one method and seed in full, the first 27
epochs of others, and the winning configuration, and require exactly the
committed numbers: with one thread and fixed seeds, every trial is
reproducible to the last digit.
"""

import pytest

from snippets.tuning import comparison as c
from snippets.tuning.comparison_results import RESULTS


@pytest.fixture(scope="module")
def data():
    return c.digits()


def test_the_results_cover_every_method_and_seed():
    assert RESULTS["budget"] == c.BUDGET == 243
    assert RESULTS["validation_digits"] == 359
    assert RESULTS["seeds"] == 10
    assert RESULTS["trial_marks"] == list(c.TRIAL_MARKS)
    assert RESULTS["epoch_marks"] == list(c.EPOCH_MARKS)
    for key, marks in (("by_trials", c.TRIAL_MARKS),
                       ("by_epochs", c.EPOCH_MARKS)):
        assert list(RESULTS[key]) == list(c.METHODS)
        for rows in RESULTS[key].values():
            assert len(rows) == 10
            for row in rows:
                assert len(row) == len(marks)
                values = [v for v in row if v is not None]
                assert values == sorted(values)  # best so far: never down
                assert all(0 <= v <= 359 for v in values)
    # every method has a value at every epoch mark, for every seed
    for rows in RESULTS["by_epochs"].values():
        assert all(None not in row for row in rows)


def rerun(method, seed, data, budget=c.BUDGET):
    log, _ = c.run_method(method, seed=seed, data=data, budget=budget)
    points = c.curve(log, budget=budget)
    return ([c.correct(a) for a in c.best_at(points, c.TRIAL_MARKS, 0)],
            [c.correct(a) for a in c.best_at(points, c.EPOCH_MARKS, 1)])


def test_a_whole_method_and_seed_reproduces_exactly(data):
    by_trials, by_epochs = rerun("random", 0, data)
    assert by_trials == RESULTS["by_trials"]["random"][0]
    assert by_epochs == RESULTS["by_epochs"]["random"][0]


@pytest.mark.parametrize("method, seed", [
    ("Hyperband", 1), ("successive halving", 2), ("TPE + pruning", 3),
    ("grid", 4), ("quasi-random", 5),
])
def test_the_first_27_epochs_reproduce_exactly(method, seed, data):
    # nothing a search does depends on its budget, so a search cut at 27
    # epochs is the start of the full one: the marks up to 27 epochs
    _, by_epochs = rerun(method, seed, data, budget=27)
    n = c.EPOCH_MARKS.index(27) + 1
    assert by_epochs[:n] == RESULTS["by_epochs"][method][seed][:n]


def test_the_winning_configuration_reproduces(data):
    best = RESULTS["best"]
    trial = c.Trial(best["config"], data=data)
    accuracy = trial.train_to(best["epochs"])
    assert c.correct(accuracy) == best["correct"]
    # and nothing in the comparison beat it
    top = max(v for key in ("by_trials", "by_epochs")
              for rows in RESULTS[key].values() for row in rows
              for v in row if v is not None)
    assert top == best["correct"]

"""Tests for snippets/tuning/early_stopping.py
(docs/tuning/early-stopping.md)."""

from itertools import pairwise

from snippets.tuning import early_stopping as es
from tests.conftest import ROOT

PAGE = ROOT / "docs/tuning/early-stopping.md"


# -- the schedules against their formulas ----------------------------------


def test_the_r27_table():
    assert es.hyperband_brackets(max_epochs=27) == [
        [(27, 1), (9, 3), (3, 9), (1, 27)], [(12, 3), (4, 9), (1, 27)],
        [(6, 9), (2, 27)], [(4, 27)]]
    assert [es.epochs_spent(b) for b in es.hyperband_brackets(
        max_epochs=27)] == [81, 78, 90, 108]


# -- the runs -----------------------------------------------------------------

def test_successive_halving_keeps_the_best_and_resumes():
    configs, data = es.configs, es.data
    log, trials = es.log, es.trials
    rungs = es.halving_rungs(len(configs))
    # one evaluation per configuration at each rung, as scheduled
    for n, r in rungs:
        assert sum(1 for _, epochs, _ in log if epochs == r) == n
    # the survivors of each rung are the best of the rung before
    for (_, r0), (n1, r1) in pairwise(rungs):
        before = {i: a for i, e, a in log if e == r0}
        after = {i for i, e, _ in log if e == r1}
        assert after == set(sorted(before, key=lambda i: -before[i])[:n1])
    # resuming: the accuracies are those of trials run straight through
    for i, epochs, accuracy in log:
        assert trials[i].val_acc[epochs - 1] == accuracy
    assert sum(t.epochs for t in trials) == es.epochs_spent(rungs) == 21
    fresh = es.Trial(configs[2], data=data)
    assert fresh.train_to(9) == trials[2].val_acc[8]


def test_the_slow_starter():
    # trial 1 trails at 3 epochs and is stopped, yet would end best
    at3 = {i: a for i, e, a in es.log if e == 3}
    assert at3[1] < at3[2]
    full = es.Trial(es.configs[1], data=es.data).train_to(9)
    kept = max(a for _, e, a in es.log if e == 9)
    assert round(full, 3) == 0.967 and round(kept, 3) == 0.953


def test_hyperband_runs_its_brackets_in_order():
    log, configs = es.hb_log, es.hb_configs
    brackets = es.hyperband_brackets()
    assert len(configs) == sum(b[0][0] for b in brackets) == 17
    epochs = [e for _, e, _ in log]
    expected = [r for b in brackets for n, r in b for _ in range(n)]
    assert epochs == expected
    trained = {}
    for i, e, _ in log:
        trained[i] = e
    assert sum(trained.values()) == 69


def test_the_tpe_study_reports_every_epoch_and_prunes():
    study = es.study
    assert len(study.trials) == 15
    for t in study.trials:
        steps = sorted(t.intermediate_values)
        assert steps == list(range(1, len(steps) + 1))
        if t.state.name == "COMPLETE":
            assert len(steps) == 9 and t.value == t.intermediate_values[9]
        else:
            assert t.state.name == "PRUNED" and len(steps) < 9
    assert any(t.state.name == "PRUNED" for t in study.trials)
    # no trial is pruned before five have completed
    complete = 0
    for t in study.trials:
        if t.state.name == "PRUNED":
            assert complete >= 5
        complete += t.state.name == "COMPLETE"


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = " ".join(PAGE.read_text().split())  # one line
    assert "trained 21 epochs where nine full trials would have trained 81" \
        in page
    assert es.epochs_spent(es.halving_rungs(9)) == 21 and 9 * 9 == 81
    assert "reached $0.967$ after nine, against $0.953$" in page
    assert "Fifteen trials" in page and len(es.study.trials) == 15
    assert "waits until five trials have completed" in page
    assert "ratio 9 : 5 : 3" in page
    assert [b[0][0] for b in es.hyperband_brackets()] == [9, 5, 3]
    assert [b[0][1] for b in es.hyperband_brackets()] == [1, 3, 9]

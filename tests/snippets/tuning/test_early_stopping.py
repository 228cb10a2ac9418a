"""Tests for snippets/tuning/early_stopping.py
(docs/tuning/early-stopping.md).

The numbers the page prints are read from what its blocks printed when
the site was built (tools.records): the page's searches are not run
again. What the page does not print (how a resumed trial trains, the
order of Hyperband's evaluations, what the pruner sees) is checked on
small searches of the tests' own.
"""

import re
from itertools import pairwise
from pathlib import Path

import optuna

from snippets.tuning import early_stopping as es
from tests.conftest import ROOT
from tools.records import output

PAGE = ROOT / "docs/tuning/early-stopping.md"


def halving_demo():
    """What halving_demo.py printed: the log [(trial, epochs, accuracy)],
    the epochs trained and those of nine full trials, and trial ->
    accuracy after nine epochs for the trials stopped after three."""
    text = output("tuning/early-stopping.md", "halving_demo.py")
    assert text.startswith(f"rungs (configurations x epochs): "
                           f"{es.halving_rungs(9)}\n")
    log = [(int(i), int(e), float(a)) for i, e, a in re.findall(
        r"^trial (\d+) after (\d+) epochs: ([\d.]+)$", text, re.MULTILINE)]
    spent, full = map(int, re.search(
        r"^epochs trained: (\d+), instead of (\d+) for 9 full trials$",
        text, re.MULTILINE).groups())
    hindsight = {int(i): float(a) for i, a in re.findall(
        r"^trial (\d+), stopped after 3 epochs, would have reached "
        r"([\d.]+)$", text, re.MULTILINE)}
    return log, (spent, full), hindsight


def tpe_demo():
    """What tpe_demo.py printed: (trials, complete, pruned, epochs
    trained, epochs of full trials)."""
    text = output("tuning/early-stopping.md", "tpe_demo.py")
    found = re.search(r"^(\d+) trials: (\d+) complete, (\d+) pruned; (\d+) "
                      r"epochs trained instead of (\d+)$", text,
                      re.MULTILINE)
    return tuple(map(int, found.groups()))


# -- the schedules against their formulas ----------------------------------


def test_the_r27_table():
    assert es.hyperband_brackets(max_epochs=27) == [
        [(27, 1), (9, 3), (3, 9), (1, 27)], [(12, 3), (4, 9), (1, 27)],
        [(6, 9), (2, 27)], [(4, 27)]]
    assert [es.epochs_spent(b) for b in es.hyperband_brackets(
        max_epochs=27)] == [81, 78, 90, 108]


# -- the runs -----------------------------------------------------------------

def test_successive_halving_keeps_the_best():
    log, (spent, full), _ = halving_demo()
    rungs = es.halving_rungs(9)
    # one evaluation per configuration at each rung, as scheduled
    for n, r in rungs:
        assert sum(1 for _, epochs, _ in log if epochs == r) == n
    # the survivors of each rung are the best of the rung before
    for (_, r0), (n1, r1) in pairwise(rungs):
        before = {i: a for i, e, a in log if e == r0}
        after = {i for i, e, _ in log if e == r1}
        assert after == set(sorted(before, key=lambda i: -before[i])[:n1])
    assert spent == es.epochs_spent(rungs) == 21
    assert full == 9 * es.MAX_EPOCHS


def test_a_resumed_trial_trains_as_one_run_straight_through():
    # the page's first three configurations, from one epoch to three
    data = es.digits()
    configs = [es.SPACE.config(u)
               for u in es.random_points(5, n_trials=3, seed=0)]
    log, trials = es.successive_halving(configs, data=data, max_epochs=3)
    rungs = es.halving_rungs(3, max_epochs=3)
    assert rungs == [(3, 1), (1, 3)]
    for i, epochs, accuracy in log:
        assert trials[i].val_acc[epochs - 1] == accuracy
    assert sum(t.epochs for t in trials) == es.epochs_spent(rungs) == 5
    (kept,) = [i for i, epochs, _ in log if epochs == 3]
    fresh = es.Trial(configs[kept], data=data)
    assert fresh.train_to(3) == trials[kept].val_acc[2]


def test_the_slow_starter():
    # trial 1 trails at 3 epochs and is stopped, yet would end best
    log, _, hindsight = halving_demo()
    at3 = {i: a for i, e, a in log if e == 3}
    assert at3[1] < at3[2]
    kept = max(a for _, e, a in log if e == 9)
    assert hindsight[1] > kept
    assert f"{hindsight[1]:.3f}" == "0.967" and f"{kept:.3f}" == "0.953"


def test_hyperband_runs_its_brackets_in_order():
    text = output("tuning/early-stopping.md", "hyperband_demo.py")
    brackets = es.hyperband_brackets()
    assert text.startswith(
        f"{sum(b[0][0] for b in brackets)} configurations, "
        f"{sum(es.epochs_spent(b) for b in brackets)} epochs trained\n")
    assert text.startswith("17 configurations, 69 epochs trained\n")
    # the order of the evaluations, on a small Hyperband of our own (R = 3:
    # 3 configurations from 1 epoch to 3, then 2 full ones)
    log, configs = es.hyperband(es.SPACE, data=es.digits(), max_epochs=3)
    brackets = es.hyperband_brackets(max_epochs=3)
    assert len(configs) == sum(b[0][0] for b in brackets) == 5
    epochs = [e for _, e, _ in log]
    expected = [r for b in brackets for n, r in b for _ in range(n)]
    assert epochs == expected
    trained = {}
    for i, e, _ in log:
        trained[i] = e
    assert sum(trained.values()) == sum(map(es.epochs_spent, brackets))


def test_the_tpe_study_reports_every_epoch_and_prunes():
    n, complete, pruned, epochs, full = tpe_demo()
    assert n == complete + pruned == 15 and full == 15 * es.MAX_EPOCHS
    assert pruned >= 1
    # a complete trial trains 9 epochs, a pruned one 1 to 8
    assert pruned <= epochs - 9 * complete <= 8 * pruned
    # what each trial reports, and when the pruner may act: on a small
    # study of our own, as tpe_demo.py sets it up, with 3-epoch trials
    study = optuna.create_study(
        direction="maximize", sampler=optuna.samplers.TPESampler(seed=0),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=5))
    study.optimize(es.make_objective(es.SPACE, data=es.digits(),
                                     max_epochs=3), n_trials=8)
    assert len(study.trials) == 8
    for t in study.trials:
        steps = sorted(t.intermediate_values)
        assert steps == list(range(1, len(steps) + 1))
        if t.state.name == "COMPLETE":
            assert len(steps) == 3 and t.value == t.intermediate_values[3]
        else:
            assert t.state.name == "PRUNED" and len(steps) < 3
    # no trial is pruned before five have completed
    complete = 0
    for t in study.trials:
        if t.state.name == "PRUNED":
            assert complete >= 5
        complete += t.state.name == "COMPLETE"


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = " ".join(PAGE.read_text().split())  # one line
    _, (spent, full), hindsight = halving_demo()
    assert f"trained {spent} epochs where nine full trials would have " \
        f"trained {full}" in page
    assert es.epochs_spent(es.halving_rungs(9)) == 21 and 9 * 9 == 81
    log, _, _ = halving_demo()
    kept = max(a for _, e, a in log if e == 9)
    assert f"trial 1, behind after three epochs, would have reached " \
        f"${hindsight[1]:.3f}$ after nine, against ${kept:.3f}$" in page
    assert "Fifteen trials" in page and tpe_demo()[0] == 15
    assert "waits until five trials have completed" in page
    source = Path(es.__file__).read_text()
    assert "pruner=optuna.pruners.MedianPruner(n_startup_trials=5))" \
        in source
    assert "ratio 9 : 5 : 3" in page
    assert [b[0][0] for b in es.hyperband_brackets()] == [9, 5, 3]
    assert [b[0][1] for b in es.hyperband_brackets()] == [1, 3, 9]

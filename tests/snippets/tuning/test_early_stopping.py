"""Tests for snippets/tuning/early_stopping.py
(docs/tuning/early-stopping.md).

The numbers the page prints are read from what its blocks printed when
the site was built (tools.records): the page's searches are not run
again. What the page does not print (how a resumed trial trains, the
order of Hyperband's evaluations, what the pruner sees) is checked on
small searches of the tests' own.
"""

import inspect
import re
from itertools import pairwise
from pathlib import Path

import optuna
import torch

from snippets.tuning import early_stopping as es
from snippets.tuning.methods import suggest
from tests.conftest import ROOT
from tools.records import output, prose

PAGE = ROOT / "docs/tuning/early-stopping.md"
PAGE_NAME = "tuning/early-stopping.md"


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
    # a trial that trails at 3 epochs and is stopped, yet would end best
    log, _, hindsight = halving_demo()
    at3 = {i: a for i, e, a in log if e == 3}
    (kept_trial, kept), = [(i, a) for i, e, a in log if e == 9]
    slow = max(hindsight, key=hindsight.get)
    assert set(hindsight) == set(at3) - {kept_trial}
    assert at3[slow] < at3[kept_trial]  # behind after three epochs
    assert hindsight[slow] > kept  # better than the one kept, after nine
    # the page says so with the run's numbers, inserted from it
    page = " ".join(prose(PAGE_NAME).split())
    assert (f"It did not keep the best of the nine, though: trial {slow}, "
            f"behind after three epochs, would have reached "
            f"{hindsight[slow]:.3f} after nine, against {kept:.3f} for the "
            f"one it kept.") in page
    # and the figure's description
    figure = output(PAGE_NAME, "halving_figure.py")
    assert (f"the best one continues to nine epochs, reaching {kept:.3f}."
            in figure)


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
    _, (spent, full), _ = halving_demo()
    assert f"trained {spent} epochs where nine full trials would have " \
        f"trained {full}" in page
    assert es.epochs_spent(es.halving_rungs(9)) == 21 and 9 * 9 == 81
    assert "Fifteen trials" in page and tpe_demo()[0] == 15
    assert "waits until five trials have completed" in page
    source = Path(es.__file__).read_text()
    assert "pruner=optuna.pruners.MedianPruner(n_startup_trials=5))" \
        in source
    assert "ratio 9 : 5 : 3" in page
    assert [b[0][0] for b in es.hyperband_brackets()] == [9, 5, 3]
    assert [b[0][1] for b in es.hyperband_brackets()] == [1, 3, 9]


# -- TPE: its first trials are random, its later ones follow the results ----

def tpe_configs(values):
    """The configurations a study set up as tpe_demo.py's proposes when
    its trials score `values`, in order (no training: a made-up score)."""
    study = optuna.create_study(
        direction="maximize", sampler=optuna.samplers.TPESampler(seed=0))
    study.optimize(lambda trial: (suggest(trial, es.SPACE),
                                  values[trial.number])[1],
                   n_trials=len(values))
    return [t.params for t in study.trials]


def test_tpe_starts_with_ten_random_trials_then_follows_the_results():
    # "TPE starts with ten trials drawn at random from its seed
    # (n_startup_trials=10, the default), whatever their results"
    startup = inspect.signature(optuna.samplers.TPESampler).parameters[
        "n_startup_trials"].default
    assert startup == 10
    page = " ".join(PAGE.read_text().split())
    assert "with ten trials drawn at random from its seed " \
        "(`n_startup_trials=10`, the default)" in page
    scores = [0.1 * (k % 7) for k in range(12)]
    # the same two trials on top, in the other order: the same results
    # but for which one counts as the best
    swapped = list(scores)
    swapped[6], swapped[5] = scores[5], scores[6]
    other = [1 - s for s in scores]  # other results altogether
    a, b, c = map(tpe_configs, (scores, swapped, other))
    assert a[:startup] == b[:startup] == c[:startup]
    # from the eleventh on: another best, another proposal
    assert a[startup] != b[startup] and a[startup] != c[startup]


def nudged_accuracy(config, k):
    """A trial's accuracy after nine epochs, its initial weights scaled by
    1 + k 2^-22 (a few float32 ulps: a rounding difference)."""
    trial = es.Trial(config, data=es.digits())
    with torch.no_grad():
        for p in trial.model.parameters():
            p.mul_(1 + k * 2.0**-22)
    return trial.train_to(es.MAX_EPOCHS)


def test_a_large_learning_rate_makes_a_trial_chaotic():
    # "Some of its trials have learning rates large enough for training to
    # be chaotic, and another CPU, rounding differently, changes their
    # accuracy by a few digits": rounding differences of our own, in the
    # initial weights, against a small learning rate, which ignores them
    n_val = len(es.digits()[1][1])

    def digits_moved(config):
        right = [round(nudged_accuracy(config, k) * n_val) for k in range(4)]
        return max(right) - min(right)

    assert es.SPACE.params["lr"].high == 1.0  # 0.8 is in the space
    assert digits_moved({"lr": 0.8, "batch_size": 64}) >= 3
    assert digits_moved({"lr": 0.01, "batch_size": 64}) == 0

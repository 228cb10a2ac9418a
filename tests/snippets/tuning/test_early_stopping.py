"""Tests for snippets/tuning/early_stopping.py
(docs/tuning/early-stopping.md)."""

import math
from itertools import pairwise

import optuna
import pytest

from snippets.tuning import early_stopping as es
from tests.conftest import ROOT

PAGE = ROOT / "docs/tuning/early-stopping.md"


# -- the schedules against their formulas ----------------------------------

@pytest.mark.parametrize("n, r, R, eta", [
    (9, 1, 9, 3), (27, 1, 27, 3), (81, 1, 81, 3), (5, 3, 9, 3),
    (16, 1, 16, 2), (10, 1, 9, 3), (8, 2, 32, 2),
])
def test_halving_rungs_follow_the_formulas(n, r, R, eta):
    rungs = es.halving_rungs(n, min_epochs=r, max_epochs=R, eta=eta)
    for i, (n_i, r_i) in enumerate(rungs):
        assert n_i == math.floor(n / eta**i) >= 1  # n_i = floor(n eta^-i)
        assert r_i == min(r * eta**i, R)  # r_i = r eta^i, capped at R
    last_n, last_r = rungs[-1]
    assert last_r == R or last_n // eta == 0  # stops at R or one left


def li_et_al(R, eta):
    """Hyperband's brackets as Algorithm 1 of Li et al. (2018) writes
    them: s_max = floor(log_eta R), B = (s_max + 1) R, and for each s,
    n = ceil(B / R * eta^s / (s + 1)), r = R eta^-s, then rungs
    n_i = floor(n eta^-i), r_i = r eta^i for i = 0..s."""
    s_max = round(math.log(R, eta))
    B = (s_max + 1) * R
    out = []
    for s in range(s_max, -1, -1):
        n = math.ceil(B / R * eta**s / (s + 1))
        r = R * eta**-s
        out.append([(math.floor(n * eta**-i), round(r * eta**i))
                    for i in range(s + 1)])
    return out


@pytest.mark.parametrize("R, eta", [(9, 3), (27, 3), (81, 3), (8, 2),
                                    (16, 2), (1, 3)])
def test_hyperband_brackets_are_li_et_als(R, eta):
    assert es.hyperband_brackets(max_epochs=R, eta=eta) == li_et_al(R, eta)


def test_the_r27_table():
    assert es.hyperband_brackets(max_epochs=27) == [
        [(27, 1), (9, 3), (3, 9), (1, 27)], [(12, 3), (4, 9), (1, 27)],
        [(6, 9), (2, 27)], [(4, 27)]]
    assert [es.epochs_spent(b) for b in es.hyperband_brackets(
        max_epochs=27)] == [81, 78, 90, 108]


@pytest.mark.parametrize("R, eta", [(9, 3), (27, 3), (81, 3), (16, 2)])
def test_optunas_hyperband_pruner_builds_the_same_brackets(R, eta):
    # Optuna 5.0's HyperbandPruner (private attributes, read after its
    # lazy initialization): the number of brackets, each bracket's share
    # of the trials (our n), and where each bracket's first rung is (our
    # r). Its promotions are asynchronous, so only the structure compares.
    pruner = optuna.pruners.HyperbandPruner(
        min_resource=1, max_resource=R, reduction_factor=eta)
    pruner._try_initialization(optuna.create_study())
    ours = es.hyperband_brackets(max_epochs=R, eta=eta)
    assert pruner._n_brackets == len(ours)
    assert pruner._trial_allocation_budgets == [b[0][0] for b in ours]
    first_rungs = [p._min_resource * eta**p._min_early_stopping_rate
                   for p in pruner._pruners]
    assert first_rungs == [b[0][1] for b in ours]


@pytest.mark.parametrize("make, pattern", [
    (lambda: es.halving_rungs(0), r"^n must be an integer >= 1, got 0"),
    (lambda: es.halving_rungs(9, eta=1), r"^eta must be an integer >= 2"),
    (lambda: es.halving_rungs(9, min_epochs=0), r"^min_epochs must be"),
    (lambda: es.halving_rungs(9, min_epochs=3, max_epochs=2),
     r"^max_epochs must be an integer >= 3"),
    (lambda: es.hyperband_brackets(max_epochs=10),
     r"^max_epochs must be a power of eta"),
    (lambda: es.hyperband_brackets(max_epochs=9, eta=2),
     r"^max_epochs must be a power of eta"),
    (lambda: es.hyperband_brackets(max_epochs=0), r"^max_epochs must be"),
    (lambda: es.hyperband(es.SPACE, data=None, iterations=0),
     r"^iterations must be an integer >= 1"),
    (lambda: es.successive_halving([], data=None), r"^n must be an int"),
    (lambda: es.make_objective(es.SPACE, data=None, max_epochs=0),
     r"^max_epochs must be an integer >= 1"),
])
def test_bad_schedules_are_refused(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


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


def test_suggest_maps_our_space_onto_optunas_distributions():
    study = optuna.create_study()
    trial = study.ask()
    config = es.suggest(trial, es.SPACE)
    d = trial.distributions
    assert d["lr"] == optuna.distributions.FloatDistribution(
        1e-4, 1.0, log=True)
    assert d["weight_decay"] == optuna.distributions.FloatDistribution(
        1e-6, 1e-1, log=True)
    assert d["hidden"] == optuna.distributions.IntDistribution(
        16, 256, log=True)
    assert d["dropout"] == optuna.distributions.FloatDistribution(0.0, 0.5)
    assert d["batch_size"] == optuna.distributions.CategoricalDistribution(
        (32, 64, 128, 256))
    assert list(config) == list(es.SPACE.names)


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

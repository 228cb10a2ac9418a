"""Tests for snippets/tuning/methods.py: successive halving, Hyperband
and the Optuna objective (shown on docs/tuning/early-stopping.md)."""

import math

import optuna
import pytest

from snippets.tuning import methods as es
from snippets.tuning.task import SPACE


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
    (lambda: es.hyperband(SPACE, data=None, iterations=0),
     r"^iterations must be an integer >= 1"),
    (lambda: es.successive_halving([], data=None), r"^n must be an int"),
    (lambda: es.make_objective(SPACE, data=None, max_epochs=0),
     r"^max_epochs must be an integer >= 1"),
])
def test_bad_schedules_are_refused(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_suggest_maps_our_space_onto_optunas_distributions():
    study = optuna.create_study()
    trial = study.ask()
    config = es.suggest(trial, SPACE)
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
    assert list(config) == list(SPACE.names)

"""Tests for snippets/tuning/methods.py: successive halving, Hyperband
and the Optuna objective (shown on docs/tuning/early-stopping.md)."""

import functools
import inspect
import math

import optuna
import pytest
import torch

from snippets.tuning import methods as es
from snippets.tuning.task import SPACE, Trial, check_int, random_points


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
    (lambda: es.hyperband_brackets(eta=1),
     r"^eta must be an integer >= 2, got 1$"),
    (lambda: es.successive_halving(NINE, data=None, eta=1),
     r"^eta must be an integer >= 2, got 1$"),
    (lambda: es.successive_halving(NINE, data=None, min_epochs=0),
     r"^min_epochs must be an integer >= 1, got 0$"),
    (lambda: es.successive_halving(NINE, data=None, max_epochs=0),
     r"^max_epochs must be an integer >= 1, got 0$"),
    (lambda: es.hyperband(SPACE, data=None, eta=1),
     r"^eta must be an integer >= 2, got 1$"),
    (lambda: es.hyperband(SPACE, data=None, max_epochs=10),
     r"^max_epochs must be a power of eta .* got 10$"),
])
def test_bad_schedules_are_refused(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


@pytest.mark.parametrize("R, eta, powers", [
    (10, 3, "3, 9, 27"), (9, 2, "2, 4, 8"), (10, 4, "4, 16, 64"),
])
def test_the_power_of_eta_message_lists_the_powers(R, eta, powers):
    with pytest.raises(ValueError) as refused:
        es.hyperband_brackets(max_epochs=R, eta=eta)
    assert str(refused.value) == (
        f"max_epochs must be a power of eta ({powers}, ...) so that every "
        f"rung is a whole number of epochs, got {R}")


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


# -- running the searches, on fake trials -------------------------------------
#
# successive_halving, hyperband and make_objective build their trials with
# the module's Trial. The tests below swap it for FakeTrial: the same
# interface, but an epoch costs nothing, and the accuracy it returns is
# data(config, epoch), a fake task that the test chooses. A test on the
# real Trial (further below) checks what the fake stands in for.


class FakeTrial:
    """task.Trial's interface, trained by looking up data(config, epoch)."""

    def __init__(self, config, *, data, seed=0):
        self.config, self.data, self.seed = config, data, seed
        self.val_acc = []  # validation accuracy after each epoch

    @property
    def epochs(self):
        return len(self.val_acc)

    def train_epoch(self):
        self.val_acc.append(self.data(self.config, self.epochs + 1))
        return self.val_acc[-1]

    def train_to(self, num_epochs):
        check_int("num_epochs", num_epochs, low=1)
        while self.epochs < num_epochs:
            self.train_epoch()
        return self.val_acc[num_epochs - 1]


@pytest.fixture
def made(monkeypatch):
    """The FakeTrials that the searches make, in order."""
    trials = []

    class Recorded(FakeTrial):
        def __init__(self, config, *, data, seed=0):
            super().__init__(config, data=data, seed=seed)
            trials.append(self)

    monkeypatch.setattr(es, "Trial", Recorded)
    return trials


def scripted(config, epoch):
    """Fake data for configurations that script their own accuracies."""
    return config["acc"][epoch - 1]


def line(first, last):
    """A scripted configuration: accuracy from `first` after one epoch to
    `last` after nine, linearly."""
    return {"acc": tuple(first + (last - first) * e / 8 for e in range(9))}


def learning_curve(config, epoch):
    """Fake data for SPACE's configurations: best for lr near 0.03, and
    slower for large batches, so that rankings change between rungs."""
    quality = 1 - abs(math.log10(config["lr"]) + 1.5) / 3  # 1 at lr = 0.03
    speed = 32 / config["batch_size"]  # 1, 1/2, 1/4 or 1/8
    return quality * (1 - 0.5 ** (speed * epoch))


def space_configs(n, seed=1):
    return [SPACE.config(u) for u in random_points(5, n_trials=n, seed=seed)]


def halving_log(accuracy, rungs):
    """The log that successive halving must write, by the page's rule:
    every configuration at the first rung; at each later rung, the n_i
    best at the rung before (ties: the earlier trial), best first.
    accuracy(i, epochs): trial i's accuracy after `epochs` epochs."""
    alive, log, last = range(rungs[0][0]), [], None
    for n, r in rungs:
        if last is not None:
            ranked = sorted((-accuracy(i, last), i) for i in alive)
            alive = [i for _, i in ranked[:n]]
        log += [(i, r, accuracy(i, r)) for i in alive]
        last = r
    return log


def epochs_spent(rungs):
    """Rung i trains n_i (r_i - r_{i-1}) new epochs: survivors resume."""
    return sum(n * (r - r0) for (n, r), (_, r0) in
               zip(rungs, [(0, 0), *rungs]))


# The page's setting (nine configurations, one epoch to nine, eta = 3)
# with scripted accuracies that show every rule: trial 1 starts worst and
# ends best (a slow starter, stopped at once); 4 and 8 tie for the third
# place after one epoch (4, the earlier, goes on); 2 leads 4 after two
# epochs, 4 leads 2 after three (the rung counts, not the epoch before).
NINE = [line(0.50, 0.60), line(0.20, 0.95), line(0.60, 0.68),
        line(0.30, 0.40), line(0.55, 0.87), line(0.10, 0.20),
        line(0.58, 0.66), line(0.40, 0.90), line(0.55, 0.50)]


def test_successive_halving_on_the_pages_example(made):
    log, trials = es.successive_halving(NINE, data=scripted)
    kept = [(i, 1) for i in range(9)] + [(2, 3), (6, 3), (4, 3), (4, 9)]
    assert log == [(i, r, NINE[i]["acc"][r - 1]) for i, r in kept]
    # one trial per configuration, in order, each trained as far as it
    # got, resumed rather than restarted: 9 + 3 * 2 + 6 = 21 epochs
    assert trials == made
    assert [t.config for t in trials] == NINE
    assert all(t.data is scripted for t in trials)
    assert [t.epochs for t in trials] == [1, 1, 3, 1, 9, 1, 3, 1, 1]
    assert sum(t.epochs for t in trials) == 21


@pytest.mark.parametrize("n, r, R, eta", [
    (9, 1, 9, 3), (27, 1, 27, 3), (10, 1, 9, 3), (5, 3, 9, 3),
    (16, 1, 16, 2), (8, 2, 32, 2), (7, 1, 16, 4), (3, 9, 9, 3),
])
def test_successive_halving_keeps_the_best_1_over_eta(made, n, r, R, eta):
    configs = space_configs(n)
    log, trials = es.successive_halving(
        configs, data=learning_curve, min_epochs=r, max_epochs=R, eta=eta)
    rungs = es.halving_rungs(n, min_epochs=r, max_epochs=R, eta=eta)
    assert log == halving_log(
        lambda i, e: learning_curve(configs[i], e), rungs)
    assert trials == made and [t.config for t in trials] == configs
    for i, t in enumerate(trials):  # trained to its last rung, no further
        assert t.epochs == max(e for j, e, _ in log if j == i)
    assert sum(t.epochs for t in trials) == epochs_spent(rungs)


def check_hyperband(log, configs, made, *, R, eta, iterations):
    """Hyperband's log against Li et al.'s brackets: bracket after
    bracket, successive halving on the next n fresh configurations."""
    brackets = li_et_al(R, eta) * iterations
    assert len(configs) == sum(b[0][0] for b in brackets)
    assert len(made) == len(configs)  # each configuration trained once
    assert [t.config for t in made] == configs
    expected, start = [], 0
    for rungs in brackets:
        n = rungs[0][0]
        expected += [(start + i, r, acc) for i, r, acc in halving_log(
            lambda i, e, s=start: learning_curve(configs[s + i], e), rungs)]
        start += n
    assert log == expected
    assert sum(t.epochs for t in made) == sum(map(epochs_spent, brackets))


@pytest.mark.parametrize("R, eta, iterations", [
    (9, 3, 1), (27, 3, 1), (8, 2, 1), (16, 4, 1), (9, 3, 2), (3, 3, 3),
    (1, 3, 2),
])
def test_hyperband_runs_li_et_als_brackets(made, R, eta, iterations):
    log, configs = es.hyperband(SPACE, data=learning_curve, max_epochs=R,
                                eta=eta, iterations=iterations, seed=2)
    check_hyperband(log, configs, made, R=R, eta=eta, iterations=iterations)


def test_hyperband_on_the_page(made):
    # the page's run: "17 configurations, 69 epochs trained"
    log, configs = es.hyperband(SPACE, data=learning_curve)
    check_hyperband(log, configs, made, R=9, eta=3, iterations=1)
    assert len(configs) == 17
    assert sum(t.epochs for t in made) == 69


def test_hyperbands_configurations_are_fresh_and_seeded(made):
    def configs(seed):
        return es.hyperband(SPACE, data=learning_curve, iterations=2,
                            seed=seed)[1]

    first = configs(0)
    assert len({tuple(c.values()) for c in first}) == len(first) == 34
    assert all(list(c) == list(SPACE.names) for c in first)
    assert configs(0) == first  # the seed decides...
    assert configs(1) != first  # ... and each seed its own


# The defaults the page shows in the signatures; called without them, a
# function must do what it does with them.
DEFAULTS = {
    "halving_rungs": dict(min_epochs=1, max_epochs=9, eta=3),
    "successive_halving": dict(min_epochs=1, max_epochs=9, eta=3),
    "hyperband_brackets": dict(max_epochs=9, eta=3),
    "hyperband": dict(max_epochs=9, eta=3, iterations=1, seed=0),
    "make_objective": dict(max_epochs=9),
}


@pytest.mark.parametrize("name", DEFAULTS)
def test_the_signatures_defaults(name):
    parameters = inspect.signature(getattr(es, name)).parameters.values()
    assert {p.name: p.default for p in parameters
            if p.default is not p.empty} == DEFAULTS[name]
    assert es.MAX_EPOCHS == 9


@pytest.mark.parametrize("name, args, kwargs", [
    ("halving_rungs", (9,), {}),
    ("successive_halving", (NINE,), dict(data=scripted)),
    ("hyperband_brackets", (), {}),
    ("hyperband", (SPACE,), dict(data=learning_curve)),
])
def test_the_defaults_are_used(made, name, args, kwargs):
    f = getattr(es, name)
    implicit = f(*args, **kwargs)
    explicit = f(*args, **kwargs, **DEFAULTS[name])
    if name == "successive_halving":  # (log, trials): compare the logs
        implicit, explicit = implicit[0], explicit[0]
    assert implicit == explicit


def test_the_default_schedules():
    assert es.halving_rungs(9) == [(9, 1), (3, 3), (1, 9)]
    assert es.hyperband_brackets() == [
        [(9, 1), (3, 3), (1, 9)], [(5, 3), (1, 9)], [(3, 9)]]


# -- make_objective: Optuna's trials, trained on fake trials ------------------


class PruneAfter(optuna.pruners.BasePruner):
    """Prune every trial once it has reported `step`."""

    def __init__(self, step):
        self.step = step

    def prune(self, study, trial):
        return trial.last_step >= self.step


@pytest.mark.parametrize("max_epochs", [1, 4])
def test_the_objective_reports_every_epoch(made, max_epochs):
    study = optuna.create_study(
        direction="maximize", sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(es.make_objective(SPACE, data=learning_curve,
                                     max_epochs=max_epochs), n_trials=3)
    assert len(made) == 3
    for trial, run in zip(study.trials, made):
        assert trial.state == optuna.trial.TrialState.COMPLETE
        assert run.config == trial.params and run.data is learning_curve
        assert run.epochs == max_epochs
        assert trial.intermediate_values == {
            e: learning_curve(trial.params, e)
            for e in range(1, max_epochs + 1)}
        assert trial.value == learning_curve(trial.params, max_epochs)


def test_the_objective_stops_a_pruned_trial(made):
    study = optuna.create_study(direction="maximize", pruner=PruneAfter(2))
    study.optimize(es.make_objective(SPACE, data=learning_curve),
                   n_trials=2)
    for trial, run in zip(study.trials, made, strict=True):
        assert trial.state == optuna.trial.TrialState.PRUNED
        assert list(trial.intermediate_values) == [1, 2]
        assert run.epochs == 2  # not one epoch more


# -- the same, on the real Trial ---------------------------------------------


def tiny_task():
    """Fake data for the real Trial: 60 random 'images' of 64 pixels, with
    labels that a linear map decides (learnable), split 40/20/0."""
    g = torch.Generator().manual_seed(0)
    X = torch.rand(60, 64, generator=g)
    y = (X @ torch.randn(64, 10, generator=g)).argmax(dim=1)
    return (X[:40], y[:40]), (X[40:], y[40:]), (X[:0], y[:0])


def test_the_real_trial_is_what_the_fake_stands_in_for():
    # successive halving and Hyperband on the real Trial (R = 3: brackets
    # of 3 configurations from 1 epoch to 3, and of 2 full ones): the
    # accuracies are those of fresh trials trained straight to the epoch
    data = tiny_task()

    def fresh(configs):
        @functools.cache
        def accuracy(i, epochs):
            return Trial(configs[i], data=data).train_to(epochs)
        return accuracy

    configs = space_configs(3)
    log, trials = es.successive_halving(configs, data=data, max_epochs=3)
    assert log == halving_log(fresh(configs), [(3, 1), (1, 3)])
    assert sorted(t.epochs for t in trials) == [1, 1, 3]  # resumed: 5
    log, configs = es.hyperband(SPACE, data=data, max_epochs=3)
    assert li_et_al(3, 3) == [[(3, 1), (1, 3)], [(2, 3)]]
    assert log == halving_log(fresh(configs), [(3, 1), (1, 3)]) + [
        (3 + i, 3, acc)
        for i, _, acc in halving_log(fresh(configs[3:]), [(2, 3)])]

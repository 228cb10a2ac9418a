"""Tuning methods that stop bad trials early: successive halving,
Hyperband, and Optuna's TPE with a pruner. A library without side
effects, shown on docs/tuning/early-stopping.md.
"""

from snippets.tuning.task import (
    MAX_EPOCHS,
    IntLogUniform,
    LogUniform,
    Trial,
    Uniform,
    check_int,
    random_points,
)


# --8<-- [start:halving]
import math


def halving_rungs(n, *, min_epochs=1, max_epochs=MAX_EPOCHS, eta=3):
    """The schedule of successive halving: [(configurations, epochs)].

    n configurations get min_epochs each; the best 1/eta of them go on
    to eta times as many epochs, until max_epochs or one is left."""
    check_int("n", n, low=1)
    check_int("eta", eta, low=2)
    check_int("min_epochs", min_epochs, low=1)
    check_int("max_epochs", max_epochs, low=min_epochs)
    rungs, r = [], min_epochs
    while n >= 1:
        rungs.append((n, r))
        if r == max_epochs:
            break
        n, r = n // eta, min(r * eta, max_epochs)
    return rungs


def successive_halving(configs, *, data, min_epochs=1,
                       max_epochs=MAX_EPOCHS, eta=3):
    """Train every configuration for min_epochs, keep the best 1/eta,
    train those eta times longer (resuming, not restarting), and so on.
    Returns the log, (trial, epochs, accuracy) for every evaluation in
    order, and the trials, each trained as far as it got."""
    rungs = halving_rungs(len(configs), min_epochs=min_epochs,
                          max_epochs=max_epochs, eta=eta)
    trials = [Trial(config, data=data) for config in configs]
    alive, log = list(range(len(trials))), []
    for k, (n, r) in enumerate(rungs):
        if k > 0:  # the n best of the last rung go on (ties: earlier trial)
            alive = sorted(alive, key=lambda i: -trials[i].val_acc[-1])[:n]
        for i in alive:
            log.append((i, r, trials[i].train_to(r)))
    return log, trials
# --8<-- [end:halving]


# --8<-- [start:hyperband]
def hyperband_brackets(*, max_epochs=MAX_EPOCHS, eta=3):
    """The brackets of Hyperband for a largest budget R = max_epochs, from
    the most aggressive (s = s_max) to plain full trials (s = 0): bracket
    s halves n = ceil((s_max + 1) eta^s / (s + 1)) configurations,
    starting at R / eta^s epochs."""
    check_int("eta", eta, low=2)
    check_int("max_epochs", max_epochs, low=1)
    s_max = 0
    while eta ** (s_max + 1) <= max_epochs:
        s_max += 1
    if eta**s_max != max_epochs:
        raise ValueError(f"max_epochs must be a power of eta ({eta}, "
                         f"{eta**2}, {eta**3}, ...) so that every rung is "
                         f"a whole number of epochs, got {max_epochs!r}")
    return [halving_rungs(math.ceil((s_max + 1) * eta**s / (s + 1)),
                          min_epochs=max_epochs // eta**s,
                          max_epochs=max_epochs, eta=eta)
            for s in range(s_max, -1, -1)]


def hyperband(space, *, data, max_epochs=MAX_EPOCHS, eta=3, iterations=1,
              seed=0):
    """Successive halving in every bracket, each on fresh random
    configurations, all brackets `iterations` times over. Returns the log,
    (trial, epochs, accuracy) for every evaluation, and the configs."""
    check_int("iterations", iterations, low=1)
    brackets = hyperband_brackets(max_epochs=max_epochs, eta=eta)
    brackets = brackets * iterations
    n_total = sum(rungs[0][0] for rungs in brackets)
    configs = [space.config(u) for u in
               random_points(len(space), n_trials=n_total, seed=seed)]
    log, start = [], 0
    for rungs in brackets:
        n, r = rungs[0]
        bracket_log, _ = successive_halving(
            configs[start:start + n], data=data, min_epochs=r,
            max_epochs=max_epochs, eta=eta)
        log += [(start + i, epochs, acc) for i, epochs, acc in bracket_log]
        start += n
    return log, configs
# --8<-- [end:hyperband]


# --8<-- [start:tpe]
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)  # no line per trial


def suggest(trial, space):
    """Ask an Optuna trial for a configuration of our search space."""
    config = {}
    for name, p in space.params.items():
        if isinstance(p, LogUniform):
            config[name] = trial.suggest_float(name, p.low, p.high, log=True)
        elif isinstance(p, Uniform):
            config[name] = trial.suggest_float(name, p.low, p.high)
        elif isinstance(p, IntLogUniform):
            config[name] = trial.suggest_int(name, p.low, p.high, log=True)
        else:
            config[name] = trial.suggest_categorical(name, p.choices)
    return config


def make_objective(space, *, data, max_epochs=MAX_EPOCHS):
    """An Optuna objective: one trial trained epoch by epoch, reporting its
    validation accuracy after each epoch and stopping if pruned."""
    check_int("max_epochs", max_epochs, low=1)

    def objective(trial):
        run = Trial(suggest(trial, space), data=data)
        for epoch in range(1, max_epochs + 1):
            accuracy = run.train_epoch()
            trial.report(accuracy, step=epoch)
            if trial.should_prune():  # worse than the pruner allows
                raise optuna.TrialPruned()
        return accuracy

    return objective
# --8<-- [end:tpe]

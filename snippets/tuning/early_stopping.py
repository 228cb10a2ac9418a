"""Tuning with early stopping: successive halving and Hyperband written
from scratch, then Optuna's TPE sampler with a pruner.

The page docs/tuning/early-stopping.md shows the sections of this script
in order, after the shared code it shows folded and runs first: the
glossary's task (digits(), mlp(), evaluate()) and the search space, trial
and points of snippets/tuning/search.py. This script runs the same
sections first (importing those modules would also run their examples).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tools.sections import sections



def _run(*includes):
    """Run sections of other modules in one namespace, as the page does."""
    namespace = {}
    for path, name in includes:
        exec(sections(ROOT / path)[name], namespace)
    return namespace


_shared = _run(("snippets/glossary/digits_task.py", "task"),
               ("snippets/tuning/search.py", "space"),
               ("snippets/tuning/search.py", "trial"),
               ("snippets/tuning/search.py", "points"))
digits, Trial, SPACE = _shared["digits"], _shared["Trial"], _shared["SPACE"]
MAX_EPOCHS, describe = _shared["MAX_EPOCHS"], _shared["describe"]
check_count, random_points = _shared["check_count"], _shared["random_points"]
LogUniform, Uniform = _shared["LogUniform"], _shared["Uniform"]
IntLogUniform, Categorical = _shared["IntLogUniform"], _shared["Categorical"]

# --8<-- [start:halving]
import math


def halving_rungs(n, *, min_epochs=1, max_epochs=MAX_EPOCHS, eta=3):
    """The schedule of successive halving: [(configurations, epochs)].

    n configurations get min_epochs each; the best 1/eta of them go on
    to eta times as many epochs, until max_epochs or one is left."""
    check_count("n", n)
    check_count("eta", eta, least=2)
    check_count("min_epochs", min_epochs)
    check_count("max_epochs", max_epochs, least=min_epochs)
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


# --8<-- [start:halving_demo]
data = digits()
configs = [SPACE.config(u) for u in random_points(5, n_trials=9, seed=0)]
print("rungs (configurations x epochs):", halving_rungs(9))
log, trials = successive_halving(configs, data=data)
for i, epochs, accuracy in log:
    print(f"trial {i} after {epochs} epochs: {accuracy:.3f}")
best, epochs, accuracy = max(log, key=lambda e: e[2])
print(f"best: trial {best} ({describe(configs[best])}), {accuracy:.3f}")
spent = sum(trial.epochs for trial in trials)  # resumed, never restarted
print(f"epochs trained: {spent}, instead of {9 * MAX_EPOCHS} for 9 "
      f"full trials")
# In hindsight: the trials stopped after 3 epochs, trained to the end
for i in sorted({j for j, epochs, _ in log if epochs == 3} - {best}):
    accuracy = Trial(configs[i], data=data).train_to(MAX_EPOCHS)
    print(f"trial {i}, stopped after 3 epochs, would have reached "
          f"{accuracy:.3f}")
# --8<-- [end:halving_demo]


# --8<-- [start:halving_figure]
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(7, 3.6))
for i, trial in enumerate(trials):  # each stopped where SH left it
    ax.plot(range(1, trial.epochs + 1), trial.val_acc, marker="o",
            markersize=3, label=f"trial {i}", color=f"C{i}")
for r in (1, 3, 9):
    ax.axvline(r, color="grey", lw=0.8, ls="--")
ax.set(xlabel="epochs trained", ylabel="validation accuracy",
       xticks=range(1, 10), ylim=(0, 1),
       title="successive halving: 9 trials at 1 epoch, 3 at 3, 1 at 9")
ax.legend(fontsize=7, ncol=3, loc="lower right")
fig.tight_layout()
plt.show()
# --8<-- [end:halving_figure]


# --8<-- [start:hyperband]
def hyperband_brackets(*, max_epochs=MAX_EPOCHS, eta=3):
    """The brackets of Hyperband for a largest budget R = max_epochs, from
    the most aggressive (s = s_max) to plain full trials (s = 0): bracket
    s halves n = ceil((s_max + 1) eta^s / (s + 1)) configurations,
    starting at R / eta^s epochs."""
    check_count("eta", eta, least=2)
    check_count("max_epochs", max_epochs)
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
    check_count("iterations", iterations)
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


# --8<-- [start:brackets]
def epochs_spent(rungs):
    """Epochs a bracket trains: each survivor resumes where it stopped."""
    previous, total = 0, 0
    for n, r in rungs:
        total += n * (r - previous)
        previous = r
    return total


for R in (9, 27):
    print(f"max_epochs R = {R}, eta = 3:")
    brackets = hyperband_brackets(max_epochs=R)
    for k, rungs in enumerate(brackets):
        s = len(brackets) - 1 - k  # s = s_max first
        steps = " -> ".join(f"{n} x {r}" for n, r in rungs)
        print(f"  bracket s={s}: {steps:<34} {epochs_spent(rungs):>3} "
              f"epochs")
# --8<-- [end:brackets]


# --8<-- [start:hyperband_demo]
data = digits()
hb_log, hb_configs = hyperband(SPACE, data=data, seed=0)
best, epochs, accuracy = max(hb_log, key=lambda e: e[2])
spent = sum(epochs_spent(rungs) for rungs in hyperband_brackets())
print(f"{len(hb_configs)} configurations, {spent} epochs trained")
print(f"best: {accuracy:.3f} after {epochs} epochs with "
      f"{describe(hb_configs[best])}")
# --8<-- [end:hyperband_demo]


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
    check_count("max_epochs", max_epochs)

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


# --8<-- [start:tpe_demo]
from collections import Counter

data = digits()
study = optuna.create_study(
    direction="maximize",
    sampler=optuna.samplers.TPESampler(seed=0),
    # stop a trial whose accuracy is below the median of earlier trials at
    # the same epoch; never during the first 5 trials
    pruner=optuna.pruners.MedianPruner(n_startup_trials=5))
study.optimize(make_objective(SPACE, data=data), n_trials=15)
states = Counter(t.state.name for t in study.trials)
epochs = sum(len(t.intermediate_values) for t in study.trials)
print(f"15 trials: {states['COMPLETE']} complete, {states['PRUNED']} "
      f"pruned; {epochs} epochs trained instead of {15 * MAX_EPOCHS}")
print(f"best: {study.best_value:.3f} with {describe(study.best_params)}")
# --8<-- [end:tpe_demo]

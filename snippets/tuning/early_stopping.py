"""Tuning with early stopping: the examples of successive halving,
Hyperband and Optuna's TPE with a pruner, whose code is in
snippets/tuning/methods.py.

The page docs/tuning/early-stopping.md shows the shared code folded, then
methods.py's sections and this script's. Importing it runs nothing; run
the page's experiments, in order, from the repository root with
``python -m snippets.tuning.early_stopping``.
"""

import optuna

from snippets.glossary.digits_task import digits
from snippets.tuning.task import (
    MAX_EPOCHS,
    SPACE,
    describe,
    random_points,
    Trial,
)
from snippets.tuning.methods import (
    halving_rungs,
    hyperband,
    hyperband_brackets,
    make_objective,
    successive_halving,
)


# --8<-- [start:brackets]
def epochs_spent(rungs):
    """Epochs a bracket trains: each survivor resumes where it stopped."""
    previous, total = 0, 0
    for n, r in rungs:
        total += n * (r - previous)
        previous = r
    return total
# --8<-- [end:brackets]


if __name__ == "__main__":
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
    would_reach = {}  # trial -> its accuracy after 9 epochs
    for i in sorted({j for j, epochs, _ in log if epochs == 3} - {best}):
        would_reach[i] = Trial(configs[i], data=data).train_to(MAX_EPOCHS)
        print(f"trial {i}, stopped after 3 epochs, would have reached "
              f"{would_reach[i]:.3f}")
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

    # --8<-- [start:brackets_run]
    for R in (9, 27):
        print(f"max_epochs R = {R}, eta = 3:")
        brackets = hyperband_brackets(max_epochs=R)
        for k, rungs in enumerate(brackets):
            s = len(brackets) - 1 - k  # s = s_max first
            steps = " -> ".join(f"{n} x {r}" for n, r in rungs)
            print(f"  bracket s={s}: {steps:<34} {epochs_spent(rungs):>3} "
                  f"epochs")
    # --8<-- [end:brackets_run]

    # --8<-- [start:hyperband_demo]
    data = digits()
    hb_log, hb_configs = hyperband(SPACE, data=data, seed=0)
    best, epochs, accuracy = max(hb_log, key=lambda e: e[2])
    spent = sum(epochs_spent(rungs) for rungs in hyperband_brackets())
    print(f"{len(hb_configs)} configurations, {spent} epochs trained")
    print(f"best: {accuracy:.3f} after {epochs} epochs with "
          f"{describe(hb_configs[best])}")
    # --8<-- [end:hyperband_demo]

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

"""Tuning advice on the task: scientific, nuisance and fixed
hyperparameters, an isolation plot, and search-space boundaries.

The page docs/tuning/advice.md shows the shared code folded (the glossary's
task, snippets/tuning/task.py), then the sections of this script. Importing
it runs nothing (it only loads the digits that study() trains on); run the
page's experiments, in order, from the repository root with
``python -m snippets.tuning.advice``.
"""

from snippets.glossary.digits_task import digits
from snippets.tuning.task import (
    describe,
    LogUniform,
    MAX_EPOCHS,
    objective,
    quasi_random_points,
    run_search,
    SearchSpace,
    Trial,
)


# --8<-- [start:roles]
data = digits()
# The question: does dropout help this MLP? dropout is the scientific
# hyperparameter; the optimizer's lr and weight decay are nuisance ones,
# tuned again for every value of it; width and batch size stay fixed.
DROPOUTS = (0.0, 0.25, 0.5)
NUISANCE = SearchSpace(lr=LogUniform(1e-3, 1.0),
                       weight_decay=LogUniform(1e-6, 1e-2))
FIXED = dict(hidden=64, batch_size=128)


def study(dropout, *, n_trials=6, seed=0):
    """Quasi-random search over the nuisance hyperparameters at one value
    of the scientific one; the same points for every value, so that the
    values are compared on equal terms. Returns [(accuracy, config)]."""
    points = quasi_random_points(len(NUISANCE), n_trials=n_trials,
                                 seed=seed)
    fixed = dict(FIXED, dropout=dropout)
    return run_search(NUISANCE, points,
                      lambda c: objective({**fixed, **c}, data=data))
# --8<-- [end:roles]


# --8<-- [start:boundaries]
import math


def place(param, value):
    """Where value sits in a log range, 0 at low, 1 at high."""
    return math.log(value / param.low) / math.log(param.high / param.low)


def mean_accuracy(config, *, data, seeds=(0, 1, 2)):
    """A trial's score: its validation accuracy after a full trial,
    averaged over `seeds` (one run at a rate near the limit is luck)."""
    if len(seeds) == 0:
        raise ValueError("seeds must hold at least one seed, got none")
    runs = [Trial(config, data=data, seed=s).train_to(MAX_EPOCHS)
            for s in seeds]
    return sum(runs) / len(runs)
# --8<-- [end:boundaries]


if __name__ == "__main__":
    # --8<-- [start:roles_run]
    studies = {p: study(p) for p in DROPOUTS}
    untuned = {p: objective(dict(FIXED, dropout=p), data=data)  # lr = 0.01
               for p in DROPOUTS}
    print("dropout  lr = 0.01  tuned: best of 6, at")
    for p in DROPOUTS:
        accuracy, config = max(studies[p], key=lambda r: r[0])
        print(f"{p:>7}  {untuned[p]:9.3f}  {accuracy:.3f}  "
              f"{describe(config)}")
    # --8<-- [end:roles_run]

    # --8<-- [start:isolation_figure]
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.2))
    for p in DROPOUTS:  # every trial, faint: the basic axis plot
        ax.plot([p] * len(studies[p]), [a for a, _ in studies[p]], "o",
                color="C0", alpha=0.3)
    ax.plot(DROPOUTS, [max(a for a, _ in studies[p]) for p in DROPOUTS],
            "o-", color="C0", label="best trial (lr, weight decay tuned)")
    ax.plot(DROPOUTS, [untuned[p] for p in DROPOUTS], "s--", color="C3",
            label="lr = 0.01, weight decay 1e-6 (not tuned)")
    ax.set(xlabel="dropout (scientific)", ylabel="validation accuracy",
           xticks=DROPOUTS, title="isolation plot: dropout, nuisance tuned")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2))
    fig.tight_layout()
    plt.show()
    # --8<-- [end:isolation_figure]

    # --8<-- [start:boundaries_run]
    data = digits()
    fixed = dict(hidden=64, batch_size=128, dropout=0.0)  # as in roles.py
    lr_search = {}
    for high in (1e-2, 1.0):  # a deliberately narrow range, then a wide one
        lr = LogUniform(1e-4, high)
        points = quasi_random_points(1, n_trials=8, seed=0)
        lr_search[high] = run_search(
            SearchSpace(lr=lr), points,
            lambda c: mean_accuracy({**fixed, **c}, data=data))
        accuracy, best = max(lr_search[high], key=lambda r: r[0])
        print(f"lr in [0.0001, {high}]: best {accuracy:.3f} at "
              f"lr={best['lr']:.3g}, at {place(lr, best['lr']):.0%} of the "
              f"log range")
    # --8<-- [end:boundaries_run]

    # --8<-- [start:boundaries_figure]
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.4))
    for high, marker in ((1e-2, "o"), (1.0, "x")):
        lrs = [c["lr"] for _, c in lr_search[high]]
        ax.semilogx(lrs, [a for a, _ in lr_search[high]], marker, ls="none",
                    label=f"lr in [1e-4, {high:g}]")
    ax.axvspan(1e-4, 1e-2, color="grey", alpha=0.15)
    ax.set(xlabel="learning rate (log scale)", ylabel="validation accuracy",
           title="the first range (shaded) was too narrow")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    plt.show()
    # --8<-- [end:boundaries_figure]

    # --8<-- [start:seeds_run]
    # the wide range's best learning rate and the one above it, each
    # trained with six seeds (seeds 0 to 2 are the search's own runs)
    wide = sorted(lr_search[1.0], key=lambda r: r[1]["lr"])
    k = max(range(len(wide)), key=lambda i: wide[i][0])  # the best trial
    seed_runs = {}
    for _, config in wide[k:k + 2]:
        seed_runs[config["lr"]] = [
            Trial({**fixed, **config}, data=data, seed=seed)
            .train_to(MAX_EPOCHS) for seed in range(6)]
    for lr, runs in seed_runs.items():
        print(f"lr={lr:.3g}: " + " ".join(f"{a:.3f}" for a in runs))
    # --8<-- [end:seeds_run]

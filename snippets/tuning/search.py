"""Tuning: the searches that need no model of the objective (one at a
time, grid, random, quasi-random), on the search space and trial of
snippets/tuning/task.py.

The page docs/tuning/search.md shows task.py's sections (after the
glossary's shared task, folded) and then the sections of this script.
Importing it runs nothing (it only loads the digits that one_epoch()
trains on); run the page's experiments, in order, from the repository
root with ``python -m snippets.tuning.search``.
"""

import math

from snippets.glossary.digits_task import digits
from snippets.tuning.task import (
    DEFAULTS,
    MAX_EPOCHS,
    SPACE,
    describe,
    grid_points,
    LogUniform,
    objective,
    quasi_random_points,
    random_points,
    run_search,
    SearchSpace,
    Trial,
    Uniform,
)


# --8<-- [start:slice]
import numpy as np

LRS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
BATCH_SIZES = (32, 64, 128, 256)


data = digits()


def one_epoch(lr, batch_size):
    """A one-epoch trial at (lr, batch_size), the rest at the defaults."""
    trial = Trial(dict(lr=lr, batch_size=batch_size), data=data)
    return trial.train_to(1)
# --8<-- [end:slice]


# --8<-- [start:projection]
def g(x):
    """The important direction: a bump of width 0.08 at x = 0.62."""
    return np.exp(-0.5 * ((x - 0.62) / 0.08) ** 2)


def f(points):
    """Low effective dimension: y barely matters (weight 0.01)."""
    x, y = points[:, 0], points[:, 1]
    return g(x) + 0.01 * np.sin(2 * np.pi * y)


def best_found(method, n, seed):
    """The best f among n trials of `method` on the unit square."""
    if method == "grid":  # k x k points: only for square n
        points = grid_points(2, points_per_axis=math.isqrt(n))
    elif method == "random":
        points = random_points(2, n_trials=n, seed=seed)
    else:
        points = quasi_random_points(2, n_trials=n, seed=seed)
    return float(f(points).max())
# --8<-- [end:projection]


if __name__ == "__main__":
    # --8<-- [start:space_demo]
    import numpy as np

    print("centre: ", describe(SPACE.config([0.5] * 5)))
    for u in np.random.default_rng(0).random((3, 5)):
        print("random: ", describe(SPACE.config(u)))

    # Why a log scale: the same 10,000 uniform numbers u, mapped both ways
    u = np.random.default_rng(0).random(10_000)
    for param in (Uniform(1e-4, 1.0), LogUniform(1e-4, 1.0)):
        lr = param.from_unit(u)
        print(f"{type(param).__name__:>10}: {np.mean(lr < 0.01):6.1%} of the "
              f"learning rates below 0.01")

    for make in (lambda: SearchSpace(), lambda: Uniform(1.0, 0.1),
                 lambda: LogUniform(0.0, 1.0), lambda: LogUniform(-1, 1)):
        try:
            make()
        except ValueError as error:
            print("ValueError:", error)
    # --8<-- [end:space_demo]

    # --8<-- [start:trial_demo]
    data = digits()
    trial = Trial(DEFAULTS, data=data)
    for epoch in range(1, MAX_EPOCHS + 1):
        accuracy = trial.train_epoch()
        print(f"epoch {epoch}: validation accuracy {accuracy:.3f}")
    # --8<-- [end:trial_demo]

    # --8<-- [start:slice_run]
    # acc[i, j]: validation accuracy at BATCH_SIZES[i], LRS[j]
    acc = np.array([[one_epoch(lr, b) for lr in LRS] for b in BATCH_SIZES])
    print("batch  " + " ".join(f"{lr:>6}" for lr in LRS))
    for b, row in zip(BATCH_SIZES, acc):
        print(f"{b:>5}  " + " ".join(f"{a:6.3f}" for a in row))

    # One at a time from the start: the best lr at batch 256, then the best
    # batch size at that lr.
    i, j = BATCH_SIZES.index(256), LRS.index(0.01)
    print(f"start: lr={LRS[j]}, batch_size={BATCH_SIZES[i]}: {acc[i, j]:.3f}")
    j = int(acc[i].argmax())
    print(f"tune lr:         lr={LRS[j]}: {acc[i, j]:.3f}")
    i = int(acc[:, j].argmax())
    print(f"then batch_size: batch_size={BATCH_SIZES[i]}: {acc[i, j]:.3f}")
    bi, bj = np.unravel_index(acc.argmax(), acc.shape)
    print(f"joint best: lr={LRS[bj]}, batch_size={BATCH_SIZES[bi]}: "
          f"{acc[bi, bj]:.3f}")
    # --8<-- [end:slice_run]

    # --8<-- [start:slice_figure]
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 3.9))
    image = ax.imshow(acc, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set(xticks=range(len(LRS)), xticklabels=LRS,
           yticks=range(len(BATCH_SIZES)), yticklabels=BATCH_SIZES,
           xlabel="learning rate (log scale)", ylabel="batch size",
           title="validation accuracy after one epoch")
    for (r, c), a in np.ndenumerate(acc):
        ax.text(c, r, f"{a:.2f}", ha="center", va="center", fontsize=7,
                color="black" if a > 0.6 else "white")
    # one at a time: (0.01, 256) -> best lr at 256 -> best batch at that lr
    path = [(LRS.index(0.01), 3), (int(acc[3].argmax()), 3)]
    path.append((path[-1][0], int(acc[:, path[-1][0]].argmax())))
    ax.plot(*zip(*path), color="red", marker="o", markersize=14, lw=2,
            markerfacecolor="none", label="one at a time")
    ax.plot(bj, bi, marker="*", color="red", markersize=22, ls="none",
            markerfacecolor="none", markeredgewidth=1.5, label="joint best")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2,
              fontsize=8)
    fig.colorbar(image, ax=ax, label="accuracy")
    fig.tight_layout()
    plt.show()
    # --8<-- [end:slice_figure]

    # --8<-- [start:searches]
    from functools import partial

    data = digits()
    short = partial(objective, data=data, num_epochs=3)  # 3-epoch trials

    # A grid needs few axes: 3 x 3 over two of them, the rest at defaults.
    two = SearchSpace(lr=SPACE.params["lr"],
                      weight_decay=SPACE.params["weight_decay"])
    grid = run_search(two, grid_points(2, points_per_axis=3), short)
    # Random and quasi-random points vary all five with the same 9 trials.
    rand = run_search(SPACE, random_points(5, n_trials=9, seed=0), short)
    quasi = run_search(SPACE, quasi_random_points(5, n_trials=9, seed=0),
                       short)
    for name, results in (("grid", grid), ("random", rand),
                          ("quasi-random", quasi)):
        score, best = max(results, key=lambda r: r[0])
        n_lr = len({round(c["lr"], 12) for _, c in results})
        print(f"{name:>12}: best {score:.3f} at lr={best['lr']:.3g}; "
              f"{n_lr} distinct learning rates tried")
    # --8<-- [end:searches]

    # --8<-- [start:projection_run]
    print("trials   grid  random  quasi-random   (best f, mean of 100 seeds;"
          " the maximum is 1.01)")
    for n in (4, 9, 16, 25, 36, 49):
        row = [np.mean([best_found(m, n, s) for s in range(100)])
               for m in ("grid", "random", "quasi")]
        print(f"{n:>6}  {row[0]:5.3f}  {row[1]:6.3f}  {row[2]:12.3f}")
    # --8<-- [end:projection_run]

    # --8<-- [start:projection_figure]
    import matplotlib.pyplot as plt

    sets = {"grid 3 x 3": grid_points(2, points_per_axis=3),
            "random": random_points(2, n_trials=9, seed=0),
            "quasi-random": quasi_random_points(2, n_trials=9, seed=0)}
    fig, axes = plt.subplots(2, 3, figsize=(9, 4.2), sharex=True,
                             gridspec_kw=dict(height_ratios=(1, 2.5)))
    xs = np.linspace(0, 1, 200)
    for (title, points), top, ax in zip(sets.items(), *axes):
        top.plot(xs, g(xs), color="grey")
        top.plot(points[:, 0], g(points[:, 0]), "o", color="C1")
        top.set(title=f"{title}: {len(np.unique(points[:, 0]))} x values",
                yticks=[], ylabel="g(x)" if ax is axes[1, 0] else None)
        ax.plot(points[:, 0], points[:, 1], "o", color="C0")
        for x in points[:, 0]:  # each point's projection onto the x axis
            ax.axvline(x, color="C1", lw=0.8, alpha=0.6)
        ax.set(xlim=(-0.05, 1.05), ylim=(-0.05, 1.05), aspect="equal",
               xlabel="x (important)")
    axes[1, 0].set_ylabel("y (unimportant)")
    fig.tight_layout()
    plt.show()
    # --8<-- [end:projection_figure]

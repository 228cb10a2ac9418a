"""Tuning: the search space, one trial, and the searches that need no model
of the objective (one at a time, grid, random, quasi-random).

The page docs/tuning/search.md shows the sections of this script in order,
after the glossary's shared task (digits(), mlp(), evaluate()), which it
shows folded and runs first. This script does the same: it runs the task
section of snippets/glossary/digits_task.py (importing that module would
also run its baseline).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tools.sections import sections

_task = {}
exec(sections(ROOT / "snippets/glossary/digits_task.py")["task"], _task)
digits, mlp, evaluate = _task["digits"], _task["mlp"], _task["evaluate"]

# --8<-- [start:space]
import math
from dataclasses import dataclass
from numbers import Integral, Real


def check_bounds(low, high, *, log, integer=False):
    """Bounds of a range: numbers, low below high, low > 0 on a log scale."""
    kind = Integral if integer else Real
    for name, value in (("low", low), ("high", high)):
        ok = isinstance(value, kind) and not isinstance(value, bool)
        if not (ok and math.isfinite(value)):
            what = "an integer" if integer else "a finite number"
            raise ValueError(f"{name} must be {what}, got {value!r}")
    if not low < high:
        raise ValueError(f"low must be below high, got low={low!r}, "
                         f"high={high!r}")
    if log and low <= 0:
        raise ValueError(f"low must be > 0 on a log scale (log 0 is -inf), "
                         f"got low={low!r}")


@dataclass(frozen=True)
class Uniform:
    """A number in [low, high], every part of the range equally likely."""
    low: float
    high: float

    def __post_init__(self):
        check_bounds(self.low, self.high, log=False)

    def from_unit(self, u):
        """Map u in [0, 1] to the range: 0 -> low, 1 -> high."""
        return self.low + u * (self.high - self.low)


@dataclass(frozen=True)
class LogUniform:
    """A number in [low, high] whose logarithm is uniform: every decade
    (0.001 to 0.01, 0.01 to 0.1, ...) gets the same share of samples."""
    low: float
    high: float

    def __post_init__(self):
        check_bounds(self.low, self.high, log=True)

    def from_unit(self, u):
        return self.low * (self.high / self.low) ** u


@dataclass(frozen=True)
class IntLogUniform:
    """An integer in [low, high], log-uniform: 16 to 32 is as likely as 128
    to 256. Integer n gets the share log((n + 1) / n) of the range."""
    low: int
    high: int

    def __post_init__(self):
        check_bounds(self.low, self.high, log=True, integer=True)

    def from_unit(self, u):
        n = math.floor(self.low * ((self.high + 1) / self.low) ** u)
        return min(n, self.high)  # u = 1 lands on high + 1


@dataclass(frozen=True)
class Categorical:
    """One of a few values, each equally likely."""
    choices: tuple

    def __post_init__(self):
        if len(self.choices) < 2 or len(set(self.choices)) < len(
                self.choices):
            raise ValueError(f"choices must hold at least two distinct "
                             f"values, got {self.choices!r}")

    def from_unit(self, u):
        n = len(self.choices)
        return self.choices[min(math.floor(u * n), n - 1)]


PARAMETER_TYPES = (Uniform, LogUniform, IntLogUniform, Categorical)


class SearchSpace:
    """Named hyperparameter ranges. A point u of the unit cube [0, 1]^d
    becomes a configuration: every search below picks points u."""

    def __init__(self, **params):
        if not params:
            raise ValueError("params must name at least one hyperparameter, "
                             "got none")
        for name, param in params.items():
            if not isinstance(param, PARAMETER_TYPES):
                raise ValueError(
                    f"params[{name!r}] must be Uniform, LogUniform, "
                    f"IntLogUniform or Categorical, got {param!r}")
        self.params = params
        self.names = tuple(params)

    def __len__(self):
        return len(self.params)

    def config(self, u):
        """The configuration at u, a sequence of d numbers in [0, 1]."""
        if len(u) != len(self):
            raise ValueError(f"u must have {len(self)} coordinates, "
                             f"got {len(u)}")
        if not all(0 <= x <= 1 for x in u):
            raise ValueError(f"u must lie in [0, 1], got {list(u)}")
        return {name: param.from_unit(float(x))
                for (name, param), x in zip(self.params.items(), u)}


def describe(config):
    """A configuration on one line, floats to 3 significant digits."""
    return ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in config.items())


SPACE = SearchSpace(
    lr=LogUniform(1e-4, 1.0),  # SGD step size: four decades
    weight_decay=LogUniform(1e-6, 1e-1),  # log scale: no 0, see below
    hidden=IntLogUniform(16, 256),  # hidden units
    dropout=Uniform(0.0, 0.5),
    batch_size=Categorical((32, 64, 128, 256)),
)
# --8<-- [end:space]


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


# --8<-- [start:trial]
import torch
from torch import nn

DEFAULTS = dict(lr=0.01, weight_decay=1e-6, hidden=64, dropout=0.0,
                batch_size=32)
MAX_EPOCHS = 9  # a full trial: nine passes over the 1,078 training digits


class Trial:
    """One configuration of the MLP, trained one epoch at a time, so that a
    search can look at it after every epoch and stop it early.

    SGD with Nesterov momentum 0.9 (fixed). Every epoch draws its shuffle
    and dropout masks from its own seed, (seed, epoch): a trial that is
    paused and resumed trains exactly as one that runs straight through.
    """

    def __init__(self, config, *, data, seed=0):
        unknown = sorted(set(config) - set(DEFAULTS))
        if unknown:
            raise ValueError(f"config must name hyperparameters among "
                             f"{sorted(DEFAULTS)}, got {unknown}")
        c = {**DEFAULTS, **config}
        lr, wd, batch_size = c["lr"], c["weight_decay"], c["batch_size"]
        if not (isinstance(lr, Real) and math.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
        if not (isinstance(wd, Real) and math.isfinite(wd) and wd >= 0):
            raise ValueError(f"weight_decay must be a finite number >= 0, "
                             f"got {wd!r}")
        if not (isinstance(batch_size, Integral) and batch_size >= 1):
            raise ValueError(f"batch_size must be an integer >= 1, got "
                             f"{batch_size!r}")
        self.config, self.data, self.seed = c, data, seed
        self.model = mlp(hidden=c["hidden"], dropout=c["dropout"], seed=seed)
        self.optimizer = torch.optim.SGD(
            self.model.parameters(), lr=lr, momentum=0.9, nesterov=True,
            weight_decay=wd)
        self.val_acc = []  # validation accuracy after each epoch

    @property
    def epochs(self):
        return len(self.val_acc)

    def train_epoch(self):
        """One pass over the training set; returns validation accuracy."""
        (X, y), (X_val, y_val), _ = self.data
        torch.manual_seed(1000 * self.seed + self.epochs)
        self.model.train()
        order = torch.randperm(len(X))
        for i in range(0, len(X), self.config["batch_size"]):
            idx = order[i:i + self.config["batch_size"]]
            loss = nn.functional.cross_entropy(self.model(X[idx]), y[idx])
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
        self.val_acc.append(evaluate(self.model, X_val, y_val)[1])
        return self.val_acc[-1]

    def train_to(self, epochs):
        """Train until `epochs` epochs are done; returns the last accuracy."""
        if not (isinstance(epochs, Integral) and epochs >= 1):
            raise ValueError(f"epochs must be an integer >= 1, got "
                             f"{epochs!r}")
        while self.epochs < epochs:
            self.train_epoch()
        return self.val_acc[epochs - 1]


def objective(config, *, data, epochs=MAX_EPOCHS):
    """A full trial: validation accuracy after `epochs` epochs."""
    return Trial(config, data=data).train_to(epochs)
# --8<-- [end:trial]


# --8<-- [start:trial_demo]
data = digits()
trial = Trial(DEFAULTS, data=data)
for epoch in range(1, MAX_EPOCHS + 1):
    accuracy = trial.train_epoch()
    print(f"epoch {epoch}: validation accuracy {accuracy:.3f}")
# --8<-- [end:trial_demo]


# --8<-- [start:slice]
import numpy as np

LRS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
BATCH_SIZES = (32, 64, 128, 256)


data = digits()


def one_epoch(lr, batch_size):
    """A one-epoch trial at (lr, batch_size), the rest at the defaults."""
    trial = Trial(dict(lr=lr, batch_size=batch_size), data=data)
    return trial.train_to(1)


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
# --8<-- [end:slice]


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


# --8<-- [start:points]
from itertools import product

import numpy as np
from scipy.stats import qmc


def check_count(name, n, *, least=1):
    """A count of trials or points: an integer >= least."""
    if not (isinstance(n, Integral) and not isinstance(n, bool)
            and n >= least):
        raise ValueError(f"{name} must be an integer >= {least}, got {n!r}")


def grid_points(d, *, points_per_axis=3):
    """Every combination of k evenly spaced values per axis, ends included:
    k^d points of the unit cube."""
    check_count("d", d)
    check_count("points_per_axis", points_per_axis, least=2)
    axis = np.linspace(0, 1, points_per_axis)
    return np.array(list(product(axis, repeat=d)))


def random_points(d, *, n_trials, seed=0):
    """n_trials independent uniform points of the unit cube."""
    check_count("d", d)
    check_count("n_trials", n_trials)
    return np.random.default_rng(seed).random((n_trials, d))


def quasi_random_points(d, *, n_trials, seed=0):
    """The first n_trials points of a scrambled Halton sequence: random
    like random_points (the scrambling), but spread more evenly."""
    check_count("d", d)
    check_count("n_trials", n_trials)
    return qmc.Halton(d=d, scramble=True, seed=seed).random(n_trials)


def run_search(space, points, objective):
    """Evaluate objective(config) at every point: [(score, config)]."""
    if len(points) == 0:
        raise ValueError("points must hold at least one point, got none")
    return [(objective(config), config)
            for config in map(space.config, points)]
# --8<-- [end:points]


# --8<-- [start:searches]
from functools import partial

data = digits()
short = partial(objective, data=data, epochs=3)  # 3-epoch trials

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


print("trials   grid  random  quasi-random   (best f, mean of 100 seeds;"
      " the maximum is 1.01)")
for n in (4, 9, 16, 25, 36, 49):
    row = [np.mean([best_found(m, n, s) for s in range(100)])
           for m in ("grid", "random", "quasi")]
    print(f"{n:>6}  {row[0]:5.3f}  {row[1]:6.3f}  {row[2]:12.3f}")
# --8<-- [end:projection]


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

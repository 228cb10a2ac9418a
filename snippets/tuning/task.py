"""Tuning's shared code: the search space, one trial, and the points a
search tries. A library without side effects: the tuning modules import
it, and the tuning pages show its sections (run them from the repository
root as python -m snippets.tuning.<name>).
"""

from snippets.glossary.digits_task import evaluate, mlp

# --8<-- [start:space]
import math
from dataclasses import dataclass
from numbers import Real


def ordered(low, high, *, log):
    """The bounds of a range: low below high, low > 0 on a log scale."""
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
        check_real("low", self.low)
        check_real("high", self.high)
        ordered(self.low, self.high, log=False)

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
        check_real("low", self.low)
        check_real("high", self.high)
        ordered(self.low, self.high, log=True)

    def from_unit(self, u):
        return self.low * (self.high / self.low) ** u


@dataclass(frozen=True)
class IntLogUniform:
    """An integer in [low, high], log-uniform: 16 to 32 is as likely as 128
    to 256. Integer n gets the share log((n + 1) / n) of the range."""
    low: int
    high: int

    def __post_init__(self):
        check_int("low", self.low, low=1)  # log scale: low > 0
        check_int("high", self.high, low=1)
        ordered(self.low, self.high, log=True)

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


# The argument checks. Python looks a name up when the function that uses
# it runs, so the checks can follow the code that calls them.
def check_int(name, value, *, low, high=None):
    """Raise a ValueError naming `name` unless `value` is an integer in
    [low, high] (no upper bound when high is None)."""
    allowed = (f"an integer >= {low}" if high is None
               else f"an integer in [{low}, {high}]")
    if not (isinstance(value, int) and not isinstance(value, bool)
            and value >= low and (high is None or value <= high)):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")


def check_real(name, value, *, low=-math.inf, high=math.inf,
               low_open=False, high_open=False):
    """Raise a ValueError naming `name` unless `value` is a finite real
    number between low and high (excluded where open)."""
    if math.isinf(low) and math.isinf(high):
        allowed = "a finite number"
    elif math.isinf(high):
        allowed = f"a finite number {'>' if low_open else '>='} {low:g}"
    elif math.isinf(low):
        allowed = f"a finite number {'<' if high_open else '<='} {high:g}"
    else:
        allowed = (f"a number in {'(' if low_open else '['}{low:g}, "
                   f"{high:g}{')' if high_open else ']'}")
    if not (isinstance(value, Real) and not isinstance(value, bool)
            and math.isfinite(value)
            and (value > low if low_open else value >= low)
            and (value < high if high_open else value <= high)):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")


SPACE = SearchSpace(
    lr=LogUniform(1e-4, 1.0),  # SGD step size: four decades
    weight_decay=LogUniform(1e-6, 1e-1),  # log scale: no 0, see below
    hidden=IntLogUniform(16, 256),  # hidden units
    dropout=Uniform(0.0, 0.5),
    batch_size=Categorical((32, 64, 128, 256)),
)
# --8<-- [end:space]


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
        check_real("lr", lr, low=0, low_open=True)
        check_real("weight_decay", wd, low=0)
        check_int("batch_size", batch_size, low=1)
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

    def train_to(self, num_epochs):
        """Train until `num_epochs` epochs are done; returns the accuracy
        after the last of them."""
        check_int("num_epochs", num_epochs, low=1)
        while self.epochs < num_epochs:
            self.train_epoch()
        return self.val_acc[num_epochs - 1]


def objective(config, *, data, num_epochs=MAX_EPOCHS):
    """A full trial: validation accuracy after `num_epochs` epochs."""
    return Trial(config, data=data).train_to(num_epochs)
# --8<-- [end:trial]


# --8<-- [start:points]
from itertools import product

import numpy as np
from scipy.stats import qmc


def grid_points(d, *, points_per_axis=3):
    """Every combination of k evenly spaced values per axis, ends included:
    k^d points of the unit cube."""
    check_int("d", d, low=1)
    check_int("points_per_axis", points_per_axis, low=2)
    axis = np.linspace(0, 1, points_per_axis)
    return np.array(list(product(axis, repeat=d)))


def random_points(d, *, n_trials, seed=0):
    """n_trials independent uniform points of the unit cube."""
    check_int("d", d, low=1)
    check_int("n_trials", n_trials, low=1)
    return np.random.default_rng(seed).random((n_trials, d))


def quasi_random_points(d, *, n_trials, seed=0):
    """The first n_trials points of a scrambled Halton sequence: random
    like random_points (the scrambling), but spread more evenly."""
    check_int("d", d, low=1)
    check_int("n_trials", n_trials, low=1)
    return qmc.Halton(d=d, scramble=True, seed=seed).random(n_trials)


def run_search(space, points, objective):
    """Evaluate objective(config) at every point: [(score, config)]."""
    if len(points) == 0:
        raise ValueError("points must hold at least one point, got none")
    return [(objective(config), config)
            for config in map(space.config, points)]
# --8<-- [end:points]

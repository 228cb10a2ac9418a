"""The glossary's shared task: a small MLP on scikit-learn's digits.

Every glossary page runs its experiment on this task, so that results
compare across pages. The page docs/glossary/index.md shows it whole; the
other glossary pages show it again, folded, before their experiments.
Importing it has no side effects: the other glossary modules do
``from snippets.glossary.digits_task import digits, mlp, fit, evaluate``
(run them from the repository root as ``python -m snippets.glossary.x``).
"""

# --8<-- [start:task]
import math
from numbers import Real

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn


def digits(*, seed=0):
    """The 1,797 8x8 digits that ship with scikit-learn, as tensors, split
    60/20/20 into (train, validation, test); each part is (X, y) with
    X: (n, 64) pixels scaled to [0, 1] and y: (n,) labels 0..9."""
    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(seed).permutation(len(X))
    X = torch.tensor(X[order] / 16.0, dtype=torch.float32)  # 0..16 -> 0..1
    y = torch.tensor(y[order])
    a, b = int(0.6 * len(X)), int(0.8 * len(X))  # 1078 and 1437
    return (X[:a], y[:a]), (X[a:b], y[a:b]), (X[b:], y[b:])


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


def mlp(*, hidden=64, depth=1, activation=nn.ReLU, dropout=0.0, seed=0):
    """64 pixels -> `depth` hidden layers of `hidden` units -> 10 logits."""
    check_int("hidden", hidden, low=1)
    check_int("depth", depth, low=1)
    check_real("dropout", dropout, low=0, high=1, high_open=True)
    torch.manual_seed(seed)  # the initial weights
    layers, width = [], 64
    for _ in range(depth):
        layers += [nn.Linear(width, hidden), activation()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = hidden
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)


def evaluate(model, X, y):
    """(mean cross-entropy, accuracy) of `model` on (X, y), dropout off."""
    model.eval()
    with torch.no_grad():
        logits = model(X)
        loss = nn.functional.cross_entropy(logits, y).item()
        accuracy = (logits.argmax(dim=1) == y).float().mean().item()
    return loss, accuracy


def fit(model, data, *, optimizer, num_epochs=20, batch_size=32,
        scheduler=None, clip_norm=None, seed=0):
    """Mini-batch training on data[0], evaluated on data[1] after each
    epoch. Returns the history: lists with one entry per epoch of
    train_loss, train_acc, val_loss, val_acc and lr (the rate used)."""
    check_int("num_epochs", num_epochs, low=1)
    check_int("batch_size", batch_size, low=1)
    if clip_norm is not None:  # None: no clipping
        check_real("clip_norm", clip_norm, low=0, low_open=True)
    torch.manual_seed(seed)  # the order of the examples, dropout masks
    (X, y), (X_val, y_val), _ = data
    history = {k: [] for k in
               ("train_loss", "train_acc", "val_loss", "val_acc", "lr")}
    for _ in range(num_epochs):
        model.train()
        history["lr"].append(optimizer.param_groups[0]["lr"])
        order = torch.randperm(len(X))
        for i in range(0, len(X), batch_size):
            idx = order[i:i + batch_size]
            loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            if clip_norm is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
            optimizer.step()
        if scheduler is not None:
            scheduler.step()
        for part, (Xs, ys) in (("train", (X, y)), ("val", (X_val, y_val))):
            loss, accuracy = evaluate(model, Xs, ys)
            history[f"{part}_loss"].append(loss)
            history[f"{part}_acc"].append(accuracy)
    return history
# --8<-- [end:task]

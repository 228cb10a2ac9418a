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


def mlp(*, hidden=64, depth=1, activation=nn.ReLU, dropout=0.0, seed=0):
    """64 pixels -> `depth` hidden layers of `hidden` units -> 10 logits."""
    if not (isinstance(hidden, int) and hidden >= 1):
        raise ValueError(f"hidden must be an integer >= 1, got {hidden!r}")
    if not (isinstance(depth, int) and depth >= 1):
        raise ValueError(f"depth must be an integer >= 1, got {depth!r}")
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
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
    if not (isinstance(num_epochs, int) and num_epochs >= 1):
        raise ValueError(f"num_epochs must be an integer >= 1, "
                         f"got {num_epochs!r}")
    if not (isinstance(batch_size, int) and batch_size >= 1):
        raise ValueError(f"batch_size must be an integer >= 1, "
                         f"got {batch_size!r}")
    if clip_norm is not None and not (math.isfinite(clip_norm)
                                      and clip_norm > 0):
        raise ValueError(f"clip_norm must be None or a finite number > 0, "
                         f"got {clip_norm!r}")
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

"""Glossary: dropout.

Inverted dropout from scratch in NumPy, checked against torch.nn.Dropout
by its statistics; the difference between training and evaluation mode;
and the effect of the dropout probability on over-fitting, on the
glossary's shared digits task. The page docs/glossary/dropout.md shows
the sections of this script; importing it runs nothing, and
``python -m snippets.glossary.dropout`` runs every experiment of the page.
"""

from snippets.glossary.digits_task import digits, fit, mlp

# --8<-- [start:numpy]
import math
from numbers import Real

import numpy as np


def dropout(x, *, p=0.5, training=True, rng):
    """Inverted dropout: in training, zero each entry with probability p
    and divide the survivors by 1 - p, so that the mean is unchanged; in
    evaluation, return x as it is."""
    check_real("p", p, low=0, high=1, high_open=True)
    if not training or p == 0:
        return x
    keep = rng.random(x.shape) >= p  # True with probability 1 - p
    return np.where(keep, x / (1 - p), 0.0)


# The argument checks. Python looks a name up when the function that uses
# it runs, so the checks can follow the code that calls them.
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
# --8<-- [end:numpy]


# --8<-- [start:overfit]
import numpy as np
import torch


def noisy_subset(data, *, n=300, wrong=0.2, seed=0):
    """The first n training examples, with a share `wrong` of their labels
    changed to another digit; validation and test sets unchanged."""
    (X, y), val, test = data
    check_int("n", n, low=1, high=len(X))
    check_real("wrong", wrong, low=0, high=1)
    rng = np.random.default_rng(seed)
    y = y[:n].clone()
    bad = torch.from_numpy(rng.choice(n, round(wrong * n), replace=False))
    shift = torch.from_numpy(rng.integers(1, 10, len(bad)))  # 1..9
    y[bad] = (y[bad] + shift) % 10  # always a different digit
    return (X[:n], y), val, test


def train_with_dropout(data, *, p, hidden=64, lr=0.004, batch_size=64,
                       num_epochs=100, seed=0):
    """The shared MLP with dropout p after its hidden layer, trained by
    Adam (fast enough to over-fit within the epochs); the history."""
    model = mlp(hidden=hidden, dropout=p, seed=seed)  # checks p
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    return fit(model, data, optimizer=optimizer, num_epochs=num_epochs,
               batch_size=batch_size, seed=seed)


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
# --8<-- [end:overfit]


if __name__ == "__main__":
    # --8<-- [start:numpy_run]
    rng = np.random.default_rng(0)
    x = np.arange(1.0, 9.0)
    print("x                 ", x)
    print("training, p = 0.5 ", dropout(x, p=0.5, rng=rng))
    print("evaluation        ", dropout(x, p=0.5, training=False, rng=rng))
    ones = np.ones(1_000_000)
    for p in (0.2, 0.5, 0.8):
        y = dropout(ones, p=p, rng=rng)
        kept = np.unique(y[y != 0])
        print(f"p = {p}: share of zeros {np.mean(y == 0):.4f}, "
              f"kept values {kept}, mean {y.mean():.4f}")
    # --8<-- [end:numpy_run]

    # --8<-- [start:torch]
    import torch
    from torch import nn

    torch.manual_seed(0)
    x = torch.arange(1.0, 9.0, dtype=torch.float64)
    drop = nn.Dropout(p=0.5)  # a module starts in training mode
    print("x                 ", x.numpy())
    print("training, p = 0.5 ", drop(x).numpy())
    drop.eval()  # evaluation mode: dropout does nothing
    print("evaluation        ", drop(x).numpy())
    ones = torch.ones(1_000_000, dtype=torch.float64)
    for p in (0.2, 0.5, 0.8):
        y = nn.Dropout(p=p)(ones)
        kept = y[y != 0].unique().numpy()
        print(f"p = {p}: share of zeros {(y == 0).double().mean():.4f}, "
              f"kept values {kept}, mean {y.mean():.4f}")
    # --8<-- [end:torch]

    # --8<-- [start:modes]
    import torch

    torch.manual_seed(0)
    model = mlp(hidden=64, dropout=0.5)  # Linear, ReLU, Dropout, Linear
    X_val, y_val = digits()[1]
    x = X_val[:1]  # one validation image

    model.train()  # dropout on: a new random mask at every call
    a, b = model(x), model(x)
    print("train mode, same input twice, outputs equal:", torch.equal(a, b))
    model.eval()  # dropout off: the layer passes its input through
    a, b = model(x), model(x)
    print("eval mode,  same input twice, outputs equal:", torch.equal(a, b))
    print("model.training after model.eval():", model.training)
    # --8<-- [end:modes]

    # --8<-- [start:overfit_run]
    small = noisy_subset(digits())  # 300 examples, 60 of them mislabelled
    histories = {p: train_with_dropout(small, p=p)
                 for p in (0.0, 0.2, 0.5, 0.8)}


    def last(values, k=10):
        return sum(values[-k:]) / k  # mean of the last k epochs: less noise


    print(f"{'p':>4}{'train loss':>12}{'val loss':>10}{'lowest val loss':>19}"
          f"{'val accuracy':>14}")
    for p, h in histories.items():
        best = min(range(len(h["val_loss"])), key=h["val_loss"].__getitem__)
        lowest = f"{h['val_loss'][best]:.3f}, epoch {best + 1}"
        print(f"{p:>4}{last(h['train_loss']):>12.3f}"
              f"{last(h['val_loss']):>10.3f}"
              f"{lowest:>19}{last(h['val_acc']):>14.3f}")
    # --8<-- [end:overfit_run]

    # --8<-- [start:figure]
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(10, 3.2), sharey=True)
    for ax, (p, h) in zip(axes, histories.items()):
        epochs = range(1, len(h["val_loss"]) + 1)
        ax.plot(epochs, h["train_loss"], label="training")
        ax.plot(epochs, h["val_loss"], label="validation")
        ax.set(title=f"p = {p}", xlabel="epoch", ylim=(0, 1.5))
        ax.grid(True)
    axes[0].set(ylabel="cross-entropy loss")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure]

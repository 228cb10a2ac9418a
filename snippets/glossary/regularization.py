"""Glossary: the regularization coefficient lambda (L2 and weight decay).

An L2 penalty and decoupled weight decay, written from scratch in NumPy
and checked against torch.optim: the same for SGD, different for Adam.
Then the train/validation gap against lambda on the glossary's shared
digits task. The page docs/glossary/regularization.md shows the sections
of this script; importing it runs nothing, and
``python -m snippets.glossary.regularization`` runs every experiment of
the page.
"""

from snippets.glossary.digits_task import digits, fit, mlp

# --8<-- [start:penalty]
import math
from numbers import Real

import numpy as np

# A small linear regression whose three inputs have very different scales
rng = np.random.default_rng(0)
X = rng.normal(size=(50, 3)) * np.array([0.1, 1.0, 10.0])  # (n, 3)
y = X @ np.array([2.0, -1.0, 0.5]) + 0.1 * rng.normal(size=50)  # (n,)


def grad(w):
    """Gradient of the data loss L(w) = |X w - y|^2 / (2 n)."""
    return X.T @ (X @ w - y) / len(y)


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


def train(*, adam, decoupled, weight_decay=0.1, lr=0.01, num_steps=300,
          betas=(0.9, 0.999), eps=1e-8):
    """w after num_steps of SGD or Adam from w = 0, regularized by
    weight_decay (lambda) in one of two ways:
    decoupled=False: L2 penalty, the gradient g of L becomes g + lambda w;
    decoupled=True:  weight decay, w <- w (1 - lr lambda) before the step."""
    check_real("weight_decay", weight_decay, low=0)
    check_real("lr", lr, low=0, low_open=True)
    check_int("num_steps", num_steps, low=1)
    beta1, beta2 = betas
    w, m, v = np.zeros(3), 0.0, 0.0
    for t in range(1, num_steps + 1):
        g = grad(w)
        if decoupled:
            w = w * (1 - lr * weight_decay)  # shrink, apart from the gradient
        else:
            g = g + weight_decay * w  # the gradient of lambda/2 |w|^2
        if not adam:
            w = w - lr * g
            continue
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + eps
        w = w - lr / (1 - beta1**t) * m / denom  # Adam divides by sqrt(v)
    return w
# --8<-- [end:penalty]


# --8<-- [start:penalty_torch]
import numpy as np
import torch

# The same linear regression, in float64
rng = np.random.default_rng(0)
X = rng.normal(size=(50, 3)) * np.array([0.1, 1.0, 10.0])
y = X @ np.array([2.0, -1.0, 0.5]) + 0.1 * rng.normal(size=50)
X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)


def train_torch(make, *, l2_in_loss=0.0, num_steps=300):
    """w after num_steps of the optimizer make([w]) from w = 0, on the
    loss L(w) + l2_in_loss / 2 |w|^2."""
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    opt = make([w])
    for _ in range(num_steps):
        loss = ((X_t @ w - y_t) ** 2).sum() / (2 * len(y_t))
        loss = loss + l2_in_loss / 2 * (w**2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return w.detach()
# --8<-- [end:penalty_torch]


if __name__ == "__main__":
    # --8<-- [start:defaults]
    import inspect

    import torch

    for cls in (torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW):
        default = inspect.signature(cls).parameters["weight_decay"].default
        print(f"torch.optim.{cls.__name__}: weight_decay={default}")
    # --8<-- [end:defaults]

    # --8<-- [start:penalty_run]
    weight_decay = 0.1  # lambda
    runs = {
        "SGD,   L2 penalty": train(adam=False, decoupled=False,
                                   weight_decay=weight_decay),
        "SGD,   weight decay": train(adam=False, decoupled=True,
                                     weight_decay=weight_decay),
        "Adam,  L2 penalty": train(adam=True, decoupled=False,
                                   weight_decay=weight_decay, lr=0.05),
        "AdamW, weight decay": train(adam=True, decoupled=True,
                                     weight_decay=weight_decay, lr=0.05),
        # for reference, the exact minima of L and of L + lam/2 |w|^2
        "minimum of L": np.linalg.solve(X.T @ X, X.T @ y),
        "minimum of L + lam/2 |w|^2": np.linalg.solve(
            X.T @ X / len(y) + weight_decay * np.eye(3), X.T @ y / len(y)),
    }
    print(f"lambda = {weight_decay}, 300 steps from w = 0"
          "       w1       w2       w3")
    for name, w in runs.items():
        print(f"{name:<35} {w[0]:>8.4f} {w[1]:>8.4f} {w[2]:>8.4f}")
    for kind in ("SGD", "Adam"):
        a, b = (w for name, w in runs.items() if name.startswith(kind))
        difference = np.abs(a - b).max()  # 1e-16 or so is rounding
        verdict = ("the same" if difference < 1e-12
                   else f"differ by up to {difference:.2g}")
        print(f"{kind}: L2 penalty vs weight decay: {verdict}")
    # --8<-- [end:penalty_run]

    # --8<-- [start:penalty_torch_run]
    weight_decay = 0.1  # lambda
    runs_torch = {
        "SGD,  L2 penalty in the loss": train_torch(
            lambda ps: torch.optim.SGD(ps, lr=0.01),
            l2_in_loss=weight_decay),
        f"SGD(weight_decay={weight_decay})": train_torch(
            lambda ps: torch.optim.SGD(ps, lr=0.01,
                                       weight_decay=weight_decay)),
        "Adam, L2 penalty in the loss": train_torch(
            lambda ps: torch.optim.Adam(ps, lr=0.05),
            l2_in_loss=weight_decay),
        f"Adam(weight_decay={weight_decay})": train_torch(
            lambda ps: torch.optim.Adam(ps, lr=0.05,
                                        weight_decay=weight_decay)),
        f"AdamW(weight_decay={weight_decay})": train_torch(
            lambda ps: torch.optim.AdamW(ps, lr=0.05,
                                         weight_decay=weight_decay)),
    }
    print(f"lambda = {weight_decay}, 300 steps from w = 0"
          "       w1       w2       w3")
    for name, w in runs_torch.items():
        print(f"{name:<35} {w[0]:>8.4f} {w[1]:>8.4f} {w[2]:>8.4f}")
    names = list(runs_torch)
    for i, j in ((0, 1), (2, 3), (3, 4)):
        difference = (runs_torch[names[i]] - runs_torch[names[j]]).abs().max()
        verdict = ("the same" if difference < 1e-12
                   else f"differ by up to {difference:.2g}")
        print(f"{names[i]} vs {names[j]}: {verdict}")
    # --8<-- [end:penalty_torch_run]

    # --8<-- [start:sweep]
    (X_train, y_train), validation, test = digits()
    # 100 training images (of 1078): easy to over-fit
    small = ((X_train[:100], y_train[:100]), validation, test)
    histories = {}
    print("  lambda  train loss  val loss  gap (val - train)  val acc")
    for weight_decay in (0.0, 1e-4, 1e-3, 1e-2, 1e-1):  # lambda
        model = mlp(hidden=256)  # wide: many weights for 100 images
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9,
                                    weight_decay=weight_decay)
        history = fit(model, small, optimizer=optimizer, num_epochs=100)
        histories[weight_decay] = history
        train_loss, val_loss = (history["train_loss"][-1],
                                history["val_loss"][-1])
        print(f"{weight_decay:>8} {train_loss:>11.3f} {val_loss:>9.3f}"
              f" {val_loss - train_loss:>18.3f}"
              f" {history['val_acc'][-1]:>8.3f}")
    # --8<-- [end:sweep]

    # --8<-- [start:figure]
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8))
    epochs = range(1, 101)
    for weight_decay, label in ((0.0, "too small"), (1e-3, "about right"),
                                (1e-1, "too large")):
        line, = left.plot(epochs, histories[weight_decay]["val_loss"],
                          label=f"lambda = {weight_decay} ({label})")
        left.plot(epochs, histories[weight_decay]["train_loss"], ls="--",
                  color=line.get_color())
    left.set(xlabel="epoch", ylabel="loss (log scale)", yscale="log",
             title="validation (solid) and training (dashed)")
    left.legend(fontsize=8)
    weight_decays = list(histories)  # the lambdas of the sweep
    ticks = range(len(weight_decays))
    for key, name in (("train_loss", "training"), ("val_loss", "validation")):
        final = [histories[weight_decay][key][-1]
                 for weight_decay in weight_decays]
        right.plot(ticks, final, marker="o", label=name)
    right.set(xticks=ticks, xticklabels=list(map(str, weight_decays)),
              xlabel="lambda (weight_decay)", ylabel="loss after 100 epochs",
              yscale="log", title="final losses")
    right.legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure]

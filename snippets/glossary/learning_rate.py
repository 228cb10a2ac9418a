"""Glossary: the learning rate.

Gradient descent w <- w - lr * grad, from scratch and with torch.optim.SGD;
the largest stable rate 2 / lambda_max on an ill-conditioned quadratic;
and a sweep of the rate on the shared digits task. The page
docs/glossary/learning-rate.md shows the sections of this script;
importing it runs nothing, and ``python -m snippets.glossary.learning_rate``
runs every experiment of the page.
"""

# The shared task; the page shows it folded, above the experiments (and
# its torch import serves them).
import torch

from snippets.glossary.digits_task import digits, fit, mlp

# --8<-- [start:gd]
import math
from numbers import Real

import numpy as np


def gradient_descent(grad, w, *, lr=0.01, num_steps=100):
    """Repeat w <- w - lr * grad(w); returns the path, one row per step
    (num_steps + 1 rows: the start, then each step)."""
    check_real("lr", lr, low=0, low_open=True)
    check_int("num_steps", num_steps, low=0)
    w = np.array(w, dtype=float)
    path = [w]
    for _ in range(num_steps):
        w = w - lr * grad(w)
        path.append(w)
    return np.array(path)


# f(w) = 1/2 w^T A w: a long, narrow valley with its minimum at w = 0.
# A has eigenvalues 1 (along (1, 2), the valley floor) and 20 (along
# (2, -1), across it): 20 times steeper across than along.
A = np.array([[16.2, -7.6],
              [-7.6, 4.8]])
w0 = np.array([-4.0, -1.0])


def f(w):
    return 0.5 * w @ A @ w


def grad_f(w):
    return A @ w  # the gradient of 1/2 w^T A w, A symmetric


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
# --8<-- [end:gd]


# --8<-- [start:sweep]
def dead_units(model, X):
    """Hidden ReLU units that output 0 for every row of X."""
    with torch.no_grad():
        hidden = model[1](model[0](X))  # (n, hidden) after the ReLU
    return int((hidden.max(dim=0).values == 0).sum())


def lr_sweep(lrs, *, num_epochs=10, seed=0):
    """Train the shared MLP with plain SGD once per learning rate."""
    data = digits()
    results = []
    for lr in lrs:
        model = mlp(seed=seed)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        history = fit(model, data, optimizer=optimizer,
                      num_epochs=num_epochs, seed=seed)
        results.append((lr, history, dead_units(model, data[0][0])))
    return results
# --8<-- [end:sweep]


if __name__ == "__main__":
    # --8<-- [start:defaults]
    import inspect

    import torch

    for optimizer in (torch.optim.SGD, torch.optim.Adam):
        default = inspect.signature(optimizer).parameters["lr"].default
        print(f"torch.optim.{optimizer.__name__}: lr = {default}")
    # --8<-- [end:defaults]

    # --8<-- [start:gd_run]
    path = gradient_descent(grad_f, w0, lr=0.05, num_steps=100)
    print("after   1 step: w =", np.round(path[1], 6),
          f"f(w) = {f(path[1]):.6f}")
    print("after 100 steps: w =", np.round(path[-1], 6),
          f"f(w) = {f(path[-1]):.3e}")
    # --8<-- [end:gd_run]

    # --8<-- [start:gd_torch]
    import torch

    # its own names: the NumPy tab's A and w are arrays, and a notebook of
    # this page runs both tabs
    A_torch = torch.tensor([[16.2, -7.6],
                            [-7.6, 4.8]], dtype=torch.float64)
    w = torch.tensor([-4.0, -1.0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.05)

    for step in range(1, 101):
        optimizer.zero_grad()
        loss = 0.5 * w @ A_torch @ w  # f(w) = 1/2 w^T A w
        loss.backward()  # w.grad = A_torch w
        optimizer.step()  # w <- w - lr * w.grad
        if step in (1, 100):
            value = (0.5 * w @ A_torch @ w).item()
            size = f"{value:.6f}" if step == 1 else f"{value:.3e}"
            print(f"after {step:>3} step{'s' if step > 1 else ''}: w =",
                  w.detach().numpy().round(6), f"f(w) = {size}")
    # --8<-- [end:gd_torch]

    # --8<-- [start:stability]
    lam = np.linalg.eigvalsh(A)  # eigenvalues of the symmetric A, ascending
    lam_max = lam[-1]
    print(f"eigenvalues of A: {lam[0]:.4g} and {lam_max:.4g}")
    print(f"largest stable learning rate 2 / lambda_max = {2 / lam_max:.4g}")
    print()
    print("   lr   |1 - lr*1|  |1 - lr*20|   |w| after 100 steps")
    for lr in (0.01, 0.05, 0.095, 0.105):
        w_end = gradient_descent(grad_f, w0, lr=lr, num_steps=100)[-1]
        print(f"{lr:6.3f} {abs(1 - lr * lam[0]):10.3f} "
              f"{abs(1 - lr * lam_max):11.3f} {np.linalg.norm(w_end):17.3g}")
    # --8<-- [end:stability]

    # --8<-- [start:paths_figure]
    import matplotlib.pyplot as plt

    u = np.linspace(-5, 5, 201)
    U, V = np.meshgrid(u, u)
    F = 0.5 * (A[0, 0] * U**2 + 2 * A[0, 1] * U * V + A[1, 1] * V**2)

    fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.4), sharey=True)
    for ax, lr, label in zip(axes, (0.01, 0.095, 0.105),
                             ("too small", "just below 2/20", "just above")):
        p = gradient_descent(grad_f, w0, lr=lr, num_steps=40)
        ax.contour(U, V, F, levels=np.geomspace(0.5, 300, 9), colors="grey",
                   linewidths=0.6)
        ax.plot(p[:, 0], p[:, 1], marker=".", ms=4, lw=0.9)
        ax.plot(0, 0, "k+", ms=10)  # the minimum
        ax.set(title=f"lr = {lr} ({label})", xlabel="$w_1$",
               xlim=(-5, 5), ylim=(-5, 5), aspect="equal")
    axes[0].set_ylabel("$w_2$")
    fig.tight_layout()
    plt.show()
    # --8<-- [end:paths_figure]

    # --8<-- [start:sweep_run]
    lrs = [float(lr) for lr in np.logspace(-4, 1, 11)]  # 1e-4 ... 10
    results = lr_sweep(lrs)
    print("      lr  train loss  val loss  val acc  dead units (of 64)")
    for lr, h, dead in results:
        print(f"{lr:8.2g} {h['train_loss'][-1]:11.3f} {h['val_loss'][-1]:9.3f}"
              f" {h['val_acc'][-1]:8.3f} {dead:11d}")
    # --8<-- [end:sweep_run]

    # --8<-- [start:sweep_figure]
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 3.6))
    left.semilogx(lrs, [h["val_loss"][-1] for _, h, _ in results], "o-",
                  label="validation loss")
    left.semilogx(lrs, [h["val_acc"][-1] for _, h, _ in results], "s--",
                  label="validation accuracy")
    left.set(xlabel="learning rate (log scale)", title="after 10 epochs")
    left.legend(fontsize=8)
    for lr, h, _ in results:
        if lr in (lrs[2], lrs[6], lrs[8], lrs[9]):  # 1e-3, 0.1, 1, 3.16
            right.plot(range(1, 11), h["val_loss"], marker=".",
                       label=f"lr = {lr:.3g}")
    right.set(xlabel="epoch", ylabel="validation loss", title="per epoch")
    right.legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:sweep_figure]

"""Glossary: momentum, the heavy ball (Polyak) and Nesterov.

Both written from scratch in NumPy, checked against torch.optim.SGD, on an
ill-conditioned quadratic; the effect of the momentum coefficient there and
on the glossary's shared digits task. The page docs/glossary/momentum.md
shows the sections of this script; importing it runs nothing, and
``python -m snippets.glossary.momentum`` runs every experiment of the page.
"""

from snippets.glossary.digits_task import digits, fit, mlp

# --8<-- [start:momentum]
import math
from numbers import Real

import numpy as np

A = np.array([1.0, 100.0])  # curvatures: flat along w1, steep along w2


def loss(w):
    """f(w) = (1 w1^2 + 100 w2^2) / 2, minimum 0 at w = (0, 0)."""
    return 0.5 * np.sum(A * w**2, axis=-1)


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


def descend(w0=(-4.0, 1.0), *, lr=0.01, momentum=0.9, nesterov=False,
            num_steps=3000):
    """Gradient descent with momentum in torch.optim.SGD's form: the buffer
    b starts as the first gradient, then b <- momentum * b + g; the step
    is -lr * b (heavy ball) or -lr * (g + momentum * b) (Nesterov).
    Returns the path, shape (num_steps + 1, 2)."""
    check_real("lr", lr, low=0, low_open=True)
    check_real("momentum", momentum, low=0, high=1, high_open=True)
    if nesterov and momentum == 0:
        raise ValueError("nesterov=True needs momentum in (0, 1), "
                         "got momentum=0")
    check_int("num_steps", num_steps, low=1)
    w, b = np.array(w0, dtype=float), None
    path = [w]
    for _ in range(num_steps):
        g = A * w  # the gradient of f
        if momentum > 0:
            b = g.copy() if b is None else momentum * b + g
            g = g + momentum * b if nesterov else b
        w = w - lr * g
        path.append(w)
    return np.array(path)


def steps_to(path, *, tol=1e-8):
    """The first step at which f < tol, or None if it never gets there."""
    check_real("tol", tol, low=0, low_open=True)
    with np.errstate(over="ignore", invalid="ignore"):  # diverged runs
        below = np.flatnonzero(loss(path) < tol)
    return int(below[0]) if below.size else None
# --8<-- [end:momentum]


# --8<-- [start:torch]
import torch

A_torch = torch.tensor([1.0, 100.0], dtype=torch.float64)  # curvatures


def steps_to_torch(*, lr, momentum, nesterov, tol=1e-8, max_steps=3000):
    """Steps of torch.optim.SGD until f < tol, from w = (-4, 1)."""
    w = torch.tensor([-4.0, 1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, momentum=momentum, nesterov=nesterov)
    for step in range(max_steps):
        f = 0.5 * (A_torch * w**2).sum()
        if f.item() < tol:
            return step
        opt.zero_grad()
        f.backward()  # w.grad = A_torch * w
        opt.step()
    return None
# --8<-- [end:torch]


# --8<-- [start:critical]
def rates(*, lr, momentum, curvature):
    """The two factors r by which the heavy ball's error along a
    direction of curvature λ changes per step: the roots of
    r^2 - (1 + μ - ηλ) r + μ = 0. Real roots: the ball creeps (or flips,
    if negative); complex ones: it swings, shrinking by |r| = √μ."""
    check_real("lr", lr, low=0, low_open=True)
    check_real("momentum", momentum, low=0, high=1, high_open=True)
    check_real("curvature", curvature, low=0, low_open=True)
    return np.roots([1.0, -(1 + momentum - lr * curvature), momentum])


def critical_momentum(*, lr, curvature):
    """The μ where the two roots meet, (1 - √(ηλ))^2: the least
    momentum at which the ball swings, and the one whose error shrinks
    fastest in the long run, by 1 - √(ηλ) a step (needs ηλ < 1)."""
    check_real("lr", lr, low=0, low_open=True)
    check_real("curvature", curvature, low=0, low_open=True)
    if lr * curvature >= 1:
        raise ValueError(f"lr * curvature must be below 1, got "
                         f"{lr * curvature:g}")
    return (1 - math.sqrt(lr * curvature)) ** 2
# --8<-- [end:critical]


if __name__ == "__main__":
    # --8<-- [start:defaults]
    import inspect

    import torch

    params = inspect.signature(torch.optim.SGD).parameters
    for name in ("momentum", "dampening", "nesterov"):
        print(f"torch.optim.SGD: {name}={params[name].default}")
    # --8<-- [end:defaults]

    # --8<-- [start:sweep]
    lr = 0.01
    print("           effective   steps until f < 1e-8")
    print("momentum   step size   heavy ball   Nesterov")
    for momentum in (0.0, 0.5, 0.9, 0.99):
        heavy = steps_to(descend(lr=lr, momentum=momentum))
        nesterov = (steps_to(descend(lr=lr, momentum=momentum, nesterov=True))
                    if momentum > 0 else heavy)  # the same rule at 0
        print(f"{momentum:>8} {lr / (1 - momentum):>11.2f} "
              f"{heavy:>12} {nesterov:>10}")

    # Plain gradient descent with the effective step of momentum 0.9:
    f = loss(descend(lr=0.1, momentum=0.0, num_steps=10))
    print(f"no momentum, lr = 0.1: f = {f[0]:.0f} at the start, "
          f"{f[-1]:.2e} after 10 steps")
    # --8<-- [end:sweep]

    # --8<-- [start:torch_run]
    for nesterov in (False, True):
        n = steps_to_torch(lr=0.01, momentum=0.9, nesterov=nesterov)
        print(f"momentum 0.9, nesterov={nesterov}: {n} steps to f < 1e-8")
    # --8<-- [end:torch_run]

    # --8<-- [start:critical_run]
    lr = 0.01
    mu_star = critical_momentum(lr=lr, curvature=A[0])  # the flat one
    print(f"critical momentum at lr = {lr}: {mu_star:.4g}")
    print("momentum  factor a step  steps until f < 1e-8")
    for momentum in (0.5, 0.7, 0.8, mu_star, 0.85, 0.9, 0.95):
        # the slower of the two directions sets the pace
        factor = max(abs(rates(lr=lr, momentum=momentum, curvature=a))
                     .max() for a in A)
        n = steps_to(descend(lr=lr, momentum=momentum))
        print(f"{momentum:>8.4g} {factor:>14.4f} {n:>21}")
    # --8<-- [end:critical_run]

    # --8<-- [start:figure]
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8))
    for i, (momentum, label) in enumerate(((0.0, "too small"), (0.5, "small"),
                                           (0.9, "about right"),
                                           (0.99, "too large"))):
        path = descend(momentum=momentum)
        name = f"momentum {momentum} ({label})"
        # the calmer paths on top: they lie under the wild ones
        left.plot(path[:80, 0], path[:80, 1], marker=".", ms=3, lw=0.8,
                  zorder=6 - i, label=name)
        right.semilogy(loss(path[:2001]), lw=1, label=name)
    w1, w2 = np.meshgrid(np.linspace(-4.5, 4, 200),
                         np.linspace(-1.2, 1.2, 200))
    left.contour(w1, w2, 0.5 * (A[0] * w1**2 + A[1] * w2**2), levels=12,
                 colors="grey", linewidths=0.5)
    left.set(xlabel="w1 (flat)", ylabel="w2 (steep)", title="first 80 steps")
    right.set(xlabel="step", ylabel="f (log scale)", ylim=(1e-12, 1e3),
              title="loss, heavy ball, lr = 0.01")
    right.legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure]

    # --8<-- [start:digits]
    data = digits()
    runs = {}
    print("    lr  momentum  lr/(1-momentum)  train loss  val loss  val acc")
    for lr, momentum in ((0.01, 0.0), (0.1, 0.0), (0.01, 0.9), (0.001, 0.99),
                         (0.1, 0.5), (0.1, 0.9), (0.1, 0.99)):
        model = mlp(hidden=64)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr,
                                    momentum=momentum)
        history = fit(model, data, optimizer=optimizer, num_epochs=10)
        runs[lr, momentum] = history
        print(f"{lr:>6} {momentum:>9} {lr / (1 - momentum):>16.3g}"
              f" {history['train_loss'][-1]:>11.3f}"
              f" {history['val_loss'][-1]:>9.3f}"
              f" {history['val_acc'][-1]:>8.3f}")
    # --8<-- [end:digits]

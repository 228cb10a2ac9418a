"""Glossary: the optimizer (SGD, momentum, Nesterov, Adam, AdamW).

The five update rules written from scratch in NumPy, the same runs with
torch.optim, their paths on the Rosenbrock function, and the five on the
glossary's shared digits task. The page docs/glossary/optimizer.md shows
the sections of this script; importing it runs nothing, and
``python -m snippets.glossary.optimizer`` runs every experiment of the
page.
"""

from snippets.glossary.digits_task import digits, fit, mlp

# --8<-- [start:surface]
import math
from numbers import Real

import numpy as np


def rosenbrock(p):
    """f(x, y) = (1 - x)^2 + 100 (y - x^2)^2: a curved, narrow valley
    with its minimum f = 0 at (1, 1)."""
    x, y = p
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_grad(p):
    """(df/dx, df/dy), by hand."""
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2),
                     200 * (y - x**2)])
# --8<-- [end:surface]


# --8<-- [start:optimizers]
class SGD:
    """torch.optim.SGD's update. With momentum mu, the buffer b starts as
    the first gradient and then b <- mu * b + g; the step is -lr * b
    (heavy ball) or -lr * (g + mu * b) (nesterov=True)."""

    def __init__(self, *, lr=0.01, momentum=0.0, nesterov=False):
        check_real("lr", lr, low=0, low_open=True)
        check_real("momentum", momentum, low=0, high=1, high_open=True)
        if nesterov and momentum == 0:
            raise ValueError("nesterov=True needs momentum in (0, 1), "
                             "got momentum=0")
        self.lr, self.momentum, self.nesterov = lr, momentum, nesterov
        self.b = None  # momentum buffer, shaped like the parameters

    def step(self, p, g):
        """The new parameters, from parameters p and their gradient g."""
        if self.momentum > 0:
            self.b = g.copy() if self.b is None else self.momentum * self.b + g
            g = g + self.momentum * self.b if self.nesterov else self.b
        return p - self.lr * g


class Adam:
    """torch.optim.Adam's update: running means of g and g^2, corrected
    for their start at zero, and a step of about lr per coordinate."""

    def __init__(self, *, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
        check_real("lr", lr, low=0, low_open=True)
        for name, beta in zip(("betas[0]", "betas[1]"), betas, strict=True):
            check_real(name, beta, low=0, high=1, high_open=True)
        check_real("eps", eps, low=0, low_open=True)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.t, self.m, self.v = 0, 0.0, 0.0  # step count, moments

    def step(self, p, g):
        self.t += 1
        beta1, beta2 = self.betas
        self.m = beta1 * self.m + (1 - beta1) * g  # mean of g
        self.v = beta2 * self.v + (1 - beta2) * g * g  # mean of g^2
        step_size = self.lr / (1 - beta1**self.t)  # bias correction of m
        # ... and of v; eps is added after the square root, as in torch
        denom = np.sqrt(self.v) / math.sqrt(1 - beta2**self.t) + self.eps
        return p - step_size * self.m / denom


class AdamW(Adam):
    """torch.optim.AdamW: shrink p by the factor (1 - lr * weight_decay),
    then take Adam's step on the loss gradient alone (decoupled)."""

    def __init__(self, *, lr=0.001, betas=(0.9, 0.999), eps=1e-8,
                 weight_decay=0.01):
        super().__init__(lr=lr, betas=betas, eps=eps)
        check_real("weight_decay", weight_decay, low=0)
        self.weight_decay = weight_decay

    def step(self, p, g):
        return super().step(p * (1 - self.lr * self.weight_decay), g)


def descend(opt, *, start=(-1.2, 1.0), num_steps=500):
    """The path of `opt` on the Rosenbrock function, (num_steps + 1, 2)."""
    check_int("num_steps", num_steps, low=1)
    p = np.array(start, dtype=float)
    path = [p]
    for _ in range(num_steps):
        p = opt.step(p, rosenbrock_grad(p))
        path.append(p)
    return np.array(path)


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
# --8<-- [end:optimizers]


# --8<-- [start:race]
def five_optimizers():
    """Fresh optimizers, at learning rates that suit this surface."""
    return {
        "SGD": SGD(lr=1e-3),
        "momentum": SGD(lr=1e-3, momentum=0.9),
        "Nesterov": SGD(lr=1e-3, momentum=0.9, nesterov=True),
        "Adam": Adam(lr=0.1),
        "AdamW": AdamW(lr=0.1, weight_decay=0.01),
    }
# --8<-- [end:race]


# --8<-- [start:race_torch]
import torch


def rosenbrock_torch(p):
    """f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, minimum 0 at (1, 1)."""
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def descend_torch(make, *, start=(-1.2, 1.0), num_steps=500):
    """The path of optimizer `make([p])` on the Rosenbrock function."""
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = make([p])
    path = [p.detach().clone()]
    for _ in range(num_steps):
        opt.zero_grad()
        rosenbrock_torch(p).backward()  # autograd fills p.grad
        opt.step()
        path.append(p.detach().clone())
    return torch.stack(path)
# --8<-- [end:race_torch]


if __name__ == "__main__":
    # --8<-- [start:defaults]
    import inspect

    import torch

    shown = ("lr", "momentum", "dampening", "nesterov", "betas", "eps",
             "weight_decay")
    for cls in (torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW):
        params = inspect.signature(cls).parameters
        defaults = [f"{k}={params[k].default}" for k in shown if k in params]
        print(f"{cls.__name__:<5}: {', '.join(defaults)}")
    # --8<-- [end:defaults]

    # --8<-- [start:race_run]
    paths = {name: descend(opt) for name, opt in five_optimizers().items()}
    print("500 steps from (-1.2, 1.0); the minimum is f = 0 at (1, 1)")
    for name, path in paths.items():
        x, y = path[-1]
        print(f"{name:<9} ends at ({x:.4f}, {y:.4f}), "
              f"f = {rosenbrock(path[-1]):.2e}")
    # --8<-- [end:race_run]

    # --8<-- [start:race_torch_run]
    makers = {
        "SGD": lambda ps: torch.optim.SGD(ps, lr=1e-3),
        "momentum": lambda ps: torch.optim.SGD(ps, lr=1e-3, momentum=0.9),
        "Nesterov": lambda ps: torch.optim.SGD(ps, lr=1e-3, momentum=0.9,
                                               nesterov=True),
        "Adam": lambda ps: torch.optim.Adam(ps, lr=0.1),
        "AdamW": lambda ps: torch.optim.AdamW(ps, lr=0.1, weight_decay=0.01),
    }
    print("500 steps from (-1.2, 1.0); the minimum is f = 0 at (1, 1)")
    for name, make in makers.items():
        end = descend_torch(make)[-1]
        print(f"{name:<9} ends at ({end[0]:.4f}, {end[1]:.4f}), "
              f"f = {rosenbrock_torch(end).item():.2e}")
    # --8<-- [end:race_torch_run]

    # --8<-- [start:figure]
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8))
    xs, ys = np.meshgrid(np.linspace(-1.6, 1.4, 200),
                         np.linspace(-0.4, 1.6, 200))
    left.contour(xs, ys, rosenbrock((xs, ys)),
                 levels=np.geomspace(0.1, 300, 8),
                 colors="grey", linewidths=0.5)
    for name, path in paths.items():
        wide = name == "SGD"  # drawn over the others, which pass where it ends
        left.plot(path[:, 0], path[:, 1], lw=2.5 if wide else 1.2,
                  zorder=3 if wide else 2, label=name)
        right.semilogy([rosenbrock(p) for p in path], label=name)
    left.plot(-1.2, 1.0, "ko", ms=4)  # the common start
    left.plot(1, 1, "k*", ms=10)  # the minimum
    left.set(xlabel="x", ylabel="y", title="paths on the Rosenbrock valley")
    right.set(xlabel="step", ylabel="f (log scale)", title="loss")
    right.legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure]

    # --8<-- [start:digits]
    data = digits()
    settings = [  # (name, class, typical hyperparameters)
        ("SGD", torch.optim.SGD, dict(lr=0.01)),
        ("SGD", torch.optim.SGD, dict(lr=0.1)),
        ("momentum", torch.optim.SGD, dict(lr=0.01, momentum=0.9)),
        ("Nesterov", torch.optim.SGD, dict(lr=0.01, momentum=0.9,
                                            nesterov=True)),
        ("Adam", torch.optim.Adam, dict(lr=0.001)),
        ("AdamW", torch.optim.AdamW, dict(lr=0.001, weight_decay=0.01)),
    ]
    histories = {}
    print("optimizer  settings                     "
          "train loss  val loss  val acc")
    for name, cls, kwargs in settings:
        model = mlp(hidden=64)
        optimizer = cls(model.parameters(), **kwargs)
        history = fit(model, data, optimizer=optimizer, num_epochs=10)
        args = ", ".join(f"{k}={v}" for k, v in kwargs.items()
                         if k != "nesterov")
        histories[f"{name} ({args})"] = history
        print(f"{name:<10} {args:<28} {history['train_loss'][-1]:>10.3f}"
              f" {history['val_loss'][-1]:>9.3f}"
              f" {history['val_acc'][-1]:>8.3f}")
    # --8<-- [end:digits]

    # --8<-- [start:digits_figure]
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    epochs = range(1, 11)
    for label, history in histories.items():
        ax.plot(epochs, history["val_loss"], marker=".", label=label)
    ax.set(xlabel="epoch", ylabel="validation loss", xticks=epochs,
           title="the shared digits task, 10 epochs")
    ax.legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:digits_figure]

"""1986: one neuron trained by backpropagation, and its learning rate.

The model is f(X) = w * sigmoid(v * X + b) with one input X = 2 and one
target Y = 0.8. The page docs/history/1986-backprop.md shows the sections
of this script; importing it runs nothing, and
``python -m snippets.history.backprop_1986`` runs every experiment of the
page.
"""

# --8<-- [start:model]
import math
from numbers import Real

import numpy as np


def sigmoid(z):
    """1 / (1 + e^-z), safe for any z: e^-|z| never overflows."""
    e = np.exp(-np.abs(z))  # in (0, 1]
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def forward(w, v, b, X):
    """Prediction y_pred = w * a, where a = sigmoid(v * X + b)."""
    a = sigmoid(v * X + b)  # hidden activation, in (0, 1)
    return w * a, a


def loss(w, v, b, X, Y):
    """Squared error L = 1/2 (Y - y_pred)^2."""
    y_pred, _ = forward(w, v, b, X)
    return 0.5 * (Y - y_pred) ** 2


def gradients(w, v, b, X, Y):
    """dL/dw, dL/dv, dL/db by the chain rule (backpropagation)."""
    y_pred, a = forward(w, v, b, X)
    dL_dy = -(Y - y_pred)  # dL/dy_pred
    da_dz = a * (1 - a)  # sigmoid'(z), written with its output a
    dw = dL_dy * a
    dv = dL_dy * w * da_dz * X
    db = dL_dy * w * da_dz
    return dw, dv, db


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


def sgd_step(w, v, b, *, X, Y, lr):
    """One step of gradient descent: each parameter moves by -lr * grad."""
    check_real("lr", lr, low=0, low_open=True)
    dw, dv, db = gradients(w, v, b, X, Y)
    return float(w - lr * dw), float(v - lr * dv), float(b - lr * db)
# --8<-- [end:model]


# --8<-- [start:gradcheck]
def numeric_gradients(w, v, b, X, Y, *, h=1e-6):
    """Central differences (L(p + h) - L(p - h)) / 2h; error is O(h^2)."""
    check_real("h", h, low=0, low_open=True)
    p = np.array([w, v, b], dtype=float)
    grads = []
    for i in range(3):
        step = np.zeros(3)
        step[i] = h
        up, down = loss(*(p + step), X, Y), loss(*(p - step), X, Y)
        grads.append(float((up - down) / (2 * h)))
    return tuple(grads)
# --8<-- [end:gradcheck]


# --8<-- [start:gradcheck_torch]
import torch


def loss_of(p):
    """The neuron's loss as a function of p = (w, v, b)."""
    X, Y = 2.0, 0.8
    return 0.5 * (Y - p[0] * torch.sigmoid(p[1] * X + p[2])) ** 2
# --8<-- [end:gradcheck_torch]


# --8<-- [start:train]
def train(w, v, b, *, X, Y, lr, max_steps=10_000, tol=1e-6):
    """Step until |Y - y_pred| < tol; returns (num_steps or None, errors)."""
    check_real("lr", lr, low=0, low_open=True)
    check_int("max_steps", max_steps, low=1)
    check_real("tol", tol, low=0, low_open=True)
    errors = []  # Y - y_pred before each step
    for step in range(max_steps):
        error = float(Y - forward(w, v, b, X)[0])
        errors.append(error)
        if abs(error) < tol:
            return step, errors
        w, v, b = sgd_step(w, v, b, X=X, Y=Y, lr=lr)
    return None, errors


def outcome(num_steps, errors):
    """Say in words how a run ended."""
    if num_steps is not None:
        return f"converged in {num_steps} steps"
    last = errors[-2:]
    if last[0] * last[1] < 0:  # the error keeps changing sign
        return f"oscillates between {last[0]:+.2f} and {last[1]:+.2f}"
    return f"stuck at error {last[1]:+.4f}"


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
# --8<-- [end:train]


if __name__ == "__main__":
    # --8<-- [start:one_step]
    w, v, b = sgd_step(0.5, 0.3, -0.2, X=2.0, Y=0.8, lr=0.01)
    print(f"w={w}, v={v}, b={b}")
    # --8<-- [end:one_step]

    # --8<-- [start:autograd]
    import torch

    X, Y, lr = 2.0, 0.8, 0.01
    w = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    v = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-0.2, dtype=torch.float64, requires_grad=True)

    y_pred = w * torch.sigmoid(v * X + b)
    L = 0.5 * (Y - y_pred) ** 2
    L.backward()  # fills w.grad, v.grad, b.grad by reverse-mode autodiff
    print(f"dL/dw={w.grad.item():.6f}, dL/dv={v.grad.item():.6f}, "
          f"dL/db={b.grad.item():.6f}")

    optimizer = torch.optim.SGD([w, v, b], lr=lr)
    optimizer.step()  # p <- p - lr * p.grad, for each parameter
    print(f"w={w.item()}, v={v.item()}, b={b.item()}")
    # --8<-- [end:autograd]

    # --8<-- [start:gradcheck_run]
    analytic = gradients(0.5, 0.3, -0.2, 2.0, 0.8)
    numeric = numeric_gradients(0.5, 0.3, -0.2, 2.0, 0.8)
    for name, g, n in zip(("dL/dw", "dL/dv", "dL/db"), analytic, numeric):
        print(f"{name}: chain rule {g:+.10f}   finite difference {n:+.10f}")
    # --8<-- [end:gradcheck_run]

    # --8<-- [start:gradcheck_torch_run]
    p = torch.tensor([0.5, 0.3, -0.2], dtype=torch.float64, requires_grad=True)
    # Compares autograd with finite differences
    # (eps=1e-6, atol=1e-5, rtol=1e-3)
    print("torch.autograd.gradcheck:", torch.autograd.gradcheck(loss_of, (p,)))
    # --8<-- [end:gradcheck_torch_run]

    # --8<-- [start:train_run]
    for lr in (0.01, 0.1, 1.0, 2.0, 3.0, 10.0):
        num_steps, errors = train(0.5, 0.3, -0.2, X=2.0, Y=0.8, lr=lr)
        print(f"lr = {lr:>5}: {outcome(num_steps, errors)}")
    # --8<-- [end:train_run]

    # --8<-- [start:figure]
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    for lr, label in ((0.1, "too small"), (1.0, "good"),
                      (3.0, "too large"), (10.0, "diverges")):
        _, errors = train(0.5, 0.3, -0.2, X=2.0, Y=0.8, lr=lr, max_steps=200)
        left.plot(errors[:25], marker=".", label=f"lr = {lr} ({label})")
        right.semilogy(np.abs(errors), label=f"lr = {lr}")
    left.axhline(0, color="grey", lw=0.8)
    left.set(xlabel="step", ylabel="error  Y - y_pred",
             title="first 25 steps")
    right.set(xlabel="step", ylabel="|error| (log scale)",
              title="200 steps", ylim=(1e-7, 10))
    left.legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure]

    # --8<-- [start:stability]
    num_steps, _ = train(0.5, 0.3, -0.2, X=2.0, Y=0.8, lr=1.0)
    w, v, b = 0.5, 0.3, -0.2
    for _ in range(num_steps):
        w, v, b = sgd_step(w, v, b, X=2.0, Y=0.8, lr=1.0)

    # At a zero-loss point the Hessian of L is J J^T, where J is the gradient
    # of y_pred; its one non-zero eigenvalue is |J|^2.
    _, a = forward(w, v, b, 2.0)
    J = np.array([a, w * a * (1 - a) * 2.0, w * a * (1 - a)])
    curvature = float(J @ J)
    print(f"solution: w={w:.4f}, v={v:.4f}, b={b:.4f}")
    print(f"curvature |J|^2 = {curvature:.4f}")
    print(f"largest stable learning rate 2/|J|^2 = {2 / curvature:.2f}")
    # --8<-- [end:stability]

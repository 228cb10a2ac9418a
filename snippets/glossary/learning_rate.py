"""Glossary: the learning rate.

Gradient descent w <- w - lr * grad, from scratch and with torch.optim.SGD;
the largest stable rate 2 / lambda_max on an ill-conditioned quadratic;
a sweep of the rate on the shared digits task, and the range test that
finds its regimes in one run (from scratch and with torch.optim.SGD).
The page docs/glossary/learning-rate.md shows the sections of this
script; importing it runs nothing, and
``python -m snippets.glossary.learning_rate`` runs every experiment of the
page.
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


# --8<-- [start:range_test]
def range_test(step, *, lr_min=1e-4, lr_max=10.0, num_steps=100,
               beta=0.9):
    """Smith's learning-rate range test: one run whose rate grows by the
    same factor every step, from lr_min to lr_max, one mini-batch each.
    step(lr) takes one step at that rate and returns its batch's loss.
    Returns the rates and the smoothed losses; it stops early once the
    smoothed loss is 4 times its lowest (the run has blown up)."""
    check_real("lr_min", lr_min, low=0, low_open=True)
    check_real("lr_max", lr_max, low=lr_min, low_open=True)
    check_int("num_steps", num_steps, low=2)
    check_real("beta", beta, low=0, high=1, high_open=True)
    growth = (lr_max / lr_min) ** (1 / (num_steps - 1))  # per step
    lrs, smoothed, avg = [], [], 0.0
    for t in range(num_steps):
        lr = lr_min * growth**t
        avg = beta * avg + (1 - beta) * step(lr)  # a running mean of
        lrs.append(lr)  # the noisy batch losses, without its start at 0:
        smoothed.append(avg / (1 - beta ** (t + 1)))
        if not smoothed[-1] <= 4 * min(smoothed):  # NaN fails it too
            break
    return np.array(lrs), np.array(smoothed)


def steepest(lrs, smoothed):
    """The rate at which the smoothed loss falls fastest per decade,
    before its lowest point: the rate the test suggests."""
    low = int(np.argmin(smoothed))
    if low < 2:
        return float(lrs[low])  # no fall to measure
    slope = np.gradient(smoothed[:low + 1], np.log10(lrs[:low + 1]))
    return float(lrs[int(np.argmin(slope))])


def report(lrs, smoothed):
    """Print every tenth step of a range test, its last, and the rate
    it suggests."""
    print("  step        lr  smoothed loss")
    for t in [*range(0, len(lrs), 10), len(lrs) - 1]:
        print(f"{t:6d} {lrs[t]:9.3g} {smoothed[t]:14.3f}")
    low = int(np.argmin(smoothed))
    print(f"lowest at lr = {lrs[low]:.3g}; steepest fall at lr = "
          f"{steepest(lrs, smoothed):.3g}")


def numpy_sgd_step(params, data, *, batch_size=32, seed=0):
    """step(lr) for range_test, from scratch: one SGD step of the MLP
    64 -> ReLU hidden -> 10 whose params are [W1 (64, h), b1 (h,),
    W2 (h, 10), b2 (10,)] (float64, updated in place), on a random
    mini-batch of the training set; returns the batch's loss."""
    check_int("batch_size", batch_size, low=1)
    (X, y), _, _ = data
    X, y = X.double().numpy(), y.numpy()
    rng = np.random.default_rng(seed)  # which examples each step sees
    W1, b1, W2, b2 = params

    def step(lr):
        i = rng.integers(len(X), size=batch_size)
        h = np.maximum(X[i] @ W1 + b1, 0)  # (B, h)
        z = h @ W2 + b2  # (B, 10) scores
        z = z - z.max(axis=1, keepdims=True)  # softmax without overflow
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[np.arange(batch_size), y[i]]))
        dz = p.copy()  # d loss / d z = (p - one_hot(y)) / B
        dz[np.arange(batch_size), y[i]] -= 1
        dz /= batch_size
        dh = (dz @ W2.T) * (h > 0)  # back through the ReLU
        for w, g in ((W2, h.T @ dz), (b2, dz.sum(axis=0)),
                     (W1, X[i].T @ dh), (b1, dh.sum(axis=0))):
            w -= lr * g  # in place: params holds the new weights
        return float(loss)

    return step
# --8<-- [end:range_test]


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

    # --8<-- [start:range_test_run]
    data = digits()
    model = mlp(seed=0)  # the sweep's first weights, copied into NumPy
    params = [p.detach().double().numpy().T.copy()  # (in, out) for X @ W
              for p in model.parameters()]
    lrs, smoothed = range_test(numpy_sgd_step(params, data))
    report(lrs, smoothed)
    # --8<-- [end:range_test_run]

    # --8<-- [start:range_test_torch]
    import numpy as np
    import torch
    from torch import nn

    def torch_sgd_step(model, data, *, batch_size=32, seed=0):
        """step(lr) for range_test: torch.optim.SGD on the same batches
        as numpy_sgd_step, in float64."""
        (X, y), _, _ = data
        X = X.double()
        rng = np.random.default_rng(seed)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.0)

        def step(lr):
            optimizer.param_groups[0]["lr"] = lr  # the test sets the rate
            i = torch.from_numpy(rng.integers(len(X), size=batch_size))
            loss = nn.functional.cross_entropy(model(X[i]), y[i])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss.item()

        return step

    data = digits()
    model = mlp(seed=0).double()
    lrs, smoothed = range_test(torch_sgd_step(model, data))
    report(lrs, smoothed)
    # --8<-- [end:range_test_torch]

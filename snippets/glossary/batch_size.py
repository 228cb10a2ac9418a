"""Glossary: the batch size.

The mini-batch gradient as the average of per-example gradients, from
scratch and with torch; how its noise falls with the batch size B; and how
many steps and epochs the shared digits task needs at each B, with a fixed
learning rate and with one scaled linearly with B. The page
docs/glossary/batch-size.md shows the sections of this script; importing it
runs nothing, and ``python -m snippets.glossary.batch_size`` runs every
experiment of the page.
"""

import torch

# The shared task; the page shows it folded, above the experiments.
from snippets.glossary.digits_task import digits, fit, mlp

# --8<-- [start:minibatch]
import math
from numbers import Real

import numpy as np


def params_of(model):
    """The shared MLP's weights as float64 arrays [W1, b1, W2, b2], with
    W1: (64, hidden) and W2: (hidden, 10), so that a layer is X @ W + b."""
    first, last = model[0], model[-1]
    return [p.detach().double().numpy().T.copy() for p in
            (first.weight, first.bias, last.weight, last.bias)]


def per_example_grads(params, X, y):
    """The gradient of each example's cross-entropy loss, by backprop:
    [dW1 (n, 64, h), db1 (n, h), dW2 (n, h, 10), db2 (n, 10)]."""
    W1, b1, W2, b2 = params
    Z = X @ W1 + b1  # (n, h) pre-activations
    H = np.maximum(Z, 0)  # ReLU
    logits = H @ W2 + b2  # (n, 10)
    P = np.exp(logits - logits.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)  # softmax probabilities
    dlogits = P.copy()
    dlogits[np.arange(len(y)), y] -= 1  # d loss_i / d logits_i = p - onehot
    dZ = (dlogits @ W2.T) * (Z > 0)  # back through W2 and the ReLU
    return [X[:, :, None] * dZ[:, None, :], dZ,
            H[:, :, None] * dlogits[:, None, :], dlogits]


def minibatch_grad(params, X, y):
    """The mini-batch gradient: the average of the per-example gradients,
    which is the gradient of the mean loss over the batch."""
    return [g.mean(axis=0) for g in per_example_grads(params, X, y)]


def loss(params, X, y):
    """Mean cross-entropy of the MLP on (X, y)."""
    W1, b1, W2, b2 = params
    logits = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    top = logits.max(axis=1, keepdims=True)
    log_z = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
    return float(np.mean(log_z - logits[np.arange(len(y)), y]))


def sgd_epoch(params, X, y, *, lr=0.1, batch_size=32, order):
    """One epoch of mini-batch SGD over the examples in `order`."""
    check_int("batch_size", batch_size, low=1, high=len(X))  # 1 to all of X
    check_real("lr", lr, low=0, low_open=True)
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]  # the last batch may be smaller
        grads = minibatch_grad(params, X[idx], y[idx])
        params = [p - lr * g for p, g in zip(params, grads)]
    return params


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
# --8<-- [end:minibatch]


# --8<-- [start:noise]
def deviations(G, batch_size, *, draws=200, rng):
    """g_B - g for `draws` random mini-batches of batch_size examples
    (drawn without replacement), g the full-batch gradient. G: (n, P),
    one per-example gradient per row; returns (draws, P)."""
    check_int("batch_size", batch_size, low=1, high=len(G))
    check_int("draws", draws, low=1)
    g_full = G.mean(axis=0)
    return np.stack([G[rng.choice(len(G), batch_size, replace=False)]
                     .mean(axis=0) - g_full for _ in range(draws)])


def gradient_noise(G, batch_sizes, *, draws=200, seed=0):
    """E|g_B - g|^2, the mean squared distance between a random
    mini-batch's gradient and the full-batch gradient, for each B."""
    rng = np.random.default_rng(seed)
    return np.array([np.mean(np.sum(deviations(G, B, draws=draws, rng=rng)
                                    ** 2, axis=1)) for B in batch_sizes])
# --8<-- [end:noise]


# --8<-- [start:steps]
import math


def steps_to_reach(data, *, target, batch_size, lr, max_epochs=200,
                   seed=0):
    """Train the shared MLP with SGD until the training loss, measured
    after each epoch, is below `target`. Returns (epochs, steps, losses);
    epochs and steps are None if max_epochs was not enough."""
    check_int("batch_size", batch_size, low=1, high=len(data[0][0]))
    check_int("max_epochs", max_epochs, low=1)
    model = mlp(seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    per_epoch = math.ceil(len(data[0][0]) / batch_size)  # optimizer steps
    losses = []
    for epoch in range(1, max_epochs + 1):
        history = fit(model, data, optimizer=optimizer, num_epochs=1,
                      batch_size=batch_size, seed=seed + epoch)
        losses.append(history["train_loss"][-1])
        if losses[-1] < target:
            return epoch, epoch * per_epoch, losses
    return None, None, losses


def show(count):
    return "-" if count is None else str(count)  # "-": not reached
# --8<-- [end:steps]


# --8<-- [start:cost]
import math
import time


def seconds_per_epoch(batch_size, *, repeats=3):
    """Wall-clock seconds for one epoch of the shared task at this batch
    size, the best of `repeats` runs (timings vary; never print them in a
    test that compares output)."""
    data = digits()
    check_int("batch_size", batch_size, low=1, high=len(data[0][0]))
    best = math.inf
    for _ in range(repeats):
        model = mlp()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        start = time.perf_counter()
        fit(model, data, optimizer=optimizer, num_epochs=1,
            batch_size=batch_size)
        best = min(best, time.perf_counter() - start)
    return best
# --8<-- [end:cost]


if __name__ == "__main__":
    # --8<-- [start:defaults]
    import inspect

    from torch.utils.data import DataLoader

    default = inspect.signature(DataLoader).parameters["batch_size"].default
    print(f"torch.utils.data.DataLoader: batch_size = {default}")
    # --8<-- [end:defaults]

    # --8<-- [start:minibatch_run]
    (X, y), _, _ = digits()
    X, y = X.double().numpy(), y.numpy()  # float64 for the comparison
    params = params_of(mlp())

    g = minibatch_grad(params, X[:32], y[:32])
    norm = np.sqrt(sum((gi ** 2).sum() for gi in g))
    print(f"gradient of the first batch of 32: norm {norm:.10f}")

    order = np.random.default_rng(0).permutation(len(X))
    params = sgd_epoch(params, X, y, lr=0.1, batch_size=32, order=order)
    print(f"training loss after one epoch: {loss(params, X, y):.10f}")
    # --8<-- [end:minibatch_run]

    # --8<-- [start:minibatch_torch]
    import numpy as np
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    (X, y), _, _ = digits()
    X = X.double()  # float64 for the comparison
    model = mlp().double()  # the same initial weights, in float64

    L = torch.nn.functional.cross_entropy(model(X[:32]), y[:32])  # the mean
    L.backward()  # the gradient of the mean loss over the batch
    norm = torch.cat([p.grad.flatten() for p in model.parameters()]).norm()
    print(f"gradient of the first batch of 32: norm {norm.item():.10f}")

    order = np.random.default_rng(0).permutation(len(X)).tolist()
    loader = DataLoader(TensorDataset(X, y), batch_size=32, sampler=order)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for X_batch, y_batch in loader:
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(X_batch), y_batch).backward()
        optimizer.step()
    with torch.no_grad():
        L = torch.nn.functional.cross_entropy(model(X), y).item()
    print(f"training loss after one epoch: {L:.10f}")
    # --8<-- [end:minibatch_torch]

    # --8<-- [start:noise_run]
    (X, y), _, _ = digits()
    X, y = X.double().numpy(), y.numpy()
    grads = per_example_grads(params_of(mlp()), X, y)  # at the initial model
    G = np.concatenate([g.reshape(len(X), -1) for g in grads], axis=1)
    n = len(G)
    spread = np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1))  # tr(Sigma)

    Bs = np.array([1, 4, 16, 64, 256])
    noise = gradient_noise(G, Bs.tolist())  # ints, not NumPy int64s
    theory = spread / Bs * (n - Bs) / (n - 1)  # sampling without replacement
    slope, _ = np.polyfit(np.log(Bs), np.log(noise), 1)
    print(f"{n} examples, {G.shape[1]} weights; tr(Sigma) = {spread:.4f}, "
          f"|g| = {np.linalg.norm(G.mean(axis=0)):.4f}")
    print("   B  E|g_B - g|^2  B * E|g_B - g|^2  theory   std")
    for B, v, t in zip(Bs, noise, theory):
        print(f"{B:4d} {v:13.5f} {B * v:17.4f} {t:8.5f} {np.sqrt(v):6.4f}")
    print(f"log-log slope of E|g_B - g|^2 against B: {slope:.2f}")
    # --8<-- [end:noise_run]

    # --8<-- [start:noise_figure]
    import matplotlib.pyplot as plt

    c = np.exp(np.mean(np.log(noise * Bs)))  # the best fit of c / B
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 3.6))
    left.loglog(Bs, noise, "o", label="measured, 200 batches per B")
    left.loglog(Bs, c / Bs, "-", label=f"fit c / B, c = {c:.3f}")
    left.loglog(Bs, theory, ":", label="tr(Σ)/B · (n−B)/(n−1)")
    left.set(xlabel="batch size B", ylabel="E |g_B − g|²",
             title="noise of the mini-batch gradient")
    right.semilogx(Bs, Bs * noise, "o", label="measured")
    right.semilogx(Bs, Bs * theory, ":", label="tr(Σ) · (n−B)/(n−1)")
    right.axhline(spread, color="grey", lw=0.8, label="tr(Σ)")
    right.set(xlabel="batch size B", ylabel="B · E |g_B − g|²",
              title="flat where the noise falls like 1/B", ylim=(0, 6))
    left.legend(fontsize=8)
    right.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    plt.show()
    # --8<-- [end:noise_figure]

    # --8<-- [start:steps_run]
    data = digits()
    base_lr, target = 0.05, 0.8  # the rate at B = 32; the training loss
    runs = {}
    print("        fixed lr = 0.05                   lr = 0.05 * B / 32")
    print("  B  steps/epoch  epochs  steps  examples     lr  epochs  steps")
    for B in (8, 32, 128, 512):
        runs[B, "fixed"] = steps_to_reach(data, target=target, batch_size=B,
                                          lr=base_lr)
        runs[B, "scaled"] = steps_to_reach(data, target=target, batch_size=B,
                                           lr=base_lr * B / 32)
        e, s, _ = runs[B, "fixed"]
        e2, s2, _ = runs[B, "scaled"]
        examples = None if e is None else e * 1078  # gradients computed
        print(f"{B:3d} {math.ceil(1078 / B):12d} {show(e):>7} {show(s):>6} "
              f"{show(examples):>9} {base_lr * B / 32:6.4g} {show(e2):>7} "
              f"{show(s2):>6}")
    # --8<-- [end:steps_run]

    # --8<-- [start:steps_figure]
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9.6, 3.6), sharey=True)
    for ax, rule in zip(axes, ("fixed", "scaled")):
        for B, style in ((8, "-"), (32, "--"), (128, "-."), (512, ":")):
            losses = runs[B, rule][2]
            steps = np.arange(1, len(losses) + 1) * math.ceil(1078 / B)
            ax.semilogx(steps, losses, ls=style, lw=2, label=f"B = {B}")
        ax.axhline(target, color="grey", lw=0.8, ls="--")
        ax.set(xlabel="optimizer steps (log scale)")
    axes[0].set(ylabel="training loss", title="fixed lr = 0.05")
    axes[1].set(title="lr = 0.05 · B / 32 (linear scaling)")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:steps_figure]

    # --8<-- [start:cost_run]
    # Per step the MLP multiplies 2 matrices forward and 3 backward (for W2,
    # for the hidden layer, for W1), each with B rows (the last batch fewer).
    print("   B  steps/epoch  products/epoch  rows per product")
    for B in (1, 8, 32, 128, 512, 1078):
        steps = math.ceil(1078 / B)
        print(f"{B:4d} {steps:12d} {5 * steps:15d} {B:17d}")
    # --8<-- [end:cost_run]

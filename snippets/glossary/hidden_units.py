"""Glossary: the number of hidden units (the width of a layer).

The parameter count of an MLP, checked against torch; a one-hidden-layer
MLP trained from scratch in NumPy (gradients by hand) and in torch
(autograd), from the same weights; and the width swept from 1 to 512
units on the glossary's shared digits task. The page
docs/glossary/hidden-units.md shows the sections of this script; importing
it runs nothing, and ``python -m snippets.glossary.hidden_units`` runs
every experiment of the page.
"""

from snippets.glossary.digits_task import digits, fit, mlp

# --8<-- [start:count]
from itertools import pairwise

from torch import nn


def layers_of(sizes):
    """The (n_in, n_out) of each layer of an MLP with layer sizes
    [n_0, ..., n_L]: at least two sizes, each an integer >= 1."""
    if not (isinstance(sizes, (list, tuple)) and len(sizes) >= 2):
        raise ValueError(f"sizes must be a list of >= 2 integers >= 1, "
                         f"got {sizes!r}")
    for i, n in enumerate(sizes):
        check_int(f"sizes[{i}]", n, low=1)
    return list(pairwise(sizes))


def n_params(sizes):
    """Weights and biases of an MLP with layer sizes [n_0, ..., n_L]:
    each layer has n_in * n_out weights and n_out biases."""
    return sum(n_in * n_out + n_out for n_in, n_out in layers_of(sizes))


def torch_mlp(sizes):
    """The same MLP in torch: Linear layers with ReLU between them."""
    layers = []
    for n_in, n_out in layers_of(sizes):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])  # no ReLU after the output layer


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
# --8<-- [end:count]


# --8<-- [start:numpy]
import math
from numbers import Real

import numpy as np
from sklearn.datasets import load_digits


def init_params(*, n_in=64, hidden=32, n_out=10, seed=0):
    """PyTorch's default for nn.Linear, drawn with NumPy: every weight and
    bias of a layer ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    for name, n in (("n_in", n_in), ("hidden", hidden), ("n_out", n_out)):
        check_int(name, n, low=1)
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in ((n_in, hidden), (hidden, n_out)):
        bound = 1 / math.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)))  # W
        params.append(rng.uniform(-bound, bound, fan_out))  # b
    return params  # [W1, b1, W2, b2]


def loss_and_gradients(params, X, y):
    """Mean cross-entropy of softmax(W2 relu(W1 x + b1) + b2), and its
    gradients by the chain rule."""
    W1, b1, W2, b2 = params
    Z1 = X @ W1.T + b1  # (N, hidden)
    H = np.maximum(Z1, 0.0)  # ReLU
    Z2 = H @ W2.T + b2  # (N, 10) logits
    Z2 = Z2 - Z2.max(axis=1, keepdims=True)  # softmax is shift-invariant
    P = np.exp(Z2) / np.exp(Z2).sum(axis=1, keepdims=True)
    N = len(X)
    loss = -np.log(P[np.arange(N), y]).mean()
    dZ2 = P.copy()
    dZ2[np.arange(N), y] -= 1  # dL/dlogits = (P - onehot(y)) / N
    dZ2 /= N
    dH = dZ2 @ W2
    dZ1 = dH * (Z1 > 0)  # ReLU passes the gradient where it was on
    return loss, [dZ1.T @ X, dZ1.sum(axis=0), dZ2.T @ H, dZ2.sum(axis=0)]


def train_numpy(X, y, *, hidden=32, lr=0.5, num_steps=100, seed=0):
    """Full-batch gradient descent; returns the params and the losses
    before each step and after the last (num_steps + 1 values)."""
    check_real("lr", lr, low=0, low_open=True)
    check_int("num_steps", num_steps, low=0)
    params = init_params(hidden=hidden, seed=seed)
    losses = []
    for _ in range(num_steps):
        loss, grads = loss_and_gradients(params, X, y)
        losses.append(loss)
        params = [p - lr * g for p, g in zip(params, grads)]
    losses.append(loss_and_gradients(params, X, y)[0])
    return params, losses


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
# --8<-- [end:numpy]


# --8<-- [start:sweep]
import torch


def width_sweep(data, *, widths=(1, 2, 4, 8, 32, 128, 512), n=300,
                lr=0.1, num_epochs=60, seed=0):
    """Train the shared one-hidden-layer MLP at each width on the first n
    training examples; {width: (number of parameters, history)}."""
    (X, y), val, test = data
    check_int("n", n, low=1, high=len(X))
    small = ((X[:n], y[:n]), val, test)
    results = {}
    for hidden in widths:
        model = mlp(hidden=hidden, seed=seed)  # checks hidden >= 1
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        history = fit(model, small, optimizer=optimizer,
                      num_epochs=num_epochs, seed=seed)
        count = sum(p.numel() for p in model.parameters())
        results[hidden] = (count, history)
    return results
# --8<-- [end:sweep]


if __name__ == "__main__":
    # --8<-- [start:count_run]
    print(f"{'layer sizes':<20}{'formula':>9}{'torch':>9}")
    for sizes in ([64, 1, 10], [64, 8, 10], [64, 64, 10], [64, 512, 10],
                  [64, 64, 64, 10], [64, 256, 128, 10]):
        counted = sum(p.numel() for p in torch_mlp(sizes).parameters())
        print(f"{sizes!s:<20}{n_params(sizes):>9,}{counted:>9,}")
    # --8<-- [end:count_run]

    # --8<-- [start:numpy_run]
    X, y = load_digits(return_X_y=True)
    X, y = X[:500] / 16.0, y[:500]  # 500 digits, pixels in [0, 1]
    params, losses = train_numpy(X, y, hidden=32, lr=0.5, num_steps=100)
    for step in (0, 1, 10, 100):
        print(f"after {step:>3} steps: loss {losses[step]:.6f}")
    # --8<-- [end:numpy_run]

    # --8<-- [start:torch]
    import torch
    from numpy.random import default_rng
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X[:500] / 16.0)  # float64, like NumPy
    y = torch.tensor(y[:500])

    # The same initial weights as the NumPy tab: same generator, same order.
    rng = default_rng(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(),
                                torch.nn.Linear(32, 10)).double()
    with torch.no_grad():
        for layer in (model[0], model[2]):
            bound = layer.in_features ** -0.5  # 1 / sqrt(fan_in)
            layer.weight.copy_(torch.from_numpy(
                rng.uniform(-bound, bound, tuple(layer.weight.shape))))
            layer.bias.copy_(torch.from_numpy(
                rng.uniform(-bound, bound, layer.out_features)))

    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    losses = []
    for step in range(101):
        loss = torch.nn.functional.cross_entropy(model(X), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()  # autograd: the gradients the NumPy tab wrote out
        if step < 100:
            optimizer.step()
    for step in (0, 1, 10, 100):
        print(f"after {step:>3} steps: loss {losses[step]:.6f}")
    # --8<-- [end:torch]

    # --8<-- [start:sweep_run]
    results = width_sweep(digits())
    print(f"{'hidden':>6}{'params':>8}{'train acc':>11}{'val acc':>9}"
          f"{'val loss':>10}{'lowest val loss':>20}")
    for hidden, (count, h) in results.items():
        best = min(range(len(h["val_loss"])), key=h["val_loss"].__getitem__)
        lowest = f"{h['val_loss'][best]:.3f}, epoch {best + 1}"
        print(f"{hidden:>6}{count:>8,}{h['train_acc'][-1]:>11.3f}"
              f"{h['val_acc'][-1]:>9.3f}{h['val_loss'][-1]:>10.3f}"
              f"{lowest:>20}")
    # --8<-- [end:sweep_run]

    # --8<-- [start:figure]
    import matplotlib.pyplot as plt

    widths = list(results)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    for part, style in (("train", "o-"), ("val", "s-")):
        label = "training" if part == "train" else "validation"
        left.semilogx(widths, [results[w][1][f"{part}_acc"][-1]
                               for w in widths], style, label=label)
        right.semilogx(widths, [results[w][1][f"{part}_loss"][-1]
                                for w in widths], style, label=label)
    left.set(xlabel="hidden units", ylabel="accuracy after 60 epochs",
             ylim=(0, 1.05))
    right.set(xlabel="hidden units", ylabel="loss after 60 epochs")
    for ax in (left, right):
        ax.set_xticks(widths, [str(w) for w in widths])
        ax.grid(True)
    left.legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure]

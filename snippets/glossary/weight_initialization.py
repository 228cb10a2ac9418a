"""Glossary: weight initialization (Glorot/Xavier and He/Kaiming).

The schemes from their variance formulas in NumPy, checked against
torch.nn.init by the statistics of large matrices; PyTorch's default for
nn.Linear; the variance of the activations through 20 layers; and a deep
MLP trained on the glossary's shared digits task from too small, right and
too large initial weights. The page docs/glossary/weight-initialization.md
shows the sections of this script; importing it runs nothing, and
``python -m snippets.glossary.weight_initialization`` runs every
experiment of the page, in its order.
"""

from snippets.glossary.digits_task import digits, evaluate, fit, mlp

# --8<-- [start:numpy]
import math
from numbers import Real

import numpy as np


def glorot_uniform(n_in, n_out, *, gain=1.0, rng):
    """U(-r, r) with r = gain * sqrt(6 / (n_in + n_out)), so that
    Var(w) = r^2 / 3 = gain^2 * 2 / (n_in + n_out). Shape (n_out, n_in)."""
    check_int("n_in", n_in, low=1)
    check_int("n_out", n_out, low=1)
    check_real("gain", gain, low=0, low_open=True)
    r = gain * math.sqrt(6 / (n_in + n_out))
    return rng.uniform(-r, r, size=(n_out, n_in))


def glorot_normal(n_in, n_out, *, gain=1.0, rng):
    """N(0, gain^2 * 2 / (n_in + n_out)). Shape (n_out, n_in)."""
    check_int("n_in", n_in, low=1)
    check_int("n_out", n_out, low=1)
    check_real("gain", gain, low=0, low_open=True)
    std = gain * math.sqrt(2 / (n_in + n_out))
    return rng.normal(0.0, std, size=(n_out, n_in))


def he_normal(n_in, n_out, *, rng):
    """N(0, 2 / n_in), for ReLU layers. Shape (n_out, n_in)."""
    check_int("n_in", n_in, low=1)
    check_int("n_out", n_out, low=1)
    return rng.normal(0.0, math.sqrt(2 / n_in), size=(n_out, n_in))


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


# --8<-- [start:depth]
def small(n_in, n_out, *, rng):
    return rng.normal(0.0, 0.01, size=(n_out, n_in))  # too small


def large(n_in, n_out, *, rng):
    return rng.normal(0.0, 1.0, size=(n_out, n_in))  # too large


def pytorch_default(n_in, n_out, *, rng):
    # nn.Linear's own: U(-1/sqrt(n_in), 1/sqrt(n_in)), Var = 1/(3 n_in)
    bound = 1 / math.sqrt(n_in)
    return rng.uniform(-bound, bound, size=(n_out, n_in))


SCHEMES = {"N(0, 0.01^2)": small, "PyTorch default": pytorch_default,
           "Glorot uniform": glorot_uniform, "He normal": he_normal,
           "N(0, 1)": large}
ACTIVATIONS = {"tanh": np.tanh, "ReLU": lambda z: np.maximum(z, 0.0)}


def check_choice(name, value, choices):
    """Raise a ValueError naming `name` unless `value` is one of
    `choices`."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")


def activation_variances(scheme, activation, *, depth=20, width=256,
                         n=500, seed=0):
    """Var(h_l) for l = 1..depth: n standard normal inputs pushed through
    `depth` layers of `width` units, weights from SCHEMES[scheme], zero
    biases, ACTIVATIONS[activation] after each layer."""
    check_choice("scheme", scheme, SCHEMES)
    check_choice("activation", activation, ACTIVATIONS)
    check_int("depth", depth, low=1, high=100)
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((n, width))  # Var(x) = 1
    variances = []
    for _ in range(depth):
        W = SCHEMES[scheme](width, width, rng=rng)
        h = ACTIVATIONS[activation](h @ W.T)  # (n, width)
        variances.append(float(h.var()))
    return variances
# --8<-- [end:depth]


# --8<-- [start:train]
import torch
from torch import nn

INITS = {  # scheme: how to fill a weight matrix in place
    "N(0, 0.01^2)": lambda W: nn.init.normal_(W, std=0.01),
    "Glorot uniform": nn.init.xavier_uniform_,
    "He normal": lambda W: nn.init.kaiming_normal_(W, nonlinearity="relu"),
    "N(0, 1)": lambda W: nn.init.normal_(W, std=1.0),
}


def check_choice(name, value, choices):
    """Raise a ValueError naming `name` unless `value` is one of
    `choices`."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")


def initialize(model, *, scheme, seed=0):
    """Refill every Linear layer: weights by INITS[scheme], biases 0."""
    check_choice("scheme", scheme, INITS)
    torch.manual_seed(seed)
    for layer in model:
        if isinstance(layer, nn.Linear):
            INITS[scheme](layer.weight)
            nn.init.zeros_(layer.bias)
    return model
# --8<-- [end:train]


if __name__ == "__main__":
    # --8<-- [start:default]
    import math

    import torch
    from torch import nn

    torch.manual_seed(0)
    print("nn.Linear(fan_in, 256)")
    print("fan_in   max |w|   1/sqrt(fan_in)     var(w)   1/(3 fan_in)")
    for fan_in in (64, 512):
        W = nn.Linear(fan_in, 256).weight.detach()  # shape (256, fan_in)
        print(f"{fan_in:>6}{W.abs().max().item():>10.4f}"
              f"{1 / math.sqrt(fan_in):>17.4f}"
              f"{W.var().item():>11.6f}{1 / (3 * fan_in):>15.6f}")
    print("calculate_gain('relu') =", nn.init.calculate_gain("relu"))
    print("calculate_gain('tanh') =", nn.init.calculate_gain("tanh"))
    # --8<-- [end:default]

    # --8<-- [start:numpy_run]
    n_in, n_out = 512, 256
    rng = np.random.default_rng(0)
    print(f"{n_out} x {n_in} weights   formula var  sample var   max |w|")
    for name, W, var in (
            ("Glorot uniform", glorot_uniform(n_in, n_out, rng=rng),
             2 / (n_in + n_out)),
            ("Glorot normal", glorot_normal(n_in, n_out, rng=rng),
             2 / (n_in + n_out)),
            ("He normal", he_normal(n_in, n_out, rng=rng), 2 / n_in)):
        print(f"{name:<18}{var:>13.6f}{W.var():>12.6f}"
              f"{np.abs(W).max():>10.4f}")
    print(f"Glorot uniform bound sqrt(6 / (n_in + n_out)) = "
          f"{math.sqrt(6 / (n_in + n_out)):.4f}")
    # --8<-- [end:numpy_run]

    # --8<-- [start:torch]
    import math

    import torch
    from torch import nn

    n_in, n_out = 512, 256
    torch.manual_seed(0)
    print(f"{n_out} x {n_in} weights   formula var  sample var   max |w|")
    for name, init, var in (
            ("Glorot uniform", nn.init.xavier_uniform_, 2 / (n_in + n_out)),
            ("Glorot normal", nn.init.xavier_normal_, 2 / (n_in + n_out)),
            ("He normal", lambda W: nn.init.kaiming_normal_(
                W, nonlinearity="relu"), 2 / n_in)):
        W = init(torch.empty(n_out, n_in, dtype=torch.float64))
        print(f"{name:<18}{var:>13.6f}{W.var().item():>12.6f}"
              f"{W.abs().max().item():>10.4f}")
    print(f"Glorot uniform bound sqrt(6 / (n_in + n_out)) = "
          f"{math.sqrt(6 / (n_in + n_out)):.4f}")
    # --8<-- [end:torch]

    # --8<-- [start:depth_run]
    print("Var(h) after layer       1         5        10        20")
    variances = {}
    for activation in ACTIVATIONS:
        for scheme in SCHEMES:
            v = activation_variances(scheme, activation)
            variances[activation, scheme] = v
            print(f"{activation:<5}{scheme:<15}"
                  + "".join(f"{v[layer - 1]:>10.1e}"
                            for layer in (1, 5, 10, 20)))
    # --8<-- [end:depth_run]

    # --8<-- [start:figure_depth]
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    layers = range(1, 21)
    for ax, activation in zip(axes, ACTIVATIONS):
        for scheme in SCHEMES:
            ax.semilogy(layers, variances[activation, scheme], marker=".",
                        label=scheme)
        ax.set(title=f"{activation}, 256 units per layer", xlabel="layer",
               ylabel="variance of the activations", xticks=[1, 5, 10, 15, 20])
    axes[0].set_ylim(1e-3, 3)  # tanh stays below 1; N(0, 0.01^2) drops out
    axes[0].text(2, 2e-3, "N(0, 0.01^2) falls off the chart", fontsize=8)
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure_depth]

    # --8<-- [start:train_run]
    data = digits()
    print("6 ReLU layers of 64 units, SGD lr 0.1, 10 epochs")
    print(f"{'':>15}{'loss at':>11}{'val acc':>9}{'val acc':>10}"
          f"{'train loss':>12}")
    print(f"{'init':>15}{'start':>11}{'epoch 1':>9}{'epoch 10':>10}"
          f"{'epoch 10':>12}")
    histories = {}
    for scheme in INITS:
        model = initialize(mlp(hidden=64, depth=6), scheme=scheme)
        start, _ = evaluate(model, *data[0])  # training loss before any step
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        h = fit(model, data, optimizer=optimizer, num_epochs=10)
        histories[scheme] = h
        print(f"{scheme:>15}{start:>11.4g}{h['val_acc'][0]:>9.3f}"
              f"{h['val_acc'][-1]:>10.3f}{h['train_loss'][-1]:>12.3f}")
    # --8<-- [end:train_run]

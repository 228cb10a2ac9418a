"""Glossary: activation functions, their derivatives, and depth.

Sigmoid, tanh, ReLU and GELU with their derivatives from scratch in NumPy,
checked against torch; then what each does to the gradient that reaches
the first layer of a deep MLP, and to training, on the glossary's shared
digits task. The page docs/glossary/activation-functions.md shows the
sections of this script; importing it runs nothing, and
``python -m snippets.glossary.activation_functions`` runs every experiment
of the page.
"""

from snippets.glossary.digits_task import digits, fit, mlp

# --8<-- [start:numpy]
import math
from numbers import Real

import numpy as np

erf = np.vectorize(math.erf, otypes=[float])  # the error function


def sigmoid(x):
    """1 / (1 + e^-x), in (0, 1); e^-|x| never overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def d_sigmoid(x):
    s = sigmoid(x)
    return s * (1 - s)  # at most 1/4, at x = 0


def tanh(x):
    return np.tanh(x)  # in (-1, 1); tanh(x) = 2 sigmoid(2x) - 1


def d_tanh(x):
    return 1 - np.tanh(x) ** 2  # at most 1, at x = 0


def relu(x):
    return np.maximum(x, 0.0)


def d_relu(x):
    return (x > 0).astype(float)  # 1 or 0; torch also takes 0 at x = 0


def check_choice(name, value, choices):
    """Raise a ValueError naming `name` unless `value` is one of
    `choices`."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")


def gelu(x, *, approximate="none"):
    """x * Phi(x), Phi the standard normal CDF; or its tanh formula."""
    check_choice("approximate", approximate, ("none", "tanh"))
    if approximate == "tanh":
        u = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
        return 0.5 * x * (1 + np.tanh(u))
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def d_gelu(x, *, approximate="none"):
    check_choice("approximate", approximate, ("none", "tanh"))
    if approximate == "tanh":
        c = math.sqrt(2 / math.pi)
        t = np.tanh(c * (x + 0.044715 * x**3))
        du = c * (1 + 3 * 0.044715 * x**2)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t**2) * du
    Phi = 0.5 * (1 + erf(x / math.sqrt(2)))
    phi = np.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)  # normal density
    return Phi + x * phi  # product rule on x * Phi(x)


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


def leaky_relu(x, *, negative_slope=0.01):
    check_real("negative_slope", negative_slope, low=0, high=1,
               high_open=True)
    return np.where(x > 0, x, negative_slope * x)


def d_leaky_relu(x, *, negative_slope=0.01):
    check_real("negative_slope", negative_slope, low=0, high=1,
               high_open=True)
    return np.where(x > 0, 1.0, negative_slope)
# --8<-- [end:numpy]


# --8<-- [start:gradients]
import torch
from torch import nn


def he_init(model, *, seed=0):
    """Weights ~ N(0, 2 / n_in), the initialization made for ReLU (see
    the weight-initialization page); biases 0."""
    torch.manual_seed(seed)
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            nn.init.zeros_(layer.bias)
    return model


def first_layer_gradient(model, X, y):
    """|dL/dW| of the first layer (Frobenius norm), L the mean
    cross-entropy on (X, y)."""
    model.zero_grad()
    nn.functional.cross_entropy(model(X), y).backward()
    return model[0].weight.grad.norm().item()


CONFIGS = {  # name: (activation, use He's initialization)
    "sigmoid": (nn.Sigmoid, False),
    "tanh": (nn.Tanh, False),
    "ReLU": (nn.ReLU, False),
    "ReLU + He init": (nn.ReLU, True),
}


def gradient_norms(X, y, *, depths=range(1, 21), hidden=64, seed=0):
    """{config: [first-layer gradient norm for each depth]}."""
    norms = {}
    for name, (activation, he) in CONFIGS.items():
        norms[name] = []
        for depth in depths:
            model = mlp(hidden=hidden, depth=depth, activation=activation,
                        seed=seed)
            if he:
                he_init(model, seed=seed)
            norms[name].append(first_layer_gradient(model, X, y))
    return norms
# --8<-- [end:gradients]


# --8<-- [start:train]
import torch


def train_deep(config, data, *, depth=5, lr=0.1, num_epochs=10, seed=0):
    """Train a `depth`-layer MLP set up as CONFIGS[config]; its history."""
    check_choice("config", config, tuple(CONFIGS))
    activation, he = CONFIGS[config]
    model = mlp(depth=depth, activation=activation, seed=seed)
    if he:
        he_init(model, seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return fit(model, data, optimizer=optimizer, num_epochs=num_epochs,
               seed=seed)


# The argument checks. Python looks a name up when the function that uses
# it runs, so the checks can follow the code that calls them.
def check_choice(name, value, choices):
    """Raise a ValueError naming `name` unless `value` is one of
    `choices`."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
# --8<-- [end:train]


if __name__ == "__main__":
    # --8<-- [start:numpy_run]
    x = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
    names = ("sigmoid", "d/dx", "tanh", "d/dx", "relu", "d/dx", "gelu", "d/dx")
    print("    x" + "".join(f"{n:>8}" for n in names))
    for xi in x:
        row = [sigmoid(xi), d_sigmoid(xi), tanh(xi), d_tanh(xi),
               relu(xi), d_relu(xi), gelu(xi), d_gelu(xi)]
        print(f"{xi:+5.1f}" + "".join(f"{v:>+8.3f}" for v in row))
    grid = np.linspace(-6, 6, 1201)
    gap = np.max(np.abs(gelu(grid) - gelu(grid, approximate="tanh")))
    print(f"GELU, largest gap between exact and tanh formula: {gap:.1e}")
    # --8<-- [end:numpy_run]

    # --8<-- [start:torch]
    import torch
    from torch import nn

    x = torch.tensor([-3.0, -1.0, 0.0, 1.0, 3.0], dtype=torch.float64,
                     requires_grad=True)
    columns = []
    for f in (nn.Sigmoid(), nn.Tanh(), nn.ReLU(), nn.GELU()):
        y = f(x)
        (dy,) = torch.autograd.grad(y.sum(), x)  # dy_i/dx_i: one x per y
        columns += [y.detach(), dy]
    names = ("sigmoid", "d/dx", "tanh", "d/dx", "relu", "d/dx", "gelu", "d/dx")
    print("    x" + "".join(f"{n:>8}" for n in names))
    for i, xi in enumerate(x.tolist()):
        print(f"{xi:+5.1f}" + "".join(f"{c[i]:>+8.3f}" for c in columns))
    grid = torch.linspace(-6, 6, 1201, dtype=torch.float64)
    exact = nn.GELU()(grid)  # approximate="none" is the default
    approx = nn.GELU(approximate="tanh")(grid)
    gap = (exact - approx).abs().max().item()
    print(f"GELU, largest gap between exact and tanh formula: {gap:.1e}")
    # --8<-- [end:torch]

    # --8<-- [start:figure_shapes]
    import matplotlib.pyplot as plt

    x = np.linspace(-4, 4, 401)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    for name, f, df in (("sigmoid", sigmoid, d_sigmoid),
                        ("tanh", tanh, d_tanh),
                        ("ReLU", relu, d_relu), ("GELU", gelu, d_gelu)):
        left.plot(x, f(x), label=name)
        right.plot(x, df(x), label=name)
    left.set(xlabel="x", ylabel="f(x)", title="activation", ylim=(-1.5, 4))
    right.set(xlabel="x", ylabel="f'(x)", title="derivative", ylim=(-0.2, 1.2))
    for ax in (left, right):
        ax.axhline(0, color="grey", lw=0.8)
        ax.axvline(0, color="grey", lw=0.8)
    left.legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure_shapes]

    # --8<-- [start:gradients_run]
    data = digits()
    X, y = data[0]  # the 1,078 training images
    depths = range(1, 21)
    norms = gradient_norms(X, y, depths=depths)
    print("depth" + "".join(f"{name:>16}" for name in norms))
    for d in (1, 2, 5, 10, 15, 20):
        print(f"{d:>5}" + "".join(f"{norms[name][d - 1]:>16.1e}"
                                  for name in norms))
    # --8<-- [end:gradients_run]

    # --8<-- [start:figure_gradients]
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.8))
    for name, values in norms.items():
        ax.semilogy(list(depths), values, marker=".", label=name)
    ax.set(xlabel="number of hidden layers",
           ylabel="|dL/dW| at the first layer",
           title="gradient reaching the first layer (64 units per layer)",
           xticks=[1, 5, 10, 15, 20])
    ax.legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure_gradients]

    # --8<-- [start:train_run]
    print("5 hidden layers of 64 units, SGD lr 0.1, 10 epochs")
    print(f"{'':>15}{'val acc':>9}{'val acc':>9}{'val acc':>10}"
          f"{'train loss':>12}")
    print(f"{'activation':>15}{'epoch 1':>9}{'epoch 5':>9}{'epoch 10':>10}"
          f"{'epoch 10':>12}")
    histories = {}
    for name in CONFIGS:
        h = histories[name] = train_deep(name, data)
        acc = h["val_acc"]
        print(f"{name:>15}{acc[0]:>9.3f}{acc[4]:>9.3f}{acc[9]:>10.3f}"
              f"{h['train_loss'][-1]:>12.3f}")
    # --8<-- [end:train_run]

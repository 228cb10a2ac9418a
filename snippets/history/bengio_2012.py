"""2012: three of Bengio's practical recommendations, in code.

Sampling hyperparameters at random on a log scale, the 1/t learning-rate
schedule, and the Glorot-Bengio uniform initialization. The page
docs/history/2012-bengio.md shows the sections of this script; importing
it runs nothing, and ``python -m snippets.history.bengio_2012`` runs every
experiment of the page.
"""

# --8<-- [start:sampling]
import math
from numbers import Real

import numpy as np


def sample_log_uniform(n, *, low, high, rng):
    """n draws whose logarithm is uniform: exp(Uniform(log low, log high)).

    Each decade between low and high gets the same share of the draws.
    """
    check_int("n", n, low=1)
    check_real("low", low, low=0, low_open=True)
    check_real("high", high, low=low, low_open=True)  # above low
    return np.exp(rng.uniform(math.log(low), math.log(high), size=n))


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


def check_choice(name, value, choices):
    """Raise a ValueError naming `name` unless `value` is one of
    `choices`."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
# --8<-- [end:sampling]


# --8<-- [start:schedule]
def one_over_t(t, *, eps0, tau):
    """Bengio's 1/t schedule: eps0 up to step tau, then eps0 * tau / t."""
    check_int("t", t, low=0)
    check_real("eps0", eps0, low=0, low_open=True)
    check_int("tau", tau, low=1)
    return eps0 * tau / max(t, tau)
# --8<-- [end:schedule]


# --8<-- [start:glorot]
def glorot_bound(fan_in, fan_out, *, activation="tanh"):
    """r of Uniform(-r, r): sqrt(6 / (fan_in + fan_out)), 4x for sigmoid."""
    check_int("fan_in", fan_in, low=1)
    check_int("fan_out", fan_out, low=1)
    check_choice("activation", activation, ("tanh", "sigmoid"))
    r = math.sqrt(6 / (fan_in + fan_out))
    return 4 * r if activation == "sigmoid" else r


def glorot_uniform(fan_in, fan_out, *, activation="tanh", rng):
    """A (fan_out, fan_in) weight matrix, the layout of torch.nn.Linear."""
    r = glorot_bound(fan_in, fan_out, activation=activation)
    return rng.uniform(-r, r, size=(fan_out, fan_in))
# --8<-- [end:glorot]


if __name__ == "__main__":
    # --8<-- [start:sampling_run]
    rng = np.random.default_rng(0)
    log_uniform = sample_log_uniform(1000, low=1e-6, high=1.0, rng=rng)
    uniform = rng.uniform(1e-6, 1.0, size=1000)  # the naive way, for contrast

    edges = 10.0 ** np.arange(-6, 1)  # 1e-6, 1e-5, ..., 1: six decades
    per_decade_log, _ = np.histogram(log_uniform, bins=edges)
    per_decade_lin, _ = np.histogram(uniform, bins=edges)
    print("draws in         log-uniform   uniform")
    for lo, hi, a, b in zip(edges, edges[1:], per_decade_log, per_decade_lin):
        print(f"[{lo:.0e}, {hi:.0e})   {a:11d}   {b:7d}")
    # --8<-- [end:sampling_run]

    # --8<-- [start:grid]
    from itertools import product

    # Nine trials of (learning rate, weight decay) over the same ranges: a
    # 3 x 3 grid, and nine pairs drawn at random on a log scale.
    grid = list(product((1e-4, 1e-3, 1e-2), (1e-5, 1e-4, 1e-3)))
    rng = np.random.default_rng(1)
    random = list(zip(sample_log_uniform(9, low=1e-4, high=1e-2, rng=rng),
                      sample_log_uniform(9, low=1e-5, high=1e-3, rng=rng)))
    for name, trials in (("grid", grid), ("random", random)):
        lrs = sorted({lr for lr, weight_decay in trials})
        print(f"{name}: {len(trials)} trials, {len(lrs)} learning rates")
        print("   ", " ".join(f"{lr:.1e}" for lr in lrs))
    # --8<-- [end:grid]

    # --8<-- [start:sampling_figure]
    import matplotlib.pyplot as plt

    bins = np.logspace(-6, 0, 25)  # 4 bins per decade, equal on a log axis
    fig, ax = plt.subplots(figsize=(7, 3.4))
    ax.hist(log_uniform, bins=bins, histtype="step", lw=2,
            label="log-uniform: exp(Uniform(log 1e-6, log 1))")
    ax.hist(uniform, bins=bins, histtype="step", lw=2, ls="--",
            label="uniform: Uniform(1e-6, 1)")
    ax.set_xscale("log")
    ax.set(xlabel="sampled learning rate (log scale)",
           ylabel="draws per bin (of 1,000)",
           title="Where 1,000 random learning rates land")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    plt.show()
    # --8<-- [end:sampling_figure]

    # --8<-- [start:schedule_run]
    for t in (0, 1, 100, 200, 400, 1000):
        print(f"t = {t:>4}: lr = {one_over_t(t, eps0=0.01, tau=100):g}")
    # --8<-- [end:schedule_run]

    # --8<-- [start:schedule_torch]
    import torch

    eps0, tau = 0.01, 100
    w = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=eps0)
    # LambdaLR sets lr = eps0 * factor(t) after the t-th scheduler.step()
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda t: tau / max(t, tau)
    )
    lrs = []
    for _ in range(1001):  # steps t = 0, 1, ..., 1000
        lrs.append(optimizer.param_groups[0]["lr"])  # the lr of this step
        loss = ((w - 1) ** 2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    for t in (0, 1, 100, 200, 400, 1000):
        print(f"t = {t:>4}: lr = {lrs[t]:g}")
    # --8<-- [end:schedule_torch]

    # --8<-- [start:glorot_run]
    fan_in, fan_out = 784, 256  # e.g. a first layer on 28 x 28 images
    r = glorot_bound(fan_in, fan_out)
    W = glorot_uniform(fan_in, fan_out, rng=np.random.default_rng(0))
    print(f"tanh:    r = {r:.5f}, largest |w| = {np.abs(W).max():.5f}")
    print(f"variance of w = {W.var():.6f}, r^2 / 3 = {r**2 / 3:.6f}")
    r_sigmoid = glorot_bound(fan_in, fan_out, activation="sigmoid")
    print(f"sigmoid: r = {r_sigmoid:.5f} (4 times the tanh bound)")
    # --8<-- [end:glorot_run]

    # --8<-- [start:glorot_torch]
    import torch

    fan_in, fan_out = 784, 256
    r = (6 / (fan_in + fan_out)) ** 0.5
    torch.manual_seed(0)
    W = torch.empty(fan_out, fan_in)  # nn.Linear(784, 256).weight's shape
    torch.nn.init.xavier_uniform_(W)  # gain=1: Uniform(-r, r)
    print(f"tanh:    r = {r:.5f}, largest |w| = {W.abs().max().item():.5f}")
    print(f"variance of w = {W.var().item():.6f}, r^2 / 3 = {r**2 / 3:.6f}")
    gain = torch.nn.init.calculate_gain
    print(f"calculate_gain('tanh') = {gain('tanh'):.4f}, "
          f"calculate_gain('sigmoid') = {gain('sigmoid'):.4f}")
    torch.nn.init.xavier_uniform_(W, gain=4.0)  # Bengio's bound for sigmoid
    print(f"sigmoid with gain=4: largest |w| = {W.abs().max().item():.5f}")
    # --8<-- [end:glorot_torch]

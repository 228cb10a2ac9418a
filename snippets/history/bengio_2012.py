"""2012: three of Bengio's practical recommendations, in code.

Sampling hyperparameters at random on a log scale, the 1/t learning-rate
schedule, and the Glorot-Bengio uniform initialization. The page
docs/history/2012-bengio.md shows the sections of this script; importing
it runs nothing, and ``python -m snippets.history.bengio_2012`` runs every
experiment of the page.
"""

# --8<-- [start:sampling]
import math
from numbers import Integral, Real

import numpy as np


def is_int(x):
    """True for 3 or np.int64(3), False for True, 3.0 or "3"."""
    return isinstance(x, Integral) and not isinstance(x, bool)


def is_real(x):
    """True for a finite int or float (a bool is not a number here)."""
    ok = isinstance(x, Real) and not isinstance(x, bool)
    return ok and math.isfinite(x)


def sample_log_uniform(n, *, low, high, rng):
    """n draws whose logarithm is uniform: exp(Uniform(log low, log high)).

    Each decade between low and high gets the same share of the draws.
    """
    if not (is_int(n) and n >= 1):
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    if not (is_real(low) and low > 0):
        raise ValueError(f"low must be a finite number > 0, got {low!r}")
    if not (is_real(high) and high > low):
        raise ValueError(f"high must be a finite number > low = {low!r}, "
                         f"got {high!r}")
    return np.exp(rng.uniform(math.log(low), math.log(high), size=n))
# --8<-- [end:sampling]


# --8<-- [start:schedule]
def one_over_t(t, *, eps0, tau):
    """Bengio's 1/t schedule: eps0 up to step tau, then eps0 * tau / t."""
    if not (is_int(t) and t >= 0):
        raise ValueError(f"t must be an integer >= 0, got {t!r}")
    if not (is_real(eps0) and eps0 > 0):
        raise ValueError(f"eps0 must be a finite number > 0, got {eps0!r}")
    if not (is_int(tau) and tau >= 1):
        raise ValueError(f"tau must be an integer >= 1, got {tau!r}")
    return eps0 * tau / max(t, tau)
# --8<-- [end:schedule]


# --8<-- [start:glorot]
def glorot_bound(fan_in, fan_out, *, activation="tanh"):
    """r of Uniform(-r, r): sqrt(6 / (fan_in + fan_out)), 4x for sigmoid."""
    for name, fan in (("fan_in", fan_in), ("fan_out", fan_out)):
        if not (is_int(fan) and fan >= 1):
            raise ValueError(f"{name} must be an integer >= 1, got {fan!r}")
    if activation not in ("tanh", "sigmoid"):
        raise ValueError(f"activation must be 'tanh' or 'sigmoid', got "
                         f"{activation!r}")
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
        lrs = sorted({lr for lr, wd in trials})
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

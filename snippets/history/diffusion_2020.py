"""2020: the forward (noising) process of a diffusion model, in closed form.

DDPM's linear schedule beta_1..beta_T, the cumulative product
alpha_bar_t, the one-shot sample x_t = sqrt(alpha_bar_t) x_0 +
sqrt(1 - alpha_bar_t) eps, and a simulation of the t one-step noisings
that it replaces. The page docs/history/2020-diffusion.md shows the
sections of this script; importing it runs nothing, and
``python -m snippets.history.diffusion_2020`` runs every experiment of the
page.
"""

# --8<-- [start:schedule]
import math
from numbers import Real

import numpy as np


def linear_betas(*, T=1000, beta_start=1e-4, beta_end=0.02):
    """DDPM's schedule: beta_1..beta_T evenly spaced, shape (T,). With
    T = 1 there is one step, of size beta_start."""
    check_int("T", T, low=1)
    check_real("beta_start", beta_start, low=0, high=1, low_open=True,
               high_open=True)
    check_real("beta_end", beta_end, low=0, high=1, low_open=True,
               high_open=True)
    if not beta_start < beta_end:
        raise ValueError(f"beta_end must be in (beta_start, 1) = "
                         f"({beta_start}, 1), got {beta_end!r}")
    return np.linspace(beta_start, beta_end, T)


def alpha_bars(betas):
    """alpha_bar_t = prod_{s <= t} (1 - beta_s) for t = 0..T, shape
    (T + 1,); alpha_bar_0 = 1 (no noise yet)."""
    return np.concatenate([[1.0], np.cumprod(1 - betas)])


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
# --8<-- [end:schedule]


# --8<-- [start:forward]
def q_sample(x0, eps, *, t, alpha_bar):
    """x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) eps, for t in
    [0, T]; eps ~ N(0, I) has the shape of x0."""
    T = len(alpha_bar) - 1
    check_int("t", t, low=0, high=T)
    return math.sqrt(alpha_bar[t]) * x0 + math.sqrt(1 - alpha_bar[t]) * eps
# --8<-- [end:forward]


# --8<-- [start:simulate]
def noise_step(x, eps, *, t, betas):
    """One step of q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t)
    for t in [1, T]; betas[0] is beta_1."""
    beta = betas[t - 1]
    return math.sqrt(1 - beta) * x + math.sqrt(beta) * eps


def simulate(x0, *, n=100_000, checkpoints, betas, seed=0):
    """Noise n copies of the number x0 step by step; the sample mean and
    variance at each checkpoint t, as {t: (mean, var)}."""
    check_int("n", n, low=2)
    rng = np.random.default_rng(seed)
    x, stats = np.full(n, float(x0)), {}
    for t in range(1, max(checkpoints) + 1):
        x = noise_step(x, rng.standard_normal(n), t=t, betas=betas)
        if t in checkpoints:
            stats[t] = (x.mean(), x.var(ddof=1))
    return stats
# --8<-- [end:simulate]


if __name__ == "__main__":
    # --8<-- [start:schedule_run]
    betas = linear_betas()  # T = 1000, beta from 1e-4 to 0.02, as in DDPM
    alpha_bar = alpha_bars(betas)
    print("t     beta_t   alpha_bar_t   SNR = alpha_bar/(1 - alpha_bar)")
    for t in (1, 10, 100, 250, 500, 1000):
        a = alpha_bar[t]
        print(f"{t:<4}  {betas[t - 1]:.5f}   {a:11.3e}   {a / (1 - a):10.3e}")
    # --8<-- [end:schedule_run]

    # --8<-- [start:simulate_run]
    x0, checkpoints = 1.5, (1, 10, 100, 250, 500, 1000)
    stats = simulate(x0, checkpoints=checkpoints, betas=betas)
    print("t     mean: t steps   closed form"
          "   variance: t steps   closed form")
    for t, (mean, var) in stats.items():
        a = alpha_bar[t]
        print(f"{t:<4}  {mean:13.4f}   {math.sqrt(a) * x0:11.4f}"
              f"   {var:17.6f}   {1 - a:11.6f}")
    # --8<-- [end:simulate_run]

    # --8<-- [start:figure]
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    angle = rng.uniform(0, 3 * np.pi, 600)  # a spiral of 600 points
    X0 = np.c_[angle * np.cos(angle), angle * np.sin(angle)] / 5
    eps = rng.standard_normal(X0.shape)  # one noise draw, reused for every t

    fig, axes = plt.subplots(1, 4, figsize=(10, 2.9), sharex=True, sharey=True)
    for ax, t in zip(axes, (0, 50, 250, 1000)):
        Xt = q_sample(X0, eps, t=t, alpha_bar=alpha_bar)
        ax.scatter(Xt[:, 0], Xt[:, 1], s=3, c=angle, cmap="viridis")
        ax.set(title=f"t = {t}\nalpha_bar = {alpha_bar[t]:.3f}",
               aspect="equal", xlim=(-4, 4), ylim=(-4, 4))
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure]

"""Tests for snippets/history/bengio_2012.py (the 2012 Bengio chapter)."""

import math
import re

import numpy as np
import pytest
import torch
from torch.distributions import (
    AffineTransform,
    ExpTransform,
    TransformedDistribution,
    Uniform,
)

from snippets.history import bengio_2012 as bg
from tests.conftest import ROOT
from tools.records import output

PAGE = ROOT / "docs/history/2012-bengio.md"


def printed(name):
    """What the block `name` printed on the page (the build's run, read
    from the execution cache)."""
    return output("history/2012-bengio.md", name)


def decades() -> tuple[list[int], list[int]]:
    """Draws per decade, log-uniform and uniform, as sampling.py prints
    them: six rows, from [1e-06, 1e-05) to [1e-01, 1e+00)."""
    rows = re.findall(r"^\[(\S+), (\S+)\) +(\d+) +(\d+)$",
                      printed("sampling.py"), re.M)
    assert [(float(lo), float(hi)) for lo, hi, _, _ in rows] == [
        (10.0 ** k, 10.0 ** (k + 1)) for k in range(-6, 0)]
    return [int(r[2]) for r in rows], [int(r[3]) for r in rows]


# -- log-uniform sampling ---------------------------------------------------

def torch_log_uniform(low, high):
    """The same distribution built from torch parts: exp of a uniform."""
    base = Uniform(torch.tensor(math.log(low), dtype=torch.float64),
                   torch.tensor(math.log(high), dtype=torch.float64))
    return TransformedDistribution(base, [ExpTransform()])


def test_log_uniform_is_exp_of_the_same_uniform_numbers():
    # numpy's uniform(a, b) is a + (b - a) * random(): push the same
    # random() numbers through torch's affine and exp transforms. float64:
    # equal within rtol 1e-12 (a few roundings apart).
    low, high = 1e-6, 1.0
    mine = bg.sample_log_uniform(1000, low=low, high=high,
                                 rng=np.random.default_rng(7))
    u = torch.from_numpy(np.random.default_rng(7).random(1000))
    a, b = math.log(low), math.log(high)
    theirs = ExpTransform()(AffineTransform(a, b - a)(u)).numpy()
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=0)


def ks_statistic(x, cdf):
    """Largest gap between the empirical CDF of x and cdf."""
    x = np.sort(x)
    n = len(x)
    F = cdf(x)
    return max(np.max(np.arange(1, n + 1) / n - F),
               np.max(F - np.arange(n) / n))


@pytest.mark.parametrize("low, high", [(1e-6, 1.0), (1e-4, 1e-1),
                                       (0.5, 2.0)])
def test_log_uniform_matches_torch_distribution(low, high):
    n = 20_000
    x = bg.sample_log_uniform(n, low=low, high=high,
                              rng=np.random.default_rng(3))
    assert x.min() >= low and x.max() < high
    dist = torch_log_uniform(low, high)

    def cdf(v):
        return dist.cdf(torch.from_numpy(v)).numpy()

    # One-sample Kolmogorov-Smirnov against torch's CDF: 1.63 / sqrt(n) is
    # the 1 % critical value; the seed is fixed, so this is deterministic.
    assert ks_statistic(x, cdf) < 1.63 / math.sqrt(n)
    # Two-sample KS against torch's own sampler (1 % level: 1.63 sqrt(2/n))
    torch.manual_seed(0)
    y = dist.sample((n,)).numpy()
    grid = np.sort(np.concatenate([x, y]))
    Fx = np.searchsorted(np.sort(x), grid, side="right") / n
    Fy = np.searchsorted(np.sort(y), grid, side="right") / n
    assert np.abs(Fx - Fy).max() < 1.63 * math.sqrt(2 / n)
    # The density 1 / (v log(high / low)) agrees with torch's, rtol 1e-12
    v = np.geomspace(low, high, 7)[:-1]
    log_p = dist.log_prob(torch.from_numpy(v)).numpy()
    np.testing.assert_allclose(np.exp(log_p), 1 / (v * math.log(high / low)),
                               rtol=1e-12)


def test_decades_get_equal_shares_and_uniform_does_not():
    per_decade_log, per_decade_lin = decades()
    assert sum(per_decade_log) == sum(per_decade_lin) == 1000
    # log-uniform: about 1000 / 6 = 167 per decade (binomial sd ~12)
    assert all(120 < c < 215 for c in per_decade_log)
    # uniform: the top decade [0.1, 1) holds 90 % of the range
    assert per_decade_lin[-1] > 850
    assert sum(per_decade_lin[:3]) == 0


def test_grid_repeats_learning_rates_random_does_not():
    text = printed("grid.py")
    found = re.findall(r"^(\w+): (\d+) trials, (\d+) learning rates\n"
                       r" +(.+)$", text, re.M)
    assert [name for name, *_ in found] == ["grid", "random"]
    (_, n_grid, k_grid, grid), (_, n_random, k_random, random) = found
    grid_lrs = [float(lr) for lr in grid.split()]
    random_lrs = [float(lr) for lr in random.split()]
    assert int(n_grid) == int(n_random) == 9
    assert int(k_grid) == len(grid_lrs) == 3
    assert int(k_random) == len(random_lrs) == 9
    assert grid_lrs == [1e-4, 1e-3, 1e-2]
    # printed with two digits: 1e-4 <= lr < 1e-2 up to that rounding
    assert all(1e-4 <= lr <= 1e-2 for lr in random_lrs)


@pytest.mark.parametrize("n", [0, -1, 2.5, "3", True])
def test_bad_n_is_refused(n):
    with pytest.raises(ValueError, match=r"^n must be an integer >= 1"):
        bg.sample_log_uniform(n, low=1e-3, high=1.0,
                              rng=np.random.default_rng(0))


@pytest.mark.parametrize("low", [0, -1e-3, math.inf, math.nan, "1e-3"])
def test_bad_low_is_refused(low):
    with pytest.raises(ValueError, match=r"^low must be a finite number > 0"):
        bg.sample_log_uniform(5, low=low, high=1.0,
                              rng=np.random.default_rng(0))


@pytest.mark.parametrize("high", [1e-3, 1e-4, math.inf, math.nan, None])
def test_bad_high_is_refused(high):
    with pytest.raises(ValueError, match=r"^high must be a finite number > "
                                         r"0\.001, got "):
        bg.sample_log_uniform(5, low=1e-3, high=high,
                              rng=np.random.default_rng(0))


# -- the 1/t schedule -------------------------------------------------------

STEPS = 600  # the page says how many


@pytest.mark.parametrize("eps0, tau", [(0.01, 100), (0.5, 1), (1e-3, 37)])
def test_one_over_t_matches_lambdalr_driving_sgd(eps0, tau):
    # A real torch.optim.SGD on a quadratic, its lr set by LambdaLR for
    # STEPS steps. The two compute eps0 * (tau / t) and eps0 * tau / t: equal
    # within 1e-12 relative (in fact a rounding or two apart).
    torch.manual_seed(0)
    w = torch.randn(3, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=eps0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda t: tau / max(t, tau))
    w_mine = w.detach().clone().double()
    for t in range(STEPS):
        lr = optimizer.param_groups[0]["lr"]
        assert lr == pytest.approx(bg.one_over_t(t, eps0=eps0, tau=tau),
                                   rel=1e-12, abs=0)
        loss = ((w - 1) ** 2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        # the same step by hand with our schedule (float32 weights in torch)
        w_mine -= bg.one_over_t(t, eps0=eps0, tau=tau) * 2 * (w_mine - 1)
    np.testing.assert_allclose(w.detach().double(), w_mine, rtol=1e-5,
                               atol=1e-6)


def test_one_over_t_shape():
    f = bg.one_over_t
    assert f(0, eps0=0.01, tau=100) == f(100, eps0=0.01, tau=100) == 0.01
    assert f(200, eps0=0.01, tau=100) == pytest.approx(0.005)
    assert f(1000, eps0=0.01, tau=100) == pytest.approx(0.001)
    assert f(10**9, eps0=1.0, tau=1) == pytest.approx(1e-9)


@pytest.mark.parametrize("t", [-1, 1.5, "3", None, True])
def test_bad_t_is_refused(t):
    with pytest.raises(ValueError, match=r"^t must be an integer >= 0"):
        bg.one_over_t(t, eps0=0.01, tau=10)


@pytest.mark.parametrize("eps0", [0, -0.01, math.inf, math.nan, "0.01"])
def test_bad_eps0_is_refused(eps0):
    with pytest.raises(ValueError, match=r"^eps0 must be a finite number > 0"):
        bg.one_over_t(5, eps0=eps0, tau=10)


@pytest.mark.parametrize("tau", [0, -3, 2.0, "10", False])
def test_bad_tau_is_refused(tau):
    with pytest.raises(ValueError, match=r"^tau must be an integer >= 1"):
        bg.one_over_t(5, eps0=0.01, tau=tau)


# -- Glorot and Bengio's initialization --------------------------------------

@pytest.mark.parametrize("fan_in, fan_out", [(784, 256), (10, 10), (1, 3)])
def test_glorot_bound_is_torch_xavier_uniform_bound(fan_in, fan_out):
    # torch computes sqrt(3) * sqrt(2 / (fan_in + fan_out)): rtol 1e-15
    r = bg.glorot_bound(fan_in, fan_out)
    torch_r = math.sqrt(3.0) * math.sqrt(2.0 / (fan_in + fan_out))
    assert r == pytest.approx(torch_r, rel=1e-15)
    r4 = bg.glorot_bound(fan_in, fan_out, activation="sigmoid")
    assert r4 == pytest.approx(4 * torch_r, rel=1e-15)


@pytest.mark.parametrize("activation, gain", [("tanh", 1.0),
                                               ("sigmoid", 4.0)])
def test_xavier_uniform_samples_stay_inside_the_bound(activation, gain):
    # 1,000 x 1,000 float64 weights: the largest |w| is within 1e-4 of r
    # (it would take ~1e6 draws to miss by that much) and never above r;
    # the variance is r^2 / 3 within 1 % (its sd here is about 0.1 %).
    fan_in, fan_out = 1000, 1000
    r = bg.glorot_bound(fan_in, fan_out, activation=activation)
    torch.manual_seed(0)
    W = torch.empty(fan_out, fan_in, dtype=torch.float64)
    torch.nn.init.xavier_uniform_(W, gain=gain)
    mine = bg.glorot_uniform(fan_in, fan_out, activation=activation,
                             rng=np.random.default_rng(0))
    assert mine.shape == tuple(W.shape)
    for w in (W.abs().max().item(), np.abs(mine).max()):
        assert r * (1 - 1e-4) < w <= r
    for var in (W.var().item(), mine.var()):
        assert var == pytest.approx(r**2 / 3, rel=0.01)


def test_torch_gains_are_not_bengios_factors():
    assert torch.nn.init.calculate_gain("sigmoid") == 1
    assert torch.nn.init.calculate_gain("tanh") == pytest.approx(5 / 3)


@pytest.mark.parametrize("kw", [dict(fan_in=0), dict(fan_out=-2),
                                dict(fan_in=3.0), dict(fan_out="4")])
def test_bad_fans_are_refused(kw):
    args = dict(fan_in=10, fan_out=10) | kw
    name = next(iter(kw))
    with pytest.raises(ValueError, match=rf"^{name} must be an integer >= 1"):
        bg.glorot_bound(args["fan_in"], args["fan_out"])


def test_bad_activation_is_refused():
    with pytest.raises(ValueError, match=r"^activation must be one of "
                                         r"'tanh', 'sigmoid', got 'relu'$"):
        bg.glorot_bound(10, 10, activation="relu")


# -- the momentum notation --------------------------------------------------

def test_bengios_momentum_beta_is_one_minus_the_usual_momentum():
    # g_hat <- (1 - beta) g_hat + beta g is an average of past gradients;
    # torch keeps v <- mu v + g. With mu = 1 - beta, g_hat = beta * v
    # (float64: rtol 1e-12, atol 1e-15 for entries near 0), so beta = 0.1
    # is momentum 0.9 with the step scaled by 0.1, and beta = 1 is plain
    # SGD (mu = 0).
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(50, 4))
    for beta in (0.1, 1.0):
        g_hat = np.zeros(4)
        p = torch.zeros(4, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], lr=1.0, momentum=1 - beta)
        for g in grads:
            g_hat = (1 - beta) * g_hat + beta * g
            p.grad = torch.from_numpy(g.copy())
            opt.step()
            # with momentum 0, torch keeps no buffer: v is the gradient
            v = opt.state[p].get("momentum_buffer", p.grad).numpy()
            np.testing.assert_allclose(g_hat, beta * v, rtol=1e-12,
                                       atol=1e-15)
        if beta == 1.0:
            np.testing.assert_allclose(g_hat, grads[-1], rtol=0)


# -- the page ---------------------------------------------------------------

def test_numbers_in_the_prose_are_what_the_code_computes():
    page = " ".join(PAGE.read_text().split())  # line breaks as spaces
    # the sampling section: [0.1, 1) is 90 % of (1e-6, 1)
    assert round(100 * (1 - 0.1) / (1 - 1e-6)) == 90
    assert "is 90 % of the range, so it gets 90 % of the draws" in page
    assert f"about {round(1000 / 6)} in each" in page
    top = decades()[1][-1]
    assert f"{top} of the 1,000 uniform draws" in page
    assert f"only {1000 - top}" in page
    # the Glorot section: r for 784 -> 256, and torch's gains
    assert f"$r = {bg.glorot_bound(784, 256):.4f}$" in page
    assert "5/3" in page and torch.nn.init.calculate_gain("tanh") == 5 / 3
    assert f"for {STEPS} steps" in page
    # momentum: 0.9 in torch's notation is beta = 0.1 in Bengio's
    assert "$\\beta = 0.1$" in page


def test_built_page_shows_both_schedules_alike(site):
    html = (site / "history/2012-bengio/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    # printed by the from-scratch block and by the LambdaLR block
    assert text.count("t =  200: lr = 0.005") == 2
    assert text.count("t = 1000: lr = 0.001") == 2

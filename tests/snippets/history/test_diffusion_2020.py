"""Tests for snippets/history/diffusion_2020.py (the 2020 chapter)."""

import math
import re

import numpy as np
import pytest
import torch

from snippets.history import diffusion_2020 as df
from tests.conftest import ROOT
from tools.records import output

PAGE = ROOT / "docs/history/2020-diffusion.md"
BETAS = df.linear_betas()
ALPHA_BAR = df.alpha_bars(BETAS)


def test_the_default_schedule_is_ddpm():
    assert df.linear_betas.__kwdefaults__ == dict(T=1000, beta_start=1e-4,
                                                  beta_end=0.02)
    assert BETAS.shape == (1000,)
    assert BETAS[0] == 1e-4 and BETAS[-1] == 0.02
    np.testing.assert_allclose(np.diff(BETAS), (0.02 - 1e-4) / 999,
                               rtol=1e-9)
    assert ALPHA_BAR[0] == 1.0 and ALPHA_BAR.shape == (1001,)
    assert (np.diff(ALPHA_BAR) < 0).all()


def test_alpha_bar_is_the_product_of_one_minus_beta():
    for t in (1, 2, 10, 500, 1000):
        assert ALPHA_BAR[t] == pytest.approx(math.prod(1 - BETAS[:t]),
                                             rel=1e-12)


def torch_q_sample(x0, eps, t, T=1000, beta_start=1e-4, beta_end=0.02):
    """The same closed form, written in torch."""
    betas = torch.linspace(beta_start, beta_end, T, dtype=torch.float64)
    alpha_bar = torch.cat([torch.ones(1, dtype=torch.float64),
                           torch.cumprod(1 - betas, dim=0)])
    a = alpha_bar[t]
    return torch.sqrt(a) * x0 + torch.sqrt(1 - a) * eps


@pytest.mark.parametrize("t", [0, 1, 10, 100, 250, 500, 999, 1000])
def test_q_sample_matches_torch_on_the_same_noise(t):
    rng = np.random.default_rng(t)
    x0 = rng.standard_normal((8, 3))
    eps = rng.standard_normal((8, 3))
    mine = df.q_sample(x0, eps, t=t, alpha_bar=ALPHA_BAR)
    theirs = torch_q_sample(torch.from_numpy(x0), torch.from_numpy(eps), t)
    # float64; linspace and cumprod over 1000 factors may round
    # differently in the two libraries: atol 1e-12 is ~1e4 ulps of slack
    np.testing.assert_allclose(mine, theirs.numpy(), rtol=0, atol=1e-12)


def test_t_zero_is_the_data_and_t_max_is_almost_noise():
    x0, eps = np.array([1.5, -2.0]), np.array([0.3, 0.7])
    np.testing.assert_array_equal(
        df.q_sample(x0, eps, t=0, alpha_bar=ALPHA_BAR), x0)
    np.testing.assert_allclose(
        df.q_sample(x0, eps, t=1000, alpha_bar=ALPHA_BAR), eps, atol=0.02)


def test_the_closed_form_is_the_t_step_chain_on_the_same_noise():
    # Not only in distribution: with noise eps_s at step s, the t-step
    # chain equals the closed form with the combined noise
    # (x_t - sqrt(alpha_bar_t) x0) / sqrt(1 - alpha_bar_t).
    rng = np.random.default_rng(4)
    x0 = rng.standard_normal(5)
    x = x0.copy()
    for t in range(1, 301):
        x = df.noise_step(x, rng.standard_normal(5), t=t, betas=BETAS)
    eps = (x - math.sqrt(ALPHA_BAR[300]) * x0) / math.sqrt(1 - ALPHA_BAR[300])
    np.testing.assert_allclose(
        df.q_sample(x0, eps, t=300, alpha_bar=ALPHA_BAR), x, atol=1e-12)


CHECKPOINTS = (1, 10, 100, 250, 500, 1000)


def table(name) -> dict[int, list[float]]:
    """t -> the numbers of its row, as the block `name` printed them on
    the page (the build's run, read from the execution cache: nothing is
    simulated again)."""
    text = output("history/2020-diffusion.md", name)
    rows = [line.split() for line in text.splitlines()[1:]]
    return {int(row[0]): [float(x) for x in row[1:]] for row in rows}


def test_the_printed_schedule_is_the_code():
    rows = table("schedule.py")
    assert tuple(rows) == CHECKPOINTS
    for t, (beta, a, snr) in rows.items():
        assert f"{beta:.5f}" == f"{BETAS[t - 1]:.5f}"
        assert f"{a:.3e}" == f"{ALPHA_BAR[t]:.3e}"
        assert f"{snr:.3e}" == f"{ALPHA_BAR[t] / (1 - ALPHA_BAR[t]):.3e}"


@pytest.mark.parametrize("t", CHECKPOINTS)
def test_the_simulation_agrees_with_the_closed_form(t):
    """Statistical tolerance: 4 standard errors of n = 100 000 draws. The
    sample mean has standard error sqrt(var / n); for Gaussian data the
    sample variance has standard error var * sqrt(2 / (n - 1)). The page
    prints the mean to 4 decimals and the variance to 6: half a unit of
    the last printed digit is added for the rounding."""
    n = df.simulate.__kwdefaults__["n"]
    assert n == 100_000
    mean, closed_mean, var, closed_var = table("simulate.py")[t]
    true_mean = math.sqrt(ALPHA_BAR[t]) * 1.5
    true_var = 1 - ALPHA_BAR[t]
    # the closed-form columns are the formula, rounded
    assert f"{closed_mean:.4f}" == f"{true_mean:.4f}"
    assert f"{closed_var:.6f}" == f"{true_var:.6f}"
    assert abs(mean - true_mean) < 4 * math.sqrt(true_var / n) + 0.5e-4
    assert abs(var - true_var) < (4 * true_var * math.sqrt(2 / (n - 1))
                                  + 0.5e-6)


def test_the_simulation_runs_the_chain_it_claims():
    # simulate itself, small (n = 1000, 50 steps): its mean and variance
    # are those of x0 pushed through noise_step on the same noise
    stats = df.simulate(1.5, n=1000, checkpoints=(10, 50), betas=BETAS,
                        seed=3)
    rng = np.random.default_rng(3)
    x = np.full(1000, 1.5)
    for t in range(1, 51):
        x = df.noise_step(x, rng.standard_normal(1000), t=t, betas=BETAS)
        if t in (10, 50):
            assert stats[t] == (x.mean(), x.var(ddof=1))
    assert list(stats) == [10, 50]


@pytest.mark.parametrize("T", [0, -1, 2.5, "1000", True, None])
def test_bad_T_is_refused(T):
    with pytest.raises(ValueError, match=r"^T must be an integer >= 1, got"):
        df.linear_betas(T=T)


@pytest.mark.parametrize(
    "kwargs, name",
    [(dict(beta_start=0), "beta_start"), (dict(beta_start=-1e-4),
                                          "beta_start"),
     (dict(beta_start=1.0), "beta_start"),
     (dict(beta_start=math.nan), "beta_start"),
     (dict(beta_end=1.0), "beta_end"), (dict(beta_end=0), "beta_end"),
     (dict(beta_end="0.02"), "beta_end")],
)
def test_betas_outside_zero_one_are_refused(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must be a number in "
                       rf"\(0, 1\), got"):
        df.linear_betas(**kwargs)


@pytest.mark.parametrize("beta_start, beta_end", [(0.02, 1e-4),
                                                  (0.01, 0.01)])
def test_beta_end_must_exceed_beta_start(beta_start, beta_end):
    with pytest.raises(ValueError, match=re.escape(
            f"beta_end must be in (beta_start, 1) = ({beta_start}, 1), "
            f"got {beta_end!r}")):
        df.linear_betas(beta_start=beta_start, beta_end=beta_end)


@pytest.mark.parametrize("t", [-1, 1001, 2.0, "5", True, None])
def test_t_outside_zero_T_is_refused(t):
    with pytest.raises(ValueError,
                       match=r"^t must be an integer in \[0, 1000\], got"):
        df.q_sample(np.zeros(2), np.zeros(2), t=t, alpha_bar=ALPHA_BAR)


@pytest.mark.parametrize("n", [1, 0, 10.0])
def test_bad_sample_count_is_refused(n):
    with pytest.raises(ValueError, match=r"^n must be an integer >= 2"):
        df.simulate(1.5, n=n, checkpoints=(1,), betas=BETAS)


def test_numbers_in_the_prose_are_what_the_page_prints():
    page = PAGE.read_text()
    rows = table("schedule.py")  # t -> beta_t, alpha_bar_t, SNR
    assert f"(an SNR of {rows[250][2]:.1f})" in page
    mantissa, exponent = f"{rows[1000][1]:.0e}".split("e")
    assert (rf"$\bar\alpha_{{1000}} \approx {mantissa} \times "
            rf"10^{{{int(exponent)}}}$") in page
    # "the first steps barely touch the data"
    assert rows[10][1] > 0.99
    assert "copies of $x_0 = 1.5$" in page
    assert "to 100 000 copies" in page.replace("\n", " ")
    assert "four standard errors" in page
    assert "A spiral of 600 points" in page


def test_built_page_has_the_figure_and_the_tables(site):
    html = (site / "history/2020-diffusion/index.html").read_text()
    assert 'aria-label="A spiral of points in four panels' in html
    assert "SNR = alpha_bar/(1 - alpha_bar)" in html
    assert "temperature" in html and "guidance strength" in html

"""Tests for snippets/models/diffusion.py (the diffusion notebook,
notebooks/diffusion.py): the schedules from their formulas and against
torch, the DDPM and DDIM update rules against the Gaussian formulas, the
samplers on data whose ideal denoiser is known, guidance, the metrics,
every ValueError, and the numbers the notebook's prose quotes."""

import math
import re

import numpy as np
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from snippets.models import diffusion as df
from tests.conftest import ROOT
from tools import glue, notebooks, records

STORY = ROOT / "notebooks/diffusion.py"
# The toy's schedule: T = 200, DDPM's range scaled by 1000 / T.
TOY = df.alpha_bars(df.linear_betas(T=200, beta_start=5e-4, beta_end=0.1))


def cosine_f(t, T, s=0.008):
    """f(t) = cos^2((t/T + s) / (1 + s) * pi/2), in plain Python."""
    return math.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2


# ---------------------------------------------------------------- schedules

def test_the_default_linear_schedule_is_ddpm():
    assert df.linear_betas.__kwdefaults__ == dict(
        T=1000, beta_start=1e-4, beta_end=0.02)
    betas = df.linear_betas()
    assert betas.shape == (1000,)
    assert betas[0] == 1e-4 and betas[-1] == 0.02
    np.testing.assert_allclose(np.diff(betas), (0.02 - 1e-4) / 999,
                               rtol=1e-9)
    ab = df.alpha_bars(betas)
    assert ab.shape == (1001,) and ab[0] == 1.0
    assert (np.diff(ab) < 0).all()


def test_the_default_cosine_schedule_is_nichol_and_dhariwals():
    assert df.cosine_betas.__kwdefaults__ == dict(T=1000, s=0.008,
                                                  max_beta=0.999)


@pytest.mark.parametrize("T", [1, 2, 50, 200, 1000, 4000])
def test_cosine_alpha_bar_is_f_over_f0_except_where_beta_was_clipped(T):
    betas = df.cosine_betas(T=T)
    ab = df.alpha_bars(betas)
    f = np.array([cosine_f(t, T) for t in range(T + 1)])
    unclipped = 1 - (f[1:] / f[0]) / (f[:-1] / f[0])
    clipped = unclipped > 0.999
    assert clipped[-1] and clipped.sum() == 1  # only the last step
    assert betas[-1] == 0.999 and (betas[:-1] < 0.999).all()
    assert ab[0] == 1.0 and (np.diff(ab) < 0).all()
    # up to T - 1 the cumulative product is f(t)/f(0) (float64 rounding
    # over up to 4000 factors: rtol 1e-10)
    np.testing.assert_allclose(ab[:-1], f[:-1] / f[0], rtol=1e-10)
    # the clipped step keeps 0.001 of the signal instead of f(T) = 0
    assert ab[-1] == pytest.approx(0.001 * ab[-2], rel=1e-12)
    assert f[-1] / f[0] < 1e-30


def torch_linear(T, beta_start=1e-4, beta_end=0.02):
    betas = torch.linspace(beta_start, beta_end, T, dtype=torch.float64)
    return torch.cat([torch.ones(1, dtype=torch.float64),
                      torch.cumprod(1 - betas, dim=0)])


def torch_cosine(T, s=0.008, max_beta=0.999):
    t = torch.arange(T + 1, dtype=torch.float64)
    f = torch.cos((t / T + s) / (1 + s) * torch.pi / 2) ** 2
    betas = torch.clamp(1 - f[1:] / f[:-1], max=max_beta)
    return torch.cat([torch.ones(1, dtype=torch.float64),
                      torch.cumprod(1 - betas, dim=0)])


@pytest.mark.parametrize("T", [1, 50, 200, 1000])
def test_schedules_agree_with_torch(T):
    # float64 on both sides; cumprod over up to 1000 factors may round
    # differently in the two libraries: rtol 1e-12 (relative, because
    # alpha_bar_T is as small as 1e-9)
    np.testing.assert_allclose(df.alpha_bars(df.linear_betas(T=T)),
                               torch_linear(T).numpy(), rtol=1e-12)
    np.testing.assert_allclose(df.alpha_bars(df.cosine_betas(T=T)),
                               torch_cosine(T).numpy(), rtol=1e-12)


def test_values_at_T_1000():
    lin = df.alpha_bars(df.linear_betas())
    cos_betas = df.cosine_betas()
    cos = df.alpha_bars(cos_betas)
    got = {t: (f"{lin[t]:.3e}", f"{cos[t]:.3e}") for t in (1, 500, 1000)}
    assert got == {1: ("9.999e-01", "1.000e+00"),
                   500: ("7.859e-02", "4.938e-01"),
                   1000: ("4.036e-05", "2.429e-09")}
    assert f"{cos_betas[998]:.2f}" == "0.75"  # beta_999
    # at t = T/2 the cosine schedule's f is cos^2(pi/4 + small): ~1/2
    assert cos[500] == pytest.approx(
        cosine_f(500, 1000) / cosine_f(0, 1000), rel=1e-12)


def test_snr_is_alpha_bar_over_one_minus_alpha_bar():
    ab = df.alpha_bars(df.cosine_betas(T=100))[1:]
    np.testing.assert_allclose(df.snr(ab), ab / (1 - ab), rtol=0)
    assert (np.diff(df.snr(ab)) < 0).all()


def test_the_toy_schedule_ends_in_noise_like_ddpms():
    assert TOY.shape == (201,)
    assert f"{TOY[-1]:.1e}" == "3.0e-05"
    # the same range as DDPM over 200 steps would leave 13 % of the signal
    same = df.alpha_bars(df.linear_betas(T=200))[-1]
    assert f"{same:.0%}" == "13%"


@pytest.mark.parametrize("call, match", [
    (lambda: df.linear_betas(T=0), r"^T must be an integer >= 1, got 0"),
    (lambda: df.linear_betas(T=2.5), r"^T must be an integer >= 1"),
    (lambda: df.linear_betas(T=True), r"^T must be an integer >= 1"),
    (lambda: df.linear_betas(beta_start=0),
     r"^beta_start must be a number in \(0, 1\), got 0"),
    (lambda: df.linear_betas(beta_start=1.0), r"^beta_start must be"),
    (lambda: df.linear_betas(beta_end=math.nan), r"^beta_end must be"),
    (lambda: df.linear_betas(beta_start=0.02, beta_end=0.01),
     r"^beta_end must be in \(beta_start, 1\)"),
    (lambda: df.linear_betas(beta_start=0.02, beta_end=0.02),
     r"^beta_end must be in \(beta_start, 1\)"),
    (lambda: df.cosine_betas(T=0), r"^T must be an integer >= 1"),
    (lambda: df.cosine_betas(s=0), r"^s must be a finite number > 0, got 0"),
    (lambda: df.cosine_betas(s=-0.008), r"^s must be a finite number > 0"),
    (lambda: df.cosine_betas(s=math.inf), r"^s must be a finite number > 0"),
    (lambda: df.cosine_betas(max_beta=1.0),
     r"^max_beta must be a number in \(0, 1\)"),
    (lambda: df.cosine_betas(max_beta=0), r"^max_beta must be"),
])
def test_bad_schedule_settings_are_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------- data, metrics

def test_moons_are_centred_and_scaled():
    X, y = df.moons(20_000, seed=0)
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=0.02)
    np.testing.assert_allclose(X.std(axis=0), 1, atol=0.02)
    assert set(np.unique(y)) == {0, 1}
    X2, y2 = df.moons(20_000, seed=0)
    assert (X == X2).all() and (y == y2).all()
    with pytest.raises(ValueError, match=r"^n must be an integer >= 2"):
        df.moons(1, seed=0)


def test_nearest_agrees_with_torch_cdist():
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((300, 2)), rng.standard_normal((500, 2))
    d, i = df.nearest(A, B)
    D = torch.cdist(torch.from_numpy(A), torch.from_numpy(B))
    # float64; |a|^2 + |b|^2 - 2ab loses a few digits to cancellation
    np.testing.assert_allclose(d, D.min(dim=1).values.numpy(), atol=1e-7)
    assert (i == D.argmin(dim=1).numpy()).all()


def test_quality_off_and_gap_mean_what_they_say():
    R = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    assert df.quality(R, R) == (0.0, 0.0)
    on_one_end = np.array([[0.0, 0.0]] * 5)  # on the data, covers a third
    assert df.quality(on_one_end, R) == pytest.approx((0.0, 1.0))
    off_the_line = R + np.array([0.0, 0.5])  # all of it, half a unit off
    assert df.quality(off_the_line, R) == pytest.approx((0.5, 0.5))


def test_spread_is_the_root_of_the_total_variance():
    rng = np.random.default_rng(1)
    S = rng.standard_normal((1000, 2)) * [1.0, 2.0]
    cov = torch.cov(torch.from_numpy(S).T, correction=0)
    assert df.spread(S) == pytest.approx(
        math.sqrt(torch.trace(cov).item()), rel=1e-12)
    assert df.spread(np.ones((10, 2))) == 0.0


def test_class_quality():
    R = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 5.0], [1.0, 5.0]])
    r_y = np.array([0, 0, 1, 1])
    S = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0], [1.0, 5.0]])
    labels = np.array([0, 0, 1, 1])  # the third sample is on moon 0
    q = df.class_quality(S, labels, R, r_y)
    assert q["own"] == 0.75
    assert q["spread"] == pytest.approx((0.5 + math.sqrt(0.25 + 6.25)) / 2)
    assert q["off"] == pytest.approx((0 + 2.5) / 2)


# -------------------------------------------------------------------- model

def test_denoiser_counts_its_parameters_and_multiply_adds():
    for hidden, n_classes in ((16, 0), (64, 0), (128, 0), (64, 2)):
        net = df.Denoiser(T=200, hidden=hidden, n_classes=n_classes)
        n_in = 2 + 2 * 8 + (8 if n_classes else 0)
        macs = n_in * hidden + 2 * hidden * hidden + hidden * 2
        assert net.multiply_adds() == macs
        n_params = sum(p.numel() for p in net.parameters())
        extra = (n_classes + 1) * 8 if n_classes else 0
        assert n_params == macs + 3 * hidden + 2 + extra  # + biases
        # torch's own count of the matrix products: 2 FLOPs per
        # multiply-add, for each of the 5 points
        x, t = torch.randn(5, 2), torch.randint(1, 201, (5,))
        c = torch.zeros(5, dtype=torch.long) if n_classes else None
        with FlopCounterMode(display=False) as counter:
            assert net(x, t, c).shape == (5, 2)
        assert counter.get_total_flops() == 2 * 5 * macs


def test_width_costs_grow_with_its_square():
    macs = {h: df.Denoiser(T=200, hidden=h).multiply_adds()
            for h in (16, 64, 128)}
    assert macs == {16: 832, 64: 9472, 128: 35328}
    assert round(macs[128] / macs[16]) == 42  # "8 times the width ..."


def test_training_lowers_the_loss_and_is_seeded():
    X, _ = df.moons(500, seed=0)
    model, losses = df.train_denoiser(X, alpha_bar=TOY, hidden=16,
                                      num_steps=200)
    assert not model.training
    assert np.mean(losses[-20:]) < np.mean(losses[:20])
    _, again = df.train_denoiser(X, alpha_bar=TOY, hidden=16,
                                 num_steps=200)
    assert again == losses


def test_label_dropout_trains_the_null_label():
    X, y = df.moons(500, seed=0)

    def null_row(p_uncond):
        model, _ = df.train_denoiser(X, y, alpha_bar=TOY, hidden=16,
                                     num_steps=20, p_uncond=p_uncond)
        return model.label.weight[2].detach().clone()

    torch.manual_seed(0)  # the initial weights train_denoiser starts from
    start = df.Denoiser(T=200, hidden=16, n_classes=2).label.weight[2]
    # never dropped: the null row gets no gradient and Adam leaves it be
    assert torch.equal(null_row(0.0), start.detach())
    assert not torch.equal(null_row(0.5), start.detach())


@pytest.mark.parametrize("kwargs, match", [
    (dict(hidden=0), r"^hidden must be an integer >= 1, got 0"),
    (dict(num_steps=0), r"^num_steps must be an integer >= 1, got 0"),
    (dict(batch_size=0), r"^batch_size must be an integer >= 1, got 0"),
    (dict(lr=0), r"^lr must be a finite number > 0, got 0"),
    (dict(lr=math.nan), r"^lr must be a finite number > 0, got nan"),
    (dict(p_uncond=1.5), r"^p_uncond must be a number in \[0, 1\]"),
    (dict(p_uncond=-0.1), r"^p_uncond must be a number in \[0, 1\]"),
])
def test_bad_training_settings_are_refused(kwargs, match):
    X, _ = df.moons(10, seed=0)
    with pytest.raises(ValueError, match=match):
        df.train_denoiser(X, alpha_bar=TOY, **kwargs)


def test_bad_denoiser_settings_are_refused():
    with pytest.raises(ValueError, match=r"^T must be an integer >= 1"):
        df.Denoiser(T=0)
    with pytest.raises(ValueError, match=r"^hidden must be an integer"):
        df.Denoiser(T=10, hidden=2.0)


# --------------------------------------------------------- the update rules

def noisy(t, ab, n=6, seed=0):
    """x0, eps and x_t = sqrt(ab_t) x0 + sqrt(1 - ab_t) eps (float64)."""
    rng = np.random.default_rng(seed)
    x0, eps = rng.standard_normal((n, 2)), rng.standard_normal((n, 2))
    return x0, eps, math.sqrt(ab[t]) * x0 + math.sqrt(1 - ab[t]) * eps


@pytest.mark.parametrize("t", [1, 2, 37, 100, 199, 200])
def test_ddim_with_the_true_noise_recovers_the_data(t):
    x0, eps, x_t = noisy(t, TOY)
    got = df.ddim_step(x_t, eps, ab_t=TOY[t], ab_prev=1.0)
    np.testing.assert_allclose(got, x0, rtol=0, atol=1e-10)
    # and moves it to any earlier step along the same noise (eta = 0)
    for s in (0, t // 2, t - 1):
        got = df.ddim_step(x_t, eps, ab_t=TOY[t], ab_prev=TOY[s])
        want = math.sqrt(TOY[s]) * x0 + math.sqrt(1 - TOY[s]) * eps
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)


def torch_posterior(x0, x_t, ab_t, ab_prev):
    """Mean and variance of x_{t-1} given x_t and x0, by conditioning the
    joint Gaussian of the forward process (written independently)."""
    x0, x_t = torch.from_numpy(x0), torch.from_numpy(x_t)
    alpha = torch.tensor(ab_t / ab_prev, dtype=torch.float64)
    ab_prev = torch.tensor(ab_prev, dtype=torch.float64)
    var_prev = 1 - ab_prev  # x_{t-1} | x0 ~ N(sqrt(ab_prev) x0, var_prev)
    cov = torch.sqrt(alpha) * var_prev  # x_t = sqrt(alpha) x_{t-1} + ...
    var_t = alpha * var_prev + (1 - alpha)
    mean = (torch.sqrt(ab_prev) * x0
            + cov / var_t * (x_t - torch.sqrt(alpha * ab_prev) * x0))
    return mean.numpy(), (var_prev - cov**2 / var_t).item()


@pytest.mark.parametrize("t", [1, 2, 50, 150, 200])
def test_the_ddpm_step_is_the_gaussian_posterior(t):
    x0, eps, x_t = noisy(t, TOY)
    mean, var = torch_posterior(x0, x_t, TOY[t], TOY[t - 1])
    zero, one = np.zeros_like(x0), np.ones_like(x0)
    kw = dict(ab_t=TOY[t], ab_prev=TOY[t - 1])
    # float64 throughout: atol 1e-10
    np.testing.assert_allclose(df.ddpm_step(x_t, eps, zero, **kw), mean,
                               rtol=0, atol=1e-10)
    sigma = df.ddpm_step(x_t, eps, one, **kw) - mean
    np.testing.assert_allclose(sigma**2, var, rtol=1e-9, atol=1e-15)
    if t == 1:
        assert var == pytest.approx(0, abs=1e-15)  # the last step: no noise
    # tau scales only the noise
    half = df.ddpm_step(x_t, eps, one, tau=0.5, **kw)
    np.testing.assert_allclose(half, mean + sigma / 2, atol=1e-12)


@pytest.mark.parametrize("t", [1, 2, 50, 200])
def test_ddim_with_eta_one_between_neighbours_is_ddpm(t):
    x0, eps, x_t = noisy(t, TOY)
    z = np.random.default_rng(9).standard_normal(x0.shape)
    kw = dict(ab_t=TOY[t], ab_prev=TOY[t - 1])
    np.testing.assert_allclose(df.ddim_step(x_t, eps, z, eta=1.0, **kw),
                               df.ddpm_step(x_t, eps, z, **kw),
                               rtol=0, atol=1e-12)


def test_ddim_with_eta_zero_ignores_the_noise():
    _, eps, x_t = noisy(120, TOY)
    z = np.random.default_rng(3).standard_normal(x_t.shape)
    kw = dict(ab_t=TOY[120], ab_prev=TOY[40])
    assert (df.ddim_step(x_t, eps, None, **kw)
            == df.ddim_step(x_t, eps, z, **kw)).all()


def test_the_steps_give_the_same_numbers_in_numpy_and_torch():
    x0, eps, x_t = noisy(80, TOY)
    z = np.random.default_rng(5).standard_normal(x0.shape)
    T_ = torch.from_numpy
    for step, kw in ((df.ddpm_step, dict(tau=0.7)),
                     (df.ddim_step, dict(eta=0.3))):
        mine = step(x_t, eps, z, ab_t=TOY[80], ab_prev=TOY[60], **kw)
        theirs = step(T_(x_t), T_(eps), T_(z), ab_t=TOY[80],
                      ab_prev=TOY[60], **kw)
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=0,
                                   atol=1e-15)


# ------------------------------------------------------------- the samplers

class GaussianOracle(torch.nn.Module):
    """The exact eps-predictor for data ~ N(mu, s^2 I):
    E[eps | x_t] = sqrt(1 - ab) (x_t - sqrt(ab) mu) / (ab s^2 + 1 - ab)."""

    def __init__(self, mu, s, alpha_bar):
        super().__init__()
        self.mu, self.s = torch.tensor(mu), s
        self.ab = torch.as_tensor(alpha_bar, dtype=torch.float32)

    def forward(self, x, t, c=None):
        a = self.ab[t][:, None]
        return ((1 - a).sqrt() * (x - a.sqrt() * self.mu)
                / (a * self.s**2 + 1 - a))


ORACLE = GaussianOracle([1.0, -0.5], 0.5, TOY)


def test_samplers_with_the_ideal_denoiser_draw_the_data():
    # 20 000 samples: the standard error of a mean is 0.0035. DDPM's
    # sigma_t^2 ignores the uncertainty about x_0 and loses a few % of the
    # spread; DDIM's big jumps lose more (0.47 at 50 steps, 0.37 at 10).
    ddpm = df.ddpm_sample(ORACLE, alpha_bar=TOY, n=20_000)
    np.testing.assert_allclose(ddpm.mean(axis=0), [1.0, -0.5], atol=0.015)
    np.testing.assert_allclose(ddpm.std(axis=0), 0.5, rtol=0.06)
    ddim = df.ddim_sample(ORACLE, alpha_bar=TOY, num_steps=50, n=20_000)
    np.testing.assert_allclose(ddim.mean(axis=0), [1.0, -0.5], atol=0.015)
    np.testing.assert_allclose(ddim.std(axis=0), 0.5, rtol=0.08)
    few = df.ddim_sample(ORACLE, alpha_bar=TOY, num_steps=10, n=20_000)
    assert (few.std(axis=0) < ddim.std(axis=0) - 0.05).all()


def test_tau_zero_sends_every_sample_to_the_mean():
    # the 2-D "blurry image": with the exact denoiser of a Gaussian and no
    # reverse noise, all samples land on its mean
    S = df.ddpm_sample(ORACLE, alpha_bar=TOY, n=2000, tau=0.0)
    assert (S.std(axis=0) < 0.01).all()
    np.testing.assert_allclose(S.mean(axis=0), [1.0, -0.5], atol=0.01)


def test_samplers_are_seeded_and_ddim_draws_only_x_T():
    a = df.ddim_sample(ORACLE, alpha_bar=TOY, num_steps=20, n=100, seed=1)
    b = df.ddim_sample(ORACLE, alpha_bar=TOY, num_steps=20, n=100, seed=1)
    assert (a == b).all()
    # with eta = 0 the result is a function of x_T alone: drawing x_T
    # from the same generator and stepping by hand gives the same points
    x = torch.randn(100, 2, generator=torch.Generator().manual_seed(1))
    times = df.ddim_times(200, 20)
    for t, s in zip(times[:0:-1], times[-2::-1]):
        eps = ORACLE(x, torch.full((100,), t))
        x = df.ddim_step(x, eps, ab_t=float(TOY[t]), ab_prev=float(TOY[s]))
    np.testing.assert_array_equal(a, x.numpy())
    c = df.ddpm_sample(ORACLE, alpha_bar=TOY, n=100, seed=1)
    d = df.ddpm_sample(ORACLE, alpha_bar=TOY, n=100, seed=2)
    assert not np.allclose(c, d)


def test_ddim_times():
    for T in range(1, 61):
        for num_steps in range(1, T + 1):
            times = df.ddim_times(T, num_steps)
            assert times[0] == 0 and times[-1] == T
            assert len(times) == num_steps + 1
            assert (np.diff(times) > 0).all()
    assert df.ddim_times(200, 5) == [0, 40, 80, 120, 160, 200]


class Fixed(torch.nn.Module):
    """eps = 1 with a label, eps = 3 with the null label (n_classes = 2);
    records the number of rows of each call."""

    n_classes = 2

    def __init__(self):
        super().__init__()
        self.rows = []

    def forward(self, x, t, c=None):
        self.rows.append(len(x))
        return torch.where((c == 2)[:, None], 3.0, 1.0).expand(len(x), 2)


@pytest.mark.parametrize("w", [0.0, 0.5, 1.0, 3.0])
def test_guidance_is_one_plus_w_conditional_minus_w_unconditional(w):
    net = Fixed()
    x = torch.zeros(4, 2)
    eps = df.predict_eps(net, x, 10, labels=[0, 1, 0, 1], w=w)
    eps_c, eps_u, s = 1.0, 3.0, 1 + w
    assert torch.allclose(eps, torch.full((4, 2), (1 + w) * eps_c - w * eps_u))
    assert torch.allclose(eps, torch.full((4, 2), eps_u + s * (eps_c - eps_u)))
    # one call; with w > 0 it carries every point twice (label and null)
    assert net.rows == ([4] if w == 0 else [8])


def test_guidance_with_w_zero_is_the_conditional_model():
    net = Fixed()
    eps = df.predict_eps(net, torch.zeros(3, 2), 5, labels=[0, 1, 1])
    assert torch.equal(eps, torch.ones(3, 2))


@pytest.mark.parametrize("call, match", [
    (lambda: df.predict_eps(Fixed(), torch.zeros(2, 2), 1, [0, 1], w=-1),
     r"^w must be a finite number >= 0, got -1"),
    (lambda: df.ddpm_sample(ORACLE, alpha_bar=TOY, n=4, w=-0.5),
     r"^w must be"),
    (lambda: df.ddpm_sample(ORACLE, alpha_bar=TOY, tau=1.5),
     r"^tau must be a number in \[0, 1\], got 1.5"),
    (lambda: df.ddpm_sample(ORACLE, alpha_bar=TOY, tau=-0.1),
     r"^tau must be a number in \[0, 1\]"),
    (lambda: df.ddpm_sample(ORACLE, alpha_bar=TOY, n=0),
     r"^n must be an integer >= 1"),
    (lambda: df.ddim_sample(ORACLE, alpha_bar=TOY, num_steps=0),
     r"^num_steps must be an integer in \[1, 200\], got 0"),
    (lambda: df.ddim_sample(ORACLE, alpha_bar=TOY, num_steps=201),
     r"^num_steps must be an integer in \[1, 200\], got 201"),
    (lambda: df.ddim_sample(ORACLE, alpha_bar=TOY, num_steps=10, eta=2),
     r"^eta must be a number in \[0, 1\]"),
])
def test_bad_sampling_settings_are_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --------------------------------------------------- the notebook's numbers

@pytest.fixture(scope="module")
def toy_model():
    """The notebook's unconditional model, trained the same way."""
    X, _ = df.moons(4000, seed=0)
    model, _ = df.train_denoiser(X, alpha_bar=TOY, hidden=64)
    return model


def test_sampling_seeds_move_the_numbers_by_a_few_thousandths(toy_model):
    # the prose: "within 0.005 of each other, about as much as two runs of
    # the same sampler with different seeds differ"
    R, _ = df.moons(2000, seed=1)
    q = np.array([df.quality(df.ddpm_sample(toy_model, alpha_bar=TOY,
                                            seed=seed), R)
                  for seed in range(4)])
    spread_between_seeds = q.max(axis=0) - q.min(axis=0)
    assert (spread_between_seeds <= 0.005).all()
    assert spread_between_seeds.max() >= 0.002


def test_schedule_numbers_in_the_prose():
    story = STORY.read_text()
    lin = df.alpha_bars(df.linear_betas())
    cos = df.alpha_bars(df.cosine_betas())
    assert (f"the linear schedule has left {lin[500]:.1%} of the"
            in story.replace("\n# ", " ").replace(" %", "%"))
    assert f"cosine schedule {cos[500]:.0%}." in story.replace(
        "\n# ", " ").replace(" %", "%")
    assert f"$\\beta_{{999}} = {df.cosine_betas()[998]:.2f}$" in story
    same = df.alpha_bars(df.linear_betas(T=200))[-1]
    assert f"{same:.0%} of the signal would survive" in story.replace(
        "\n# ", " ").replace(" %", "%")


def test_inline_math_stays_on_one_line():
    # tools/notebook_html.py renders $...$ only within one line of text
    nb = notebooks.notebook(STORY)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = re.sub(r"\$\$.+?\$\$", "", cell.source, flags=re.S)
            for line in text.splitlines():
                assert line.count("$") % 2 == 0, line


def table(name):
    """The rows, under its header line, of the table the cell the story
    names `name` printed (its record)."""
    text = records.cell_output("diffusion", name)
    return [line.split() for line in text.splitlines()[1:]]


def floor():
    """The floor of off: two draws of the data, measured against each
    other, as the cell named floor printed it."""
    return re.search(r"off = (\d\.\d{3})",
                     records.cell_output("diffusion", "floor"))[1]


def rendered_prose():
    """The notebook's Markdown as the page shows it: the numbers its run
    glued in place of ``{{ name }}``, one space between words."""
    nb = records.notebook("diffusion")
    return " ".join(" ".join(c.source.split()) for c in nb.cells
                    if c.cell_type == "markdown")


def test_no_measured_number_is_typed_into_the_prose():
    # the run's numbers come from the run (glue); 0.005 is a bound,
    # checked in test_the_claims_hold_... and test_sampling_seeds_...
    nb = notebooks.notebook(STORY)
    prose = "\n".join(c.source for c in nb.cells
                      if c.cell_type == "markdown")
    prose = re.sub(r"\$\$.+?\$\$|\$.+?\$", "", prose, flags=re.S)
    assert set(re.findall(r"\b\d\.\d{3}\b", prose)) == {"0.005"}
    assert len(glue.names(prose)) >= 20


def test_the_prose_shows_the_numbers_the_cells_printed():
    least = floor()
    samplers = {" ".join(r[:3]): r[-2:] for r in table("samplers")}
    guided = {r[0]: r[3:] for r in table("guidance")}
    temps = {" ".join(r[:4]): r[4:] for r in table("temperature")}
    widths = {r[0]: r[-2] for r in table("widths") if r[0].isdigit()}
    cold, cold_cond = (temps["unconditional tau = 0.0"],
                       temps["conditional tau = 0.0"])
    prose = rendered_prose()
    assert "{{" not in prose
    for text in (
        f"(**off** is {samplers['DDPM, 200 steps'][0]}, against a floor "
        f"of {least})",
        f"grows to {samplers['DDIM, 10 steps'][1]}, and at 5 both numbers "
        f"are clearly worse ({samplers['DDIM, 5 steps'][0]} and "
        f"{samplers['DDIM, 5 steps'][1]})",
        f"(**own** = {guided['0'][0]}); guidance raises that, to "
        f"{guided['3'][0]} at $w = 3$",
        f"(**off** from {guided['0'][2]} to {guided['3'][2]})",
        f"(**spread** from {guided['0'][1]} to {guided['3'][1]})",
        f"(**gap** from {guided['0'][3]} to {guided['3'][3]})",
        f"(**spread** {cold[0]}), and **off** is {cold[1]}, eight times",
        f"(**spread** {cold_cond[0]}, **gap** {cold_cond[2]})",
        f"**off** falls from {widths['16']} to {widths['64']} to "
        f"{widths['128']}, with the floor at {least}.",
    ):
        assert text in prose


def test_the_claims_hold_for_the_printed_numbers():
    samplers = {" ".join(r[:3]): (float(r[-2]), float(r[-1]))
                for r in table("samplers")}
    ddpm = samplers["DDPM, 200 steps"]
    for n in (50, 20):  # "within 0.005 of each other"
        q = samplers[f"DDIM, {n} steps"]
        assert max(abs(q[0] - ddpm[0]), abs(q[1] - ddpm[1])) <= 0.005 + 1e-9
    assert samplers["DDIM, 10 steps"][1] > ddpm[1] + 0.01
    assert all(a > b + 0.02 for a, b in zip(samplers["DDIM, 5 steps"],
                                            ddpm))

    guided = {r[0]: [float(v) for v in r[3:]]
              for r in table("guidance") if r[0] != "data"}
    own, spread, off, gap = zip(*(guided[w] for w in ("0", "1", "3")))
    # "guidance raises that ... moves the samples closer to the data ...
    # each moon narrows ... and covers less of itself"
    assert own[0] < min(own[1], own[2])
    assert spread[0] > spread[1] > spread[2]
    assert off[0] > max(off[1], off[2]) and gap[0] < gap[1] < gap[2]

    least = float(floor())
    temps = {" ".join(r[:4]): r[4:] for r in table("temperature")}
    cold = temps["unconditional tau = 0.0"]
    assert float(cold[0]) < 0.05  # "practically one point"
    assert round(float(cold[1]) / least) == 8  # "eight times the floor"
    centre = [float(v) for v in re.findall(r"[+-]\d\.\d\d", " ".join(
        cold[3:]))]
    assert np.hypot(*centre) < 0.1  # "the middle between the two moons"
    warm = [float(v) for v in temps["unconditional tau = 1.0"][:3]]
    assert float(cold[2]) > 10 * warm[2]
    # "with a label, tau = 0.5 happens to land close to w = 3", "tau = 0
    # turns each class into a single point"
    half = [float(v) for v in temps["conditional tau = 0.5"][:3]]
    spread_3, off_3, gap_3 = guided["3"][1:]
    assert abs(half[0] - spread_3) < 0.1
    assert abs(half[1] - off_3) < 0.01 and abs(half[2] - gap_3) < 0.01
    cold_cond = [float(v) for v in temps["conditional tau = 0.0"][:3]]
    assert cold_cond[0] < 0.05 and cold_cond[2] > 10 * gap_3

    rows = table("widths")
    widths = {int(r[0]): float(r[-2]) for r in rows if r[0].isdigit()}
    assert widths[16] > widths[64] > widths[128] > least

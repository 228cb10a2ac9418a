"""Diffusion hyperparameters on a 2-D toy: the functions of the notebook.

The cosine noise schedule (DDPM's linear one is the 2020 history chapter's,
imported from there), a small denoiser that predicts the noise eps, the DDPM
and DDIM update rules and their samplers, classifier-free guidance, and the
numbers that say how good a cloud of samples is. The story
notebooks/diffusion.py includes these sections and calls them; this module
only defines (nothing runs when it is imported), and ``python -m
snippets.models.diffusion`` runs the story's cells in order.
"""

# DDPM's linear schedule and alpha_bar have one home, the 2020 history
# chapter; the story includes that section before this module's, and the
# functions here use its checks.
from snippets.history.diffusion_2020 import (  # noqa: F401 (re-exported)
    alpha_bars,
    check_int,
    check_real,
    linear_betas,
)

# --8<-- [start:schedules]
import math

import numpy as np


def cosine_betas(*, T=1000, s=0.008, max_beta=0.999):
    """The cosine schedule: alpha_bar_t = f(t) / f(0) with
    f(t) = cos^2((t/T + s) / (1 + s) * pi/2), turned into
    beta_t = 1 - alpha_bar_t / alpha_bar_{t-1}, clipped to <= max_beta.
    Shape (T,)."""
    check_int("T", T, low=1)
    check_real("s", s, low=0, low_open=True)
    check_real("max_beta", max_beta, low=0, high=1, low_open=True,
               high_open=True)
    t = np.arange(T + 1)
    f = np.cos((t / T + s) / (1 + s) * np.pi / 2) ** 2
    alpha_bar = f / f[0]  # from 1 at t = 0 down to about 0 at t = T
    betas = 1 - alpha_bar[1:] / alpha_bar[:-1]
    return np.minimum(betas, max_beta)  # f(T) = 0 would make beta_T = 1


def snr(alpha_bar):
    """Signal-to-noise ratio alpha_bar / (1 - alpha_bar), for t >= 1."""
    return alpha_bar / (1 - alpha_bar)
# --8<-- [end:schedules]


# --8<-- [start:data]
from sklearn.datasets import make_moons


def moons(n, *, seed):
    """n points of two moons (make_moons, noise 0.1) and their moon, 0 or
    1; shifted and scaled so that each axis has mean 0 and std 1 (about)."""
    check_int("n", n, low=2)
    X, y = make_moons(n_samples=n, noise=0.1, random_state=seed)
    return (X - [0.5, 0.25]) / [0.87, 0.5], y


def nearest(A, B):
    """For each row of A (n, 2): the distance to the nearest row of B
    (m, 2), and that row's index; two arrays of shape (n,)."""
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    d2 = (A**2).sum(1)[:, None] + (B**2).sum(1)[None] - 2 * A @ B.T
    i = d2.argmin(axis=1)  # (n,); d2 is (n, m), squared distances
    return np.sqrt(np.maximum(d2[np.arange(len(A)), i], 0)), i


def quality(samples, reference):
    """Two mean distances, both small for a good sampler:
    off = from each sample to its nearest reference point (are the samples
    on the data?), gap = from each reference point to its nearest sample
    (is all of the data covered?)."""
    return (float(nearest(samples, reference)[0].mean()),
            float(nearest(reference, samples)[0].mean()))


def spread(samples):
    """RMS distance of the points from their mean: how spread out they are
    (the square root of the total variance)."""
    return float(np.sqrt(samples.var(axis=0).sum()))
# --8<-- [end:data]


# --8<-- [start:model]
import torch
from torch import nn


class Denoiser(nn.Module):
    """eps_theta(x_t, t, c): the noise in x_t, predicted by an MLP.

    Its input is x_t (2 numbers), 2 * n_freq sinusoidal features of t / T
    and, when n_classes > 0, a learned embedding of the label c; the label
    n_classes means "no label" (the null label of classifier-free
    guidance). hidden is the width of its three hidden layers."""

    def __init__(self, *, T, hidden=64, n_classes=0, n_freq=8, emb=8):
        super().__init__()
        check_int("T", T, low=1)
        check_int("hidden", hidden, low=1)
        check_int("n_classes", n_classes, low=0)
        check_int("n_freq", n_freq, low=1)
        self.T, self.n_classes = T, n_classes
        # frequencies pi/2, pi, ..., 2^(n_freq - 2) pi in t/T
        self.register_buffer("freq", torch.pi / 2 * 2.0 ** torch.arange(
            n_freq))
        n_in = 2 + 2 * n_freq
        if n_classes:
            self.label = nn.Embedding(n_classes + 1, emb)
            n_in += emb
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, 2),
        )

    def forward(self, x, t, c=None):
        """x (n, 2), t (n,) integers in [1, T], c (n,) labels or None."""
        angle = (t / self.T)[:, None] * self.freq  # (n, n_freq)
        parts = [x, torch.sin(angle), torch.cos(angle)]
        if self.n_classes:
            parts.append(self.label(c))
        return self.net(torch.cat(parts, dim=1))

    def multiply_adds(self):
        """Multiply-adds of one call on one point: the Linear layers."""
        return sum(m.in_features * m.out_features for m in self.modules()
                   if isinstance(m, nn.Linear))


def train_denoiser(X, y=None, *, alpha_bar, hidden=64, num_steps=2000,
                   batch_size=256, lr=2e-2, p_uncond=0.15, seed=0):
    """Fit eps_theta with the DDPM loss |eps - eps_theta(x_t, t)|^2, where
    x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) eps and t is
    uniform in [1, T]. With labels y, each label is replaced by the null
    label with probability p_uncond. Returns the model and the losses."""
    check_int("hidden", hidden, low=1)
    check_int("num_steps", num_steps, low=1)
    check_int("batch_size", batch_size, low=1)
    check_real("lr", lr, low=0, low_open=True)
    check_real("p_uncond", p_uncond, low=0, high=1)
    torch.manual_seed(seed)
    T = len(alpha_bar) - 1
    n_classes = 0 if y is None else int(np.max(y)) + 1
    model = Denoiser(T=T, hidden=hidden, n_classes=n_classes)
    X = torch.as_tensor(X, dtype=torch.float32)
    labels = None if y is None else torch.as_tensor(y)
    ab = torch.as_tensor(alpha_bar, dtype=torch.float32)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for step in range(num_steps):
        # the learning rate decays linearly from lr to lr / num_steps
        optimizer.param_groups[0]["lr"] = lr * (1 - step / num_steps)
        i = torch.randint(len(X), (batch_size,))
        t = torch.randint(1, T + 1, (batch_size,))
        eps = torch.randn(batch_size, 2)
        a = ab[t][:, None]
        x_t = a.sqrt() * X[i] + (1 - a).sqrt() * eps
        c = None
        if labels is not None:
            drop = torch.rand(batch_size) < p_uncond
            c = torch.where(drop, n_classes, labels[i])
        loss = ((eps - model(x_t, t, c)) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model.eval(), losses
# --8<-- [end:model]


# --8<-- [start:steps]
def ddpm_step(x, eps, z, *, ab_t, ab_prev, tau=1.0):
    """x_{t-1} from x_t (DDPM, ancestral): the mean
    (x_t - beta_t / sqrt(1 - ab_t) * eps) / sqrt(alpha_t) plus
    tau * sigma_t * z, with alpha_t = ab_t / ab_prev, beta_t = 1 - alpha_t
    and sigma_t^2 = (1 - ab_prev) / (1 - ab_t) * beta_t. tau = 1 is the
    sampler; tau < 1 is the "temperature" knob that shrinks its noise."""
    alpha = ab_t / ab_prev
    beta = 1 - alpha
    mean = (x - beta / math.sqrt(1 - ab_t) * eps) / math.sqrt(alpha)
    sigma = math.sqrt((1 - ab_prev) / (1 - ab_t) * beta)
    return mean + tau * sigma * z


def ddim_step(x, eps, z=None, *, ab_t, ab_prev, eta=0.0):
    """x at an earlier step (DDIM): predict x_0, then move it to the noise
    level ab_prev along the predicted noise:
    x_0 = (x_t - sqrt(1 - ab_t) eps) / sqrt(ab_t),
    x_prev = sqrt(ab_prev) x_0 + sqrt(1 - ab_prev - sigma^2) eps + sigma z,
    sigma = eta * sqrt((1 - ab_prev) / (1 - ab_t) * (1 - ab_t / ab_prev)).
    eta = 0 is deterministic; eta = 1 between neighbours is DDPM."""
    x0 = (x - math.sqrt(1 - ab_t) * eps) / math.sqrt(ab_t)
    sigma = eta * math.sqrt((1 - ab_prev) / (1 - ab_t) * (1 - ab_t / ab_prev))
    out = math.sqrt(ab_prev) * x0 + math.sqrt(1 - ab_prev - sigma**2) * eps
    return out if sigma == 0 else out + sigma * z
# --8<-- [end:steps]


# --8<-- [start:samplers]
@torch.no_grad()
def predict_eps(model, x, t, labels=None, *, w=0.0):
    """eps_theta at step t for every row of x. With labels, classifier-free
    guidance: (1 + w) eps(x, c) - w eps(x, null); w = 0 is the plain
    conditional model (the form eps_u + s (eps_c - eps_u) has s = 1 + w)."""
    check_real("w", w, low=0)
    n = len(x)
    t = torch.full((n,), t)
    if labels is None:
        return model(x, t)
    c = torch.as_tensor(labels)
    if w == 0:
        return model(x, t, c)
    null = torch.full((n,), model.n_classes)
    both = model(torch.cat([x, x]), torch.cat([t, t]), torch.cat([c, null]))
    eps_c, eps_u = both[:n], both[n:]
    return (1 + w) * eps_c - w * eps_u


def ddpm_sample(model, *, alpha_bar, n=1000, labels=None, w=0.0, tau=1.0,
                seed=0):
    """n points by DDPM ancestral sampling: all T steps, from x_T ~ N(0, I).
    tau in [0, 1] scales the noise added at each step."""
    check_int("n", n, low=1)
    check_real("tau", tau, low=0, high=1)
    T = len(alpha_bar) - 1
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=g)
    for t in range(T, 0, -1):
        eps = predict_eps(model, x, t, labels, w=w)
        z = torch.randn(n, 2, generator=g)
        x = ddpm_step(x, eps, z, ab_t=float(alpha_bar[t]),
                      ab_prev=float(alpha_bar[t - 1]), tau=tau)
    return x.numpy()


def ddim_times(T, num_steps):
    """The steps DDIM visits: 0 = t_0 < t_1 < ... < t_S = T, S =
    num_steps, evenly spaced (integer division keeps them distinct when
    S <= T)."""
    check_int("num_steps", num_steps, low=1, high=T)
    return [i * T // num_steps for i in range(num_steps + 1)]


def ddim_sample(model, *, alpha_bar, num_steps, n=1000, labels=None, w=0.0,
                eta=0.0, seed=0):
    """n points by DDIM with num_steps denoiser calls, from
    x_T ~ N(0, I)."""
    check_int("n", n, low=1)
    check_real("eta", eta, low=0, high=1)
    T = len(alpha_bar) - 1
    times = ddim_times(T, num_steps)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=g)
    for t, t_prev in zip(times[:0:-1], times[-2::-1]):
        eps = predict_eps(model, x, t, labels, w=w)
        z = torch.randn(n, 2, generator=g) if eta > 0 else None
        x = ddim_step(x, eps, z, ab_t=float(alpha_bar[t]),
                      ab_prev=float(alpha_bar[t_prev]), eta=eta)
    return x.numpy()
# --8<-- [end:samplers]


# --8<-- [start:fidelity]
def class_quality(samples, labels, reference, ref_labels):
    """How a conditional sampler did, averaged over the classes:
    own = share of samples whose nearest reference point is of the class
    they were drawn for (fidelity); spread, off and gap as for one cloud,
    computed within each class (spread and gap measure diversity)."""
    samples, labels = np.asarray(samples), np.asarray(labels)
    own = ref_labels[nearest(samples, reference)[1]] == labels
    rows = []
    for c in np.unique(labels):
        mine, theirs = samples[labels == c], reference[ref_labels == c]
        rows.append((spread(mine), *quality(mine, theirs)))
    s, off, gap = np.mean(rows, axis=0)
    return dict(own=float(own.mean()), spread=float(s), off=float(off),
                gap=float(gap))
# --8<-- [end:fidelity]


if __name__ == "__main__":
    # The chapter's demo is its story, notebooks/diffusion.py: its cells call
    # this module's functions between the prose. Run them in order, as the
    # downloaded notebook runs (from the repository's root).
    from tools.notebooks import run

    run("diffusion")

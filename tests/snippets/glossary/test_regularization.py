"""Tests for snippets/glossary/regularization.py (the regularization
glossary page)."""

import inspect
import math
import re

import numpy as np
import pytest
import torch

from snippets.glossary import regularization as reg
from tests.conftest import ROOT

PAGE = ROOT / "docs/glossary/regularization.md"

# float64 on both sides; the NumPy code and torch.optim differ only in the
# order of the floating-point operations, so 1e-10 relative is plenty.
RTOL, ATOL = 1e-10, 1e-12


def test_pytorch_defaults_stated_on_the_page():
    def default(cls):
        return inspect.signature(cls).parameters["weight_decay"].default

    assert default(torch.optim.SGD) == 0
    assert default(torch.optim.Adam) == 0
    assert default(torch.optim.AdamW) == 0.01


def torch_weights(make, *, l2_in_loss=0.0, num_steps):
    X = torch.from_numpy(reg.X)
    y = torch.from_numpy(reg.y)
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    opt = make([w])
    for _ in range(num_steps):
        loss = ((X @ w - y) ** 2).sum() / (2 * len(y))
        loss = loss + l2_in_loss / 2 * (w**2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return w.detach().numpy()


LAMS = [0.0, 0.01, 0.1, 1.0]


@pytest.mark.parametrize("num_steps", [1, 100])
@pytest.mark.parametrize("lam", LAMS)
def test_numpy_sgd_matches_torch(lam, num_steps):
    for decoupled in (False, True):
        mine = reg.train(adam=False, decoupled=decoupled, lam=lam, lr=0.01,
                         num_steps=num_steps)
        for theirs in (
            torch_weights(lambda ps: torch.optim.SGD(ps, lr=0.01,
                                                     weight_decay=lam),
                          num_steps=num_steps),
            torch_weights(lambda ps: torch.optim.SGD(ps, lr=0.01),
                          l2_in_loss=lam, num_steps=num_steps),
        ):
            np.testing.assert_allclose(mine, theirs, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("num_steps", [1, 100])
@pytest.mark.parametrize("lam", LAMS)
def test_numpy_adam_matches_torch(lam, num_steps):
    l2 = reg.train(adam=True, decoupled=False, lam=lam, lr=0.05,
                   num_steps=num_steps)
    for theirs in (
        torch_weights(lambda ps: torch.optim.Adam(ps, lr=0.05,
                                                  weight_decay=lam),
                      num_steps=num_steps),
        torch_weights(lambda ps: torch.optim.Adam(ps, lr=0.05),
                      l2_in_loss=lam, num_steps=num_steps),
    ):
        np.testing.assert_allclose(l2, theirs, rtol=RTOL, atol=ATOL)
    decoupled = reg.train(adam=True, decoupled=True, lam=lam, lr=0.05,
                          num_steps=num_steps)
    adamw = torch_weights(lambda ps: torch.optim.AdamW(ps, lr=0.05,
                                                       weight_decay=lam),
                          num_steps=num_steps)
    np.testing.assert_allclose(decoupled, adamw, rtol=RTOL, atol=ATOL)
    # Adam's own switch for decoupled decay is AdamW
    adam_decoupled = torch_weights(
        lambda ps: torch.optim.Adam(ps, lr=0.05, weight_decay=lam,
                                    decoupled_weight_decay=True),
        num_steps=num_steps)
    np.testing.assert_allclose(decoupled, adam_decoupled, rtol=RTOL,
                               atol=ATOL)


def test_numpy_adam_other_betas():
    mine = reg.train(adam=True, decoupled=True, lam=0.3, lr=0.02,
                     betas=(0.8, 0.99), eps=1e-6, num_steps=100)
    theirs = torch_weights(
        lambda ps: torch.optim.AdamW(ps, lr=0.02, betas=(0.8, 0.99),
                                     eps=1e-6, weight_decay=0.3),
        num_steps=100)
    np.testing.assert_allclose(mine, theirs, rtol=RTOL, atol=ATOL)


def test_the_page_runs():
    runs = reg.runs
    sgd_l2, sgd_decay = runs["SGD,   L2 penalty"], runs["SGD,   weight decay"]
    adam_l2, adamw = runs["Adam,  L2 penalty"], runs["AdamW, weight decay"]
    ridge = runs["minimum of L + lam/2 |w|^2"]
    # SGD: the same to rounding; Adam: far apart
    assert np.abs(sgd_l2 - sgd_decay).max() < 1e-12
    assert np.abs(adam_l2 - adamw).max() > 1
    # Adam with L2 lands on the minimum of the penalized loss
    np.testing.assert_allclose(adam_l2, ridge, atol=1e-4)
    # "shrinks w1 from about 2.2 to 0.23"; "AdamW ... w1 near 2"
    assert f"{runs['minimum of L'][0]:.1f}" == "2.2"
    assert f"{ridge[0]:.2f}" == "0.23"
    assert abs(adamw[0] - 2) < 0.1
    # the gradient of the penalized loss is zero at the printed minimum
    g = reg.grad(ridge) + 0.1 * ridge
    assert np.abs(g).max() < 1e-12
    # "SGD has not finished": w1 is still far from the minimum
    assert sgd_l2[0] < ridge[0] / 2
    # the torch tab printed the same
    for name in ("SGD(weight_decay=0.1)", "Adam(weight_decay=0.1)"):
        assert name in reg.runs_torch
    np.testing.assert_allclose(
        reg.runs_torch["AdamW(weight_decay=0.1)"].numpy(), adamw, rtol=1e-10)


def test_input_scales_stated_on_the_page():
    scales = reg.X.std(axis=0)
    assert 0.05 < scales[0] < 0.2 and 0.5 < scales[1] < 2
    assert 5 < scales[2] < 20 and reg.X.shape == (50, 3)


def test_weight_decay_also_shrinks_biases():
    b = torch.ones(3, requires_grad=True)
    b.grad = torch.zeros(3)
    torch.optim.SGD([b], lr=0.1, weight_decay=0.5).step()
    assert torch.allclose(b, torch.full((3,), 0.95))


def test_sweep_story():
    h = reg.histories
    assert list(h) == [0.0, 1e-4, 1e-3, 1e-2, 1e-1]

    def last(lam, key):
        return h[lam][key][-1]

    # "about 19,000 weights" in the wide layer's network
    n = sum(p.numel() for p in reg.mlp(hidden=256).parameters())
    assert 18_500 < n < 19_500
    assert len(reg.small[0][0]) == 100 and len(reg.X_train) == 1078
    # lambda = 0: memorized (train loss 0.001), validation rises after
    # bottoming out at epoch 38, the largest gap
    val0 = np.array(h[0.0]["val_loss"])
    assert f"{last(0.0, 'train_loss'):.3f}" == "0.001"
    assert int(val0.argmin()) + 1 == 38
    assert val0[-1] > val0.min() + 0.02
    gaps = [last(lam, "val_loss") - last(lam, "train_loss") for lam in h]
    assert gaps[0] == max(gaps)
    # lambda = 1e-3: the lowest validation loss; train loss a bit higher
    vals = [last(lam, "val_loss") for lam in h]
    assert min(vals) == last(1e-3, "val_loss")
    assert last(1e-3, "train_loss") > last(0.0, "train_loss")
    # lambda = 0.1: both high, accuracy collapses
    assert last(0.1, "train_loss") > 1 and last(0.1, "val_loss") > 1
    assert last(0.1, "val_acc") < 0.6
    # training loss rises steadily with lambda
    trains = [last(lam, "train_loss") for lam in h]
    assert trains == sorted(trains)
    # accuracy barely moves between 0 and 1e-2
    accs = [last(lam, "val_acc") for lam in (0.0, 1e-4, 1e-3, 1e-2)]
    assert max(accs) - min(accs) < 0.01
    # the figure's alt text
    assert f"{last(1e-3, 'val_loss'):.2f}" == "0.27"
    assert f"{last(0.0, 'val_loss'):.2f}" == "0.30"


@pytest.mark.parametrize("lam", [-0.1, math.nan, math.inf, "0.1", None])
def test_bad_lambda_is_refused(lam):
    with pytest.raises(ValueError, match=r"^lam must be a finite number "
                                         r">= 0"):
        reg.train(adam=False, decoupled=False, lam=lam)


@pytest.mark.parametrize("lr", [0, -0.01, math.inf, True])
def test_bad_learning_rate_is_refused(lr):
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0"):
        reg.train(adam=True, decoupled=True, lr=lr)


@pytest.mark.parametrize("num_steps", [0, 2.5, "10"])
def test_bad_step_count_is_refused(num_steps):
    with pytest.raises(ValueError, match=r"^num_steps must be an integer"):
        reg.train(adam=False, decoupled=True, num_steps=num_steps)


def test_numbers_in_the_prose():
    page = PAGE.read_text()
    assert "$n = 50$ examples" in page and len(reg.y) == 50
    assert "first 100 of its 1078 training images" in page
    assert "AlexNet used a weight decay\nof 0.0005" in page


def test_built_page_tabs_agree(site):
    html = (site / "glossary/regularization/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    assert text.count("0.2329  -0.8697   0.5025") == 4  # 2 NumPy, 2 torch
    assert text.count("2.0212  -0.9993   0.4976") == 2

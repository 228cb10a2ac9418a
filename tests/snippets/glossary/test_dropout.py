"""Tests for snippets/glossary/dropout.py (its glossary page)."""

import functools
import inspect
import math
import re

import numpy as np
import pytest
import torch
from torch import nn

from snippets.glossary import dropout as dr
from tests.conftest import ROOT
from tools.records import output, prose

PAGE = ROOT / "docs/glossary/dropout.md"
PAGE_NAME = "glossary/dropout.md"
N = 1_000_000
RATES = (0.1, 0.2, 0.5, 0.8)


def numpy_dropout(x, p, seed=0):
    return dr.dropout(x, p=p, rng=np.random.default_rng(seed))


def torch_dropout(x, p, seed=0):
    torch.manual_seed(seed)
    return nn.Dropout(p=p)(torch.from_numpy(x)).numpy()  # training mode


# ---- from scratch against nn.Dropout, by statistics -------------------------

@pytest.fixture(scope="module")
def x():
    # float64 inputs away from 0, so that a zero means "dropped"
    rng = np.random.default_rng(42)
    return rng.uniform(0.5, 2.0, N) * rng.choice([-1.0, 1.0], N)


@pytest.mark.parametrize("p", RATES)
def test_share_of_zeros_is_p(x, p):
    # binomial: the standard error is sqrt(p (1 - p) / N) <= 0.0005, so
    # +-0.003 is more than six of them
    for y in (numpy_dropout(x, p), torch_dropout(x, p)):
        assert np.mean(y == 0) == pytest.approx(p, abs=0.003)


@pytest.mark.parametrize("p", RATES)
def test_kept_values_are_x_over_one_minus_p(x, p):
    # NumPy divides by 1 - p; torch multiplies by 1 / (1 - p): the two
    # roundings differ by at most an ulp or two (rtol 1e-15, float64)
    for y in (numpy_dropout(x, p), torch_dropout(x, p)):
        kept = y != 0
        np.testing.assert_allclose(y[kept], x[kept] / (1 - p),
                                   rtol=1e-15, atol=0)
    y = numpy_dropout(x, p)
    assert np.array_equal(y[y != 0], x[y != 0] / (1 - p))  # exact


@pytest.mark.parametrize("p", RATES)
def test_mean_is_preserved(p):
    # on a million ones the mean's standard error is sqrt(p / (1-p) / N),
    # at most 0.002 (p = 0.8); +-0.01 is five of them
    ones = np.ones(N)
    for y in (numpy_dropout(ones, p), torch_dropout(ones, p)):
        assert y.mean() == pytest.approx(1.0, abs=0.01)


def test_masks_are_independent_of_the_input(x):
    # the same seed drops the same positions whatever the values
    a = numpy_dropout(x, 0.5, seed=3)
    b = numpy_dropout(np.ones(N), 0.5, seed=3)
    assert np.array_equal(a == 0, b == 0)


@pytest.mark.parametrize("p", (0.0, 0.5, 0.99))
def test_evaluation_mode_is_the_identity(x, p):
    rng = np.random.default_rng(0)
    assert dr.dropout(x, p=p, training=False, rng=rng) is x
    drop = nn.Dropout(p=p).eval()
    t = torch.from_numpy(x)
    assert torch.equal(drop(t), t)


def test_p_zero_changes_nothing_in_training(x):
    assert np.array_equal(numpy_dropout(x, 0.0), x)
    assert np.array_equal(torch_dropout(x, 0.0), x)


def test_variance_grows_like_p_over_one_minus_p():
    # Var(h~) = h^2 p / (1 - p) for a constant h: the page's formula (2 %)
    for p in RATES:
        y = numpy_dropout(np.ones(N), p)
        assert y.var() == pytest.approx(p / (1 - p), rel=0.02)


# ---- PyTorch defaults and modes ---------------------------------------------

def test_pytorch_default_p_is_one_half():
    assert inspect.signature(nn.Dropout).parameters["p"].default == 0.5
    assert nn.Dropout().p == 0.5
    assert nn.Dropout().training  # a module starts in training mode
    assert inspect.signature(dr.mlp).parameters["dropout"].default == 0.0


def test_modes_on_the_page():
    # the printed lines of modes.py, as the page shows them
    assert output("glossary/dropout.md", "modes.py").splitlines() == [
        "train mode, same input twice, outputs equal: False",
        "eval mode,  same input twice, outputs equal: True",
        "model.training after model.eval(): False"]
    # and the same model here
    model = dr.mlp(hidden=64, dropout=0.5)
    x = dr.digits()[1][0][:1]  # one validation image
    assert not torch.equal(*[model.train()(x) for _ in range(2)])
    model.eval()
    assert torch.equal(model(x), model(x)) and not model.training
    assert [type(m) for m in model] == [nn.Linear, nn.ReLU, nn.Dropout,
                                        nn.Linear]


# ---- bad values -------------------------------------------------------------

@pytest.mark.parametrize("p", [-0.1, 1, 1.0, 1.5, math.nan, "0.5", None,
                               True])
def test_bad_p_is_refused(p):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError,
                       match=r"^p must be a number in \[0, 1\), got "):
        dr.dropout(np.ones(3), p=p, rng=rng)
    with pytest.raises(ValueError,  # in evaluation mode too
                       match=r"^p must be a number in \[0, 1\), got "):
        dr.dropout(np.ones(3), p=p, training=False, rng=rng)


@pytest.mark.parametrize("p", [-0.1, 1.0])
def test_bad_p_is_refused_by_the_experiment(p):
    with pytest.raises(ValueError,
                       match=r"^dropout must be a number in \[0, 1\), got "):
        dr.train_with_dropout(dr.noisy_subset(dr.digits()), p=p,
                              num_epochs=1)


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0}, r"^n must be an integer in \[1, 1078\], got 0$"),
    ({"n": 1079}, r"^n must be an integer in \[1, 1078\], got 1079$"),
    ({"n": 2.5}, r"^n must be an integer in \[1, 1078\], got 2.5$"),
    ({"wrong": -0.1}, r"^wrong must be a number in \[0, 1\], got -0.1$"),
    ({"wrong": 1.5}, r"^wrong must be a number in \[0, 1\], got 1.5$"),
])
def test_bad_subset_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        dr.noisy_subset(dr.digits(), **kwargs)


# ---- the experiment ---------------------------------------------------------

def test_noisy_subset():
    (X, y), val, test = dr.digits()
    (Xs, ys), val_s, test_s = dr.noisy_subset(dr.digits())
    assert torch.equal(Xs, X[:300])
    wrong = ys != y[:300]
    assert int(wrong.sum()) == 60  # 20 %, each a different digit
    assert torch.equal(val_s[1], val[1]) and torch.equal(test_s[0], test[0])
    clean = dr.noisy_subset(dr.digits(), wrong=0.0)
    assert torch.equal(clean[0][1], y[:300])


def test_parameter_count_of_the_shared_mlp():
    model = dr.mlp(hidden=64)
    assert sum(p.numel() for p in model.parameters()) == 4810


def last(values, k=10):
    return sum(values[-k:]) / k


def overfit_table():
    """{p: (train loss, val loss, lowest val loss, its epoch, val acc)} as
    overfit.py prints it on the page (losses and accuracy are means over
    the last 10 epochs): the build's run, read from the execution cache."""
    table = {}
    for row in output("glossary/dropout.md", "overfit.py").splitlines()[1:]:
        p, train, val, lowest, _, epoch, acc = row.replace(",", "").split()
        table[float(p)] = (float(train), float(val), float(lowest),
                           int(epoch), float(acc))
    assert list(table) == [0.0, 0.2, 0.5, 0.8]
    return table


@functools.cache
def page_run(p):
    """The page's run at dropout p, trained again, for what the page does
    not print: the curves epoch by epoch (it draws them) and the trained
    model. Its printed row shows that it is the same run."""
    small = dr.noisy_subset(dr.digits())
    model = dr.mlp(hidden=64, dropout=p, seed=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.004)
    h = dr.fit(model, small, optimizer=optimizer, num_epochs=100,
               batch_size=64, seed=0)
    best = int(np.argmin(h["val_loss"]))
    mine = (last(h["train_loss"]), last(h["val_loss"]), h["val_loss"][best],
            best + 1, last(h["val_acc"]))
    assert [f"{v:.3f}" for v in mine] == [f"{v:.3f}"
                                          for v in overfit_table()[p]]
    return model, h


def test_overfitting_story():
    t = overfit_table()
    train = {p: row[0] for p, row in t.items()}
    val = {p: row[1] for p, row in t.items()}
    acc = {p: row[4] for p, row in t.items()}
    # p = 0 over-fits: validation loss turns and rises
    _, v0, lowest0, epoch0, _ = t[0.0]
    assert epoch0 < 50 and v0 > lowest0 + 0.08
    # p = 0.2 over-fits too, later and less
    _, v2, lowest2, epoch2, _ = t[0.2]
    assert epoch2 > epoch0 and lowest2 + 0.02 < v2 < v0
    assert v2 - lowest2 < v0 - lowest0
    # p = 0.5: training and validation losses together, closer than the
    # two that over-fit
    gap = {p: abs(row[1] - row[0]) for p, row in t.items()}
    assert gap[0.5] < 0.05 and gap[0.5] < min(gap[0.0], gap[0.2])
    # p = 0.5 has the lowest validation loss; 0.2 is in between
    assert min(val, key=val.get) == 0.5
    assert val[0.0] > val[0.2] > val[0.5]
    # p = 0.8 under-fits: highest training loss, worst validation loss,
    # lowest late
    assert max(train, key=train.get) == 0.8
    assert max(val, key=val.get) == 0.8
    assert t[0.8][3] > 90
    # accuracy: p = 0.8 best, p = 0 worst
    assert max(acc, key=acc.get) == 0.8 and min(acc, key=acc.get) == 0.0


def test_the_curves():
    # what the figure shows epoch by epoch
    h0 = page_run(0.0)[1]
    v0 = h0["val_loss"]
    best = int(np.argmin(v0))  # the printed epoch (page_run checks it)
    assert v0[-1] > v0[best] + 0.08
    # the training loss keeps falling while the validation loss rises
    assert h0["train_loss"][-1] < h0["train_loss"][best] - 0.2
    t8 = page_run(0.8)[1]["train_loss"]  # still falling at the end
    assert last(t8) < sum(t8[-20:-10]) / 10


def test_the_figure_alt_text():
    h = {p: page_run(p)[1] for p in (0.0, 0.5, 0.8)}
    h0, h5, h8 = h[0.0], h[0.5], h[0.8]
    v0 = h0["val_loss"]
    alt = re.search(r'aria-label="([^"]*)"',
                    output(PAGE_NAME, "overfit_figure.py"))[1]
    # the numbers are the run's, as this setting's run draws them
    assert (f"p = 0: the training loss keeps falling, to "
            f"{h0['train_loss'][-1]:.2f}, while the validation loss bottoms "
            f"out at {min(v0):.2f} at epoch {int(np.argmin(v0)) + 1} and "
            f"climbs back to {v0[-1]:.2f}.") in alt
    assert (f"end close to each other, at {h5['train_loss'][-1]:.2f} and "
            f"{h5['val_loss'][-1]:.2f}.") in alt
    floor = min(h8["train_loss"] + h8["val_loss"])
    assert f"both losses stay high, never below {floor:.2f}," in alt
    # and what it says of them holds: p = 0.5 ends with the two close
    # together, p = 0.8 highest and both still falling at epoch 100
    assert abs(h5["train_loss"][-1] - h5["val_loss"][-1]) < 0.05
    assert floor > max(h5["train_loss"][-1], h5["val_loss"][-1])
    for k in ("train_loss", "val_loss"):
        assert last(h8[k]) < sum(h8[k][-20:-10]) / 10


def confidence(p):
    """Mean probability the trained network gives its own answer on the
    validation set (the model of the page, rebuilt with the same seeds)."""
    model = page_run(p)[0]
    model.eval()
    with torch.no_grad():
        probs = model(dr.noisy_subset(dr.digits())[1][0]).softmax(dim=1)
    return probs.max(dim=1).values.mean().item()


def test_heavy_dropout_is_timid():
    assert confidence(0.8) < confidence(0.5) - 0.05


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = prose(PAGE_NAME)  # with the numbers the run glued in
    t = overfit_table()
    _, v0, lowest0, epoch0, _ = t[0.0]
    one_line = " ".join(page.split())
    assert f"lowest at epoch {epoch0} ({lowest0:.3f})" in one_line
    assert f"climbs back to {v0:.3f}" in one_line
    assert f"lowest validation loss ({t[0.5][1]:.3f})" in one_line
    assert f"stays the highest ({t[0.8][0]:.3f})" in one_line
    assert f"of the four ({t[0.8][1]:.3f})" in one_line
    assert f"best of the four ({t[0.8][4]:.3f})" in one_line
    for text in ("only\n300 training examples", "60 of them (20 %)",
                 "64 hidden units, 4,810 weights",
                 "learning rate of 0.004, in batches of 64, for 100 epochs",
                 "last\n10 epochs", "$\\pm 0.003$", "$\\pm 0.01$",
                 "(1.25, 2 and 5 above)", "$p = 0.5$ in its first two",
                 "$p = 0.1$ [@vaswani2017]", "`nn.Dropout(p=0.5)`"):
        assert text in page, text
    sig = inspect.signature(dr.train_with_dropout).parameters
    assert (sig["hidden"].default, sig["lr"].default,
            sig["batch_size"].default, sig["num_epochs"].default) == (
        64, 0.004, 64, 100)
    sub = inspect.signature(dr.noisy_subset).parameters
    assert (sub["n"].default, sub["wrong"].default) == (300, 0.2)
    assert [1 / (1 - p) for p in (0.2, 0.5, 0.8)] == pytest.approx(
        [1.25, 2, 5], rel=1e-15)

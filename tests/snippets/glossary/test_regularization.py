"""Tests for snippets/glossary/regularization.py (the regularization
glossary page)."""

import functools
import inspect
import math
import re

import numpy as np
import pytest
import torch

from snippets.glossary import regularization as reg
from tests.conftest import ROOT
from tools.records import output, prose

PAGE = ROOT / "docs/glossary/regularization.md"
PAGE_NAME = "glossary/regularization.md"

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


WEIGHT_DECAYS = [0.0, 0.01, 0.1, 1.0]


@pytest.mark.parametrize("num_steps", [1, 100])
@pytest.mark.parametrize("weight_decay", WEIGHT_DECAYS)
def test_numpy_sgd_matches_torch(weight_decay, num_steps):
    for decoupled in (False, True):
        mine = reg.train(adam=False, decoupled=decoupled,
                         weight_decay=weight_decay, lr=0.01,
                         num_steps=num_steps)
        for theirs in (
            torch_weights(lambda ps: torch.optim.SGD(
                ps, lr=0.01, weight_decay=weight_decay), num_steps=num_steps),
            torch_weights(lambda ps: torch.optim.SGD(ps, lr=0.01),
                          l2_in_loss=weight_decay, num_steps=num_steps),
        ):
            np.testing.assert_allclose(mine, theirs, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("num_steps", [1, 100])
@pytest.mark.parametrize("weight_decay", WEIGHT_DECAYS)
def test_numpy_adam_matches_torch(weight_decay, num_steps):
    l2 = reg.train(adam=True, decoupled=False, weight_decay=weight_decay,
                   lr=0.05, num_steps=num_steps)
    for theirs in (
        torch_weights(lambda ps: torch.optim.Adam(
            ps, lr=0.05, weight_decay=weight_decay), num_steps=num_steps),
        torch_weights(lambda ps: torch.optim.Adam(ps, lr=0.05),
                      l2_in_loss=weight_decay, num_steps=num_steps),
    ):
        np.testing.assert_allclose(l2, theirs, rtol=RTOL, atol=ATOL)
    decoupled = reg.train(adam=True, decoupled=True,
                          weight_decay=weight_decay, lr=0.05,
                          num_steps=num_steps)
    adamw = torch_weights(lambda ps: torch.optim.AdamW(
        ps, lr=0.05, weight_decay=weight_decay), num_steps=num_steps)
    np.testing.assert_allclose(decoupled, adamw, rtol=RTOL, atol=ATOL)
    # Adam's own switch for decoupled decay is AdamW
    adam_decoupled = torch_weights(
        lambda ps: torch.optim.Adam(ps, lr=0.05, weight_decay=weight_decay,
                                    decoupled_weight_decay=True),
        num_steps=num_steps)
    np.testing.assert_allclose(decoupled, adam_decoupled, rtol=RTOL,
                               atol=ATOL)


def test_numpy_adam_other_betas():
    mine = reg.train(adam=True, decoupled=True, weight_decay=0.3, lr=0.02,
                     betas=(0.8, 0.99), eps=1e-6, num_steps=100)
    theirs = torch_weights(
        lambda ps: torch.optim.AdamW(ps, lr=0.02, betas=(0.8, 0.99),
                                     eps=1e-6, weight_decay=0.3),
        num_steps=100)
    np.testing.assert_allclose(mine, theirs, rtol=RTOL, atol=ATOL)


def weights_table(name):
    """(row name -> (w1, w2, w3), verdict lines) as the page's tab `name`
    printed them (the build's run, read from the execution cache)."""
    lines = output("glossary/regularization.md", name).splitlines()
    assert lines[0].startswith("lambda = 0.1, 300 steps from w = 0")
    rows, verdicts = {}, []
    for line in lines[1:]:
        if ": " in line:  # "... vs ...: the same"
            verdicts.append(line)
        else:  # the name is printed in 35 columns, then the weights
            rows[line[:35].rstrip()] = np.array(
                [float(x) for x in line[35:].split()])
    return rows, verdicts


def test_the_page_runs():
    runs, verdicts = weights_table("penalty.py")
    sgd_l2, sgd_decay = runs["SGD,   L2 penalty"], runs["SGD,   weight decay"]
    adam_l2, adamw = runs["Adam,  L2 penalty"], runs["AdamW, weight decay"]
    ridge = runs["minimum of L + lam/2 |w|^2"]
    # SGD: the same to rounding; Adam: far apart
    assert verdicts == ["SGD: L2 penalty vs weight decay: the same",
                        "Adam: L2 penalty vs weight decay: differ by up "
                        "to 1.8"]
    assert np.array_equal(sgd_l2, sgd_decay)
    assert np.abs(adam_l2 - adamw).max() > 1
    # Adam with L2 lands on the minimum of the penalized loss (to the
    # printed digits)
    assert np.array_equal(adam_l2, ridge)
    # "shrinks w1 from about 2.2 to 0.23"; "AdamW ... w1 near 2"
    assert f"{runs['minimum of L'][0]:.1f}" == "2.2"
    assert f"{ridge[0]:.2f}" == "0.23"
    assert abs(adamw[0] - 2) < 0.1
    # the printed minimum is the minimum: the gradient of the penalized
    # loss is zero there (computed here, from the module's data)
    exact = np.linalg.solve(reg.X.T @ reg.X / len(reg.y) + 0.1 * np.eye(3),
                            reg.X.T @ reg.y / len(reg.y))
    assert np.abs(reg.grad(exact) + 0.1 * exact).max() < 1e-12
    np.testing.assert_allclose(ridge, exact, atol=5e-5)
    # "SGD has not finished": w1 is still far from the minimum
    assert sgd_l2[0] < ridge[0] / 2
    # the torch tab printed the same
    runs_torch, verdicts_torch = weights_table("penalty_torch.py")
    for name in ("SGD(weight_decay=0.1)", "Adam(weight_decay=0.1)"):
        assert name in runs_torch
    assert np.array_equal(runs_torch["SGD(weight_decay=0.1)"], sgd_l2)
    assert np.array_equal(runs_torch["Adam(weight_decay=0.1)"], adam_l2)
    assert np.array_equal(runs_torch["AdamW(weight_decay=0.1)"], adamw)
    assert [v.rsplit(": ", 1)[1] for v in verdicts_torch] == [
        "the same", "the same", "differ by up to 1.8"]


def test_input_scales_stated_on_the_page():
    scales = reg.X.std(axis=0)
    assert 0.05 < scales[0] < 0.2 and 0.5 < scales[1] < 2
    assert 5 < scales[2] < 20 and reg.X.shape == (50, 3)


def test_weight_decay_also_shrinks_biases():
    b = torch.ones(3, requires_grad=True)
    b.grad = torch.zeros(3)
    torch.optim.SGD([b], lr=0.1, weight_decay=0.5).step()
    assert torch.allclose(b, torch.full((3,), 0.95))


def sweep_table():
    """lambda -> (train loss, val loss, gap, val acc) as the page's
    sweep.py printed them (the build's run, read from the execution
    cache: nothing is trained again)."""
    text = output("glossary/regularization.md", "sweep.py")
    rows = {}
    for line in text.splitlines()[1:]:
        weight_decay, *values = (float(x) for x in line.split())
        rows[weight_decay] = tuple(values)
    return rows


@functools.cache
def sweep_run(weight_decay):
    """One run of the sweep. The page draws the losses per epoch but
    prints only the last ones, so the runs the figure describes are
    trained here (and checked against the printed row)."""
    (X_train, y_train), validation, test = reg.digits()
    small = ((X_train[:100], y_train[:100]), validation, test)
    model = reg.mlp(hidden=256)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9,
                                weight_decay=weight_decay)
    history = reg.fit(model, small, optimizer=optimizer, num_epochs=100)
    train, val, _, acc = sweep_table()[weight_decay]
    assert (f"{history['train_loss'][-1]:.3f}",
            f"{history['val_loss'][-1]:.3f}",
            f"{history['val_acc'][-1]:.3f}") == (
        f"{train:.3f}", f"{val:.3f}", f"{acc:.3f}")
    return history


def test_sweep_story():
    h = sweep_table()
    assert list(h) == [0.0, 1e-4, 1e-3, 1e-2, 1e-1]
    TRAIN, VAL, GAP, ACC = range(4)  # the printed columns

    def last(weight_decay, column):
        return h[weight_decay][column]

    # "about 19,000 weights" in the wide layer's network
    n = sum(p.numel() for p in reg.mlp(hidden=256).parameters())
    assert 18_500 < n < 19_500
    (X_train, _), _, _ = reg.digits()
    assert len(X_train) == 1078
    # lambda = 0: memorized (a training loss near 0), the largest gap
    assert last(0.0, TRAIN) < 0.01
    gaps = [last(weight_decay, GAP) for weight_decay in h]
    assert gaps[0] == max(gaps)
    # lambda = 1e-3: the lowest validation loss; train loss a bit higher
    vals = [last(weight_decay, VAL) for weight_decay in h]
    assert min(vals) == last(1e-3, VAL)
    assert last(1e-3, TRAIN) > last(0.0, TRAIN)
    # lambda = 0.1: both high, accuracy collapses
    assert last(0.1, TRAIN) > 1 and last(0.1, VAL) > 1
    assert last(0.1, ACC) < 0.6
    # training loss rises steadily with lambda
    trains = [last(weight_decay, TRAIN) for weight_decay in h]
    assert trains == sorted(trains)
    # accuracy barely moves between 0 and 1e-2
    accs = [last(weight_decay, ACC)
            for weight_decay in (0.0, 1e-4, 1e-3, 1e-2)]
    assert max(accs) - min(accs) < 0.01


def test_unregularized_run_bottoms_out_then_creeps_up():
    # the validation loss per epoch, which the page draws but does not
    # print: it bottoms out at the epoch the prose names, creeps up again
    val0 = np.array(sweep_run(0.0)["val_loss"])
    best = int(val0.argmin()) + 1
    assert 10 < best < 90
    assert val0[-1] > val0.min() + 0.02
    page = " ".join(prose(PAGE_NAME).split())
    train = sweep_table()[0.0][0]
    assert (f"the training loss reaches {train:.3f}, the network has "
            f"memorized its 100 images, and the validation loss, after "
            f"bottoming out at epoch {best}, creeps up again") in page


def test_the_figure_alt_text():
    h0, h3, h1 = (sweep_run(wd) for wd in (0.0, 1e-3, 1e-1))
    alt = re.search(r'aria-label="([^"]*)"',
                    output(PAGE_NAME, "gap_figure.py"))[1]
    best = int(np.argmin(h0["val_loss"])) + 1
    floor = min(h1["train_loss"] + h1["val_loss"])
    assert (f"At 0 the training loss falls to {h0['train_loss'][-1]:.3f} "
            f"while the validation loss bottoms out at epoch {best} and "
            f"then creeps up to {h0['val_loss'][-1]:.2f}. At 0.001 the "
            f"training loss ends higher, at {h3['train_loss'][-1]:.3f}, and "
            f"the validation loss ends lowest, at {h3['val_loss'][-1]:.2f}. "
            f"At 0.1 both stay high, never below {floor:.2f}.") in alt
    # what it says holds: "higher", "lowest", "high" (above every other
    # run's final losses), the right panel's shapes
    assert h3["train_loss"][-1] > h0["train_loss"][-1]
    table = sweep_table()
    assert min(table, key=lambda wd: table[wd][1]) == 1e-3
    assert floor > max(max(row[:2]) for wd, row in table.items()
                       if wd != 1e-1)
    trains = [row[0] for row in table.values()]
    assert trains == sorted(trains)
    vals = [row[1] for row in table.values()]
    assert vals.index(min(vals)) == list(table).index(1e-3)
    assert vals[-1] > 3 * vals[-2] > 3 * vals[-3]  # then rises steeply


@pytest.mark.parametrize("weight_decay",
                         [-0.1, math.nan, math.inf, "0.1", None])
def test_bad_weight_decay_is_refused(weight_decay):
    with pytest.raises(ValueError, match=r"^weight_decay must be a finite "
                                         r"number >= 0, got "):
        reg.train(adam=False, decoupled=False, weight_decay=weight_decay)


@pytest.mark.parametrize("lr", [0, -0.01, math.inf, True])
def test_bad_learning_rate_is_refused(lr):
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0"):
        reg.train(adam=True, decoupled=True, lr=lr)


@pytest.mark.parametrize("num_steps", [0, 2.5, "10"])
def test_bad_step_count_is_refused(num_steps):
    with pytest.raises(ValueError,
                       match=r"^num_steps must be an integer >= 1, got "):
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

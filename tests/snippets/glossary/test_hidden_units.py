"""Tests for snippets/glossary/hidden_units.py (its glossary page)."""

import inspect
import itertools
import math

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from torch import nn

from snippets.glossary import hidden_units as hu
from tests.conftest import ROOT
from tools.records import output

PAGE = ROOT / "docs/glossary/hidden-units.md"
# the NumPy tab's data
X, y = load_digits(return_X_y=True)
X, y = X[:500] / 16.0, y[:500]


# ---- the parameter count ----------------------------------------------------

SHAPES = [[n_in, *hidden, n_out]
          for n_in in (1, 3, 64)
          for n_out in (1, 10)
          for depth in range(1, 4)
          for hidden in itertools.product((1, 2, 7, 64, 300), repeat=depth)]


def test_formula_is_torchs_count_for_many_shapes():
    assert len(SHAPES) > 300  # "a few hundred more"
    for sizes in SHAPES:
        counted = sum(p.numel() for p in hu.torch_mlp(sizes).parameters())
        assert hu.n_params(sizes) == counted, sizes


@pytest.mark.parametrize("hidden", [1, 2, 4, 8, 32, 64, 128, 512])
def test_one_hidden_layer_on_digits_is_75_h_plus_10(hidden):
    assert hu.n_params([64, hidden, 10]) == 75 * hidden + 10
    model = hu.mlp(hidden=hidden)  # the shared task's network
    assert sum(p.numel() for p in model.parameters()) == 75 * hidden + 10


def test_torch_mlp_has_relu_between_layers_only():
    model = hu.torch_mlp([64, 8, 8, 10])
    assert [type(m) for m in model] == [nn.Linear, nn.ReLU, nn.Linear,
                                        nn.ReLU, nn.Linear]


# ---- NumPy by hand against torch autograd -----------------------------------

def torch_model(params):
    W1, b1, W2, b2 = (torch.from_numpy(p) for p in params)
    model = nn.Sequential(nn.Linear(W1.shape[1], W1.shape[0]), nn.ReLU(),
                          nn.Linear(W2.shape[1], W2.shape[0])).double()
    with torch.no_grad():
        for layer, W, b in ((model[0], W1, b1), (model[2], W2, b2)):
            layer.weight.copy_(W)
            layer.bias.copy_(b)
    return model


def torch_params(model):
    return [p.detach().numpy() for p in (model[0].weight, model[0].bias,
                                         model[2].weight, model[2].bias)]


def torch_train(X, y, *, hidden, lr, num_steps, seed=0):
    model = torch_model(hu.init_params(hidden=hidden, seed=seed))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(num_steps):
        loss = nn.functional.cross_entropy(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return torch_params(model)


@pytest.mark.parametrize("hidden", [1, 2, 8, 32, 128, 512])
def test_hand_gradients_match_autograd(hidden):
    # float64: rtol 1e-10, atol 1e-13 (sums of up to 500 terms in another
    # order; atol for gradients that are 0 up to rounding)
    params = hu.init_params(hidden=hidden, seed=hidden)
    loss, grads = hu.loss_and_gradients(params, X, y)
    model = torch_model(params)
    ref = nn.functional.cross_entropy(model(torch.from_numpy(X)),
                                      torch.from_numpy(y))
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    for g, p in zip(grads, (model[0].weight, model[0].bias,
                            model[2].weight, model[2].bias)):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-10,
                                   atol=1e-13)


@pytest.mark.parametrize("num_steps", [1, 100])
def test_numpy_training_matches_torch_sgd(num_steps):
    # float64: every weight within rtol 1e-10 (atol 1e-12) after 1 step
    # and after 100 steps; the orders of summation differ, and 100 steps
    # let those last-bit differences grow a little
    mine, _ = hu.train_numpy(X, y, hidden=32, lr=0.5, num_steps=num_steps)
    ref = torch_train(X, y, hidden=32, lr=0.5, num_steps=num_steps)
    for a, b in zip(mine, ref):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_the_two_tabs_print_the_same_losses():
    # what the two tabs printed on the page (read from the execution
    # cache), and the NumPy tab's losses computed again on the test's data
    numpy_tab = output("glossary/hidden-units.md", "mlp_numpy.py")
    torch_tab = output("glossary/hidden-units.md", "mlp_torch.py")
    assert numpy_tab == torch_tab
    printed = [float(line.split()[-1]) for line in numpy_tab.splitlines()]
    _, mine = hu.train_numpy(X, y, hidden=32, lr=0.5, num_steps=100)
    assert numpy_tab == "".join(f"after {step:>3} steps: loss "
                                f"{mine[step]:.6f}\n"
                                for step in (0, 1, 10, 100))
    assert printed[3] < 0.2 < 2.3 < printed[0]


def test_init_is_pytorchs_default_distribution():
    W1, b1, W2, b2 = hu.init_params(hidden=1000, seed=0)
    for W, b, fan_in in ((W1, b1, 64), (W2, b2, 1000)):
        bound = 1 / math.sqrt(fan_in)
        assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
        assert W.var() == pytest.approx(1 / (3 * fan_in), rel=0.03)


# ---- PyTorch: no default width ----------------------------------------------

def test_nn_linear_has_no_default_size():
    params = inspect.signature(nn.Linear).parameters
    for name in ("in_features", "out_features"):
        assert params[name].default is inspect.Parameter.empty
    with pytest.raises(TypeError):
        nn.Linear(64)
    assert inspect.signature(hu.mlp).parameters["hidden"].default == 64


# ---- bad values -------------------------------------------------------------

@pytest.mark.parametrize("sizes, message", [
    ([64], r"^sizes must be a list of >= 2 integers >= 1, got \[64\]$"),
    ([], r"^sizes must be a list of >= 2 integers >= 1, got \[\]$"),
    ("64,10", r"^sizes must be a list of >= 2 integers >= 1, got '64,10'$"),
    (None, r"^sizes must be a list of >= 2 integers >= 1, got None$"),
    ([64, 0, 10], r"^sizes\[1\] must be an integer >= 1, got 0$"),
    ([64, 2.5, 10], r"^sizes\[1\] must be an integer >= 1, got 2.5$"),
    ((64, -1), r"^sizes\[1\] must be an integer >= 1, got -1$"),
    ([64, 32, True], r"^sizes\[2\] must be an integer >= 1, got True$"),
])
def test_bad_sizes_are_refused(sizes, message):
    with pytest.raises(ValueError, match=message):
        hu.n_params(sizes)
    with pytest.raises(ValueError, match=message):
        hu.torch_mlp(sizes)


@pytest.mark.parametrize("kwargs, message", [
    ({"hidden": 0}, r"^hidden must be an integer >= 1, got 0$"),
    ({"hidden": 3.0}, r"^hidden must be an integer >= 1, got 3.0$"),
    ({"n_in": 0}, r"^n_in must be an integer >= 1, got 0$"),
    ({"n_out": -2}, r"^n_out must be an integer >= 1, got -2$"),
])
def test_bad_init_sizes_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        hu.init_params(**kwargs)


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": 0}, r"^lr must be a finite number > 0, got 0$"),
    ({"lr": math.inf}, r"^lr must be a finite number > 0, got inf$"),
    ({"num_steps": -1}, r"^num_steps must be an integer >= 0, got -1$"),
    ({"num_steps": 2.0}, r"^num_steps must be an integer >= 0, got 2.0$"),
    ({"hidden": 0}, r"^hidden must be an integer >= 1, got 0$"),
])
def test_bad_training_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        hu.train_numpy(np.zeros((2, 64)), np.zeros(2, dtype=int), **kwargs)


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0}, r"^n must be an integer in \[1, 1078\], got 0$"),
    ({"n": 2000}, r"^n must be an integer in \[1, 1078\], got 2000$"),
    ({"widths": (0,)}, r"^hidden must be an integer >= 1, got 0$"),
])
def test_bad_sweep_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        hu.width_sweep(hu.digits(), **kwargs)


# ---- the experiment ---------------------------------------------------------

def widths_table():
    """width -> (params, train acc, val acc, val loss, lowest val loss,
    its epoch), as the page prints them (the build's run, read from the
    execution cache: nothing is trained again); numbers as printed."""
    text = output("glossary/hidden-units.md", "widths.py")
    rows = {}
    for line in text.splitlines()[1:]:
        r = line.replace(",", "").split()  # "1.787, epoch 60"; "2,410"
        assert r[6] == "epoch", line
        rows[int(r[0])] = (int(r[1]), *r[2:6], int(r[7]))
    return rows


def final(width, key):
    i = {"train_acc": 1, "val_acc": 2, "val_loss": 3}[key]
    return float(widths_table()[width][i])


def test_width_story():
    r = widths_table()
    assert list(r) == [1, 2, 4, 8, 32, 128, 512]
    # too few under-fit: training accuracy itself is low
    for w in (1, 2):
        assert final(w, "train_acc") < 0.3
    assert 0.45 < final(4, "val_acc") < 0.6  # about half
    assert 0.8 < final(8, "val_acc") < 0.9  # most
    for w in (32, 128, 512):
        assert final(w, "train_acc") >= 0.993
        assert 0.935 <= final(w, "val_acc") < 0.95  # 94 to 95 %
    # no over-fitting in 60 epochs: lowest validation loss at or next to
    # the last epoch, for every width
    for row in r.values():
        assert row[5] >= 59
    val = {w: final(w, "val_loss") for w in r}
    assert min(val, key=val.get) == 512
    # the train - validation accuracy gap widens from 8 to 512 units
    gap = {w: final(w, "train_acc") - final(w, "val_acc") for w in r}
    assert gap[512] > gap[32] > 0 and gap[512] > 0.06


@pytest.fixture(scope="module")
def longer():
    """Widths 1 and 2 trained five times longer (300 epochs): their first
    60 epochs are the page's runs."""
    return hu.width_sweep(hu.digits(), widths=(1, 2), num_epochs=300)


def test_too_few_units_keep_a_high_training_loss(longer):
    table = widths_table()
    for w in (1, 2):
        _, h = longer[w]
        # the first 60 epochs are the page's run ...
        assert f"{h['train_acc'][59]:.3f}" == table[w][1]
        assert f"{h['val_loss'][59]:.3f}" == table[w][3]
        # ... whose training loss the page does not print
        assert h["train_loss"][59] > 1.5


def test_one_unit_stays_under_fitted_when_trained_longer(longer):
    _, h = longer[1]
    assert f"{h['train_acc'][59]:.3f}" == widths_table()[1][1]  # the same
    assert round(h["train_acc"][-1], 1) == 0.4  # "only to about 0.4"


def test_seed_changes_move_the_accuracy_by_a_few_digits():
    n_val = len(hu.digits()[1][1])
    assert n_val == 359
    # seed 0 is the page's run: its accuracies as printed (3 decimals
    # tell the 359 possible values apart)
    right = {w: [round(final(w, "val_acc") * n_val)] for w in (128, 512)}
    for seed in (1, 2, 3):
        r = hu.width_sweep(hu.digits(), widths=(128, 512), seed=seed)
        for w in right:
            right[w].append(round(r[w][1]["val_acc"][-1] * n_val))
    assert right[128][0] - right[512][0] == 4  # the page's seed 0
    assert all(max(v) - min(v) == 3 for v in right.values())


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = " ".join(PAGE.read_text().split())  # line breaks as spaces
    r = widths_table()
    assert f"training accuracy `{r[1][1]}`" in page
    assert "fit the training set almost perfectly" in page
    assert min(float(r[w][1]) for w in r if w >= 32) > 0.99
    count = r[512][0]
    assert f"**512 units** have {count:,} parameters for 300 examples, " \
        f"{round(count / 300)} times" in page
    assert "validation loss is the lowest of the table" in page
    assert float(r[512][3]) == min(float(row[3]) for row in r.values())
    assert (f"read 4 digits fewer out of 359 than 128 units "
            f"(`{r[512][2]}` against `{r[128][2]}`)") in page
    assert round((float(r[128][2]) - float(r[512][2])) * 359) == 4
    assert "P = 64 n_h + n_h + 10 n_h + 10 = 75\\, n_h + 10" in page
    for text in ("One hidden layer of 32 ReLU units on 500 digits",
                 "(learning rate 0.5) for 100 steps",
                 "relative error of $10^{-10}$",
                 "first 300 training examples",
                 "learning rate of 0.1 for 60 epochs",
                 "widths from 1 to 512", "94 to 95 %"):
        assert text in page, text
    sweep = inspect.signature(hu.width_sweep).parameters
    assert (sweep["n"].default, sweep["lr"].default,
            sweep["num_epochs"].default) == (300, 0.1, 60)
    assert sweep["widths"].default == (1, 2, 4, 8, 32, 128, 512)
    assert len(X) == 500  # "on 500 digits": the NumPy tab's data


@pytest.mark.parametrize("width", [64, 1024])
def test_the_default_leaves_a_third_of_the_variance_a_sixth_with_relu(
        width):
    # the page: the width does not change the factor; each layer leaves
    # about a third of the variance, a sixth through a ReLU
    page = " ".join(PAGE.read_text().split())
    assert ("each layer leaves about a third of the signal's variance, a "
            "sixth through a ReLU") in page
    torch.manual_seed(0)
    layer = nn.Linear(width, width, bias=False)
    x = torch.randn(4096, width)
    with torch.no_grad():
        kept = (layer(x).var() / x.var()).item()
        relu = (layer(x).relu().pow(2).mean() / x.var()).item()
    assert kept == pytest.approx(1 / 3, rel=0.1)  # sampling: ±10 %
    assert relu == pytest.approx(1 / 6, rel=0.1)

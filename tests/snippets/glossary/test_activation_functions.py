"""Tests for snippets/glossary/activation_functions.py (its glossary page)."""

import inspect
import math
import re
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from snippets.glossary import activation_functions as af
from tests.conftest import ROOT
from tools.records import output, prose

PAGE = ROOT / "docs/glossary/activation-functions.md"
GRID = np.concatenate([np.linspace(-10, 10, 2001), [-1e-300, 1e-300]])

# (numpy f, numpy f', torch module)
PAIRS = {
    "sigmoid": (af.sigmoid, af.d_sigmoid, nn.Sigmoid()),
    "tanh": (af.tanh, af.d_tanh, nn.Tanh()),
    "relu": (af.relu, af.d_relu, nn.ReLU()),
    "gelu": (af.gelu, af.d_gelu, nn.GELU()),
    "gelu-tanh": (lambda x: af.gelu(x, approximate="tanh"),
                  lambda x: af.d_gelu(x, approximate="tanh"),
                  nn.GELU(approximate="tanh")),
    "leaky": (af.leaky_relu, af.d_leaky_relu, nn.LeakyReLU()),
    "leaky-0.2": (lambda x: af.leaky_relu(x, negative_slope=0.2),
                  lambda x: af.d_leaky_relu(x, negative_slope=0.2),
                  nn.LeakyReLU(negative_slope=0.2)),
}


def torch_value_and_derivative(module, x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = module(t)
    (dy,) = torch.autograd.grad(y.sum(), t)  # elementwise: dy_i/dx_i
    return y.detach().numpy(), dy.numpy()


# ---- from scratch against torch ---------------------------------------------

@pytest.mark.parametrize("name", PAIRS)
def test_numpy_matches_torch_on_a_grid(name):
    # float64 on both sides: rtol 1e-12 for values and derivatives, plus
    # atol 1e-14 where the result is a difference of numbers near 1 (e.g.
    # 1 + erf(x / sqrt 2) or 1 + tanh(u) for x < -5), which cancels to a
    # few ulps of 1 (2.2e-16 each), times |x| <= 10
    f, df, module = PAIRS[name]
    y, dy = torch_value_and_derivative(module, GRID)
    np.testing.assert_allclose(f(GRID), y, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(df(GRID), dy, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", PAIRS)
def test_derivatives_match_finite_differences(name):
    # central differences, h = 1e-6: error O(h^2) plus rounding, atol 1e-7;
    # away from ReLU's kink at 0
    f, df, _ = PAIRS[name]
    x = GRID[np.abs(GRID) > 1e-3]
    h = 1e-6
    np.testing.assert_allclose(df(x), (f(x + h) - f(x - h)) / (2 * h),
                               rtol=0, atol=1e-7)


def test_relu_takes_zero_at_the_kink_like_torch():
    _, dy = torch_value_and_derivative(nn.ReLU(), np.array([0.0]))
    assert af.d_relu(np.array([0.0]))[0] == dy[0] == 0.0
    _, dy = torch_value_and_derivative(nn.LeakyReLU(), np.array([0.0]))
    assert af.d_leaky_relu(np.array([0.0]))[0] == dy[0] == 0.01


def test_sigmoid_is_safe_far_from_zero():
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with warnings.catch_warnings(), np.errstate(over="raise"):
        warnings.simplefilter("error")
        s = af.sigmoid(x)
    assert s[0] == 0.0 and s[2] == 0.5 and s[-1] == 1.0


def test_the_derivative_bounds_in_the_prose():
    x = np.linspace(-10, 10, 200_001)  # step 1e-4, includes 0
    assert af.d_sigmoid(x).max() == 0.25  # sigma'(0) = 1/4
    assert af.d_tanh(x).max() == 1.0
    assert set(np.unique(af.d_relu(x))) == {0.0, 1.0}


def test_figure_alt_text_facts():
    x = np.linspace(-4, 4, 80_001)
    # GELU dips below zero, lowest near x = -0.75
    assert x[np.argmin(af.gelu(x))] == pytest.approx(-0.75, abs=0.01)
    assert af.gelu(x).min() < 0
    # its derivative is 0.5 at 0 and overshoots 1
    assert af.d_gelu(np.array([0.0]))[0] == 0.5
    assert 1.0 < af.d_gelu(x).max() < 1.2
    assert af.d_gelu(np.array([-4.0]))[0] == pytest.approx(0, abs=1e-3)


def test_both_tabs_print_the_same_table():
    # read from the execution cache: what the page shows
    mine = output("glossary/activation-functions.md", "activations.py")
    theirs = output("glossary/activation-functions.md",
                    "activations_torch.py")
    assert mine == theirs
    assert mine.splitlines()[-1] == (
        "GELU, largest gap between exact and tanh formula: 4.7e-04")


def test_gelu_tanh_formula_is_close_to_the_exact_one():
    x = np.linspace(-6, 6, 1201)
    gap = np.abs(af.gelu(x) - af.gelu(x, approximate="tanh")).max()
    assert f"{gap:.1e}" == "4.7e-04"
    # the page's torch tab computes the same number with torch's formulas
    t = torch.from_numpy(x)
    torch_gap = (nn.GELU()(t) - nn.GELU(approximate="tanh")(t)).abs().max()
    assert f"{torch_gap.item():.1e}" == "4.7e-04"


# ---- PyTorch defaults -------------------------------------------------------

def test_pytorch_defaults():
    gelu = inspect.signature(nn.GELU).parameters["approximate"]
    assert gelu.default == "none"
    leaky = inspect.signature(nn.LeakyReLU).parameters["negative_slope"]
    assert leaky.default == 0.01
    assert nn.LeakyReLU().negative_slope == 0.01
    # nn.Linear has no activation: it is affine, f(2x) - f(x) = f(x) - f(0)
    layer = nn.Linear(3, 2)
    x = torch.randn(5, 3)
    zero = layer(torch.zeros(1, 3))
    torch.testing.assert_close(layer(2 * x) - layer(x), layer(x) - zero)
    assert "activation" not in inspect.signature(nn.Linear).parameters


# ---- bad values -------------------------------------------------------------

@pytest.mark.parametrize("approximate", ["None", "erf", None, "TANH"])
def test_bad_gelu_formula_is_refused(approximate):
    with pytest.raises(ValueError, match=r"^approximate must be one of "
                                         r"'none', 'tanh', got "):
        af.gelu(np.zeros(2), approximate=approximate)
    with pytest.raises(ValueError, match=r"^approximate must be one of "):
        af.d_gelu(np.zeros(2), approximate=approximate)


@pytest.mark.parametrize("slope", [-0.01, 1, 1.5, math.nan, "0.1", True])
def test_bad_negative_slope_is_refused(slope):
    with pytest.raises(ValueError,
                       match=r"^negative_slope must be a number in \[0, 1\)"):
        af.leaky_relu(np.zeros(2), negative_slope=slope)
    with pytest.raises(ValueError, match=r"^negative_slope must be"):
        af.d_leaky_relu(np.zeros(2), negative_slope=slope)


def test_bad_config_is_refused():
    with pytest.raises(ValueError, match=r"^config must be one of "
                                         r"'sigmoid', 'tanh', 'ReLU', "
                                         r"'ReLU \+ He init', got "
                                         r"'softplus'$"):
        af.train_deep("softplus", af.digits())


@pytest.mark.parametrize("kwargs, name", [({"depth": 0}, "depth"),
                                          ({"num_epochs": 0}, "num_epochs")])
def test_bad_training_settings_are_refused(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        af.train_deep("tanh", af.digits(), **kwargs)


# ---- the experiments --------------------------------------------------------

def test_he_init_gives_variance_two_over_n_in():
    model = af.he_init(nn.Sequential(nn.Linear(500, 400), nn.ReLU()))
    w = model[0].weight.detach().double()
    # 200,000 samples: the variance is within 2% (> 10 standard errors)
    assert w.var().item() == pytest.approx(2 / 500, rel=0.02)
    assert torch.all(model[0].bias == 0)


def gradient_table() -> dict[str, dict[int, str]]:
    """{config: {depth: first-layer gradient norm}}, as gradients.py
    prints it on the page (the build's run, read from the execution
    cache), the numbers as the printed strings."""
    text = output("glossary/activation-functions.md", "gradients.py")
    header, *rows = text.splitlines()
    assert header == "depth" + "".join(f"{name:>16}" for name in af.CONFIGS)
    table = {name: {} for name in af.CONFIGS}
    for row in rows:
        depth, *values = row.split()
        for name, value in zip(af.CONFIGS, values, strict=True):
            table[name][int(depth)] = value
    return table


def printed_norms() -> dict[str, dict[int, float]]:
    return {name: {d: float(v) for d, v in row.items()}
            for name, row in gradient_table().items()}


@pytest.fixture(scope="module")
def norms():
    """Every depth from 1 to 20, as the figure draws them (the page prints
    only six): a fresh model per depth, one backward pass each."""
    X, y = af.digits()[0]
    return af.gradient_norms(X, y)


def test_gradient_table_is_deterministic(norms):
    X, y = af.digits()[0]
    again = af.gradient_norms(X, y, depths=[1, 5, 20])
    printed = gradient_table()
    for name, values in again.items():
        assert values == [norms[name][d - 1] for d in (1, 5, 20)]
        # and it is the table the page printed
        assert [f"{v:.1e}" for v in values] == [printed[name][d]
                                                for d in (1, 5, 20)]
    assert sorted(printed["tanh"]) == [1, 2, 5, 10, 15, 20]


def per_layer_factor(name, a=5, b=15):
    """Factor by which the squared gradient shrinks per layer, a -> b,
    from the printed table (two significant digits: the factor is good to
    about 1%)."""
    n = printed_norms()[name]
    return (n[b] / n[a]) ** (2 / (b - a))


@pytest.mark.parametrize("name, estimate", [
    ("sigmoid", 1 / 48), ("tanh", 1 / 3), ("ReLU", 1 / 6),
    ("ReLU + He init", 1.0),
])
def test_per_layer_factors_are_within_a_third_of_the_estimates(name,
                                                                estimate):
    # the page: "within a third of these estimates"
    assert per_layer_factor(name) == pytest.approx(estimate, rel=1 / 3)


def test_gradient_story(norms):
    at = {name: values[20] for name, values in printed_norms().items()}
    assert at["sigmoid"] < at["ReLU"] < at["tanh"] < at["ReLU + He init"]
    # the figure's alt text
    # "about 1e-17", "about 1e-8", "about 1e-5": within half a decade
    for name, about in (("sigmoid", -17), ("ReLU", -8), ("tanh", -5)):
        assert abs(math.log10(at[name]) - about) < 0.5
    he = norms["ReLU + He init"]  # all 20 depths, as drawn
    assert len(he) == 20 and 0.2 < min(he) and max(he) < 0.7


def training_table() -> dict[str, tuple[float, float, float, float]]:
    """{config: (val acc epoch 1, epoch 5, epoch 10, train loss epoch
    10)}, as train.py prints it on the page (read from the execution
    cache: nothing is trained again)."""
    text = output("glossary/activation-functions.md", "train.py")
    rows = text.splitlines()[3:]
    table = {}
    for row in rows:
        *name, a1, a5, a10, loss = row.split()
        table[" ".join(name)] = (float(a1), float(a5), float(a10),
                                 float(loss))
    assert list(table) == list(af.CONFIGS)
    return table


def test_training_story():
    t = training_table()
    sig, tanh, relu, he = (t[name] for name in af.CONFIGS)
    assert max(sig[:3]) < 0.15  # about one digit in ten
    assert sig[3] == pytest.approx(math.log(10), abs=0.02)
    assert tanh[0] < tanh[1] < tanh[2]
    assert tanh[2] > 0.8
    assert max(relu[:3]) < 0.3
    # "reads most validation digits after a single epoch"; after ten it
    # leads every other network (how far it gets, 0.94 to 0.97 over
    # seeds and CPUs, the page shows from the run)
    assert he[0] > 0.5
    assert he[2] > max(tanh[2], relu[2], sig[2]) + 0.05


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = PAGE.read_text()
    assert f"$\\ln 10 \\approx {math.log(10):.3f}$" in page
    n = gradient_table()
    assert f"its gradient is `{n['sigmoid'][20]}`" in page
    assert (f"were `{n['ReLU'][5]}` at this depth, against "
            f"`{n['ReLU + He init'][5]}`") in page
    # the trained accuracy depends on the CPU's kernels: shown from the
    # run (glue), never typed
    he_acc = training_table()["ReLU + He init"][2]
    assert "{{ he_acc }} of them after ten" in page
    shown = re.sub(r"\s+", " ", prose("glossary/activation-functions.md"))
    assert f"a single epoch and {he_acc:.3f} of them after ten" in shown
    assert "2,001 points from $-10$ to $10$" in page and len(GRID) == 2003
    printed = output("glossary/activation-functions.md", "activations.py")
    assert printed.endswith(": 4.7e-04\n") and "`4.7e-04`" in page
    assert "64 \\cdot \\tfrac{2}{64} \\cdot \\tfrac12 = 1" in page
    for text in ("5 hidden layers of 64 units", "learning rate of 0.1",
                 "for 10 epochs"):
        assert text in page
    sig = inspect.signature(af.train_deep).parameters
    assert (sig["depth"].default, sig["lr"].default,
            sig["num_epochs"].default) == (5, 0.1, 10)
    assert re.search(r"1 to 20 hidden layers of 64 units", page)

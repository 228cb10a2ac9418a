"""Tests for snippets/glossary/weight_initialization.py (its glossary
page)."""

import inspect
import math
import re

import numpy as np
import pytest
import torch
from torch import nn

from snippets.glossary import weight_initialization as wi
from tests.conftest import ROOT
from tools.records import output, prose

PAGE = ROOT / "docs/glossary/weight-initialization.md"
N_IN, N_OUT = 2048, 1024  # 2,097,152 weights per matrix
QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]


def numpy_draws(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "glorot_uniform": wi.glorot_uniform(N_IN, N_OUT, rng=rng),
        "glorot_normal": wi.glorot_normal(N_IN, N_OUT, rng=rng),
        "he_normal": wi.he_normal(N_IN, N_OUT, rng=rng),
    }


def torch_draws(seed=0):
    torch.manual_seed(seed)

    def empty():
        return torch.empty(N_OUT, N_IN, dtype=torch.float64)

    return {
        "glorot_uniform": nn.init.xavier_uniform_(empty()).numpy(),
        "glorot_normal": nn.init.xavier_normal_(empty()).numpy(),
        "he_normal": nn.init.kaiming_normal_(
            empty(), nonlinearity="relu").numpy(),
    }


VARIANCE = {"glorot_uniform": 2 / (N_IN + N_OUT),
            "glorot_normal": 2 / (N_IN + N_OUT), "he_normal": 2 / N_IN}
BOUND = math.sqrt(6 / (N_IN + N_OUT))


# ---- from scratch against torch.nn.init, by statistics ----------------------

@pytest.fixture(scope="module")
def draws():
    return numpy_draws(), torch_draws()


@pytest.mark.parametrize("scheme", VARIANCE)
def test_variance_is_the_formula_on_both_sides(draws, scheme):
    # 2.1 million samples: the standard error of the sample variance is
    # 0.06 % (uniform) to 0.1 % (normal) of it; 2 % is > 10 of them
    for W in (draws[0][scheme], draws[1][scheme]):
        assert W.shape == (N_OUT, N_IN)  # torch's (fan_out, fan_in)
        assert W.var() == pytest.approx(VARIANCE[scheme], rel=0.02)
        assert abs(W.mean()) < 0.01 * W.std()


def test_glorot_uniform_fills_its_interval(draws):
    # inside [-r, r], and reaching within 1 % of both ends
    for W in (draws[0]["glorot_uniform"], draws[1]["glorot_uniform"]):
        assert np.abs(W).max() <= BOUND
        assert W.max() > 0.99 * BOUND and W.min() < -0.99 * BOUND


@pytest.mark.parametrize("scheme", VARIANCE)
def test_numpy_and_torch_have_the_same_quantiles(draws, scheme):
    # the same distribution: quantiles agree to 1 % of the standard
    # deviation (their sampling error is about 0.1 % of it)
    mine, ref = draws[0][scheme], draws[1][scheme]
    std = math.sqrt(VARIANCE[scheme])
    np.testing.assert_allclose(np.quantile(mine, QUANTILES),
                               np.quantile(ref, QUANTILES),
                               rtol=0, atol=0.01 * std)


@pytest.mark.parametrize("scheme", ["glorot_normal", "he_normal"])
def test_normal_draws_have_normal_tails(draws, scheme):
    # P(|Z| > 2) = 4.55 % for a normal; the page says 4.6 %
    share = math.erfc(2 / math.sqrt(2))
    assert f"{100 * share:.1f} %" == "4.6 %"
    for W in (draws[0][scheme], draws[1][scheme]):
        beyond = np.mean(np.abs(W) > 2 * math.sqrt(VARIANCE[scheme]))
        assert beyond == pytest.approx(share, abs=0.001)


def test_gain_scales_the_standard_deviation():
    rng = np.random.default_rng(1)
    W = wi.glorot_uniform(N_IN, N_OUT, gain=5 / 3, rng=rng)
    assert np.abs(W).max() <= 5 / 3 * BOUND
    assert W.var() == pytest.approx((5 / 3) ** 2 * VARIANCE[
        "glorot_uniform"], rel=0.02)
    W = wi.glorot_normal(N_IN, N_OUT, gain=2.0, rng=rng)
    assert W.var() == pytest.approx(4 * VARIANCE["glorot_normal"], rel=0.02)


def test_draws_are_seeded():
    a, b = numpy_draws(3), numpy_draws(3)
    assert all(np.array_equal(a[k], b[k]) for k in a)


# ---- PyTorch's defaults -----------------------------------------------------

@pytest.mark.parametrize("fan_in, fan_out", [(64, 256), (512, 256),
                                             (1000, 1000), (3, 5000)])
def test_nn_linear_default_is_uniform_one_over_sqrt_fan_in(fan_in, fan_out):
    torch.manual_seed(0)
    layer = nn.Linear(fan_in, fan_out, dtype=torch.float64)
    W, b = layer.weight.detach(), layer.bias.detach()
    bound = 1 / math.sqrt(fan_in)
    assert W.abs().max().item() <= bound
    assert W.abs().max().item() > 0.99 * bound
    assert b.abs().max().item() <= bound
    # n >= 15,000 samples: the variance's standard error is < 0.8 %
    assert W.var().item() == pytest.approx(1 / (3 * fan_in), rel=0.05)


def test_nn_linear_default_is_kaiming_uniform_with_a_sqrt5():
    source = inspect.getsource(nn.Linear.reset_parameters)
    assert "kaiming_uniform_(self.weight, a=math.sqrt(5))" in source
    # and that is U(-1/sqrt(fan_in), 1/sqrt(fan_in)): gain sqrt(2/(1+a^2))
    # = sqrt(1/3), bound gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in)
    gain = nn.init.calculate_gain("leaky_relu", math.sqrt(5))
    assert gain * math.sqrt(3) == pytest.approx(1.0, rel=1e-12)


def test_gains():
    assert nn.init.calculate_gain("relu") == math.sqrt(2)
    assert nn.init.calculate_gain("tanh") == 5 / 3
    assert nn.init.calculate_gain("linear") == 1
    params = inspect.signature(nn.init.kaiming_normal_).parameters
    assert params["mode"].default == "fan_in"
    assert inspect.signature(nn.init.xavier_uniform_).parameters[
        "gain"].default == 1.0


# ---- bad values -------------------------------------------------------------

@pytest.mark.parametrize("fn", [wi.glorot_uniform, wi.glorot_normal,
                                wi.he_normal])
@pytest.mark.parametrize("n_in, n_out, name", [
    (0, 5, "n_in"), (5, 0, "n_out"), (2.5, 5, "n_in"), (5, "7", "n_out"),
])
def test_bad_fans_are_refused(fn, n_in, n_out, name):
    with pytest.raises(ValueError,
                       match=rf"^{name} must be an integer >= 1, got "):
        fn(n_in, n_out, rng=np.random.default_rng(0))


@pytest.mark.parametrize("gain", [0, -1.0, math.inf, math.nan])
def test_bad_gain_is_refused(gain):
    rng = np.random.default_rng(0)
    for fn in (wi.glorot_uniform, wi.glorot_normal):
        with pytest.raises(ValueError,
                           match=r"^gain must be a finite number > 0"):
            fn(4, 4, gain=gain, rng=rng)


def test_bad_experiment_settings_are_refused():
    with pytest.raises(ValueError, match=r"^scheme must be one of "
                                         r"'N\(0, 0.01\^2\)', .*, "
                                         r"got 'LeCun'$"):
        wi.activation_variances("LeCun", "tanh")
    with pytest.raises(ValueError, match=r"^activation must be one of "
                                         r"'tanh', 'ReLU', got 'sigmoid'$"):
        wi.activation_variances("He normal", "sigmoid")
    for depth in (0, 101, 2.0):
        with pytest.raises(ValueError,
                           match=r"^depth must be an integer in \[1, 100\]"):
            wi.activation_variances("He normal", "ReLU", depth=depth)
    with pytest.raises(ValueError, match=r"^scheme must be one of"):
        wi.initialize(wi.mlp(), scheme="zeros")


# ---- the experiments --------------------------------------------------------
# What the page printed: the build's runs, read from the execution cache
# (nothing is run again).

PAGE_NAME = "glossary/weight-initialization.md"
LAYERS = (1, 5, 10, 20)  # the depth table's columns


def depth_table():
    """(activation, scheme) -> the printed variances after LAYERS, as
    strings (format .1e)."""
    lines = output(PAGE_NAME, "depth.py").splitlines()
    assert lines[0].split()[-4:] == [str(layer) for layer in LAYERS]
    # printed as f"{activation:<5}{scheme:<15}" and then 10 columns each
    return {(line[:5].strip(), line[5:20].strip()): line[20:].split()
            for line in lines[1:]}


def v(activation, scheme, layer):
    return float(depth_table()[activation, scheme][LAYERS.index(layer)])


def per_layer(activation, scheme, a=1, b=5):
    return (v(activation, scheme, b) / v(activation, scheme, a)) ** (
        1 / (b - a))


def train_table():
    """scheme -> (loss at start, val acc epoch 1, val acc epoch 10, train
    loss epoch 10), as printed (strings)."""
    lines = output(PAGE_NAME, "train.py").splitlines()
    assert lines[0] == "6 ReLU layers of 64 units, SGD lr 0.1, 10 epochs"
    # printed as f"{scheme:>15}" and then four columns
    return {line[:15].strip(): line[15:].split() for line in lines[3:]}


def test_the_tables_have_every_scheme():
    assert set(depth_table()) == {(a, s) for a in wi.ACTIVATIONS
                                  for s in wi.SCHEMES}
    assert list(train_table()) == list(wi.INITS)


def test_per_layer_factors_in_the_prose():
    # too small: 256 * 1e-4 per tanh layer, half of it per ReLU layer
    assert per_layer("tanh", "N(0, 0.01^2)") == pytest.approx(0.0256,
                                                              rel=0.05)
    assert per_layer("ReLU", "N(0, 0.01^2)") == pytest.approx(0.0128,
                                                              rel=0.05)
    # too large: 256 / 2 = 128 per ReLU layer
    assert per_layer("ReLU", "N(0, 1)", 1, 20) == pytest.approx(128,
                                                                rel=0.05)
    # PyTorch's default, 1/(3 n_in): a sixth of He's per ReLU layer, a
    # third per tanh layer (less: tanh is below the identity)
    assert per_layer("ReLU", "PyTorch default", 1, 20) == pytest.approx(
        1 / 6, rel=0.1)
    assert per_layer("tanh", "PyTorch default", 1, 20) < 1 / 3
    # Glorot halves a square ReLU layer's signal
    assert per_layer("ReLU", "Glorot uniform", 1, 20) == pytest.approx(
        0.5, rel=0.1)


def test_activation_variances_reproduce_the_printed_table():
    # the function, called here, gives what depth.py printed; the tests
    # below use it for the layers the table leaves out
    for (activation, scheme), printed in depth_table().items():
        mine = wi.activation_variances(scheme, activation)
        assert [f"{mine[layer - 1]:.1e}" for layer in LAYERS] == printed


def test_depth_story():
    # He keeps ReLU near 1, tanh steady near 0.3 (at every layer: the
    # figure draws all 20, the table prints 4)
    he_relu = wi.activation_variances("He normal", "ReLU")
    assert 0.5 < min(he_relu) and max(he_relu) < 1.5
    he_tanh = wi.activation_variances("He normal", "tanh")
    assert all(0.25 < x < 0.55 for x in he_tanh)
    # tanh with N(0, 1) saturates: variance 0.95, most units near +-1
    assert all(x == pytest.approx(0.95, abs=0.01)
               for x in wi.activation_variances("N(0, 1)", "tanh"))
    rng = np.random.default_rng(0)
    h = rng.standard_normal((500, 256))
    for _ in range(20):
        h = np.tanh(h @ wi.large(256, 256, rng=rng).T)
    assert np.mean(np.abs(h) > 0.9) > 0.8
    assert np.mean(1 - h**2) < 0.1  # the average tanh' is tiny
    # Glorot for tanh fades; with PyTorch's tanh gain 5/3 it does not
    # the figure's tanh panel starts at 1e-3: the small init leaves it
    # after the first layer
    small = wi.activation_variances("N(0, 0.01^2)", "tanh", depth=2)
    assert small[0] > 1e-3 > small[1]
    assert v("tanh", "Glorot uniform", 20) < v("tanh", "Glorot uniform",
                                               1) / 10
    wi.SCHEMES["Glorot, gain 5/3"] = (
        lambda n_in, n_out, *, rng: wi.glorot_uniform(
            n_in, n_out, gain=5 / 3, rng=rng))
    try:
        gained = wi.activation_variances("Glorot, gain 5/3", "tanh",
                                         depth=60)
    finally:
        del wi.SCHEMES["Glorot, gain 5/3"]
    assert min(gained[4:]) > 0.9 * max(gained[4:])


@pytest.mark.parametrize("scheme", wi.SCHEMES)
def test_numpy_schemes_match_the_torch_schemes_of_the_training(scheme):
    # the depth table (NumPy) and the training (torch) use the same four
    # distributions: compare variances on a 256 x 256 layer (2 %)
    rng = np.random.default_rng(0)
    W = wi.SCHEMES[scheme](256, 256, rng=rng)
    if scheme == "PyTorch default":  # nn.Linear as it comes (no INITS)
        torch.manual_seed(0)
        torch_W = nn.Linear(256, 256).weight.detach().numpy()
        assert np.abs(W).max() <= 1 / 16 and np.abs(torch_W).max() <= 1 / 16
    else:
        model = wi.initialize(nn.Sequential(nn.Linear(256, 256)),
                              scheme=scheme)
        torch_W = model[0].weight.detach().numpy()
        assert np.all(model[0].bias.detach().numpy() == 0)
    assert W.var() == pytest.approx(torch_W.var(), rel=0.03)


def test_training_story():
    # the page prints the validation accuracy after epochs 1 and 10 and
    # the training loss after epoch 10
    h = {k: [float(x) for x in row] for k, row in train_table().items()}
    start, acc1, acc10, loss10 = range(4)  # the printed columns
    small, glorot = h["N(0, 0.01^2)"], h["Glorot uniform"]
    he, large = h["He normal"], h["N(0, 1)"]
    assert max(small[acc1], small[acc10]) < 0.15
    assert small[loss10] == pytest.approx(math.log(10), abs=0.01)
    # "He learns fastest": ahead of every other scheme after epoch 1 and
    # after epoch 10 (not one run's luck: with seeds 0 to 3 it leads
    # Glorot by 0.09 to 0.35 after epoch 1, by 0.03 to 0.15 after 10)
    for col in (acc1, acc10):
        assert he[col] > max(r[col] for k, r in h.items() if k != "He normal")
    assert glorot[acc10] > 0.85  # "Glorot learns"
    assert large[start] > 1e4 and math.isnan(large[loss10])  # diverged
    assert max(large[acc1], large[acc10]) < 0.15


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = PAGE.read_text()
    trained = train_table()
    assert f"$\\ln 10 \\approx {math.log(10):.3f}$" in page
    assert f"(${math.log(10):.3f}$ for ten digits)" in page
    assert float(trained["N(0, 0.01^2)"][0]) == pytest.approx(
        math.log(10), abs=1e-3)  # the loss at the start, as printed
    assert f"(about `{trained['N(0, 1)'][0]}`)" in page
    shown_md = prose(PAGE_NAME)
    # the verdicts that replaced the rest of the table's numbers:
    # "nothing is left", "fades too", "halves the signal at every layer"
    for activation in ("tanh", "ReLU"):
        assert v(activation, "N(0, 0.01^2)", 20) < 1e-30
    assert v("tanh", "PyTorch default", 20) < 1e-6
    glorot = wi.activation_variances("Glorot uniform", "ReLU")
    assert 0.45 < (glorot[-1] / glorot[0]) ** (1 / 19) < 0.6  # a layer
    # the takeaway numbers
    for (activation, scheme, layer) in [
            ("ReLU", "N(0, 1)", 20), ("tanh", "N(0, 1)", 20)]:
        printed = depth_table()[activation, scheme][LAYERS.index(layer)]
        assert f"`{printed}`" in shown_md  # typed, or glued (tanh_large)
    # the trained accuracies depend on the CPU's kernels: the page shows
    # them from the run (glue), never typed
    shown = re.sub(r"\s+", " ", prose(PAGE_NAME))
    assert "{{ he_acc }}" in page and "{{ glorot_acc }}" in page
    assert (f"**He** learns fastest: {trained['He normal'][2]} of the "
            f"validation digits after 10 epochs") in shown
    assert (f"**Glorot** learns, more slowly "
            f"({trained['Glorot uniform'][2]})") in shown
    for text in ("6 hidden ReLU layers of 64 units", "learning rate of 0.1",
                 "for 10 epochs", "500 random inputs",
                 "20 layers of 256 units", "$1024 \\times 2048$",
                 "$256 \\times 512$"):
        assert text in page
    sig = inspect.signature(wi.activation_variances).parameters
    assert (sig["depth"].default, sig["width"].default,
            sig["n"].default) == (20, 256, 500)
    assert (N_OUT, N_IN) == (1024, 2048)
    for name in ("init.py", "init_torch.py"):  # the shape they printed
        assert output(PAGE_NAME, name).startswith("256 x 512 weights")


@pytest.mark.parametrize("activation", wi.ACTIVATIONS)
@pytest.mark.parametrize("scheme", ["Glorot uniform", "He normal"])
def test_activation_variances_match_a_torch_forward_pass(scheme,
                                                         activation):
    # the same weights (same generator, same order) through torch layers:
    # float64, rtol 1e-12 (matrix products summed in another order)
    depth, width, n = 6, 64, 100
    mine = wi.activation_variances(scheme, activation, depth=depth,
                                   width=width, n=n, seed=5)
    rng = np.random.default_rng(5)
    h = torch.from_numpy(rng.standard_normal((n, width)))
    f = torch.tanh if activation == "tanh" else torch.relu
    ref = []
    for _ in range(depth):
        layer = nn.Linear(width, width, bias=False, dtype=torch.float64)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(
                wi.SCHEMES[scheme](width, width, rng=rng)))
            h = f(layer(h))
        ref.append(h.var(unbiased=False).item())
    np.testing.assert_allclose(mine, ref, rtol=1e-12)


def test_the_explorers_data_is_activation_variances():
    # explorer() as the build calls it: every frame there, each opening
    # with its verdict, the drawn variances the page's own (the checks of
    # tests/site/test_explorers.py, on its own output)
    from explorers.glossary.weight_initialization import explorer
    from tests.explorers import (
        as_built,
        check_frames,
        check_init,
        check_texts,
    )

    spec = as_built(explorer, "init-explorer")
    check_frames(spec)
    check_texts("init-explorer", spec)
    check_init(spec)

"""Tests for snippets/history/zip_codes_1989.py (the 1989 chapter)."""

import inspect
import math
import re
from functools import cache

import numpy as np
import pytest
import torch
from torch import nn

from snippets.history import zip_codes_1989 as zc
from tests.conftest import ROOT

PAGE = ROOT / "docs/history/1989-zip-codes.md"
DEFAULTS = {
    name: p.default
    for name, p in inspect.signature(zc.train).parameters.items()
    if p.kind is p.KEYWORD_ONLY and name != "seed"
}
SEEDS = (0, 1, 2)  # "in the tests this holds for each of three seeds"


@cache
def run(seed=0, **change):
    """Train with the defaults changed by `change`; (model, losses, right)."""
    model, losses = zc.train(zc.X_train, zc.y_train, seed=seed, **change)
    return model, losses, zc.n_correct(model, zc.X_test, zc.y_test)


# ---- from scratch against torch ---------------------------------------

@pytest.mark.parametrize("k", range(1, 9))
def test_numpy_conv2d_matches_torch(k):
    # float64 on both sides: agreement to rtol 1e-12, atol 1e-12 (the sums
    # differ only in the order of at most 2 * 8 * 8 terms)
    rng = np.random.default_rng(k)
    x = rng.normal(size=(2, 8, 8))
    w = rng.normal(size=(3, 2, k, k))
    b = rng.normal(size=3)
    mine = zc.conv2d(x, w, b)
    ref = nn.functional.conv2d(torch.from_numpy(x)[None],
                               torch.from_numpy(w), torch.from_numpy(b))[0]
    assert mine.shape == (3, 9 - k, 9 - k)
    np.testing.assert_allclose(mine, ref.numpy(), rtol=1e-12, atol=1e-12)


def test_hand_made_kernels_on_the_page():
    # the two tabs' numbers: exact, since every input is a multiple of
    # 1/16 and every weight is -1, 0 or 1
    x = zc.load_digits().images[0][None] / 16.0
    w = np.array([[[[-1, 0, 1]] * 3],
                  [[[-1, -1, -1], [0, 0, 0], [1, 1, 1]]]], dtype=float)
    mine = zc.conv2d(x, w, np.zeros(2))
    conv = nn.Conv2d(1, 2, 3, dtype=torch.float64)
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(w))
        conv.bias.zero_()
        ref = conv(torch.from_numpy(x)).numpy()
    assert np.array_equal(mine, ref)
    assert (w.size + 2, mine.size) == (20, 72)


def test_shared_weight_gradient_is_the_sum_over_positions():
    # The page's formula, dL/dw[m,c,u,v] = sum_ij dL/dz[m,i,j] x[c,i+u,j+v]
    # and dL/db[m] = sum_ij dL/dz[m,i,j], against autograd (float64:
    # rtol 1e-12, atol 1e-12).
    rng = np.random.default_rng(0)
    for k in (1, 3, 5, 8):
        x = rng.normal(size=(2, 8, 8))
        w = torch.tensor(rng.normal(size=(4, 2, k, k)), requires_grad=True)
        b = torch.tensor(rng.normal(size=4), requires_grad=True)
        g = rng.normal(size=(4, 9 - k, 9 - k))  # dL/dz for L = sum(g * z)
        z = nn.functional.conv2d(torch.from_numpy(x)[None], w, b)[0]
        (z * torch.from_numpy(g)).sum().backward()
        dw = np.zeros((4, 2, k, k))
        for i in range(9 - k):
            for j in range(9 - k):
                patch = x[:, i:i + k, j:j + k]
                dw += g[:, i, j, None, None, None] * patch[None]
        np.testing.assert_allclose(dw, w.grad.numpy(), rtol=1e-12,
                                   atol=1e-12)
        np.testing.assert_allclose(g.sum(axis=(1, 2)), b.grad.numpy(),
                                   rtol=1e-12, atol=1e-12)


# ---- counting ----------------------------------------------------------

@pytest.mark.parametrize("k", range(1, 9))
@pytest.mark.parametrize("M", [1, 2, 8, 32])
@pytest.mark.parametrize("C", [1, 3])
def test_conv_parameter_formula_is_torchs_count(k, M, C):
    formula = zc.conv_params(kernel_size=k, n_maps=M, in_channels=C)
    assert formula == M * (C * k * k + 1)
    assert formula == sum(p.numel() for p in nn.Conv2d(C, M, k).parameters())
    if C == 1:
        conv = zc.make_model(kernel_size=k, n_maps=M)[0]
        assert formula == sum(p.numel() for p in conv.parameters())


@pytest.mark.parametrize("n_in, n_out", [(64, 8), (64, 288), (5, 1)])
def test_dense_parameter_formula_is_torchs_count(n_in, n_out):
    expected = sum(p.numel() for p in nn.Linear(n_in, n_out).parameters())
    assert zc.dense_params(n_in=n_in, n_out=n_out) == expected


def test_whole_model_parameter_count():
    for k in range(1, 9):
        for M in (1, 8):
            model = zc.make_model(kernel_size=k, n_maps=M)
            features = M * (9 - k) ** 2
            expected = (zc.conv_params(kernel_size=k, n_maps=M)
                        + zc.dense_params(n_in=features, n_out=10))
            assert sum(p.numel() for p in model.parameters()) == expected


def test_a_kernel_as_large_as_the_image_is_a_fully_connected_layer():
    torch.manual_seed(0)
    conv = nn.Conv2d(1, 8, 8)
    dense = nn.Linear(64, 8)
    with torch.no_grad():
        dense.weight.copy_(conv.weight.reshape(8, 64))
        dense.bias.copy_(conv.bias)
        x = zc.X_test[:50]
        # float32, the same 64-term sums: atol 1e-6
        np.testing.assert_allclose(conv(x).reshape(50, 8),
                                   dense(x.reshape(50, 64)), atol=1e-6)
    assert zc.conv_params(kernel_size=8, n_maps=8) == zc.dense_params(
        n_in=64, n_out=8)


# ---- data and training -------------------------------------------------

def test_data_split():
    raw = zc.load_digits()
    assert raw.images.shape == (1797, 8, 8)
    assert raw.images.min() == 0 and raw.images.max() == 16
    assert zc.X_train.shape == (1437, 1, 8, 8)
    assert zc.X_test.shape == (360, 1, 8, 8)
    assert zc.X_train.dtype == torch.float32
    for X in (zc.X_train, zc.X_test):
        assert float(X.min()) == 0.0 and float(X.max()) == 1.0
    per_digit = torch.bincount(zc.y_test)  # stratified: 35 to 37 each
    assert per_digit.min() == 35 and per_digit.max() == 37
    assert abs(per_digit / 360 - 0.1).max() < 0.01  # "about a tenth"
    again = zc.digits_split()
    assert all(torch.equal(a, b) for a, b in
               zip(again, (zc.X_train, zc.X_test, zc.y_train, zc.y_test)))


def test_defaults_reach_95_percent():
    _, losses, right = run()
    assert DEFAULTS == dict(kernel_size=3, n_maps=8, lr=0.2, epochs=8,
                            batch_size=32)
    assert len(losses) == 8
    assert right / 360 >= 0.95


def test_training_is_deterministic():
    a, losses_a = zc.train(zc.X_train, zc.y_train)
    b, losses_b = zc.train(zc.X_train, zc.y_train)
    assert losses_a == losses_b
    assert all(torch.equal(p, q) for p, q in
               zip(a.parameters(), b.parameters()))
    assert (zc.n_correct(a, zc.X_test, zc.y_test)
            == zc.n_correct(b, zc.X_test, zc.y_test))
    # and the module's own run (the page's model.py) is the same
    assert zc.n_correct(zc.model, zc.X_test, zc.y_test) == run()[2]


def test_the_table_tells_the_story_the_page_tells():
    _, base, right = run()
    rows = dict(zc.SETTINGS)
    assert len(rows) == len(zc.SETTINGS) == 7
    assert {**zc.DEFAULTS, "batch_size": 32} == DEFAULTS

    # lr / 100: slow, the loss still high
    _, losses, r = run(**rows["lr / 100"])
    assert losses[-1] > 10 * base[-1] and r < right - 36
    # lr x 10: the loss explodes and every image gets the same answer
    model, losses, r = run(**rows["lr x 10"])
    assert losses[-1] > 100 * math.log(10)  # the loss of a uniform guess
    with torch.no_grad():
        answers = model(zc.X_test).argmax(dim=1)
    assert answers.unique().numel() == 1
    assert r == int((zc.y_test == answers[0]).sum())
    assert abs(r / 360 - 0.1) < 0.01  # "about one in ten"
    # one epoch: still learning
    _, losses, r = run(**rows["1 epoch"])
    assert losses[0] > 5 * base[-1] and r < right
    # one map: 10 weights, still most of the digits
    model, _, r = run(**rows["1 map"])
    assert sum(p.numel() for p in model[0].parameters()) == 10
    assert r > 360 / 2
    # the 1x1 kernel has the largest linear layer of the table
    totals = {name: sum(p.numel() for p in run(**h)[0].parameters())
              for name, h in zc.SETTINGS}
    assert max(totals, key=totals.get) == "1x1 kernel"
    # the 8x8 kernel: most first-layer weights, fewer digits than 3x3
    firsts = {name: sum(p.numel() for p in run(**h)[0][0].parameters())
              for name, h in zc.SETTINGS}
    assert max(firsts, key=firsts.get) == "8x8 kernel"
    for seed in SEEDS:
        assert run(seed, **rows["8x8 kernel"])[2] < run(seed)[2]


def test_a_few_digits_are_within_the_seed_noise():
    # "Rows that differ by a few digits, like the defaults and the 1x1
    # kernel, differ by less than a change of seed alone moves the
    # defaults; the learning-rate rows differ by far more."
    by_seed = [run(seed)[2] for seed in SEEDS]
    spread = max(by_seed) - min(by_seed)
    one_by_one = run(kernel_size=1)[2]
    assert 0 < abs(one_by_one - run()[2]) < spread
    assert run()[2] - run(lr=0.002)[2] > 10 * spread
    assert run()[2] - run(lr=2.0)[2] > 10 * spread


# ---- validation --------------------------------------------------------

BAD = [
    ("kernel_size", 0, r"kernel_size must be an integer in \[1, 8\], got 0"),
    ("kernel_size", 9, r"kernel_size must be an integer in \[1, 8\], got 9"),
    ("kernel_size", 3.0, r"kernel_size must be an integer in \[1, 8\]"),
    ("kernel_size", True, r"kernel_size must be an integer in \[1, 8\]"),
    ("n_maps", 0, r"n_maps must be an integer >= 1, got 0"),
    ("n_maps", -2, r"n_maps must be an integer >= 1, got -2"),
    ("n_maps", 2.5, r"n_maps must be an integer >= 1"),
    ("lr", 0, r"lr must be a finite number > 0, got 0"),
    ("lr", -0.1, r"lr must be a finite number > 0, got -0.1"),
    ("lr", math.nan, r"lr must be a finite number > 0, got nan"),
    ("lr", math.inf, r"lr must be a finite number > 0, got inf"),
    ("lr", "0.1", r"lr must be a finite number > 0"),
    ("lr", None, r"lr must be a finite number > 0"),
    ("epochs", 0, r"epochs must be an integer >= 1, got 0"),
    ("epochs", 1.5, r"epochs must be an integer >= 1"),
    ("batch_size", 0, r"batch_size must be an integer >= 1, got 0"),
    ("batch_size", "32", r"batch_size must be an integer >= 1"),
]


@pytest.mark.parametrize("name, value, message", BAD)
def test_bad_hyperparameters_are_refused(name, value, message):
    with pytest.raises(ValueError, match="^" + message):
        zc.check_hyperparameters(**{name: value})
    with pytest.raises(ValueError, match="^" + message):
        zc.train(zc.X_train[:4], zc.y_train[:4], **{name: value})
    if name in ("kernel_size", "n_maps"):
        with pytest.raises(ValueError, match="^" + message):
            zc.make_model(**{name: value})
        with pytest.raises(ValueError, match="^" + message):
            zc.conv_params(**{"kernel_size": 3, "n_maps": 8, name: value})


def test_good_edge_values_are_accepted():
    for k in (1, 8):
        zc.make_model(kernel_size=k, n_maps=1)
    zc.check_hyperparameters(kernel_size=np.int64(5), lr=1e-9, epochs=1,
                             batch_size=1)
    _, losses = zc.train(zc.X_train[:4], zc.y_train[:4], n_maps=1,
                         epochs=1, batch_size=10_000)
    assert len(losses) == 1


# ---- the page ----------------------------------------------------------

def test_numbers_in_the_prose_are_what_the_code_computes():
    page = " ".join(PAGE.read_text().split())
    raw = zc.load_digits().images
    n_test, n_train = len(zc.y_test), len(zc.y_train)
    per_digit = torch.bincount(zc.y_test)
    conv3 = zc.conv_params(kernel_size=3, n_maps=8)
    outputs3 = 8 * (zc.SIDE - 3 + 1) ** 2
    model = zc.make_model()
    total = sum(p.numel() for p in model.parameters())
    linear = sum(p.numel() for p in model[-1].parameters())
    expected = [
        f"holds {len(raw):,} handwritten digits",
        f"$8 \\times 8$ pixels, with grey levels from {raw.min():.0f} to "
        f"{raw.max():.0f}",
        f"keeps {n_test} images ({per_digit.min()} to {per_digit.max()} "
        f"of each digit)",
        f"trains on the other {n_train:,}",
        *(f"`{name}={value}`" for name, value in DEFAULTS.items()),
        f"an integer from 1 to {zc.SIDE}",
        f"$W^2 = {zc.SIDE**2}$",
        f"With $3 \\times 3$ kernels and {DEFAULTS['n_maps']} maps, {conv3} "
        f"parameters make {outputs3} outputs; a fully connected layer would "
        f"need {zc.dense_params(n_in=64, n_out=outputs3):,}",
        f"of the {total:,} parameters of the default network, {linear:,} "
        f"are in it",
        f"After the same {DEFAULTS['epochs']} epochs",
        "that scores about one in ten",
        f"kernel, {zc.conv_params(kernel_size=3, n_maps=1)} parameters in "
        f"the convolutional layer",
        f"hidden layer of {zc.DEFAULTS['n_maps']} units",
        f"by about {100 / n_test:.1f} %",
        "for each of three seeds",
        "Above 95 %",
    ]
    for text in expected:
        assert text in page, text
    assert len(SEEDS) == 3
    assert run()[2] / n_test >= 0.95
    # "after eight" (epochs), "the eight 3 x 3 kernels" (maps)
    assert DEFAULTS["epochs"] == DEFAULTS["n_maps"] == 8
    assert "defaults' after eight" in page
    assert "The eight $3 \\times 3$ kernels" in page
    # "The convolutional layer grows fourfold" with n_maps=32
    assert "`n_maps=32`. The convolutional layer grows fourfold" in page
    assert zc.conv_params(kernel_size=3, n_maps=32) == 4 * conv3
    # the figure's alt text
    assert int(zc.y_test[0]) == 7 and "a handwritten 7 from the test" in page
    assert zc.SIDE - DEFAULTS["kernel_size"] + 1 == 6
    assert "eight 6 by 6 feature maps" in page
    assert "Nine years after" in page and "[@lecun1998]" in page


def test_built_page_shows_both_tabs_and_the_figure(site):
    html = (site / "history/1989-zip-codes/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    # the first row of map 0, printed by the NumPy and the PyTorch tab
    row = "+2.06 +1.69 -0.88 -0.19 -0.38 -1.69"
    assert text.count(row) == 2
    assert text.count("20 parameters, 72 outputs") == 2
    assert 'aria-label="Top row: a handwritten 7' in html
    assert "Jackel" in text and "Neural Computation" in text

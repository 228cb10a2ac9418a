"""Tests for snippets/tuning/task.py: the search space, the trial and the
points a search tries (shown on docs/tuning/search.md)."""

import math

import numpy as np
import pytest
import torch
from scipy import stats
from scipy.stats import qmc

from snippets.glossary.digits_task import digits
from snippets.tuning import task as s

# -- the search space ------------------------------------------------------


def test_log_uniform_is_scipys_loguniform():
    # from_unit is the inverse CDF; scipy's loguniform.ppf is the
    # reference (float64: rtol 1e-12)
    u = np.linspace(0, 1, 101)
    for low, high in ((1e-4, 1.0), (1e-6, 1e-1), (2.0, 300.0)):
        mine = s.LogUniform(low, high).from_unit(u)
        ref = stats.loguniform(low, high).ppf(u)
        np.testing.assert_allclose(mine, ref, rtol=1e-12)


def test_uniform_is_scipys_uniform():
    u = np.linspace(0, 1, 101)
    mine = s.Uniform(0.0, 0.5).from_unit(u)
    np.testing.assert_allclose(mine, stats.uniform(0.0, 0.5).ppf(u),
                               rtol=0, atol=1e-15)


def test_every_decade_gets_the_same_share_on_a_log_scale():
    u = np.random.default_rng(1).random(200_000)
    lr = s.LogUniform(1e-4, 1.0).from_unit(u)
    shares = np.histogram(np.log10(lr), bins=[-4, -3, -2, -1, 0])[0]
    # binomial standard error of a share: 0.001; allow 5 of them
    np.testing.assert_allclose(shares / len(u), 0.25, atol=0.005)


def test_int_log_uniform_shares_follow_log_n_plus_one_over_n():
    param = s.IntLogUniform(16, 256)
    u = (np.arange(100_000) + 0.5) / 100_000  # a fine, even grid of u
    values = np.array([param.from_unit(x) for x in u])
    assert values.min() == 16 and values.max() == 256
    for n in (16, 32, 100, 256):
        share = np.mean(values == n)
        expected = math.log((n + 1) / n) / math.log(257 / 16)
        assert share == pytest.approx(expected, abs=2e-5)


def test_categorical_gives_each_choice_an_equal_share():
    param = s.Categorical((32, 64, 128, 256))
    u = (np.arange(4000) + 0.5) / 4000
    values = [param.from_unit(x) for x in u]
    assert [values.count(c) for c in param.choices] == [1000] * 4
    assert param.from_unit(1.0) == 256 and param.from_unit(0.0) == 32


def test_space_maps_the_unit_cube_onto_the_ranges():
    assert s.SPACE.names == ("lr", "weight_decay", "hidden", "dropout",
                             "batch_size")
    low = s.SPACE.config([0.0] * 5)
    high = s.SPACE.config([1.0] * 5)
    assert low == dict(lr=1e-4, weight_decay=1e-6, hidden=16, dropout=0.0,
                       batch_size=32)
    assert high["lr"] == pytest.approx(1.0)
    assert high["weight_decay"] == pytest.approx(0.1)
    assert (high["hidden"], high["dropout"], high["batch_size"]) == (
        256, 0.5, 256)
    centre = s.SPACE.config([0.5] * 5)
    assert centre["lr"] == pytest.approx(0.01)  # the middle decade
    assert centre["hidden"] == 64  # floor(16 * (257/16) ** 0.5) = 64


@pytest.mark.parametrize("make, pattern", [
    (lambda: s.SearchSpace(), r"^params must name at least one"),
    (lambda: s.SearchSpace(lr=0.1), r"^params\['lr'\] must be"),
    (lambda: s.Uniform(1.0, 0.1), r"^low must be below high"),
    (lambda: s.Uniform(0.5, 0.5), r"^low must be below high"),
    (lambda: s.LogUniform(1.0, 1e-3), r"^low must be below high"),
    (lambda: s.LogUniform(0.0, 1.0), r"^low must be > 0 on a log scale"),
    (lambda: s.LogUniform(-1.0, 1.0), r"^low must be > 0 on a log scale"),
    (lambda: s.IntLogUniform(0, 256), r"^low must be an integer >= 1, got 0"),
    (lambda: s.IntLogUniform(16, 8), r"^low must be below high"),
    (lambda: s.IntLogUniform(16.5, 256),
     r"^low must be an integer >= 1, got 16\.5"),
    (lambda: s.Uniform(0.0, math.inf), r"^high must be a finite number"),
    (lambda: s.Uniform("0", 1.0), r"^low must be a finite number"),
    (lambda: s.LogUniform(1e-4, math.nan), r"^high must be a finite"),
    (lambda: s.Categorical((32,)), r"^choices must hold at least two"),
    (lambda: s.Categorical((32, 32)), r"^choices must hold at least two"),
    (lambda: s.SPACE.config([0.5] * 4), r"^u must have 5 coordinates"),
    (lambda: s.SPACE.config([0.5] * 4 + [1.5]), r"^u must lie in"),
])
def test_bad_search_spaces_are_refused(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


# -- the points of the searches ----------------------------------------------

def test_grid_points():
    g = s.grid_points(5, points_per_axis=3)
    assert g.shape == (243, 5)
    for axis in range(5):
        assert sorted(set(g[:, axis])) == [0.0, 0.5, 1.0]
    assert len({tuple(p) for p in g}) == 243


def test_random_and_quasi_random_points_are_seeded():
    for make in (s.random_points, s.quasi_random_points):
        a = make(5, n_trials=9, seed=0)
        assert a.shape == (9, 5) and a.min() >= 0 and a.max() < 1
        np.testing.assert_array_equal(a, make(5, n_trials=9, seed=0))
        assert not np.array_equal(a, make(5, n_trials=9, seed=1))
    # the quasi-random points are scipy's scrambled Halton sequence
    ref = qmc.Halton(d=5, scramble=True, seed=0).random(9)
    np.testing.assert_array_equal(s.quasi_random_points(5, n_trials=9), ref)


def test_quasi_random_points_cover_the_cube_more_evenly():
    # centred L2 discrepancy, mean over 20 seeds: lower is more even
    rand = np.mean([qmc.discrepancy(s.random_points(5, n_trials=27,
                                                    seed=k))
                    for k in range(20)])
    quasi = np.mean([qmc.discrepancy(s.quasi_random_points(
        5, n_trials=27, seed=k)) for k in range(20)])
    assert quasi < 0.8 * rand


@pytest.mark.parametrize("make, pattern", [
    (lambda: s.random_points(5, n_trials=0), r"^n_trials must be an int"),
    (lambda: s.quasi_random_points(5, n_trials=0),
     r"^n_trials must be an integer >= 1, got 0"),
    (lambda: s.random_points(5, n_trials=2.0), r"^n_trials must be"),
    (lambda: s.random_points(0, n_trials=3), r"^d must be an integer"),
    (lambda: s.grid_points(2, points_per_axis=1),
     r"^points_per_axis must be an integer >= 2"),
    (lambda: s.run_search(s.SPACE, np.zeros((0, 5)), len),
     r"^points must hold at least one"),
])
def test_bad_budgets_are_refused(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


# -- the trial ---------------------------------------------------------------

@pytest.fixture(scope="module")
def data():
    return digits()


def test_the_split_is_the_glossarys(data):
    assert [len(part[1]) for part in data] == [1078, 359, 360]


def test_a_resumed_trial_ends_where_a_straight_one_does(data):
    config = dict(lr=0.1, dropout=0.3, batch_size=64)
    straight = s.Trial(config, data=data)
    straight.train_to(4)
    paused = s.Trial(config, data=data)
    other = s.Trial(dict(lr=0.5), data=data)
    paused.train_to(1)
    other.train_to(2)  # another trial in between uses the global RNG
    paused.train_to(4)
    assert paused.val_acc == straight.val_acc
    for a, b in zip(paused.model.parameters(), straight.model.parameters()):
        assert torch.equal(a, b)


def test_the_trial_is_sgd_with_nesterov_momentum(data):
    # the same epoch by hand with torch.optim.SGD: identical weights
    # (same operations in the same order: atol 0)
    config = dict(lr=0.05, weight_decay=1e-3, batch_size=128)
    trial = s.Trial(config, data=data)
    trial.train_epoch()
    model = s.mlp(hidden=64, dropout=0.0, seed=0)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9,
                          nesterov=True, weight_decay=1e-3)
    (X, y), _, _ = data
    torch.manual_seed(0)
    order = torch.randperm(len(X))
    for i in range(0, len(X), 128):
        idx = order[i:i + 128]
        loss = torch.nn.functional.cross_entropy(model(X[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    for a, b in zip(trial.model.parameters(), model.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


@pytest.mark.parametrize("config, pattern", [
    (dict(lr=0.0), r"^lr must be a finite number > 0"),
    (dict(lr=math.inf), r"^lr must be a finite number > 0"),
    (dict(weight_decay=-1e-4), r"^weight_decay must be a finite number >="),
    (dict(batch_size=0), r"^batch_size must be an integer >= 1"),
    (dict(batch_size=32.0), r"^batch_size must be an integer >= 1"),
    (dict(hidden=0), r"^hidden must be an integer >= 1"),
    (dict(dropout=1.0), r"^dropout must be a number in \[0, 1\)"),
    (dict(learning_rate=0.1), r"^config must name hyperparameters among"),
])
def test_bad_trial_configurations_are_refused(config, pattern, data):
    with pytest.raises(ValueError, match=pattern):
        s.Trial(config, data=data)


def test_bad_epoch_counts_are_refused(data):
    for num_epochs in (0, -1, 2.5):
        with pytest.raises(ValueError, match=r"^num_epochs must be an "
                           r"integer >= 1, got "):
            s.Trial({}, data=data).train_to(num_epochs)

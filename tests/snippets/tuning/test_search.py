"""Tests for snippets/tuning/search.py (docs/tuning/search.md)."""


import numpy as np
import pytest

from snippets.tuning import search as s
from tests.conftest import ROOT

PAGE = ROOT / "docs/tuning/search.md"


# -- what the page shows -----------------------------------------------------

def test_one_at_a_time_ends_below_the_joint_best():
    acc = s.acc
    assert acc.shape == (4, 10)
    best_lr = {b: s.LRS[int(row.argmax())]
               for b, row in zip(s.BATCH_SIZES, acc)}
    assert best_lr == {32: 0.2, 64: 0.2, 128: 0.5, 256: 0.5}
    i, j = 3, int(acc[3].argmax())  # tune lr at batch 256 ...
    i = int(acc[:, j].argmax())  # ... then the batch size at that lr
    assert (s.LRS[j], s.BATCH_SIZES[i]) == (0.5, 64)
    assert acc[i, j] < acc.max() - 0.1
    assert round(float(acc[i, j]), 3) == 0.780
    assert round(float(acc.max()), 3) == 0.900


def test_grid_tries_three_learning_rates_and_loses():
    lrs = sorted({round(c["lr"], 12) for _, c in s.grid})
    assert lrs == [1e-4, 0.01, 1.0]
    best = {name: max(a for a, _ in r)
            for name, r in (("grid", s.grid), ("random", s.rand),
                            ("quasi", s.quasi))}
    assert best["grid"] < best["random"] < best["quasi"]
    assert len({c["lr"] for _, c in s.rand}) == 9


def test_the_projection_table():
    # the grid sees k values of x; random and quasi-random points n
    for make in (s.random_points, s.quasi_random_points):
        assert len(np.unique(make(2, n_trials=9, seed=0)[:, 0])) == 9
    assert len(np.unique(s.grid_points(2, points_per_axis=3)[:, 0])) == 3

    def mean(method, n):
        return np.mean([s.best_found(method, n, k) for k in range(100)])

    # quasi-random beats random at every n; the grid is erratic
    for n in (4, 9, 16, 25, 36, 49):
        assert mean("quasi", n) > mean("random", n)
    assert mean("grid", 25) < mean("grid", 16)  # more trials, worse
    assert s.f(np.array([[0.62, 0.25]]))[0] == pytest.approx(1.01)


def test_numbers_in_the_prose_are_what_the_code_computes(capsys):
    page = " ".join(PAGE.read_text().split())  # one line
    assert "1,078 training, 359 validation and 360" in page
    assert s.MAX_EPOCHS == 9 and "at most nine epochs" in page
    assert "$3^5 = 243$ trials" in page and 3**5 == 243
    u = np.random.default_rng(0).random(10_000)
    share = np.mean(s.Uniform(1e-4, 1.0).from_unit(u) < 0.01)
    assert round(share, 2) == 0.01 and "only about 1% of" in page
    assert len(s.LRS) * len(s.BATCH_SIZES) == 40 and "costs 40 epochs" in page
    for text in ("$0.2$ for batches of 32 and 64 but $0.5$ for 128 and 256",
                 "We stop at $0.780$", "finds $0.900$"):
        assert text in page
    assert "$10^{-4}$, $10^{-2}$ and $1$" in page
    # the grid lines near the bump: 2/3 for 4 x 4, 0.5 and 0.75 for 5 x 5
    assert min(abs(np.linspace(0, 1, 5) - 0.62)) > 0.1
    assert abs(2 / 3 - 0.62) < 0.05

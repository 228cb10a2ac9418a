"""Tests for snippets/tuning/search.py (docs/tuning/search.md).

The numbers the page prints are read from what its blocks printed when
the site was built (tools.records): nothing the page trained or computed
is run again here.
"""

import re

import numpy as np
import pytest

from snippets.tuning import search as s
from tools.records import output, prose


def one_at_a_time():
    """The accuracies of one_at_a_time.py's table, acc[i, j] at
    BATCH_SIZES[i] and LRS[j], and the four lines printed below it."""
    lines = output("tuning/search.md", "one_at_a_time.py").splitlines()
    header, rows = lines[0].split(), [line.split() for line in lines[1:5]]
    assert header[0] == "batch"
    assert tuple(float(x) for x in header[1:]) == s.LRS
    assert tuple(int(r[0]) for r in rows) == s.BATCH_SIZES
    acc = np.array([[float(x) for x in r[1:]] for r in rows])
    return acc, lines[5:]


def searches() -> dict[str, tuple[float, str, int]]:
    """name -> (best score, its lr, distinct learning rates tried), as
    search_demo.py prints them."""
    text = output("tuning/search.md", "search_demo.py")
    found = re.findall(r"^ *(\S+): best (\S+) at lr=(\S+); (\d+) distinct "
                       r"learning rates tried$", text, re.MULTILINE)
    return {name: (float(score), lr, int(n)) for name, score, lr, n in found}


def projection_table() -> dict[int, dict[str, float]]:
    """trials -> the mean best f of each method, as projection.py prints
    it."""
    lines = output("tuning/search.md", "projection.py").splitlines()
    rows = [line.split() for line in lines[1:]]
    return {int(r[0]): dict(zip(("grid", "random", "quasi"),
                                (float(x) for x in r[1:])))
            for r in rows}


def grid_learning_rates():
    """The learning rates of search_demo.py's 3 x 3 grid (no training)."""
    two = s.SearchSpace(lr=s.SPACE.params["lr"],
                        weight_decay=s.SPACE.params["weight_decay"])
    return sorted({round(two.config(u)["lr"], 12)
                   for u in s.grid_points(2, points_per_axis=3)})


# -- what the page shows -----------------------------------------------------

def test_one_at_a_time_ends_below_the_joint_best():
    acc, lines = one_at_a_time()
    assert acc.shape == (4, 10)
    # what the prose says: the best lr depends on the batch size ...
    best_lr = {b: s.LRS[int(row.argmax())]
               for b, row in zip(s.BATCH_SIZES, acc)}
    assert best_lr == {32: 0.2, 64: 0.2, 128: 0.5, 256: 0.5}
    # ... so one at a time, from (0.01, 256), stops at (0.5, 64), more
    # than 0.1 below the joint best, which is on neither sweep's line
    stop = start = (s.BATCH_SIZES.index(256), s.LRS.index(0.01))
    stop = (stop[0], int(acc[stop[0]].argmax()))
    stop = (int(acc[:, stop[1]].argmax()), stop[1])
    assert (s.BATCH_SIZES[stop[0]], s.LRS[stop[1]]) == (64, 0.5)
    best = np.unravel_index(acc.argmax(), acc.shape)
    assert best[0] != start[0] and best[1] != stop[1]
    assert acc[stop] < acc[best] - 0.1
    # the lines below the table name those cells; their numbers are the
    # table's (a table cell printed at the same precision)
    assert [line.split(":")[0] for line in lines] == [
        "start", "tune lr", "then batch_size", "joint best"]
    assert [float(line.rsplit(" ", 1)[1]) for line in lines] == [
        acc[start], acc[start[0], stop[1]], acc[stop], acc[best]]


def test_a_cell_of_the_table_is_what_a_trial_gives():
    # the table's one-at-a-time stop, trained again here, independently of
    # the page's run (one epoch: a second)
    acc, _ = one_at_a_time()
    i, j = s.BATCH_SIZES.index(64), s.LRS.index(0.5)
    assert f"{s.one_epoch(0.5, 64):.3f}" == f"{acc[i, j]:.3f}"


def test_grid_tries_three_learning_rates_and_loses():
    assert grid_learning_rates() == [1e-4, 0.01, 1.0]
    found = searches()
    assert list(found) == ["grid", "random", "quasi-random"]
    assert found["grid"][2] == 3
    assert found["grid"][0] < found["random"][0] < found["quasi-random"][0]
    lrs = {s.SPACE.config(u)["lr"]
           for u in s.random_points(5, n_trials=9, seed=0)}
    assert len(lrs) == 9 == found["random"][2]


def test_the_projection_table():
    # the grid sees k values of x; random and quasi-random points n
    for make in (s.random_points, s.quasi_random_points):
        assert len(np.unique(make(2, n_trials=9, seed=0)[:, 0])) == 9
    assert len(np.unique(s.grid_points(2, points_per_axis=3)[:, 0])) == 3
    assert s.f(np.array([[0.62, 0.25]]))[0] == pytest.approx(1.01)

    table = projection_table()
    assert list(table) == [4, 9, 16, 25, 36, 49]
    # quasi-random beats random at every n; the grid is erratic
    for row in table.values():
        assert row["quasi"] > row["random"]
    assert table[25]["grid"] < table[16]["grid"]  # more trials, worse
    # a grid does not depend on the seed: its mean is one run's value
    assert f"{s.best_found('grid', 16, seed=0):.3f}" \
        == f"{table[16]['grid']:.3f}"


def test_numbers_in_the_prose_are_what_the_code_computes():
    # one line, as the build renders it (with the numbers glued in)
    page = " ".join(prose("tuning/search.md").split())
    assert "1,078 training, 359 validation and 360" in page
    assert s.MAX_EPOCHS == 9 and "at most nine epochs" in page
    assert "$3^5 = 243$ trials" in page and 3**5 == 243
    shown = output("tuning/search.md", "space_demo.py")
    share = re.search(r"^ *Uniform: +([\d.]+)% of the learning rates below "
                      r"0\.01$", shown, re.MULTILINE)
    assert round(float(share[1])) == 1 and "only about 1% of" in page
    assert len(s.LRS) * len(s.BATCH_SIZES) == 40 and "costs 40 epochs" in page
    acc, _ = one_at_a_time()
    best_lr = [s.LRS[int(row.argmax())] for row in acc]
    assert f"${best_lr[0]}$ for batches of 32 and 64 but ${best_lr[2]}$ " \
        f"for 128 and 256" in page and best_lr == [0.2, 0.2, 0.5, 0.5]
    j = int(acc[3].argmax())
    assert f"We stop at {acc[:, j].max():.3f}." in page
    assert f"once finds {acc.max():.3f}," in page
    assert grid_learning_rates() == [1e-4, 1e-2, 1]
    assert "$10^{-4}$, $10^{-2}$ and $1$" in page
    # the grid lines near the bump: 2/3 for 4 x 4, 0.5 and 0.75 for 5 x 5
    assert min(abs(np.linspace(0, 1, 5) - 0.62)) > 0.1
    assert abs(2 / 3 - 0.62) < 0.05

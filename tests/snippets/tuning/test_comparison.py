"""Tests for snippets/tuning/comparison.py (docs/tuning/comparison.md).

The committed results it draws from are checked against fresh runs in
test_comparison_results.py. What the page prints (the table, the final
configuration's accuracies) is read from the build's record of it
(tools.records), not computed or trained again.
"""

import re

import numpy as np
import pytest

from snippets.tuning import comparison as c
from snippets.tuning.comparison_results import RESULTS
from tests.conftest import ROOT
from tools.records import output

PAGE = ROOT / "docs/tuning/comparison.md"


def test_curve_charges_only_new_epochs_and_stops_at_the_budget():
    # trial 0 at 1 epoch, trial 1 at 1, trial 0 resumed to 3, trial 2 at 9
    log = [(0, 1, 0.5), (1, 1, 0.6), (0, 3, 0.8), (2, 9, 0.7)]
    assert c.curve(log, budget=100) == [
        (1, 1, 0.5), (2, 2, 0.6), (2, 4, 0.8), (3, 13, 0.8)]
    assert c.curve(log, budget=12) == [(1, 1, 0.5), (2, 2, 0.6),
                                       (2, 4, 0.8)]


def test_best_at_reads_the_curve_at_marks():
    points = [(1, 1, 0.5), (2, 2, 0.6), (2, 4, 0.8), (3, 13, 0.8)]
    assert c.best_at(points, (1, 2, 3, 4), axis=0) == [0.5, 0.8, 0.8, None]
    assert c.best_at(points, (1, 3, 12, 20), axis=1) == [0.5, 0.6, 0.8,
                                                          0.8]
    assert c.best_at(points, (0,), axis=1) == [None]


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match=r"^method must be one of"):
        c.run_method("annealing", seed=0, data=None)


@pytest.mark.parametrize("budget", [0, 8, 27.0, None])
def test_a_budget_below_one_full_trial_is_refused(budget):
    with pytest.raises(ValueError, match=r"^budget must be an integer >= 9"):
        c.run_method("random", seed=0, data=None, budget=budget)


def test_quartiles_are_numpys_percentiles():
    # statistics.quantiles(method="inclusive") interpolates linearly, as
    # numpy.percentile does by default (float64: rtol 1e-12)
    rng = np.random.default_rng(0)
    rows = rng.integers(300, 360, size=(10, 6)).tolist()
    for column, q in zip(zip(*rows), c.quartiles(rows)):
        ref = np.percentile(np.array(column) / 359, [25, 50, 75])
        np.testing.assert_allclose(q, ref, rtol=1e-12)
    assert c.quartiles([[1, None], [2, 3]]) == [
        pytest.approx((1.25 / 359, 1.5 / 359, 1.75 / 359)), None]


def final():
    """What final_test.py printed: (configuration, epochs, validation
    accuracy, correct digits, test accuracy), numbers as printed."""
    text = output("tuning/comparison.md", "final_test.py")
    found = re.fullmatch(
        r"chosen: (.*)\n"
        r"trained for (\d+) epochs: validation accuracy ([\d.]+) "
        r"\((\d+) of 359 digits\)\n"
        r"test accuracy, measured once: ([\d.]+)\n", text)
    assert found, text
    chosen, epochs, accuracy, correct, test_accuracy = found.groups()
    return chosen, int(epochs), accuracy, int(correct), test_accuracy


def test_the_final_configuration_is_evaluated_once_on_test():
    chosen, epochs, accuracy, correct, test_accuracy = final()
    best = RESULTS["best"]
    assert chosen == c.describe(best["config"])
    assert (epochs, correct) == (best["epochs"], best["correct"])
    # trained again from its configuration, it scores what was recorded
    assert c.correct(float(accuracy)) == best["correct"]
    assert 0.9 < float(test_accuracy) <= 1.0


def medians(key, mark):
    """Quartiles of the best accuracy of every method at one mark, from
    RESULTS."""
    marks = RESULTS["trial_marks" if key == "by_trials" else "epoch_marks"]
    return {m: c.quartiles(rows)[marks.index(mark)]
            for m, rows in RESULTS[key].items()}


def table() -> dict[tuple[str, int], dict[str, tuple[float, ...]]]:
    """(key, mark) -> method -> (25th percentile, median, 75th percentile),
    as comparison_table.py prints them on the page."""
    text = output("tuning/comparison.md", "comparison_table.py")
    out = {}
    for part in text.strip("\n").split("\n\n"):
        header, *rows = part.splitlines()
        heads = re.findall(r"(\d+) (epoch|trial)s?\b", header)
        key = "by_epochs" if heads[0][1] == "epoch" else "by_trials"
        assert [m for m, _ in heads] and len(rows) == len(c.METHODS)
        for row in rows:
            method = row[:19].strip()
            cells = re.findall(r"([\d.]+) \[([\d.]+)-([\d.]+)\]",
                               row[19:])
            assert len(cells) == len(heads), row
            for (mark, _), (median, low, high) in zip(heads, cells):
                out.setdefault((key, int(mark)), {})[method] = (
                    float(low), float(median), float(high))
    return out


def test_the_table_shows_the_committed_results():
    shown = table()
    assert sorted(shown) == [("by_epochs", 27), ("by_epochs", 72),
                             ("by_epochs", 243), ("by_trials", 1),
                             ("by_trials", 5), ("by_trials", 27)]
    for (key, mark), methods in shown.items():
        assert list(methods) == list(c.METHODS)
        for method, q in medians(key, mark).items():
            assert [f"{x:.3f}" for x in methods[method]] \
                == [f"{x:.3f}" for x in q]


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = " ".join(PAGE.read_text().split())  # one line
    assert "ten times with ten seeds" in page and RESULTS["seeds"] == 10
    assert "243 epochs per search, as many as 27 full trials" in page
    assert c.BUDGET == 243 == 27 * c.MAX_EPOCHS
    assert "runs of 9 configurations, from 1 epoch to 9" in page

    shown = table()
    end = shown["by_epochs", 243]
    others = {m: q for m, q in end.items() if m != "grid"}
    assert f"its median is ${end['grid'][1]:.3f}$" in page
    low = min(q[1] for q in others.values())
    high = max(q[1] for q in others.values())
    assert f"ends at ${low:.3f}$ or better" in page
    assert f"between ${low:.3f}$ and ${high:.3f}$" in page
    assert round((high - low) * 359) == 3 and "three validation digits" \
        in page
    assert max(others, key=lambda m: others[m][1]) == "TPE + pruning"
    q = end["TPE + pruning"]
    assert f"median is ${q[1]:.3f}$, with half of the seeds between " \
        f"${q[0]:.3f}$ and ${q[2]:.3f}$" in page

    # the early-stopping methods trail the grid for the first 8 trials
    # (level only at 3) and lead it from 13 on
    # (from the committed results: the page's table shows 1, 5 and 27)
    at = {k: medians("by_trials", k) for k in (1, 2, 3, 5, 8, 13, 20, 27)}
    grid = {k: q["grid"][1] for k, q in at.items()}
    halving = {k: q["successive halving"][1] for k, q in at.items()}
    assert all(halving[k] < grid[k] for k in (1, 2, 5, 8))
    assert abs(halving[3] - grid[3]) < 0.01
    assert all(halving[k] > grid[k] for k in (13, 20, 27))
    for k in (1, 8, 13):
        assert at[k]["Hyperband"][1] == halving[k]
    assert (f"for the first 8 trials: after 1 trial the grid has "
            f"${grid[1]:.3f}$ against their ${halving[1]:.3f}$, after 8 "
            f"trials ${grid[8]:.3f}$ against ${halving[8]:.3f}$ (they draw "
            f"level only briefly, at 3)") in page
    assert (f"By 13 trials they are ahead, ${halving[13]:.3f}$ against "
            f"${grid[13]:.3f}$, and stay ahead") in page

    five = shown["by_trials", 5]
    assert five["successive halving"][1] == five["Hyperband"][1]
    assert f"their best is poor (${five['Hyperband'][1]:.3f}$)" in page
    at27 = shown["by_epochs", 27]
    assert at27["successive halving"][1] == at27["Hyperband"][1]
    assert f"they are at ${at27['Hyperband'][1]:.3f}$" in page
    assert at27["Hyperband"][1] > at27["quasi-random"][1]
    assert at27["Hyperband"][1] > at27["TPE"][1]
    for key, mark in (("by_epochs", 27), ("by_epochs", 72),
                      ("by_epochs", 243), ("by_trials", 5),
                      ("by_trials", 27)):  # once there are a few trials
        qs = shown[key, mark]
        assert qs["quasi-random"][1] <= qs["random"][1]  # not better

    one = shown["by_trials", 1]
    assert f"median ${one['random, lr only'][1]:.3f}$, against " \
        f"${one['random'][1]:.3f}$" in page
    assert max(one, key=lambda m: one[m][1]) == "random, lr only"
    lr5, r5 = five["random, lr only"], five["random"]
    assert lr5[1] == r5[1] and f"(${r5[1]:.3f}$)" in page
    width = {m: q[2] - q[0] for m, q in five.items()}
    assert min(width, key=width.get) == "random, lr only"
    assert f"${lr5[0]:.3f}$ to ${lr5[2]:.3f}$" in page
    t27 = shown["by_trials", 27]
    lr = [medians("by_trials", 20)["random, lr only"][1],  # not printed
          t27["random, lr only"][1]]
    assert f"{lr[0]:.3f}" == f"{lr[1]:.3f}"
    assert f"stopped improving at ${lr[1]:.3f}$" in page
    assert t27["random"][1] > lr[1] and t27["TPE"][1] > lr[1]

    _, _, accuracy, correct, test_accuracy = final()
    assert f"scored ${accuracy}$ on the validation set ({correct} of 359 " \
        f"digits) and ${test_accuracy}$" in page
    assert float(test_accuracy) < float(accuracy)
    assert 5 * 10 * 27 > 1000  # full-trial searches alone: evaluations


# ---- the winner at an edge, widened -----------------------------------------

def widened():
    """What widen.py printed: the header line, and {dropout: (mean, std)}
    as printed (three decimals)."""
    lines = output("tuning/comparison.md", "widen.py").splitlines()
    rows = {}
    for line in lines[2:]:
        value, mean, _, std = line.split()
        rows[float(value)] = (float(mean), float(std))
    return lines[0], rows


def test_the_winner_sits_at_the_top_of_its_range():
    # the page's premise, from the committed results and the space
    header, _ = widened()
    top = c.SPACE.params["dropout"].high
    assert top == 0.5 and c.SPACE.params["dropout"].low == 0.0
    assert 0.95 * top < RESULTS["best"]["config"]["dropout"] <= top
    assert header == (f"the winner's dropout: "
                      f"{RESULTS['best']['config']['dropout']:.3f}, "
                      f"searched in [0.0, 0.5]")
    assert RESULTS["best"]["config"]["hidden"] == 153  # "has 153 units"


def test_past_the_range_the_accuracy_only_falls():
    # "past 0.5 the accuracy only falls, slowly up to 0.8 and steeply
    # after"; "0.25 and 0.5 ... within the spread of the seeds"; "without
    # dropout ... within a point or so of the plateau"
    _, rows = widened()
    assert list(rows) == [0.0, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9]
    beyond = [rows[p][0] for p in (0.5, 0.6, 0.7, 0.8, 0.9)]
    assert beyond == sorted(beyond, reverse=True)
    assert len(set(beyond)) == len(beyond)
    assert beyond[3] - beyond[4] > 3 * (beyond[0] - beyond[3])
    assert abs(rows[0.25][0] - rows[0.5][0]) < max(rows[0.25][1],
                                                   rows[0.5][1])
    assert max(rows[p][0] for p in (0.6, 0.7, 0.8, 0.9)) < max(
        rows[0.25][0], rows[0.5][0])
    assert abs(rows[0.0][0] - rows[0.5][0]) < 0.02


def test_widen_keeps_the_other_settings_and_averages_full_trials():
    data = c.digits()
    config = dict(RESULTS["best"]["config"], hidden=16)  # seconds, not 10
    found = c.widen(config, "dropout", [0.1], data=data, seeds=[0, 1])
    accs = [c.Trial({**config, "dropout": 0.1}, data=data, seed=s)
            .train_to(c.MAX_EPOCHS) for s in (0, 1)]
    assert found == {0.1: (float(np.mean(accs)), float(np.std(accs)))}


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "momentum"}, "^name must be one of"),
    ({"seeds": [0]}, "^seeds must hold at least 2 seeds"),
])
def test_widen_refuses_bad_arguments(kwargs, message):
    args = {"name": "dropout", "seeds": [0, 1], **kwargs}
    with pytest.raises(ValueError, match=message):
        c.widen(RESULTS["best"]["config"], args.pop("name"), [0.1],
                data=None, **args)

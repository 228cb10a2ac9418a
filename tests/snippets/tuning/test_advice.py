"""Tests for snippets/tuning/advice.py (docs/tuning/advice.md).

The numbers the page prints are read from what its blocks printed when
the site was built (tools.records): nothing the page trained is trained
again here.
"""

import inspect
import math
import re
from pathlib import Path

import pytest
import torch

from snippets.tuning import advice as a
from snippets.tuning.task import quasi_random_points
from tests.conftest import ROOT
from tools.records import output, prose

PAGE = ROOT / "docs/tuning/advice.md"
PAGE_NAME = "tuning/advice.md"
N_VAL = 359  # validation digits


def roles_table() -> dict[float, tuple[float, float]]:
    """dropout -> (accuracy with lr = 0.01, best tuned accuracy), as
    roles.py prints them on the page."""
    text = output("tuning/advice.md", "roles.py")
    header, *lines = text.splitlines()
    assert header.startswith("dropout  lr = 0.01  tuned: best of 6")
    rows = [line.split() for line in lines]
    return {float(r[0]): (float(r[1]), float(r[2])) for r in rows}


def boundaries_lines() -> dict[float, tuple[float, str, int]]:
    """high end of the lr range -> (best accuracy, its lr to 3 significant
    digits, its place in the log range in %), as boundaries.py prints
    them on the page."""
    text = output("tuning/advice.md", "boundaries.py")
    found = re.findall(r"lr in \[0\.0001, (\S+)\]: best (\S+) at lr=(\S+), "
                       r"at (\d+)% of the log range", text)
    assert len(found) == 2
    return {float(h): (float(acc), lr, int(pct))
            for h, acc, lr, pct in found}


def learning_rates(high):
    """The eight learning rates boundaries.py tries in [1e-4, high]."""
    lr = a.LogUniform(1e-4, high)
    return [lr.from_unit(float(u))
            for u in quasi_random_points(1, n_trials=8, seed=0)[:, 0]]


def test_every_dropout_value_gets_the_same_nuisance_points(monkeypatch):
    seen = []

    def fake_objective(config, *, data):  # no training: record the config
        seen.append(config)
        return 0.5

    monkeypatch.setattr(a, "objective", fake_objective)
    studies = {p: a.study(p) for p in a.DROPOUTS}
    configs = [[c for _, c in studies[p]] for p in a.DROPOUTS]
    assert configs[0] == configs[1] == configs[2]
    assert len(configs[0]) == 6
    # each trial: the fixed values, the dropout studied, a nuisance point
    assert [c["dropout"] for c in seen] == [p for p in a.DROPOUTS
                                           for _ in range(6)]
    assert all(c["hidden"] == 64 and c["batch_size"] == 128 for c in seen)
    assert all(set(c) == {"hidden", "batch_size", "dropout", "lr",
                          "weight_decay"} for c in seen)


def test_tuning_the_nuisance_hyperparameters_changes_the_answer():
    table = roles_table()
    assert sorted(table) == list(a.DROPOUTS)
    untuned = {p: u for p, (u, _) in table.items()}
    tuned = {p: t for p, (_, t) in table.items()}
    # untuned: every rate "reaches only" a fraction of the tuned accuracy
    assert max(untuned.values()) < min(tuned.values()) - 0.1
    # tuned: within a few digits of 359, too close to call from one seed
    assert (max(tuned.values()) - min(tuned.values())) * N_VAL < 8
    # and the naive answer "does not carry over": another rate on top
    assert max(untuned, key=untuned.get) != max(tuned, key=tuned.get)


def seed_runs():
    """lr -> its six accuracies, as seeds.py printed them (the wide
    range's best learning rate first, then the one above it)."""
    text = output(PAGE_NAME, "seeds.py")
    found = re.findall(r"^lr=(\S+): ((?:[\d.]+ ?){6})$", text, re.M)
    assert len(found) == 2, text
    return {lr: [float(x) for x in runs.split()] for lr, runs in found}


def test_the_narrow_range_has_its_best_at_the_edge():
    found = boundaries_lines()
    acc, lr, pct = found[1e-2]
    assert pct > 95
    # still climbing: the best is the largest learning rate tried
    narrow = learning_rates(1e-2)
    assert lr == f"{max(narrow):.3g}"
    assert f"{a.place(a.LogUniform(1e-4, 1e-2), max(narrow)):.0%}" \
        == f"{pct}%"
    acc_w, _, pct_w = found[1.0]
    assert acc_w > acc + 0.2
    assert 50 < pct_w < 90  # the wide range's best sits inside


def test_one_run_above_the_best_is_luck():
    # seeds.py: the best learning rate of the wide range and the one
    # above it, six seeds each; seeds 0 to 2 are the search's own runs,
    # whose mean is the trial's score
    acc_w, lr_w, _ = boundaries_lines()[1.0]
    (best_lr, best_runs), (above_lr, above_runs) = seed_runs().items()
    assert best_lr == lr_w
    assert abs(sum(best_runs[:3]) / 3 - acc_w) <= 0.0015  # printed to 3
    wide = sorted(learning_rates(1.0))
    above = wide[wide.index(next(x for x in wide
                                 if f"{x:.3g}" == lr_w)) + 1]
    assert above_lr == f"{above:.3g}"
    # "the one trial above it did worse": its mean over the three seeds
    assert sum(above_runs[:3]) < sum(best_runs[:3])
    # "the six runs agree to within a few digits"
    assert (max(best_runs) - min(best_runs)) * N_VAL <= 10
    # "some runs collapse and others come close to them"
    assert min(above_runs) < 0.7
    assert max(above_runs) > min(best_runs) - 0.05
    # "luck, which another CPU's rounding can change as well as another
    # seed": rounding differences of our own, a few float32 ulps in the
    # initial weights, move a run at that rate by several digits, and
    # not at the best rate
    fixed = dict(a.FIXED, dropout=0.0)

    def digits_moved(lr):
        right = []
        for k in range(4):
            trial = a.Trial({**fixed, "lr": lr}, data=a.data)
            with torch.no_grad():
                for p in trial.model.parameters():
                    p.mul_(1 + k * 2.0**-22)
            right.append(round(trial.train_to(a.MAX_EPOCHS) * N_VAL))
        return max(right) - min(right)

    best = next(x for x in wide if f"{x:.3g}" == lr_w)
    assert digits_moved(above) >= 3
    assert digits_moved(best) <= 1


def test_the_boundaries_figure_alt_text():
    # what the figure draws: every trial of both ranges, trained again as
    # boundaries.py trains them (it prints only the best of each)
    fixed = dict(a.FIXED, dropout=0.0)
    acc_w, lr_w, _ = boundaries_lines()[1.0]
    runs = {}
    for high in (1e-2, 1.0):
        runs[high] = [(lr, a.mean_accuracy({**fixed, "lr": lr},
                                           data=a.data))
                      for lr in sorted(learning_rates(high))]
    # "rise steadily up to its right edge", "rise steadily to" the best
    narrow = [acc for _, acc in runs[1e-2]]
    assert narrow == sorted(narrow)
    k = max(range(8), key=lambda i: runs[1.0][i][1])
    rising = [acc for _, acc in runs[1.0][:k + 1]]
    assert rising == sorted(rising)
    assert k == len(runs[1.0]) - 2  # "the one trial above it"
    assert f"{runs[1.0][k][0]:.3g}" == lr_w
    alt = re.search(r'aria-label="([^"]*)"',
                    output(PAGE_NAME, "boundaries_figure.py"))[1]
    (lr, acc), (lr_up, acc_up) = runs[1.0][k:k + 2]
    assert (f"rise steadily to {acc:.3f} at a learning rate of {lr:.2g}; "
            f"the one trial above it, at {lr_up:.2g}, reaches "
            f"{acc_up:.3f}.") in alt
    assert f"{acc:.3f}" == f"{acc_w:.3f}"


def test_the_isolation_figure_alt_text():
    table = roles_table()
    untuned = [u for u, _ in table.values()]
    tuned = [t for _, t in table.values()]
    alt = re.search(r'aria-label="([^"]*)"',
                    output(PAGE_NAME, "isolation_figure.py"))[1]
    assert (f"lies between {min(tuned):.2f} and {max(tuned):.2f} for all "
            f"three") in alt
    assert (f"the three values lie between {min(untuned):.2f} and "
            f"{max(untuned):.2f}.") in alt
    # "the individual trials spread from" far below the untuned ones
    worst = re.search(r"the individual trials spread from (\S+) upwards",
                      alt)[1]
    assert float(worst) < min(untuned) - 0.2


def test_a_trial_s_score_is_its_mean_over_the_seeds():
    config = {**a.FIXED, "dropout": 0.0, "lr": 0.05}
    runs = [a.Trial(config, data=a.data, seed=s).train_to(a.MAX_EPOCHS)
            for s in (0, 1)]
    assert a.mean_accuracy(config, data=a.data, seeds=(0, 1)) == (
        sum(runs) / 2)
    with pytest.raises(ValueError, match=r"^seeds must hold at least one"):
        a.mean_accuracy(config, data=a.data, seeds=())


def test_place_is_the_inverse_of_from_unit():
    lr = a.LogUniform(1e-4, 1.0)
    for u in (0.0, 0.25, 0.8, 1.0):
        assert a.place(lr, lr.from_unit(u)) == pytest.approx(u, abs=1e-12)


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = " ".join(prose(PAGE_NAME).split())  # the numbers glued in
    table = roles_table()
    untuned = {p: u for p, (u, _) in table.items()}
    tuned = {p: t for p, (_, t) in table.items()}
    top = max(tuned, key=tuned.get)
    assert f"about {min(untuned.values()):.2f} to " \
        f"{max(untuned.values()):.2f}, and " \
        f"{max(untuned, key=untuned.get)} comes out on top" in page
    assert f"every rate reaches {min(tuned.values()):.2f} to " \
        f"{max(tuned.values()):.2f}, " \
        f"{'no dropout' if top == 0 else f'dropout {top}'} comes out on " \
        f"top" in page
    assert "the same six points each time" in page
    assert inspect.signature(a.study).parameters["n_trials"].default == 6
    assert a.FIXED == dict(hidden=64, batch_size=128)
    assert "the width (64 hidden units) and the batch size (128)" in page
    _, _, pct = boundaries_lines()[1e-2]
    assert f"at {pct}% of the range" in page
    assert "the same eight quasi-random points on a range a hundred times " \
        "wider" in page
    assert math.isclose(1.0 / 1e-2, 100)
    source = Path(a.__file__).read_text()
    assert "points = quasi_random_points(1, n_trials=8, seed=0)" in source
    (best_lr, best_runs), (above_lr, above_runs) = seed_runs().items()
    assert (f"At {float(best_lr):.2g}, the six runs agree to within a few "
            f"digits (from {min(best_runs):.3f} to {max(best_runs):.3f}). "
            f"At {float(above_lr):.2g}, some runs collapse and others come "
            f"close to them (from {min(above_runs):.3f} to "
            f"{max(above_runs):.3f})") in page
    assert f"the best region lies below {float(above_lr):.2g}," in page

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

from snippets.tuning import advice as a
from snippets.tuning.task import quasi_random_points
from tests.conftest import ROOT
from tools.records import output

PAGE = ROOT / "docs/tuning/advice.md"


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
    # untuned: all far below; dropout 0.5 on top
    assert all(0.76 < untuned[p] < 0.79 for p in a.DROPOUTS)
    assert max(untuned, key=untuned.get) == 0.5
    # tuned: all 0.95 to 0.97 (3 decimals), no dropout on top, within a
    # few digits of 359
    assert all(0.95 <= round(tuned[p], 2) <= 0.97 for p in a.DROPOUTS)
    assert max(tuned, key=tuned.get) == 0.0
    assert (max(tuned.values()) - min(tuned.values())) * 359 < 8


def test_the_narrow_range_has_its_best_at_the_edge():
    found = boundaries_lines()
    acc, lr, pct = found[1e-2]
    assert pct > 95
    # still climbing: the best is the largest learning rate tried
    narrow = learning_rates(1e-2)
    assert lr == f"{max(narrow):.3g}"
    assert f"{a.place(a.LogUniform(1e-4, 1e-2), max(narrow)):.0%}" \
        == f"{pct}%"
    acc_w, lr_w, pct_w = found[1.0]
    assert acc_w > acc + 0.2
    assert 50 < pct_w < 90
    # much worse beyond it: the trials above the best are only drawn, not
    # printed, so they are trained here (as boundaries.py trains them)
    wide = learning_rates(1.0)
    (best_w,) = [x for x in wide if f"{x:.3g}" == lr_w]
    above = [x for x in wide if x > best_w]
    fixed = dict(a.FIXED, dropout=0.0)  # boundaries.py's fixed values
    accuracies = [a.objective({**fixed, "lr": x}, data=a.data)
                  for x in above]
    assert above and max(accuracies) < acc_w - 0.3


def test_place_is_the_inverse_of_from_unit():
    lr = a.LogUniform(1e-4, 1.0)
    for u in (0.0, 0.25, 0.8, 1.0):
        assert a.place(lr, lr.from_unit(u)) == pytest.approx(u, abs=1e-12)


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = " ".join(PAGE.read_text().split())  # one line
    table = roles_table()
    untuned = {p: u for p, (u, _) in table.items()}
    tuned = {p: t for p, (_, t) in table.items()}
    assert f"about ${min(untuned.values()):.2f}$ to " \
        f"${max(untuned.values()):.2f}$, and " \
        f"${max(untuned, key=untuned.get)}$ comes out on top" in page
    assert f"every rate reaches ${min(tuned.values()):.2f}$ to " \
        f"${max(tuned.values()):.2f}$, no dropout comes out on top" in page
    assert max(tuned, key=tuned.get) == 0.0
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

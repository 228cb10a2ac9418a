"""Tests for snippets/tuning/advice.py (docs/tuning/advice.md)."""

import math

import pytest

from snippets.tuning import advice as a
from tests.conftest import ROOT

PAGE = ROOT / "docs/tuning/advice.md"


def best(results):
    return max(acc for acc, _ in results)


def test_every_dropout_value_gets_the_same_nuisance_points():
    configs = [[c for _, c in a.studies[p]] for p in a.DROPOUTS]
    assert configs[0] == configs[1] == configs[2]
    assert len(configs[0]) == 6


def test_tuning_the_nuisance_hyperparameters_changes_the_answer():
    tuned = {p: best(a.studies[p]) for p in a.DROPOUTS}
    untuned = a.untuned
    # untuned: all far below; dropout 0.5 on top
    assert all(0.76 < untuned[p] < 0.79 for p in a.DROPOUTS)
    assert max(untuned, key=untuned.get) == 0.5
    # tuned: all 0.95 to 0.97 (3 decimals), no dropout on top, within a
    # few digits of 359
    assert all(0.95 <= round(tuned[p], 2) <= 0.97 for p in a.DROPOUTS)
    assert max(tuned, key=tuned.get) == 0.0
    assert (max(tuned.values()) - min(tuned.values())) * 359 < 8


def test_the_narrow_range_has_its_best_at_the_edge():
    narrow, wide = a.lr_search[1e-2], a.lr_search[1.0]
    acc, config = max(narrow, key=lambda r: r[0])
    assert a.place(a.LogUniform(1e-4, 1e-2), config["lr"]) > 0.95
    # still climbing: the best is the largest learning rate tried
    assert config["lr"] == max(c["lr"] for _, c in narrow)
    acc_w, config_w = max(wide, key=lambda r: r[0])
    assert acc_w > acc + 0.2
    place = a.place(a.LogUniform(1e-4, 1.0), config_w["lr"])
    assert 0.5 < place < 0.9
    above = [x for x, c in wide if c["lr"] > config_w["lr"]]
    assert above and max(above) < acc_w - 0.3  # much worse beyond it


def test_place_is_the_inverse_of_from_unit():
    lr = a.LogUniform(1e-4, 1.0)
    for u in (0.0, 0.25, 0.8, 1.0):
        assert a.place(lr, lr.from_unit(u)) == pytest.approx(u, abs=1e-12)


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = " ".join(PAGE.read_text().split())  # one line
    assert "about $0.77$ to $0.78$, and $0.5$ comes out on top" in page
    assert "every rate reaches $0.95$ to $0.97$, no dropout comes out on " \
        "top" in page
    assert "the same six points each time" in page
    assert a.FIXED == dict(hidden=64, batch_size=128)
    assert "the width (64 hidden units) and the batch size (128)" in page
    narrow = max(a.lr_search[1e-2], key=lambda r: r[0])[1]["lr"]
    share = a.place(a.LogUniform(1e-4, 1e-2), narrow)
    assert f"at {share:.0%} of the range" in page
    assert "the same eight quasi-random points on a range a hundred times " \
        "wider" in page
    assert math.isclose(1.0 / 1e-2, 100)
    assert all(len(r) == 8 for r in a.lr_search.values())

"""Tests for snippets/history/alexnet_2012.py (the 2012 AlexNet chapter)."""

import math
import re
from itertools import pairwise

import numpy as np
import pytest
import torch

from snippets.history import alexnet_2012 as ax
from tests.conftest import ROOT

PAGE = ROOT / "docs/history/2012-alexnet.md"


def torch_lrs(val_errors, **kw):
    """ReduceLROnPlateau (mode 'min', threshold_mode 'rel') on a real SGD:
    the lr after each step, and the scheduler's state after the last."""
    w = torch.zeros(2, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=kw.pop("lr"), momentum=0.9)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode="min", threshold_mode="rel", **kw)
    lrs = []
    for error in val_errors:
        loss = (w ** 2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step(error)
        lrs.append(optimizer.param_groups[0]["lr"])
    state = (scheduler.best, scheduler.num_bad_epochs,
             scheduler.cooldown_counter)
    return lrs, state


def our_lrs(val_errors, **kw):
    schedule = ax.DivideOnPlateau(**kw)
    lrs = [schedule.step(error) for error in val_errors]
    return lrs, (schedule.best, schedule.num_bad_epochs,
                 schedule.cooldown_counter)


def random_curve(rng, n=80):
    """A noisy, decreasing validation error with flat stretches and ties:
    the cases where the plateau rule has something to decide."""
    kind = rng.integers(4)
    if kind == 0:  # smooth decay plus noise
        curve = 0.5 * np.exp(-np.arange(n) / rng.uniform(5, 40))
        curve += rng.normal(0, rng.uniform(0, 0.02), n)
    elif kind == 1:  # error rates of a 400-image validation set: many ties
        curve = np.round(
            (0.3 * np.exp(-np.arange(n) / 15) + 0.02
             + rng.normal(0, 0.01, n)) * 400) / 400
    elif kind == 2:  # a random walk that sometimes goes up
        curve = 1 + np.cumsum(rng.normal(-0.005, 0.02, n))
    else:  # steps down, flat in between, with tiny (sub-threshold) dips
        curve = np.repeat(rng.uniform(0.1, 1, n // 10), 10)
        curve = np.sort(curve)[::-1] * (1 - rng.uniform(0, 2e-4, n))
    return [float(v) for v in curve]


CURVES = 30  # per setting; the page says how many
SETTINGS = [
    dict(lr=0.01),
    dict(lr=0.1, patience=0),
    dict(lr=0.1, patience=3),
    dict(lr=0.05, factor=0.5, patience=2, cooldown=3),
    dict(lr=0.1, patience=1, min_lr=1e-3),  # hits the floor
    dict(lr=0.1, patience=2, threshold=0.0),
    dict(lr=0.1, patience=2, threshold=0.05, cooldown=1),
    dict(lr=1e-7, patience=1),  # cuts below eps = 1e-8 are skipped
    dict(lr=0.3, factor=0.9, patience=4, threshold=1e-3, cooldown=2,
         min_lr=0.05),
]


@pytest.mark.parametrize("setting", SETTINGS, ids=str)
def test_divide_on_plateau_matches_reduce_lr_on_plateau(setting):
    # CURVES seeded random curves per setting; the learning rates must be
    # identical floats (both compute max(lr * factor, min_lr)), and so must
    # best, the bad-epoch count and the cooldown counter.
    rng = np.random.default_rng(0)
    cuts = 0
    for _ in range(CURVES):
        curve = random_curve(rng)
        mine, my_state = our_lrs(curve, **setting)
        theirs, their_state = torch_lrs(curve, **setting)
        assert mine == theirs
        assert my_state == their_state
        cuts += sum(b < a for a, b in pairwise(mine))
    assert cuts > 0  # the curves do exercise the rule


def test_ties_do_not_count_as_improvement():
    lrs, (best, bad, _) = our_lrs([0.3, 0.3, 0.3], lr=0.1, patience=1)
    assert lrs == [0.1, 0.1, pytest.approx(0.01)] and best == 0.3
    assert bad == 0  # reset by the cut


def test_nan_counts_as_a_bad_epoch_as_in_torch():
    curve = [0.5, math.nan, math.nan, 0.4]
    assert our_lrs(curve, lr=0.1, patience=1)[0] == torch_lrs(
        curve, lr=0.1, patience=1)[0]


def test_the_demo_schedule_matches_torch():
    mine, _ = our_lrs(ax.curve, lr=0.01, patience=2)
    theirs, _ = torch_lrs(ax.curve, lr=0.01, patience=2)
    assert mine == theirs
    # cut after epochs 9 and 13 (1-based), as the page says
    assert [e + 1 for e in range(1, len(mine)) if mine[e] < mine[e - 1]] \
        == [9, 13]


@pytest.mark.parametrize("lr", [0, -0.1, math.inf, math.nan, "0.1", True])
def test_bad_lr_is_refused(lr):
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0"):
        ax.DivideOnPlateau(lr=lr)
    with pytest.raises(ValueError, match=r"^lr "):
        ax.train_like_alexnet(lr=lr, epochs=1)


@pytest.mark.parametrize("factor", [0, 1, 1.5, -0.1, math.nan, "0.1"])
def test_bad_factor_is_refused(factor):
    with pytest.raises(ValueError, match=r"^factor must be a number in "
                                         r"\(0, 1\)"):
        ax.DivideOnPlateau(lr=0.1, factor=factor)


@pytest.mark.parametrize("patience", [-1, 2.0, "3", None])
def test_bad_patience_is_refused(patience):
    with pytest.raises(ValueError, match=r"^patience must be an integer "
                                         r">= 0"):
        ax.DivideOnPlateau(lr=0.1, patience=patience)
    with pytest.raises(ValueError, match=r"^patience "):
        ax.train_like_alexnet(patience=patience, epochs=1)


@pytest.mark.parametrize("threshold", [-1e-4, math.inf, math.nan, "0"])
def test_bad_threshold_is_refused(threshold):
    with pytest.raises(ValueError, match=r"^threshold must be a finite "
                                         r"number >= 0"):
        ax.DivideOnPlateau(lr=0.1, threshold=threshold)


@pytest.mark.parametrize("cooldown", [-1, 1.5, "2", None])
def test_bad_cooldown_is_refused(cooldown):
    with pytest.raises(ValueError, match=r"^cooldown must be an integer "
                                         r">= 0"):
        ax.DivideOnPlateau(lr=0.1, cooldown=cooldown)


@pytest.mark.parametrize("min_lr", [-1e-6, math.inf, math.nan, "0"])
def test_bad_min_lr_is_refused(min_lr):
    with pytest.raises(ValueError, match=r"^min_lr must be a finite number "
                                         r">= 0"):
        ax.DivideOnPlateau(lr=0.1, min_lr=min_lr)


@pytest.mark.parametrize("val_error", ["0.3", None, True])
def test_bad_val_error_is_refused(val_error):
    with pytest.raises(ValueError, match=r"^val_error must be a number"):
        ax.DivideOnPlateau(lr=0.1).step(val_error)


@pytest.mark.parametrize("kw, message", [
    (dict(epochs=0), r"^epochs must be an integer >= 1"),
    (dict(epochs=2.0), r"^epochs must be an integer >= 1"),
    (dict(batch_size=0), r"^batch_size must be an integer >= 1"),
    (dict(momentum=1.0), r"^momentum must be a number in \[0, 1\)"),
    (dict(momentum=-0.1), r"^momentum must be a number in \[0, 1\)"),
    (dict(weight_decay=-5e-4), r"^weight_decay must be a finite number"),
    (dict(dropout=1.0), r"^dropout must be a number in \[0, 1\)"),
    (dict(hidden=0), r"^hidden must be an integer >= 1"),
])
def test_bad_training_hyperparameters_are_refused(kw, message):
    with pytest.raises(ValueError, match=message):
        ax.train_like_alexnet(**kw)


def test_the_data_split_is_disjoint_and_complete():
    idx = torch.cat([ax.train, ax.val, ax.test]).numpy()
    assert sorted(idx) == list(range(1797))
    assert (len(ax.train), len(ax.val), len(ax.test)) == (1000, 400, 397)


def cut_epochs(lrs):
    return [e for e in range(1, len(lrs)) if lrs[e] < lrs[e - 1]]


def test_the_recipe_runs_follow_reduce_lr_on_plateau():
    # Feed the validation errors each run recorded to torch's scheduler:
    # it must set the same learning rate for every epoch.
    for lr, (lrs, val_errors, _) in ax.runs.items():
        theirs, _ = torch_lrs(val_errors, lr=lr, factor=0.1, patience=10,
                              min_lr=lr / 1000)
        assert lrs == [lr, *theirs[:-1]]


def first_below(val_errors, level=0.05):
    return next(e + 1 for e, err in enumerate(val_errors) if err <= level)


def test_what_the_page_says_about_the_runs():
    slow, fast = ax.runs[0.01], ax.runs[0.1]
    # lr 0.01 never plateaus in 90 epochs; lr 0.1 is cut three times, then
    # the floor lr / 1000 stops it, as AlexNet's was divided three times
    assert len(slow[0]) == len(fast[0]) == 90
    assert cut_epochs(slow[0]) == [] and set(slow[0]) == {0.01}
    cuts = cut_epochs(fast[0])
    assert len(cuts) == 3
    assert fast[0][-1] == pytest.approx(0.1 / 1000, rel=1e-12)
    # the best validation error came 11 epochs (patience + 1) before the
    # first cut and was never beaten; then one cut every 11 epochs
    best_epoch = int(np.argmin(fast[1])) + 1
    best = min(fast[1])
    assert all(err >= best * (1 - 1e-4) for err in fast[1][best_epoch:])
    assert [best_epoch + 11 * k for k in (1, 2, 3)] == cuts
    # 0.1 is much faster to 5 %; on the test set they end within an image
    assert first_below(fast[1]) < first_below(slow[1]) / 3
    assert abs(right(slow[2]) - right(fast[2])) <= 1


def right(test_error):
    return round((1 - test_error) * len(ax.test))


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = " ".join(PAGE.read_text().split())  # line breaks as spaces
    # steps per epoch: AlexNet about 1.2 million / 128; ours 1,000 / 128
    assert round(1.2e6 / 128, -2) == 9400 and "about 9,400" in page
    steps = math.ceil(len(ax.train) / 128)
    assert steps == 8 and f"{steps} steps per epoch" in page
    assert f"{90 * steps} steps in all" in page
    assert round(9400 / steps, -3) == 1000
    assert "about a thousand times fewer steps per epoch" in page
    # the two runs
    slow, fast = ax.runs[0.01], ax.runs[0.1]
    assert f"5 % only at epoch {first_below(slow[1])}" in page
    assert f"5 % by epoch {first_below(fast[1])}" in page
    best_epoch = int(np.argmin(fast[1])) + 1
    assert f"best value came at epoch {best_epoch}" in page
    assert "11 epochs later (a patience of 10, plus one)" in page
    cuts = cut_epochs(fast[0])
    assert (f"after epochs {', '.join(map(str, cuts[:-1]))} and "
            f"{cuts[-1]}") in page
    assert (f"{right(slow[2])} and {right(fast[2])} of the "
            f"{len(ax.test)} right") in page
    # the rule's defaults and the tests' coverage
    schedule = ax.DivideOnPlateau(lr=0.1)
    assert (schedule.threshold, schedule.eps, schedule.patience) == (
        1e-4, 1e-8, 10)
    assert "(default $10^{-4}$)" in page and "smaller than $10^{-8}$" in page
    assert "PyTorch's default of 10 epochs" in page
    assert (f"{CURVES} seeded random validation curves under each of "
            f"{len(SETTINGS)} settings") in page
    # the data and the network
    assert len(ax.y) == 1797 and "1,797 digit images" in page
    assert ax.X.shape[1] == 64 and "64 → 64 → 64 → 10" in page
    # the demo: cut after epochs 9 and 13 with patience 2
    assert "At epoch 9 the error" in page and "at epoch 13" in page
    assert ("1,000 for training, 400 for validation and 397 for testing"
            in page)


def test_the_forbidden_framing_is_absent():
    page = PAGE.read_text().lower()
    assert "mid to late" not in page and "late 2010s" not in page
    assert "mid-2010s" not in page and "mid 2010s" not in page


def test_built_page_shows_identical_schedules(site):
    html = (site / "history/2012-alexnet/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    # printed by the from-scratch block and by the ReduceLROnPlateau block
    line = "epoch  9: error 0.34, best 0.34, bad epochs 0, next lr 0.001"
    assert text.count(line) == 2

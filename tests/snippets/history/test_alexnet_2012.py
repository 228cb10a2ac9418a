"""Tests for snippets/history/alexnet_2012.py (the 2012 AlexNet chapter)."""

import math
import re
from itertools import pairwise

import numpy as np
import pytest
import torch

from snippets.history import alexnet_2012 as ax
from tests.conftest import ROOT
from tools.records import output

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


DEMO_LINE = re.compile(r"^epoch +(\d+): error ([\d.]+), best ([\d.]+), "
                       r"bad epochs (\d+), next lr ([\d.e-]+)$", re.M)


def demo_rows(name):
    """(epoch, error, best, bad epochs, next lr) for each line that the
    block `name` printed on the page (the build's run, read from the
    execution cache)."""
    text = output("history/2012-alexnet.md", name)
    rows = [(int(e), float(err), float(best), int(bad), float(lr))
            for e, err, best, bad, lr in DEMO_LINE.findall(text)]
    assert len(rows) == len(text.splitlines())  # every line parsed
    return rows


def test_the_demo_schedule_matches_torch():
    mine, theirs = demo_rows("plateau.py"), demo_rows("plateau_torch.py")
    assert mine == theirs  # the two blocks print the same lines
    assert [row[0] for row in mine] == list(range(1, 15))
    # the made-up curve (printed with its two decimals, which are all it
    # has), fed to both again: the same schedule as the page prints
    curve = [row[1] for row in mine]
    lrs, _ = our_lrs(curve, lr=0.01, patience=2)
    assert lrs == torch_lrs(curve, lr=0.01, patience=2)[0]
    assert [f"{lr:g}" for lr in lrs] == [f"{row[4]:g}" for row in mine]
    # cut after epochs 9 and 13 (1-based), as the page says
    printed = [row[4] for row in mine]
    assert [e + 1 for e in range(1, len(printed))
            if printed[e] < printed[e - 1]] == [9, 13]


@pytest.mark.parametrize("lr", [0, -0.1, math.inf, math.nan, "0.1", True])
def test_bad_lr_is_refused(lr):
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0"):
        ax.DivideOnPlateau(lr=lr)
    with pytest.raises(ValueError, match=r"^lr "):
        ax.train_like_alexnet(lr=lr, num_epochs=1)


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
        ax.train_like_alexnet(patience=patience, num_epochs=1)


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
    with pytest.raises(ValueError,
                       match=r"^val_error must be a finite number, got "):
        ax.DivideOnPlateau(lr=0.1).step(val_error)


@pytest.mark.parametrize("kw, message", [
    (dict(num_epochs=0), r"^num_epochs must be an integer >= 1, got 0$"),
    (dict(num_epochs=2.0), r"^num_epochs must be an integer >= 1, got"),
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


def test_the_recipe_follows_reduce_lr_on_plateau():
    # A short run of the recipe of its own (40 epochs, patience 2, so that
    # the rule cuts, down to the floor): feed the validation errors it
    # recorded to torch's scheduler, which must set the same lr for every
    # epoch.
    lr = 0.1
    lrs, val_errors, _ = ax.train_like_alexnet(lr=lr, num_epochs=40,
                                               patience=2)
    assert len(lrs) == len(val_errors) == 40
    theirs, _ = torch_lrs(val_errors, lr=lr, factor=0.1, patience=2,
                          min_lr=lr / 1000)
    assert lrs == [lr, *theirs[:-1]]
    assert len(cut_epochs(lrs)) == 3  # three cuts, then the floor
    assert lrs[-1] == pytest.approx(lr / 1000, rel=1e-12)


def recipe_runs() -> dict[float, dict]:
    """lr -> what recipe.py printed about its run on the page (the build's
    run, read from the execution cache: nothing is trained again)."""
    text = output("history/2012-alexnet.md", "recipe.py")
    runs = {}
    for block in re.split(r"^(?=lr starts at)", text, flags=re.M)[1:]:
        lr = float(re.match(r"lr starts at ([\d.]+):", block)[1])
        cuts = re.search(r"divided by 10 after epochs: (.+)$", block,
                         re.M)[1]
        best, last = re.search(r"validation error: best ([\d.]+)%, "
                               r"last ([\d.]+)%", block).groups()
        first = re.search(r"validation error <= 5%: (\w+)", block)[1]
        right, total = re.search(r"test: (\d+) of (\d+) images right",
                                 block).groups()
        runs[lr] = dict(
            cuts=[] if cuts == "never" else
            [int(e) for e in re.findall(r"\d+", cuts)],
            best=float(best) / 100, last=float(last) / 100,
            first_below=None if first == "never" else int(first),
            right=int(right), total=int(total))
    return runs


PATIENCE = 10  # train_like_alexnet's default, PyTorch's


def test_what_the_page_says_about_the_runs():
    runs = recipe_runs()
    assert list(runs) == [0.01, 0.1]
    assert ax.train_like_alexnet.__kwdefaults__["patience"] == PATIENCE
    assert ax.train_like_alexnet.__kwdefaults__["num_epochs"] == 90
    slow, fast = runs[0.01], runs[0.1]
    # lr 0.01 never plateaus in 90 epochs; lr 0.1 is cut three times, and
    # then the floor lr / 1000 stops it, as AlexNet's was divided 3 times
    assert slow["cuts"] == [] and len(fast["cuts"]) == 3
    # one cut every 11 epochs (patience + 1): no improvement in between
    assert all(b - a == PATIENCE + 1
               for a, b in pairwise(fast["cuts"]))
    # 0.1 is much faster to 5 %; on the test set they end within an image
    assert fast["first_below"] < slow["first_below"] / 3
    assert abs(slow["right"] - fast["right"]) <= 1
    assert slow["total"] == fast["total"] == len(ax.test)


def best_epoch(cuts):
    """The epoch of the best validation error, from the first cut: by the
    rule (cooldown 0), a cut comes after PATIENCE + 1 bad epochs in a row,
    so the last improvement came PATIENCE + 1 epochs before it."""
    return cuts[0] - (PATIENCE + 1)


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = " ".join(PAGE.read_text().split())  # line breaks as spaces
    # steps per epoch: AlexNet about 1.2 million / 128; ours 1,000 / 128
    assert round(1.2e6 / 128, -2) == 9400 and "about 9,400" in page
    steps = math.ceil(len(ax.train) / 128)
    assert steps == 8 and f"{steps} steps per epoch" in page
    assert f"{90 * steps} steps in all" in page
    assert round(9400 / steps, -3) == 1000
    assert "about a thousand times fewer steps per epoch" in page
    # the two runs, as recipe.py prints them on the page
    runs = recipe_runs()
    slow, fast = runs[0.01], runs[0.1]
    assert f"5 % only at epoch {slow['first_below']}" in page
    assert f"5 % by epoch {fast['first_below']}" in page
    assert f"best value came at epoch {best_epoch(fast['cuts'])}" in page
    assert (f"{PATIENCE + 1} epochs later (a patience of {PATIENCE}, "
            f"plus one)") in page
    cuts = fast["cuts"]
    assert (f"after epochs {', '.join(map(str, cuts[:-1]))} and "
            f"{cuts[-1]}") in page
    assert (f"{slow['right']} and {fast['right']} of the "
            f"{slow['total']} right") in page
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

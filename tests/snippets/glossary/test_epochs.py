"""Tests for snippets/glossary/epochs.py (glossary: epochs)."""

import functools
import inspect
import math
import re

import numpy as np
import pytest
import torch

from snippets.glossary import epochs as ep
from tests.conftest import ROOT
from tools.records import output, prose

PAGE = ROOT / "docs/glossary/epochs.md"
PAGE_NAME = "glossary/epochs.md"


def page_text():
    """The page's Markdown with every run of whitespace made one space."""
    return re.sub(r"\s+", " ", PAGE.read_text())


def reference_stop(curve, patience):
    """A second implementation (min_delta = 0), written differently: stop
    at the first epoch e (from 1) at which none of the last `patience`
    losses is below the minimum of all the losses before them."""
    v = np.asarray(curve, dtype=float)
    for e in range(patience + 1, len(v) + 1):
        if v[e - patience:e].min() >= v[:e - patience].min():
            return e
    return len(v)


def plateau_stop(curve, patience, min_delta):
    """The first epoch at which ReduceLROnPlateau(patience=patience)
    lowers the rate: after MORE than `patience` epochs without
    improvement (the page's stopper stops after `patience` of them)."""
    w = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=1.0)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode="min", factor=0.5, patience=patience,
        threshold=min_delta, threshold_mode="abs")
    for e, v in enumerate(curve, 1):
        plateau.step(v)
        if optimizer.param_groups[0]["lr"] < 1.0:
            return e
    return len(curve)


def curves(n=200):
    """Random validation curves: a falling trend, noise, a slow rise;
    some rounded to two decimals, so that ties happen."""
    rng = np.random.default_rng(0)
    for k in range(n):
        t = np.arange(1, 61)
        v = 2 / np.sqrt(t) + 0.01 * t * rng.random() + rng.normal(
            0, rng.choice([0.01, 0.05, 0.2]), 60)
        yield np.round(v, 2) if k % 3 == 0 else v


@pytest.mark.parametrize("patience", [1, 2, 3, 5, 10, 25])
def test_early_stopping_matches_the_window_reference(patience):
    for curve in curves():
        stop, best_epoch, best = ep.stopping_point(curve, patience=patience)
        assert stop == reference_stop(curve, patience)
        assert best == curve[:stop].min()
        assert best_epoch == 1 + int(np.argmin(curve[:stop]))  # first min


@pytest.mark.parametrize("patience", [1, 3, 10])
@pytest.mark.parametrize("min_delta", [0.0, 0.01, 0.1])
def test_early_stopping_matches_torch_reduce_lr_on_plateau(patience,
                                                           min_delta):
    later = 0
    for curve in curves(60):
        curve = curve.tolist()
        stop, _, _ = ep.stopping_point(curve, patience=patience,
                                       min_delta=min_delta)
        # the page: "Its patience=9 acts where the stopper's patience=10
        # does"; with the same patience it needs one more bad epoch, so
        # it acts later, or, if the next epoch improves, not then at all
        assert stop == plateau_stop(curve, patience - 1, min_delta)
        same = plateau_stop(curve, patience, min_delta)
        if stop < len(curve):
            assert same > stop
            later += same == stop + 1
    assert later > 0  # the curves do make it stop


def test_step_by_step_and_edge_cases():
    s = ep.EarlyStopping(patience=1)
    assert s.step(1.0) is False and s.best_epoch == 1
    assert s.step(1.0) is True  # a tie is not an improvement
    s = ep.EarlyStopping(patience=2)
    assert [s.step(v) for v in (math.nan, math.nan)] == [False, True]
    assert s.best == math.inf and s.best_epoch == 0  # NaN never improves
    s = ep.EarlyStopping(patience=3, min_delta=0.1)
    assert [s.step(v) for v in (1.0, 0.95, 0.91, 0.905)] == [
        False, False, False, True]  # all within min_delta of 1.0
    assert s.best == 1.0 and s.best_epoch == 1
    s = ep.EarlyStopping(patience=3, min_delta=0.1)
    assert [s.step(v) for v in (1.0, 0.95, 0.89, 0.85)] == [False] * 4
    assert s.best == 0.89 and s.best_epoch == 3  # 0.89 < 1.0 - 0.1


def test_the_demo_on_the_page():
    s = ep.EarlyStopping(patience=2)
    curve = [0.9, 0.7, 0.6, 0.65, 0.58, 0.61, 0.63, 0.55]
    stops = [s.step(v) for v in curve[:7]]
    assert stops == [False] * 6 + [True] and s.best_epoch == 5
    assert min(curve) == curve[7]  # the lower loss it never sees


@pytest.mark.parametrize("patience", [0, -1, 2.5, True, "3", None])
def test_bad_patience_is_refused(patience):
    with pytest.raises(ValueError,
                       match=r"^patience must be an integer >= 1, got "):
        ep.EarlyStopping(patience=patience)


@pytest.mark.parametrize("min_delta", [-0.1, math.nan, math.inf, "0", True])
def test_bad_min_delta_is_refused(min_delta):
    with pytest.raises(ValueError,
                       match=r"^min_delta must be a finite number >= 0, "
                             r"got "):
        ep.EarlyStopping(patience=3, min_delta=min_delta)


@pytest.mark.parametrize("kwargs, name", [
    ({"max_epochs": 0}, "max_epochs"), ({"max_epochs": 2.0}, "max_epochs"),
    ({"n_train": 0}, "n_train"), ({"n_train": 1079}, "n_train"),
    ({"patience": 0}, "patience"),
])
def test_bad_run_settings_are_refused(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        ep.overfitting_run(**kwargs)


def test_hyperparameters_are_keyword_only():
    for fn in (ep.EarlyStopping, ep.overfitting_run, ep.stopping_point):
        for name, p in inspect.signature(fn).parameters.items():
            if name in ("patience", "min_delta", "max_epochs", "n_train"):
                assert p.kind is inspect.Parameter.KEYWORD_ONLY
    params = inspect.signature(ep.train).parameters
    for name in ("optimizer", "max_epochs", "patience", "batch_size"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY


def test_pytorch_has_no_early_stopper_and_plateau_patience_is_10():
    # The page says so; a change in torch turns this red.
    assert not hasattr(torch.optim.lr_scheduler, "EarlyStopping")
    assert not hasattr(torch.optim, "EarlyStopping")
    params = inspect.signature(
        torch.optim.lr_scheduler.ReduceLROnPlateau).parameters
    assert params["patience"].default == 10


def overfit_table():
    """The over-fitting run as the page prints it (the build's run, read
    from the execution cache: nothing is trained again): {epoch:
    (train loss, val loss, val acc)} as printed, and the line on the
    lowest validation loss as (loss, epoch)."""
    text = output("glossary/epochs.md", "overfit.py")
    lines = text.splitlines()
    assert lines[0].split() == ["epoch", "train", "loss", "val", "loss",
                                "val", "acc"]
    rows = {int(r[0]): tuple(r[1:]) for r in map(str.split, lines[1:-1])}
    m = re.fullmatch(r"lowest validation loss (\S+) at epoch (\d+)",
                     lines[-1])
    return rows, (m[1], int(m[2]))


def patience_table():
    """patience -> (stops at, best epoch, best val loss, val acc, epochs
    after best), as the page prints them (numbers as printed)."""
    text = output("glossary/epochs.md", "patience.py")
    rows = [line.split() for line in text.splitlines()[1:]]
    return {int(r[0]): (int(r[1]), int(r[2]), r[3], r[4], int(r[5]))
            for r in rows}


def stop_early_record():
    """(stop epoch, best epoch, restored validation loss as printed)."""
    text = output("glossary/epochs.md", "stop_early.py")
    m = re.fullmatch(r"stopped after epoch (\d+) of at most 100; "
                     r"best epoch (\d+)\n"
                     r"validation loss of the restored weights: (\S+)\n",
                     text)
    return int(m[1]), int(m[2]), m[3]


def test_the_run_over_fits():
    rows, (lowest, best) = overfit_table()
    assert list(rows) == [1, 5, 10, 20, 40, 60, 80, 100]  # 100 epochs
    assert 10 < best < 50
    val = {e: float(r[1]) for e, r in rows.items()}
    assert all(v >= float(lowest) for v in val.values())
    assert val[100] > 1.1 * float(lowest)  # rises after
    train = [float(r[0]) for r in rows.values()]
    assert train == sorted(train, reverse=True)  # still falls ...
    before_best = max(e for e in rows if e < best)
    assert train[-1] < float(rows[before_best][0]) / 5  # ... far


def test_training_is_deterministic_and_stopping_follows_the_replay():
    # the page's run again, as far as patience 3 goes: digit for digit
    rows, _ = overfit_table()
    table = patience_table()
    model, small, h, stopper = ep.overfitting_run(patience=3)
    assert (stopper.epoch, stopper.best_epoch) == table[3][:2]
    for epoch in (e for e in rows if e <= stopper.epoch):
        i = epoch - 1
        assert (f"{h['train_loss'][i]:.4f}", f"{h['val_loss'][i]:.3f}",
                f"{h['val_acc'][i]:.3f}") == rows[epoch]
    # a real early-stopped run is the prefix of the full run, stops where
    # the replay says and restores the best epoch's weights
    _, _, again, _ = ep.overfitting_run(max_epochs=stopper.epoch)
    assert h == again
    model.eval()
    with torch.no_grad():
        X_val, y_val = small[1]
        loss = torch.nn.functional.cross_entropy(model(X_val), y_val).item()
    assert loss == pytest.approx(stopper.best, abs=1e-7)
    assert f"{stopper.best:.3f}" == table[3][2]
    # the page's run with patience 10 agrees with the replay too
    stop, best_epoch, restored = stop_early_record()
    assert (stop, best_epoch) == table[10][:2]
    assert restored == table[10][2]


@functools.cache
def full_run():
    """The page's 100 epochs, trained again: the figure draws every epoch,
    overfit.py prints eight of them (checked here to be the same run)."""
    history = ep.overfitting_run()[2]
    rows, _ = overfit_table()
    for epoch, row in rows.items():
        i = epoch - 1
        assert (f"{history['train_loss'][i]:.4f}",
                f"{history['val_loss'][i]:.3f}",
                f"{history['val_acc'][i]:.3f}") == row
    return history


def test_the_patience_story():
    rows, (lowest, best) = overfit_table()
    table = patience_table()
    # too small: 1 and 3 stop early, at the same best epoch, far from the
    # lowest loss; "within the first {{ small_stop }} epochs"
    assert table[1][1] == table[3][1] and table[1][2:4] == table[3][2:4]
    assert table[1][0] < table[3][0] < best
    assert float(table[1][2]) > 1.5 * float(lowest)
    # about right: the lowest loss, ten epochs after it; too large: the
    # same, fifty epochs after it
    assert table[10][1] == table[50][1] == best
    assert table[10][2] == table[50][2] == lowest
    assert table[10][4] == 10 and table[50][4] == 50
    # accuracy hardly moves after epoch 20
    late = [float(r[2]) for e, r in rows.items() if e >= 20]
    assert max(late) - min(late) < 0.03


def test_the_figure_alt_text():
    history = full_run()
    table = patience_table()
    v = np.array(history["val_loss"])
    best = int(v.argmin()) + 1
    alt = re.search(r'aria-label="([^"]*)"',
                    output(PAGE_NAME, "figure.py"))[1]
    assert (f"the training loss falls to {history['train_loss'][-1]:.4f}, "
            f"the validation loss falls with it until epoch {best}, then "
            f"stays nearly flat") in alt
    assert f"falling to its minimum at epoch {best} and then" in alt
    assert (f"patience 1 stops (epoch {table[1][0]}, with the loss still "
            f"far above its minimum), patience 10 (epoch {table[10][0]}, "
            f"after the minimum) and patience 50 (epoch {table[50][0]})"
            in alt)
    # what it says holds: nearly flat after the minimum (on a log scale),
    # rising slowly, with ups and downs (each stretch of 20 epochs higher
    # on average than the one before), the first stop far above it
    after = v[best - 1:]
    assert after.max() < 1.25 * v.min()
    means = [after[k:k + 20].mean() for k in range(0, len(after) - 19, 20)]
    assert means == sorted(means) and len(means) >= 3
    assert (np.diff(after) < 0).any()  # ups and downs
    assert v[table[1][0] - 1] > 2 * v.min()
    assert table[1][0] < best < table[10][0]
    assert history["train_loss"][-1] < history["train_loss"][19] / 5


def test_numbers_in_the_prose_are_what_the_code_computes():
    text = re.sub(r"\s+", " ", prose(PAGE_NAME))  # the numbers glued in
    rows, (lowest, best) = overfit_table()
    table = patience_table()
    assert "only 200 of the 1078 training images" in text
    assert (f"from {rows[20][0]} at epoch 20 to "
            f"{rows[100][0]} at epoch 100") in text
    assert (f"stops following at epoch {best}, where it is lowest "
            f"({lowest})") in text
    assert f"to {rows[100][1]} by epoch 100" in text
    assert (f"Both stop within the first {max(table[1][0], table[3][0])} "
            f"epochs and keep epoch {table[1][1]}") in text
    assert (f"validation loss of {table[1][2]} and accuracy "
            f"{table[1][3]}") in text
    assert (f"best epoch, {table[10][1]}, and stops at epoch "
            f"{table[10][0]}") in text
    assert f"{table[50][0]} epochs in all" in text
    _, _, restored = stop_early_record()
    assert f"best validation loss, {restored}," in text

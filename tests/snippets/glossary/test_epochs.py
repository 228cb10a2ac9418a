"""Tests for snippets/glossary/epochs.py (glossary: epochs)."""

import inspect
import math
import re

import numpy as np
import pytest
import torch

from snippets.glossary import epochs as ep
from tests.conftest import ROOT

PAGE = ROOT / "docs/glossary/epochs.md"


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
    """PyTorch's patience counter: the first epoch at which
    ReduceLROnPlateau(patience=patience - 1) lowers the rate is the one
    where EarlyStopping(patience=patience) says stop."""
    w = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=1.0)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode="min", factor=0.5, patience=patience - 1,
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
    for curve in curves(60):
        curve = curve.tolist()
        stop, _, _ = ep.stopping_point(curve, patience=patience,
                                       min_delta=min_delta)
        assert stop == plateau_stop(curve, patience, min_delta)


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
    with pytest.raises(ValueError, match=r"^patience must be an integer >= 1"):
        ep.EarlyStopping(patience=patience)


@pytest.mark.parametrize("min_delta", [-0.1, math.nan, math.inf, "0", True])
def test_bad_min_delta_is_refused(min_delta):
    with pytest.raises(ValueError,
                       match=r"^min_delta must be a finite number >= 0"):
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


def test_the_run_over_fits():
    h = ep.history
    assert len(h["val_loss"]) == 100
    best = int(np.argmin(h["val_loss"]))
    assert 10 < best < 50
    assert h["val_loss"][-1] > 1.1 * h["val_loss"][best]  # rises after
    assert h["train_loss"][-1] < h["train_loss"][best] / 5  # still falls


def test_training_is_deterministic_and_stopping_follows_the_replay():
    _, _, again, _ = ep.overfitting_run(max_epochs=12)
    assert again == {k: v[:12] for k, v in ep.history.items()}
    # the real early-stopped run is the prefix of the full run
    stop = ep.stopper.epoch
    assert ep.h == {k: v[:stop] for k, v in ep.history.items()}
    assert (stop, ep.stopper.best_epoch) == ep.stops[10]
    assert ep.loss == pytest.approx(ep.stopper.best, abs=1e-7)


def test_numbers_in_the_prose_are_what_the_code_computes():
    text, h = page_text(), ep.history
    best = int(np.argmin(h["val_loss"]))
    assert "only 200 of the 1078 training images" in text
    assert (f"from {h['train_loss'][19]:.4f} at epoch 20 to "
            f"{h['train_loss'][99]:.4f} at epoch 100") in text
    assert (f"stops following at epoch {best + 1}, where it is lowest "
            f"({h['val_loss'][best]:.3f})") in text
    assert f"to {h['val_loss'][99]:.3f} by epoch 100" in text
    assert ep.stops[1] == (10, 9) and ep.stops[3] == (12, 9)
    assert "within the first 12 epochs and keep epoch 9" in text
    assert (f"validation loss of {h['val_loss'][8]:.3f} and accuracy "
            f"{h['val_acc'][8]:.3f}") in text
    assert ep.stops[10] == (37, 27) and ep.stops[50] == (77, 27)
    assert "best epoch, 27, and stops at epoch 37" in text
    assert "77 epochs in all" in text
    assert f"best validation loss, {ep.stopper.best:.3f}," in text

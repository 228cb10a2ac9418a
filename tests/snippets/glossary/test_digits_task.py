"""Tests for snippets/glossary/digits_task.py, the glossary's shared task."""

import pytest
import torch

from snippets.glossary import digits_task as task


def test_split_is_60_20_20_disjoint_and_seeded():
    (X, y), (Xv, _), (Xt, yt) = task.digits()
    assert (len(X), len(Xv), len(Xt)) == (1078, 359, 360)
    assert X.shape[1] == 64 and X.min() >= 0 and X.max() <= 1
    assert set(y.tolist()) == set(range(10))
    rows = {tuple(r) for r in X.tolist()}
    # (the data has a few duplicate images; allow them, but not a shared split)
    assert len(rows & {tuple(r) for r in Xt.tolist()}) <= 3
    again = task.digits()
    assert torch.equal(again[0][0], X) and torch.equal(again[2][1], yt)
    assert not torch.equal(task.digits(seed=1)[0][0], X)


def test_mlp_shape_and_parameter_count():
    model = task.mlp(hidden=32, depth=2, dropout=0.5)
    assert model(torch.zeros(5, 64)).shape == (5, 10)
    n = sum(p.numel() for p in model.parameters())
    assert n == (64 * 32 + 32) + (32 * 32 + 32) + (32 * 10 + 10)
    assert sum(isinstance(m, torch.nn.Dropout) for m in model) == 2


def test_training_is_deterministic_and_learns():
    def run():
        data = task.digits()
        model = task.mlp()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        return task.fit(model, data, optimizer=opt, num_epochs=5)

    a, b = run(), run()
    assert a == b
    assert all(len(v) == 5 for v in a.values())
    assert a["val_acc"][-1] > 0.85
    assert a["train_loss"][-1] < a["train_loss"][0]


@pytest.mark.parametrize(
    "kwargs, message",
    [({"hidden": 0}, r"^hidden must be an integer >= 1, got 0$"),
     ({"hidden": 2.0}, r"^hidden must be an integer >= 1, got 2.0$"),
     ({"depth": 0}, r"^depth must be an integer >= 1, got 0$"),
     ({"dropout": 1.0}, r"^dropout must be a number in \[0, 1\), got 1.0$"),
     ({"dropout": -0.1},
      r"^dropout must be a number in \[0, 1\), got -0.1$"),
     ({"dropout": float("nan")},
      r"^dropout must be a number in \[0, 1\), got nan$")],
)
def test_mlp_rejects_bad_hyperparameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        task.mlp(**kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"num_epochs": 0}, r"^num_epochs must be an integer >= 1, got 0$"),
     ({"batch_size": 0}, r"^batch_size must be an integer >= 1, got 0$"),
     ({"batch_size": 2.5}, r"^batch_size must be an integer >= 1, got 2.5$"),
     ({"clip_norm": 0}, r"^clip_norm must be a finite number > 0, got 0$"),
     ({"clip_norm": float("inf")},
      r"^clip_norm must be a finite number > 0, got inf$")],
)
def test_fit_rejects_bad_hyperparameters(kwargs, message):
    model = task.mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=message):
        task.fit(model, task.digits(), optimizer=opt, **kwargs)



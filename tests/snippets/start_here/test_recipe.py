"""Tests for snippets/start_here/recipe.py (the recipe page): one batch
overfitted, against torch computed independently, and the page's claims,
read from what the build printed."""

import inspect
import math

import pytest
import torch
from torch import nn

from snippets.glossary.digits_task import digits, mlp
from snippets.start_here import recipe
from tools.records import output, prose

PAGE = "start-here/recipe.md"


def test_it_trains_on_the_first_batch_only():
    # its first step is Adam's on rows 0..31, computed here by hand: the
    # weights after it agree to float32 rounding
    (X, y), _, _ = digits()
    X[32:] = math.nan  # rows it must never read
    model, ref = mlp(seed=0), mlp(seed=0)
    [(step, loss, _)] = recipe.overfit_one_batch(model, X, y,
                                                       num_steps=1)
    optimizer = torch.optim.Adam(ref.parameters(), lr=1e-3)
    ref_loss = nn.functional.cross_entropy(ref(X[:32]), y[:32])
    ref_loss.backward()
    optimizer.step()
    assert step == 1 and loss == pytest.approx(ref_loss.item(), rel=1e-6)
    for p, q in zip(model.parameters(), ref.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kwargs, name", [
    ({"lr": 0}, "lr"), ({"lr": -1e-3}, "lr"), ({"lr": math.inf}, "lr"),
    ({"num_steps": 0}, "num_steps"), ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 3.0}, "batch_size"),
])
def test_bad_arguments_are_refused(kwargs, name):
    X, y = torch.zeros(4, 64), torch.zeros(4, dtype=torch.long)
    with pytest.raises(ValueError, match=rf"^{name} must be "):
        recipe.overfit_one_batch(mlp(), X, y, **kwargs)


def test_hyperparameters_are_keyword_only_with_adams_default_rate():
    params = inspect.signature(recipe.overfit_one_batch).parameters
    for name in ("lr", "num_steps", "batch_size"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["lr"].default == 1e-3  # Adam's published rate


def rows():
    lines = output(PAGE, "overfit.py").splitlines()
    assert lines[0].split() == ["step", "loss", "correct", "on", "the",
                                "batch"]
    return [(int(s), float(loss), int(c.rstrip("%")))
            for s, loss, c in map(str.split, lines[1:])]


def test_one_batch_is_learned_by_heart():
    found = rows()
    assert [s for s, _, _ in found] == [1, 10, 30, 100, 300]
    assert abs(found[0][1] - math.log(10)) < 0.05  # "near ln 10"
    assert found[-1][1] < 0.1 and found[-1][2] == 100  # near zero, all
    losses = [loss for _, loss, _ in found]
    assert losses == sorted(losses, reverse=True)


def test_the_prose_shows_the_run():
    found = rows()
    shown = " ".join(prose(PAGE).split())
    all_right = next(s for s, _, c in found if c == 100)
    assert f"The loss starts at {found[0][1]:.3f}, near" in shown
    assert f"right by step {all_right}, and the loss is " \
           f"{found[-1][1]:.3f} at the end" in shown

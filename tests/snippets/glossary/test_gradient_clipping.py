"""Tests for snippets/glossary/gradient_clipping.py (the gradient clipping
glossary page)."""

import functools
import inspect
import math
import re

import numpy as np
import pytest
import torch
from torch import nn

from snippets.glossary import gradient_clipping as gc
from tests.conftest import ROOT
from tools.records import output

PAGE = ROOT / "docs/glossary/gradient-clipping.md"

# float64 on both sides; the norms add the same terms in another order,
# so they agree to a relative 1e-12.
RTOL = 1e-12


def test_pytorch_defaults_stated_on_the_page():
    params = inspect.signature(nn.utils.clip_grad_norm_).parameters
    assert params["norm_type"].default == 2.0
    assert params["error_if_nonfinite"].default is False
    assert params["max_norm"].default is inspect.Parameter.empty
    value = inspect.signature(nn.utils.clip_grad_value_).parameters
    assert value["clip_value"].default is inspect.Parameter.empty


def random_grads(seed, scale):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (2, 2, 3), (1,)]
    return [scale * rng.normal(size=s) for s in shapes]


def torch_clip_norm(grads, max_norm, norm_type):
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
              for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.from_numpy(g.copy())
    total = nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    return [p.grad.numpy() for p in params], float(total)


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.01, 1.0, 5.0, 1e3])
@pytest.mark.parametrize("seed, scale", [(0, 1.0), (1, 100.0), (2, 1e-3)])
def test_clip_by_norm_matches_torch(norm_type, max_norm, seed, scale):
    grads = random_grads(seed, scale)
    mine, total = gc.clip_by_norm(grads, max_norm=max_norm,
                                  norm_type=norm_type)
    theirs, their_total = torch_clip_norm(grads, max_norm, norm_type)
    assert total == pytest.approx(their_total, rel=RTOL)
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=0)
    if total > max_norm:  # clipped: direction kept, length max_norm
        _, after = gc.clip_by_norm(mine, max_norm=max_norm,
                                   norm_type=norm_type)
        # a hair below max_norm: torch divides by the norm plus 1e-6
        assert after == pytest.approx(max_norm * total / (total + 1e-6),
                                      rel=1e-12)
        assert after < max_norm
    else:  # untouched (times exactly 1.0)
        for a, g in zip(mine, grads):
            np.testing.assert_array_equal(a, g)


def test_zero_gradient_stays_zero():
    grads = [np.zeros((2, 2)), np.zeros(3)]
    mine, total = gc.clip_by_norm(grads, max_norm=1.0)
    theirs, their_total = torch_clip_norm(grads, 1.0, 2.0)
    assert total == their_total == 0.0
    assert all(np.array_equal(a, b) for a, b in zip(mine, theirs))


@pytest.mark.parametrize("clip_value", [0.01, 0.5, 1.0, 10.0])
def test_clip_by_value_matches_torch(clip_value):
    grads = random_grads(3, 1.0)
    mine = gc.clip_by_value(grads, clip_value=clip_value)
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
              for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.from_numpy(g.copy())
    nn.utils.clip_grad_value_(params, clip_value)
    for a, p in zip(mine, params):
        np.testing.assert_array_equal(a, p.grad.numpy())  # exact: a clamp


def test_the_check_catches_a_per_tensor_norm():
    """Clipping each tensor to max_norm separately is a classic slip."""
    grads = random_grads(0, 1.0)
    per_tensor = [gc.clip_by_norm([g], max_norm=1.0)[0][0] for g in grads]
    theirs, _ = torch_clip_norm(grads, 1.0, 2.0)
    assert not all(np.allclose(a, b, rtol=RTOL)
                   for a, b in zip(per_tensor, theirs))


def test_page_example():
    grads = [np.array([[0.3, -1.2], [2.0, 0.5]]), np.array([4.0, -0.1])]
    _, total = gc.clip_by_norm(grads, max_norm=1.0)
    assert total == pytest.approx(math.sqrt(21.79), rel=1e-14)


def angle(v):
    return math.degrees(math.atan2(v[1], v[0]))


def test_norm_clipping_keeps_the_direction_value_clipping_does_not():
    g = np.array([3.0, 0.4])
    (by_norm,), _ = gc.clip_by_norm([g], max_norm=1.0)
    (by_value,) = gc.clip_by_value([g], clip_value=1.0)
    assert angle(by_norm) == pytest.approx(angle(g), abs=1e-12)
    turned = angle(by_value) - angle(g)
    assert 14 < turned < 15  # "by more than 14 degrees"
    # Try it: along the diagonal, value clipping keeps the direction too
    (diagonal,) = gc.clip_by_value([np.array([3.0, 3.0])], clip_value=1.0)
    assert angle(diagonal) == pytest.approx(45.0)


@functools.cache
def data():
    """The shared task's data, as the page's sweep uses it."""
    return gc.digits()


def sweep_table():
    """(lr, max_norm) -> (train loss, val loss, val acc) as the page
    prints them (the build's run, read from the execution cache: nothing
    is trained again)."""
    text = output("glossary/gradient-clipping.md", "clip_sweep.py")
    rows = {}
    for r in map(str.split, text.splitlines()[1:]):
        max_norm = None if r[1] == "None" else float(r[1])
        rows[float(r[0]), max_norm] = tuple(r[3:6])
    return rows


def printed(history):
    """A history's last epoch as the page's table prints it."""
    return (f"{history['train_loss'][-1]:.3f}",
            f"{history['val_loss'][-1]:.3f}",
            f"{history['val_acc'][-1]:.3f}")


def record_norms(lr, max_norm, num_epochs=10):
    """Re-run one row of the page's sweep, recording the norm that
    clip_grad_norm_ returns (the norm before clipping) at every step:
    the page prints no norms, so these runs are the tests' own."""
    norms = []
    clip = nn.utils.clip_grad_norm_

    def recording(parameters, max_norm, *args, **kwargs):
        norm = clip(parameters, max_norm, *args, **kwargs)
        norms.append(norm.item())
        return norm

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(nn.utils, "clip_grad_norm_", recording)
        model = gc.mlp(hidden=64, depth=3, activation=nn.Tanh)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        history = gc.fit(model, data(), optimizer=opt,
                         num_epochs=num_epochs, clip_norm=max_norm)
    return np.array(norms), history, model


@pytest.fixture(scope="module")
def reruns():
    """max_norm -> (norms, history, model): the page's lr = 1.0 rows,
    trained again once for the tests below that need what the page does
    not print (the norms, the first epochs, the trained network)."""
    return {m: record_norms(1.0, m) for m in (0.01, 0.1, 1.0, 10.0, 100.0)}


def test_the_reruns_are_the_pages_runs(reruns):
    table = sweep_table()
    for m, (norms, history, _) in reruns.items():
        assert printed(history) == table[1.0, m]
        assert len(norms) == 340


def test_the_sweep_table():
    table = sweep_table()

    def last(lr, m, column="train_loss"):
        i = ("train_loss", "val_loss", "val_acc").index(column)
        return float(table[lr, m][i])

    # the baseline learning rate needs no clipping
    assert last(0.1, None) < 0.3 and last(0.1, None, "val_acc") > 0.9
    # no clipping at lr 1.0: accuracy at chance
    assert last(1.0, None, "val_acc") < 0.15
    # too small crawls, 0.1 and 1 train and beat the baseline
    assert last(1.0, 0.01) > 1.5
    for m in (0.1, 1.0):
        assert last(1.0, m, "val_loss") < last(0.1, None, "val_loss")
    assert last(1.0, 1.0) < last(1.0, 0.1)
    # too large: diverges; 100 is the unclipped run, digit for digit
    assert last(1.0, 10.0) > 10
    assert table[1.0, 100.0] == table[1.0, None]
    assert table[1.0, 10.0] != table[1.0, None]


def test_the_sweep_curves(reruns):
    """What the figure shows of the runs at lr = 1.0."""
    norms, unclipped, _ = reruns[100.0]
    assert not (norms > 100.0).any()  # never clipped: the unclipped run
    # no clipping: diverges in the first epoch and never recovers
    assert unclipped["train_loss"][0] > 5 * math.log(10)
    assert min(unclipped["train_loss"]) > 10
    # too small: starts near the loss of a uniform guess, and crawls
    assert reruns[0.01][1]["train_loss"][0] > 2.2


def test_clipped_step_counts_quoted_on_the_page(reruns):
    counts = {}
    for m, (norms, _, _) in reruns.items():
        counts[m] = int((norms > m).sum())
        if m == 100.0:
            assert f"{norms.max():.0f}" == "13"  # "about 13"
    assert counts[0.01] == counts[0.1] == 340  # every step
    assert 0.4 < counts[1.0] / 340 < 0.6  # "about half"
    assert counts[10.0] == 7  # "only 7 of the 340 steps"
    assert counts[100.0] == 0


def test_healthy_gradient_norms_quoted_on_the_page():
    norms, history, _ = record_norms(0.1, 1e9)
    assert printed(history) == sweep_table()[0.1, None]  # no clipping
    assert f"{np.median(norms):.2f}" == "0.77"
    assert norms.max() < 2.1


def test_unclipped_run_saturates_and_is_confidently_wrong(reruns):
    _, _, model = reruns[100.0]  # the unclipped run (see above)
    X, _ = data()[1]
    with torch.no_grad():
        x, saturated = X, []
        for layer in model:
            x = layer(x)
            if isinstance(layer, nn.Tanh):
                saturated.append((x.abs() > 0.99).float().mean().item())
        confidence = torch.softmax(x, dim=1).max(dim=1).values.mean()
    assert max(saturated) > 0.9
    val_acc = float(sweep_table()[1.0, None][2])
    # "confidently wrong": on average 80 % or more on its top class, while
    # right about one time in ten
    assert confidence > 0.8 and val_acc < 0.15


def test_adam_bounds_a_single_huge_gradient():
    """After many small gradients, one gradient a billion times larger
    moves the weight by at most (1 - beta1) / sqrt(1 - beta2) = 3.16 times
    lr with the default betas (the bound is reached as t grows)."""
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=1e-3)
    for t in range(3000):
        before = p.detach().clone()
        p.grad = torch.tensor([1e6 if t == 2999 else 1e-3],
                              dtype=torch.float64)
        opt.step()
    step = (before - p.detach()).abs().item()
    bound = (1 - 0.9) / math.sqrt(1 - 0.999)
    assert f"{bound:.1f}" == "3.2"
    assert 3.0e-3 < step < bound * 1e-3


def test_small_batches_have_longer_gradients():
    (X, y), _, _ = data()
    model = gc.mlp(hidden=64, depth=3, activation=nn.Tanh)

    def norms(batch_size):
        out = []
        for i in range(0, 512, batch_size):
            model.zero_grad()
            nn.functional.cross_entropy(model(X[i:i + batch_size]),
                                        y[i:i + batch_size]).backward()
            out.append(torch.cat([p.grad.flatten()
                                  for p in model.parameters()]).norm())
        return torch.stack(out)

    small, large = norms(8), norms(128)
    assert small.mean() > large.mean()
    threshold = large.max()
    assert (small > threshold).float().mean() > 0.25


@pytest.mark.parametrize("max_norm", [0, -1.0, math.inf, math.nan, "1",
                                      None, True])
def test_bad_max_norm_is_refused(max_norm):
    with pytest.raises(ValueError, match=r"^max_norm must be a finite "
                                         r"number > 0, got "):
        gc.clip_by_norm([np.ones(2)], max_norm=max_norm)


@pytest.mark.parametrize("norm_type", [0, 0.5, -2, math.nan, "2"])
def test_bad_norm_type_is_refused(norm_type):
    with pytest.raises(ValueError,
                       match=r"^norm_type must be a finite number >= 1, "
                             r"got "):
        gc.clip_by_norm([np.ones(2)], max_norm=1.0, norm_type=norm_type)


@pytest.mark.parametrize("clip_value", [0, -0.5, math.inf, math.nan, None])
def test_bad_clip_value_is_refused(clip_value):
    with pytest.raises(ValueError, match=r"^clip_value must be a finite "
                                         r"number > 0, got "):
        gc.clip_by_value([np.ones(2)], clip_value=clip_value)


def test_numbers_in_the_prose():
    page = PAGE.read_text()
    assert "the 340 steps" in page
    (X, _), _, _ = data()
    assert math.ceil(len(X) / 32) * 10 == 340
    assert "about 2.3 (the loss of a uniform\n  guess" in page
    assert f"{math.log(10):.1f}" == "2.3"
    assert "a hair below) $\\tau$" in page


def test_built_page_tabs_agree(site):
    html = (site / "glossary/gradient-clipping/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    assert text.count("norm before clipping: 4.6680") == 2
    assert text.count("W [[0.0643, -0.2571], [0.4285, 0.1071]]") == 2

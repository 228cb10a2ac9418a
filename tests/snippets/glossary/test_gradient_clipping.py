"""Tests for snippets/glossary/gradient_clipping.py (the gradient clipping
glossary page)."""

import functools
import html
import inspect
import math
import re

import numpy as np
import pytest
import torch
from torch import nn

from snippets.glossary import gradient_clipping as gc
from tests.conftest import ROOT
from tools.records import output, prose

PAGE_NAME = "glossary/gradient-clipping.md"
PAGE = ROOT / "docs" / PAGE_NAME
UNIFORM = math.log(10)  # the loss of a uniform guess over ten digits

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


@functools.cache
def sweep_table():
    """(lr, max_norm) -> the row the page prints for it: the median and
    largest gradient norm, the share of clipped steps (None: no clipping),
    how many of how many seeds diverged, and the median, lowest and
    highest validation accuracy (the build's run, read from the execution
    cache under the kernel setting the tests run in: nothing is trained
    again)."""
    text = output(PAGE_NAME, "clip_sweep.py")
    header, *lines = text.splitlines()
    assert header.split()[:2] == ["lr", "max_norm"]
    rows = {}
    for r in map(str.split, lines):
        low, high = r[7].strip("()").split("-")
        diverged, runs = map(int, r[5].split("/"))
        rows[float(r[0]), None if r[1] == "None" else float(r[1])] = {
            "norm_median": float(r[2]), "largest": float(r[3]),
            "clipped": None if r[4] == "-" else float(r[4][:-1]) / 100,
            "diverged": diverged, "runs": runs, "acc": float(r[6]),
            "acc_min": float(low), "acc_max": float(high)}
    return rows


def test_the_table_has_every_row_of_the_sweep():
    table = sweep_table()
    assert sorted(table, key=str) == sorted(
        [(0.1, None), (1.0, None), (1.0, 0.01), (1.0, 0.1), (1.0, 1.0),
         (1.0, 10.0)], key=str)
    assert {row["runs"] for row in table.values()} == {3}  # "three seeds"
    for row in table.values():
        assert row["acc_min"] <= row["acc"] <= row["acc_max"]


def test_the_baseline_needs_no_clipping():
    base = sweep_table()[0.1, None]
    assert base["diverged"] == 0 and base["acc_min"] > 0.85
    # "the scale a threshold is measured against": max_norm = 1 sits a
    # little above the healthy median, 10 far above its largest norm
    assert base["norm_median"] < 1.0 < base["largest"] < 10.0


def test_without_clipping_every_run_diverges():
    table = sweep_table()
    unclipped, base = table[1.0, None], table[0.1, None]
    assert unclipped["diverged"] == unclipped["runs"]  # "every run"
    assert unclipped["acc"] < 0.15  # "the median accuracy ... chance"
    # "none comes near the baseline", even a run that stumbled back
    assert unclipped["acc_max"] < base["acc_min"] - 0.1


def test_too_small_a_threshold_clips_every_step_and_crawls():
    table = sweep_table()
    row = table[1.0, 0.01]
    assert row["clipped"] == 1.0  # "every one of the 340 steps"
    assert row["diverged"] == 0
    assert row["acc_max"] < table[0.1, None]["acc_min"] - 0.2  # crawls
    normalized = table[1.0, 0.1]
    assert normalized["clipped"] == 1.0  # "clips every step as well"
    assert normalized["diverged"] == 0 and normalized["acc_min"] > 0.9


def test_max_norm_1_clips_about_half_and_rescues_the_run():
    table = sweep_table()
    row, base = table[1.0, 1.0], table[0.1, None]
    assert 0.4 < row["clipped"] < 0.6  # "about half of the steps"
    assert row["diverged"] == 0  # "now train"
    assert abs(row["acc"] - base["acc"]) < 0.05  # "about level with"
    assert row["acc_min"] > 0.85


def test_max_norm_10_is_too_large():
    table = sweep_table()
    row = table[1.0, 10.0]
    assert row["clipped"] < 0.05  # "only ... of the steps"
    assert row["diverged"] == row["runs"]  # "too few to prevent" it
    # "a threshold of 100 would clip none: ... well below it"
    for m in (None, 10.0):
        assert table[1.0, m]["largest"] < 50


def test_glued_numbers_are_the_tables():
    """The prose shows the table's numbers, inserted from the run."""
    text = prose(PAGE_NAME)
    table = sweep_table()
    base = table[0.1, None]
    assert (f"a median of {base['norm_median']:.2f}, and its largest\n"
            f"  is {base['largest']:.2f}") in text
    assert f"median validation accuracy is {base['acc']:.3f}" in text
    assert f"falls to chance, {table[1.0, None]['acc']:.3f}" in text
    assert f"clipped ({table[1.0, 1.0]['clipped']:.1%})" in text
    assert (f"median accuracy\n  {table[1.0, 1.0]['acc']:.3f}, about level "
            f"with the baseline's {base['acc']:.3f}") in text
    assert f"only {table[1.0, 10.0]['clipped']:.1%} of the steps" in text


def figure_alt():
    """The figure's text alternative, as the build computed it."""
    svg = output(PAGE_NAME, "clip_figure.py")
    return html.unescape(re.search(r'aria-label="([^"]*)"', svg)[1])


def number_after(text, words):
    return float(re.search(re.escape(words) + r" (\d+(?:\.\d+)?)", text)[1])


def test_the_figure_and_its_description():
    alt = figure_alt()
    # "every run ... jumps far above its starting value of about 2.3 ...
    # in the first epoch", and the median never comes back
    assert number_after(alt, "jumps from about 2.3 to above") > 2 * UNIFORM
    assert number_after(alt, "and the median stays above") > 2 * UNIFORM
    assert number_after(alt, "with max_norm 10 the median jumps to") > 10
    assert number_after(alt, "and stays above") > 2 * UNIFORM
    crawl = number_after(alt, "it falls slowly, to")
    assert 1.0 < crawl < UNIFORM
    assert number_after(alt, "with max_norm 1 it falls fast, to") < crawl / 4
    # the right panel: the validation losses the description lists
    losses = re.search(r"seeds: ([\d.]+) without clipping, ([\d.]+) at "
                       r"0.01, ([\d.]+) at 0.1, ([\d.]+) at 1 and ([\d.]+) "
                       r"at 10; a dashed line marks ([\d.]+),", alt)
    none, small, normalized, right, large, base = map(float, losses.groups())
    assert min(none, large) > 10 > small > 1 > max(normalized, right, base)


def test_fit_clipped_is_the_shared_fit_with_its_clipping():
    """The hook clips exactly as fit(clip_norm=...) does, and only logs
    when max_norm is None; the norm it logs is clip_grad_norm_'s."""
    X, y = data()[0]
    small = ((X[:256], y[:256]), data()[1], data()[2])  # 8 steps an epoch
    for max_norm in (None, 0.5):
        model = gc.mlp(hidden=64, depth=3, activation=nn.Tanh)
        history = gc.fit_clipped(model, small, lr=1.0, max_norm=max_norm,
                                 num_epochs=2)
        twin = gc.mlp(hidden=64, depth=3, activation=nn.Tanh)
        expected = gc.fit(twin, small, num_epochs=2, clip_norm=max_norm,
                          optimizer=torch.optim.SGD(twin.parameters(),
                                                    lr=1.0))
        assert {k: history[k] for k in expected} == expected
        for p, q in zip(model.parameters(), twin.parameters()):
            assert torch.equal(p, q)
        assert len(history["grad_norm"]) == 16
        assert all(n > 0 for n in history["grad_norm"])
    # the first step's norm, computed by hand from its gradient
    model = gc.mlp(hidden=64, depth=3, activation=nn.Tanh)
    torch.manual_seed(0)
    idx = torch.randperm(256)[:32]  # fit's first batch
    nn.functional.cross_entropy(model(X[idx]), y[idx]).backward()
    first = torch.cat([p.grad.flatten() for p in model.parameters()]).norm()
    model = gc.mlp(hidden=64, depth=3, activation=nn.Tanh)
    history = gc.fit_clipped(model, small, lr=1.0, num_epochs=1)
    assert history["grad_norm"][0] == pytest.approx(first.item(), rel=1e-5)


@pytest.fixture(scope="module")
def unclipped():
    """The page's unclipped runs at lr = 1.0, trained again for what the
    page does not print: the trained networks."""
    out = []
    for seed in (0, 1, 2):
        model = gc.mlp(hidden=64, depth=3, activation=nn.Tanh, seed=seed)
        history = gc.fit_clipped(model, data(), lr=1.0, seed=seed)
        out.append((model, history))
    return out


def test_the_reruns_are_the_pages_runs(unclipped):
    row = sweep_table()[1.0, None]
    acc = [h["val_acc"][-1] for _, h in unclipped]
    norms = np.array([h["grad_norm"] for _, h in unclipped])
    assert norms.shape == (3, 340)  # "all 340 steps of the three runs"
    assert f"{np.median(acc):.3f}" == f"{row['acc']:.3f}"
    assert f"{min(acc):.3f}-{max(acc):.3f}" == (
        f"{row['acc_min']:.3f}-{row['acc_max']:.3f}")
    assert f"{norms.max():.2f}" == f"{row['largest']:.2f}"


def test_unclipped_run_saturates_and_is_confidently_wrong(unclipped):
    X, _ = data()[1]
    at_chance = 0
    for model, history in unclipped:
        if history["val_acc"][-1] > 0.15:
            continue  # a run that stumbled back (the range shows it)
        at_chance += 1
        with torch.no_grad():
            x, saturated = X, []
            for layer in model:
                x = layer(x)
                if isinstance(layer, nn.Tanh):
                    saturated.append((x.abs() > 0.99).float().mean().item())
            confidence = torch.softmax(x, dim=1).max(dim=1).values.mean()
        assert max(saturated) > 0.9
        # "confidently wrong": on average 80 % or more on its top class,
        # while right about one time in ten
        assert confidence > 0.8
    assert at_chance >= 2  # the median run: "falls to chance"


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
    assert "about 2.3 (the loss of a\n  uniform guess" in page
    assert f"{math.log(10):.1f}" == "2.3"
    assert "a hair below) $\\tau$" in page


def test_built_page_tabs_agree(site):
    html = (site / "glossary/gradient-clipping/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    assert text.count("norm before clipping: 4.6680") == 2
    assert text.count("W [[0.0643, -0.2571], [0.4285, 0.1071]]") == 2

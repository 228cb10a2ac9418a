"""Tests for snippets/glossary/optimizer.py (the optimizer glossary page)."""

import inspect
import math
import re

import numpy as np
import pytest
import torch

from snippets.glossary import optimizer as opt
from tests.conftest import ROOT
from tools.records import output

PAGE = ROOT / "docs/glossary/optimizer.md"

# float64 on both sides: the NumPy classes and torch.optim differ only in
# the order of floating-point operations, so 1e-10 relative is plenty.
RTOL, ATOL = 1e-10, 1e-12


def test_pytorch_defaults_stated_on_the_page():
    sgd = inspect.signature(torch.optim.SGD).parameters
    assert sgd["momentum"].default == 0
    assert sgd["dampening"].default == 0
    assert sgd["nesterov"].default is False
    assert sgd["weight_decay"].default == 0
    assert sgd["lr"].default == 0.001  # "Recent versions ... lr=0.001"
    adam = inspect.signature(torch.optim.Adam).parameters
    assert adam["lr"].default == 0.001
    assert adam["betas"].default == (0.9, 0.999)
    assert adam["eps"].default == 1e-8
    assert adam["weight_decay"].default == 0
    adamw = inspect.signature(torch.optim.AdamW).parameters
    assert adamw["lr"].default == 0.001
    assert adamw["betas"].default == (0.9, 0.999)
    assert adamw["eps"].default == 1e-8
    assert adamw["weight_decay"].default == 0.01


# (NumPy optimizer, the torch.optim optimizer that should match it)
PAIRS = {
    "SGD": (lambda: opt.SGD(lr=1e-3),
            lambda ps: torch.optim.SGD(ps, lr=1e-3)),
    "momentum": (lambda: opt.SGD(lr=1e-3, momentum=0.9),
                 lambda ps: torch.optim.SGD(ps, lr=1e-3, momentum=0.9)),
    "Nesterov": (lambda: opt.SGD(lr=1e-3, momentum=0.9, nesterov=True),
                 lambda ps: torch.optim.SGD(ps, lr=1e-3, momentum=0.9,
                                            nesterov=True)),
    "momentum 0.5": (lambda: opt.SGD(lr=2e-3, momentum=0.5),
                     lambda ps: torch.optim.SGD(ps, lr=2e-3, momentum=0.5)),
    "Adam": (lambda: opt.Adam(lr=0.1),
             lambda ps: torch.optim.Adam(ps, lr=0.1)),
    "Adam betas": (lambda: opt.Adam(lr=0.01, betas=(0.8, 0.98), eps=1e-6),
                   lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.98),
                                               eps=1e-6)),
    "AdamW": (lambda: opt.AdamW(lr=0.1, weight_decay=0.01),
              lambda ps: torch.optim.AdamW(ps, lr=0.1, weight_decay=0.01)),
    "AdamW default": (lambda: opt.AdamW(),
                      lambda ps: torch.optim.AdamW(ps)),
    "AdamW strong": (lambda: opt.AdamW(lr=0.05, weight_decay=0.5),
                     lambda ps: torch.optim.AdamW(ps, lr=0.05,
                                                  weight_decay=0.5)),
}


def numpy_path(make, grad, start, num_steps):
    o, p = make(), np.array(start, dtype=float)
    path = [p]
    for _ in range(num_steps):
        p = o.step(p, grad(p))
        path.append(p)
    return np.array(path)


def torch_path(make, loss, start, num_steps):
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    o = make([p])
    path = [p.detach().clone()]
    for _ in range(num_steps):
        o.zero_grad()
        loss(p).backward()
        o.step()
        path.append(p.detach().clone())
    return torch.stack(path).numpy()


# A random, ill-conditioned 5-D quadratic: a second problem, in more than
# two dimensions, so that no shape or coordinate slip goes unnoticed.
_rng = np.random.default_rng(0)
_Q, _ = np.linalg.qr(_rng.normal(size=(5, 5)))
H = _Q @ np.diag([0.1, 0.5, 1.0, 5.0, 20.0]) @ _Q.T
H_t = torch.from_numpy(H)
PROBLEMS = {
    "rosenbrock": (opt.rosenbrock_grad, opt.rosenbrock_torch, (-1.2, 1.0)),
    "quadratic": (lambda p: H @ p, lambda p: 0.5 * p @ H_t @ p,
                  tuple(_rng.normal(size=5))),
}


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("name", PAIRS)
@pytest.mark.parametrize("num_steps", [1, 100])
def test_numpy_matches_torch_optim(name, problem, num_steps):
    mine, theirs = PAIRS[name]
    grad, loss, start = PROBLEMS[problem]
    a = numpy_path(mine, grad, start, num_steps)
    b = torch_path(theirs, loss, start, num_steps)
    assert a.shape == b.shape == (num_steps + 1, len(start))
    assert not np.array_equal(a[-1], a[0])  # it moved
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)


def test_the_check_would_catch_a_wrong_update():
    """Two classic slips: eps inside the square root, and momentum with a
    (1 - mu) dampening. Both fail the comparison above."""

    class EpsInside(opt.Adam):
        def step(self, p, g):
            self.t += 1
            b1, b2 = self.betas
            self.m = b1 * self.m + (1 - b1) * g
            self.v = b2 * self.v + (1 - b2) * g * g
            m_hat = self.m / (1 - b1**self.t)
            v_hat = self.v / (1 - b2**self.t)
            return p - self.lr * m_hat / np.sqrt(v_hat + self.eps)

    class Dampened(opt.SGD):
        def step(self, p, g):
            mu = self.momentum
            self.b = g.copy() if self.b is None else mu * self.b + (1 - mu) * g
            return p - self.lr * self.b

    start = (-1.2, 1.0)
    for mine, theirs in [
        (lambda: EpsInside(lr=0.1), PAIRS["Adam"][1]),
        (lambda: Dampened(lr=1e-3, momentum=0.9), PAIRS["momentum"][1]),
    ]:
        a = numpy_path(mine, opt.rosenbrock_grad, start, 100)
        b = torch_path(theirs, opt.rosenbrock_torch, start, 100)
        assert not np.allclose(a, b, rtol=RTOL, atol=ATOL)


def test_hand_gradient_of_the_surface_matches_autograd():
    for start in np.random.default_rng(1).uniform(-2, 2, (10, 2)):
        p = torch.tensor(start, requires_grad=True, dtype=torch.float64)
        opt.rosenbrock_torch(p).backward()
        np.testing.assert_allclose(opt.rosenbrock_grad(start),
                                   p.grad.numpy(), rtol=1e-12, atol=1e-12)
        assert opt.rosenbrock(start) == pytest.approx(
            opt.rosenbrock_torch(p).item(), rel=1e-14)


def race_table(name="optimizers.py"):
    """optimizer -> ((x, y), f) where it ended, as the page's tab `name`
    printed it (the build's run, read from the execution cache)."""
    text = output("glossary/optimizer.md", name)
    lines = text.splitlines()
    assert lines[0] == ("500 steps from (-1.2, 1.0); "
                        "the minimum is f = 0 at (1, 1)")
    ends = {}
    for line in lines[1:]:
        m = re.fullmatch(r"(\S+)\s+ends at \((\S+), (\S+)\), f = (\S+)",
                         line)
        assert m, line
        ends[m[1]] = ((float(m[2]), float(m[3])), float(m[4]))
    return ends


def test_the_page_run_and_its_story():
    ends = race_table()
    final = {k: f for k, (_, f) in ends.items()}
    assert list(final) == ["SGD", "momentum", "Nesterov", "Adam", "AdamW"]
    # SGD stops far up the valley; momentum and Nesterov end nearest the
    # minimum; Adam next; AdamW, pulled toward the origin, trails Adam.
    assert final["SGD"] > 1
    assert max(final["momentum"], final["Nesterov"]) < 0.01
    assert max(final["momentum"], final["Nesterov"]) < final["Adam"] < 0.1
    assert final["Adam"] < final["AdamW"] < 0.1
    assert np.linalg.norm(ends["AdamW"][0]) < np.linalg.norm(
        ends["Adam"][0])
    # "The two tables agree to every printed digit"
    assert output("glossary/optimizer.md", "optimizers.py") == output(
        "glossary/optimizer.md", "optimizers_torch.py")


def test_sgd_learning_rates_quoted_on_the_page():
    def final(lr):
        path = opt.descend(opt.SGD(lr=lr))
        return opt.rosenbrock(path[-1])

    with np.errstate(over="ignore", invalid="ignore"):
        assert math.isnan(final(7e-3))  # "turns into nan at 7e-3"
    assert final(3e-3) < final(1e-3)  # "gets further along the valley"


def test_adam_default_learning_rate_is_a_short_step():
    # Try it: Adam at lr=0.001 moves at most about 0.001 per coordinate
    # and step, so 500 steps cannot cover the 2.2 units to (1, 1).
    path = opt.descend(opt.Adam(lr=0.001))
    steps = np.abs(np.diff(path, axis=0))
    assert steps.max() < 0.0011
    assert opt.rosenbrock(path[-1]) > 1


def digits_table():
    """(optimizer, settings) -> (train loss, val loss, val acc), as the
    page's compare.py printed them (the build's run, read from the
    execution cache: nothing is trained again)."""
    text = output("glossary/optimizer.md", "compare.py")
    rows = {}
    for line in text.splitlines()[1:]:
        m = re.fullmatch(r"(\S+)\s+(\S.*?)\s+(\S+)\s+(\S+)\s+(\S+)", line)
        assert m, line
        rows[m[1], m[2]] = tuple(float(x) for x in m.groups()[2:])
    return rows


def test_digits_comparison():
    h = digits_table()
    assert len(h) == 6
    sgd_small, sgd, momentum, nesterov, adam, adamw = h.values()
    assert list(h)[:2] == [("SGD", "lr=0.01"), ("SGD", "lr=0.1")]
    loss, acc = 1, 2  # columns: train loss, val loss, val acc
    # SGD at 0.01 has barely started; every other setting is far along.
    assert sgd_small[loss] > 1.5 and sgd_small[acc] < 0.7
    for other in (sgd, momentum, nesterov, adam, adamw):
        assert other[acc] > 0.9
        assert other[loss] < 0.4
    # SGD at 0.1 is the best of the table
    assert sgd[loss] == min(v[loss] for v in h.values())
    # momentum 0.9 at lr 0.01 lands next to plain SGD at 0.1
    assert abs(momentum[loss] - sgd[loss]) < 0.03
    # Adam and AdamW: a little behind, nearly identical
    assert 0 < adam[loss] - sgd[loss] < 0.1
    assert abs(adam[loss] - adamw[loss]) < 0.005
    # the largest gap between optimizers is smaller than between the two
    # learning rates of SGD
    others = [v[loss] for v in (sgd, momentum, nesterov, adam, adamw)]
    assert max(others) - min(others) < (sgd_small[loss] - sgd[loss]) / 10


@pytest.mark.parametrize("lr", [0, -1e-3, math.nan, math.inf, "0.1", None,
                                True])
def test_bad_learning_rate_is_refused(lr):
    for cls in (opt.SGD, opt.Adam, opt.AdamW):
        with pytest.raises(ValueError,
                           match=r"^lr must be a finite number > 0, got "):
            cls(lr=lr)


@pytest.mark.parametrize("momentum", [-0.1, 1, 1.5, math.nan, "0.9"])
def test_bad_momentum_is_refused(momentum):
    with pytest.raises(ValueError, match=r"^momentum must be a number in "
                                         r"\[0, 1\)"):
        opt.SGD(lr=0.01, momentum=momentum)


def test_nesterov_needs_momentum():
    with pytest.raises(ValueError, match=r"^nesterov=True needs momentum"):
        opt.SGD(lr=0.01, nesterov=True)
    with pytest.raises(ValueError):  # torch refuses it as well
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.01,
                        nesterov=True)


@pytest.mark.parametrize("betas, name", [((1.0, 0.999), r"betas\[0\]"),
                                         ((0.9, -0.1), r"betas\[1\]"),
                                         ((0.9, 1.0), r"betas\[1\]")])
def test_bad_betas_are_refused(betas, name):
    with pytest.raises(ValueError,
                       match=rf"^{name} must be a number in \[0, 1\), got "):
        opt.Adam(betas=betas)


@pytest.mark.parametrize("eps", [0, -1e-8, math.inf])
def test_bad_eps_is_refused(eps):
    with pytest.raises(ValueError, match=r"^eps must be a finite number > 0"):
        opt.Adam(eps=eps)


@pytest.mark.parametrize("weight_decay", [-0.01, math.inf, math.nan])
def test_bad_weight_decay_is_refused(weight_decay):
    with pytest.raises(ValueError, match=r"^weight_decay must be a finite "
                                         r"number >= 0"):
        opt.AdamW(weight_decay=weight_decay)


@pytest.mark.parametrize("num_steps", [0, -1, 2.5, "10"])
def test_bad_step_count_is_refused(num_steps):
    with pytest.raises(ValueError,
                       match=r"^num_steps must be an integer >= 1, got "):
        opt.descend(opt.SGD(), num_steps=num_steps)


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = PAGE.read_text()
    # the numbers in the prose are the run's settings, or printed on the
    # page; check the settings the prose states
    race = output("glossary/optimizer.md", "optimizers.py")
    assert "500 steps" in page and race.startswith("500 steps from ")
    assert "$(-1.2, 1)$" in page and "from (-1.2, 1.0)" in race
    for fn in (opt.descend, opt.descend_torch):
        sig = inspect.signature(fn).parameters
        assert sig["start"].default == (-1.2, 1.0)
        assert sig["num_steps"].default == 500
    assert "after 10 epochs" in page
    source = (ROOT / "snippets/glossary/optimizer.py").read_text()
    digits = source[source.index("[start:digits]"):
                    source.index("[end:digits]")]
    assert "num_epochs=10" in digits
    # the figure's alt text: "about 0.3", "end at 0.35", "near 2"; the
    # printed validation losses (three decimals)
    sgd_small, sgd, momentum, nesterov, adam, adamw = (
        v[1] for v in digits_table().values())
    assert all(abs(v - 0.3) < 0.03 for v in (sgd, momentum, nesterov))
    assert all(0.345 < v < 0.355 for v in (adam, adamw))  # "0.35"
    assert 1.9 < sgd_small < 2.2
    # "a shrink of eta * lambda = 1e-5 per step"
    assert 0.001 * 0.01 == pytest.approx(1e-5)


def test_built_page_shows_the_same_table_twice(site):
    html = (site / "glossary/optimizer/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    for line in ("momentum  ends at (0.9574, 0.9164), f = 1.82e-03",
                 "SGD       ends at (-0.5097, 0.2674), f = 2.28e+00"):
        assert text.count(line) == 2  # NumPy tab and PyTorch tab

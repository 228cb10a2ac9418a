"""Tests for snippets/glossary/momentum.py (the momentum glossary page)."""

import inspect
import math
import re
import warnings

import numpy as np
import pytest
import torch

from snippets.glossary import momentum as mom
from tests.conftest import ROOT
from tools.records import output

PAGE = ROOT / "docs/glossary/momentum.md"

# float64 on both sides; the two differ only in the order of the
# floating-point operations, so 1e-10 relative is plenty.
RTOL, ATOL = 1e-10, 1e-12


def test_pytorch_defaults_stated_on_the_page():
    params = inspect.signature(torch.optim.SGD).parameters
    assert params["momentum"].default == 0
    assert params["dampening"].default == 0
    assert params["nesterov"].default is False


def torch_path(w0, *, lr, momentum, nesterov, num_steps, dampening=0.0):
    A = torch.from_numpy(mom.A)
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, momentum=momentum, nesterov=nesterov,
                          dampening=dampening)
    path = [w.detach().clone()]
    for _ in range(num_steps):
        opt.zero_grad()
        (0.5 * (A * w**2).sum()).backward()
        opt.step()
        path.append(w.detach().clone())
    return torch.stack(path).numpy()


@pytest.mark.parametrize("num_steps", [1, 2, 100])
@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("lr, momentum", [(0.01, 0.9), (0.01, 0.5),
                                          (0.01, 0.99), (0.005, 0.8),
                                          (0.015, 0.3)])
def test_numpy_matches_torch_sgd(lr, momentum, nesterov, num_steps):
    for w0 in [(-4.0, 1.0), (2.5, -0.3)]:
        mine = mom.descend(w0, lr=lr, momentum=momentum, nesterov=nesterov,
                           num_steps=num_steps)
        theirs = torch_path(w0, lr=lr, momentum=momentum, nesterov=nesterov,
                            num_steps=num_steps)
        assert mine.shape == theirs.shape == (num_steps + 1, 2)
        np.testing.assert_allclose(mine, theirs, rtol=RTOL, atol=ATOL)


def test_no_momentum_is_plain_gradient_descent():
    path = mom.descend(lr=0.01, momentum=0.0, num_steps=100)
    theirs = torch_path((-4.0, 1.0), lr=0.01, momentum=0.0, nesterov=False,
                        num_steps=100)
    np.testing.assert_allclose(path, theirs, rtol=RTOL, atol=ATOL)
    w = np.array([-4.0, 1.0])
    for step in range(1, 101):
        w = w - 0.01 * mom.A * w
        np.testing.assert_allclose(path[step], w, rtol=1e-13, atol=0)


def test_the_check_catches_heavy_ball_taken_for_nesterov():
    a = mom.descend(lr=0.01, momentum=0.9, nesterov=False, num_steps=100)
    b = torch_path((-4.0, 1.0), lr=0.01, momentum=0.9, nesterov=True,
                   num_steps=100)
    assert not np.allclose(a, b, rtol=RTOL, atol=ATOL)


def test_bengios_form_is_pytorch_with_dampening():
    """g_hat <- (1 - beta) g_hat + beta g is SGD(momentum=1 - beta,
    dampening=1 - beta), apart from the first step, where PyTorch starts
    the buffer at g itself (not beta * g)."""
    beta, lr, w0 = 0.1, 0.05, np.array([-4.0, 1.0])
    theirs = torch_path(tuple(w0), lr=lr, momentum=1 - beta, nesterov=False,
                        dampening=1 - beta, num_steps=50)
    w, g_hat = w0.copy(), None
    for step in range(50):
        g = mom.A * w
        g_hat = g.copy() if g_hat is None else (1 - beta) * g_hat + beta * g
        w = w - lr * g_hat
        np.testing.assert_allclose(w, theirs[step + 1], rtol=1e-10,
                                   atol=1e-12)
    # beta = 1 keeps nothing of the past: plain gradient descent
    plain = torch_path(tuple(w0), lr=lr, momentum=0.0, nesterov=False,
                       num_steps=50)
    w = w0.copy()
    for step in range(50):
        w = w - lr * mom.A * w
        np.testing.assert_allclose(w, plain[step + 1], rtol=1e-12)


def steps(momentum, nesterov=False, lr=0.01):
    return mom.steps_to(mom.descend(lr=lr, momentum=momentum,
                                    nesterov=nesterov))


def test_the_sweep_numbers_on_the_page():
    table = {m: (steps(m), steps(m, True) if m else steps(m))
             for m in (0.0, 0.5, 0.9, 0.99)}
    assert table == {0.0: (1020, 1020), 0.5: (498, 503), 0.9: (202, 134),
                     0.99: (1802, 549)}
    page = PAGE.read_text()
    # the prose gives their ratios and how they rank
    assert "needs more steps\nthan plain descent" in page
    assert table[0.99][0] > table[0.0][0]  # "more steps than plain"
    assert 0.45 < table[0.5][0] / table[0.0][0] < 0.55  # "halves"
    assert 4.5 < table[0.0][0] / table[0.9][0] < 5.5  # "five times fewer"
    assert table[0.9][1] < table[0.9][0]  # Nesterov fewer at 0.9
    assert table[0.99][1] < table[0.99][0] / 3  # ... far fewer at 0.99


def test_plain_descent_at_the_effective_step_diverges():
    f = mom.loss(mom.descend(lr=0.1, momentum=0.0, num_steps=10))
    assert f[-1] > 1e20 and np.all(np.diff(f) > 0)


def test_stability_bound_of_the_heavy_ball():
    # eta * a < 2 (1 + mu): bounded below, unbounded above
    # (a = 100, mu = 0.9: the limit is lr = 0.038)
    assert steps(0.9, lr=0.03) is not None  # "Try it": still converges
    assert steps(0.9, lr=0.037) is not None
    with np.errstate(over="ignore", invalid="ignore"):
        f = mom.loss(mom.descend(lr=0.039, momentum=0.9))
    assert not np.isfinite(f[-1]) or f[-1] > 1e10


def heavy_ball_rate(lr, momentum):
    """Spectral radius of the heavy ball's step on the quadratic."""
    radius = 0.0
    for a in mom.A:
        M = np.array([[1 - lr * a, -lr * momentum], [a, momentum]])
        radius = max(radius, max(abs(np.linalg.eigvals(M))))
    return radius


def test_oscillating_heavy_ball_shrinks_by_sqrt_mu():
    for m in (0.9, 0.99):
        assert heavy_ball_rate(0.01, m) == pytest.approx(math.sqrt(m),
                                                         rel=1e-9)
    assert f"{math.sqrt(0.99):.3f}" == "0.995"
    # and the run does shrink at that rate
    f = mom.loss(mom.descend(lr=0.01, momentum=0.99, num_steps=3000))
    # f oscillates under an envelope that goes like rate^(2t)
    envelope = f[2400:2600].max() / f[1400:1600].max()
    assert envelope ** (1 / 2000) == pytest.approx(math.sqrt(0.99), rel=1e-3)


def test_figure_story():
    # the figure's description, panel by panel
    first = {m: mom.descend(momentum=m)[:80] for m in (0.0, 0.5, 0.9, 0.99)}
    # left: "Without momentum the path drops straight to the valley floor
    # and creeps right; with momentum 0.5 it creeps faster"
    assert first[0.0][1, 1] == 0.0  # straight down to the floor
    assert first[0.0][:, 0].max() < -1  # ... then creeps
    assert np.all(np.diff(first[0.0][:, 0]) > 0)  # to the right
    assert -1 < first[0.5][-1, 0] and first[0.5][-1, 0] > first[0.0][-1, 0]
    assert first[0.5][:, 0].max() < 0  # creeping: no overshoot
    # "with 0.9 it swings along the valley, overshoots a little and comes
    # back near the minimum"
    assert 0 < first[0.9][:, 0].max() < 1  # overshoots a little
    assert abs(first[0.9][-1]).max() < 0.1  # ... and comes back near
    # "with 0.99 it overshoots the minimum far to the right and swings
    # back"
    assert first[0.99][:, 0].max() > 3  # overshoots far
    assert first[0.99][-1, 0] < first[0.99][:, 0].max() - 2  # swings back
    # right, the loss over 2000 steps: "It falls slowly and steadily for
    # momentum 0, faster for 0.5, fastest for 0.9 with small ripples,
    # and for 0.99 in slow, wide oscillations"
    f = {m: mom.loss(mom.descend(momentum=m)[:2001])
         for m in (0.0, 0.5, 0.9, 0.99)}
    rises = {m: np.diff(np.log10(v)) for m, v in f.items()}
    assert np.all(rises[0.0] < 0)  # steadily
    below = {m: mom.steps_to(mom.descend(momentum=m)) for m in f}
    assert below[0.9] < below[0.5] < below[0.0]  # fastest, faster, slowly
    assert 0 < rises[0.9].max() < 1  # ripples of less than a decade
    assert rises[0.99].max() > 2  # waves of more than two decades
    # slow: the ball swings across the minimum along the flat w1 every 31
    # or 32 steps, dozens of times in the 2000 steps
    w1 = mom.descend(momentum=0.99)[:2001, 0]
    crossings = np.flatnonzero(np.diff(np.sign(w1)) != 0)
    assert len(crossings) > 30 and np.diff(crossings).min() >= 30


def digits_table() -> dict[tuple[float, float], dict[str, float]]:
    """(lr, momentum) -> the printed row: effective step, train loss, val
    loss, val acc, in the order printed (the build's run, read from the
    execution cache: nothing is trained again)."""
    text = output("glossary/momentum.md", "digits_momentum.py")
    header, *lines = text.splitlines()
    assert header.split() == ["lr", "momentum", "lr/(1-momentum)", "train",
                              "loss", "val", "loss", "val", "acc"]
    table = {}
    for line in lines:
        lr, momentum, step, train, val, acc = map(float, line.split())
        table[lr, momentum] = {"step": step, "train_loss": train,
                               "val_loss": val, "val_acc": acc}
    return table


def test_digits_story():
    runs = digits_table()
    # the rows the prose counts: "the second, third and fourth rows", "the
    # last three rows"
    assert list(runs) == [(0.01, 0.0), (0.1, 0.0), (0.01, 0.9),
                          (0.001, 0.99), (0.1, 0.5), (0.1, 0.9),
                          (0.1, 0.99)]
    for (lr, momentum), row in runs.items():
        assert row["step"] == float(f"{lr / (1 - momentum):.3g}")
    # 34 mini-batches of 32 per epoch, 10 epochs: "out of 340"
    assert len(mom.digits()[0][0]) == 1078 and math.ceil(1078 / 32) == 34
    assert inspect.signature(mom.fit).parameters["batch_size"].default == 32

    def col(name, *keys):
        return [runs[k][name] for k in keys]

    # effective step 0.1: "land in the same region after 10 epochs;
    # mu = 0.99 lags"
    plain, heavy, lagging = (0.1, 0.0), (0.01, 0.9), (0.001, 0.99)
    a, b = col("train_loss", plain, heavy)
    assert abs(a - b) < 0.05
    assert abs(runs[plain]["val_acc"] - runs[heavy]["val_acc"]) < 0.03
    assert runs[lagging]["train_loss"] > max(a, b)
    assert runs[lagging]["val_acc"] < min(col("val_acc", plain, heavy))
    assert runs[lagging]["val_acc"] > max(col("val_acc", plain, heavy)) - 0.1
    # lr 0.1: "0.5 and 0.9 help, 0.99 makes ... training worse than without
    # momentum", in every column; the last row is chaotic (its digits
    # change with the CPU), but far from the others on every setting
    for name, better in (("train_loss", min), ("val_loss", min),
                         ("val_acc", max)):
        none, half, most, too_much = col(name, (0.1, 0.0), (0.1, 0.5),
                                         (0.1, 0.9), (0.1, 0.99))
        assert better(none, half, most) == most
        assert better(none, half) == half
        assert better(none, too_much) == none
    assert runs[0.1, 0.99]["train_loss"] > 2 * runs[0.1, 0.0]["train_loss"]
    assert runs[0.1, 0.99]["val_acc"] < runs[0.1, 0.0]["val_acc"] - 0.05


@pytest.mark.parametrize("lr", [0, -0.01, math.nan, math.inf, "0.1", None])
def test_bad_learning_rate_is_refused(lr):
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0"):
        mom.descend(lr=lr)


@pytest.mark.parametrize("momentum", [-0.1, 1, 1.0, 2, math.nan, True])
def test_bad_momentum_is_refused(momentum):
    with pytest.raises(ValueError, match=r"^momentum must be a number in "
                                         r"\[0, 1\)"):
        mom.descend(momentum=momentum)


def test_nesterov_needs_momentum():
    with pytest.raises(ValueError, match=r"^nesterov=True needs momentum"):
        mom.descend(momentum=0.0, nesterov=True)


@pytest.mark.parametrize("num_steps", [0, -5, 1.5, "3"])
def test_bad_step_count_is_refused(num_steps):
    with pytest.raises(ValueError,
                       match=r"^num_steps must be an integer >= 1, got "):
        mom.descend(num_steps=num_steps)


@pytest.mark.parametrize("tol", [0, -1e-8, math.inf])
def test_bad_tolerance_is_refused(tol):
    with pytest.raises(ValueError, match=r"^tol must be a finite number "
                                         r"> 0, got "):
        mom.steps_to(mom.descend(num_steps=5), tol=tol)


def test_built_page_tabs_agree(site):
    html = (site / "glossary/momentum/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    assert "momentum 0.9, nesterov=False: 202 steps" in text
    assert "momentum 0.9, nesterov=True: 134 steps" in text
    assert re.search(r"0\.9\s+0\.10\s+202\s+134", text)


# --- the quadratic, the step counters and the PyTorch tab -----------------

def test_loss_of_one_point_a_path_and_a_stack_of_paths():
    # f sums over the last axis (w1, w2), whatever comes before it
    w = np.array([-4.0, 1.0])
    assert mom.loss(w) == 58.0  # (1 * 16 + 100 * 1) / 2, exact
    path = mom.descend(num_steps=4)
    f = mom.loss(path)
    assert f.shape == (5,) and f[0] == 58.0
    A = torch.from_numpy(mom.A)
    theirs = 0.5 * (A * torch.from_numpy(path) ** 2).sum(dim=1)
    np.testing.assert_allclose(f, theirs.numpy(), rtol=1e-15)
    stack = np.stack([path, -path, 2 * path])  # (3, 5, 2)
    np.testing.assert_allclose(mom.loss(stack), [f, f, 4 * f], rtol=1e-15)


def test_steps_to_counts_strictly_below_tol():
    # the first step with f < tol: at tol = f(w0) = 58 the start does not
    # count, step 1 does; just above it, the start does
    path = mom.descend(num_steps=5)
    assert mom.steps_to(path, tol=58.0) == 1
    assert mom.steps_to(path, tol=math.nextafter(58.0, math.inf)) == 0
    # not there within the run: None
    assert mom.steps_to(path) is None
    assert mom.steps_to(mom.descend(momentum=0.9, num_steps=201)) is None
    assert mom.steps_to(mom.descend(momentum=0.9, num_steps=202)) == 202


def test_steps_to_reads_a_diverged_run_silently():
    # lr = 0.1 without momentum multiplies w2 by -9 per step: past step
    # 162 the squares in f overflow; steps_to must not warn about it
    with np.errstate(over="ignore", invalid="ignore"):
        path = mom.descend(lr=0.1, momentum=0.0, num_steps=400)
    assert not np.isfinite(path[-1]).all()  # inf, then nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mom.steps_to(path) is None


def test_descend_defaults_are_the_pages_sweep():
    # the page counts from w = (-4, 1) at lr = 0.01 until f < 1e-8, with a
    # budget of 3000 steps in both tabs (NumPy's path holds steps 0..3000,
    # the torch counter looks at 0..2999)
    params = inspect.signature(mom.descend).parameters
    assert params["w0"].default == (-4.0, 1.0)
    assert params["lr"].default == 0.01
    assert params["num_steps"].default == 3000
    torch_params = inspect.signature(mom.steps_to_torch).parameters
    assert torch_params["max_steps"].default == 3000
    assert torch_params["tol"].default == 1e-8
    assert inspect.signature(mom.steps_to).parameters["tol"].default == 1e-8
    path = mom.descend()
    assert path.shape == (3001, 2)
    np.testing.assert_array_equal(path[0], [-4.0, 1.0])


def test_nesterov_without_momentum_message():
    with pytest.raises(ValueError,
                       match=r"^nesterov=True needs momentum in \(0, 1\), "
                             r"got momentum=0$"):
        mom.descend(momentum=0, nesterov=True)


@pytest.mark.parametrize("nesterov, expected", [(False, 202), (True, 134)])
def test_torch_tab_counts_what_the_numpy_tab_counts(nesterov, expected):
    # the page's PyTorch tab: momentum 0.9 at lr 0.01, f < 1e-8
    mine = mom.steps_to(mom.descend(lr=0.01, momentum=0.9,
                                    nesterov=nesterov))
    theirs = mom.steps_to_torch(lr=0.01, momentum=0.9, nesterov=nesterov)
    assert mine == theirs == expected


def test_torch_counter_boundaries():
    # strictly below tol: f(w0) = 58 itself is not below 58
    for nesterov in (False, True):
        assert mom.steps_to_torch(lr=0.01, momentum=0.9, nesterov=nesterov,
                                  tol=58.0, max_steps=5) == 1
        assert mom.steps_to_torch(
            lr=0.01, momentum=0.9, nesterov=nesterov,
            tol=math.nextafter(58.0, math.inf), max_steps=5) == 0
    # max_steps bounds the steps looked at, 0 .. max_steps - 1
    assert mom.steps_to_torch(lr=0.01, momentum=0.9, nesterov=False,
                              tol=58.0, max_steps=1) is None
    assert mom.steps_to_torch(lr=0.01, momentum=0.9, nesterov=False,
                              tol=58.0, max_steps=2) == 1


def test_torch_counter_runs_in_float64():
    # Polyak's tuned heavy ball for curvatures 1 and 100: lr = 4 / 121,
    # momentum = (9 / 11)^2. At tol = 1e-60, far below float32 (whose
    # squares underflow near 1e-45), the torch count still matches NumPy's
    # float64 count, step for step
    lr, momentum = 4 / 121, (9 / 11) ** 2
    mine = mom.steps_to(mom.descend(lr=lr, momentum=momentum, num_steps=500),
                        tol=1e-60)
    theirs = mom.steps_to_torch(lr=lr, momentum=momentum, nesterov=False,
                                tol=1e-60, max_steps=500)
    assert mine == theirs == 387


def test_the_explorers_data_is_descend():
    # explorer() as the build calls it: every frame there, sampled frames
    # stating steps_to's counts, the drawn paths descend's own (the same
    # checks as tests/site/test_explorers.py on the built page)
    from explorers.glossary.momentum import explorer
    from tests.explorers import (
        as_built,
        check_frames,
        check_momentum_paths,
        check_momentum_regimes,
        check_texts,
    )

    spec = as_built(explorer, "momentum-explorer")
    check_frames(spec)
    check_texts("momentum-explorer", spec)
    check_momentum_paths(spec)
    check_momentum_regimes(spec)


def test_steps_to_torch_gives_up_after_3000_steps_as_descend_does():
    # torch's count checks f at steps 0 .. max_steps - 1, as steps_to
    # reads descend's path of 3000 steps: a tolerance first met at step
    # 3000 (between f at 2999 and at 3000; plain descent shrinks f by
    # about 2% a step there, far above rounding) is never met
    f = mom.loss(mom.descend(lr=0.01, momentum=0.0, num_steps=3000))
    tol = math.sqrt(f[2999] * f[3000])
    assert f[3000] < tol < f[2999]
    assert mom.steps_to_torch(lr=0.01, momentum=0.0, nesterov=False,
                              tol=tol) is None
    assert mom.steps_to_torch(lr=0.01, momentum=0.0, nesterov=False,
                              tol=tol, max_steps=3001) == 3000


# --- critical damping ------------------------------------------------------

def test_rates_are_the_eigenvalues_of_the_heavy_balls_step():
    # the roots of r^2 - (1 + mu - lr a) r + mu against the eigenvalues
    # of the step on (w, b), heavy_ball_rate's matrix, direction by
    # direction; float64, so 1e-12 (a double root loses half the digits:
    # 1e-7 at the critical momentum)
    for lr, momentum in ((0.01, 0.0), (0.01, 0.5), (0.01, 0.81),
                         (0.005, 0.9), (0.02, 0.3), (0.0025, 0.99)):
        for a in mom.A:
            M = np.array([[1 - lr * a, -lr * momentum], [a, momentum]])
            theirs = np.sort_complex(np.linalg.eigvals(M))
            mine = np.sort_complex(mom.rates(lr=lr, momentum=momentum,
                                             curvature=a).astype(complex))
            np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-7)
        assert max(abs(mom.rates(lr=lr, momentum=momentum, curvature=a))
                   .max() for a in mom.A) == pytest.approx(
            heavy_ball_rate(lr, momentum), rel=1e-7)


def test_torch_sgd_shrinks_the_error_by_the_rate():
    # torch.optim.SGD's own iterates: along the flat direction the error
    # shrinks by the larger root, step after step once the other root
    # has died out (overdamped: real roots); 1e-6 relative over steps
    # 400 to 600
    for momentum in (0.3, 0.5, 0.7):
        path = torch_path((-4.0, 1.0), lr=0.01, momentum=momentum,
                          nesterov=False, num_steps=600)
        w1 = path[:, 0]
        observed = (w1[600] / w1[400]) ** (1 / 200)
        r = mom.rates(lr=0.01, momentum=momentum, curvature=mom.A[0])
        assert np.isrealobj(r) or np.all(r.imag == 0)
        assert observed == pytest.approx(abs(r).max(), rel=1e-6)


def test_critical_momentum_is_where_the_roots_meet():
    for lr, a in ((0.01, 1.0), (0.005, 1.0), (0.0025, 100.0)):
        star = mom.critical_momentum(lr=lr, curvature=a)
        assert star == pytest.approx((1 - math.sqrt(lr * a)) ** 2)
        below = mom.rates(lr=lr, momentum=star - 1e-3, curvature=a)
        at = mom.rates(lr=lr, momentum=star, curvature=a)
        above = mom.rates(lr=lr, momentum=star + 1e-3, curvature=a)
        assert np.all(np.abs(np.imag(below)) == 0)  # creeps: real
        assert abs(at).max() == pytest.approx(1 - math.sqrt(lr * a),
                                              rel=1e-6)  # a double root
        assert abs(np.imag(above)).min() > 0  # swings: complex...
        np.testing.assert_allclose(abs(above), math.sqrt(star + 1e-3))
        # ... and the long-run factor is least at the critical momentum
        grid = np.linspace(max(star - 0.2, 0), min(star + 0.2, 0.99), 401)
        worst = [abs(mom.rates(lr=lr, momentum=m, curvature=a)).max()
                 for m in grid]
        assert abs(grid[np.argmin(worst)] - star) < 1e-3


def test_rates_reject_bad_input():
    with pytest.raises(ValueError, match=r"^curvature must be a finite "
                                         r"number > 0, got -1"):
        mom.rates(lr=0.01, momentum=0.9, curvature=-1)
    with pytest.raises(ValueError, match=r"^momentum must be a number in "
                                         r"\[0, 1\), got 1"):
        mom.rates(lr=0.01, momentum=1, curvature=1.0)
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0"):
        mom.critical_momentum(lr=0, curvature=1.0)
    with pytest.raises(ValueError, match=r"^lr \* curvature must be below "
                                         r"1, got 2"):
        mom.critical_momentum(lr=0.02, curvature=100.0)


def critical_table() -> dict[float, tuple[float, int]]:
    """critical.py's printed rows (the build's run): momentum -> (factor a
    step, steps until f < 1e-8)."""
    text = output("glossary/momentum.md", "critical.py")
    first, header, *rows = text.splitlines()
    assert first == "critical momentum at lr = 0.01: 0.81"
    assert header.split()[:3] == ["momentum", "factor", "a"]
    return {float(m): (float(f), int(n))
            for m, f, n in (row.split() for row in rows)}


def test_the_critical_numbers_on_the_page():
    table = critical_table()
    assert table == {m: (pytest.approx(f, abs=5e-5), n) for m, (f, n) in {
        0.5: (0.9796, 498), 0.7: (0.9634, 278), 0.8: (0.9270, 145),
        0.81: (0.9000, 122), 0.85: (0.9220, 133), 0.9: (0.9487, 202),
        0.95: (0.9747, 368)}.items()}
    # the prose: the least factor and count at 0.81, the climb below it,
    # the slow rise above it
    least = min(table, key=lambda m: table[m][0])
    assert least == 0.81 == min(table, key=lambda m: table[m][1])
    page = " ".join(PAGE.read_text().split())
    assert (f"least at $\\mu^* = 0.81$, where the factor a step is least: "
            f"{table[0.81][1]} steps, against {table[0.9][1]} at the "
            f"customary 0.9") in page
    # "below mu* the count climbs fast; above it ... a little too much
    # momentum costs less than too little": 0.1 either side
    assert table[0.7][1] - table[0.81][1] > table[0.9][1] - table[0.81][1]


def test_below_critical_the_heavy_ball_creeps_like_its_effective_step():
    # "Below mu*, while that step is short of the edge 2/100, the two
    # creep alike, within a tenth of each other's step count; past the
    # edge plain descent blows up, while the heavy ball takes the same
    # long step safely" (the explorer's stops)
    from explorers.glossary.momentum import LRS, MOMENTA

    alike = 0
    for lr in LRS:
        star = mom.critical_momentum(lr=lr, curvature=mom.A[0])
        for momentum in MOMENTA:
            step = lr / (1 - momentum)
            heavy = steps(momentum, lr=lr)
            if 0 < momentum < star and step * mom.A[1] < 2:
                plain = steps(0.0, lr=step)
                if heavy is None:  # both too slow for 3000 steps
                    assert plain is None
                    continue
                assert 0.9 <= heavy / plain <= 1, (lr, momentum)
                alike += 1
            elif step * mom.A[1] > 2 and momentum > 0:
                assert heavy is not None  # safe
                with np.errstate(over="ignore", invalid="ignore"):
                    f = mom.loss(mom.descend(lr=step, momentum=0.0,
                                             num_steps=200))
                assert not f[-1] < 1e10  # blows up (or overflows)
    assert alike >= 8

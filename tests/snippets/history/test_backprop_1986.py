"""Tests for snippets/history/backprop_1986.py (the 1986 chapter)."""

import inspect
import math
import re
import warnings

import numpy as np
import pytest
import torch

from snippets.history import backprop_1986 as bp
from tests.conftest import ROOT
from tools.records import output

PAGE = "history/1986-backprop.md"

ARTICLE = "w=0.502997366709045, v=0.30120288024750785, b=-0.19939855987624608"
START = dict(w=0.5, v=0.3, b=-0.2)
X, Y = 2.0, 0.8


def test_one_step_reproduces_the_article_to_the_last_digit():
    w, v, b = bp.sgd_step(0.5, 0.3, -0.2, X=X, Y=Y, lr=0.01)
    assert f"w={w}, v={v}, b={b}" == ARTICLE
    assert (w, v, b) == (0.502997366709045, 0.30120288024750785,
                         -0.19939855987624608)


def autograd_gradients(w, v, b, X, Y):
    p = torch.tensor([w, v, b], dtype=torch.float64, requires_grad=True)
    y_pred = p[0] * torch.sigmoid(p[1] * X + p[2])
    (0.5 * (Y - y_pred) ** 2).backward()
    return p.grad.numpy()


def agree(grad_fn, points) -> bool:
    """Hand gradients vs autograd (float64: rtol 1e-12, atol 1e-15) and vs
    central differences (h = 1e-6: atol 1e-8, the O(h^2) error plus
    rounding)."""
    for w, v, b, X, Y in points:
        mine = np.array(grad_fn(w, v, b, X, Y))
        auto = autograd_gradients(w, v, b, X, Y)
        numeric = np.array(bp.numeric_gradients(w, v, b, X, Y))
        if not np.allclose(mine, auto, rtol=1e-12, atol=1e-15):
            return False
        if not np.allclose(mine, numeric, rtol=0, atol=1e-8):
            return False
    return True


POINTS = [(0.5, 0.3, -0.2, 2.0, 0.8)] + [
    tuple(row) for row in np.random.default_rng(0).uniform(-2, 2, (20, 5))
]


def test_gradients_agree_with_autograd_and_finite_differences():
    assert agree(bp.gradients, POINTS)


def test_the_check_catches_a_wrong_gradient():
    def forgot_X(w, v, b, X, Y):  # a classic slip: dv without the factor X
        dw, dv, db = bp.gradients(w, v, b, X, Y)
        return dw, dv / X, db

    def wrong_sign(w, v, b, X, Y):
        return tuple(-g for g in bp.gradients(w, v, b, X, Y))

    assert not agree(forgot_X, POINTS)
    assert not agree(wrong_sign, POINTS)


def test_torch_sgd_takes_the_same_step():
    p = torch.tensor([0.5, 0.3, -0.2], dtype=torch.float64,
                     requires_grad=True)
    y_pred = p[0] * torch.sigmoid(p[1] * X + p[2])
    (0.5 * (Y - y_pred) ** 2).backward()
    torch.optim.SGD([p], lr=0.01).step()
    mine = bp.sgd_step(0.5, 0.3, -0.2, X=X, Y=Y, lr=0.01)
    np.testing.assert_allclose(p.detach().numpy(), mine, rtol=0, atol=1e-15)


def test_sigmoid_is_safe_far_from_zero():
    z = np.array([-1000.0, -700.0, -30.0, 0.0, 30.0, 700.0, 1000.0])
    # underflow to 0 is fine (and silent by default); overflow is not
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise",
                                                divide="raise"):
        warnings.simplefilter("error")
        s = bp.sigmoid(z)
    expected = torch.sigmoid(torch.from_numpy(z)).numpy()
    np.testing.assert_allclose(s, expected, rtol=1e-15, atol=1e-300)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert float(bp.sigmoid(-800.0)) >= 0.0


@pytest.mark.parametrize(
    "lr", [0, -0.01, math.nan, math.inf, -math.inf, "0.1", None, True]
)
def test_bad_learning_rate_is_refused(lr):
    with pytest.raises(ValueError,
                       match=r"^lr must be a finite number > 0, got "):
        bp.sgd_step(0.5, 0.3, -0.2, X=X, Y=Y, lr=lr)
    with pytest.raises(ValueError, match=r"^lr "):
        bp.train(0.5, 0.3, -0.2, X=X, Y=Y, lr=lr)


@pytest.mark.parametrize("max_steps", [0, -1, 2.5, "10"])
def test_bad_step_count_is_refused(max_steps):
    with pytest.raises(ValueError,
                       match=r"^max_steps must be an integer >= 1, got "):
        bp.train(0.5, 0.3, -0.2, X=X, Y=Y, lr=0.1, max_steps=max_steps)


@pytest.mark.parametrize("tol", [0, -1e-6])
def test_bad_tolerance_is_refused(tol):
    with pytest.raises(ValueError,
                       match=r"^tol must be a finite number > 0, got "):
        bp.train(0.5, 0.3, -0.2, X=X, Y=Y, lr=0.1, tol=tol)


def training_table() -> dict[float, str]:
    """lr -> how the run ended, as train.py prints it on the page (the
    build's run, read from the execution cache: nothing is trained
    again)."""
    text = output(PAGE, "train.py")
    rows = re.findall(r"^lr = +([\d.]+): (.+)$", text, re.M)
    return {float(lr): how for lr, how in rows}


def test_learning_rate_regimes():
    table = training_table()
    assert list(table) == [0.01, 0.1, 1.0, 2.0, 3.0, 10.0]

    def num_steps(lr):
        m = re.fullmatch(r"converged in (\d+) steps", table[lr])
        assert m, table[lr]
        return int(m[1])

    slow, fast = num_steps(0.01), num_steps(1.0)
    assert fast < slow / 100
    assert num_steps(0.1) > fast and num_steps(2.0) > fast  # 1.0: quickest
    # too large: a stable two-cycle, the error changing sign
    m = re.fullmatch(r"oscillates between ([+-][\d.]+) and ([+-][\d.]+)",
                     table[3.0])
    assert m and float(m[1]) * float(m[2]) < 0
    # diverges, then the sigmoid saturates: stuck near the target Y
    m = re.fullmatch(r"stuck at error ([+-][\d.]+)", table[10.0])
    assert m and float(m[1]) == pytest.approx(Y, abs=1e-3)


def test_outcome_tells_the_regimes_apart():
    assert bp.outcome(11, [0.5, 0.1]) == "converged in 11 steps"
    assert bp.outcome(None, [0.4, -0.29]) == ("oscillates between +0.40 "
                                              "and -0.29")
    assert bp.outcome(None, [0.8, 0.8]) == "stuck at error +0.8000"
    # a diverging run first overshoots far (|error| > 1), then stalls
    num_steps, errors = bp.train(0.5, 0.3, -0.2, X=X, Y=Y, lr=10.0,
                                 max_steps=200)
    assert num_steps is None and max(map(abs, errors[:5])) > 1
    assert abs(errors[-1] - errors[-2]) < 1e-6


def stable_bound():
    num_steps, _ = bp.train(0.5, 0.3, -0.2, X=X, Y=Y, lr=1.0)
    w, v, b = 0.5, 0.3, -0.2
    for _ in range(num_steps):
        w, v, b = bp.sgd_step(w, v, b, X=X, Y=Y, lr=1.0)
    _, a = bp.forward(w, v, b, X)
    J = np.array([a, w * a * (1 - a) * X, w * a * (1 - a)])
    # |J|^2 is the Hessian's largest eigenvalue at a zero-loss point:
    hess = torch.autograd.functional.hessian(
        lambda p: 0.5 * (Y - p[0] * torch.sigmoid(p[1] * X + p[2])) ** 2,
        torch.tensor([w, v, b], dtype=torch.float64),
    )
    lam = float(torch.linalg.eigvalsh(hess).max())
    assert lam == pytest.approx(float(J @ J), rel=1e-5)
    return 2 / float(J @ J)


def test_the_stability_bound_separates_converging_from_oscillating():
    bound = stable_bound()
    assert 2.0 < bound < 3.0  # the page's story: 2.0 converges, 3.0 not


def test_numbers_in_the_prose_are_what_the_page_prints():
    page = (ROOT / "docs/history/1986-backprop.md").read_text()
    printed = output(PAGE, "stability.py")
    bound = re.search(r"largest stable learning rate 2/\|J\|\^2 = "
                      r"([\d.]+)$", printed, re.M)[1]
    assert f"of {bound}, bounces" in page
    assert 2.0 < float(bound) < 3.0  # 2.0 converges, 3.0 oscillates
    y0, _ = bp.forward(0.5, 0.3, -0.2, X)
    assert f"predicts about ${float(y0):.2f}$" in page


def test_built_page_shows_the_article_result(site):
    html = (site / "history/1986-backprop/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    # printed once by the NumPy tab and once by the PyTorch tab
    assert text.count(ARTICLE) == 2


# --- the PyTorch tab's loss, the finite differences, train's edges --------

@pytest.mark.parametrize("wvb", [p[:3] for p in POINTS])  # the start first
def test_torch_loss_of_is_the_neurons_loss(wvb):
    # the PyTorch tab's loss_of (X = 2, Y = 0.8): the same value as the
    # NumPy loss (rtol 1e-14), and autograd through it gives the chain
    # rule's gradients (float64: rtol 1e-12, atol 1e-15)
    p = torch.tensor(wvb, dtype=torch.float64, requires_grad=True)
    L = bp.loss_of(p)
    assert L.shape == ()
    assert L.item() == pytest.approx(float(bp.loss(*wvb, X, Y)), rel=1e-14,
                                     abs=1e-300)
    L.backward()
    np.testing.assert_allclose(p.grad.numpy(), bp.gradients(*wvb, X, Y),
                               rtol=1e-12, atol=1e-15)


def test_torch_gradcheck_passes_on_loss_of():
    # what the page's gradcheck_torch.py prints: True
    p = torch.tensor([0.5, 0.3, -0.2], dtype=torch.float64,
                     requires_grad=True)
    assert torch.autograd.gradcheck(bp.loss_of, (p,))


@pytest.mark.parametrize("h", [0, -1e-6, math.nan, math.inf, "1e-6", None,
                               True])
def test_bad_finite_difference_step_is_refused(h):
    with pytest.raises(ValueError,
                       match=r"^h must be a finite number > 0, got "):
        bp.numeric_gradients(0.5, 0.3, -0.2, X, Y, h=h)


# a start that already fits: a = sigmoid(0) = 1/2, y_pred = 1.6 / 2 = Y
FITTED = dict(w=1.6, v=0.0, b=0.0)


def test_a_fitted_start_stops_at_once():
    assert bp.train(**FITTED, X=X, Y=Y, lr=0.1) == (0, [0.0])


@pytest.mark.parametrize("lr", [0, -0.01, math.nan, "0.1"])
def test_train_refuses_a_bad_rate_even_when_no_step_is_taken(lr):
    # the check comes first, not at the first step
    with pytest.raises(ValueError,
                       match=r"^lr must be a finite number > 0, got "):
        bp.train(**FITTED, X=X, Y=Y, lr=lr)


def test_train_stops_strictly_below_tol():
    # |error| < tol: an error equal to tol is not good enough
    e0 = float(Y - bp.forward(0.5, 0.3, -0.2, X)[0])
    assert bp.train(0.5, 0.3, -0.2, X=X, Y=Y, lr=0.1, tol=abs(e0),
                    max_steps=1) == (None, [e0])
    above = math.nextafter(abs(e0), math.inf)
    assert bp.train(0.5, 0.3, -0.2, X=X, Y=Y, lr=0.1, tol=above,
                    max_steps=1) == (0, [e0])


def test_train_defaults_are_the_pages():
    # "until the error is below 10^-6", within train's budget of 10,000
    # steps (the shown signature), which the table's slowest converging
    # run, lr = 0.01, fits in
    params = inspect.signature(bp.train).parameters
    assert params["tol"].default == 1e-6
    assert params["max_steps"].default == 10_000
    num_steps, errors = bp.train(0.5, 0.3, -0.2, X=X, Y=Y, lr=0.01)
    assert num_steps is not None and len(errors) == num_steps + 1
    # and a run that never gets there stops after exactly that budget:
    # lr = 3.0 oscillates, and the table reads its last two errors
    num_steps, errors = bp.train(0.5, 0.3, -0.2, X=X, Y=Y, lr=3.0)
    assert num_steps is None and len(errors) == 10_000


def test_outcome_reads_the_last_two_errors():
    # a sign change between the last two errors, not earlier ones
    assert bp.outcome(None, [0.5, -0.3, 0.2]) == ("oscillates between "
                                                  "-0.30 and +0.20")
    assert bp.outcome(None, [-0.5, 0.3, 0.2]) == "stuck at error +0.2000"
    # a run of lr = 3.0, cut at an odd and an even step
    for n in (41, 42):
        _, errors = bp.train(0.5, 0.3, -0.2, X=X, Y=Y, lr=3.0, max_steps=n)
        assert bp.outcome(None, errors) == (
            f"oscillates between {errors[-2]:+.2f} and {errors[-1]:+.2f}")


@pytest.mark.parametrize("errors, said", [
    ([0.5, 0.0], "stuck at error +0.0000"),
    ([0.0, 0.5], "stuck at error +0.5000"),
    ([-0.0, 0.5], "stuck at error +0.5000"),
])
def test_an_error_of_zero_is_no_sign_change(errors, said):
    assert bp.outcome(None, errors) == said

"""Tests for snippets/glossary/learning_rate.py (glossary: learning rate)."""

import inspect
import math
import re

import numpy as np
import pytest
import torch

from snippets.glossary import learning_rate as lr_mod
from snippets.glossary.digits_task import digits, mlp
from tests.conftest import ROOT
from tools.records import output

PAGE = ROOT / "docs/glossary/learning-rate.md"


def page_text():
    """The page's Markdown with every run of whitespace made one space."""
    return re.sub(r"\s+", " ", PAGE.read_text())


def torch_gd(loss_fn, w0, *, lr, num_steps):
    """The same descent with torch.optim.SGD and autograd, in float64."""
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr)
    path = [w.detach().clone()]
    for _ in range(num_steps):
        optimizer.zero_grad()
        loss_fn(w).backward()
        optimizer.step()
        path.append(w.detach().clone())
    return torch.stack(path).numpy()


A_T = torch.from_numpy(lr_mod.A)


@pytest.mark.parametrize("lr", [0.01, 0.05, 0.095, 0.105])
@pytest.mark.parametrize("num_steps", [1, 100])
def test_gradient_descent_matches_torch_sgd_on_the_quadratic(lr, num_steps):
    mine = lr_mod.gradient_descent(lr_mod.grad_f, lr_mod.w0, lr=lr,
                                   num_steps=num_steps)
    theirs = torch_gd(lambda w: 0.5 * w @ A_T @ w, lr_mod.w0, lr=lr,
                      num_steps=num_steps)
    assert mine.shape == theirs.shape == (num_steps + 1, 2)
    # float64, the same operations up to summation order: rtol 1e-12
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("num_steps", [1, 100])
def test_gradient_descent_matches_torch_sgd_on_logistic_regression(
        num_steps):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3))
    y = (rng.random(50) < 0.5).astype(float)

    def grad(w):  # mean binary cross-entropy of sigmoid(X w)
        p = 1 / (1 + np.exp(-(X @ w)))
        return X.T @ (p - y) / len(y)

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    mine = lr_mod.gradient_descent(grad, np.zeros(3), lr=0.5,
                                   num_steps=num_steps)
    theirs = torch_gd(
        lambda w: torch.nn.functional.binary_cross_entropy_with_logits(
            Xt @ w, yt), np.zeros(3), lr=0.5, num_steps=num_steps)
    # float64; torch's log-sigmoid and NumPy's 1/(1+e^-z) round
    # differently in the last bits: rtol 1e-10 leaves room for that
    np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-14)
    assert num_steps == 1 or np.linalg.norm(grad(mine[-1])) < 0.1 * (
        np.linalg.norm(grad(mine[0])))


def test_the_page_example_prints_what_torch_prints():
    # what the two tabs printed on the page (read from the execution cache)
    numpy_tab = output("glossary/learning-rate.md", "gd.py")
    assert numpy_tab == output("glossary/learning-rate.md", "gd_torch.py")
    assert numpy_tab.startswith("after   1 step: w = [-1.14 -2.28] ")
    # and the path behind it, computed again, is torch's
    path = lr_mod.gradient_descent(lr_mod.grad_f, lr_mod.w0, lr=0.05,
                                   num_steps=100)
    torch_path = torch_gd(lambda w: 0.5 * w @ A_T @ w, lr_mod.w0, lr=0.05,
                          num_steps=100)
    np.testing.assert_allclose(path, torch_path, rtol=1e-12)
    assert np.round(path[1], 6).tolist() == [-1.14, -2.28]
    assert f"f(w) = {lr_mod.f(path[-1]):.3e}\n" in numpy_tab


def test_eigenvalues_and_the_bound():
    lam = np.linalg.eigvalsh(lr_mod.A)
    np.testing.assert_allclose(lam, [1.0, 20.0], rtol=1e-12)
    np.testing.assert_allclose(torch.linalg.eigvalsh(A_T).numpy(), lam,
                               rtol=1e-12)
    assert np.allclose(lr_mod.A, lr_mod.A.T)  # symmetric: grad is A w
    assert f"{2 / lam[-1]:.4g}" == "0.1"


# (rates within 0.003 of the bound need more than 200 steps to decide)
@pytest.mark.parametrize("lr", [lr for lr in np.linspace(0.005, 0.2, 40)
                                if abs(lr - 0.1) > 0.003])
def test_descent_converges_exactly_below_two_over_lambda_max(lr):
    w_end = lr_mod.gradient_descent(lr_mod.grad_f, lr_mod.w0, lr=float(lr),
                                    num_steps=200)[-1]
    shrinks = np.linalg.norm(w_end) < np.linalg.norm(lr_mod.w0)
    assert shrinks == (lr < 2 / 20)


def test_the_stability_table():
    def dist(lr):
        return np.linalg.norm(lr_mod.gradient_descent(
            lr_mod.grad_f, lr_mod.w0, lr=lr, num_steps=100)[-1])

    assert f"{dist(0.01):.3g}" == "0.982"
    assert f"{dist(0.05):.3g}" == "0.0159"
    assert f"{dist(0.095):.3g}" == "0.000149"
    assert f"{dist(0.105):.3g}" == "4.31e+04"
    # the rate whose slowest factor is smallest is 2 / (lam_min + lam_max)
    lam = np.linalg.eigvalsh(lr_mod.A)
    best = min(np.linspace(0.01, 0.099, 891),
               key=lambda lr: np.abs(1 - lr * lam).max())
    assert best == pytest.approx(2 / 21, abs=1e-4)
    assert np.abs(1 - 0.095 * lam).round(3).tolist() == [0.905, 0.9]


@pytest.mark.parametrize(
    "lr", [0, -0.01, math.nan, math.inf, -math.inf, "0.1", None, True]
)
def test_bad_learning_rate_is_refused(lr):
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0"):
        lr_mod.gradient_descent(lr_mod.grad_f, lr_mod.w0, lr=lr)


@pytest.mark.parametrize("num_steps", [-1, 2.5, "3", None])
def test_bad_step_count_is_refused(num_steps):
    with pytest.raises(ValueError,
                       match=r"^num_steps must be an integer >= 0, got "):
        lr_mod.gradient_descent(lr_mod.grad_f, lr_mod.w0, lr=0.01,
                                num_steps=num_steps)


def test_hyperparameters_are_keyword_only():
    params = inspect.signature(lr_mod.gradient_descent).parameters
    assert params["lr"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["lr"].default == 0.01  # Bengio's default [@bengio2012]
    assert params["num_steps"].kind is inspect.Parameter.KEYWORD_ONLY


def test_pytorch_defaults_are_what_the_page_says():
    # A change in torch turns this red: then update the page.
    sgd = inspect.signature(torch.optim.SGD).parameters["lr"].default
    adam = inspect.signature(torch.optim.Adam).parameters["lr"].default
    assert sgd == 0.001
    assert adam == 0.001
    assert "default" in PAGE.read_text()


def sweep_table():
    """lr as printed -> (train loss, val loss, val acc, dead units), as
    the page prints them (the build's run, read from the execution cache:
    nothing is trained again)."""
    text = output("glossary/learning-rate.md", "sweep.py")
    return {r[0]: (float(r[1]), float(r[2]), float(r[3]), int(r[4]))
            for r in map(str.split, text.splitlines()[1:])}


def stability_table():
    """lr as printed -> the printed row of stability.py (strings)."""
    text = output("glossary/learning-rate.md", "stability.py")
    rows = text.splitlines()[4:]
    return {r.split()[0]: r.split()[1:] for r in rows}


def test_sweep_grid_is_two_per_decade_from_1e_minus_4_to_10():
    lrs = list(sweep_table())
    assert lrs == [f"{10 ** (k / 2 - 4):.2g}" for k in range(11)]
    assert lrs[0] == "0.0001" and lrs[-1] == "10"


def test_sweep_regimes():
    results = sweep_table()
    acc = {k: row[2] for k, row in results.items()}
    assert max(acc, key=acc.get) == "1"  # the best rate is 1.0
    for small in ("0.0001", "0.00032", "0.001", "0.0032"):
        assert acc[small] < 0.35  # too small: barely trained
    for large in ("3.2", "10"):
        train_loss, val_loss, _, dead = results[large]
        assert dead == 64 and acc[large] < 0.2
        # "no better than a uniform guess over 10 classes"
        assert train_loss > math.log(10) and val_loss > math.log(10)
    # "the two smallest rates are still at chance, one digit in ten"
    assert acc["0.0001"] == acc["0.00032"] == 0.111
    assert 0 < results["1"][3] < 64


def test_dead_units_at_initialization_and_after_one_epoch():
    data = digits()
    X, _ = data[0]
    assert lr_mod.dead_units(mlp(), X) == 3
    for lr in (10 ** 0.5, 10.0):  # too large: most die in the first epoch
        model = mlp()
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        lr_mod.fit(model, data, optimizer=optimizer, num_epochs=1)
        assert lr_mod.dead_units(model, X) > 32


def test_numbers_in_the_prose_are_what_the_code_computes():
    text = page_text()
    results = sweep_table()
    acc = {k: f"{row[2]:.3f}" for k, row in results.items()}
    lam = np.linalg.eigvalsh(lr_mod.A)
    assert f"along the valley floor and {lam[-1]:.0f} across it" in text
    assert f"curvature is {lam[0]:.0f} along" in text
    stability = stability_table()
    assert list(stability) == ["0.010", "0.050", "0.095", "0.105"]
    # the stability table's takeaways: the floor's slow factor at 0.01,
    # both factors near 0.9 and w almost 0 just below the edge, the steep
    # factor past 1 and w blown up just above it
    assert f"only {stability['0.010'][0]} a step" in text
    assert "both factors are about 0.9 " in text
    assert [round(float(x), 1) for x in stability["0.095"][:2]] == [0.9, 0.9]
    assert "the steep factor passes 1" in text
    assert float(stability["0.105"][1]) > 1
    assert float(stability["0.010"][2]) > 0.5  # "still far from"
    assert float(stability["0.095"][2]) < 1e-3  # "almost 0"
    assert float(stability["0.105"][2]) > 1e3  # "blows up"
    # the sweep's: chance (0.1 + a little) at the two smallest rates and
    # past the edge, the default's and the best rate's accuracies, and a
    # training loss past the edge at or above ln 10, worse at 10
    # (typed, so that make kernels checks them under every kernel setting)
    assert acc["0.0001"] == acc["0.00032"]
    assert (f"the two smallest rates are still at chance, "
            f"{acc['0.0001']}, one digit in ten") in text
    assert max(float(acc["0.0001"]), float(acc["0.00032"])) < 0.12
    assert f"reaches only {acc['0.01']}" in text
    assert f"best validation accuracy, {acc['1']}" in text
    assert f"every image, at chance ({acc['3.2']})" in text
    assert float(acc["3.2"]) < 0.12 and acc["3.2"] == acc["10"]
    train = {k: row[0] for k, row in results.items()}
    assert math.log(10) < train["3.2"] < train["10"]
    assert f"\\ln 10 \\approx {math.log(10):.2f}" in text
    assert f"`lr = 1.0`, {results['1'][3]} of the 64" in text
    assert "(3 of them were dead in the initial weights" in text
    assert "why every small rate shows 3" in text
    assert all(results[k][3] == 3 for k in ("0.0001", "0.001", "0.01"))


# --- the range test ---------------------------------------------------------


def range_table():
    """What range_test.py printed: (rows of (step, lr, smoothed loss),
    the lowest rate, the steepest-fall rate), as the page shows them."""
    text = output("glossary/learning-rate.md", "range_test.py")
    rows = [(int(a), float(b), float(c)) for a, b, c in
            (line.split() for line in text.splitlines()[1:-1])]
    m = re.search(r"lowest at lr = ([\d.e+-]+); steepest fall at lr = "
                  r"([\d.e+-]+)", text)
    return rows, float(m[1]), float(m[2])


def torch_sgd_step(model, data, *, batch_size=32, seed=0):
    """The PyTorch tab's step, as the page defines it (under the guard)."""
    src = (ROOT / "snippets/glossary/learning_rate.py").read_text()
    body = src.split("# --8<-- [start:range_test_torch]")[1]
    body = body.split("data = digits()")[0]
    space = {}
    exec(inspect.cleandoc("\n" + body), space)
    return space["torch_sgd_step"](model, data, batch_size=batch_size,
                                   seed=seed)


def test_numpy_range_test_matches_torch_sgd():
    """The from-scratch MLP step against autograd and torch.optim.SGD,
    float64, the same batches: the smoothed losses agree to 1e-9
    (relative) up to the lowest point; past it the run blows up and
    amplifies rounding."""
    data = digits()
    model = mlp(seed=0)
    params = [p.detach().double().numpy().T.copy()
              for p in model.parameters()]
    lrs, ours = lr_mod.range_test(lr_mod.numpy_sgd_step(params, data))
    lrs_t, theirs = lr_mod.range_test(torch_sgd_step(model.double(), data))
    np.testing.assert_array_equal(lrs, lrs_t)
    low = int(np.argmin(theirs))
    np.testing.assert_allclose(ours[:low + 1], theirs[:low + 1], rtol=1e-9)
    # and the weights they reach, after the whole run: the same model
    for w, p in zip(params, model.parameters()):
        np.testing.assert_allclose(w, p.detach().numpy().T, rtol=1e-6,
                                   atol=1e-6)


def test_the_two_tabs_print_the_same_table():
    assert (output("glossary/learning-rate.md", "range_test.py")
            == output("glossary/learning-rate.md", "range_test_torch.py"))


def test_the_rates_grow_geometrically_and_the_run_stops_when_it_blows_up():
    seen = []

    def step(lr):
        seen.append(lr)
        return 1.0 if len(seen) < 5 else 10.0  # blows up at the 5th step

    lrs, smoothed = lr_mod.range_test(step, lr_min=1e-3, lr_max=1e-1,
                                      num_steps=50, beta=0.0)
    assert len(lrs) == 5 and smoothed[-1] == 10.0  # stopped: 10 > 4 x 1
    ratio = np.diff(np.log(seen))
    np.testing.assert_allclose(ratio, np.log(100) / 49)
    lrs, _ = lr_mod.range_test(lambda lr: 1.0, lr_min=1e-3, lr_max=1e-1,
                               num_steps=50)
    assert lrs[0] == pytest.approx(1e-3) and lrs[-1] == pytest.approx(1e-1)
    _, s = lr_mod.range_test(lambda lr: float("nan"), num_steps=10)
    assert len(s) == 1  # NaN stops it at once


def test_the_smoothing_removes_its_start_at_zero():
    _, s = lr_mod.range_test(lambda lr: 2.0, num_steps=10, beta=0.9)
    np.testing.assert_allclose(s, 2.0)  # a constant stays itself


def test_steepest_is_where_the_loss_falls_fastest_before_its_lowest():
    lrs = np.logspace(-3, 1, 9)
    smoothed = np.array([2.3, 2.3, 2.2, 1.6, 1.4, 1.3, 1.2, 5.0, 9.0])
    assert lr_mod.steepest(lrs, smoothed) == pytest.approx(lrs[3])
    assert lr_mod.steepest(lrs[:2], smoothed[:2]) == lrs[0]


@pytest.mark.parametrize("kwargs, name", [
    ({"lr_min": 0.0}, "lr_min"), ({"lr_min": -1.0}, "lr_min"),
    ({"lr_max": 1e-5}, "lr_max"), ({"num_steps": 1}, "num_steps"),
    ({"beta": 1.0}, "beta"), ({"beta": -0.1}, "beta")])
def test_bad_range_test_arguments_are_refused(kwargs, name):
    with pytest.raises(ValueError, match=name):
        lr_mod.range_test(lambda lr: 1.0, **kwargs)


def test_range_test_finds_the_sweeps_regimes():
    # the page's claims, under the kernel setting this test runs in
    rows, lowest, steepest = range_table()
    best = max(sweep_table().items(), key=lambda kv: kv[1][2])[0]
    assert best == "1"
    assert 0.5 <= steepest <= 2.0  # within a factor of two of 1.0
    assert steepest < lowest  # the lowest point is past the best rate
    first = rows[0][2]
    assert abs(first - math.log(10)) < 0.05  # starts at ln 10
    assert rows[-1][2] > min(s for _, _, s in rows)  # it climbs again

"""Tests for snippets/start_here/when_training_goes_wrong.py (its page):
what `watch` logs, against torch computed independently, and the page's
claims about the three broken runs, read from what the build printed."""

import inspect
import math

import pytest
import torch
from torch import nn

from snippets.glossary.digits_task import digits, fit, mlp
from snippets.glossary.learning_rate import dead_units
from snippets.glossary.weight_initialization import initialize
from snippets.start_here import when_training_goes_wrong as wtgw
from tests.conftest import ROOT
from tools.records import output, prose

PAGE = "start-here/when-training-goes-wrong.md"
LN10 = math.log(10)


@pytest.fixture(scope="module")
def data():
    return digits()


def table(name):
    """{step: (loss, grad first, grad last, dead)} as the page printed
    the block `name`, and the block's other lines."""
    rows, other = {}, []
    for line in output(PAGE, name).splitlines():
        cells = line.split()
        if len(cells) == 5 and cells[0].isdigit():
            rows[int(cells[0])] = (float(cells[1]), float(cells[2]),
                                   float(cells[3]), int(cells[4]))
        else:
            other.append(line)
    return rows, other


# ---- what watch logs --------------------------------------------------------

@pytest.mark.parametrize("num_epochs, lr", [(1, 0.1), (2, 0.05)])
def test_watch_trains_on_the_batches_of_fit(data, num_epochs, lr):
    # watch for whole epochs and fit, from the same weights at the same
    # rate, end at the same weights, bit for bit (the page: "on the same
    # batches as the glossary's fit"); an epoch is ceil(1078 / 32) = 34
    # steps, and the second one draws fit's second shuffle
    a, b = mlp(seed=0), mlp(seed=0)
    wtgw.watch(a, data, lr=lr, num_steps=34 * num_epochs)
    fit(b, data, optimizer=torch.optim.SGD(b.parameters(), lr=lr),
        num_epochs=num_epochs)
    for p, q in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=0)


def test_the_first_step_logs_what_autograd_computes(data):
    # step 1's loss and gradient norms, from a copy trained by hand on
    # fit's first batch; float32, so 1e-6 relative
    model, ref = mlp(seed=0), mlp(seed=0)
    [row] = wtgw.watch(model, data, lr=0.1, num_steps=1)
    (X, y), _, _ = data
    torch.manual_seed(0)
    i = torch.randperm(len(X))[:32]
    loss = nn.functional.cross_entropy(ref(X[i]), y[i])
    loss.backward()
    assert row["loss"] == pytest.approx(loss.item(), rel=1e-6)
    assert row["grad_first"] == pytest.approx(
        ref[0].weight.grad.norm().item(), rel=1e-6)
    assert row["grad_last"] == pytest.approx(
        ref[2].weight.grad.norm().item(), rel=1e-6)
    assert row["dead"] == dead_units(ref, X)  # the learning-rate page's


def test_watch_stops_at_the_first_nan(data):
    model = initialize(mlp(depth=6), scheme="N(0, 1)")
    log = wtgw.watch(model, data, lr=0.1)
    assert not math.isfinite(log[-1]["loss"])
    assert all(math.isfinite(r["loss"]) for r in log[:-1])


@pytest.mark.parametrize("kwargs, name", [
    ({"lr": 0}, "lr"), ({"lr": -0.1}, "lr"), ({"lr": math.nan}, "lr"),
    ({"lr": 0.1, "num_steps": 0}, "num_steps"),
    ({"lr": 0.1, "batch_size": 0}, "batch_size"),
    ({"lr": 0.1, "num_steps": 2.5}, "num_steps"),
])
def test_bad_arguments_are_refused(data, kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must be "):
        wtgw.watch(mlp(), data, **kwargs)


def test_hyperparameters_are_keyword_only():
    params = inspect.signature(wtgw.watch).parameters
    for name in ("lr", "num_steps", "batch_size", "seed"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY


# ---- the page's claims, under every kernel setting --------------------------

def test_run_1_starts_enormous_and_ends_in_nan_in_a_few_steps():
    rows, _ = table("nan.py")
    last = max(rows)
    assert rows[1][0] > 1000 * LN10  # "enormous", "not 2.3"
    assert math.isnan(rows[last][0]) and last <= 5  # "in a few steps"
    assert all(math.isfinite(rows[s][0]) for s in rows if s < last)
    assert rows[1][1] * 0.1 > 1000  # "the first step moves the weights
    # by thousands": lr times the first layer's gradient norm


def test_run_2_sits_at_ln_10_with_a_vanishing_gradient():
    rows, _ = table("stuck.py")
    assert max(rows) == 100  # no nan: all 100 steps ran
    assert abs(rows[1][0] - LN10) < 5e-4  # "ln 10 to three decimals"
    assert all(abs(loss - LN10) < 0.01 for loss, *_ in rows.values())
    for _, first, last, _ in rows.values():  # orders of magnitude apart
        assert last > 1e3 * first or (last < 1e-7 and first < 1e-7)
    assert rows[100][2] > 1e3 * rows[100][1]


def test_run_3_kills_the_units_and_returns_to_ln_10():
    rows, _ = table("edge.py")
    first5 = [rows[s][0] for s in (1, 2, 3, 5)]
    assert max(first5) > rows[1][0] + 0.1  # "the first steps make it worse"
    dead = [rows[s][3] for s in sorted(rows)]
    assert dead[-1] >= 60 and dead[-1] > 10 * dead[0]  # "climb"
    assert rows[100][1] == rows[100][2] == 0  # "exactly 0"
    assert abs(rows[100][0] - LN10) < 0.1  # "back near ln 10"


def test_the_fixes_fix_them():
    text = output(PAGE, "fixed.py")
    he, lr1 = text.split("default init, lr 1")
    he_rows = [list(map(float, line.split())) for line in he.splitlines()
               if line.split() and line.split()[0].isdigit()]
    lr1_rows = [list(map(float, line.split())) for line in lr1.splitlines()
                if line.split() and line.split()[0].isdigit()]
    assert abs(he_rows[0][1] - LN10) < 0.5  # "near ln 10"
    for _, _, first, last, _ in he_rows:  # "of the same size"
        assert 0.1 < first / last < 10
    assert he_rows[-1][1] < 1  # trains
    assert lr1_rows[-1][1] < 0.5
    assert 0 < lr1_rows[-1][4] < 32  # "still kills a few"


def test_the_prose_shows_the_runs():
    shown = " ".join(prose(PAGE).split())
    rows, _ = table("nan.py")
    assert f"The loss starts at {rows[1][0]:.3g}, not 2.3" in shown
    assert f"At step {max(rows)} the forward pass overflows" in shown
    stuck, _ = table("stuck.py")
    orders = math.log10(stuck[100][2] / stuck[100][1])
    assert f"gradient is {orders:.0f} orders of magnitude" in shown
    edge, _ = table("edge.py")
    assert f"climb from {edge[1][3]} to {edge[100][3]} of 64" in shown
    assert "{{" not in shown


def test_the_page_is_in_the_navigation_and_linked_from_the_indexes():
    nav = (ROOT / "mkdocs.yml").read_text()
    assert f": {PAGE}" in nav and ": start-here/recipe.md" in nav
    for index, link in (("index.md", "start-here/"),
                        ("glossary/index.md", "../start-here/"),
                        ("tuning/index.md", "../start-here/")):
        text = (ROOT / "docs" / index).read_text()
        assert f"]({link}when-training-goes-wrong.md)" in text, index
        assert f"]({link}recipe.md)" in text, index

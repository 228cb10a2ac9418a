"""Tests for snippets/glossary/batch_size.py (glossary: batch size)."""

import functools
import inspect
import itertools
import math
import re

import numpy as np
import pytest
import torch

from snippets.glossary import batch_size as bs
from snippets.glossary.digits_task import digits, mlp
from tests.conftest import ROOT
from tools.records import output

PAGE = ROOT / "docs/glossary/batch-size.md"
(X_T, Y_T), _, _ = digits()
X = X_T.double().numpy()
Y = Y_T.numpy()


def printed(name):
    """What the block `name` printed on the page: the build's run, read
    from the execution cache (nothing is run again)."""
    return output("glossary/batch-size.md", name)


@functools.cache
def per_example_matrix():
    """Every training example's gradient at the initial model, one row
    each (1078 x 4810), as noise.py computes it."""
    from explorers.glossary.batch_size import per_example_matrix as g

    return g()


def page_text():
    """The page's Markdown with every run of whitespace made one space."""
    return re.sub(r"\s+", " ", PAGE.read_text())


def torch_model(seed=0):
    return mlp(seed=seed).double()


def torch_grads(model, X, y):
    """[dW1, db1, dW2, db2] of the mean loss, laid out like params_of."""
    model.zero_grad()
    torch.nn.functional.cross_entropy(
        model(torch.from_numpy(X)), torch.from_numpy(y)).backward()
    first, last = model[0], model[-1]
    return [p.grad.numpy().T for p in
            (first.weight, first.bias, last.weight, last.bias)]


# float64 throughout; backprop by hand and autograd sum in different
# orders, so they agree to rounding: rtol 1e-10, atol 1e-13
RTOL, ATOL = 1e-10, 1e-13


def test_params_of_copies_the_model_weights():
    model = mlp()
    W1, b1, W2, b2 = bs.params_of(model)
    assert W1.shape == (64, 64) and W2.shape == (64, 10)
    assert W1.dtype == np.float64
    out = np.maximum(X[:5] @ W1 + b1, 0) @ W2 + b2
    with torch.no_grad():
        np.testing.assert_allclose(out, model.double()(X_T[:5].double()),
                                   rtol=1e-12, atol=1e-12)


def test_per_example_gradients_match_autograd_one_by_one():
    params = bs.params_of(mlp())
    mine = bs.per_example_grads(params, X[:6], Y[:6])
    model = torch_model()
    for i in range(6):
        theirs = torch_grads(model, X[i:i + 1], Y[i:i + 1])
        for a, b in zip(mine, theirs):
            np.testing.assert_allclose(a[i], b, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("B", [1, 7, 32, 1078])
def test_minibatch_gradient_is_autograd_of_the_mean_loss(B):
    params = bs.params_of(mlp())
    idx = np.random.default_rng(B).permutation(len(X))[:B]
    mine = bs.minibatch_grad(params, X[idx], Y[idx])
    theirs = torch_grads(torch_model(), X[idx], Y[idx])
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)


def test_loss_matches_torch():
    params = bs.params_of(mlp())
    with torch.no_grad():
        theirs = torch.nn.functional.cross_entropy(
            torch_model()(torch.from_numpy(X)), Y_T).item()
    assert bs.loss(params, X, Y) == pytest.approx(theirs, rel=1e-12)


def torch_sgd(order, *, lr, batch_size):
    model = torch_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(
            model(torch.from_numpy(X[idx])), torch.from_numpy(Y[idx])
        ).backward()
        optimizer.step()
    first, last = model[0], model[-1]
    return [p.detach().numpy().T for p in
            (first.weight, first.bias, last.weight, last.bias)]


@pytest.mark.parametrize("num_steps", [1, 100])
def test_sgd_matches_torch_for_one_and_many_steps(num_steps):
    rng = np.random.default_rng(0)
    order = np.concatenate([rng.permutation(len(X)) for _ in range(3)])
    order = order[:32 * num_steps]  # 100 steps: three epochs' worth
    mine = bs.sgd_epoch(bs.params_of(mlp()), X, Y, lr=0.1, batch_size=32,
                        order=order)
    theirs = torch_sgd(order, lr=0.1, batch_size=32)
    # 100 steps let rounding differences grow a little: rtol 1e-9
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_the_page_prints_the_same_in_both_tabs():
    text = printed("minibatch.py")
    assert text == printed("minibatch_torch.py")
    ((norm_text, loss_text),) = re.findall(
        r"^gradient of the first batch of 32: norm (\d\.\d{10})\n"
        r"training loss after one epoch: (\d\.\d{10})\n$", text)
    # and they are the numbers these functions give here
    order = np.random.default_rng(0).permutation(len(X))
    theirs = torch_sgd(order, lr=0.1, batch_size=32)
    assert f"{bs.loss(theirs, X, Y):.10f}" == loss_text
    g = torch_grads(torch_model(), X[:32], Y[:32])
    norm = math.sqrt(sum((gi ** 2).sum() for gi in g))
    assert f"{norm:.10f}" == norm_text


def noise_table():
    """What noise.py printed: {"spread", "norm", "slope": the printed
    strings, "rows": {B: (E|g_B - g|^2, B times it, theory, std)}}."""
    text = printed("noise.py")
    first, _, *rows, last = text.splitlines()
    ((spread, norm),) = re.findall(
        r"^1078 examples, 4810 weights; tr\(Sigma\) = (\d\.\d{4}), "
        r"\|g\| = (\d\.\d{4})$", first)
    (slope,) = re.findall(r"against B: (-?\d\.\d\d)$", last)
    return {"spread": spread, "norm": norm, "slope": slope,
            "rows": {int(r.split()[0]): tuple(float(v) for v in
                                               r.split()[1:])
                     for r in rows}}


def test_gradient_noise_follows_the_sampling_formula():
    table = noise_table()
    rows = table["rows"]
    assert list(rows) == [1, 4, 16, 64, 256]
    noise = np.array([r[0] for r in rows.values()])
    theory = np.array([r[2] for r in rows.values()])
    # 200 draws per B: the mean of a squared distance in 4810
    # dimensions; 10% is several standard errors
    np.testing.assert_allclose(noise, theory, rtol=0.10)
    assert -1.1 < float(table["slope"]) < -0.95
    # the (n-B)/(n-1) factor
    assert rows[256][1] < 0.8 * float(table["spread"])
    # the full batch has no noise at all
    G = per_example_matrix()
    assert bs.gradient_noise(G, [1078], draws=3)[0] == pytest.approx(
        0, abs=1e-25)


def steps_table():
    """What steps.py printed: {(B, "fixed" or "scaled"): (epochs, steps)},
    and {B: examples} for the fixed rate (None where it shows "-")."""
    rows = [r.split() for r in printed("steps.py").splitlines()[2:]]

    def count(text):
        return None if text == "-" else int(text)

    runs, examples = {}, {}
    for B, _, e, s, ex, _, e2, s2 in rows:
        runs[int(B), "fixed"] = count(e), count(s)
        runs[int(B), "scaled"] = count(e2), count(s2)
        examples[int(B)] = count(ex)
    return runs, examples


def test_steps_and_epochs():
    runs, _ = steps_table()
    fixed = {B: runs[B, "fixed"] for B in (8, 32, 128, 512)}
    scaled = {B: runs[B, "scaled"] for B in (8, 32, 128, 512)}
    assert fixed == {8: (3, 405), 32: (8, 272), 128: (30, 270),
                     512: (88, 264)}
    assert scaled == {8: (8, 1080), 32: (8, 272), 128: (8, 72),
                      512: (9, 27)}


def test_steps_to_reach_stops_at_the_target():
    # a run the page does not print: the losses recorded end at the
    # target, one per epoch, and the steps are the epochs' steps
    e, s, losses = bs.steps_to_reach(digits(), target=1.5, batch_size=64,
                                     lr=0.1, max_epochs=30)
    assert e is not None and len(losses) == e and s == e * 17
    assert losses[-1] < 1.5 <= min(losses[:-1], default=math.inf)


def test_the_scaled_rate_breaks_at_base_lr_0_15():
    data = digits()
    e, s, losses = bs.steps_to_reach(data, target=0.8, batch_size=512,
                                     lr=0.15 * 512 / 32, max_epochs=30)
    assert e is None and s is None and len(losses) == 30
    assert min(losses) > 2.0  # stuck near ln 10: it never learns


def test_an_epoch_at_batch_8_takes_longer_than_at_512():
    # best of 3 runs each: timing noise cannot flip a ratio of ~10
    assert bs.seconds_per_epoch(8) > 2 * bs.seconds_per_epoch(512)


def test_pytorch_default_batch_size_is_one():
    # A change in torch turns this red: then update the page.
    params = inspect.signature(torch.utils.data.DataLoader).parameters
    assert params["batch_size"].default == 1


@pytest.mark.parametrize("B", [0, -1, 2.5, True, 1079, "32", None])
def test_bad_batch_size_is_refused(B):
    message = r"^batch_size must be an integer in \[1, 1078\], got "
    with pytest.raises(ValueError, match=message):
        bs.sgd_epoch(bs.params_of(mlp()), X, Y, batch_size=B,
                     order=np.arange(10))
    with pytest.raises(ValueError, match=message):
        bs.gradient_noise(per_example_matrix(), [B])
    with pytest.raises(ValueError, match=message):
        bs.steps_to_reach(digits(), target=0.8, batch_size=B, lr=0.05)


@pytest.mark.parametrize("lr", [0, -0.1, math.inf, math.nan, "0.1"])
def test_bad_learning_rate_is_refused(lr):
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0, "
                                         r"got "):
        bs.sgd_epoch(bs.params_of(mlp()), X, Y, lr=lr, order=np.arange(4))


@pytest.mark.parametrize("max_epochs", [0, 1.5])
def test_bad_max_epochs_is_refused(max_epochs):
    with pytest.raises(ValueError,
                       match=r"^max_epochs must be an integer >= 1, got "):
        bs.steps_to_reach(digits(), target=0.8, batch_size=32, lr=0.05,
                          max_epochs=max_epochs)


def test_hyperparameters_are_keyword_only():
    for fn, names in ((bs.sgd_epoch, ("lr", "batch_size", "order")),
                      (bs.steps_to_reach, ("target", "batch_size", "lr",
                                           "max_epochs", "seed")),
                      (bs.gradient_noise, ("draws", "seed")),
                      (bs.seconds_per_epoch, ("repeats",))):
        params = inspect.signature(fn).parameters
        for name in names:
            assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
    assert inspect.signature(bs.sgd_epoch).parameters[
        "batch_size"].default == 32  # Bengio's default [@bengio2012]


def test_numbers_in_the_prose_are_what_the_code_computes():
    text = page_text()
    assert len(X) == 1078 and "each of the 1,078 training examples" in text
    noise = noise_table()
    assert f"\\operatorname{{tr}}\\Sigma = {noise['spread']}$" in text
    assert f"log-log slope is {noise['slope']}:" in text
    assert f"full gradient's norm, {noise['norm']}" in text
    std = {B: row[3] for B, row in noise["rows"].items()}
    assert f"(std {std[1]:.4f})" in text
    assert f"$B = 64$ (std {std[64]:.4f})" in text
    assert std[64] == pytest.approx(float(noise["norm"]), rel=0.05)
    assert "falls below 0.8" in text and "same learning rate 0.05" in text
    runs, examples = steps_table()
    fixed = [runs[B, "fixed"] for B in (8, 32, 128, 512)]
    scaled = [runs[B, "scaled"] for B in (8, 32, 128, 512)]
    # the takeaways: fixed rate, steps about flat from 32 up (within 5 %)
    # and epochs from 8 to 88; scaled rate, epochs about flat (within 1)
    # and steps like 1/B (a quarter or so for each 4 times B; at 512 an
    # epoch's last, part batch is a third of its 3 steps)
    steps = [s for _, s in fixed[1:]]
    assert max(steps) <= 1.05 * min(steps)
    assert f"from {fixed[1][0]} to {fixed[3][0]}" in text
    assert examples[512] > 10 * examples[32]  # "and the example gradients"
    epochs = [e for e, _ in scaled]
    assert max(epochs) - min(epochs) <= 1  # "hardly moves"
    steps = [s for _, s in scaled]
    assert all(2.5 < a / b <= 4.5 for a, b in itertools.pairwise(steps))
    assert f"$B = 8$ shows {fixed[0][1]} steps" in text
    cost = {int(r.split()[0]): int(r.split()[2])
            for r in printed("cost.py").splitlines()[1:]}
    assert f"{cost[8]} small products" in text
    assert f"{cost[512]} large ones" in text
    assert f"learning rate of {0.15 * 512 / 32:.1f}," in text
    assert "base rate of 0.15 instead of 0.05" in text

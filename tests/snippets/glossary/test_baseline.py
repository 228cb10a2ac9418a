"""Tests for snippets/glossary/baseline.py (the glossary index's run).

The baseline is plain SGD on the shared task (digits_task.py): its block
is checked against the configuration the page states, and its training
against a from-scratch NumPy SGD in float64, both the first epochs of a
fresh run and every number the page printed.
"""

import re
import runpy

import numpy as np
import pytest
import torch

from snippets.glossary import digits_task as task
from tests.conftest import ROOT
from tools.records import output

SNIPPET = ROOT / "snippets/glossary/baseline.py"
LR, BATCH_SIZE = 0.1, 32  # the baseline's SGD, as the page states it


def baseline_run():
    """The train losses and validation accuracies {epoch: value} and the
    test accuracy that the page prints (the build's run, read from the
    execution cache: nothing is trained again)."""
    text = output("glossary/index.md", "baseline.py")
    rows = re.findall(r"^epoch +(\d+): train loss ([\d.]+), "
                      r"validation accuracy ([\d.]+)$", text, re.M)
    losses = {int(e): float(loss) for e, loss, _ in rows}
    val_accs = {int(e): float(acc) for e, _, acc in rows}
    (acc,) = re.findall(r"^test accuracy after 20 epochs: ([\d.]+)$", text,
                        re.M)
    return losses, val_accs, float(acc)


def test_baseline_learns_the_digits():
    losses, _, test_acc = baseline_run()
    assert sorted(losses) == [1, 5, 10, 20]
    # The page says the baseline "gets most test digits right".
    assert test_acc > 0.95
    assert losses[20] < losses[1] / 5


class FitCalledError(Exception):
    """Raised by the stand-in for fit: the block stops before training."""


def block_call():
    """Run the page's block (baseline.py as __main__) until it calls fit;
    return what it passed: (model, data, optimizer, keyword arguments)."""
    calls = []

    def fit(model, data, **kwargs):
        calls.append((model, data, kwargs.pop("optimizer"), kwargs))
        raise FitCalledError

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(task, "fit", fit)
        with pytest.raises(FitCalledError):
            runpy.run_path(str(SNIPPET), run_name="__main__")
    (call,) = calls
    return call


def test_importing_runs_nothing(monkeypatch, capsys):
    called = []
    for name in ("digits", "mlp", "fit", "evaluate"):
        monkeypatch.setattr(task, name,
                            lambda *a, name=name, **k: called.append(name))
    runpy.run_path(str(SNIPPET), run_name="snippets.glossary.baseline")
    assert called == []
    assert capsys.readouterr() == ("", "")


def test_the_block_trains_the_stated_baseline():
    model, data, optimizer, kwargs = block_call()
    # plain SGD at lr 0.1 on the model's own parameters
    assert type(optimizer) is torch.optim.SGD
    (group,) = optimizer.param_groups
    assert group["lr"] == LR
    assert (group["momentum"], group["dampening"], group["weight_decay"],
            group["nesterov"]) == (0, 0, 0, False)
    assert [id(p) for p in group["params"]] == [
        id(p) for p in model.parameters()]
    # the task's MLP, 64 hidden units, seeded: the same initial weights
    fresh = task.mlp(hidden=64)
    assert str(model) == str(fresh)
    assert all(torch.equal(a, b) for a, b in
               zip(model.state_dict().values(), fresh.state_dict().values()))
    # the task's data and split, 20 epochs in mini-batches of 32
    for part, again in zip(data, task.digits()):
        assert all(torch.equal(a, b) for a, b in zip(part, again))
    assert kwargs == {"num_epochs": 20}  # the rest fit's defaults:
    defaults = task.fit.__kwdefaults__
    assert (defaults["batch_size"], defaults["seed"]) == (BATCH_SIZE, 0)
    assert defaults["scheduler"] is None and defaults["clip_norm"] is None


# The reference: the baseline from scratch, in float64 NumPy.

def weights(model):
    """W1 (64->hidden), b1, W2 (hidden->10), b2 of the task's MLP, as
    float64 arrays (nn.Linear stores W as (out, in))."""
    first, _, last = model
    return [p.detach().double().numpy().copy() for p in
            (first.weight, first.bias, last.weight, last.bias)]


def forward(params, X):
    W1, b1, W2, b2 = params
    Z = X @ W1.T + b1  # (B, hidden) pre-activations
    H = np.maximum(Z, 0)  # ReLU
    return Z, H, H @ W2.T + b2  # (B, 10) logits


def loss_and_accuracy(params, X, y):
    """Mean cross-entropy and the fraction of argmax(logits) == y."""
    *_, logits = forward(params, X)
    m = logits.max(axis=1, keepdims=True)  # for a stable log-sum-exp
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
    loss = np.mean(lse - logits[np.arange(len(y)), y])
    return float(loss), float(np.mean(logits.argmax(axis=1) == y))


def gradients(params, X, y):
    """d(mean cross-entropy)/d(W1, b1, W2, b2), by hand."""
    W2 = params[2]  # (10, hidden)
    Z, H, logits = forward(params, X)
    B = len(y)
    P = np.exp(logits - logits.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)  # softmax, (B, 10)
    P[np.arange(B), y] -= 1  # dL_i/dlogits_i = softmax - onehot(y_i)
    dlogits = P / B  # the mean over the batch
    dH = dlogits @ W2
    dZ = dH * (Z > 0)  # ReLU passes the gradient where Z > 0
    return [dZ.T @ X, dZ.sum(axis=0), dlogits.T @ H, dlogits.sum(axis=0)]


def numpy_sgd(params, data, *, num_epochs, lr=LR, batch_size=BATCH_SIZE,
              seed=0):
    """(final weights, history) of plain SGD, w <- w - lr * grad, on
    mini-batches in the order fit draws them: torch.manual_seed(seed),
    then one torch.randperm per epoch."""
    (X, y), (X_val, y_val), _ = [(X.double().numpy(), y.numpy())
                                 for X, y in data]
    torch.manual_seed(seed)
    history = {k: [] for k in
               ("train_loss", "train_acc", "val_loss", "val_acc")}
    for _ in range(num_epochs):
        order = torch.randperm(len(X)).numpy()
        for i in range(0, len(X), batch_size):
            idx = order[i:i + batch_size]
            grads = gradients(params, X[idx], y[idx])
            params = [w - lr * grad for w, grad in zip(params, grads)]
        for part, (Xs, ys) in (("train", (X, y)), ("val", (X_val, y_val))):
            loss, accuracy = loss_and_accuracy(params, Xs, ys)
            history[f"{part}_loss"].append(loss)
            history[f"{part}_acc"].append(accuracy)
    return params, history


# float32 training against float64 arithmetic: after 68 steps the weights
# (|w| < 0.4) differ by about 1e-7 and the losses by 2e-7, so 1e-6 on
# both; every prediction agrees (one flip would move an accuracy by 1/1078
# or 1/359), so 1e-6 on the accuracies too.
ATOL = 1e-6


def test_the_first_two_epochs_are_plain_sgd():
    model, data, optimizer, kwargs = block_call()
    start = weights(model)
    history = task.fit(model, data, optimizer=optimizer,
                       **{**kwargs, "num_epochs": 2})
    params, reference = numpy_sgd(start, data, num_epochs=2)
    for w, w_ref in zip(weights(model), params):
        np.testing.assert_allclose(w, w_ref, rtol=0, atol=ATOL)
    for key, values in reference.items():
        np.testing.assert_allclose(history[key], values, rtol=0, atol=ATOL)
    assert history["train_loss"][1] < history["train_loss"][0]


def test_the_printed_run_is_numpy_sgd():
    """Every number the page printed, from the 20 epochs in float64."""
    data = task.digits()
    params, history = numpy_sgd(weights(task.mlp(hidden=64)), data,
                                num_epochs=20)
    losses, val_accs, test_acc = baseline_run()
    # printed to 3 decimals: within half a unit, plus 1e-4 for float32
    for epoch, printed in losses.items():
        assert abs(history["train_loss"][epoch - 1] - printed) <= 6e-4
    # accuracies are counts (of 359 and 360), 1/360 > 0.001 apart: the
    # same count of right answers, on every kernel setting (the runs under
    # native, avx2 and default kernels print the same)
    for epoch, printed in val_accs.items():
        assert abs(history["val_acc"][epoch - 1] - printed) <= 5e-4
    X_test, y_test = data[2]
    _, accuracy = loss_and_accuracy(params, X_test.double().numpy(),
                                    y_test.numpy())
    assert abs(accuracy - test_acc) <= 5e-4

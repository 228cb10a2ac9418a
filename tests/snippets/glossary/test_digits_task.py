"""Tests for snippets/glossary/digits_task.py, the glossary's shared task."""

import math

import pytest
import torch

from snippets.glossary import digits_task as task


def test_split_is_60_20_20_disjoint_and_seeded():
    (X, y), (Xv, _), (Xt, yt) = task.digits()
    assert (len(X), len(Xv), len(Xt)) == (1078, 359, 360)
    assert X.shape[1] == 64 and X.min() >= 0 and X.max() <= 1
    assert set(y.tolist()) == set(range(10))
    rows = {tuple(r) for r in X.tolist()}
    # (the data has a few duplicate images; allow them, but not a shared split)
    assert len(rows & {tuple(r) for r in Xt.tolist()}) <= 3
    again = task.digits()
    assert torch.equal(again[0][0], X) and torch.equal(again[2][1], yt)
    assert not torch.equal(task.digits(seed=1)[0][0], X)


def test_mlp_shape_and_parameter_count():
    model = task.mlp(hidden=32, depth=2, dropout=0.5)
    assert model(torch.zeros(5, 64)).shape == (5, 10)
    n = sum(p.numel() for p in model.parameters())
    assert n == (64 * 32 + 32) + (32 * 32 + 32) + (32 * 10 + 10)
    assert sum(isinstance(m, torch.nn.Dropout) for m in model) == 2


def test_training_is_deterministic_and_learns():
    def run():
        data = task.digits()
        model = task.mlp()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        return task.fit(model, data, optimizer=opt, num_epochs=5)

    a, b = run(), run()
    assert a == b
    assert all(len(v) == 5 for v in a.values())
    assert a["val_acc"][-1] > 0.85
    assert a["train_loss"][-1] < a["train_loss"][0]


@pytest.mark.parametrize(
    "kwargs, message",
    [({"hidden": 0}, r"^hidden must be an integer >= 1, got 0$"),
     ({"hidden": 2.0}, r"^hidden must be an integer >= 1, got 2.0$"),
     ({"depth": 0}, r"^depth must be an integer >= 1, got 0$"),
     ({"dropout": 1.0}, r"^dropout must be a number in \[0, 1\), got 1.0$"),
     ({"dropout": -0.1},
      r"^dropout must be a number in \[0, 1\), got -0.1$"),
     ({"dropout": float("nan")},
      r"^dropout must be a number in \[0, 1\), got nan$")],
)
def test_mlp_rejects_bad_hyperparameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        task.mlp(**kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"num_epochs": 0}, r"^num_epochs must be an integer >= 1, got 0$"),
     ({"batch_size": 0}, r"^batch_size must be an integer >= 1, got 0$"),
     ({"batch_size": 2.5}, r"^batch_size must be an integer >= 1, got 2.5$"),
     ({"clip_norm": 0}, r"^clip_norm must be a finite number > 0, got 0$"),
     ({"clip_norm": float("inf")},
      r"^clip_norm must be a finite number > 0, got inf$")],
)
def test_fit_rejects_bad_hyperparameters(kwargs, message):
    model = task.mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=message):
        task.fit(model, task.digits(), optimizer=opt, **kwargs)


# evaluate, against losses and accuracies computed here by hand: float32
# logits against float64 arithmetic, so 1e-6 relative on the loss; the
# accuracy is a count over N in float32, within 1e-7 relative of k / N.
LOSS_RTOL, ACC_RTOL = 1e-6, 1e-7


def small_task(N=50, seed=0):
    """A dropout MLP from the task and N random "images" with labels, the
    first 20 of them the model's own predictions (so the accuracy is well
    above chance)."""
    model = task.mlp(hidden=16, dropout=0.5, seed=seed)
    g = torch.Generator().manual_seed(seed)
    X = torch.rand(N, 64, generator=g)  # (N, 64) pixels in [0, 1)
    y = torch.randint(0, 10, (N,), generator=g)  # (N,) labels 0..9
    y[:20] = logits_by_hand(model, X)[:20].argmax(dim=1)
    return model, X, y


def logits_by_hand(model, X):
    """The MLP's logits in float64 without its dropout (the eval mode):
    relu(X W1^T + b1) W2^T + b2."""
    W1, b1, W2, b2 = (p.detach().double() for p in model.parameters())
    H = torch.clamp(X.double() @ W1.T + b1, min=0)  # (N, hidden)
    return H @ W2.T + b2  # (N, 10)


def test_evaluate_is_mean_cross_entropy_and_accuracy():
    model, X, y = small_task()
    model.train()  # evaluate must switch the dropout off itself
    loss, accuracy = task.evaluate(model, X, y)
    assert type(loss) is float and type(accuracy) is float
    logits = logits_by_hand(model, X)
    N = len(y)
    # L = (1/N) sum_i [log sum_c exp(z_ic) - z_i,y_i]
    expected = sum(torch.logsumexp(logits[i], 0) - logits[i, y[i]]
                   for i in range(N)) / N
    assert loss == pytest.approx(float(expected), rel=LOSS_RTOL)
    reference = torch.nn.functional.cross_entropy(logits, y).item()
    assert loss == pytest.approx(reference, rel=LOSS_RTOL)
    k = sum(int(logits[i].argmax()) == int(y[i]) for i in range(N))
    assert 20 <= k < N  # neither trivial nor perfect
    assert accuracy == pytest.approx(k / N, rel=ACC_RTOL)
    # dropout off: the same numbers every time, and the model in eval mode
    assert task.evaluate(model, X, y) == (loss, accuracy)
    assert not model.training
    assert all(p.grad is None for p in model.parameters())


def test_a_model_that_gets_every_label_right():
    # one-hot inputs and W = 5 I: the right class leads by 5 everywhere
    y = torch.arange(30) % 10
    X = torch.nn.functional.one_hot(y, 10).float()  # (30, 10)
    model = torch.nn.Linear(10, 10)
    with torch.no_grad():
        model.weight.copy_(5 * torch.eye(10))
        model.bias.zero_()
    loss, accuracy = task.evaluate(model, X, y)
    assert accuracy == 1.0
    # -log softmax = log(1 + 9 e^-5) for every example
    assert loss == pytest.approx(math.log1p(9 * math.exp(-5)),
                                 rel=LOSS_RTOL)


def constant_model(logits):
    """A model that ignores its input and answers `logits` (10,)."""
    model = torch.nn.Linear(64, 10)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.copy_(torch.as_tensor(logits, dtype=torch.float32))
    return model


def test_a_constant_model_is_at_chance():
    X = torch.rand(100, 64, generator=torch.Generator().manual_seed(0))
    y = torch.arange(100) % 10  # ten of each digit
    # equal logits: log 10 nats, and whichever digit the ties go to, it
    # is right one time in ten
    loss, accuracy = task.evaluate(constant_model(torch.zeros(10)), X, y)
    assert loss == pytest.approx(math.log(10), rel=LOSS_RTOL)
    assert accuracy == pytest.approx(0.1, rel=ACC_RTOL)
    # answering the label frequencies p: the entropy -sum p log p, and
    # the accuracy of always guessing the most frequent digit
    y = torch.tensor([3] * 40 + [7] * 30 + [1] * 20 + [0] * 10)
    p = torch.bincount(y, minlength=10).double() / len(y)  # (10,)
    H = -sum(q * math.log(q) for q in (0.4, 0.3, 0.2, 0.1))
    # (log 0 for the absent digits: -1e4 instead, as good as -inf here)
    logits = torch.where(p > 0, p.log(), torch.tensor(-1e4))
    loss, accuracy = task.evaluate(constant_model(logits), X, y)
    assert loss == pytest.approx(H, rel=LOSS_RTOL)
    assert accuracy == pytest.approx(0.4, rel=ACC_RTOL)

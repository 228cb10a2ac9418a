"""1997: LSTM's size from its hyperparameters, and exploding gradients.

Two things a recurrent network's hyperparameters decide: how many
parameters an LSTM layer has (from input_size, hidden_size, num_layers,
bidirectional), and how the gradient of a vanilla tanh RNN grows or shrinks
with the sequence length (from the spectral radius of its recurrent
matrix), which gradient-norm clipping (max_norm) then caps. The page
docs/history/1997-lstm.md shows the sections of this script; importing it
runs nothing, and ``python -m snippets.history.lstm_1997`` runs every
experiment of the page.
"""

# --8<-- [start:checks]
# The argument checks. Python looks a name up when the function that uses
# it runs, so the checks can follow the code that calls them.
import math
from numbers import Real


def check_int(name, value, *, low, high=None):
    """Raise a ValueError naming `name` unless `value` is an integer in
    [low, high] (no upper bound when high is None)."""
    allowed = (f"an integer >= {low}" if high is None
               else f"an integer in [{low}, {high}]")
    if not (isinstance(value, int) and not isinstance(value, bool)
            and value >= low and (high is None or value <= high)):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")


def check_real(name, value, *, low=-math.inf, high=math.inf,
               low_open=False, high_open=False):
    """Raise a ValueError naming `name` unless `value` is a finite real
    number between low and high (excluded where open)."""
    if math.isinf(low) and math.isinf(high):
        allowed = "a finite number"
    elif math.isinf(high):
        allowed = f"a finite number {'>' if low_open else '>='} {low:g}"
    elif math.isinf(low):
        allowed = f"a finite number {'<' if high_open else '<='} {high:g}"
    else:
        allowed = (f"a number in {'(' if low_open else '['}{low:g}, "
                   f"{high:g}{')' if high_open else ']'}")
    if not (isinstance(value, Real) and not isinstance(value, bool)
            and math.isfinite(value)
            and (value > low if low_open else value >= low)
            and (value < high if high_open else value <= high)):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
# --8<-- [end:checks]


# --8<-- [start:count]
def lstm_params(*, input_size, hidden_size, num_layers=1,
                bidirectional=False, torch_biases=True, gate_blocks=4):
    """Number of parameters of a stacked LSTM, by formula.

    Each gate block has input weights (h x in), recurrent weights (h x h)
    and biases: two vectors (b_ih, b_hh) in torch.nn.LSTM, one in the
    textbook form. gate_blocks=4 is today's LSTM (input, forget, cell,
    output); 3 drops the forget gate; 1 is a plain tanh RNN.
    """
    check_int("input_size", input_size, low=1)
    check_int("hidden_size", hidden_size, low=1)
    check_int("num_layers", num_layers, low=1)
    check_bool("bidirectional", bidirectional)
    check_bool("torch_biases", torch_biases)
    check_int("gate_blocks", gate_blocks, low=1, high=4)
    h = hidden_size
    directions = 2 if bidirectional else 1
    biases = 2 if torch_biases else 1  # bias vectors per gate block
    total = 0
    for layer in range(num_layers):
        # layer 1 reads the input; the others read the layer below, whose
        # output is h wide, or 2h when both directions are concatenated
        n_in = input_size if layer == 0 else directions * h
        per_direction = gate_blocks * (h * n_in + h * h + biases * h)
        total += directions * per_direction
    return total


# The argument checks. Python looks a name up when the function that uses
# it runs, so the checks can follow the code that calls them.
def check_bool(name, value):
    """Raise a ValueError naming `name` unless `value` is True or False."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")
# --8<-- [end:count]


# --8<-- [start:problem]
import numpy as np


def make_problem(*, rho, seq_len, hidden_size=32, input_size=4,
                 batch_size=32):
    """Weights and data for h_t = tanh(W h_(t-1) + U x_t), h_0 = 0.

    W (hidden_size x hidden_size) is random, rescaled so that its spectral
    radius (largest |eigenvalue|) is rho. Returns W, U, X of shape
    (seq_len, batch_size, input_size), and targets y (batch_size,
    hidden_size).
    """
    check_real("rho", rho, low=0, low_open=True)
    check_int("seq_len", seq_len, low=1)
    check_int("hidden_size", hidden_size, low=1)
    check_int("input_size", input_size, low=1)
    check_int("batch_size", batch_size, low=1)
    rng = np.random.default_rng(0)  # same W, U, y for every seq_len
    W = rng.standard_normal((hidden_size, hidden_size))
    W *= rho / np.abs(np.linalg.eigvals(W)).max()
    U = 0.05 * rng.standard_normal((hidden_size, input_size))  # weak input
    y = rng.uniform(-1, 1, (batch_size, hidden_size))  # tanh's range
    X = rng.standard_normal((seq_len, batch_size, input_size))  # a longer
    return W, U, X, y  # sequence starts with the shorter one


RHOS = (0.9, 1.0, 1.5, 2.0)  # spectral radii to compare
LENGTHS = (5, 10, 20, 40, 80)


def print_norms(norms):
    """Two tables, rows T in LENGTHS, columns rho in RHOS, of norms:
    {(rho, T): (|dL/dW, dL/dU|, |dL/dx_1|)}."""
    for i, what in enumerate(("|dL/dW, dL/dU|", "|dL/dx_1|")):
        print(f"{what} by spectral radius rho")
        print("   T" + "".join(f"{f'rho={rho}':>10}" for rho in RHOS))
        for T in LENGTHS:
            print(f"{T:>4}" + "".join(f"{norms[rho, T][i]:>10.3g}"
                                      for rho in RHOS))
# --8<-- [end:problem]


# --8<-- [start:bptt]
def forward_backward(W, U, X, y):
    """Loss at the last step, L = mean over the batch of |h_T - y|^2 / 2,
    and dL/dW, dL/dU, dL/dx_1 by backpropagation through time."""
    T, B, _ = X.shape
    h = [np.zeros((B, W.shape[0]))]  # h_0 = 0; each h_t is (B, hidden)
    for t in range(T):
        h.append(np.tanh(X[t] @ U.T + h[-1] @ W.T))
    L = 0.5 * np.sum((h[-1] - y) ** 2) / B
    dh = (h[-1] - y) / B  # dL/dh_T
    dW, dU = np.zeros_like(W), np.zeros_like(U)
    for t in range(T, 0, -1):
        da = dh * (1 - h[t] ** 2)  # through tanh: tanh' = 1 - tanh^2
        dW += da.T @ h[t - 1]
        dU += da.T @ X[t - 1]
        dh = da @ W  # one step back in time: multiply by W^T
    dx1 = da @ U  # what reaches the first input
    return L, dW, dU, dx1


def grad_norms(*, rho, seq_len):
    """|dL/d(W, U)| over all parameters together, and |dL/dx_1|."""
    _, dW, dU, dx1 = forward_backward(*make_problem(rho=rho,
                                                    seq_len=seq_len))
    return math.sqrt(np.sum(dW**2) + np.sum(dU**2)), np.linalg.norm(dx1)
# --8<-- [end:bptt]


# --8<-- [start:bptt_torch]
import torch


def torch_rnn(W, U):
    """torch.nn.RNN (tanh, no biases) with the given weights."""
    hidden_size, input_size = U.shape
    rnn = torch.nn.RNN(input_size, hidden_size, bias=False,
                       dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_hh_l0.copy_(torch.from_numpy(W))
        rnn.weight_ih_l0.copy_(torch.from_numpy(U))
    return rnn


def torch_backward(rnn, X, y):
    """Fill rnn's .grad with dL/dW, dL/dU; return L and dL/dX."""
    x = torch.from_numpy(X).requires_grad_()
    out, _ = rnn(x)  # out[t] is h_(t+1), shape (seq_len, batch, hidden)
    L = 0.5 * ((out[-1] - torch.from_numpy(y)) ** 2).sum() / len(y)
    L.backward()
    return L, x.grad


def torch_grad_norms(*, rho, seq_len):
    W, U, X, y = make_problem(rho=rho, seq_len=seq_len)
    rnn = torch_rnn(W, U)
    _, dX = torch_backward(rnn, X, y)
    grads = [p.grad for p in rnn.parameters()]
    norm = torch.sqrt(sum((g**2).sum() for g in grads))
    return norm.item(), dX[0].norm().item()
# --8<-- [end:bptt_torch]


# --8<-- [start:clip]
def clip_by_norm(grads, *, max_norm=1.0):
    """Scale all gradients together so that their joint norm is at most
    max_norm: g <- g * max_norm / max(norm, max_norm). The direction is
    kept. Returns the clipped gradients and the norm before clipping."""
    check_real("max_norm", max_norm, low=0, low_open=True)
    norm = math.sqrt(sum(np.sum(g**2) for g in grads))
    scale = max_norm / max(norm, max_norm)  # 1 when norm <= max_norm
    return [g * scale for g in grads], norm
# --8<-- [end:clip]


if __name__ == "__main__":
    # --8<-- [start:count_run]
    print(lstm_params(input_size=10, hidden_size=20))  # 4*20*(10+20) + 8*20
    # --8<-- [end:count_run]

    # --8<-- [start:count_torch]
    import torch

    print(f"{'in':<4} {'h':>4} {'layers':>6} {'bidir':>5} "
          f"{'formula':>9} {'torch':>9} {'one bias':>9}")
    for input_size, hidden_size, num_layers, bidirectional in [
        (1, 1, 1, False),
        (10, 20, 1, False),
        (10, 20, 2, False),
        (10, 20, 2, True),
        (300, 512, 1, False),
        (300, 512, 2, True),
    ]:
        lstm = torch.nn.LSTM(input_size, hidden_size, num_layers=num_layers,
                             bidirectional=bidirectional)
        counted = sum(p.numel() for p in lstm.parameters())
        formula = lstm_params(input_size=input_size, hidden_size=hidden_size,
                              num_layers=num_layers,
                              bidirectional=bidirectional)
        textbook = lstm_params(input_size=input_size, hidden_size=hidden_size,
                               num_layers=num_layers,
                               bidirectional=bidirectional,
                               torch_biases=False)
        print(f"{input_size:<4} {hidden_size:>4} {num_layers:>6} "
              f"{bidirectional!s:>5} {formula:>9,} {counted:>9,}"
              f" {textbook:>9,}")

    # The four gate blocks are stacked in one matrix per kind of weight:
    for name, p in torch.nn.LSTM(10, 20).named_parameters():
        print(f"{name:<12} {tuple(p.shape)}")
    # --8<-- [end:count_torch]

    # --8<-- [start:count_1997]
    # A simplification, not the 1997 cell in detail: three gate blocks (input
    # gate, output gate, cell input), no forget gate, one bias each.
    for input_size, hidden_size in [(10, 20), (300, 512)]:
        four = lstm_params(input_size=input_size, hidden_size=hidden_size,
                           torch_biases=False)
        three = lstm_params(input_size=input_size, hidden_size=hidden_size,
                            torch_biases=False, gate_blocks=3)
        print(f"in={input_size}, h={hidden_size}: with forget gate {four:,}, "
              f"without {three:,} ({three / four:.0%})")
    # --8<-- [end:count_1997]

    # --8<-- [start:bptt_run]
    print_norms({(rho, T): grad_norms(rho=rho, seq_len=T)
                 for rho in RHOS for T in LENGTHS})
    # --8<-- [end:bptt_run]

    # --8<-- [start:bptt_torch_run]
    print_norms({(rho, T): torch_grad_norms(rho=rho, seq_len=T)
                 for rho in RHOS for T in LENGTHS})
    # --8<-- [end:bptt_torch_run]

    # --8<-- [start:clip_run]
    _, *grads, _ = forward_backward(*make_problem(rho=2.0, seq_len=80))
    clipped, before = clip_by_norm(grads, max_norm=1.0)  # grads: [dW, dU]
    after = math.sqrt(sum(np.sum(c**2) for c in clipped))
    dot = sum(np.sum(g * c) for g, c in zip(grads, clipped))
    print(f"norm before clipping: {before:.6g}")
    print(f"norm after clipping:  {after:.6f}")
    print(f"same direction: cosine = {dot / (before * after):.6f}")
    # --8<-- [end:clip_run]

    # --8<-- [start:clip_torch]
    W, U, X, y = make_problem(rho=2.0, seq_len=80)
    rnn = torch_rnn(W, U)
    torch_backward(rnn, X, y)
    # Scales every .grad in place; returns the norm BEFORE clipping
    before = torch.nn.utils.clip_grad_norm_(rnn.parameters(), max_norm=1.0)
    after = torch.sqrt(sum((p.grad**2).sum() for p in rnn.parameters()))
    print(f"norm before clipping: {before.item():.6g}")
    print(f"norm after clipping:  {after.item():.6f}")
    # --8<-- [end:clip_torch]

    # --8<-- [start:figure]
    import matplotlib.pyplot as plt

    lengths = range(1, 101, 3)  # T = 1, 4, ..., 100
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    for rho in (0.9, 1.0, 1.5, 2.0):
        norms = np.array([grad_norms(rho=rho, seq_len=T) for T in lengths])
        left.semilogy(lengths, norms[:, 0], label=f"rho = {rho}")
        right.semilogy(lengths, norms[:, 1], label=f"rho = {rho}")
    left.set(xlabel="sequence length T", ylabel="|dL/dW, dL/dU|",
             title="gradient of the parameters")
    right.set(xlabel="sequence length T", ylabel="|dL/dx_1|",
              title="gradient reaching the first input")
    left.legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure]

"""Tests for snippets/history/lstm_1997.py (the 1997 chapter)."""

import itertools
import math
import re

import numpy as np
import pytest
import torch

from snippets.history import lstm_1997 as lstm
from tests.conftest import ROOT
from tools.records import output

PAGE = ROOT / "docs/history/1997-lstm.md"
PAGE_NAME = "history/1997-lstm.md"


def torch_count(module) -> int:
    return sum(p.numel() for p in module.parameters())


CONFIGS = list(itertools.product(
    (1, 3, 10),  # input_size
    (1, 2, 7, 20),  # hidden_size
    (1, 2, 3),  # num_layers
    (False, True),  # bidirectional
))


@pytest.mark.parametrize("input_size,hidden_size,num_layers,bidirectional",
                         CONFIGS)
def test_parameter_count_matches_torch(input_size, hidden_size, num_layers,
                                       bidirectional):
    kw = dict(input_size=input_size, hidden_size=hidden_size,
              num_layers=num_layers, bidirectional=bidirectional)
    args = (input_size, hidden_size)
    opts = dict(num_layers=num_layers, bidirectional=bidirectional)
    # torch.nn.LSTM: four blocks, two bias vectors each (exact integers)
    assert lstm.lstm_params(**kw) == torch_count(torch.nn.LSTM(*args, **opts))
    # one bias vector per block: torch without biases, plus 4h per layer
    # and direction
    directions = 2 if bidirectional else 1
    no_bias = torch_count(torch.nn.LSTM(*args, bias=False, **opts))
    assert lstm.lstm_params(**kw, torch_biases=False) == (
        no_bias + 4 * hidden_size * num_layers * directions
    )
    # the same formula counts a plain RNN (one block) and a GRU (three)
    assert lstm.lstm_params(**kw, gate_blocks=1) == torch_count(
        torch.nn.RNN(*args, **opts))
    assert lstm.lstm_params(**kw, gate_blocks=3) == torch_count(
        torch.nn.GRU(*args, **opts))


def test_closed_forms_on_the_page():
    for n_in, h in [(1, 1), (10, 20), (300, 512), (7, 3)]:
        assert lstm.lstm_params(input_size=n_in, hidden_size=h) == (
            4 * h * (n_in + h) + 8 * h)
        assert lstm.lstm_params(input_size=n_in, hidden_size=h,
                                torch_biases=False) == 4 * h * (n_in + h + 1)
        # three blocks are exactly three quarters of four
        four = lstm.lstm_params(input_size=n_in, hidden_size=h,
                                torch_biases=False)
        three = lstm.lstm_params(input_size=n_in, hidden_size=h,
                                 torch_biases=False, gate_blocks=3)
        assert 4 * three == 3 * four


BAD_INTS = [0, -1, 2.0, 1.5, "3", None, True]


@pytest.mark.parametrize("name", ["input_size", "hidden_size", "num_layers"])
@pytest.mark.parametrize("value", BAD_INTS)
def test_bad_sizes_are_refused(name, value):
    kw = dict(input_size=10, hidden_size=20)
    kw[name] = value
    with pytest.raises(ValueError, match=rf"^{name} must be an integer >= 1"):
        lstm.lstm_params(**kw)


@pytest.mark.parametrize("name", ["bidirectional", "torch_biases"])
@pytest.mark.parametrize("value", [0, 1, "yes", None])
def test_bad_flags_are_refused(name, value):
    with pytest.raises(ValueError, match=rf"^{name} must be True or False"):
        lstm.lstm_params(input_size=10, hidden_size=20, **{name: value})


@pytest.mark.parametrize("value", [0, 5, 2.0, True])
def test_bad_gate_blocks_are_refused(value):
    with pytest.raises(ValueError, match=r"^gate_blocks must be an integer "
                                         r"in \[1, 4\], got "):
        lstm.lstm_params(input_size=10, hidden_size=20, gate_blocks=value)


@pytest.mark.parametrize("name,value,match", [
    ("rho", 0, "rho must be a finite number > 0"),
    ("rho", -1.5, "rho must be a finite number > 0"),
    ("rho", math.nan, "rho must be a finite number > 0"),
    ("rho", math.inf, "rho must be a finite number > 0"),
    ("rho", "2", "rho must be a finite number > 0"),
    ("seq_len", 0, "seq_len must be an integer >= 1"),
    ("seq_len", 2.5, "seq_len must be an integer >= 1"),
    ("seq_len", -3, "seq_len must be an integer >= 1"),
    ("hidden_size", 0, "hidden_size must be an integer >= 1"),
    ("input_size", 0, "input_size must be an integer >= 1"),
    ("batch_size", 0, "batch_size must be an integer >= 1, got 0"),
])
def test_bad_problem_settings_are_refused(name, value, match):
    kw = dict(rho=1.5, seq_len=10)
    kw[name] = value
    with pytest.raises(ValueError, match="^" + match):
        lstm.make_problem(**kw)


def test_spectral_radius_is_rho():
    for rho in (0.5, 0.9, 1.5, 2.0):
        W, U, X, y = lstm.make_problem(rho=rho, seq_len=7)
        radius = np.abs(np.linalg.eigvals(W)).max()
        assert radius == pytest.approx(rho, rel=1e-12)
        assert W.shape == (32, 32) and U.shape == (32, 4)
        assert X.shape == (7, 32, 4) and y.shape == (32, 32)


def test_longer_sequences_extend_shorter_ones():
    W5, U5, X5, y5 = lstm.make_problem(rho=1.5, seq_len=5)
    W9, U9, X9, y9 = lstm.make_problem(rho=1.5, seq_len=9)
    assert np.array_equal(W5, W9) and np.array_equal(U5, U9)
    assert np.array_equal(y5, y9) and np.array_equal(X5, X9[:5])


@pytest.mark.parametrize("rho,seq_len,hidden_size,input_size,batch_size", [
    (0.9, 1, 32, 4, 32),
    (1.5, 17, 32, 4, 32),
    (2.0, 40, 8, 3, 5),
    (1.0, 6, 1, 1, 1),
])
def test_hand_written_bptt_matches_autograd(rho, seq_len, hidden_size,
                                            input_size, batch_size):
    """float64 on both sides. Tolerance: 1e-10 relative, or 1e-10 of the
    largest entry for entries near zero (sums of many terms of both signs
    lose relative precision there)."""
    W, U, X, y = lstm.make_problem(rho=rho, seq_len=seq_len,
                                   hidden_size=hidden_size,
                                   input_size=input_size,
                                   batch_size=batch_size)
    L, dW, dU, dx1 = lstm.forward_backward(W, U, X, y)
    rnn = lstm.torch_rnn(W, U)
    L_t, dX = lstm.torch_backward(rnn, X, y)
    for mine, theirs in [(L, L_t.detach().numpy()),
                         (dW, rnn.weight_hh_l0.grad.numpy()),
                         (dU, rnn.weight_ih_l0.grad.numpy()),
                         (dx1, dX[0].numpy())]:
        scale = np.abs(theirs).max()
        np.testing.assert_allclose(mine, theirs, rtol=1e-10,
                                   atol=1e-10 * scale)


def printed_tables(name="rnn.py") -> list[dict[tuple[float, int], str]]:
    """The two tables the block `name` prints on the page (the build's
    run, read from the execution cache), each {(rho, T): the cell as
    printed}: [|dL/dW, dL/dU|, |dL/dx_1|]."""
    text = output(PAGE_NAME, name)
    tables = []
    for line in text.splitlines():
        cells = line.split()
        if cells[0] == "T":
            rhos = [float(c.removeprefix("rho=")) for c in cells[1:]]
            tables.append({})
        elif cells[0].isdigit():
            T = int(cells[0])
            tables[-1].update({(rho, T): c for rho, c in zip(rhos, cells[1:])})
    assert len(tables) == 2 and all(len(t) == 20 for t in tables)
    assert rhos == list(lstm.RHOS)
    return tables


def test_the_two_tabs_print_the_same_table():
    for rho in lstm.RHOS:
        for T in lstm.LENGTHS:
            mine = lstm.grad_norms(rho=rho, seq_len=T)
            theirs = lstm.torch_grad_norms(rho=rho, seq_len=T)
            np.testing.assert_allclose(mine, theirs, rtol=1e-10)
    # and what the two tabs printed on the page
    assert output(PAGE_NAME, "rnn.py") == output(PAGE_NAME, "rnn_torch.py")
    assert printed_tables("rnn.py") == printed_tables("rnn_torch.py")


def norms(rho, lengths=lstm.LENGTHS):
    return np.array([lstm.grad_norms(rho=rho, seq_len=T) for T in lengths])


def printed_norms(rho) -> np.ndarray:
    """The page's printed table, as norms(rho) would return it."""
    tables = printed_tables()
    return np.array([[float(t[rho, T]) for t in tables]
                     for T in lstm.LENGTHS])


def test_vanishing_and_exploding():
    # spectral radius < 1: the signal reaching x_1 decays at every length
    for rho in (0.9, 1.0):
        assert np.all(np.diff(printed_norms(rho)[:, 1]) < 0)
    # spectral radius > 1: both norms grow with every longer sequence
    for rho in (1.5, 2.0):
        n = printed_norms(rho)
        assert np.all(np.diff(n[:, 0]) > 0) and np.all(np.diff(n[:, 1]) > 0)
    # the figure's alt text (the figure prints no numbers: computed here)
    fig = range(1, 101, 3)
    for rho in (0.9, 1.0):
        assert np.all((norms(rho, fig)[:, 0] > 1)
                      & (norms(rho, fig)[:, 0] < 10))
    n = norms(2.0, fig)[:, 0]
    assert n[-1] / n[0] > 1e5


@pytest.mark.parametrize("max_norm", [0.01, 1.0, 3.0, 1e5])
def test_clipping_matches_torch(max_norm):
    """Ours: g * max_norm / max(norm, max_norm). torch divides by
    (norm + 1e-6) instead, so on the same gradients the two agree to a
    relative 1e-6 / norm when clipping (checked with rtol 2e-6 / norm),
    and exactly when not."""
    W, U, X, y = lstm.make_problem(rho=2.0, seq_len=40)
    rnn = lstm.torch_rnn(W, U)
    lstm.torch_backward(rnn, X, y)
    grads = [p.grad.numpy().copy() for p in rnn.parameters()]
    clipped, before = lstm.clip_by_norm(grads, max_norm=max_norm)
    total = torch.nn.utils.clip_grad_norm_(rnn.parameters(),
                                           max_norm=max_norm)
    assert before == pytest.approx(total.item(), rel=1e-12)
    theirs = [p.grad.numpy() for p in rnn.parameters()]
    for mine, t in zip(clipped, theirs):
        np.testing.assert_allclose(mine, t, rtol=2e-6 / before)
    after = math.sqrt(sum(np.sum(c**2) for c in clipped))
    if before > max_norm:
        assert after == pytest.approx(max_norm, rel=1e-12)
        # torch's coefficient, to rounding: max_norm / (norm + 1e-6)
        coef = max_norm / (before + 1e-6)
        for g, t in zip(grads, theirs):
            np.testing.assert_allclose(t, g * coef, rtol=1e-12)
    else:
        for g, mine, t in zip(grads, clipped, theirs):
            assert np.array_equal(mine, g) and np.array_equal(t, g)


def test_clipping_keeps_the_direction():
    _, dW, dU, _ = lstm.forward_backward(*lstm.make_problem(rho=2.0,
                                                            seq_len=80))
    (cW, cU), before = lstm.clip_by_norm([dW, dU], max_norm=1.0)
    assert before > 1e4
    np.testing.assert_allclose(cW * before, dW, rtol=1e-12)
    np.testing.assert_allclose(cU * before, dU, rtol=1e-12)


@pytest.mark.parametrize("max_norm", [0, -1.0, math.nan, math.inf, "1",
                                      None, True])
def test_bad_max_norm_is_refused(max_norm):
    grads = [np.ones(3)]
    with pytest.raises(ValueError, match=r"^max_norm must be a finite "
                                         r"number > 0"):
        lstm.clip_by_norm(grads, max_norm=max_norm)


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = PAGE.read_text()
    assert "= 2560$" in page
    assert lstm.lstm_params(input_size=10, hidden_size=20) == 2560
    assert output(PAGE_NAME, "lstm_params.py") == "2560\n"
    assert "$4 \\times 20 = 80$ rows" in page
    shapes = output(PAGE_NAME, "count_table.py")
    assert "weight_ih_l0 (80, 10)" in shapes and "bias_hh_l0   (80,)" in shapes
    assert "Exactly three quarters" in page
    quarters = output(PAGE_NAME, "count_1997.py").splitlines()
    assert len(quarters) == 2 and all(q.endswith("(75%)") for q in quarters)
    assert "32 hidden units and 4 inputs, a batch\nof 32" in page
    W, U, X, _ = lstm.make_problem(rho=1.0, seq_len=3)
    assert W.shape == (32, 32) and U.shape == (32, 4) and X.shape[1] == 32

    tables = printed_tables()  # what rnn.py printed on the page

    def g(rho, T, i):
        return float(tables[i][rho, T])

    # the takeaways, not the table: "more than four orders of magnitude"
    # down at rho = 0.9, "about three orders" up at 2.0, "far more slowly" at
    # 1.5 (a tenth of 2.0's growth, at most)
    assert "more than four\norders of magnitude" in page
    assert 4 < np.log10(g(0.9, 5, 1) / g(0.9, 80, 1)) < 5
    assert g(2.0, 80, 1) > g(2.0, 5, 1)
    assert "grows by about three orders of magnitude" in page
    assert 2.5 < np.log10(g(2.0, 80, 0) / g(2.0, 5, 0)) < 3.5
    assert (g(1.5, 80, 0) / g(1.5, 5, 0)
            < g(2.0, 80, 0) / g(2.0, 5, 0) / 10)
    # For rho <= 1 the parameter gradient "stays small"
    assert printed_norms(0.9)[:, 0].max() < 10
    assert printed_norms(1.0)[:, 0].max() < 10
    # years carry a citation
    for year, key in [("1997", "hochreiter1997"), ("2000", "gers2000"),
                      ("2013", "pascanu2013")]:
        assert re.search(rf"{year}[^\n]*\n?[^\n]*\[@{key}\]", page), year


def test_built_page_shows_equal_tabs(site):
    html = (site / "history/1997-lstm/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    # the NumPy and PyTorch tabs print the same table, and the same norms
    assert text.count("rho=0.9   rho=1.0   rho=1.5   rho=2.0") == 4
    assert text.count("norm before clipping: 14676.5") == 2
    assert text.count("norm after clipping:  1.000000") == 2

"""Tests for snippets/history/transformer_2017.py (the 2017 chapter)."""

import re

import numpy as np
import pytest
import torch
from torch.nn.functional import scaled_dot_product_attention

from snippets.history import transformer_2017 as tf
from tests.conftest import ROOT
from tools.records import output

PAGE = ROOT / "docs/history/2017-transformer.md"
PAGE_NAME = "history/2017-transformer.md"

# Float64 throughout: NumPy and PyTorch differ only by rounding, a few
# units of 1e-16 here; atol 1e-12 leaves room for summation order.
ATOL = 1e-12


@pytest.mark.parametrize(
    "batch, n, m, d_k, d_v",
    [((), 3, 5, 4, 2), ((2,), 7, 7, 16, 16), ((2, 3), 4, 9, 8, 5)],
)
def test_attention_matches_torch(batch, n, m, d_k, d_v):
    rng = np.random.default_rng(1)
    Q = rng.standard_normal((*batch, n, d_k))
    K = rng.standard_normal((*batch, m, d_k))
    V = rng.standard_normal((*batch, m, d_v))
    out, A = tf.attention(Q, K, V)
    expected = scaled_dot_product_attention(
        *(torch.from_numpy(x) for x in (Q, K, V))
    ).numpy()
    np.testing.assert_allclose(out, expected, rtol=0, atol=ATOL)
    np.testing.assert_allclose(A.sum(axis=-1), 1.0, rtol=0, atol=ATOL)
    assert A.shape == (*batch, n, m) and (A > 0).all()


def test_softmax_matches_torch_and_never_overflows():
    s = np.array([[-1000.0, 0.0, 1000.0], [1.0, 2.0, 3.0], [5.0, 5.0, 5.0]])
    with np.errstate(over="raise", invalid="raise"):
        p = tf.softmax(s)
    expected = torch.softmax(torch.from_numpy(s), dim=-1).numpy()
    np.testing.assert_allclose(p, expected, rtol=1e-15, atol=1e-300)
    np.testing.assert_array_equal(p[0], [0.0, 0.0, 1.0])


def test_the_two_tabs_print_the_same_output():
    rng = np.random.default_rng(0)
    Q, K, V = (rng.standard_normal(shape)
               for shape in ((3, 4), (5, 4), (5, 2)))
    out, _ = tf.attention(Q, K, V)
    expected = scaled_dot_product_attention(
        *(torch.from_numpy(x) for x in (Q, K, V))
    ).numpy()
    np.testing.assert_allclose(out, expected, rtol=0, atol=ATOL)
    # what the two tabs printed (the build's runs, from the cache)
    numpy_tab = output(PAGE_NAME, "attention.py")
    torch_tab = output(PAGE_NAME, "attention_torch.py")
    label = "output, one row per query:\n"
    assert torch_tab.startswith(label) and label in numpy_tab
    assert numpy_tab[numpy_tab.index(label):] == torch_tab


def mha_torch(X, W_q, W_k, W_v, W_o, num_heads):
    """torch.nn.MultiheadAttention with our weights copied in. It computes
    x @ W.T, so it gets the transposes; no biases (ours has none)."""
    d_model = X.shape[1]
    mha = torch.nn.MultiheadAttention(d_model, num_heads, bias=False,
                                      batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(
            torch.from_numpy(np.concatenate([W_q.T, W_k.T, W_v.T]))
        )
        mha.out_proj.weight.copy_(torch.from_numpy(W_o.T))
        x = torch.from_numpy(X)[None]  # a batch of one sequence
        out, _ = mha(x, x, x, need_weights=False)
    return out[0].numpy()


@pytest.mark.parametrize("n, d_model, num_heads", [(5, 16, 4), (6, 12, 3),
                                                   (4, 8, 1), (3, 8, 8)])
def test_multi_head_attention_matches_torch(n, d_model, num_heads):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((n, d_model))
    Ws = rng.standard_normal((4, d_model, d_model)) / np.sqrt(d_model)
    mine = tf.multi_head_attention(X, *Ws, num_heads=num_heads)
    np.testing.assert_allclose(mine, mha_torch(X, *Ws, num_heads), rtol=0,
                               atol=ATOL)


def test_one_head_is_plain_attention():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((5, 8))
    W_q, W_k, W_v, W_o = rng.standard_normal((4, 8, 8))
    out, _ = tf.attention(X @ W_q, X @ W_k, X @ W_v)
    np.testing.assert_allclose(
        tf.multi_head_attention(X, W_q, W_k, W_v, W_o, num_heads=1),
        out @ W_o,
        rtol=0, atol=ATOL,
    )


def test_head_dim_of_the_paper_models():
    assert tf.head_dim() == 64  # defaults: the base model
    assert tf.head_dim(d_model=512, num_heads=8) == 64
    assert tf.head_dim(d_model=1024, num_heads=16) == 64


def test_heads_block_prints_the_paper_sizes():
    text = output(PAGE_NAME, "heads.py")
    assert "base: d_model =  512, h =  8 -> d_k = 64" in text
    assert " big: d_model = 1024, h = 16 -> d_k = 64" in text
    assert ("ValueError: d_model must be divisible by num_heads, got "
            "d_model=512, num_heads=7") in text


def test_d_model_not_divisible_by_num_heads_names_both():
    with pytest.raises(
        ValueError,
        match=r"^d_model must be divisible by num_heads, got d_model=512, "
              r"num_heads=7$",
    ):
        tf.head_dim(d_model=512, num_heads=7)
    with pytest.raises(ValueError, match=r"d_model=16, num_heads=3"):
        tf.multi_head_attention(np.zeros((2, 16)), *np.zeros((4, 16, 16)),
                                num_heads=3)


@pytest.mark.parametrize("num_heads", [0, -8, 2.0, "8", True, None])
def test_bad_num_heads_is_refused(num_heads):
    with pytest.raises(ValueError,
                       match=r"^num_heads must be an integer >= 1, got"):
        tf.head_dim(d_model=512, num_heads=num_heads)


@pytest.mark.parametrize("d_model", [0, -512, 512.0, "512", False])
def test_bad_d_model_is_refused(d_model):
    with pytest.raises(ValueError,
                       match=r"^d_model must be an integer >= 1, got"):
        tf.head_dim(d_model=d_model, num_heads=8)


@pytest.mark.parametrize(
    "kwargs, name, low",
    [(dict(d_k=0), "d_k", 1), (dict(d_k=6.4), "d_k", 1),
     (dict(d_k=64, n_keys=1), "n_keys", 2),
     (dict(d_k=64, n_queries=0), "n_queries", 1)],
)
def test_bad_score_stats_arguments_are_refused(kwargs, name, low):
    with pytest.raises(ValueError,
                       match=rf"^{name} must be an integer >= {low}, got"):
        tf.score_stats(**kwargs)


def scale_table() -> dict[int, dict[str, tuple[float, float, float]]]:
    """d_k -> {"unscaled"/"scaled": (std, largest weight, share > 0.99)},
    as scale.py prints it on the page (the build's run, read from the
    execution cache)."""
    text = output(PAGE_NAME, "scale.py")
    table = {}
    for line in text.splitlines():
        cells = line.split()
        if len(cells) != 7 or not cells[0].isdigit():
            continue  # the headers and the uniform weight
        d_k, s_u, s_s, m_u, m_s, f_u, f_s = cells
        table[int(d_k)] = {
            "unscaled": (float(s_u), float(m_u), float(f_u[:-1]) / 100),
            "scaled": (float(s_s), float(m_s), float(f_s[:-1]) / 100),
        }
    assert list(table) == [16, 64, 256]
    return table


def test_scores_spread_like_sqrt_d_k_and_scaling_undoes_it():
    by_d_k = scale_table()
    for d_k, stats in by_d_k.items():
        std_raw, std_scaled = stats["unscaled"][0], stats["scaled"][0]
        # 2000 x 64 correlated scores: the std is within 5% of its value
        assert std_raw == pytest.approx(np.sqrt(d_k), rel=0.05)
        assert std_scaled == pytest.approx(1.0, rel=0.05)


def test_without_the_scale_the_softmax_saturates():
    by_d_k = scale_table()
    tops = [by_d_k[d]["unscaled"][1] for d in (16, 64, 256)]
    saturated = [by_d_k[d]["unscaled"][2] for d in (16, 64, 256)]
    assert tops == sorted(tops) and saturated == sorted(saturated)
    for stats in by_d_k.values():
        assert stats["scaled"][2] == 0.0  # no scaled query saturates
        assert stats["unscaled"][1] > 5 * stats["scaled"][1]


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = PAGE.read_text()
    by_d_k = scale_table()
    spread = [round(float(by_d_k[d]["unscaled"][0])) for d in (16, 64, 256)]
    assert spread == [4, 8, 16]
    assert ("spread is close to 4, 8 and 16 for\n$d_k$ = 16, 64 and 256"
            in page)
    share = by_d_k[256]["unscaled"][2]
    assert 0.4 < share < 0.5  # "nearly half"
    assert "at $d_k = 256$ nearly half of the queries put\nmore than 0.99" \
        in page
    for stats in by_d_k.values():
        assert round(float(stats["scaled"][1]), 2) == pytest.approx(
            0.11, abs=0.005)
    assert "largest weight stays near 0.11" in page
    assert "against 64 keys, averaged over 2000 random queries" in page
    printed = output(PAGE_NAME, "scale.py")
    assert printed.startswith("2000 queries, each against 64 keys\n")
    defaults = tf.score_stats.__kwdefaults__
    assert defaults["n_keys"] == 64 and defaults["n_queries"] == 2000


def table_row(page, label):
    """The cells of the hyperparameter table's row that starts with label."""
    m = re.search(rf"^\| {re.escape(label)} \| (.+) \| (.+) \|$", page,
                  re.M)
    assert m, f"no table row {label!r}"
    return m.group(1), m.group(2)


def test_the_table_is_consistent():
    page = PAGE.read_text()
    d_model = [int(x) for x in table_row(page,
                                         r"model width $d_{\text{model}}$")]
    num_heads = [int(x) for x in table_row(page, "heads $h$")]
    d_k = [int(x) for x in table_row(page, "head width $d_k = d_v$")]
    assert d_model == [512, 1024] and num_heads == [8, 16]
    assert d_k == [tf.head_dim(d_model=m, num_heads=n)
                   for m, n in zip(d_model, num_heads)]


def test_built_page_shows_the_same_output_in_both_tabs(site):
    html = (site / "history/2017-transformer/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    assert text.count("[[-0.1425  0.7166]") == 2

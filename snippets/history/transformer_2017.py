"""2017: the Transformer's scaled dot-product attention, from scratch.

softmax(Q K^T / sqrt(d_k)) V in NumPy, why the 1/sqrt(d_k) is there, and
how the heads split the model width d_model. The page
docs/history/2017-transformer.md shows the sections of this script;
importing it runs nothing, and
``python -m snippets.history.transformer_2017`` runs every experiment of
the page.
"""

# --8<-- [start:attention]
import numpy as np


def softmax(s, axis=-1):
    """exp(s) / sum(exp(s)); subtracting the row max avoids overflow."""
    e = np.exp(s - s.max(axis=axis, keepdims=True))  # in (0, 1]
    return e / e.sum(axis=axis, keepdims=True)


def attention(Q, K, V):
    """softmax(Q K^T / sqrt(d_k)) V, batched over any leading axes.

    Q (..., n, d_k), K (..., m, d_k), V (..., m, d_v); returns the output
    (..., n, d_v) and the weights A (..., n, m), each row summing to 1.
    """
    d_k = Q.shape[-1]
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(d_k)  # (..., n, m)
    A = softmax(scores)
    return A @ V, A
# --8<-- [end:attention]


# --8<-- [start:scale]
def score_stats(*, d_k, n_keys=64, n_queries=2000, seed=0):
    """q, k with independent N(0, 1) entries: the std of the scores q.k,
    the mean largest softmax weight over n_keys keys, and the share of
    queries that put more than 0.99 on one key; unscaled and scaled."""
    check_int("d_k", d_k, low=1)
    check_int("n_keys", n_keys, low=2)
    check_int("n_queries", n_queries, low=1)
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((n_queries, d_k))
    k = rng.standard_normal((n_keys, d_k))
    raw = q @ k.T  # (n_queries, n_keys); each score has variance d_k
    stats = {}
    for name, s in (("unscaled", raw), ("scaled", raw / np.sqrt(d_k))):
        top = softmax(s).max(axis=1)  # the largest weight of each query
        stats[name] = (s.std(), top.mean(), (top > 0.99).mean())
    return stats


# The argument checks. Python looks a name up when the function that uses
# it runs, so the checks can follow the code that calls them.
def check_int(name, value, *, low, high=None):
    """Raise a ValueError naming `name` unless `value` is an integer in
    [low, high] (no upper bound when high is None)."""
    allowed = (f"an integer >= {low}" if high is None
               else f"an integer in [{low}, {high}]")
    if not (isinstance(value, int) and not isinstance(value, bool)
            and value >= low and (high is None or value <= high)):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
# --8<-- [end:scale]


# --8<-- [start:head_dim]
def head_dim(*, d_model=512, num_heads=8):
    """d_k = d_v = d_model / num_heads: the heads share the model width."""
    check_int("d_model", d_model, low=1)
    check_int("num_heads", num_heads, low=1)
    if d_model % num_heads:
        raise ValueError(f"d_model must be divisible by num_heads, got "
                         f"d_model={d_model}, num_heads={num_heads}")
    return d_model // num_heads
# --8<-- [end:head_dim]


# --8<-- [start:heads]
def split_heads(X, *, num_heads):
    """(n, d_model) -> (num_heads, n, d_k): head i gets columns
    i*d_k..(i+1)*d_k."""
    n, d_model = X.shape
    d_k = head_dim(d_model=d_model, num_heads=num_heads)
    return X.reshape(n, num_heads, d_k).transpose(1, 0, 2)


def multi_head_attention(X, W_q, W_k, W_v, W_o, *, num_heads=8):
    """Self-attention, num_heads heads; X (n, d_model), each W (d_model,
    d_model). Column block i of W_q is the paper's per-head W_i^Q."""
    Q, K, V = (split_heads(X @ W, num_heads=num_heads)
               for W in (W_q, W_k, W_v))
    # (num_heads, n, d_k): the heads run in parallel
    heads, _ = attention(Q, K, V)
    concat = heads.transpose(1, 0, 2).reshape(X.shape)  # (n, d_model)
    return concat @ W_o
# --8<-- [end:heads]


if __name__ == "__main__":
    # --8<-- [start:attention_run]
    rng = np.random.default_rng(0)
    Q = rng.standard_normal((3, 4))  # 3 queries, d_k = 4
    K = rng.standard_normal((5, 4))  # 5 keys
    V = rng.standard_normal((5, 2))  # one value per key, d_v = 2
    out, A = attention(Q, K, V)
    np.set_printoptions(precision=4, suppress=True)
    print("weights, one row per query (each row sums to 1):")
    print(A)
    print("output, one row per query:")
    print(out)
    # --8<-- [end:attention_run]

    # --8<-- [start:attention_torch]
    import numpy as np
    import torch
    from torch.nn.functional import scaled_dot_product_attention

    rng = np.random.default_rng(0)  # the same draws as attention.py
    Q, K, V = (torch.from_numpy(rng.standard_normal(shape))
               for shape in ((3, 4), (5, 4), (5, 2)))
    out = scaled_dot_product_attention(Q, K, V)  # scale: 1/sqrt(d_k)
    np.set_printoptions(precision=4, suppress=True)
    print("output, one row per query:")
    print(out.numpy())
    # --8<-- [end:attention_torch]

    # --8<-- [start:scale_run]
    print("2000 queries, each against 64 keys")
    print("       std of scores      largest weight    one key > 0.99")
    print("d_k  unscaled  scaled   unscaled  scaled   unscaled  scaled")
    for d_k in (16, 64, 256):
        stats = score_stats(d_k=d_k)
        (s_u, m_u, f_u), (s_s, m_s, f_s) = stats["unscaled"], stats["scaled"]
        print(f"{d_k:>3}  {s_u:8.2f}  {s_s:6.2f}   {m_u:8.3f}  {m_s:6.3f}"
              f"   {f_u:8.1%}  {f_s:6.1%}")
    print(f"(uniform weight over 64 keys: {1 / 64:.3f})")
    # --8<-- [end:scale_run]

    # --8<-- [start:heads_run]
    for name, d_model, num_heads in (("base", 512, 8), ("big", 1024, 16)):
        d_k = head_dim(d_model=d_model, num_heads=num_heads)
        print(f"{name:>4}: d_model = {d_model:>4}, h = {num_heads:>2}"
              f" -> d_k = {d_k}")
    try:
        head_dim(d_model=512, num_heads=7)
    except ValueError as error:
        print(f"ValueError: {error}")

    rng = np.random.default_rng(0)
    n, d_model, num_heads = 5, 16, 4  # 5 tokens; 4 heads of width 4
    X = rng.standard_normal((n, d_model))
    W_q, W_k, W_v, W_o = rng.standard_normal((4, d_model, d_model)) / 4
    out = multi_head_attention(X, W_q, W_k, W_v, W_o, num_heads=num_heads)
    shape = split_heads(X, num_heads=num_heads).shape[1:]
    print(f"X {X.shape} -> {num_heads} heads of {shape}"
          f" -> output {out.shape}")
    # --8<-- [end:heads_run]

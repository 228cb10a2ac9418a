"""Tests for snippets/models/transformer.py (the Transformer notebook)."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from snippets.models import transformer as tf
from tests.conftest import ROOT
from tools import records

STORY = ROOT / "notebooks/transformer.py"
BASE = dict(d_model=512, d_ff=2048, num_heads=8)
BIG = dict(d_model=1024, d_ff=4096, num_heads=16)
LAYERS = ("attention", "feed_forward", "layer_norms")
CONFIGS = [  # (encoder layers, decoder layers, d_model, d_ff, num_heads)
    (6, 6, 512, 2048, 8),
    (6, 6, 1024, 4096, 16),
    (2, 3, 64, 100, 4),
    (1, 1, 8, 16, 1),
    (3, 1, 96, 40, 12),
]


def numel(module) -> int:
    """Parameters of a module; a shared (tied) Parameter counts once."""
    return sum(p.numel() for p in module.parameters())


def layers_only(count) -> int:
    return sum(count[k] for k in LAYERS)


# --- the calculator against PyTorch (exact) --------------------------------

# nn.Transformer warns that an odd number of heads disables a fast path
@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
@pytest.mark.parametrize("L_enc, L_dec, d, d_ff, num_heads", CONFIGS)
def test_count_equals_nn_transformer(L_enc, L_dec, d, d_ff, num_heads):
    model = nn.Transformer(d, num_heads, L_enc, L_dec, d_ff, batch_first=True,
                           device="meta")
    count = tf.parameter_count(num_encoder_layers=L_enc,
                               num_decoder_layers=L_dec, d_model=d,
                               d_ff=d_ff, num_heads=num_heads)
    assert layers_only(count) == numel(model)


@pytest.mark.parametrize("L_enc, L_dec, d, d_ff, num_heads", CONFIGS)
def test_one_layer_equals_torch_layers(L_enc, L_dec, d, d_ff, num_heads):
    def layers(enc, dec):
        return layers_only(tf.parameter_count(
            num_encoder_layers=enc, num_decoder_layers=dec, d_model=d,
            d_ff=d_ff, num_heads=num_heads))

    encoder_layer = layers(2, 0) - layers(1, 0)
    decoder_layer = layers(1, 2) - layers(1, 1)
    assert encoder_layer == numel(nn.TransformerEncoderLayer(
        d, num_heads, d_ff, device="meta"))
    assert decoder_layer == numel(nn.TransformerDecoderLayer(
        d, num_heads, d_ff, device="meta"))


class Seq2Seq(nn.Module):
    """nn.Transformer with embeddings and an output projection, shared
    and tied as the calculator's arguments say."""

    def __init__(self, *, L_enc, L_dec, d, d_ff, num_heads, V, max_len, shared,
                 tied, learned):
        super().__init__()
        kw = dict(device="meta")
        self.core = nn.Transformer(d, num_heads, L_enc, L_dec, d_ff,
                                   batch_first=True, **kw)
        self.src = nn.Embedding(V, d, **kw)
        self.tgt = self.src if shared else nn.Embedding(V, d, **kw)
        self.out = nn.Linear(d, V, bias=False, **kw)
        if tied:
            self.out.weight = self.tgt.weight
        if learned:
            self.src_pos = nn.Embedding(max_len, d, **kw)
            self.tgt_pos = nn.Embedding(max_len, d, **kw)


@pytest.mark.parametrize("shared", [True, False])
@pytest.mark.parametrize("tied", [True, False])
@pytest.mark.parametrize("learned", [True, False])
def test_count_with_embeddings_equals_a_torch_model(shared, tied, learned):
    kw = dict(L_enc=2, L_dec=3, d=32, d_ff=48, num_heads=4, V=101, max_len=17)
    model = Seq2Seq(**kw, shared=shared, tied=tied, learned=learned)
    count = tf.parameter_count(
        num_encoder_layers=2, num_decoder_layers=3, d_model=32, d_ff=48,
        num_heads=4, vocab_size=101, max_len=17, shared_embeddings=shared,
        tied_output=tied,
        positions="learned" if learned else "sinusoidal")
    assert count["total"] == numel(model)
    assert count["total"] == sum(v for k, v in count.items()
                                 if k != "total")


@pytest.mark.parametrize("d_model", [8, 16, 32])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_count_equals_the_tiny_model(d_model, num_layers):
    model = tf.TinyTransformer(d_model=d_model, num_heads=2,
                               num_layers=num_layers)
    count = tf.parameter_count(
        num_encoder_layers=num_layers, num_decoder_layers=0,
        d_model=d_model, d_ff=4 * d_model, num_heads=2, vocab_size=10,
        max_len=8, positions="learned", tied_output=False)
    assert count["total"] == numel(model)


# --- the paper's models -----------------------------------------------------

TOLERANCE = 0.05  # |counted / reported - 1|: the paper's counts are rounded


def test_base_and_big_are_within_the_tolerance_of_table_3():
    base = tf.parameter_count(**BASE, vocab_size=37_000)["total"]
    big = tf.parameter_count(**BIG, vocab_size=37_000)["total"]
    assert base == 63_084_544 and big == 214_249_472
    assert abs(base / 65e6 - 1) < TOLERANCE
    assert abs(big / 213e6 - 1) < TOLERANCE
    assert f"{base / 65e6 - 1:+.1%}" == "-2.9%"
    assert f"{big / 213e6 - 1:+.1%}" == "+0.6%"
    # without sharing, the base model would be far from 65M
    untied = tf.parameter_count(**BASE, shared_embeddings=False,
                                tied_output=False)["total"]
    assert abs(untied / 65e6 - 1) > 0.5


def implied_vocabulary(config, reported):
    n = tf.parameter_count(**config, vocab_size=37_000)["total"]
    return (reported - (n - 37_000 * config["d_model"])) / config["d_model"]


def test_no_single_vocabulary_explains_both_counts():
    v_base = implied_vocabulary(BASE, 65e6)
    v_big = implied_vocabulary(BIG, 213e6)
    assert round(v_base, -2) == 40_700 and round(v_big, -2) == 35_800
    assert v_base - v_big > 4000


# --- heads ------------------------------------------------------------------

def test_head_dim():
    assert tf.head_dim(d_model=512, num_heads=8) == 64
    assert tf.head_dim(d_model=1024, num_heads=16) == 64


def test_head_dim_error_names_both():
    with pytest.raises(ValueError, match=r"^d_model must be divisible by "
                       r"num_heads, got d_model=512, num_heads=12$"):
        tf.head_dim(d_model=512, num_heads=12)
    with pytest.raises(ValueError, match=r"divisible by num_heads"):
        tf.parameter_count(d_model=10, num_heads=3)
    # torch says it with an assert instead
    with pytest.raises(AssertionError, match="divisible by num_heads"):
        nn.MultiheadAttention(512, 12)


def test_count_does_not_depend_on_heads():
    counts = {tf.parameter_count(num_heads=num_heads)["total"]
              for num_heads in (1, 2, 4, 8, 16)}
    assert len(counts) == 1
    torch_counts = {numel(nn.MultiheadAttention(512, num_heads, device="meta"))
                    for num_heads in (1, 2, 4, 8, 16)}
    assert torch_counts == {4 * 512 * 512 + 4 * 512}


# --- memory -----------------------------------------------------------------

@pytest.mark.parametrize("precision", ["fp32", "bf16-mixed"])
def test_training_memory_is_16_bytes_per_parameter(precision):
    n = 1_000_003
    m = tf.training_memory(n, precision=precision)
    assert m["total"] == 16 * n
    assert m["adam_moments"] == 8 * n  # two fp32 moments
    assert m["weights"] == (4 if precision == "fp32" else 2) * n


def test_memory_of_the_paper_models():
    base = tf.parameter_count(**BASE)["total"]
    big = tf.parameter_count(**BIG)["total"]
    assert f"{tf.training_memory(base)['total'] / tf.GB:.1f}" == "1.0"
    assert f"{tf.training_memory(big)['total'] / tf.GB:.2f}" == "3.43"


# --- activations: the formula against the measurement (exact) ---------------

@pytest.mark.parametrize("d, num_heads, d_ff", [(64, 4, 256), (32, 2, 50),
                                                (96, 8, 128), (16, 1, 16)])
@pytest.mark.parametrize("dropout", [0.1, 0.3, 0.0])
def test_activation_formula_equals_the_measurement(d, num_heads, d_ff,
                                                    dropout):
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(d, num_heads, d_ff, dropout=dropout,
                                       batch_first=True)
    for seq_len in (1, 7, 16, 40):
        for batch_size in (1, 3):
            measured = tf.saved_bytes_per_token(layer, seq_len=seq_len,
                                                batch_size=batch_size)
            formula = tf.activation_bytes_per_token(
                d_model=d, d_ff=d_ff, num_heads=num_heads, seq_len=seq_len,
                dropout=dropout)
            assert measured == formula, (seq_len, batch_size)


def test_the_measurement_sees_the_attention_weights():
    # The 3 h T part: three (batch, heads, T, T) tensors, 4 bytes a number.
    layer = nn.TransformerEncoderLayer(64, 4, 256, dropout=0.1,
                                       batch_first=True)
    per_token = [tf.saved_bytes_per_token(layer, seq_len=T)
                 for T in (16, 32)]
    assert per_token[1] - per_token[0] == 4 * 3 * 4 * 16


def test_activation_numbers_in_the_prose():
    base = dict(d_model=512, d_ff=2048, num_heads=8)
    # at T = 512 the attention weights equal everything else
    assert 3 * 8 * 512 == 12 * 512 + 3 * 2048 == 12_288
    kb = [tf.activation_bytes_per_token(**base, seq_len=T) / 1e3
          for T in (64, 512)]
    assert [f"{v:.1f}" for v in kb] == ["55.3", "98.3"]
    total = 6 * 25_000 * tf.activation_bytes_per_token(**base, seq_len=64)
    assert f"{total / tf.GB:.1f}" == "8.3"


# --- sinusoidal positions ---------------------------------------------------

def test_encoding_shape_values_and_range():
    PE = tf.sinusoidal_encoding(max_len=50, d_model=16)
    assert PE.shape == (50, 16)
    assert np.all(np.abs(PE) <= 1)
    np.testing.assert_array_equal(PE[0], np.tile([0.0, 1.0], 8))
    for pos, i in ((1, 0), (10, 3), (49, 7)):  # exact: the same formula
        angle = pos / 10000 ** (2 * i / 16)
        assert PE[pos, 2 * i] == pytest.approx(math.sin(angle), abs=1e-15)
        assert PE[pos, 2 * i + 1] == pytest.approx(math.cos(angle),
                                                   abs=1e-15)
    assert PE[1, 0] == pytest.approx(math.sin(1.0), abs=1e-15)
    assert PE[1, 1] == pytest.approx(math.cos(1.0), abs=1e-15)


@pytest.mark.parametrize("d_model", [2, 16, 64])
def test_a_shift_is_a_rotation_that_depends_on_k_only(d_model):
    PE = tf.sinusoidal_encoding(max_len=200, d_model=d_model)
    for k in (0, 1, 5, 23, 100):
        M = tf.shift_matrix(k, d_model=d_model)
        # the same M_k for every pos (float64: atol 1e-12)
        for pos in (0, 1, 17, 60, 99):
            np.testing.assert_allclose(M @ PE[pos], PE[pos + k], atol=1e-12)
        # block diagonal, orthogonal, 2 x 2 rotations
        mask = np.kron(np.eye(d_model // 2), np.ones((2, 2)))
        assert np.all(M[mask == 0] == 0)
        np.testing.assert_allclose(M @ M.T, np.eye(d_model), atol=1e-12)
        for i in range(d_model // 2):
            block = M[2 * i:2 * i + 2, 2 * i:2 * i + 2]
            assert np.linalg.det(block) == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(  # shifts compose: M_3 M_4 = M_7
        tf.shift_matrix(3, d_model=d_model) @ tf.shift_matrix(
            4, d_model=d_model), tf.shift_matrix(7, d_model=d_model),
        atol=1e-12)


@pytest.mark.parametrize("kw, message", [
    (dict(d_model=7), r"d_model must be even"),
    (dict(d_model=0), r"d_model must be an integer >= 1"),
    (dict(d_model=-2), r"d_model must be an integer >= 1"),
    (dict(max_len=0), r"max_len must be an integer >= 1"),
    (dict(max_len=2.5), r"max_len must be an integer >= 1"),
])
def test_encoding_refuses_bad_sizes(kw, message):
    with pytest.raises(ValueError, match=message):
        tf.sinusoidal_encoding(**kw)


def test_shift_matrix_refuses_bad_arguments():
    with pytest.raises(ValueError, match=r"^k must be an integer >= -inf, "
                       r"got 1\.5$"):
        tf.shift_matrix(1.5)
    with pytest.raises(ValueError, match=r"d_model must be even"):
        tf.shift_matrix(1, d_model=5)


# --- the learning-rate schedule ---------------------------------------------

def test_schedule_values_and_peak():
    assert tf.transformer_lr(4000) == pytest.approx(
        (512 * 4000) ** -0.5, rel=1e-15)
    assert tf.transformer_lr(1) == pytest.approx(512 ** -0.5 * 4000 ** -1.5)
    assert tf.transformer_lr(16_000) == pytest.approx(
        512 ** -0.5 * 16_000 ** -0.5)
    for d_model, text in ((512, "6.988e-04"), (1024, "4.941e-04")):
        lrs = [tf.transformer_lr(s, d_model=d_model)
               for s in range(1, 20_001)]
        peak = max(lrs)
        assert lrs.index(peak) + 1 == 4000
        assert f"{peak:.3e}" == text
        rising, falling = np.diff(lrs[:4000]), np.diff(lrs[3999:])
        assert (rising > 0).all() and (falling < 0).all()


def test_schedule_equals_lambdalr_driving_adam():
    # LambdaLR multiplies lr = 1.0 by the schedule, so the rates should be
    # equal to rounding: relative tolerance 1e-12 (in practice, equal).
    w = torch.zeros(2, requires_grad=True)
    opt = torch.optim.Adam([w], lr=1.0, betas=(0.9, 0.98), eps=1e-9)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda n: tf.transformer_lr(n + 1, d_model=1024, warmup=300))
    for step in range(1, 3001):
        used = opt.param_groups[0]["lr"]
        assert used == pytest.approx(
            tf.transformer_lr(step, d_model=1024, warmup=300), rel=1e-12)
        (w ** 2).sum().add(w.sum()).backward()
        opt.step()
        opt.zero_grad()
        sched.step()


@pytest.mark.parametrize("kw, message", [
    (dict(step=0), r"step must be an integer >= 1"),
    (dict(step=1.5), r"step must be an integer >= 1"),
    (dict(step=10, warmup=0), r"warmup must be an integer >= 1"),
    (dict(step=10, d_model=0), r"d_model must be an integer >= 1"),
])
def test_schedule_refuses_bad_arguments(kw, message):
    step = kw.pop("step")
    with pytest.raises(ValueError, match=message):
        tf.transformer_lr(step, **kw)


# --- dropout ----------------------------------------------------------------

def test_where_the_encoder_layer_drops():
    layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.25,
                                       batch_first=True)
    drops = {name: m.p for name, m in layer.named_modules()
             if isinstance(m, nn.Dropout)}
    assert drops == {"dropout": 0.25, "dropout1": 0.25, "dropout2": 0.25}
    assert layer.self_attn.dropout == 0.25


def test_attention_dropout_acts_in_training_only():
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.1,
                                       batch_first=True)
    x = torch.randn(1, 6, 16)
    _, A = layer.self_attn(x, x, x, average_attn_weights=False)
    kept = A[A > 0]
    # a dropped weight is 0; every row sums to 1/(1-p) times what is kept
    assert (A == 0).any()
    sums = A.sum(-1)
    assert sums.max().item() == pytest.approx(1 / 0.9, rel=1e-6)
    assert (sums < 1 / 0.9 - 1e-6).any() and kept.numel() < A.numel()
    layer.eval()
    _, A = layer.self_attn(x, x, x, average_attn_weights=False)
    torch.testing.assert_close(A.sum(-1), torch.ones(1, 2, 6))
    assert torch.equal(layer(x), layer(x))
    layer.train()
    assert not torch.equal(layer(x), layer(x))


# --- label smoothing --------------------------------------------------------

def test_smoothed_targets():
    q = tf.smoothed_targets(np.array([0, 3]), num_classes=5,
                            label_smoothing=0.1)
    np.testing.assert_allclose(q.sum(1), 1.0, rtol=0, atol=1e-15)
    assert q[0, 0] == pytest.approx(0.9 + 0.02) and q[0, 1] == 0.02


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.3])
@pytest.mark.parametrize("K", [2, 10, 37])
def test_smoothed_cross_entropy_equals_torch(eps, K):
    # float64 on both sides: rtol 1e-12
    rng = np.random.default_rng(K)
    logits = rng.normal(scale=3.0, size=(20, K))
    y = rng.integers(0, K, size=20)
    ours = tf.smoothed_cross_entropy(logits, y, label_smoothing=eps)
    theirs = nn.CrossEntropyLoss(label_smoothing=eps)(
        torch.from_numpy(logits), torch.from_numpy(y)).item()
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_smoothing_numbers_in_the_prose():
    def loss(gap, eps):
        logits = np.zeros((1, 10))
        logits[0, 3] = gap
        return tf.smoothed_cross_entropy(logits, np.array([3]),
                                         label_smoothing=eps)

    assert f"{loss(10, 0.0):.6f}" == "0.000409"
    assert f"{loss(10, 0.1):.3f}" == "0.900"
    best = math.log(91)  # where softmax equals the smoothed target
    assert f"{best:.2f}" == "4.51"
    assert f"{loss(best, 0.1):.3f}" == "0.500"
    for gap in np.linspace(0, 12, 121):  # the minimum is at log 91
        assert loss(gap, 0.1) >= loss(best, 0.1) - 1e-12
    q = np.full(10, 0.01)
    q[3] = 0.91
    assert loss(best, 0.1) == pytest.approx(-(q * np.log(q)).sum())


@pytest.mark.parametrize("eps", [-0.1, 1.0, 1.5, "0.1", True])
def test_smoothing_refuses_bad_values(eps):
    with pytest.raises(ValueError, match=r"label_smoothing must be a "
                       r"number in \[0, 1\)"):
        tf.smoothed_cross_entropy(np.zeros((1, 3)), np.array([0]),
                                  label_smoothing=eps)


def test_smoothing_needs_two_classes():
    with pytest.raises(ValueError, match=r"num_classes must be an integer"
                       r" >= 2"):
        tf.smoothed_targets(np.array([0]), num_classes=1)


# --- validation of the size hyperparameters ---------------------------------

@pytest.mark.parametrize("kw, message", [
    (dict(num_encoder_layers=0), r"num_encoder_layers must be an integer"
     r" >= 1, got 0"),
    (dict(num_decoder_layers=-1), r"num_decoder_layers must be an integer"
     r" >= 0, got -1"),
    (dict(d_model=0), r"d_model must be an integer >= 1, got 0"),
    (dict(d_model=512.0), r"d_model must be an integer >= 1"),
    (dict(d_ff=0), r"d_ff must be an integer >= 1, got 0"),
    (dict(num_heads=0), r"^num_heads must be an integer >= 1, got 0"),
    (dict(num_heads=7), r"^d_model must be divisible by num_heads"),
    (dict(vocab_size=0), r"vocab_size must be an integer >= 1, got 0"),
    (dict(max_len=0), r"max_len must be an integer >= 1, got 0"),
    (dict(shared_embeddings=1), r"shared_embeddings must be True or False"),
    (dict(tied_output="yes"), r"tied_output must be True or False"),
    (dict(positions="rotary"), r"^positions must be one of 'sinusoidal', "
     r"'learned', got 'rotary'"),
    (dict(num_encoder_layers=True), r"num_encoder_layers must be an "
     r"integer"),
])
def test_parameter_count_refuses_bad_values(kw, message):
    with pytest.raises(ValueError, match=message):
        tf.parameter_count(**kw)


@pytest.mark.parametrize("kw, message", [
    (dict(dropout=1.0), r"dropout must be a number in \[0, 1\), got 1.0"),
    (dict(dropout=-0.1), r"dropout must be a number in \[0, 1\)"),
    (dict(seq_len=0), r"seq_len must be an integer >= 1, got 0"),
    (dict(d_ff=0), r"d_ff must be an integer >= 1"),
    (dict(num_heads=3), r"^d_model must be divisible by num_heads"),
])
def test_activation_formula_refuses_bad_values(kw, message):
    with pytest.raises(ValueError, match=message):
        tf.activation_bytes_per_token(**kw)


def test_memory_refuses_bad_values():
    with pytest.raises(ValueError, match=r"^precision must be one of "
                       r"'fp32', 'bf16-mixed', got 'fp16'"):
        tf.training_memory(10, precision="fp16")
    with pytest.raises(ValueError, match=r"^n_params must be an integer "
                       r">= 1, got 0"):
        tf.training_memory(0)


def test_measurement_refuses_bad_values():
    layer = nn.TransformerEncoderLayer(8, 2, 8, batch_first=True)
    with pytest.raises(ValueError, match=r"seq_len must be an integer"):
        tf.saved_bytes_per_token(layer, seq_len=0)
    with pytest.raises(ValueError, match=r"batch_size must be an integer"):
        tf.saved_bytes_per_token(layer, seq_len=4, batch_size=0)


@pytest.mark.parametrize("kw, message", [
    (dict(d_model=10, num_heads=4),
     r"^d_model must be divisible by num_heads"),
    (dict(num_layers=0), r"num_layers must be an integer >= 1"),
    (dict(d_ff=0), r"d_ff must be an integer >= 1"),
])
def test_tiny_model_refuses_bad_values(kw, message):
    with pytest.raises(ValueError, match=message):
        tf.TinyTransformer(**kw)


@pytest.mark.parametrize("kw, message", [
    (dict(num_steps=0), r"^num_steps must be an integer >= 1, got 0"),
    (dict(batch_size=0), r"batch_size must be an integer >= 1"),
    (dict(warmup=0), r"warmup must be an integer >= 1"),
])
def test_training_refuses_bad_values(kw, message):
    with pytest.raises(ValueError, match=message):
        tf.train_sorter(**kw)


# --- the tiny Transformer ---------------------------------------------------

def test_sorting_batch():
    x, y = tf.sorting_batch(5, generator=torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (5, 8)
    assert torch.equal(y, x.sort(dim=1).values)
    assert torch.equal(y.sort(dim=1).values, y)


def test_training_is_deterministic():
    # two short runs of the same seed, compared with each other (the
    # notebook's own 300-step runs are read from its record below)
    runs = [tf.train_sorter(d_model=8, num_steps=20) for _ in range(2)]
    (_, losses, acc), (_, again, acc_again) = runs
    assert len(losses) == 20
    assert losses == again and acc == acc_again
    _, other, _ = tf.train_sorter(d_model=8, num_steps=20, seed=1)
    assert other != losses


def sorting_tables():
    """What the sorting cells printed when the build ran the notebook (its
    record): per width, the parameter counts and the sequence accuracy of
    each seed; the medians and ranges of the seeds; the median losses."""
    per_seed = records.cell_output("transformer", "sorters")
    summary = records.cell_output("transformer", "sorter_summary")
    assert per_seed.startswith("d_model  parameters")
    accuracy, losses = summary.split("\n\n")
    assert losses.startswith("d_model  mean loss, steps 1-50  steps 251")
    return ([line.split() for line in per_seed.splitlines()[1:]],
            [line.split() for line in accuracy.splitlines()[2:]],
            [line.split() for line in losses.splitlines()[1:]])


def median_and_range(cells):
    """'0.940', '[0.870,', '0.958]' -> (0.94, 0.87, 0.958)"""
    return tuple(float(c.strip("[],")) for c in cells)


def test_the_sorting_tables_agree_with_each_other():
    # "     16       3,760 / 3,760                 0.958 0.957 0.907 ..."
    per_seed, summary, losses = sorting_tables()
    assert [int(r[0]) for r in per_seed] == [8, 16, 32]
    assert [int(r[0]) for r in summary] == [8, 16, 32]
    assert [int(r[0]) for r in losses] == [8, 16, 32]
    for row, line in zip(per_seed, summary):
        d, counted, slash, n, *accs = row
        assert counted == n and slash == "/"  # calculator / torch
        assert int(n.replace(",", "")) == tf.parameter_count(
            num_encoder_layers=1, num_decoder_layers=0, d_model=int(d),
            d_ff=4 * int(d), num_heads=2, vocab_size=10, max_len=8,
            positions="learned", tied_output=False)["total"]
        assert len(accs) == 5  # "five seeds"
        # the summary's median and range are those of the seeds printed
        # (the median of five is one of them, so as printed)
        seq = [float(a) for a in accs]
        assert median_and_range(line[4:7]) == (
            sorted(seq)[2], min(seq), max(seq))


def test_what_the_prose_says_about_the_sorters():
    # the claims of the prose, checked on the numbers the notebook printed
    # when the build ran it; `make kernels` runs this under every setting
    per_seed, summary, losses = sorting_tables()
    params = {int(r[0]): int(r[3].replace(",", "")) for r in per_seed}
    token = {int(r[0]): median_and_range(r[1:4]) for r in summary}
    seq = {int(r[0]): median_and_range(r[4:7]) for r in summary}
    median = {d: v[0] for d, v in seq.items()}
    low = {d: v[1] for d, v in seq.items()}
    high = {d: v[2] for d, v in seq.items()}
    # "about nine digits in ten are right"
    assert round(token[8][0], 1) == 0.9
    # "fewer than half on the median"
    assert median[8] < 0.5
    # "its best seed is far below the worst of 16"
    assert high[8] < low[16] - 0.2
    # "3.6 times the parameters"
    assert f"{params[32] / params[16]:.1f}" == "3.6"
    # "the median moves ... by less than the seeds of either width differ
    # among themselves"
    step = abs(median[32] - median[16])
    assert step < high[16] - low[16] and step < high[32] - low[32], seq
    # "a single run of each could rank the two widths either way"
    assert low[32] < high[16] and low[16] < high[32], seq
    # "width pays until the model is wide enough": 8 -> 16 is the big step
    assert median[16] - median[8] > 5 * step
    # the losses: "the wider the model, the faster its loss falls at
    # first" (also the figure's description), "8 ends with a training
    # loss several times that of the other two"
    first = {int(r[0]): float(r[1]) for r in losses}
    last = {int(r[0]): float(r[2]) for r in losses}
    assert first[32] < first[16] < first[8]
    assert last[8] > 3 * max(last[16], last[32])


def test_the_prose_shows_the_sorters_numbers():
    # the glued numbers (tools/glue.py) are the printed medians and ranges
    _, summary, _ = sorting_tables()
    token = {r[0]: r[1] for r in summary}
    seq = {r[0]: [c.strip("[],") for c in r[4:7]] for r in summary}
    nb = records.notebook("transformer")
    prose = " ".join(" ".join(c.source.split()) for c in nb.cells
                     if c.cell_type == "markdown")
    assert "{{" not in prose
    for text in (
        f"(the median is {token['8']})",
        f"sort between {seq['8'][1]} and {seq['8'][2]} of the held-out",
        f"the worst of 16, {seq['16'][1]}.",
        f"the median moves from {seq['16'][0]} to {seq['32'][0]},",
        f"(16 reaches up to {seq['16'][2]}, 32 spans {seq['32'][1]} to "
        f"{seq['32'][2]})",
    ):
        assert text in prose


# --- the story --------------------------------------------------------------

def test_numbers_in_the_prose_are_what_the_code_computes():
    text = STORY.read_text()
    base = tf.parameter_count(**BASE)
    big = tf.parameter_count(**BIG)
    assert f"{base['total'] / 1e6:.1f}M against 65M" in text
    assert f"{big['total'] / 1e6:.1f}M against 213M" in text
    assert f"are {base['layer_norms']:,} numbers" in text
    share = f"{base['layer_norms'] / base['total']:.3%}"
    assert share == "0.052%" and f"numbers, {share})" in text
    assert "roughly\n#   40,700" in text and "about\n#   35,800" in text
    untied = tf.parameter_count(**BASE, shared_embeddings=False,
                                tied_output=False)["total"]
    assert f"about {untied / 1e6:.0f}M parameters" in text
    assert "the 8.3 GB above, more than the 1.0 GB" in text
    assert "costs almost nothing, 0.000409" in text
    assert "costs 0.900" in text and "lowest, 0.500" in text
    assert "with 3.6 times the\n# parameters" in text
    assert "44 million" in text
    layers = nn.Transformer(batch_first=True, device="meta")
    assert f"{numel(layers) / 1e6:.0f}" == "44"


def test_story_cites_and_links_only_what_exists():
    text = STORY.read_text()
    assert "../../history/2017-transformer/" in text
    assert ".md)" not in text  # built URLs only


def test_notebook_prints_the_counts():
    # what the page shows under the first cells; that the built page shows
    # the recorded outputs is tests/site/test_code_blocks.py's check
    base = tf.parameter_count(**BASE)
    assert f"total:  {base['total']:,}\n" in records.cell_output(
        "transformer", "counts")
    assert base["total"] == 63_084_544
    layers = numel(nn.Transformer(batch_first=True, device="meta"))
    assert records.cell_output("transformer", "torch_counts") == (
        f"nn.Transformer: {layers:,} parameters; calculator: {layers:,}\n")
    assert layers == 44_140_544



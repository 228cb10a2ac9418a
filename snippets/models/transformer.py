"""The Transformer's hyperparameters, counted, measured and trained.

A calculator from the size hyperparameters to parameters and memory, the
activations a real encoder layer saves for backward, heads, sinusoidal
positions, the paper's learning-rate schedule, dropout and label
smoothing, and a tiny encoder trained to sort digit strings. The
notebook chapter notebooks/transformer.py shows the sections of this
module in order and calls them; importing it runs nothing, and
``python -m snippets.models.transformer`` runs the story's cells in order.
"""

# head_dim has one home, the 2017 history chapter; the story includes its
# section with this one, and the functions here call it.
from snippets.history.transformer_2017 import head_dim

# --8<-- [start:count]
import math
from numbers import Real


def parameter_count(*, num_encoder_layers=6, num_decoder_layers=6,
                    d_model=512, d_ff=2048, num_heads=8, vocab_size=37_000,
                    max_len=512, shared_embeddings=True, tied_output=True,
                    positions="sinusoidal"):
    """Parameters of an encoder-decoder Transformer, per component.

    The layers are torch.nn.Transformer's (post-norm, every Linear with a
    bias, a final LayerNorm after each stack); num_decoder_layers=0 gives
    an encoder-only model. Tokens are embedded by a vocab_size x d_model
    table (one for source and target if shared_embeddings), positions
    are sinusoidal (no parameters) or learned (a max_len x d_model table
    per stack), and the output projection is d_model -> vocab_size
    without a bias, its weight tied to the target embedding or not.
    """
    check_int("num_encoder_layers", num_encoder_layers, low=1)
    check_int("num_decoder_layers", num_decoder_layers, low=0)
    check_int("d_ff", d_ff, low=1)
    head_dim(d_model=d_model, num_heads=num_heads)  # checks both
    check_int("vocab_size", vocab_size, low=1)
    check_int("max_len", max_len, low=1)
    check_bool("shared_embeddings", shared_embeddings)
    check_bool("tied_output", tied_output)
    check_choice("positions", positions, ("sinusoidal", "learned"))
    d = d_model
    stacks = 1 + (num_decoder_layers > 0)  # encoder, and decoder if any
    # W_Q, W_K, W_V, W_O: d x d each, whatever the number of heads
    attention_block = 4 * d * d + 4 * d
    ff_block = d * d_ff + d_ff + d_ff * d + d  # two Linear layers
    norm = 2 * d  # LayerNorm: a gain and a bias per feature
    tables = 2 if stacks == 2 and not shared_embeddings else 1
    count = {
        "embeddings": tables * vocab_size * d,
        "positions": (stacks * max_len * d if positions == "learned"
                      else 0),
        # self-attention in every layer, cross-attention in the decoder
        "attention": attention_block * (num_encoder_layers
                                        + 2 * num_decoder_layers),
        "feed_forward": ff_block * (num_encoder_layers
                                    + num_decoder_layers),
        # 2 per encoder layer, 3 per decoder layer, 1 after each stack
        "layer_norms": norm * (2 * num_encoder_layers
                               + 3 * num_decoder_layers + stacks),
        "output": 0 if tied_output else d * vocab_size,
    }
    count["total"] = sum(count.values())
    return count


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


def check_bool(name, value):
    """Raise a ValueError naming `name` unless `value` is True or False."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")


def check_choice(name, value, choices):
    """Raise a ValueError naming `name` unless `value` is one of
    `choices`."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
# --8<-- [end:count]


# --8<-- [start:memory]
GB = 1e9  # bytes in a gigabyte (decimal, as disk makers count)


def training_memory(n_params, *, precision="fp32"):
    """Bytes held for the whole of training, per component.

    Assumptions: gradients have the weights' dtype; Adam keeps two fp32
    moments per parameter; "bf16-mixed" computes with bf16 weights and
    gradients and updates an fp32 master copy of the weights.
    Activations come on top (see activation_bytes_per_token).
    """
    check_int("n_params", n_params, low=1)
    check_choice("precision", precision, ("fp32", "bf16-mixed"))
    if precision == "fp32":
        per_param = {"weights": 4, "gradients": 4, "master_copy": 0,
                     "adam_moments": 8}
    else:
        per_param = {"weights": 2, "gradients": 2, "master_copy": 4,
                     "adam_moments": 8}
    memory = {k: v * n_params for k, v in per_param.items()}
    memory["total"] = sum(memory.values())
    return memory
# --8<-- [end:memory]


# --8<-- [start:activations]
import torch
from torch import nn


def saved_bytes_per_token(layer, *, seq_len, batch_size=2, seed=0):
    """Bytes of the tensors autograd saves for backward in one forward
    pass of `layer` on (batch_size, seq_len, d_model) inputs, per token.

    Saved tensors that share a storage are counted once (by storage),
    and the layer's own parameters are not activations: left out.
    """
    check_int("seq_len", seq_len, low=1)
    check_int("batch_size", batch_size, low=1)
    weights = {p.untyped_storage().data_ptr() for p in layer.parameters()}
    storages = {}

    def pack(t):
        s = t.untyped_storage()
        if s.data_ptr() not in weights:
            storages[s.data_ptr()] = s.nbytes()
        return t

    torch.manual_seed(seed)  # the dropout masks
    d_model = next(layer.parameters()).shape[-1]
    x = torch.randn(batch_size, seq_len, d_model, requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        layer(x)
    return sum(storages.values()) / (batch_size * seq_len)


def activation_bytes_per_token(*, d_model=512, d_ff=2048, num_heads=8,
                               seq_len=512, dropout=0.1):
    """Bytes one nn.TransformerEncoderLayer (post-norm, ReLU, float32)
    saves for backward per token in training, on PyTorch's CPU kernels:
    the count read off its saved tensors, 4 bytes per number.

    dropout > 0: 12 d_model + 3 d_ff + 3 num_heads seq_len + 4 numbers;
    the last term is the attention weights, their dropout mask and the
    dropped weights, each num_heads x seq_len per token. dropout = 0: a
    fused attention kernel keeps no weights, only a log-sum-exp per head:
    8 d_model + d_ff + num_heads + 4 numbers.
    """
    head_dim(d_model=d_model, num_heads=num_heads)  # checks both
    check_int("d_ff", d_ff, low=1)
    check_int("seq_len", seq_len, low=1)
    check_real("dropout", dropout, low=0, high=1, high_open=True)
    if dropout > 0:
        numbers = 12 * d_model + 3 * d_ff + 3 * num_heads * seq_len + 4
    else:
        numbers = 8 * d_model + d_ff + num_heads + 4
    return 4 * numbers  # float32
# --8<-- [end:activations]


# --8<-- [start:positions]
import numpy as np


def sinusoidal_encoding(*, max_len=64, d_model=64):
    """PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(same);
    shape (max_len, d_model), every value in [-1, 1]."""
    check_int("max_len", max_len, low=1)
    check_int("d_model", d_model, low=1)
    if d_model % 2:
        raise ValueError(f"d_model must be even (sin and cos pairs), got "
                         f"{d_model}")
    pos = np.arange(max_len)[:, None]  # (max_len, 1)
    freq = 10000.0 ** (-np.arange(0, d_model, 2) / d_model)  # (d/2,)
    PE = np.empty((max_len, d_model))
    PE[:, 0::2] = np.sin(pos * freq)
    PE[:, 1::2] = np.cos(pos * freq)
    return PE


def shift_matrix(k, *, d_model=64):
    """M_k with PE[pos + k] = M_k @ PE[pos] for every pos: a 2 x 2
    rotation by the angle k * freq_i for each (sin, cos) pair."""
    check_int("k", k, low=-math.inf)  # any shift, back or forward
    check_int("d_model", d_model, low=2)
    if d_model % 2:
        raise ValueError(f"d_model must be even (sin and cos pairs), got "
                         f"{d_model}")
    M = np.zeros((d_model, d_model))
    for i in range(d_model // 2):
        a = k * 10000.0 ** (-2 * i / d_model)
        # sin(x + a) = cos(a) sin(x) + sin(a) cos(x)
        # cos(x + a) = -sin(a) sin(x) + cos(a) cos(x)
        M[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[np.cos(a), np.sin(a)],
                                               [-np.sin(a), np.cos(a)]]
    return M
# --8<-- [end:positions]


# --8<-- [start:schedule]
def transformer_lr(step, *, d_model=512, warmup=4000):
    """lrate = d_model^-0.5 * min(step^-0.5, step * warmup^-1.5): linear
    warm-up to step = warmup, then 1/sqrt(step). Steps count from 1."""
    check_int("step", step, low=1)
    check_int("d_model", d_model, low=1)
    check_int("warmup", warmup, low=1)
    return d_model ** -0.5 * min(step ** -0.5, step * warmup ** -1.5)
# --8<-- [end:schedule]


# --8<-- [start:smoothing]
def smoothed_targets(y, *, num_classes, label_smoothing=0.1):
    """(1 - eps) on the true class plus eps / K on every class (the true
    one too): each row sums to 1. y: integer labels, shape (n,)."""
    check_int("num_classes", num_classes, low=2)
    check_real("label_smoothing", label_smoothing, low=0, high=1,
               high_open=True)
    eps, K = label_smoothing, num_classes
    q = np.full((len(y), K), eps / K)
    q[np.arange(len(y)), y] += 1 - eps
    return q


def smoothed_cross_entropy(logits, y, *, label_smoothing=0.1):
    """Mean over rows of -sum_k q_k log softmax(logits)_k, q smoothed."""
    z = logits - logits.max(axis=1, keepdims=True)  # exp cannot overflow
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    q = smoothed_targets(y, num_classes=logits.shape[1],
                         label_smoothing=label_smoothing)
    return float(-(q * log_p).sum(axis=1).mean())
# --8<-- [end:smoothing]


# --8<-- [start:tiny]
def sorting_batch(n, *, length=8, generator=None):
    """n strings of `length` random digits and the same digits sorted:
    y[:, i] is the i-th smallest digit of x. Shapes (n, length), int64."""
    check_int("n", n, low=1)
    check_int("length", length, low=1)
    x = torch.randint(0, 10, (n, length), generator=generator)
    return x, x.sort(dim=1).values


class TinyTransformer(nn.Module):
    """Encoder-only: digit and learned position embeddings, nn.Transformer
    encoder layers (post-norm, no dropout), a final LayerNorm, and a
    bias-free projection to the 10 digits at every position."""

    def __init__(self, *, d_model=16, num_heads=2, num_layers=1,
                 d_ff=None, length=8, vocab_size=10):
        super().__init__()
        head_dim(d_model=d_model, num_heads=num_heads)  # checks both
        check_int("num_layers", num_layers, low=1)
        d_ff = 4 * d_model if d_ff is None else d_ff  # as 2048 = 4 * 512
        check_int("d_ff", d_ff, low=1)
        check_int("length", length, low=1)
        check_int("vocab_size", vocab_size, low=1)
        self.tokens = nn.Embedding(vocab_size, d_model)
        self.positions = nn.Embedding(length, d_model)
        layer = nn.TransformerEncoderLayer(d_model, num_heads, d_ff,
                                           dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(
            layer, num_layers, norm=nn.LayerNorm(d_model),
            enable_nested_tensor=False,
        )
        self.out = nn.Linear(d_model, vocab_size, bias=False)

    def forward(self, x):  # x: (batch, length) digits
        pos = torch.arange(x.shape[1])
        h = self.tokens(x) + self.positions(pos)  # (batch, length, d)
        return self.out(self.encoder(h))  # logits (batch, length, 10)


def train_sorter(*, d_model=16, num_heads=2, num_layers=1, num_steps=300,
                 batch_size=64, warmup=100, seed=0):
    """Adam(0.9, 0.98, 1e-9) with the paper's schedule, on fresh random
    strings at every step. Returns the model, the loss at every step and
    (token accuracy, sequence accuracy) on 1000 held-out strings."""
    check_int("num_steps", num_steps, low=1)
    check_int("batch_size", batch_size, low=1)
    check_int("warmup", warmup, low=1)
    torch.manual_seed(seed)  # the initial weights
    data = torch.Generator().manual_seed(seed)  # the training strings
    model = TinyTransformer(d_model=d_model, num_heads=num_heads,
                            num_layers=num_layers)
    opt = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98),
                           eps=1e-9)
    # LambdaLR multiplies lr=1.0 by the schedule; its count starts at 0
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda n: transformer_lr(n + 1, d_model=d_model,
                                      warmup=warmup))
    losses = []
    for _ in range(num_steps):
        x, y = sorting_batch(batch_size, generator=data)
        logits = model(x)  # (batch, 8, 10)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1),
                                           y.flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    test = torch.Generator().manual_seed(12345)  # never seen in training
    x, y = sorting_batch(1000, generator=test)
    model.eval()
    with torch.no_grad():
        right = model(x).argmax(-1) == y  # (1000, 8) booleans
    return model, losses, (right.float().mean().item(),
                           right.all(dim=1).float().mean().item())
# --8<-- [end:tiny]


if __name__ == "__main__":
    # The chapter's demo is its story, notebooks/transformer.py: its cells call
    # this module's functions between the prose. Run them in order, as the
    # downloaded notebook runs (from the repository's root).
    from tools.notebooks import run

    run("transformer")

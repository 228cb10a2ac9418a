# %% [markdown]
# # Transformer hyperparameters
#
# <div class="admonition abstract">
# <p class="admonition-title">In one line</p>
# <p>A Transformer's size hyperparameters fix its parameter count and
# memory before any training starts; its positions, learning-rate
# schedule, dropout and label smoothing shape how it trains. Each of them
# is computed, checked against PyTorch and tried out below.</p>
# </div>
#
# The [history chapter on the Transformer](../../history/2017-transformer/)
# shows attention itself: queries, keys, values and the
# $1/\sqrt{d_k}$ scale. This notebook takes the rest of the model's
# settings, in the order in which they matter: what the size
# hyperparameters cost, how positions enter the model, how the learning
# rate moves, what dropout and label smoothing do, and finally what one of
# them changes when a tiny Transformer learns a task. The numbers of the
# original paper serve as the running example [@vaswani2017]:
#
# | hyperparameter | symbol | base | big |
# |---|---|---|---|
# | layers in the encoder and in the decoder | $N$ | 6 | 6 |
# | model width | $d_{\text{model}}$ | 512 | 1024 |
# | feed-forward width | $d_{\text{ff}}$ | 2048 | 4096 |
# | attention heads | $h$ | 8 | 16 |
# | dropout | $P_{\text{drop}}$ | 0.1 | 0.3 |
# | label smoothing | $\epsilon_{\text{ls}}$ | 0.1 | 0.1 |
#
# Both used Adam with $\beta_1 = 0.9$, $\beta_2 = 0.98$,
# $\epsilon = 10^{-9}$, a warm-up of 4000 steps, and, for English–German,
# a vocabulary of about 37,000 tokens shared by source and target
# [@vaswani2017]. Batch size, weight decay and gradient clipping work the
# same way in any network; the [glossary](../../glossary/) is the place for
# them.
#
# Every code cell runs in order, as in Jupyter; the download button at the
# top gives you this very notebook.

# %% [markdown]
# ## Counting parameters
#
# Every layer of the encoder has a self-attention block and a feed-forward
# block, each followed by a layer norm; every decoder layer adds a second
# attention block that looks at the encoder's output. With
# $d = d_{\text{model}}$, the pieces are:
#
# - **attention**: four $d \times d$ projections ($W^Q$, $W^K$, $W^V$,
#   $W^O$) with their biases, $4d^2 + 4d$;
# - **feed-forward**: $d \to d_{\text{ff}} \to d$, that is
#   $2\,d\,d_{\text{ff}} + d_{\text{ff}} + d$;
# - **layer norm**: a gain and a bias per feature, $2d$;
# - **token embeddings**: one row of $d$ numbers per vocabulary entry,
#   $V d$, and the same again for a second table or an untied output
#   projection.
#
# The function below adds them up for any choice of the size
# hyperparameters. Its layers are PyTorch's `nn.Transformer` layers, which
# also put one final layer norm after each stack.

# %%
# --8<-- "snippets/models/transformer.py:count"
# --8<-- "snippets/history/transformer_2017.py:head_dim"

# %% name="counts"
base = parameter_count()  # the defaults are the paper's base model
for part, n in base.items():
    print(f"{part:>12}: {n:>11,}")

# %% [markdown]
# PyTorch can check the layers: `nn.Transformer` has no embeddings, so its
# count must equal attention, feed-forward and layer norms together. On
# the `meta` device it builds the model without allocating its 44 million
# numbers.

# %% name="torch_counts"
import torch
from torch import nn

layers = nn.Transformer(d_model=512, nhead=8, num_encoder_layers=6,
                        num_decoder_layers=6, dim_feedforward=2048,
                        batch_first=True, device="meta")
n_torch = sum(p.numel() for p in layers.parameters())
n_layers = base["attention"] + base["feed_forward"] + base["layer_norms"]
print(f"nn.Transformer: {n_torch:,} parameters; calculator: {n_layers:,}")

# %% [markdown]
# ## The paper's two models, recounted
#
# The paper shares one weight matrix between the source embedding, the
# target embedding and the projection before the softmax
# [@vaswani2017], so the vocabulary is paid for once. With 37,000 tokens:

# %%
paper = {"base": (512, 2048, 8, 65e6), "big": (1024, 4096, 16, 213e6)}
for name, (d_model, d_ff, num_heads, reported) in paper.items():
    n = parameter_count(d_model=d_model, d_ff=d_ff, num_heads=num_heads,
                        vocab_size=37_000)["total"]
    untied = parameter_count(d_model=d_model, d_ff=d_ff,
                             num_heads=num_heads, shared_embeddings=False,
                             tied_output=False)["total"]
    # the vocabulary size that would make the count match exactly
    V = (reported - (n - 37_000 * d_model)) / d_model
    print(f"{name:>4}: {n / 1e6:5.1f}M counted, "
          f"{reported / 1e6:.0f}M reported ({n / reported - 1:+.1%})")
    print(f"      exact for V = {V:,.0f}; {untied / 1e6:.1f}M with "
          f"three separate tables")

# %% [markdown]
# Both counts are within 3% of the paper's: 63.1M against 65M for the
# base model, 214.2M against 213M for the big one. The difference cannot
# be pinned on one cause:
#
# - the vocabulary is "about 37,000" tokens; a vocabulary of roughly
#   40,700 would give exactly 65M, but the big model would then need about
#   35,800, and both models used the same data;
# - biases and layer norms are small (the layer norms of the base model
#   are 32,768 numbers, 0.052%), and an implementation may or may not have
#   an output bias or a final layer norm;
# - the reported counts are rounded, and the paper does not list what it
#   counted.
#
# What the count does settle is the sharing: with three separate
# vocabulary tables the base model would have about 101M parameters, far
# from 65M.

# %% [markdown]
# ## Heads split the width; they cost nothing
#
# Each head works on $d_k = d_{\text{model}}/h$ dimensions, so $h$ has to
# divide $d_{\text{model}}$. The calculator says so with a `ValueError`
# that names both; PyTorch's `nn.MultiheadAttention` stops on an
# `assert` instead, which is an `AssertionError`, and disappears
# altogether when Python runs with `-O`:

# %%
for d_model, num_heads in ((512, 8), (1024, 16)):
    d_k = head_dim(d_model=d_model, num_heads=num_heads)
    print(f"d_model = {d_model}, num_heads = {num_heads}: d_k = {d_k}")
try:
    head_dim(d_model=512, num_heads=12)
except ValueError as error:
    print(f"ValueError: {error}")
try:
    nn.MultiheadAttention(512, 12)
except AssertionError as error:
    print(f"AssertionError: {error}")

# %% [markdown]
# The four projections are $d \times d$ whatever $h$ is: more heads cut
# the same matrices into more, thinner slices. The count does not move:

# %%
print("heads   d_k   calculator   nn.MultiheadAttention")
for num_heads in (1, 2, 4, 8, 16):
    n = parameter_count(num_encoder_layers=1, num_decoder_layers=0,
                        num_heads=num_heads)["attention"]
    mha = nn.MultiheadAttention(512, num_heads, device="meta")
    n_mha = sum(p.numel() for p in mha.parameters())
    print(f"{num_heads:>5}  {512 // num_heads:>4}   {n:>10,}"
          f"   {n_mha:>21,}")

# %% [markdown]
# ## Memory: weights, optimizer state and activations
#
# A parameter costs 4 bytes in fp32 and 2 in bf16, but training holds
# more than the weights. The function below states its assumptions:
# gradients in the weights' precision, Adam's two moments in fp32, and, in
# bf16 mixed precision, an fp32 master copy of the weights that the
# optimizer updates.

# %%
# --8<-- "snippets/models/transformer.py:memory"

# %%
print("GB          weights  gradients  master copy  Adam  total")
for name, (d_model, d_ff, num_heads, _) in paper.items():
    n = parameter_count(d_model=d_model, d_ff=d_ff,
                        num_heads=num_heads)["total"]
    for precision in ("fp32", "bf16-mixed"):
        m = training_memory(n, precision=precision)
        print(f"{name:>4} {precision:<10} {m['weights'] / GB:4.2f}"
              f" {m['gradients'] / GB:10.2f} {m['master_copy'] / GB:12.2f}"
              f" {m['adam_moments'] / GB:5.2f} {m['total'] / GB:6.2f}")

# %% [markdown]
# Both ways come to 16 bytes per parameter: bf16 halves the weights and
# the gradients, and the master copy takes the saving back. Whatever mixed
# precision saves, it is not this training state.
#
# **Activations** are what the forward pass keeps for the backward pass.
# Rather than guess a formula, we measure it: `saved_tensors_hooks` lets
# us see every tensor autograd saves during one forward pass of a real
# `nn.TransformerEncoderLayer`. Tensors that are views of one storage are
# counted once, and the layer's own weights are left out.

# %%
# --8<-- "snippets/models/transformer.py:activations"

# %%
torch.manual_seed(0)
layers = {p: nn.TransformerEncoderLayer(64, 4, 256, dropout=p,
                                        batch_first=True)
          for p in (0.1, 0.0)}  # d_model 64, 4 heads, d_ff 256
print("bytes saved per token; each pair is measured / formula")
print("seq_len   dropout 0.1     dropout 0")
for seq_len in (16, 32, 64, 128):
    pairs = []
    for p, layer in layers.items():
        measured = saved_bytes_per_token(layer, seq_len=seq_len)
        formula = activation_bytes_per_token(
            d_model=64, d_ff=256, num_heads=4, seq_len=seq_len,
            dropout=p)
        pairs.append(f"{measured:5.0f} / {formula:<5}")
    print(f"{seq_len:>7}   " + "   ".join(pairs))

# %% [markdown]
# The measurement fits the formula to the byte. In numbers per token
# (4 bytes each), with dropout on, one layer saves
#
# $$
# 12\,d_{\text{model}} + 3\,d_{\text{ff}} + 3\,h\,T + 4 .
# $$
#
# - $12\,d_{\text{model}}$: the layer's input; the queries, keys and
#   values, plus a rescaled copy of the queries and a transposed copy of
#   the keys; the heads' output; the two dropout masks of the sublayer
#   outputs; the inputs of both layer norms and the output of the first.
# - $3\,d_{\text{ff}}$: the ReLU's output, its dropout mask and the
#   dropped result.
# - $3\,h\,T$: the part that grows with the sequence length $T$. Each
#   token has a row of $T$ attention weights in each of the $h$ heads, and
#   autograd keeps three such rows: the weights, their dropout mask and the
#   dropped weights.
# - $4$: a mean and a spread per layer norm.
#
# With dropout off, PyTorch runs a fused attention kernel that keeps only
# one log-sum-exp per head and recomputes the weights in the backward
# pass: $8\,d_{\text{model}} + d_{\text{ff}} + h + 4$, the same for every
# $T$. These counts are for PyTorch's CPU kernels in fp32; other devices
# and kernels keep other tensors (a GPU stores a dropout mask in one
# byte), which is why measuring beats a formula from memory. For the base
# model:

# %%
for seq_len in (64, 512):
    kb = activation_bytes_per_token(seq_len=seq_len) / 1e3
    print(f"T = {seq_len:>3}: {kb:.1f} kB per token per encoder layer")
tokens = 25_000
total = 6 * tokens * activation_bytes_per_token(seq_len=64)
print(f"6 encoder layers, {tokens:,} tokens, T = 64: {total / GB:.1f} GB")

# %% [markdown]
# At $T = 512$ the attention weights ($3 \cdot 8 \cdot 512 = 12{,}288$
# numbers) weigh exactly as much as everything else
# ($12 \cdot 512 + 3 \cdot 2048 = 12{,}288$), and beyond it they dominate.
# The paper's batches held about 25,000 source tokens [@vaswani2017]; if
# they were sentences of 64 tokens, the encoder layers alone would save
# the 8.3 GB above, more than the 1.0 GB of weights, gradients and Adam
# state of the base model.

# %% [markdown]
# ## Sinusoidal positions
#
# Attention itself ignores the order of the tokens, so the Transformer
# adds a vector that encodes each position to each token's embedding. The
# paper uses sines and cosines of geometrically spaced frequencies
# [@vaswani2017]:
#
# $$
# PE_{(pos,\,2i)} = \sin\!\left(\frac{pos}{10000^{2i/d_{\text{model}}}}
# \right), \qquad
# PE_{(pos,\,2i+1)} = \cos\!\left(\frac{pos}{10000^{2i/d_{\text{model}}}}
# \right).
# $$
#
# Its width is $d_{\text{model}}$, since it is added to the embedding, and
# it has no parameters: the maximum sequence length costs nothing here,
# whereas learned positions would add a table of
# $T_{\max} \times d_{\text{model}}$ numbers per stack. The paper reports
# nearly identical results with learned positions [@vaswani2017].

# %%
# --8<-- "snippets/models/transformer.py:positions"

# %%
PE = sinusoidal_encoding(max_len=64, d_model=64)
# the largest gap between PE[pos + k] and M_k PE[pos], over pos and k
error = max(np.abs(PE[pos + k] - shift_matrix(k, d_model=64) @ PE[pos]).max()
            for pos in range(0, 40, 3) for k in (1, 7, 23))
np.set_printoptions(precision=4, suppress=True)
print(f"shape {PE.shape}, values in [{PE.min():.4f}, {PE.max():.4f}]\n"
      f"PE[0, :6] = {PE[0, :6]}\n"
      f"PE[1, :6] = {PE[1, :6]}\n"
      f"PE[pos + k] = M_k PE[pos] for every pos and k tried: "
      f"{error < 1e-12}")

# %% [markdown]
# The last line is the property the paper chose the sinusoids for: for
# any fixed offset $k$, $PE_{pos+k}$ is a linear function of $PE_{pos}$
# [@vaswani2017]. The matrix $M_k$ rotates each (sin, cos) pair by the
# angle $k / 10000^{2i/d_{\text{model}}}$, and it depends on $k$ only, not
# on $pos$, so "three tokens back" looks the same everywhere in a
# sentence. In the picture, the first dimensions turn fast and the last
# ones barely move over 64 positions:

# %%
import matplotlib.pyplot as plt

# Figure: Heat map of the sinusoidal positional encoding for 64 positions
# (horizontal) and 64 dimensions (vertical): the first dimensions alternate
# quickly between -1 and 1, the higher ones change more and more slowly.
fig, ax = plt.subplots(figsize=(7, 3.6))
image = ax.imshow(PE.T, cmap="RdBu", vmin=-1, vmax=1, origin="lower",
                  aspect="auto")
ax.set(xlabel="position pos", ylabel="dimension",
       title="sinusoidal positional encoding, d_model = 64")
fig.colorbar(image, label="PE[pos, dimension]")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## The learning-rate schedule
#
# The paper's rate rises linearly for `warmup` steps, then falls with the
# inverse square root of the step number [@vaswani2017]:
#
# $$
# \text{lrate} = d_{\text{model}}^{-0.5} \cdot
# \min\!\left(\text{step}^{-0.5},\;
# \text{step} \cdot \text{warmup}^{-1.5}\right).
# $$
#
# The two branches meet at step = warmup, which is where the peak is. A
# wider model gets a smaller rate, through $d_{\text{model}}^{-0.5}$.

# %%
# --8<-- "snippets/models/transformer.py:schedule"

# %%
steps = range(1, 20_001)
lrs = {d_model: [transformer_lr(s, d_model=d_model) for s in steps]
       for d_model in (512, 1024)}
for d_model, lr in lrs.items():
    peak = max(lr)
    print(f"d_model = {d_model:>4}: peak {peak:.3e} at step "
          f"{lr.index(peak) + 1}, {lr[-1]:.3e} at step 20,000")

# %% [markdown]
# In PyTorch the same schedule is a `LambdaLR`, which multiplies the
# optimizer's own learning rate by the function's value. So the optimizer
# gets `lr=1.0`, and since `LambdaLR` counts from 0, the function gets
# the count plus one. Driving Adam with the paper's settings for 12,000
# steps:

# %%
w = torch.zeros(3, requires_grad=True)
opt = torch.optim.Adam([w], lr=1.0, betas=(0.9, 0.98), eps=1e-9)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda n: transformer_lr(n + 1, d_model=512, warmup=4000))
worst = 0.0
for step in range(1, 12_001):
    used = opt.param_groups[0]["lr"]  # the rate of this step
    worst = max(worst, abs(used / transformer_lr(step) - 1))
    w.grad = torch.ones(3)
    opt.step()
    sched.step()
print(f"largest relative difference from the formula: {worst:.1e}")

# %%
# Figure: Learning rate against training step for d_model = 512 and 1024:
# both rise linearly to a peak at step 4000, about 7.0e-4 and 4.9e-4, then
# decay slowly with the inverse square root of the step.
fig, ax = plt.subplots(figsize=(7, 3.4))
for d_model, lr in lrs.items():
    ax.plot(steps, lr, label=f"d_model = {d_model}")
ax.axvline(4000, color="grey", lw=0.8, ls="--")
ax.set(xlabel="step", ylabel="learning rate",
       title="warm-up for 4000 steps, then 1/sqrt(step)")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Dropout, attention dropout and label smoothing
#
# The paper applies dropout to the output of each sublayer, before it is
# added back to the sublayer's input and normalized, and to the sums of
# embeddings and positional encodings, at the rate $P_{\text{drop}}$
# [@vaswani2017]. PyTorch's `nn.TransformerEncoderLayer(dropout=p)` uses
# the one rate `p` in four places:

# %%
torch.manual_seed(0)
layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.1,
                                   batch_first=True)
for name, module in layer.named_modules():
    if isinstance(module, nn.Dropout):
        print(f"{name:>8}: nn.Dropout(p={module.p})")
print(f"self_attn.dropout = {layer.self_attn.dropout} (a float)")

# %% [markdown]
# - `dropout1` and `dropout2` are the paper's residual dropout, on the
#   outputs of the attention and feed-forward sublayers;
# - `dropout` acts inside the feed-forward block, on the ReLU's output;
# - `self_attn.dropout` is **attention dropout**: it zeroes some attention
#   weights after the softmax, so a token sometimes cannot see another.
#
# Dropout acts only in training mode: a kept value is divided by
# $1 - p$, so that the expected value stays the same, and in evaluation
# mode nothing is dropped. The attention weights of one head show both:

# %%
x = torch.randn(1, 6, 16)  # 1 sequence of 6 tokens, d_model = 16
sums, agree = {}, {}
for mode in ("train", "eval"):
    layer.train(mode == "train")
    _, A = layer.self_attn(x, x, x, need_weights=True,
                           average_attn_weights=False)  # (1, 2, 6, 6)
    sums[mode] = A[0, 0].sum(dim=-1).detach()  # head 1, one sum per row
    agree[mode] = torch.equal(layer(x), layer(x))  # two passes, same x
for mode in ("train", "eval"):
    print(f"{mode:>5}: rows of head 1 sum to {sums[mode].numpy()}")
for mode in ("train", "eval"):
    print(f"{mode:>5}: two passes give the same output: {agree[mode]}")

# %% [markdown]
# In training, a row of weights sums to $1/0.9 \approx 1.1111$ when no
# weight in it was dropped and to less when one was; in evaluation every
# row sums to 1, and the same input always gives the same output.

# %% [markdown]
# **Label smoothing** changes the target instead of the network. With $K$
# classes and smoothing $\epsilon$, the target puts $1 - \epsilon$ on the
# true class and spreads $\epsilon$ evenly over all $K$ classes (the true
# one included):
#
# $$
# q_k = (1 - \epsilon)\,[k = y] + \frac{\epsilon}{K}, \qquad
# L = -\sum_k q_k \log p_k .
# $$
#
# The paper used $\epsilon_{\text{ls}} = 0.1$ and notes that it hurts
# perplexity, as the model learns to be more unsure, but improves
# accuracy and BLEU [@vaswani2017].

# %%
# --8<-- "snippets/models/transformer.py:smoothing"

# %%
K, y = 10, np.array([3])
print("logit gap   no smoothing   smoothing 0.1")
for gap in (0.0, 2.0, 4.0, np.log(91), 6.0, 10.0):
    logits = np.zeros((1, K))
    logits[0, 3] = gap  # the true class is ahead of the others by `gap`
    plain = smoothed_cross_entropy(logits, y, label_smoothing=0.0)
    smooth = smoothed_cross_entropy(logits, y, label_smoothing=0.1)
    print(f"{gap:9.2f}   {plain:12.6f}   {smooth:13.6f}")
torch_loss = nn.CrossEntropyLoss(label_smoothing=0.1)(
    torch.from_numpy(logits), torch.from_numpy(y))
print(f"nn.CrossEntropyLoss(label_smoothing=0.1) at gap 10: "
      f"{torch_loss.item():.6f}")

# %% [markdown]
# Without smoothing, a confident correct prediction (the true class 10
# logits ahead of the nine others) costs almost nothing, 0.000409, and
# the loss keeps rewarding a larger gap for ever. With smoothing the same
# prediction costs 0.900: the loss is lowest, 0.500, at a gap of
# $\ln 91 \approx 4.51$, where the predicted probabilities equal the
# smoothed target, and an over-confident model is pushed back.

# %% [markdown]
# ## A tiny Transformer learns to sort
#
# Last, one size hyperparameter at work. The task: read 8 random digits and
# write them in increasing order, so output position $i$ must find the
# $i$-th smallest digit, which depends on all 8 digits at once. The model
# is an encoder only, with learned positions, one layer, 2 heads and
# $d_{\text{ff}} = 4\,d_{\text{model}}$ (as $2048 = 4 \cdot 512$); it
# trains for 300 steps of 64 fresh strings with Adam and the paper's
# schedule (warm-up shortened to 100 steps), and we change only
# $d_{\text{model}}$.
#
# One run says little about a width: another seed (other initial weights,
# other training strings) gives another result, and so does another CPU,
# whose kernels round differently. So each width trains with five seeds,
# and we compare the medians and the ranges of the five.

# %%
# --8<-- "snippets/models/transformer.py:tiny"

# %% name="sorters"
seeds = range(5)
runs = {}  # d_model -> one (losses, token acc, sequence acc) per seed
print("d_model  parameters (calculator / torch)  sequence acc, seeds 0-4")
for d_model in (8, 16, 32):
    counted = parameter_count(
        num_encoder_layers=1, num_decoder_layers=0, d_model=d_model,
        d_ff=4 * d_model, num_heads=2, vocab_size=10, max_len=8,
        positions="learned", tied_output=False)["total"]
    runs[d_model] = []
    for seed in seeds:
        model, losses, accuracy = train_sorter(d_model=d_model, seed=seed)
        runs[d_model].append((losses, *accuracy))
    n = sum(p.numel() for p in model.parameters())
    accs = " ".join(f"{seq_acc:.3f}" for _, _, seq_acc in runs[d_model])
    print(f"{d_model:>7}  {counted:>10,} / {n:<21,} {accs}")


# %% name="sorter_summary"
def median_range(values):
    """The median of the seeds' values, and [lowest, highest]."""
    return f"{np.median(values):.3f} [{min(values):.3f}, {max(values):.3f}]"


print("d_model  median [lowest, highest] of the seeds")
print("         token acc              sequence acc")
for d_model, results in runs.items():
    _, token_accs, seq_accs = zip(*results)
    print(f"{d_model:>7}  {median_range(token_accs)}   "
          f"{median_range(seq_accs)}")
print()
print("d_model  mean loss, steps 1-50  steps 251-300  (medians)")
for d_model, results in runs.items():
    losses = np.array([r[0] for r in results])  # (seeds, steps)
    first = np.median(losses[:, :50].mean(axis=1))
    last = np.median(losses[:, -50:].mean(axis=1))
    print(f"{d_model:>7}  {first:20.3f}  {last:13.3f}")
tok, seq = {}, {}  # markdown-exec: hide
for d in runs:  # markdown-exec: hide
    _, tok[d], seq[d] = map(np.array, zip(*runs[d]))  # markdown-exec: hide
glue("tok_8", f"{np.median(tok[8]):.3f}")  # markdown-exec: hide
glue("seq_8_min", f"{seq[8].min():.3f}")  # markdown-exec: hide
glue("seq_8_max", f"{seq[8].max():.3f}")  # markdown-exec: hide
glue("seq_16", f"{np.median(seq[16]):.3f}")  # markdown-exec: hide
glue("seq_16_min", f"{seq[16].min():.3f}")  # markdown-exec: hide
glue("seq_16_max", f"{seq[16].max():.3f}")  # markdown-exec: hide
glue("seq_32", f"{np.median(seq[32]):.3f}")  # markdown-exec: hide
glue("seq_32_min", f"{seq[32].min():.3f}")  # markdown-exec: hide
glue("seq_32_max", f"{seq[32].max():.3f}")  # markdown-exec: hide

# %%
# Figure: Training loss against step for d_model = 8, 16 and 32, on a log
# scale, each width a line (the median of its five seeds) in a band (from
# the lowest seed to the highest): the wider the model, the faster its
# loss falls at first, and at the end d_model = 8 stays several times
# higher than 16 and 32.
fig, ax = plt.subplots(figsize=(7, 3.4))
steps = np.arange(10, 301)  # a mean of 10 steps ends at step 10 or later
for d_model, results in runs.items():
    smooth = np.array([np.convolve(r[0], np.ones(10) / 10, mode="valid")
                       for r in results])  # (seeds, steps)
    [line] = ax.semilogy(steps, np.median(smooth, axis=0),
                         label=f"d_model = {d_model}")
    ax.fill_between(steps, smooth.min(axis=0), smooth.max(axis=0),
                    color=line.get_color(), alpha=0.2, lw=0)
ax.set(xlabel="step", ylabel="cross-entropy (log scale)",
       title="sorting 8 digits: training loss, mean of 10 steps, 5 seeds")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# Token accuracy flatters the small model: at $d_{\text{model}} = 8$
# about nine digits in ten are right (the median is {{ tok_8 }}), but one
# wrong digit in 8 makes a wrong string. Sequence accuracy, all 8 digits
# right, tells the sizes apart. The seeds of $d_{\text{model}} = 8$ sort
# between {{ seq_8_min }} and {{ seq_8_max }} of the held-out strings,
# fewer than half on the median, and its best seed is far below the
# worst of 16, {{ seq_16_min }}. From 16 to 32, with 3.6 times the
# parameters, the median moves from {{ seq_16 }} to {{ seq_32 }}, by
# less than the seeds of either width differ among themselves (16 reaches
# up to {{ seq_16_max }}, 32 spans {{ seq_32_min }} to {{ seq_32_max }}):
# a single run of each could rank the two widths either way. Width pays
# until the model is wide enough for the task; past that, the gain is
# smaller than the luck of the seed, and only several seeds can show it.
#
# The wider the model, the faster its loss falls at first (the median
# loss over the first 50 steps), and $d_{\text{model}} = 8$ ends with a
# training loss several times that of the other two. Note that the
# schedule gives a wider model a smaller learning rate, as in the paper,
# so the comparison is of the whole recipe, not of the width alone.
#
# ## What to remember
#
# - The size hyperparameters fix the parameter count before training:
#   $4d^2 + 4d$ per attention block, $2\,d\,d_{\text{ff}}$ and biases per
#   feed-forward block, $Vd$ per vocabulary table. Sharing one table
#   between source, target and output is what keeps the paper's base model
#   at 65M.
# - The number of heads must divide $d_{\text{model}}$ and does not change
#   the count.
# - Training with Adam holds 16 bytes per parameter in fp32 and in bf16
#   mixed precision alike. Activations grow with the batch, and, through
#   the attention weights, with the sequence length; measure them.
# - Sinusoidal positions have no parameters and shift by a rotation that
#   depends only on the offset.
# - The paper's schedule peaks at step = warmup with
#   $\text{lrate} = (d_{\text{model}} \cdot \text{warmup})^{-0.5}$.
# - One dropout rate acts in four places in PyTorch's layer; label
#   smoothing puts a floor under the loss and stops the chase after
#   infinite confidence.
# - Judge a setting by several seeds, not by one run: in the sorting
#   task, going from 16 to 32 changes less than the seed does.
#
# ## Try it
#
# - In the paper-models cell, set `vocab_size=32_000`, the size of the
#   English–French vocabulary [@vaswani2017]: how many parameters does
#   the base model lose?
# - In the activation table, use 8 heads instead of 4 (in the layers and
#   in the formula): which column changes, and by how much per token?
# - Call `transformer_lr(step, d_model=512, warmup=8000)` in the schedule
#   cell: where is the peak now, and how high?
# - In the sorting cell, train with `num_layers=2` at `d_model=16`: does
#   a second layer help more than a wider first one?

# %% [markdown]
# # Diffusion hyperparameters
#
# <div class="admonition abstract">
# <p class="admonition-title">In one line</p>
# <p>A diffusion model is set by how it adds noise (the number of steps
# and the noise schedule), how large its denoiser is, how many steps its
# sampler takes and how strongly it follows a condition (the guidance
# strength); turning down the sampler's noise, a so-called temperature,
# is not one of its knobs.</p>
# </div>
#
# The [2020 chapter](../../history/2020-diffusion/) showed the forward
# process: $T$ small steps of Gaussian noise, of variances
# $\beta_1, \dots, \beta_T$, that turn data into noise, with the closed
# form
# $x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon$,
# where $\bar\alpha_t = \prod_{s \le t} (1 - \beta_s)$. A
# network $\varepsilon_\theta(x_t, t)$ learns to predict the noise
# $\varepsilon$ that was added, and a sampler uses it to walk from pure
# noise back to data.
#
# This notebook trains such a model on a cloud of 2-D points, small
# enough to train in seconds on a laptop CPU, and turns the knobs one at a
# time:
#
# - the number of steps $T$ and the noise schedule;
# - the sampler: every one of the $T$ steps (DDPM), or a few (DDIM);
# - conditioning, and the guidance strength $w$;
# - the "sampling temperature", and why it is not a real knob;
# - the width of the denoiser, the toy's counterpart of an image model's
#   number of channels.
#
# Every number is printed under the code that computes it, and the
# functions are unit-tested with the rest of the site.

# %% [markdown]
# ## Steps and the noise schedule
#
# DDPM used $T = 1000$ steps, with $\beta_t$ growing linearly from
# $\beta_1 = 10^{-4}$ to $\beta_T = 0.02$, and trained the network to
# predict the noise $\varepsilon$ [@ho2020]. Nichol and Dhariwal defined
# their cosine schedule through $\bar\alpha_t$ instead [@nichol2021]:
#
# $$
# \bar\alpha_t = \frac{f(t)}{f(0)}, \qquad
# f(t) = \cos^2\!\Big(\frac{t/T + s}{1 + s} \cdot \frac{\pi}{2}\Big),
# \qquad s = 0.008,
# $$
#
# and took $\beta_t = 1 - \bar\alpha_t / \bar\alpha_{t-1}$, clipped to at
# most $0.999$: without the clip, $f(T) = 0$ would make $\beta_T = 1$.
# Both schedules, from their formulas:

# %%
# --8<-- "snippets/history/diffusion_2020.py:schedule"
# --8<-- "snippets/models/diffusion.py:schedules"

# %%
T = 1000
lin, cos = linear_betas(T=T), cosine_betas(T=T)
ab_lin, ab_cos = alpha_bars(lin), alpha_bars(cos)
print("T = 1000   linear (DDPM)           cosine")
print("   t       beta_t   alpha_bar_t    beta_t   alpha_bar_t")
for t in (1, 100, 250, 500, 750, 900, 999, 1000):
    print(f"{t:>4}   {lin[t - 1]:10.5f}  {ab_lin[t]:12.3e}"
          f"   {cos[t - 1]:7.5f}  {ab_cos[t]:12.3e}")

# %% [markdown]
# Halfway, at $t = 500$, the linear schedule has left 7.9 % of the
# signal's variance and the cosine schedule 49 %. The cosine schedule
# saves its destruction for the end: $\beta_{999} = 0.75$, and
# $\beta_{1000}$ is the clipped $0.999$. Against $t/T$, with the
# signal-to-noise ratio
# $\mathrm{SNR}(t) = \bar\alpha_t / (1 - \bar\alpha_t)$ on a log scale:

# %%
# Figure: Left, alpha_bar_t against t/T: the linear schedule falls fast
# and is near 0 from about t/T = 0.6, the cosine schedule falls along a
# smooth S-curve. Right, the signal-to-noise ratio on a log scale: the
# cosine curve is almost straight in the middle and plunges at the very
# end, the linear one drops steeply from the start.
import matplotlib.pyplot as plt

plt.rcParams["figure.dpi"] = 72  # lighter images for the web page
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
u = np.arange(1, T + 1) / T  # t / T for t = 1..T
for name, ab in (("linear, DDPM", ab_lin), ("cosine", ab_cos)):
    left.plot(u, ab[1:], label=name)
    right.semilogy(u, snr(ab[1:]), label=name)
left.set(xlabel="t / T", ylabel="alpha_bar_t", title="signal left")
right.set(xlabel="t / T", ylabel="SNR (log scale)",
          title="signal-to-noise ratio", ylim=(1e-6, 1e4))
left.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# $T$ and the schedule are not two separate choices. DDPM's range of
# $\beta_t$ goes with $T = 1000$; with fewer steps, the same range adds
# too little noise in total, and $x_T$ still holds part of the data
# although sampling starts from pure noise. Multiplying both ends of the
# range by $1000/T$ keeps the total; the cosine schedule, written in
# $t/T$, ends near zero for any $T$:

# %%
print("alpha_bar_T, the share of signal left after the last step")
print("   T    linear 1e-4..0.02   linear x 1000/T   cosine")
for T in (1000, 200, 50):
    k = 1000 / T
    same = alpha_bars(linear_betas(T=T))[-1]
    scaled = alpha_bars(linear_betas(T=T, beta_start=1e-4 * k,
                                     beta_end=0.02 * k))[-1]
    cosine = alpha_bars(cosine_betas(T=T))[-1]
    print(f"{T:>4}   {same:17.2e}   {scaled:15.2e}   {cosine:6.0e}")

# %% [markdown]
# With $T = 200$ and DDPM's range, 13 % of the signal would survive to
# the last step. The toy below uses $T = 200$ with the range scaled by
# $1000/T = 5$. The cosine schedule would be the other natural choice,
# but its clipped last step leaves $\bar\alpha_T$ so close to zero that
# any estimate of the data made at $t = T$, which divides by
# $\sqrt{\bar\alpha_T}$, blows up the network's smallest error; the last
# *Try it* prompt shows what that does to a sampler that takes big steps.

# %%
T = 200
betas = linear_betas(T=T, beta_start=1e-4 * 1000 / T,
                     beta_end=0.02 * 1000 / T)
alpha_bar = alpha_bars(betas)
print(f"T = {T}: beta from {betas[0]:.4f} to {betas[-1]:.2f}, "
      f"alpha_bar_T = {alpha_bar[-1]:.1e}")

# %% [markdown]
# ## A toy distribution and a small denoiser
#
# The data are two interleaved half-moons (scikit-learn's `make_moons`),
# shifted and scaled to mean 0 and standard deviation 1 per axis, the
# scale the noise $\mathcal N(0, I)$ assumes. 4000 points train the
# model; 2000 others are the reference that samples are compared with.
#
# How good is a cloud of samples? Two distances, in the units of the
# data, answer the two halves of the question:
#
# - **off**: the mean distance from each sample to its nearest reference
#   point. Samples that fall between the moons make it large.
# - **gap**: the mean distance from each reference point to its nearest
#   sample. A sampler that covers only part of the moons makes it large.
#
# A fresh draw of 1000 points from the data itself sets the floor, and
# **spread** (the root-mean-square distance of the points from their
# mean) says how wide the cloud is:

# %%
# --8<-- "snippets/models/diffusion.py:data"

# %% name="floor"
X, y = moons(4000, seed=0)  # training data and their moon, 0 or 1
R, r_y = moons(2000, seed=1)  # reference points
off, gap = quality(moons(1000, seed=2)[0], R)
print(f"data vs data: off = {off:.3f}, gap = {gap:.3f}, "
      f"spread = {spread(R):.3f}")
glue("floor", f"{off:.3f}")  # markdown-exec: hide

# %% [markdown]
# The denoiser $\varepsilon_\theta(x_t, t)$ is a small MLP. Its input is
# $x_t$, sinusoidal features of $t/T$ (so that one network serves every
# noise level) and, for the conditional model further down, a learned
# embedding of a class label. It is trained with DDPM's loss: draw a data
# point $x_0$, a step $t$ uniformly from $1, \dots, T$ and noise
# $\varepsilon \sim \mathcal N(0, I)$, and minimise
#
# $$
# \big\lVert \varepsilon - \varepsilon_\theta\big(\sqrt{\bar\alpha_t}\,
# x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon,\; t\big) \big\rVert^2 .
# $$
#
# Adam, 2000 steps of 256 points, and a learning rate that decays
# linearly to zero: a budget that fits in a few seconds, not the best the
# model could do.

# %%
# --8<-- "snippets/models/diffusion.py:model"

# %%
model, losses = train_denoiser(X, alpha_bar=alpha_bar, hidden=64)
n_params = sum(p.numel() for p in model.parameters())
print(f"hidden = 64: {n_params} parameters, "
      f"{model.multiply_adds()} multiply-adds per call\n"
      f"loss, mean of the first 100 steps: {np.mean(losses[:100]):.3f}, "
      f"of the last 100: {np.mean(losses[-100:]):.3f}")

# %% [markdown]
# ## Sampling: every step, or a few
#
# DDPM's sampler walks back one step at a time, from
# $x_T \sim \mathcal N(0, I)$ to $x_0$ [@ho2020]. Each step removes some of the
# predicted noise and adds a little fresh noise $z \sim \mathcal N(0, I)$:
#
# $$
# x_{t-1} = \frac{1}{\sqrt{\alpha_t}}\Big(x_t -
# \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}\,
# \varepsilon_\theta(x_t, t)\Big) + \sigma_t z,
# \qquad \alpha_t = 1 - \beta_t,\quad
# \sigma_t^2 = \frac{1-\bar\alpha_{t-1}}{1-\bar\alpha_t}\,\beta_t .
# $$
#
# This $\sigma_t^2$ is the variance of $x_{t-1}$ given $x_t$ and $x_0$
# under the forward process. One sample costs $T$ calls of the network.
#
# DDIM keeps the trained network and samples with a non-Markovian process
# that can skip steps and, with its parameter $\eta = 0$, adds no noise
# after $x_T$; its authors report sampling 10 to 50 times faster in
# wall-clock time, and fewer steps trade quality for compute
# [@song2021]. From $x_t$ it estimates the data, then carries that
# estimate to an earlier step $t' < t$ along the predicted noise:
#
# $$
# \hat x_0 = \frac{x_t - \sqrt{1-\bar\alpha_t}\,\varepsilon_\theta(x_t, t)}
# {\sqrt{\bar\alpha_t}}, \qquad
# x_{t'} = \sqrt{\bar\alpha_{t'}}\, \hat x_0 +
# \sqrt{1-\bar\alpha_{t'}}\, \varepsilon_\theta(x_t, t).
# $$
#
# Given the true noise instead of $\varepsilon_\theta$, $\hat x_0$ is
# the data exactly. The unit tests check that, the DDPM step against the
# mean and variance of the Gaussian posterior computed in PyTorch, and
# that DDIM with $\eta = 1$ and single steps is the DDPM step. The two
# update rules:

# %%
# --8<-- "snippets/models/diffusion.py:steps"

# %% [markdown]
# The samplers draw 1000 points at once. `predict_eps` also does the
# guidance of the next part; without a label it just calls the network.

# %%
# --8<-- "snippets/models/diffusion.py:samplers"

# %% name="samplers"
clouds = {"DDPM, 200 steps": ddpm_sample(model, alpha_bar=alpha_bar)}
for num_steps in (50, 20, 10, 5):
    clouds[f"DDIM, {num_steps} steps"] = ddim_sample(
        model, alpha_bar=alpha_bar, num_steps=num_steps)
print("sampler            calls   off     gap")
for name, S in clouds.items():
    calls = int(name.split(", ")[1].split()[0])  # one per step
    off, gap = quality(S, R)
    print(f"{name:<17}  {calls:>5}   {off:.3f}   {gap:.3f}")
q = {name: quality(S, R) for name, S in clouds.items()}  # markdown-exec: hide
glue("off_ddpm", f"{q['DDPM, 200 steps'][0]:.3f}")  # markdown-exec: hide
glue("gap_ddim_10", f"{q['DDIM, 10 steps'][1]:.3f}")  # markdown-exec: hide
glue("off_ddim_5", f"{q['DDIM, 5 steps'][0]:.3f}")  # markdown-exec: hide
glue("gap_ddim_5", f"{q['DDIM, 5 steps'][1]:.3f}")  # markdown-exec: hide

# %%
# Figure: Six scatter plots of 1000 points each: the data (two
# interleaved half-moons), DDPM with 200 steps, and DDIM with 50, 20, 10
# and 5 steps. From DDPM down to 20 DDIM steps the samples show both
# moons with a haze of points between them; at 10 steps the moons are
# thinner and shorter, and at 5 the points bunch up in the middle of each
# moon and leave its tips bare.
fig, axes = plt.subplots(2, 3, figsize=(9, 6), sharex=True, sharey=True)
panels = {"data": moons(1000, seed=2)[0], **clouds}
for ax, (name, S) in zip(axes.flat, panels.items()):
    ax.scatter(S[:, 0], S[:, 1], s=2, alpha=0.6)
    ax.set(title=name, aspect="equal", xlim=(-2.5, 2.5), ylim=(-2.5, 2.5))
fig.tight_layout()
plt.show()

# %% [markdown]
# The samples show both moons, with a haze of points between them that
# the data do not have (**off** is {{ off_ddpm }}, against a floor of
# {{ floor }}): the price of a few seconds of training. With the same
# network, 200, 50 or 20 calls per sample give about the same cloud: both
# distances stay within 0.005 of each other, about as much as two runs of
# the same sampler with different seeds differ. At 10 calls the **gap**
# grows to {{ gap_ddim_10 }}, and at 5 both numbers are clearly worse
# ({{ off_ddim_5 }} and {{ gap_ddim_5 }}). The number of sampling steps is
# chosen after training, and it is the natural one to cut when sampling
# is too slow; the number of diffusion steps $T$ is not: the network was
# trained for these 200 noise levels.

# %% [markdown]
# ## Conditioning and classifier-free guidance
#
# Now give the model the moon, 0 or 1, as a label $c$. Classifier-free
# guidance trains one network both ways: during training, the label is
# replaced by a "null" label $\varnothing$ with some probability (here
# 15 %, `p_uncond`), so the network learns the conditional
# $\varepsilon_\theta(x_t, c)$ and the unconditional
# $\varepsilon_\theta(x_t, \varnothing)$. The sampler then uses
# [@ho2022]
#
# $$
# \tilde\varepsilon = (1 + w)\,\varepsilon_\theta(x_t, c) -
# w\,\varepsilon_\theta(x_t, \varnothing).
# $$
#
# $w = 0$ is plain conditional sampling. The same rule is often written
# $\varepsilon_u + s\,(\varepsilon_c - \varepsilon_u)$ with $s = 1 + w$,
# so a "guidance scale" of 4 in that convention is $w = 3$ here: check
# which one a library uses before comparing numbers. With $w > 0$ each
# step calls the network twice.
#
# A conditional sampler is judged class by class: **own** is the share
# of samples whose nearest reference point lies on the moon they were
# asked for (fidelity); **spread** and **gap**, computed within each
# class, say how much of the class they cover (diversity).

# %%
# --8<-- "snippets/models/diffusion.py:fidelity"

# %% name="guidance"
cond, _ = train_denoiser(X, y, alpha_bar=alpha_bar, hidden=64,
                         p_uncond=0.15)
c = np.repeat([0, 1], 500)  # ask for 500 points of each moon
print("w   s = 1 + w   calls   own     spread   off     gap")
print(f"data                    1.000   "
      f"{np.mean([spread(R[r_y == k]) for k in (0, 1)]):.3f}")
guided = {}
for w in (0, 1, 3):
    guided[w] = ddpm_sample(cond, alpha_bar=alpha_bar, labels=c, w=w)
    q = class_quality(guided[w], c, R, r_y)
    calls = T if w == 0 else 2 * T  # w > 0: two network calls per step
    print(f"{w}   {1 + w:>9}   {calls:>5}   {q['own']:.3f}   "
          f"{q['spread']:.3f}    {q['off']:.3f}   {q['gap']:.3f}")
for w in (0, 3):  # markdown-exec: hide
    q = class_quality(guided[w], c, R, r_y)  # markdown-exec: hide
    for k in ("own", "spread", "off", "gap"):  # markdown-exec: hide
        glue(f"{k}_w{w}", f"{q[k]:.3f}")  # markdown-exec: hide

# %%
# Figure: Three scatter plots of the conditional samples, moon 0 in blue
# and moon 1 in orange, for guidance w = 0, 1 and 3: as w grows, each
# moon gets thinner and shorter, and its points gather on the side away
# from the other moon.
fig, axes = plt.subplots(1, 3, figsize=(9, 3.2), sharex=True, sharey=True)
for ax, (w, S) in zip(axes, guided.items()):
    for k in (0, 1):
        ax.scatter(S[c == k, 0], S[c == k, 1], s=2, alpha=0.6)
    ax.set(title=f"w = {w} (s = {1 + w})", aspect="equal",
           xlim=(-2.5, 2.5), ylim=(-2.5, 2.5))
fig.tight_layout()
plt.show()

# %% [markdown]
# Guidance does what it is for. Already at $w = 0$ the label works
# (**own** = {{ own_w0 }}); guidance raises that, to {{ own_w3 }} at
# $w = 3$, and moves the samples closer to the data (**off** from
# {{ off_w0 }} to {{ off_w3 }}), while each moon narrows (**spread** from
# {{ spread_w0 }} to {{ spread_w3 }}) and covers less of itself (**gap**
# from {{ gap_w0 }} to {{ gap_w3 }}): more fidelity, less diversity.

# %% [markdown]
# ## "Sampling temperature" is not a diffusion knob
#
# Lists of diffusion hyperparameters sometimes include a "sampling
# temperature", borrowed from language models, that would make samples
# less random. The obvious way to build one is to multiply the fresh
# noise $\sigma_t z$ of every reverse step by a factor $\tau < 1$ (`tau`
# in `ddpm_step`). It is not an established diffusion hyperparameter: Ho
# and Salimans, citing Dhariwal and Nichol, note that scaling the model's
# scores or decreasing the variance of the Gaussian noise in the reverse
# process makes diffusion models generate blurry, low-quality samples
# [@ho2022; @dhariwal2021]. The knob that trades diversity for fidelity
# is guidance. A 2-D point cannot be blurry, but the same failure shows:

# %% name="temperature"
print("model          setting     spread   off     gap     mean")
runs = {}
for tau in (1.0, 0.5, 0.2, 0.0):
    S = ddpm_sample(model, alpha_bar=alpha_bar, tau=tau)
    runs[f"tau = {tau}"] = S
    off, gap = quality(S, R)
    mx, my = S.mean(axis=0)
    print(f"unconditional  tau = {tau}   {spread(S):6.3f}   {off:.3f}"
          f"   {gap:.3f}   ({mx:+.2f}, {my:+.2f})")
for tau in (0.5, 0.0):
    S = ddpm_sample(cond, alpha_bar=alpha_bar, labels=c, tau=tau)
    runs[f"w = 0, tau = {tau}"] = S
    q = class_quality(S, c, R, r_y)
    print(f"conditional    tau = {tau}   {q['spread']:6.3f}   "
          f"{q['off']:.3f}   {q['gap']:.3f}   own = {q['own']:.3f}")
cold = runs["tau = 0.0"]  # markdown-exec: hide
glue("cold_spread", f"{spread(cold):.3f}")  # markdown-exec: hide
glue("cold_off", f"{quality(cold, R)[0]:.3f}")  # markdown-exec: hide
q = class_quality(runs["w = 0, tau = 0.0"], c, R, r_y)  # markdown-exec: hide
glue("cold_cond_spread", f"{q['spread']:.3f}")  # markdown-exec: hide
glue("cold_cond_gap", f"{q['gap']:.3f}")  # markdown-exec: hide

# %%
# Figure: Two rows of scatter plots. Top, the unconditional model with
# tau = 1, 0.5, 0.2 and 0: the two moons shrink into one blob in the
# middle, between the moons, and at tau = 0 into a single point there.
# Bottom, the conditional model: guidance w = 3 and plain w = 0 for
# comparison, then tau = 0.5, which thins each moon, and tau = 0, which
# shrinks each moon into a single point.
fig, axes = plt.subplots(2, 4, figsize=(10, 5.4), sharex=True,
                         sharey=True)
for ax, tau in zip(axes[0], (1.0, 0.5, 0.2, 0.0)):
    S = runs[f"tau = {tau}"]
    ax.scatter(S[:, 0], S[:, 1], s=2, alpha=0.6)
    ax.set(title=f"unconditional, tau = {tau}")
bottom = {"w = 3": guided[3], "w = 0": guided[0],
          "w = 0, tau = 0.5": runs["w = 0, tau = 0.5"],
          "w = 0, tau = 0.0": runs["w = 0, tau = 0.0"]}
for ax, (name, S) in zip(axes[1], bottom.items()):
    for k in (0, 1):
        ax.scatter(S[c == k, 0], S[c == k, 1], s=2, alpha=0.6)
    ax.set(title=f"conditional, {name}")
for ax in axes.flat:
    ax.set(aspect="equal", xlim=(-2.5, 2.5), ylim=(-2.5, 2.5))
    ax.title.set_fontsize(9)
fig.tight_layout()
plt.show()

# %% [markdown]
# Without a label, lowering $\tau$ pulls every sample towards the same
# place, the middle between the two moons, where there is no data: at
# $\tau = 0$ the 1000 samples are practically one point (**spread**
# {{ cold_spread }}), and **off** is {{ cold_off }}, eight times the
# floor. That point is the 2-D version of a blurry image, a compromise
# between everything the model could have drawn. With a label,
# $\tau = 0.5$ happens to land close to $w = 3$ on these numbers, but
# $\tau = 0$ turns each class into a single point (**spread**
# {{ cold_cond_spread }}, **gap** {{ cold_cond_gap }}): all diversity is
# gone and nothing is gained for it. Guidance is different in kind: it
# uses the label to push the samples towards what sets their class
# apart, and it stays on the data.
#
# DDIM with $\eta = 0$ also adds no noise after $x_T$, yet keeps the
# full variety of samples: its update rescales the predicted noise for
# the new noise level, which dropping DDPM's $\sigma_t z$ does not.

# %% [markdown]
# ## Width: the toy's "number of channels"
#
# In an image model, the number of channels of the network's
# convolutional layers sets its size. The toy's denoiser has no
# convolutions; the width of its hidden layers plays the same role. Three
# widths, trained the same way and sampled with DDPM's 200 steps. The
# cost is counted in multiply-adds, the operations that dominate it, for
# one call of the network on one point and for the $T = 200$ calls one
# sample needs:

# %% name="widths"
widths = {64: model}  # trained above
for hidden in (16, 128):
    widths[hidden], _ = train_denoiser(X, alpha_bar=alpha_bar,
                                       hidden=hidden)
print("hidden   parameters   multiply-adds         off     gap")
print("                      per call   per sample")
samples = {}
for hidden in sorted(widths):
    net = widths[hidden]
    samples[hidden] = ddpm_sample(net, alpha_bar=alpha_bar)
    n_params = sum(p.numel() for p in net.parameters())
    off, gap = quality(samples[hidden], R)
    print(f"{hidden:>6}   {n_params:>10}   {net.multiply_adds():>8}"
          f"   {T * net.multiply_adds():>10}   {off:.3f}   {gap:.3f}")
for hidden in samples:  # markdown-exec: hide
    off, _ = quality(samples[hidden], R)  # markdown-exec: hide
    glue(f"off_{hidden}", f"{off:.3f}")  # markdown-exec: hide

# %%
# Figure: Three scatter plots of DDPM samples from denoisers of width 16,
# 64 and 128: the wider the network, the fewer points fall between the
# two moons.
fig, axes = plt.subplots(1, 3, figsize=(9, 3.2), sharex=True, sharey=True)
for ax, (hidden, S) in zip(axes, samples.items()):
    ax.scatter(S[:, 0], S[:, 1], s=2, alpha=0.6)
    ax.set(title=f"hidden = {hidden}", aspect="equal",
           xlim=(-2.5, 2.5), ylim=(-2.5, 2.5))
fig.tight_layout()
plt.show()

# %% [markdown]
# Width buys quality: **off** falls from {{ off_16 }} to {{ off_64 }} to
# {{ off_128 }}, with the floor at {{ floor }}. It is paid for on every
# call: the two hidden-to-hidden layers grow with the square of the
# width, so 8 times the width costs 42 times the multiply-adds, and a
# sample pays that $T$ times (guidance, twice over). An image model's
# channel count makes the same trade, at a much larger scale.

# %% [markdown]
# ## What to remember
#
# - $T$ and the noise schedule define the forward process; choose them
#   together, so that $x_T$ is (almost) pure noise. DDPM: $T = 1000$ and
#   $\beta_t$ linear from $10^{-4}$ to $0.02$ [@ho2020]; the cosine
#   schedule: $s = 0.008$ and $\beta_t \le 0.999$ [@nichol2021].
# - The number of *sampling* steps is a separate choice, made after
#   training: DDIM reuses the trained network with far fewer steps,
#   trading quality for compute [@song2021].
# - The guidance strength $w$ (or $s = 1 + w$: check the convention)
#   trades diversity for fidelity [@ho2022]; it doubles the network calls
#   per step.
# - Scaling down the sampler's noise is not a temperature knob: it
#   collapses the samples [@ho2022; @dhariwal2021].
# - A wider denoiser is better and costs more per call, and every
#   sampling step pays that cost.
#
# ## Try it
#
# - In the training cell, pass `num_steps=6000` to `train_denoiser` (three
#   times the training): how close does **off** come to the floor?
# - In the DDIM cell, pass `eta=1.0` to `ddim_sample`: the sampler adds
#   noise again. Is it better or worse than $\eta = 0$ at 10 steps?
# - In the guidance cell, use `(0, 1, 3, 10)` for `w`. What happens to
#   **off** and **gap** at $w = 10$?
# - Train the conditional model with `p_uncond=0.0`, so that it never
#   sees the null label. What does guidance do now?
# - In the width cell, train `(16, 128, 256)`: is the widest network
#   still the best, with the same learning rate and number of steps?
# - Set `alpha_bar = alpha_bars(cosine_betas(T=200))`, retrain the model
#   and sample with DDIM in 50 steps. Where do the samples land, and why?

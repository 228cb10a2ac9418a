"""Glossary: gradient clipping, by norm and by value.

Both written from scratch in NumPy and checked against
torch.nn.utils.clip_grad_norm_ and clip_grad_value_; why norm clipping
keeps the direction; and runs on the glossary's shared digits task, from
three seeds each, that diverge without clipping and train with it. The
page docs/glossary/gradient-clipping.md shows the sections of this
script; importing it runs nothing, and
``python -m snippets.glossary.gradient_clipping`` runs every experiment
of the page.
"""

from snippets.glossary.digits_task import digits, fit, mlp

# --8<-- [start:clip]
import math
from numbers import Real

import numpy as np


def clip_by_norm(grads, *, max_norm, norm_type=2.0):
    """Scale all gradients together so that their joint norm is at most
    max_norm, as torch.nn.utils.clip_grad_norm_ does. Returns the clipped
    gradients and the total norm from before clipping."""
    check_real("max_norm", max_norm, low=0, low_open=True)
    if norm_type != math.inf:  # or inf: the largest entry (below)
        check_real("norm_type", norm_type, low=1)
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(g))) for g in grads)
    else:  # the norm of the per-tensor norms = the norm of all entries
        norms = [np.sum(np.abs(g) ** norm_type) ** (1 / norm_type)
                 for g in grads]
        total = float(np.sum(np.array(norms) ** norm_type)
                      ** (1 / norm_type))
    # torch adds 1e-6, so that a zero gradient does not divide by zero
    scale = min(max_norm / (total + 1e-6), 1.0)
    return [g * scale for g in grads], total


def clip_by_value(grads, *, clip_value):
    """Clamp every entry of every gradient to [-clip_value, clip_value],
    as torch.nn.utils.clip_grad_value_ does."""
    check_real("clip_value", clip_value, low=0, low_open=True)
    return [np.clip(g, -clip_value, clip_value) for g in grads]


# The argument checks. Python looks a name up when the function that uses
# it runs, so the checks can follow the code that calls them.
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
# --8<-- [end:clip]


# --8<-- [start:fit_clipped]
import torch
from torch.nn.utils import clip_grad_norm_, get_total_norm


def fit_clipped(model, data, *, lr, max_norm=None, num_epochs=10, seed=0):
    """fit() with plain SGD at `lr` and the gradient norm clipped at
    max_norm (None: never clipped). Returns fit's history, plus grad_norm:
    the norm before clipping at every step (34 per epoch)."""
    check_real("lr", lr, low=0, low_open=True)
    if max_norm is not None:
        check_real("max_norm", max_norm, low=0, low_open=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    norms = []

    def clip(*hook_args):  # runs as optimizer.step() begins
        if max_norm is None:  # measure only: the norm clip_grad_norm_ uses
            norm = get_total_norm([p.grad for p in model.parameters()])
        else:  # clip in place; returns the norm from before clipping
            norm = clip_grad_norm_(model.parameters(), max_norm)
        norms.append(norm.item())

    optimizer.register_step_pre_hook(clip)
    history = fit(model, data, optimizer=optimizer, num_epochs=num_epochs,
                  seed=seed)
    return history | {"grad_norm": norms}
# --8<-- [end:fit_clipped]


if __name__ == "__main__":
    # --8<-- [start:defaults]
    import inspect

    import torch

    params = inspect.signature(torch.nn.utils.clip_grad_norm_).parameters
    for name in ("max_norm", "norm_type", "error_if_nonfinite"):
        default = params[name].default
        shown = "none, it must be given" \
            if default is inspect.Parameter.empty else default
        print(f"clip_grad_norm_ {name}: {shown}")
    # --8<-- [end:defaults]

    # --8<-- [start:clip_run]
    # The gradients of a weight matrix W (2 x 2) and a bias b (2,)
    grads = [np.array([[0.3, -1.2], [2.0, 0.5]]), np.array([4.0, -0.1])]
    clipped, total = clip_by_norm(grads, max_norm=1.0)
    print(f"norm before clipping: {total:.4f}")
    print(f"by norm, max_norm=1:   W {clipped[0].round(4).tolist()}, "
          f"b {clipped[1].round(4).tolist()}")
    _, total_after = clip_by_norm(clipped, max_norm=1.0)
    print(f"norm after clipping:  {total_after:.4f}")
    clipped = clip_by_value(grads, clip_value=1.0)
    print(f"by value, clip_value=1: W {clipped[0].tolist()}, "
          f"b {clipped[1].tolist()}")
    # --8<-- [end:clip_run]

    # --8<-- [start:clip_torch]
    import torch
    from torch.nn.utils import clip_grad_norm_, clip_grad_value_

    # The same gradients, stored in .grad as backward() would leave them
    W = torch.zeros(2, 2, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    W.grad = torch.tensor([[0.3, -1.2], [2.0, 0.5]], dtype=torch.float64)
    b.grad = torch.tensor([4.0, -0.1], dtype=torch.float64)
    total = clip_grad_norm_([W, b], max_norm=1.0)  # in place; returns the norm
    print(f"norm before clipping: {total:.4f}")
    print(f"by norm, max_norm=1:   W {W.grad.numpy().round(4).tolist()}, "
          f"b {b.grad.numpy().round(4).tolist()}")
    total_after = clip_grad_norm_([W, b], max_norm=1.0)
    print(f"norm after clipping:  {total_after:.4f}")
    W.grad = torch.tensor([[0.3, -1.2], [2.0, 0.5]], dtype=torch.float64)
    b.grad = torch.tensor([4.0, -0.1], dtype=torch.float64)
    clip_grad_value_([W, b], clip_value=1.0)
    print(f"by value, clip_value=1: W {W.grad.tolist()}, b {b.grad.tolist()}")
    # --8<-- [end:clip_torch]

    # --8<-- [start:direction]
    g = np.array([3.0, 0.4])
    (by_norm,), _ = clip_by_norm([g], max_norm=1.0)
    (by_value,) = clip_by_value([g], clip_value=1.0)
    for name, v in (("gradient", g), ("clipped by norm", by_norm),
                    ("clipped by value", by_value)):
        angle = math.degrees(math.atan2(v[1], v[0]))
        print(f"{name:<17} {v.round(4).tolist()!s:<18} length "
              f"{np.linalg.norm(v):.4f}, angle {angle:5.2f} degrees")
    # --8<-- [end:direction]

    # --8<-- [start:experiment]
    import math

    import numpy as np
    from torch import nn

    data = digits()
    seeds = (0, 1, 2)  # each: its own initial weights and batch order
    runs = {}  # (lr, max_norm) -> one history per seed
    print(" lr  max_norm  norm median  largest  clipped  diverged"
          "  val acc  (min-max)")
    for lr, max_norm in ((0.1, None), (1.0, None), (1.0, 0.01), (1.0, 0.1),
                         (1.0, 1.0), (1.0, 10.0)):
        # three tanh layers: at lr = 1.0, steps grow until the tanh saturate
        runs[lr, max_norm] = [
            fit_clipped(mlp(hidden=64, depth=3, activation=nn.Tanh, seed=s),
                        data, lr=lr, max_norm=max_norm, seed=s)
            for s in seeds]
        g = np.array([h["grad_norm"] for h in runs[lr, max_norm]])  # (3, 340)
        clipped = "-" if max_norm is None else f"{(g > max_norm).mean():.1%}"
        # diverged: at the end of some epoch, the training loss was more
        # than twice where it starts, log 10 = 2.3 (a uniform guess)
        diverged = sum(max(h["train_loss"]) > 2 * math.log(10)
                       for h in runs[lr, max_norm])
        acc = [h["val_acc"][-1] for h in runs[lr, max_norm]]
        print(f"{lr:>3} {max_norm!s:>9} {np.median(g):>12.2f} "
              f"{g.max():>8.2f} {clipped:>8} {diverged:>7}/{len(seeds)} "
              f"{np.median(acc):>8.3f}  ({min(acc):.3f}-{max(acc):.3f})")
    # --8<-- [end:experiment]

    # --8<-- [start:figure]
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8))
    epochs = range(1, 11)
    for max_norm, label in ((None, "no clipping"), (0.01, "too small"),
                            (1.0, "about right"), (10.0, "too large")):
        loss = np.array([h["train_loss"] for h in runs[1.0, max_norm]])
        line, = left.semilogy(epochs, np.median(loss, axis=0), marker=".",
                              ls=":" if max_norm == 10.0 else "-",
                              label=f"max_norm = {max_norm} ({label})")
        left.fill_between(epochs, loss.min(axis=0), loss.max(axis=0),
                          color=line.get_color(), alpha=0.2, lw=0)  # seeds
    left.set(xlabel="epoch", ylabel="training loss (log scale)",
             ylim=(0.05, 3e3),
             title=f"lr = 1.0: median and range of {len(seeds)} seeds")
    left.legend(fontsize=7, ncol=2, loc="upper left")
    sweep = [None, 0.01, 0.1, 1.0, 10.0]
    final = np.array([[h["val_loss"][-1] for h in runs[1.0, m]]
                      for m in sweep])  # (max_norms, seeds)
    median = np.median(final, axis=1)
    right.errorbar(range(len(sweep)), median, marker="o", capsize=3,
                   yerr=[median - final.min(axis=1),
                         final.max(axis=1) - median])  # the seeds' range
    baseline = np.median([h["val_loss"][-1] for h in runs[0.1, None]])
    right.axhline(baseline, color="grey", ls="--",
                  label="lr = 0.1, no clipping")
    right.set(xticks=range(len(sweep)),
              xticklabels=["none" if m is None else f"{m:g}" for m in sweep],
              xlabel="max_norm", ylabel="validation loss after 10 epochs",
              yscale="log",
              title=f"lr = 1.0: median and range of {len(seeds)} seeds")
    right.legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure]

"""2022: μTransfer. Under PyTorch's standard parametrization the best
learning rate of an MLP moves as the MLP widens; under μP (the Maximal
Update Parametrization) it stays, so a rate tuned on a narrow network
transfers to a wide one.

The page docs/history/2022-mutransfer.md shows the sections of this
script; importing it runs nothing, and
``python -m snippets.history.mutransfer_2022`` runs the page's experiment.
Its μP is written out in plain PyTorch; the tests check it against
Microsoft's ``mup`` package.
"""

from snippets.glossary.digits_task import check_int, check_real, digits


# --8<-- [start:model]
import math

import torch
from torch import nn

PARAMETRIZATIONS = ("standard", "mup")


class MLP(nn.Module):
    """64 pixels -> width -> width -> 10 scores, ReLU between.

    "standard": PyTorch's defaults, one learning rate for every weight.
    "mup": the same network in μP, relative to a narrow `base_width`
    whose m = width / base_width is 1. The readout starts at zero and
    sees its input times 1/m; the hidden layer's bias starts √m larger
    (its size no longer shrinks with the width); `adam` gives the hidden
    matrix, width x width, the learning rate lr / m."""

    def __init__(self, width, *, parametrization="standard",
                 base_width=32):
        check_int("width", width, low=1)
        check_int("base_width", base_width, low=1)
        if parametrization not in PARAMETRIZATIONS:
            raise ValueError(f"parametrization must be one of "
                             f"{PARAMETRIZATIONS}, got {parametrization!r}")
        super().__init__()
        self.parametrization = parametrization
        self.m = width / base_width if parametrization == "mup" else 1.0
        self.inp = nn.Linear(64, width)  # default init: Var = 1/(3 fan_in)
        self.hidden = nn.Linear(width, width)
        self.out = nn.Linear(width, 10)
        if parametrization == "mup":
            with torch.no_grad():
                self.hidden.bias.mul_(math.sqrt(self.m))
                self.out.weight.zero_()  # every width starts at ln 10
                self.out.bias.zero_()

    def forward(self, X):  # X: (n, 64) -> scores (n, 10)
        h = torch.relu(self.inp(X))
        h = torch.relu(self.hidden(h))
        return self.out(h / self.m)  # m = 1: the standard network


def adam(model, *, lr):
    """Adam for `model`: one rate lr for all (standard), or lr / m for
    the hidden matrix, whose fan-in grows with the width (μP)."""
    check_real("lr", lr, low=0, low_open=True)
    # fused: Adam's update in one kernel per step, not a dozen small ones
    # per tensor: the same update, and a shorter sweep on a CPU
    if model.parametrization == "standard":
        return torch.optim.Adam(model.parameters(), lr=lr, fused=True)
    rest = [p for name, p in model.named_parameters()
            if name != "hidden.weight"]
    return torch.optim.Adam([
        {"params": rest, "lr": lr},
        {"params": [model.hidden.weight], "lr": lr / model.m},
    ], fused=True)
# --8<-- [end:model]


# --8<-- [start:train]
import numpy as np


def final_loss(width, *, parametrization, lr, data, seed=0, num_steps=150,
               batch_size=128):
    """Train an MLP of `width` with Adam for `num_steps` mini-batches drawn
    from seed; its loss on the whole training set at the end (inf if it
    diverged)."""
    check_int("num_steps", num_steps, low=1)
    check_int("batch_size", batch_size, low=1)
    (X, y), _, _ = data
    torch.manual_seed(seed)
    model = MLP(width, parametrization=parametrization)
    opt = adam(model, lr=lr)
    draw = torch.Generator().manual_seed(seed)
    for _ in range(num_steps):
        i = torch.randint(len(X), (batch_size,), generator=draw)
        loss = nn.functional.cross_entropy(model(X[i]), y[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        loss = nn.functional.cross_entropy(model(X), y).item()
    return loss if math.isfinite(loss) else math.inf


def sweep(widths, lrs, *, parametrization, data, seeds=(0, 1)):
    """Mean final loss over `seeds`: (len(widths), len(lrs))."""
    return np.array([[np.mean([final_loss(w, parametrization=
                                          parametrization, lr=lr,
                                          data=data, seed=s)
                               for s in seeds])
                      for lr in lrs] for w in widths])
# --8<-- [end:train]


if __name__ == "__main__":
    # --8<-- [start:sweep_run]
    torch.set_num_threads(1)
    data = digits()
    widths = [32, 64, 128, 256]
    lrs = [10.0 ** k for k in np.arange(-2.5, -0.4, 0.5)]  # 0.0032 .. 0.32
    losses = {p: sweep(widths, lrs, parametrization=p, data=data)
              for p in PARAMETRIZATIONS}
    print("final training loss, mean of 2 seeds; * the best rate")
    print("width  " + "".join(f"{lr:>8.3g}" for lr in lrs))
    for p in PARAMETRIZATIONS:
        print(p)
        for w, row in zip(widths, losses[p]):
            best = int(np.argmin(row))
            print(f"{w:>5}  " + "".join(
                f"{x:>7.3f}{'*' if j == best else ' '}"
                for j, x in enumerate(row)))
    # --8<-- [end:sweep_run]

    # --8<-- [start:verdict]
    for p in PARAMETRIZATIONS:
        best = [int(np.argmin(row)) for row in losses[p]]  # grid indices
        print(f"{p}: best rate {lrs[best[0]]:.3g} at width {widths[0]}, "
              f"{lrs[best[-1]]:.3g} at width {widths[-1]}; it moves "
              f"{max(best) - min(best)} grid step(s) in all")
    # --8<-- [end:verdict]

    # --8<-- [start:figure]
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    for ax, p in zip(axes, PARAMETRIZATIONS):
        for w, row in zip(widths, losses[p]):
            line, = ax.plot(lrs, row, "o-", label=f"width {w}")
            best = int(np.argmin(row))
            ax.plot(lrs[best], row[best], "*", ms=14, color=line.get_color())
        ax.set(xscale="log", yscale="log", xlabel="learning rate",
               title={"standard": "standard (PyTorch's defaults)",
                      "mup": "μP"}[p], ylim=(5e-3, 3))
    axes[0].set_ylabel("final training loss")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure]

"""1998: LeNet-5, a network described by its hyperparameters.

Every layer's output size and parameter count follows from its kernel
size, stride and number of feature maps. This script computes them by
formula, builds the network twice in PyTorch (as the 1998 paper describes
it, and as it is usually re-implemented today) and checks both against the
formulas. The page docs/history/1998-lenet5.md shows its sections;
importing it runs nothing, and ``python -m snippets.history.lenet5_1998``
runs every example of the page.
"""


# --8<-- [start:formulas]
def conv_out(size, *, kernel_size, stride=1):
    """Side of the output map of a k x k window slid with a stride over a
    size x size map, without padding: (size - k) // stride + 1."""
    check_int("size", size, low=1)
    check_int("kernel_size", kernel_size, low=1, high=size)  # fits the map
    check_int("stride", stride, low=1)
    return (size - kernel_size) // stride + 1


def conv_params(*, in_maps, maps, kernel_size, connections=None):
    """One k x k kernel per (output map, input map) pair that is connected,
    plus one bias per output map. Fully connected: maps * in_maps pairs."""
    check_int("in_maps", in_maps, low=1)
    check_int("maps", maps, low=1)
    check_int("kernel_size", kernel_size, low=1)
    if connections is None:
        connections = maps * in_maps
    # every output map reads at least one input map, at most all of them
    check_int("connections", connections, low=maps, high=maps * in_maps)
    return connections * kernel_size**2 + maps


def subsample_params(*, maps):
    """The paper's subsampling: one coefficient and one bias per map."""
    check_int("maps", maps, low=1)
    return 2 * maps


def full_params(*, n_in, n_out):
    """A fully connected layer: a weight per (input, output), a bias per
    output."""
    check_int("n_in", n_in, low=1)
    check_int("n_out", n_out, low=1)
    return n_out * (n_in + 1)


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
# --8<-- [end:formulas]


# --8<-- [start:c3_table]
# Which of S2's 6 maps each of C3's 16 maps reads (the paper's Table I).
def window(start, width):
    """width neighbouring maps from start, wrapping around after map 5."""
    return tuple(sorted((start + d) % 6 for d in range(width)))


C3_INPUTS = (
    [window(j, 3) for j in range(6)]  # maps 0-5: 3 neighbours
    + [window(j, 4) for j in range(6)]  # maps 6-11: 4 neighbours
    + [(0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5)]  # 12-14: 4, not
    + [(0, 1, 2, 3, 4, 5)]  # map 15: all six
)
# --8<-- [end:c3_table]


# --8<-- [start:table]
def lenet5_layers(*, side=32, paper=True):
    """(layer, maps, output side, trainable parameters) for each layer.

    paper=True: as in 1998 (C3 reads the subsets of C3_INPUTS, trainable
    subsampling, fixed RBF output). paper=False: the usual modern version
    (full C3, pooling without parameters, a linear output layer).
    """
    c3 = sum(map(len, C3_INPUTS)) if paper else None  # None: all 96
    pool = subsample_params if paper else (lambda *, maps: 0)
    rows = [("input", 1, side, 0)]
    side = conv_out(side, kernel_size=5)
    rows.append(("C1", 6, side, conv_params(in_maps=1, maps=6,
                                            kernel_size=5)))
    side = conv_out(side, kernel_size=2, stride=2)
    rows.append(("S2", 6, side, pool(maps=6)))
    side = conv_out(side, kernel_size=5)
    rows.append(("C3", 16, side, conv_params(in_maps=6, maps=16,
                                             kernel_size=5, connections=c3)))
    side = conv_out(side, kernel_size=2, stride=2)
    rows.append(("S4", 16, side, pool(maps=16)))
    side = conv_out(side, kernel_size=5)
    rows.append(("C5", 120, side, conv_params(in_maps=16, maps=120,
                                              kernel_size=5)))
    rows.append(("F6", 84, None, full_params(n_in=120 * side**2, n_out=84)))
    # the paper's RBF output has fixed weights: nothing to train
    output = 0 if paper else full_params(n_in=84, n_out=10)
    rows.append(("output", 10, None, output))
    return rows
# --8<-- [end:table]


# --8<-- [start:torch_paper]
from collections import OrderedDict

import torch
from torch import nn


class ScaledTanh(nn.Module):
    """The paper's squashing function f(a) = A tanh(S a)."""

    def forward(self, a):
        return 1.7159 * torch.tanh(2 / 3 * a)  # A = 1.7159, S = 2/3


class Subsample(nn.Module):
    """The sum of each 2x2 block, times a trainable coefficient, plus a
    trainable bias, as the paper has it: two parameters per map."""

    def __init__(self, maps):
        super().__init__()
        check_int("maps", maps, low=1)
        self.coeff = nn.Parameter(torch.ones(maps))
        self.bias = nn.Parameter(torch.zeros(maps))

    def forward(self, x):  # x: (batch, maps, side, side)
        # the paper adds the four inputs: a 2x2 pool with divisor 1 sums
        x = nn.functional.avg_pool2d(x, 2, divisor_override=1)
        return x * self.coeff[:, None, None] + self.bias[:, None, None]


class PartialConv(nn.Module):
    """C3: output map j convolves only the input maps listed in table[j]."""

    def __init__(self, table, *, kernel_size=5):
        super().__init__()
        self.table = [list(inputs) for inputs in table]
        self.convs = nn.ModuleList(
            nn.Conv2d(len(inputs), 1, kernel_size) for inputs in table
        )

    def forward(self, x):
        return torch.cat([conv(x[:, inputs]) for conv, inputs
                          in zip(self.convs, self.table)], dim=1)


class RBFOutput(nn.Module):
    """y_i = sum_j (x_j - w_ij)^2, a squared distance to a fixed code per
    class: the smallest one wins. The codes are a buffer, not trained."""

    def __init__(self, n_in=84, n_classes=10):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        # stand-in codes of -1 and +1; the paper chose its codes by design
        codes = 2.0 * torch.randint(0, 2, (n_classes, n_in), generator=g) - 1
        self.register_buffer("codes", codes)

    def forward(self, x):  # x: (batch, n_in) -> (batch, n_classes)
        return ((x[:, None, :] - self.codes) ** 2).sum(dim=-1)


def lenet5_paper():
    torch.manual_seed(0)
    return nn.Sequential(OrderedDict(
        C1=nn.Sequential(nn.Conv2d(1, 6, 5), ScaledTanh()),
        S2=nn.Sequential(Subsample(6), ScaledTanh()),
        C3=nn.Sequential(PartialConv(C3_INPUTS), ScaledTanh()),
        S4=nn.Sequential(Subsample(16), ScaledTanh()),
        C5=nn.Sequential(nn.Conv2d(16, 120, 5), ScaledTanh()),
        F6=nn.Sequential(nn.Flatten(), nn.Linear(120, 84), ScaledTanh()),
        output=RBFOutput(84, 10),
    ))


def describe(model, rows):
    """Each layer's output shape and trainable parameters, next to the
    formula's, for one (1, 1, 32, 32) image."""
    x = torch.zeros(1, 1, 32, 32)
    print(f"{'layer':<7}{'output shape':<17}{'torch':>7}{'formula':>9}")
    for (name, layer), (_, _, _, formula) in zip(model.named_children(),
                                                 rows[1:]):
        x = layer(x)
        n = sum(p.numel() for p in layer.parameters() if p.requires_grad)
        print(f"{name:<7}{tuple(x.shape)!s:<17}{n:>7,}{formula:>9,}")
    trainable = sum(p.numel() for p in model.parameters()
                    if p.requires_grad)
    fixed = sum(b.numel() for b in model.buffers())
    print(f"trainable: {trainable:,}, fixed (buffers): {fixed:,}")
# --8<-- [end:torch_paper]


# --8<-- [start:torch_modern]
def lenet5_modern():
    torch.manual_seed(0)
    return nn.Sequential(OrderedDict(
        C1=nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU()),
        S2=nn.MaxPool2d(2),  # no parameters
        C3=nn.Sequential(nn.Conv2d(6, 16, 5), nn.ReLU()),  # all 96 pairs
        S4=nn.MaxPool2d(2),
        C5=nn.Sequential(nn.Conv2d(16, 120, 5), nn.ReLU()),
        F6=nn.Sequential(nn.Flatten(), nn.Linear(120, 84), nn.ReLU()),
        output=nn.Linear(84, 10),  # scores; softmax is in the loss
    ))
# --8<-- [end:torch_modern]


if __name__ == "__main__":
    # --8<-- [start:table_run]
    paper = lenet5_layers()
    modern = lenet5_layers(paper=False)
    print(f"{'layer':<7}{'maps':>5}{'size':>7}{'paper':>9}{'modern':>9}")
    for (name, maps, side, p), (*_, m) in zip(paper, modern):
        size = f"{side}x{side}" if side else "-"
        print(f"{name:<7}{maps:>5}{size:>7}{p:>9,}{m:>9,}")
    print(f"{'total':<19}{sum(r[3] for r in paper):>9,}"
          f"{sum(r[3] for r in modern):>9,}")
    # --8<-- [end:table_run]

    # --8<-- [start:c3_print]
    print("C3 map:    " + " ".join(f"{j:>2}" for j in range(16)))
    for i in range(6):
        marks = " ".join(" X" if i in inputs else " ." for inputs in C3_INPUTS)
        print(f"S2 map {i}:  {marks}")
    print("inputs per C3 map:", [len(inputs) for inputs in C3_INPUTS])
    print("connections:", sum(map(len, C3_INPUTS)), "of", 16 * 6)
    # --8<-- [end:c3_print]

    # --8<-- [start:torch_paper_run]
    describe(lenet5_paper(), lenet5_layers())
    # --8<-- [end:torch_paper_run]

    # --8<-- [start:torch_modern_run]
    describe(lenet5_modern(), lenet5_layers(paper=False))
    # --8<-- [end:torch_modern_run]

    # --8<-- [start:figure]
    import matplotlib.pyplot as plt
    import numpy as np

    mask = np.array([[i in inputs for inputs in C3_INPUTS] for i in range(6)])
    names = [r[0] for r in paper[1:]]
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(9, 3.4), gridspec_kw={"width_ratios": [1.4, 1]}
    )
    left.imshow(mask, cmap="Blues", vmin=-0.3, vmax=1.2)
    left.set(xticks=range(16), yticks=range(6), xlabel="C3 feature map",
             ylabel="S2 feature map",
             title=f"C3 connection table: {mask.sum()} of {mask.size} pairs")
    y = np.arange(len(names))
    for rows, shift, label in ((paper, -0.2, "paper (1998)"),
                               (modern, 0.2, "modern")):
        # a count of 0 has no place on a log axis: it is drawn as no bar
        counts = [r[3] or np.nan for r in rows[1:]]
        right.barh(y + shift, counts, height=0.4, label=label)
    right.set(xscale="log", xlim=(1, 1e5), yticks=y, yticklabels=names,
              xlabel="trainable parameters (log scale)",
              title="parameters per layer")
    right.invert_yaxis()
    right.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure]

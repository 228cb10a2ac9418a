"""1989: a weight-shared (convolutional) network on handwritten digits.

One convolution layer (kernel_size x kernel_size kernels, n_maps feature
maps), tanh, then a linear classifier, trained by minibatch SGD on
scikit-learn's 8x8 digits. The page docs/history/1989-zip-codes.md shows
the sections of this script; importing it runs nothing (it trains no
network), and ``python -m snippets.history.zip_codes_1989`` runs every
experiment of the page.
"""

# --8<-- [start:conv_numpy]
import numpy as np
from sklearn.datasets import load_digits


def conv2d(x, w, b):
    """Slide every kernel over the image ("valid" positions only).

    x: (C, H, W) image; w: (M, C, k, k) kernels; b: (M,) biases.
    Returns z: (M, H - k + 1, W - k + 1), with
    z[m, i, j] = b[m] + sum(w[m] * x[:, i:i+k, j:j+k]).
    """
    M, k = w.shape[0], w.shape[-1]  # M kernels, each k x k per channel
    H, W = x.shape[1:]
    z = np.empty((M, H - k + 1, W - k + 1))
    for i in range(H - k + 1):
        for j in range(W - k + 1):
            patch = x[:, i:i + k, j:j + k]  # (C, k, k)
            # the same w at every (i, j): that is weight sharing
            z[:, i, j] = np.tensordot(w, patch, axes=3) + b
    return z
# --8<-- [end:conv_numpy]


# --8<-- [start:model]
import math
from numbers import Real

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

SIDE = 8  # the digits are SIDE x SIDE pixels


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


def digits_split():
    """Scikit-learn's 8x8 digits, a fixed stratified 1,437 / 360 split.

    X: (n, 1, 8, 8) float32 in [0, 1] (the raw values are 0..16);
    y: (n,) int64 labels 0..9.
    """
    digits = load_digits()
    X = digits.images.astype("float32")[:, None] / 16.0
    X_train, X_test, y_train, y_test = train_test_split(
        X, digits.target, test_size=360, stratify=digits.target,
        random_state=0)
    return (torch.from_numpy(X_train), torch.from_numpy(X_test),
            torch.from_numpy(y_train), torch.from_numpy(y_test))


def make_model(*, kernel_size=3, n_maps=8):
    """Conv2d (shared k x k kernels) -> tanh -> linear layer to 10 digits."""
    check_int("kernel_size", kernel_size, low=1, high=SIDE)
    check_int("n_maps", n_maps, low=1)
    side = SIDE - kernel_size + 1  # each map is side x side
    return nn.Sequential(
        nn.Conv2d(1, n_maps, kernel_size),
        nn.Tanh(),  # squashes every entry of the maps into (-1, 1)
        nn.Flatten(),  # (n, n_maps * side * side)
        nn.Linear(n_maps * side * side, 10),
    )


def train(X, y, *, kernel_size=3, n_maps=8, lr=0.2, num_epochs=8,
          batch_size=32, seed=0):
    """Minibatch SGD on the cross-entropy; returns (model, losses), where
    losses[e] is the mean training loss during epoch e."""
    check_int("kernel_size", kernel_size, low=1, high=SIDE)
    check_int("n_maps", n_maps, low=1)
    check_real("lr", lr, low=0, low_open=True)
    check_int("num_epochs", num_epochs, low=1)
    check_int("batch_size", batch_size, low=1)
    torch.manual_seed(seed)  # the initial weights
    order = torch.Generator().manual_seed(seed)  # the shuffles
    model = make_model(kernel_size=kernel_size, n_maps=n_maps)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(num_epochs):
        total = 0.0
        for idx in torch.randperm(len(X), generator=order).split(batch_size):
            loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        losses.append(total / len(X))
    return model, losses


def n_correct(model, X, y):
    """How many of the images in X the model labels right."""
    with torch.no_grad():
        return int((model(X).argmax(dim=1) == y).sum())
# --8<-- [end:model]


# --8<-- [start:count]
def conv_params(*, kernel_size, n_maps, in_channels=1):
    """Weights and biases of a conv layer: one k x k kernel per input
    channel and one bias, for each map. The image size does not appear."""
    check_int("kernel_size", kernel_size, low=1, high=SIDE)
    check_int("n_maps", n_maps, low=1)
    return n_maps * (in_channels * kernel_size**2 + 1)


def dense_params(*, n_in, n_out):
    """A fully connected layer: every output has its own n_in weights and
    one bias."""
    return n_out * (n_in + 1)
# --8<-- [end:count]


# --8<-- [start:table]
SETTINGS = [  # (name, the hyperparameters that differ from the defaults)
    ("defaults", {}),
    ("lr / 100", {"lr": 0.002}),
    ("lr x 20", {"lr": 4.0}),
    ("1 epoch", {"num_epochs": 1}),
    ("1 map", {"n_maps": 1}),
    ("1x1 kernel", {"kernel_size": 1}),
    ("8x8 kernel", {"kernel_size": 8}),  # as large as the image
]
DEFAULTS = {"kernel_size": 3, "n_maps": 8, "lr": 0.2, "num_epochs": 8}
# --8<-- [end:table]


if __name__ == "__main__":
    # --8<-- [start:conv_numpy_run]
    x = load_digits().images[0][None] / 16.0  # a "0", (1, 8, 8), in [0, 1]
    w = np.array([[[[-1, 0, 1]] * 3],  # left-to-right increase in ink
                  [[[-1, -1, -1], [0, 0, 0], [1, 1, 1]]]])  # top-to-bottom
    b = np.zeros(2)
    z = conv2d(x, w, b)
    print("kernels", w.shape, "-> feature maps", z.shape)
    print(f"{w.size + b.size} parameters, {z.size} outputs")
    # map 0: positive where ink starts, negative where it ends
    for row in z[0]:
        print(" ".join(f"{v:+.2f}" for v in row))
    # --8<-- [end:conv_numpy_run]

    # --8<-- [start:conv_torch]
    import torch
    from sklearn.datasets import load_digits
    from torch import nn

    x = torch.tensor(load_digits().images[0][None] / 16.0)  # (1, 8, 8)
    conv = nn.Conv2d(1, 2, kernel_size=3, dtype=torch.float64)
    with torch.no_grad():  # the two hand-made kernels, zero biases
        conv.weight.copy_(torch.tensor([[[[-1, 0, 1]] * 3],
                                        [[[-1, -1, -1], [0, 0, 0],
                                          [1, 1, 1]]]]))
        conv.bias.zero_()
        z = conv(x)  # (2, 6, 6): torch's Conv2d slides the kernel the same way
    print("kernels", tuple(conv.weight.shape), "-> feature maps",
          tuple(z.shape))
    n_params = sum(p.numel() for p in conv.parameters())
    print(f"{n_params} parameters, {z.numel()} outputs")
    for row in z[0]:
        print(" ".join(f"{v:+.2f}" for v in row.tolist()))
    # --8<-- [end:conv_torch]

    # --8<-- [start:model_run]
    X_train, X_test, y_train, y_test = digits_split()
    print(f"train {tuple(X_train.shape)}, test {tuple(X_test.shape)}")
    model, losses = train(X_train, y_train)  # the defaults
    right = n_correct(model, X_test, y_test)
    print(f"training loss: epoch 1 {losses[0]:.3f}, "
          f"epoch {len(losses)} {losses[-1]:.3f}")
    print(f"test accuracy: {right}/{len(y_test)} = {right / len(y_test):.1%}")
    # --8<-- [end:model_run]

    # --8<-- [start:count_run]
    print("kernel  maps  outputs  conv params  torch  dense params")
    for k in (1, 3, 5, 8):
        outputs = 8 * (SIDE - k + 1) ** 2  # 8 maps of (9 - k) x (9 - k)
        conv = make_model(kernel_size=k, n_maps=8)[0]
        in_torch = sum(p.numel() for p in conv.parameters())
        print(f"{k:>4}x{k:<2}{8:>4}{outputs:>9}"
              f"{conv_params(kernel_size=k, n_maps=8):>13}{in_torch:>7}"
              f"{dense_params(n_in=SIDE * SIDE, n_out=outputs):>14}")
    # --8<-- [end:count_run]

    # --8<-- [start:table_run]
    print(f"{'setting':<11}{'kernel':>7}{'maps':>5}{'lr':>7}{'epochs':>7}"
          f"{'conv':>6}{'total':>7}{'loss':>8}{'test accuracy':>16}")
    for name, change in SETTINGS:
        h = {**DEFAULTS, **change}
        net, losses = train(X_train, y_train, **h)
        right = n_correct(net, X_test, y_test)
        conv = sum(p.numel() for p in net[0].parameters())
        total = sum(p.numel() for p in net.parameters())
        k = h["kernel_size"]
        print(f"{name:<11}{k:>5}x{k}{h['n_maps']:>5}{h['lr']:>7}"
              f"{h['num_epochs']:>7}{conv:>6}{total:>7}{losses[-1]:>8.3f}"
              f"{right:>5}/{len(y_test)} {right / len(y_test):>6.1%}")
    # --8<-- [end:table_run]

    # --8<-- [start:figure]
    import matplotlib.pyplot as plt

    x = X_test[:1]  # one test digit, (1, 1, 8, 8)
    with torch.no_grad():
        w = model[0].weight[:, 0].numpy()  # (8, 3, 3) learned kernels
        maps = torch.tanh(model[0](x))[0].numpy()  # (8, 6, 6), in (-1, 1)

    fig, axes = plt.subplots(2, 9, figsize=(9, 2.6))
    axes[0, 0].imshow(x[0, 0].numpy(), cmap="gray_r", vmin=0, vmax=1)
    axes[0, 0].set_title(f"input: {int(y_test[0])}", fontsize=9)
    lim = abs(w).max()  # one colour scale for every kernel
    for m in range(8):
        axes[0, m + 1].imshow(w[m], cmap="RdBu_r", vmin=-lim, vmax=lim)
        axes[0, m + 1].set_title(f"kernel {m + 1}", fontsize=9)
        axes[1, m + 1].imshow(maps[m], cmap="RdBu_r", vmin=-1, vmax=1)
        axes[1, m + 1].set_title(f"map {m + 1}", fontsize=9)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    axes[1, 0].axis("off")
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure]

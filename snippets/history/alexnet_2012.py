"""2012: AlexNet's recipe, and the learning rate divided by ten.

A divide-on-plateau schedule written from scratch (the rule of
torch.optim.lr_scheduler.ReduceLROnPlateau in mode 'min'), then AlexNet's
training recipe scaled down to a small network on scikit-learn's 8 x 8
digits. The page docs/history/2012-alexnet.md shows the sections of this
script; importing it runs nothing (it loads the digits and defines the
split, but trains nothing), and ``python -m snippets.history.alexnet_2012``
runs every experiment of the page.
"""

# --8<-- [start:plateau]
import math
from numbers import Integral, Real


def require(ok, name, rule, value):
    """Refuse a bad hyperparameter with a message naming it."""
    if not ok:
        raise ValueError(f"{name} must be {rule}, got {value!r}")


def is_int(x):
    return isinstance(x, Integral) and not isinstance(x, bool)


def is_real(x):
    ok = isinstance(x, Real) and not isinstance(x, bool)
    return ok and math.isfinite(x)


class DivideOnPlateau:
    """Multiply lr by `factor` once the validation error has not improved
    for more than `patience` epochs in a row.

    An epoch improves when its error is below best * (1 - threshold).
    After a cut, `cooldown` epochs are not counted as bad; lr never goes
    below `min_lr`, and a cut smaller than 1e-8 is skipped (as in PyTorch).
    """

    eps = 1e-8  # smallest cut that is applied

    def __init__(self, *, lr, factor=0.1, patience=10, threshold=1e-4,
                 cooldown=0, min_lr=0.0):
        require(is_real(lr) and lr > 0, "lr", "a finite number > 0", lr)
        require(is_real(factor) and 0 < factor < 1, "factor",
                "a number in (0, 1)", factor)
        require(is_int(patience) and patience >= 0, "patience",
                "an integer >= 0", patience)
        require(is_real(threshold) and threshold >= 0, "threshold",
                "a finite number >= 0", threshold)
        require(is_int(cooldown) and cooldown >= 0, "cooldown",
                "an integer >= 0", cooldown)
        require(is_real(min_lr) and min_lr >= 0, "min_lr",
                "a finite number >= 0", min_lr)
        self.lr, self.factor, self.patience = float(lr), factor, patience
        self.threshold, self.cooldown, self.min_lr = (threshold, cooldown,
                                                      min_lr)
        self.best = math.inf  # lowest error so far (any error beats it)
        self.num_bad_epochs = 0  # epochs in a row without improvement
        self.cooldown_counter = 0  # epochs left to ignore after a cut

    def step(self, val_error):
        """Record one epoch's validation error; return the lr to use."""
        require(isinstance(val_error, Real) and not isinstance(
            val_error, bool), "val_error", "a number", val_error)
        error = float(val_error)
        if error < self.best * (1 - self.threshold):
            self.best = error
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:  # just after a cut: count nothing
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        return self.lr
# --8<-- [end:plateau]


# --8<-- [start:recipe]
import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn

torch.set_num_threads(1)  # the matrices are tiny: one thread is fastest

X, y = load_digits(return_X_y=True)  # 1,797 images, 8 x 8 pixels in 0..16
X = torch.tensor(X / 16, dtype=torch.float32)  # pixels in [0, 1]
y = torch.tensor(y)
order = torch.from_numpy(np.random.default_rng(0).permutation(len(y)))
train, val, test = order[:1000], order[1000:1400], order[1400:]


def error_rate(model, idx):
    """Fraction of the images idx that the model gets wrong."""
    model.eval()  # dropout off
    with torch.no_grad():
        return (model(X[idx]).argmax(1) != y[idx]).float().mean().item()


def train_like_alexnet(*, lr=0.01, epochs=90, batch_size=128,
                       momentum=0.9, weight_decay=5e-4, dropout=0.5,
                       patience=10, hidden=64):
    """A 64-hidden-hidden-10 MLP trained with AlexNet's recipe.

    Returns the lr of each epoch, the validation error after each epoch
    and the final test error.
    """
    require(is_real(lr) and lr > 0, "lr", "a finite number > 0", lr)
    require(is_int(epochs) and epochs >= 1, "epochs", "an integer >= 1",
            epochs)
    require(is_int(batch_size) and batch_size >= 1, "batch_size",
            "an integer >= 1", batch_size)
    require(is_real(momentum) and 0 <= momentum < 1, "momentum",
            "a number in [0, 1)", momentum)
    require(is_real(weight_decay) and weight_decay >= 0, "weight_decay",
            "a finite number >= 0", weight_decay)
    require(is_real(dropout) and 0 <= dropout < 1, "dropout",
            "a number in [0, 1)", dropout)
    require(is_int(hidden) and hidden >= 1, "hidden", "an integer >= 1",
            hidden)
    # divide by 10 on a plateau, at most three times (lr / 1000 is a floor)
    schedule = DivideOnPlateau(lr=lr, factor=0.1, patience=patience,
                               min_lr=lr / 1000)
    torch.manual_seed(0)  # same weights, batches and dropout masks
    model = nn.Sequential(  # dropout after the first two layers
        nn.Linear(64, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, 10),
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=lr,
                                momentum=momentum, weight_decay=weight_decay)
    lrs, val_errors = [], []
    for _ in range(epochs):
        model.train()  # dropout on
        for batch in train[torch.randperm(len(train))].split(batch_size):
            loss = nn.functional.cross_entropy(model(X[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        lrs.append(optimizer.param_groups[0]["lr"])
        val_errors.append(error_rate(model, val))
        for group in optimizer.param_groups:  # the schedule sets next lr
            group["lr"] = schedule.step(val_errors[-1])
    return lrs, val_errors, error_rate(model, test)
# --8<-- [end:recipe]


if __name__ == "__main__":
    # --8<-- [start:plateau_demo]
    # A made-up validation error, one value per epoch
    curve = [0.50, 0.40, 0.35, 0.36, 0.35, 0.34, 0.34, 0.35, 0.34,
             0.30, 0.31, 0.31, 0.30, 0.31]
    schedule = DivideOnPlateau(lr=0.01, patience=2)
    for epoch, error in enumerate(curve, start=1):
        lr = schedule.step(error)
        print(f"epoch {epoch:2d}: error {error:.2f}, "
              f"best {schedule.best:.2f}, "
              f"bad epochs {schedule.num_bad_epochs}, next lr {lr:g}")
    # --8<-- [end:plateau_demo]

    # --8<-- [start:plateau_torch]
    import torch

    curve = [0.50, 0.40, 0.35, 0.36, 0.35, 0.34, 0.34, 0.35, 0.34,
             0.30, 0.31, 0.31, 0.30, 0.31]
    w = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.01)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode="min", factor=0.1, patience=2, threshold=1e-4,
        threshold_mode="rel", cooldown=0, min_lr=0.0,
    )
    for epoch, error in enumerate(curve, start=1):
        optimizer.step()  # (a real loop trains an epoch here)
        scheduler.step(error)
        lr = optimizer.param_groups[0]["lr"]
        print(f"epoch {epoch:2d}: error {error:.2f}, "
              f"best {scheduler.best:.2f}, "
              f"bad epochs {scheduler.num_bad_epochs}, next lr {lr:g}")
    # --8<-- [end:plateau_torch]

    # --8<-- [start:recipe_run]
    runs = {}
    for lr in (0.01, 0.1):
        runs[lr] = lrs, val_errors, test_error = train_like_alexnet(lr=lr)
        cuts = [e for e in range(1, len(lrs)) if lrs[e] < lrs[e - 1]]
        right = round((1 - test_error) * len(test))
        print(f"lr starts at {lr}:")
        print(f"  divided by 10 after epochs: {cuts or 'never'}")
        print(f"  validation error: best {min(val_errors):.2%}, "
              f"last {val_errors[-1]:.2%}")
        below = [e + 1 for e, err in enumerate(val_errors) if err <= 0.05]
        print("  first epoch with validation error <= 5%:",
              below[0] if below else "never")
        print(f"  test: {right} of {len(test)} images right")
    # --8<-- [end:recipe_run]

    # --8<-- [start:figure]
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5), sharex=True)
    for lr, (lrs, val_errors, _) in runs.items():
        epochs = range(1, len(lrs) + 1)
        top.plot(epochs, val_errors, label=f"lr starts at {lr}")
        bottom.step(epochs, lrs, where="post", label=f"lr starts at {lr}")
    top.axhline(0.05, color="grey", lw=0.8, ls=":")  # the 5 % mark
    top.set(ylabel="validation error", yscale="log",
            title="AlexNet's recipe on 8 x 8 digits")
    bottom.set(xlabel="epoch", ylabel="learning rate", yscale="log")
    top.legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure]

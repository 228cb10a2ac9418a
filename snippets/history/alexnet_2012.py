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
from numbers import Real


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
        check_real("lr", lr, low=0, low_open=True)
        check_real("factor", factor, low=0, high=1, low_open=True,
                   high_open=True)
        check_int("patience", patience, low=0)
        check_real("threshold", threshold, low=0)
        check_int("cooldown", cooldown, low=0)
        check_real("min_lr", min_lr, low=0)
        self.lr, self.factor, self.patience = float(lr), factor, patience
        self.threshold, self.cooldown, self.min_lr = (threshold, cooldown,
                                                      min_lr)
        self.best = math.inf  # lowest error so far (any error beats it)
        self.num_bad_epochs = 0  # epochs in a row without improvement
        self.cooldown_counter = 0  # epochs left to ignore after a cut

    def step(self, val_error):
        """Record one epoch's validation error; return the lr to use."""
        # a diverged run's nan or inf counts as a bad epoch, as in torch
        if not (isinstance(val_error, Real) and not math.isfinite(val_error)):
            check_real("val_error", val_error)
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


def train_like_alexnet(*, lr=0.01, num_epochs=90, batch_size=128,
                       momentum=0.9, weight_decay=5e-4, dropout=0.5,
                       patience=10, hidden=64):
    """A 64-hidden-hidden-10 MLP trained with AlexNet's recipe.

    Returns the lr of each epoch, the validation error after each epoch
    and the final test error.
    """
    check_real("lr", lr, low=0, low_open=True)
    check_int("num_epochs", num_epochs, low=1)
    check_int("batch_size", batch_size, low=1)
    check_real("momentum", momentum, low=0, high=1, high_open=True)
    check_real("weight_decay", weight_decay, low=0)
    check_real("dropout", dropout, low=0, high=1, high_open=True)
    check_int("hidden", hidden, low=1)
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
    for _ in range(num_epochs):
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

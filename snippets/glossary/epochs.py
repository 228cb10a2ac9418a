"""Glossary: epochs, and early stopping with patience.

Early stopping written from scratch; a network that over-fits a small
part of the shared digits task; what patience too small, about right and
too large does to the stopping point; and a real early-stopped run that
restores its best weights. The page docs/glossary/epochs.md shows the
sections of this script; importing it runs nothing, and
``python -m snippets.glossary.epochs`` runs every experiment of the page.
"""

# The shared task; the page shows it folded, above the experiments (and
# its torch import serves them).
import torch

from snippets.glossary.digits_task import digits, fit, mlp

# --8<-- [start:early_stopping]
import math
from numbers import Real


class EarlyStopping:
    """Says when to stop: after `patience` epochs in a row in which the
    validation loss did not beat the best so far by more than min_delta."""

    def __init__(self, *, patience=10, min_delta=0.0):
        check_int("patience", patience, low=1)
        check_real("min_delta", min_delta, low=0)
        self.patience, self.min_delta = patience, min_delta
        self.epoch = 0  # epochs seen, counted from 1
        self.best = math.inf  # the lowest validation loss so far
        self.best_epoch = 0  # the epoch it was reached

    def step(self, val_loss):
        """Record one epoch's validation loss; True means stop now."""
        self.epoch += 1
        if val_loss < self.best - self.min_delta:  # NaN never improves
            self.best, self.best_epoch = val_loss, self.epoch
        return self.epoch - self.best_epoch >= self.patience


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
# --8<-- [end:early_stopping]


# --8<-- [start:overfit]
import copy


def train(model, data, *, optimizer, max_epochs=100, patience=None,
          min_delta=0.0, batch_size=32, seed=0):
    """Train one epoch at a time with the shared fit(). With a patience,
    stop early and put the best epoch's weights back. Returns the
    history (train_loss, val_loss, val_acc per epoch) and the stopper."""
    check_int("max_epochs", max_epochs, low=1)
    stopper = None
    if patience is not None:
        stopper = EarlyStopping(patience=patience, min_delta=min_delta)
    history = {"train_loss": [], "val_loss": [], "val_acc": []}
    best_weights = copy.deepcopy(model.state_dict())
    for epoch in range(max_epochs):
        h = fit(model, data, optimizer=optimizer, num_epochs=1,
                batch_size=batch_size, seed=seed + epoch)
        for key in history:
            history[key].append(h[key][0])
        if stopper is None:
            continue
        stop = stopper.step(h["val_loss"][0])
        if stopper.best_epoch == stopper.epoch:  # a new best: keep it
            best_weights = copy.deepcopy(model.state_dict())
        if stop:
            break
    if stopper is not None:
        model.load_state_dict(best_weights)
    return history, stopper


def overfitting_run(*, n_train=200, max_epochs=100, patience=None):
    """Two hidden layers of 128 units trained on only n_train of the 1078
    training images, with no regularization: it learns them by heart."""
    check_int("n_train", n_train, low=1, high=1078)
    (X, y), val, test = digits()
    small = ((X[:n_train], y[:n_train]), val, test)
    model = mlp(hidden=128, depth=2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
    history, stopper = train(model, small, optimizer=optimizer,
                             max_epochs=max_epochs, patience=patience,
                             batch_size=20)
    return model, small, history, stopper
# --8<-- [end:overfit]


# --8<-- [start:patience]
def stopping_point(val_losses, *, patience, min_delta=0.0):
    """Replay a recorded curve: (stop epoch, best epoch, best loss)."""
    stopper = EarlyStopping(patience=patience, min_delta=min_delta)
    for val_loss in val_losses:
        if stopper.step(val_loss):
            break
    return stopper.epoch, stopper.best_epoch, stopper.best
# --8<-- [end:patience]


if __name__ == "__main__":
    # --8<-- [start:early_stopping_run]
    stopper = EarlyStopping(patience=2)
    for val_loss in [0.9, 0.7, 0.6, 0.65, 0.58, 0.61, 0.63, 0.55]:
        stop = stopper.step(val_loss)
        print(f"epoch {stopper.epoch}: validation loss {val_loss:.2f}, "
              f"best so far epoch {stopper.best_epoch}, stop: {stop}")
        if stop:
            break
    # --8<-- [end:early_stopping_run]

    # --8<-- [start:overfit_run]
    _, _, history, _ = overfitting_run()  # all 100 epochs, no stopping
    print("epoch  train loss  val loss  val acc")
    for epoch in (1, 5, 10, 20, 40, 60, 80, 100):
        i = epoch - 1
        print(f"{epoch:5d} {history['train_loss'][i]:11.4f} "
              f"{history['val_loss'][i]:9.3f} {history['val_acc'][i]:8.3f}")
    best = min(range(100), key=history["val_loss"].__getitem__)
    print(f"lowest validation loss {history['val_loss'][best]:.3f} "
          f"at epoch {best + 1}")
    # --8<-- [end:overfit_run]

    # --8<-- [start:patience_run]
    print("patience  stops at  best epoch  best val loss  val acc  "
          "epochs after best")
    stops = {}
    for patience in (1, 3, 10, 50):
        stop, best_epoch, best_loss = stopping_point(history["val_loss"],
                                                     patience=patience)
        stops[patience] = stop, best_epoch
        acc = history["val_acc"][best_epoch - 1]
        print(f"{patience:8d} {stop:9d} {best_epoch:11d} {best_loss:14.3f} "
              f"{acc:8.3f} {stop - best_epoch:18d}")
    # --8<-- [end:patience_run]

    # --8<-- [start:figure]
    import matplotlib.pyplot as plt

    epochs = range(1, 101)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 3.8))
    left.semilogy(epochs, history["train_loss"], label="training loss")
    left.semilogy(epochs, history["val_loss"], label="validation loss")
    left.set(xlabel="epoch", ylabel="cross-entropy (log scale)",
             title="200 training images, 100 epochs", ylim=(1e-5, 5))
    right.plot(epochs, history["val_loss"], color="C1")
    right.set(xlabel="epoch", ylabel="validation loss",
              title="validation loss, zoomed in", ylim=(0.2, 0.45))
    for ax in (left, right):
        for patience, style in ((1, ":"), (10, "--"), (50, "-.")):
            ax.axvline(stops[patience][0], color="grey", ls=style, lw=1,
                       label=f"stop, patience {patience}")
        best_epoch = stops[10][1]
        ax.plot(best_epoch, history["val_loss"][best_epoch - 1], "ko",
                label="best epoch")
    left.legend(fontsize=8, loc="lower left", ncols=2)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure]

    # --8<-- [start:stop_early]
    model, small, h, stopper = overfitting_run(patience=10)
    print(f"stopped after epoch {stopper.epoch} of at most 100; "
          f"best epoch {stopper.best_epoch}")
    model.eval()
    with torch.no_grad():
        X_val, y_val = small[1]
        loss = torch.nn.functional.cross_entropy(model(X_val), y_val).item()
    print(f"validation loss of the restored weights: {loss:.3f}")
    # --8<-- [end:stop_early]

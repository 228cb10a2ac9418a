"""Glossary: learning-rate decay (schedules).

Five schedules written from scratch (step, exponential, Bengio's 1/t,
cosine, linear warm-up then cosine), the same five with
torch.optim.lr_scheduler driving a real optimizer, a figure of all of
them, and constant vs decayed learning rates on the shared digits task.
The page docs/glossary/learning-rate-decay.md shows the sections of this
script; importing it runs nothing, and
``python -m snippets.glossary.learning_rate_decay`` runs every experiment
of the page, in its order.
"""

# The shared task; the page shows it folded, above the experiments.
from snippets.glossary.digits_task import digits, fit, mlp

# --8<-- [start:schedules]
import math
from numbers import Real

import numpy as np


def step_decay(t, *, lr0=0.1, step_size=30, gamma=0.1):
    """Divide by 1/gamma every step_size steps: lr0 gamma^floor(t/s)."""
    check_real("lr0", lr0, low=0, low_open=True)
    check_int("step_size", step_size, low=1)
    check_real("gamma", gamma, low=0, high=1, low_open=True)
    return lr0 * gamma ** (np.asarray(t, dtype=float) // step_size)


def exponential(t, *, lr0=0.1, gamma=0.96):
    """Multiply by gamma at every step: lr0 gamma^t."""
    check_real("lr0", lr0, low=0, low_open=True)
    check_real("gamma", gamma, low=0, high=1, low_open=True)
    return lr0 * gamma ** np.asarray(t, dtype=float)


def inverse_time(t, *, lr0=0.1, tau=10):
    """Bengio's 1/t decay: lr0 tau / max(t, tau), constant for tau steps,
    then proportional to 1/t."""
    check_real("lr0", lr0, low=0, low_open=True)
    check_real("tau", tau, low=0, low_open=True)
    return lr0 * tau / np.maximum(np.asarray(t, dtype=float), tau)


def cosine(t, *, lr0=0.1, T=100, lr_min=0.0):
    """Half a cosine from lr0 at t = 0 down to lr_min at t = T (SGDR
    without restarts)."""
    check_real("lr0", lr0, low=0, low_open=True)
    check_int("T", T, low=1)
    check_real("lr_min", lr_min, low=0, high=lr0, high_open=True)
    t = np.asarray(t, dtype=float)
    return lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * t / T)) / 2


def warmup_cosine(t, *, lr0=0.1, warmup=10, T=100, start_factor=0.1,
                  lr_min=0.0):
    """A linear warm-up from start_factor * lr0 to lr0 over `warmup`
    steps, then cosine decay to lr_min at step T."""
    check_real("lr0", lr0, low=0, low_open=True)  # before the ramp uses it
    check_int("T", T, low=2)
    check_int("warmup", warmup, low=1, high=T - 1)
    check_real("start_factor", start_factor, low=0, high=1, low_open=True)
    t = np.asarray(t, dtype=float)
    ramp = lr0 * (start_factor + (1 - start_factor) * t / warmup)
    decay = cosine(np.maximum(t - warmup, 0), lr0=lr0, T=T - warmup,
                   lr_min=lr_min)
    return np.where(t < warmup, ramp, decay)


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
# --8<-- [end:schedules]


# --8<-- [start:schedules_torch]
import torch
from torch.optim import lr_scheduler


def lr_trace(make_scheduler, *, lr0=0.1, num_steps=100):
    """The learning rate a real optimizer uses at steps 0..num_steps."""
    w = torch.zeros(3, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr0)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(num_steps + 1):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.zero_grad()
        (w ** 2).sum().backward()
        optimizer.step()
        scheduler.step()  # after optimizer.step(), as PyTorch requires
    return lrs
# --8<-- [end:schedules_torch]


# --8<-- [start:experiment]
def run(make_scheduler, *, lr=1.0, num_epochs=15, batch_size=16, seed=0):
    """The shared MLP, SGD at `lr`, the scheduler stepped once per epoch
    (make_scheduler(optimizer) or None for a constant rate)."""
    data = digits()
    model = mlp(seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    scheduler = make_scheduler(optimizer) if make_scheduler else None
    return fit(model, data, optimizer=optimizer, num_epochs=num_epochs,
               batch_size=batch_size, scheduler=scheduler, seed=seed)
# --8<-- [end:experiment]


if __name__ == "__main__":
    # --8<-- [start:defaults]
    import inspect

    from torch.optim import lr_scheduler

    for cls, arg in ((lr_scheduler.StepLR, "gamma"),
                     (lr_scheduler.CosineAnnealingLR, "eta_min"),
                     (lr_scheduler.ReduceLROnPlateau, "factor"),
                     (lr_scheduler.ReduceLROnPlateau, "patience")):
        default = inspect.signature(cls).parameters[arg].default
        print(f"{cls.__name__}: {arg} = {default}")
    # --8<-- [end:defaults]

    # --8<-- [start:schedules_run]
    t = np.arange(101)  # steps 0 .. 100; lr0 = 0.1 and T = 100 throughout
    schedules = {
        "step": step_decay(t, lr0=0.1, step_size=30, gamma=0.1),
        "exponential": exponential(t, lr0=0.1, gamma=0.96),
        "1/t": inverse_time(t, lr0=0.1, tau=10),
        "cosine": cosine(t, lr0=0.1, T=100),
        "warm-up+cos": warmup_cosine(t, lr0=0.1, warmup=10, T=100),
    }
    print("   t" + "".join(f"{name:>13}" for name in schedules))
    for step in (0, 5, 10, 30, 50, 90, 100):
        print(f"{step:4d}" + "".join(f"{lrs[step]:13.6f}"
                                     for lrs in schedules.values()))
    # --8<-- [end:schedules_run]

    # --8<-- [start:schedules_torch_run]
    schedulers = {
        "step": lambda opt: lr_scheduler.StepLR(opt, step_size=30, gamma=0.1),
        "exponential": lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.96),
        "1/t": lambda opt: lr_scheduler.LambdaLR(
            opt, lambda t: 10 / max(t, 10)),  # a factor times the base rate
        "cosine": lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=100),
        "warm-up+cos": lambda opt: lr_scheduler.SequentialLR(
            opt, [lr_scheduler.LinearLR(opt, start_factor=0.1,
                                        total_iters=10),
                  lr_scheduler.CosineAnnealingLR(opt, T_max=90)],
            milestones=[10]),
    }
    traces = {name: lr_trace(make) for name, make in schedulers.items()}
    print("   t" + "".join(f"{name:>13}" for name in traces))
    for step in (0, 5, 10, 30, 50, 90, 100):
        print(f"{step:4d}" + "".join(f"{lrs[step]:13.6f}"
                                     for lrs in traces.values()))
    # --8<-- [end:schedules_torch_run]

    # --8<-- [start:schedules_figure]
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 3.6))
    for name, lrs in schedules.items():
        left.plot(t, lrs, label=name)
        right.semilogy(t[:-1], lrs[:-1], label=name)  # cosine is 0 at t = T
    left.set(xlabel="step t", ylabel="learning rate", title="linear scale")
    right.set(xlabel="step t", title="log scale")
    left.legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:schedules_figure]

    # --8<-- [start:experiment_run]
    from torch.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR

    runs = {
        "constant": run(None),
        "too fast": run(lambda opt: ExponentialLR(opt, gamma=0.5)),  # halves
        "cosine": run(lambda opt: CosineAnnealingLR(opt, T_max=15)),
    }
    print("schedule   last lr   val loss: last  min-max of last 5  "
          "train loss  val acc")
    for name, h in runs.items():
        last5 = h["val_loss"][-5:]
        print(f"{name:9s} {h['lr'][-1]:8.5f} {h['val_loss'][-1]:15.3f} "
              f"{min(last5):10.3f}-{max(last5):.3f}"
              f" {h['train_loss'][-1]:11.4f} {h['val_acc'][-1]:8.3f}")
    # --8<-- [end:experiment_run]

    # --8<-- [start:experiment_figure]
    import matplotlib.pyplot as plt

    epochs = range(1, 16)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5), sharex=True,
                                      height_ratios=(2, 1))
    for name, h in runs.items():
        top.semilogy(epochs, h["val_loss"], marker=".", label=name)
        bottom.semilogy(epochs, h["lr"], marker=".", label=name)
    top.set(ylabel="validation loss (log)",
            title="SGD, lr 1.0 at the start, batch 16")
    bottom.set(xlabel="epoch", ylabel="learning rate (log)")
    top.legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:experiment_figure]

"""When training goes wrong: three broken runs on the glossary's digits
task, and the numbers to log that tell them apart.

The page docs/start-here/when-training-goes-wrong.md shows the sections
of this script after the shared task (snippets/glossary/digits_task.py)
and the weight-initialization page's ``initialize``; importing it runs
nothing, and ``python -m snippets.start_here.when_training_goes_wrong``
runs the page's three broken runs and their fixes.
"""

from snippets.glossary.digits_task import (check_int, check_real, digits,
                                           mlp)
from snippets.glossary.weight_initialization import initialize

# --8<-- [start:watch]
import math

import torch
from torch import nn


def watch(model, data, *, lr, num_steps=100, batch_size=32, seed=0):
    """Train `model` with plain SGD for num_steps mini-batches and log,
    at every step, what tells the failures apart: the batch's loss
    (before the step), the gradient norm of the first and the last
    layer, and the first layer's dead ReLU units (0 on every training
    image). Stops at the first loss that is not finite."""
    check_real("lr", lr, low=0, low_open=True)
    check_int("num_steps", num_steps, low=1)
    check_int("batch_size", batch_size, low=1)
    (X, y), _, _ = data
    linears = [m for m in model if isinstance(m, nn.Linear)]
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    torch.manual_seed(seed)  # the batches of fit(): one shuffle an epoch
    batches = [order[i:i + batch_size]
               for _ in range(math.ceil(num_steps * batch_size / len(X)))
               for order in [torch.randperm(len(X))]
               for i in range(0, len(X), batch_size)]
    log = []
    for step, i in enumerate(batches[:num_steps], 1):
        loss = nn.functional.cross_entropy(model(X[i]), y[i])
        optimizer.zero_grad()
        loss.backward()
        with torch.no_grad():
            h = torch.relu(linears[0](X))  # (n, hidden): first layer
        log.append({"step": step, "loss": loss.item(),
                    "grad_first": linears[0].weight.grad.norm().item(),
                    "grad_last": linears[-1].weight.grad.norm().item(),
                    "dead": int((h.max(dim=0).values == 0).sum())})
        if not math.isfinite(log[-1]["loss"]):
            break  # nan or inf: nothing after this step means anything
        optimizer.step()
    return log


def show(log, *, at=(1, 2, 3, 5, 10, 20, 50, 100)):
    """Print the log at the steps `at` (and its last step)."""
    print("  step  batch loss  |grad| first  |grad| last  dead units")
    for row in log:
        if row["step"] in at or row is log[-1]:
            print(f"{row['step']:6d} {row['loss']:11.4g} "
                  f"{row['grad_first']:13.3g} {row['grad_last']:12.3g} "
                  f"{row['dead']:11d}")
# --8<-- [end:watch]


if __name__ == "__main__":
    # --8<-- [start:nan]
    data = digits()
    model = initialize(mlp(depth=6), scheme="N(0, 1)")  # Var(w) = 1
    nan_log = watch(model, data, lr=0.1)
    show(nan_log)
    # --8<-- [end:nan]

    # --8<-- [start:stuck]
    data = digits()
    model = initialize(mlp(depth=6), scheme="N(0, 0.01^2)")
    stuck_log = watch(model, data, lr=0.1)
    show(stuck_log)
    # --8<-- [end:stuck]

    # --8<-- [start:edge]
    data = digits()
    model = mlp(seed=0)  # the glossary's MLP, PyTorch's default init
    edge_log = watch(model, data, lr=3.16)
    show(edge_log)
    # --8<-- [end:edge]

    # --8<-- [start:fixed]
    data = digits()
    fixed = {"He normal, lr 0.1": (initialize(mlp(depth=6),
                                              scheme="He normal"), 0.1),
             "default init, lr 1": (mlp(seed=0), 1.0)}
    fixed_logs = {}
    for name, (model, lr) in fixed.items():
        print(name)
        fixed_logs[name] = watch(model, data, lr=lr)
        show(fixed_logs[name], at=(1, 10, 100))
    # --8<-- [end:fixed]

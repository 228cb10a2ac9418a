"""Start here: a recipe. Its one run of its own: overfit one batch.

The page docs/start-here/recipe.md lists the recipe's steps and links
each to the page that runs it; the step that no other page runs, fitting
a single mini-batch of the glossary's digits task perfectly, is here.
Importing this module runs nothing; ``python -m snippets.start_here.recipe``
runs it.
"""

from snippets.glossary.digits_task import check_int, check_real, digits, mlp

# --8<-- [start:overfit]
import torch
from torch import nn


def overfit_one_batch(model, X, y, *, lr=1e-3, num_steps=300,
                      batch_size=32):
    """Train `model` with Adam on the first batch_size rows of (X, y)
    only, num_steps times. Returns (step, loss, accuracy on the batch)
    at steps 1, 10, 30, 100, 300 and the last. A model and a training
    loop without a bug drive the loss towards 0 and get every example
    right; one that cannot has a bug, or too little capacity."""
    check_real("lr", lr, low=0, low_open=True)
    check_int("num_steps", num_steps, low=1)
    check_int("batch_size", batch_size, low=1)
    Xb, yb = X[:batch_size], y[:batch_size]  # (B, 64) and (B,)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    log = []
    for step in range(1, num_steps + 1):
        logits = model(Xb)
        loss = nn.functional.cross_entropy(logits, yb)
        if step in (1, 10, 30, 100, 300, num_steps):
            correct = (logits.argmax(dim=1) == yb).float().mean().item()
            log.append((step, loss.item(), correct))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return log
# --8<-- [end:overfit]


if __name__ == "__main__":
    # --8<-- [start:overfit_run]
    (X, y), _, _ = digits()
    log = overfit_one_batch(mlp(seed=0), X, y)
    print(" step    loss  correct on the batch")
    for step, loss, correct in log:
        print(f"{step:5d} {loss:7.4f} {correct:9.0%}")
    # --8<-- [end:overfit_run]

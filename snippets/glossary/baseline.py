"""The glossary's baseline: the shared task trained with plain SGD.

Shown on docs/glossary/index.md, after the task itself (digits_task.py).
Importing it runs nothing; run it from the repository root with
``python -m snippets.glossary.baseline``.
"""

import torch

from snippets.glossary.digits_task import digits, evaluate, fit, mlp


if __name__ == "__main__":
    # --8<-- [start:baseline]
    data = digits()
    model = mlp(hidden=64)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, data, optimizer=optimizer, num_epochs=20)
    for epoch in (0, 4, 9, 19):
        print(f"epoch {epoch + 1:>2}: "
              f"train loss {history['train_loss'][epoch]:.3f}, "
              f"validation accuracy {history['val_acc'][epoch]:.3f}")
    test_loss, test_acc = evaluate(model, *data[2])
    print(f"test accuracy after 20 epochs: {test_acc:.3f}")
    # --8<-- [end:baseline]

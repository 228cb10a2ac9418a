"""What each explorer must say, computed here from the pages' functions.

An explorer's frames come from its page's ``explorer()`` data function
(tools/explorer.py). These checks do not call it: for the controls'
values, they call the functions the page shows (gradient_descent,
descend, the schedules, gradient_noise, activation_variances) and give
the numbers the frame's text must state, formatted as the explorer
formats them. tests/browser/test_explorers.py reads the text a reader
sees; tests/site/test_explorers.py reads the JSON embedded in the page.
"""

import functools
import json

import numpy as np
from bs4 import BeautifulSoup

# page -> the explorer's id
EXPLORERS = {
    "glossary/learning-rate": "lr-explorer",
    "glossary/momentum": "momentum-explorer",
    "glossary/learning-rate-decay": "decay-explorer",
    "glossary/batch-size": "batch-explorer",
    "glossary/weight-initialization": "init-explorer",
}

# The grid for the learning rate: 41 values, log scale, 0.001 to
# 0.12 (the control shows each to 3 significant figures).
LRS = np.geomspace(0.001, 0.12, 41)


def spec_of(html: str, eid: str) -> dict:
    """The JSON an explorer carries in the built page."""
    soup = BeautifulSoup(html, "html.parser")
    return json.loads(soup.find(id=eid).find("script").string)


def _lr(at):
    from snippets.glossary import learning_rate as m

    lr = LRS[at[0]]
    lam = np.linalg.eigvalsh(m.A)
    path = m.gradient_descent(m.grad_f, m.w0, lr=float(lr), num_steps=40)
    return [f"lr = {lr:.3g}",
            f"|1 - lr*1| = {abs(1 - lr * lam[0]):.3f}",
            f"|1 - lr*20| = {abs(1 - lr * lam[1]):.3f}",
            f"|w| = {np.linalg.norm(path[-1]):.3g}"]


def _momentum(at, values):
    from snippets.glossary import momentum as m

    momentum, lr = float(values[0][at[0]]), float(values[1][at[1]])
    heavy = m.steps_to(m.descend(lr=lr, momentum=momentum))
    plain = m.steps_to(m.descend(lr=lr, momentum=0.0))
    return [f"momentum {momentum}, lr {lr}",
            f"after {heavy} steps with momentum",
            f"{plain} steps without"]


def _decay(at, values):
    from snippets.glossary import learning_rate_decay as m
    from snippets.models.transformer import transformer_lr

    warmup, T = values[1][at[1]], values[2][at[2]]
    step = round(at[3] * T / (len(values[3]) - 1))
    lr = [m.step_decay(step, lr0=0.1, step_size=T // 3, gamma=0.1),
          m.cosine(step, lr0=0.1, T=T),
          m.warmup_cosine(step, lr0=0.1, warmup=warmup, T=T),
          transformer_lr(step + 1, warmup=warmup)][at[0]]
    return [f"{T} steps, warm-up {warmup}",
            f"at step {step}, lr = {float(lr):.4g}"]


@functools.cache
def per_example_matrix():
    """G: (1078, P), the per-example gradients at the initial model, as
    the batch-size page computes them (once per test process)."""
    from snippets.glossary import batch_size as m

    return m.per_example_matrix()


def _batch(at, values):
    from snippets.glossary import batch_size as m

    G = per_example_matrix()
    B = values[0][at[0]]
    g = G.mean(axis=0)
    noise = m.gradient_noise(G, [B])[0]
    scale = np.mean(np.sum((G - g) ** 2, axis=1)) / (g @ g)
    return [f"B = {B}", f"E|g_B - g|^2 = {noise:.4g}",
            f"tr(Sigma)/|g|^2 is {scale:.4g}"]


def _init(at, values):
    from snippets.glossary import weight_initialization as m

    schemes = {"PyTorch default": "PyTorch default",
               "Glorot": "Glorot uniform", "He": "He normal"}
    scheme, activation = values[0][at[0]], values[1][at[1]]
    depth = values[2][at[2]]
    std = np.sqrt(m.activation_variances(schemes[scheme], activation))
    return [f"{scheme} with {activation}, {depth} layer",
            f"from {std[0]:.3g} in layer 1 to {std[depth - 1]:.3g} in "
            f"layer {depth}"]


def expected(eid: str, at: list[int], values: list[list]) -> list[str]:
    """The phrases, numbers included, that the frame for the controls at
    indices `at` must contain; `values` are the controls' values."""
    if eid == "lr-explorer":
        return _lr(at)
    return {"momentum-explorer": _momentum, "decay-explorer": _decay,
            "batch-explorer": _batch, "init-explorer": _init}[eid](
        at, values)


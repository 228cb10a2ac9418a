"""The explorer of docs/glossary/momentum.md: the heavy ball and plain
gradient descent on the valley, by momentum and learning rate.

Build-only: the page runs ``html(explorer())`` (tools/explorer.py) in a block
readers see only the output of. It calls the functions the page shows, from
snippets/glossary/momentum.py, which a reader copies without it.
"""

import inspect

import numpy as np

from snippets.glossary.momentum import A, descend, steps_to


def explorer(*, num_steps=60, max_steps=3000):
    """The page's explorer (tools/explorer.py): for each momentum and
    learning rate, the first num_steps steps of the heavy ball and of
    plain gradient descent on the valley, and the steps each needs to
    reach f < 1e-8 (within max_steps)."""
    momenta = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97,
               0.98, 0.99)
    lrs = (0.005, 0.01, 0.015)
    t = np.linspace(0, 2 * np.pi, 73)
    contours = [np.stack([np.sqrt(2 * c / A[0]) * np.cos(t),
                          np.sqrt(2 * c / A[1]) * np.sin(t)]).T
                for c in (0.5, 2, 4, 8)]

    def reached(n):
        return f"{n} steps" if n is not None else f"not in {max_steps}"

    start = inspect.signature(descend).parameters["w0"].default
    frames = {}
    for i, momentum in enumerate(momenta):
        for j, lr in enumerate(lrs):
            with np.errstate(over="ignore", invalid="ignore"):
                heavy = descend(lr=lr, momentum=momentum,
                                num_steps=max_steps)
                plain = descend(lr=lr, momentum=0.0, num_steps=max_steps)
            frames[f"{i},{j}"] = {
                "text": f"μ = {momentum}, η = {lr} (effective step "
                        f"η/(1 − μ) = {lr / (1 - momentum):.3g}): "
                        f"f < 10⁻⁸ after "
                        f"{reached(steps_to(heavy))} with momentum, "
                        f"{reached(steps_to(plain))} without",
                "panels": [{"series": [
                    {"points": plain[:num_steps + 1], "style": "line2"},
                    {"points": heavy[:num_steps + 1], "style": "line"}]}],
            }
    return {
        "id": "momentum-explorer",
        "title": "The heavy ball (blue) and plain gradient descent (red)",
        "controls": [
            {"label": "momentum μ", "name": "momentum", "kind": "range",
             "values": [str(m) for m in momenta],
             "default": momenta.index(0.9)},
            {"label": "learning rate η", "name": "learning rate",
             "kind": "range",
             "values": [str(lr) for lr in lrs], "default": 1}],
        "panels": [
            {"title": f"the first {num_steps} steps from w = "
                      f"({start[0]:g}, {start[1]:g})",
             "axes": {"x": {"label": "w_1 (flat)", "min": -4.5, "max": 4},
                      "y": {"label": "w_2 (steep)", "min": -1.2,
                            "max": 1.2}},
             "background": [{"points": c, "style": "faint"}
                            for c in contours]}],
        "frames": frames,
    }

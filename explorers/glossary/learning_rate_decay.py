"""The explorer of docs/glossary/learning-rate-decay.md: four learning-rate
schedules, by warm-up and run length.

Build-only: the page runs ``html(explorer())`` (tools/explorer.py) in a block
readers see only the output of. It calls the functions the page shows, from
snippets/glossary/learning_rate_decay.py, which a reader copies without it.
"""

import numpy as np

from snippets.glossary.learning_rate_decay import (
    cosine,
    step_decay,
    warmup_cosine,
)


def explorer(*, lr0=0.1, marks=11):
    """The page's explorer (tools/explorer.py): the learning rate at each
    step of four schedules, for several warm-ups and run lengths, and its
    value at a chosen point of the run. The step schedule divides by 10
    every third of the run; the Transformer's schedule (inverse square
    root after a linear warm-up) is the notebook chapter's function, at
    its paper's d_model = 512, so its values are its own, not lr0's."""
    from snippets.models.transformer import transformer_lr

    names = ("step", "cosine", "linear warm-up + cosine",
             "Transformer: warm-up, then 1/sqrt(step)")
    warmups = (5, 10, 20, 40)
    totals = (50, 100, 200, 400)

    def curve(k, warmup, T):
        t = np.arange(T + 1)
        if k == 0:
            return step_decay(t, lr0=lr0, step_size=max(T // 3, 1),
                              gamma=0.1)
        if k == 1:
            return cosine(t, lr0=lr0, T=T)
        if k == 2:
            return warmup_cosine(t, lr0=lr0, warmup=min(warmup, T - 1),
                                 T=T)
        return np.array([transformer_lr(s + 1, warmup=warmup)
                         for s in range(T + 1)])  # it counts from 1

    shared, frames = {}, {}
    for k in range(len(names)):
        for w, warmup in enumerate(warmups):
            for n, T in enumerate(totals):
                lrs = curve(k, warmup, T)
                # step and cosine have no warm-up: one curve per length
                key = f"{k},{w},{n}" if k >= 2 else f"{k},{n}"
                drawn = np.unique(np.r_[0:T:max(T // 200, 1), T])
                shared[key] = np.stack([drawn, lrs[drawn]]).T  # <= 201
                for m in range(marks):
                    at = round(m * T / (marks - 1))
                    uses = (" (it has no warm-up)" if k < 2 else "")
                    frames[f"{k},{w},{n},{m}"] = {
                        "text": f"{names[k]}, {T} steps, warm-up {warmup}"
                                f"{uses}: at step {at}, η = "
                                f"{lrs[at]:.4g}",
                        "panels": [{"series": [{"ref": key}],
                                    "marks": [{"x": at,
                                               "label": f"step {at}"}],
                                    "axes": {"x": {"max": T}}}],
                    }
    return {
        "id": "decay-explorer",
        "title": "Learning-rate schedules",
        "controls": [
            {"label": "schedule", "kind": "select", "values": names,
             "default": 2},
            {"label": "warm-up steps", "kind": "range", "values": warmups,
             "default": 1},
            {"label": "total steps", "kind": "range", "values": totals,
             "default": 1},
            {"label": "cursor, % of the run", "kind": "range",
             "values": [f"{round(100 * m / (marks - 1))}%"
                        for m in range(marks)], "default": 5}],
        "panels": [
            {"title": "the learning rate at each step",
             "axes": {"x": {"label": "step", "min": 0, "max": 400},
                      "y": {"label": "learning rate", "min": 0,
                            "max": 0.105}}}],
        "shared": shared,
        "frames": frames,
    }

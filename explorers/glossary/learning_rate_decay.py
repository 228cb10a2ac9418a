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

NAMES = ("step decay", "cosine", "linear warm-up + cosine",
         "Transformer: warm-up, then 1/sqrt(step)")
WARMS = (2, 3)  # the schedules that have a warm-up


def phase(k, t, *, warmup, T) -> str:
    """What schedule NAMES[k] does at step t of T, in words, from its
    definition: the step schedule holds and drops, the cosine decays,
    a warm-up rises to its peak first."""
    if k == 0:
        size = max(T // 3, 1)  # as explorer() calls step_decay
        drops = t // size
        if t and t % size == 0:
            return "Drops ×0.1"
        return ("Holds at the peak" if drops == 0 else
                f"Holds after {drops} drop{'s' * (drops > 1)} of ×0.1")
    if k == 3:
        t += 1  # the Transformer's schedule counts from 1
        if t < warmup:
            return "Warms up"
        return "Peaks" if t == warmup else "Decays as 1/√step"
    if k == 2 and t < warmup:
        return "Warms up"
    if t == (warmup if k == 2 else 0):
        return "Peaks"
    return "Ends at 0" if t == T else "Decays along a half cosine"


def explorer(*, lr0=0.1, marks=11):
    """The page's explorer (tools/explorer.py): the learning rate at each
    step of four schedules, for several warm-ups and run lengths, what it
    does at a chosen point of the run and its value there. The step
    schedule divides by 10 every third of the run; the Transformer's
    schedule (inverse square root after a linear warm-up) is the
    notebook chapter's function, at its paper's d_model = 512, so its
    values are its own, not lr0's. Each schedule gets its own vertical
    scale; the warm-up control is disabled for the two without one."""
    from snippets.models.transformer import transformer_lr

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

    curves = {(k, w, n): curve(k, warmup, T)
              for k in range(len(NAMES))
              for w, warmup in enumerate(warmups)
              for n, T in enumerate(totals)}
    # each schedule's own scale: the Transformer's peak is a fifth of lr0
    top = [1.05 * max(c.max() for key, c in curves.items() if key[0] == k)
           for k in range(len(NAMES))]
    shared, frames = {}, {}
    for (k, w, n), lrs in curves.items():
        warmup, T = warmups[w], totals[n]
        # step and cosine have no warm-up: one curve per length
        key = f"{k},{w},{n}" if k in WARMS else f"{k},{n}"
        drawn = np.unique(np.r_[0:T:max(T // 200, 1), T])
        shared[key] = np.stack([drawn, lrs[drawn]]).T  # <= 201
        peak = lrs.max()
        for m in range(marks):
            at = round(m * T / (marks - 1))
            setting = (f"{T} steps, warm-up {warmup}" if k in WARMS
                       else f"{T} steps")
            frames[f"{k},{w},{n},{m}"] = {
                "text": f"{phase(k, at, warmup=warmup, T=T)} "
                        f"({NAMES[k]}, {setting}): at step {at}, "
                        f"η = {lrs[at]:.4g}, {100 * lrs[at] / peak:.0f}% "
                        f"of its peak {peak:.3g}",
                "panels": [{"series": [{"ref": key}],
                            "marks": [{"x": at, "label": f"step {at}"}],
                            "axes": {"x": {"max": T},
                                     "y": {"max": top[k]}}}],
            }
    return {
        "id": "decay-explorer",
        "title": "Learning-rate schedules",
        "controls": [
            {"label": "schedule", "kind": "select", "values": NAMES,
             "default": 2},
            {"label": "warm-up steps", "kind": "range", "values": warmups,
             "default": 1, "only_with": [0, list(WARMS)]},
            {"label": "total steps", "kind": "range", "values": totals,
             "default": 1},
            {"label": "cursor, % of the run", "kind": "range",
             "values": [f"{round(100 * m / (marks - 1))}%"
                        for m in range(marks)], "default": 5}],
        "panels": [
            {"title": "the learning rate at each step (each schedule on "
                      "its own scale)",
             "axes": {"x": {"label": "step", "min": 0, "max": 400},
                      "y": {"label": "learning rate η", "min": 0,
                            "max": top[0]}}}],
        "shared": shared,
        "frames": frames,
    }

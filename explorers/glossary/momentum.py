"""The explorer of docs/glossary/momentum.md: the heavy ball against plain
gradient descent at the heavy ball's effective step, by momentum and
learning rate, with what happens named first and critical damping marked.

Build-only: the page runs ``html(explorer())`` (tools/explorer.py) in a block
readers see only the output of. It calls the functions the page shows,
from snippets/glossary/momentum.py, which a reader copies without it.
"""

import inspect

import numpy as np

from snippets.glossary.momentum import (
    A,
    critical_momentum,
    descend,
    rates,
    steps_to,
)

# μ: dense around the critical 0.81 of η = 0.01 (the default), and up to
# the page's 0.99; η: up to 0.02, where plain descent stops converging
MOMENTA = (0.0, 0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.81, 0.85, 0.9, 0.93, 0.95,
           0.97, 0.99)
LRS = (0.0025, 0.005, 0.01, 0.015, 0.02)


def regime(*, lr, momentum) -> str:
    """What the heavy ball does on the valley, in words: its slow
    direction (the flat one, curvature A[0]) creeps below the critical
    momentum and swings above it; the steep one (A[1]) sets the edge."""
    steep = abs(rates(lr=lr, momentum=momentum, curvature=A[1])).max()
    if steep > 1 + 1e-12:
        return "Diverges"
    if steep > 1 - 1e-12:
        return "Bounces for ever"
    if momentum == 0:
        return "Creeps: no momentum"
    mu_star = critical_momentum(lr=lr, curvature=A[0])
    if abs(momentum - mu_star) < 1e-9:
        return "Fastest: critically damped"
    return ("Creeps: overdamped" if momentum < mu_star
            else "Swings: underdamped")


def plain_outcome(step, *, max_steps) -> str:
    """What plain gradient descent does with the step `step`, in words."""
    across = 1 - step * A[1]  # the steep direction's factor, signed
    if across < -1 - 1e-12:
        return (f"diverges, the steep direction flips and grows "
                f"×{-across:.3g} a step")
    if across < -1 + 1e-12:
        return "bounces for ever across the valley"
    n = steps_to(descend(lr=step, momentum=0.0, num_steps=max_steps))
    return (f"f < 10⁻⁸ in {n} steps" if n is not None
            else f"still above 10⁻⁸ after {max_steps} steps")


def drawn(path, *, box=10.0):
    """A path as the panel draws it: to 3 decimals (a pixel is 0.015),
    and cut after its first point beyond `box` with a break (null), where
    the drawing writes "diverged"."""
    with np.errstate(invalid="ignore"):
        out = np.flatnonzero(~(np.abs(path) <= box).all(axis=1))
    if out.size:
        path = np.vstack([path[:out[0] + 1], [[np.nan, np.nan]]])
    return np.round(path, 3)


def explorer(*, num_steps=60, max_steps=3000):
    """The page's explorer (tools/explorer.py): for each momentum and
    learning rate, the first num_steps steps of the heavy ball and of
    plain descent at its effective step lr / (1 - momentum); the regime
    named; and, against momentum, the steps each needs to reach
    f < 1e-8 (within max_steps), with the critical momentum marked."""
    t = np.linspace(0, 2 * np.pi, 73)
    contours = [np.stack([np.sqrt(2 * c / A[0]) * np.cos(t),
                          np.sqrt(2 * c / A[1]) * np.sin(t)]).T
                for c in (0.5, 2, 4, 8)]
    known = {}

    def steps(lr, momentum):
        if (lr, momentum) not in known:
            with np.errstate(over="ignore", invalid="ignore"):
                known[lr, momentum] = steps_to(descend(
                    lr=lr, momentum=momentum, num_steps=max_steps))
        return known[lr, momentum]

    shared = {}
    for j, lr in enumerate(LRS):
        # μ every 0.05, the stops and the critical μ, for the curves
        grid = sorted({*np.round(np.arange(0, 0.99, 0.05), 2), *MOMENTA,
                       critical_momentum(lr=lr, curvature=A[0])})
        heavy = [(m, steps(lr, m)) for m in grid]
        # plain descent past the edge 2/100 never gets there: not run
        plain = [(m, steps(lr / (1 - m), 0.0)) for m in grid
                 if lr / (1 - m) * A[1] < 2]
        # the curves stop where a run never gets there (the text says why)
        shared[f"heavy{j}"] = [p for p in heavy if p[1] is not None]
        shared[f"plain{j}"] = [p for p in plain if p[1] is not None]

    start = inspect.signature(descend).parameters["w0"].default
    frames = {}
    for i, momentum in enumerate(MOMENTA):
        for j, lr in enumerate(LRS):
            step = lr / (1 - momentum)
            with np.errstate(over="ignore", invalid="ignore"):
                heavy = descend(lr=lr, momentum=momentum,
                                num_steps=num_steps)
                plain = descend(lr=step, momentum=0.0, num_steps=num_steps)
            n = steps(lr, momentum)
            mu_star = critical_momentum(lr=lr, curvature=A[0])
            floor = abs(rates(lr=lr, momentum=momentum,
                              curvature=A[0])).max()
            reached = (f"reaches f < 10⁻⁸ in {n} steps" if n is not None
                       else f"is still above f = 10⁻⁸ after {max_steps} "
                            f"steps")
            frames[f"{i},{j}"] = {
                "text": f"{regime(lr=lr, momentum=momentum)} (μ = "
                        f"{momentum:g}, η = {lr:g}): along the floor the "
                        f"error shrinks ×{floor:.3f} a step; the critical "
                        f"μ* = {mu_star:.3g}. The heavy ball {reached}. "
                        f"Plain descent at its "
                        f"effective step η/(1 − μ) = {step:.3g}: "
                        f"{plain_outcome(step, max_steps=max_steps)}.",
                "panels": [
                    {"series": [
                        {"points": drawn(heavy), "style": "line"},
                        {"points": drawn(plain), "style": "dots2"}]},
                    {"series": [
                        {"ref": f"heavy{j}", "style": "line"},
                        {"ref": f"plain{j}", "style": "line2"},
                        *([{"points": [[momentum, n]], "style": "point"}]
                          if n is not None else [])],
                     "marks": [{"x": mu_star,
                                "label": f"μ* = {mu_star:.3g}"}]}],
            }
    return {
        "id": "momentum-explorer",
        "title": "The heavy ball (blue line) and plain gradient descent at "
                 "its effective step (red)",
        "controls": [
            {"label": "momentum μ", "name": "momentum", "kind": "range",
             "values": [f"{m:g}" for m in MOMENTA],
             "default": MOMENTA.index(0.9)},
            {"label": "learning rate η", "name": "learning rate",
             "kind": "range",
             "values": [f"{lr:g}" for lr in LRS],
             "default": LRS.index(0.01)}],
        "panels": [
            {"title": f"the first {num_steps} steps from w = "
                      f"({start[0]:g}, {start[1]:g}); plain descent as "
                      f"dots, one a step",
             "axes": {"x": {"label": "w_1 (flat)", "min": -4.5, "max": 4},
                      "y": {"label": "w_2 (steep)", "min": -1.2,
                            "max": 1.2}},
             "background": [{"points": c, "style": "faint"}
                            for c in contours]},
            {"title": "steps until f < 10⁻⁸ at this η, by momentum: "
                      "the heavy ball (blue, the dot at this μ), plain "
                      "descent at η/(1 − μ) (red, while it converges); "
                      "μ* marks critical damping",
             "axes": {"x": {"label": "momentum μ", "min": 0, "max": 1},
                      "y": {"label": "steps", "min": 50,
                            "max": max_steps,
                            "log": True}}},
        ],
        "shared": shared,
        "frames": frames,
    }

"""The explorer of docs/glossary/learning-rate.md: gradient descent on the
valley, by learning rate.

Build-only: the page runs ``html(explorer())`` (tools/explorer.py) in a block
readers see only the output of. It calls the functions the page shows, from
snippets/glossary/learning_rate.py, which a reader copies without it.
"""

import numpy as np

from snippets.glossary.learning_rate import A, grad_f, gradient_descent, w0


def explorer(*, num_steps=40):
    """The page's explorer (tools/explorer.py): for each learning rate on
    a log scale from 0.001 to 0.12, the path of gradient_descent on the
    valley, the factor |1 - lr lambda| of each direction, and |w| after
    num_steps steps. The edge 2 / lambda_max = 0.1 is marked."""
    lam = np.linalg.eigvalsh(A)  # 1 and 20, ascending
    edge = 2 / lam[-1]
    lrs = np.geomspace(0.001, 0.12, 41)
    grid = np.geomspace(0.001, 0.12, 200)
    t = np.linspace(0, 2 * np.pi, 73)
    _, V = np.linalg.eigh(A)
    contours = [(V @ np.stack([np.sqrt(2 * c / lam[0]) * np.cos(t),
                               np.sqrt(2 * c / lam[1]) * np.sin(t)])).T
                for c in (0.5, 2, 5, 12, 30)]
    frames = {}
    for i, lr in enumerate(lrs):
        with np.errstate(over="ignore", invalid="ignore"):
            path = gradient_descent(grad_f, w0, lr=float(lr),
                                    num_steps=num_steps)
            size = float(np.linalg.norm(path[-1]))
        flat, steep = np.abs(1 - lr * lam)
        verdict = ("above 2/λ_{max} = 0.1: the steep direction grows"
                   if lr > edge else "below 2/λ_{max} = 0.1: both "
                   "directions shrink")
        frames[str(i)] = {
            "text": f"η = {lr:.3g}, {verdict}; factors |1 − η·1| = "
                    f"{flat:.3f} and |1 − η·20| = {steep:.3f}; after "
                    f"{num_steps} steps ‖w‖ = {size:.3g}",
            "panels": [{"series": [{"points": path, "style": "line"}]},
                       {"marks": [{"x": lr, "label": "η"}]}],
        }
    return {
        "id": "lr-explorer",
        "title": "Gradient descent on the valley, by learning rate",
        "controls": [{"label": "learning rate η", "name": "learning rate",
                      "kind": "range",
                      "values": [f"{lr:.3g}" for lr in lrs],
                      "default": int(np.argmin(np.abs(lrs - 0.05)))}],
        "panels": [
            {"title": f"the first {num_steps} steps from w_0 = "
                      f"({w0[0]:g}, {w0[1]:g})",
             "axes": {"x": {"label": "w_1", "min": -5, "max": 5},
                      "y": {"label": "w_2", "min": -5, "max": 5}},
             "background": [{"points": c, "style": "faint"}
                            for c in contours]},
            {"title": "how much each step multiplies each direction",
             "axes": {"x": {"label": "learning rate (log scale)",
                            "min": 0.001, "max": 0.12, "log": True},
                      "y": {"label": "|1 − ηλ|", "min": 0,
                            "max": 1.5}},
             "background": [
                 {"points": np.stack([grid, np.abs(1 - grid * lam[0])]).T,
                  "style": "line"},
                 {"points": np.stack([grid, np.abs(1 - grid * lam[1])]).T,
                  "style": "line2"},
                 {"points": [[0.001, 1], [0.12, 1]], "style": "faint"}],
             "marks": [{"x": edge, "label": "2/λ_{max}"}]},
        ],
        "frames": frames,
    }

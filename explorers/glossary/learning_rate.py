"""The explorer of docs/glossary/learning-rate.md: gradient descent on the
valley, by learning rate.

Build-only: the page runs ``html(explorer())`` (tools/explorer.py) in a block
readers see only the output of. It calls the functions the page shows, from
snippets/glossary/learning_rate.py, which a reader copies without it.
"""

import numpy as np

from snippets.glossary.learning_rate import A, grad_f, gradient_descent, w0

# The slider's stops: log-spaced where little happens (0.001 to 0.04),
# then every 0.0025 up to 0.12, through the regimes around 2/20 = 0.1.
LRS = np.concatenate([np.geomspace(0.001, 0.04, 12, endpoint=False),
                      np.linspace(0.04, 0.12, 33)])


def regime(lr, lam):
    """What gradient descent does on the valley at `lr`, in words first,
    then the factors: each step multiplies the distance across the valley
    (curvature lam[1] = 20) by 1 - lr 20, along its floor (lam[0] = 1) by
    1 - lr."""
    flat, steep = 1 - lr * lam[0], 1 - lr * lam[1]
    floor = f"along the floor (curvature 1) it shrinks ×{flat:.3f} a step"
    signed = f"{steep:.3f}".replace("-", "−")  # a minus sign, as in math
    across = f"across the valley (curvature 20), 1 − 20η = {signed}"
    if abs(steep) < 1e-9:
        return (f"Lands on the floor in one step (η = {lr:.4g}): {across}, "
                f"so the steep direction is gone after one step; {floor}")
    if steep > 0:
        return (f"Creeps (η = {lr:.4g}): {across}, so the steep direction "
                f"shrinks ×{steep:.3f} a step without changing sign; "
                f"{floor}")
    if abs(steep + 1) < 1e-9:
        return (f"Bounces for ever (η = {lr:.4g}): {across}, so the steep "
                f"direction flips sign and keeps its size; {floor}")
    if steep > -1:
        return (f"Zig-zags (η = {lr:.4g}): {across}, so the steep "
                f"direction flips sign and shrinks ×{-steep:.3f} a step; "
                f"{floor}")
    return (f"Diverges (η = {lr:.4g}): {across}, so the steep direction "
            f"flips sign and grows ×{-steep:.3f} a step; {floor}")


def explorer(*, num_steps=40):
    """The page's explorer (tools/explorer.py): for each learning rate of
    LRS, the path of gradient_descent on the valley, what it does in
    words (regime), the factor 1 - lr lambda of each direction, signed,
    and |w| after num_steps steps. The edge 2 / lambda_max = 0.1 is
    marked."""
    lam = np.linalg.eigvalsh(A)  # 1 and 20, ascending
    edge = 2 / lam[-1]
    grid = np.linspace(0.001, 0.12, 240)
    t = np.linspace(0, 2 * np.pi, 73)
    _, V = np.linalg.eigh(A)
    contours = [(V @ np.stack([np.sqrt(2 * c / lam[0]) * np.cos(t),
                               np.sqrt(2 * c / lam[1]) * np.sin(t)])).T
                for c in (0.5, 2, 5, 12, 30)]
    frames = {}
    for i, lr in enumerate(LRS):
        with np.errstate(over="ignore", invalid="ignore"):
            path = gradient_descent(grad_f, w0, lr=float(lr),
                                    num_steps=num_steps)
            size = float(np.linalg.norm(path[-1]))
        frames[str(i)] = {
            "text": f"{regime(lr, lam)}. After {num_steps} steps "
                    f"‖w‖ = {size:.3g}.",
            "panels": [{"series": [{"points": path, "style": "line"}]},
                       {"marks": [{"x": lr, "label": "η"}]}],
        }
    return {
        "id": "lr-explorer",
        "title": "Gradient descent on the valley, by learning rate",
        "controls": [{"label": "learning rate η", "name": "learning rate",
                      "kind": "range",
                      "values": [f"{lr:.4g}" for lr in LRS],
                      "default": int(np.argmin(np.abs(LRS - 0.07)))}],
        "panels": [
            {"title": f"the first {num_steps} steps from w_0 = "
                      f"({w0[0]:g}, {w0[1]:g})",
             "axes": {"x": {"label": "w_1", "min": -5, "max": 5},
                      "y": {"label": "w_2", "min": -5, "max": 5}},
             "background": [{"points": c, "style": "faint"}
                            for c in contours]},
            {"title": "what each step multiplies each direction by: "
                      "1 − η (along the floor), 1 − 20η (across)",
             "axes": {"x": {"label": "learning rate η", "min": 0.001,
                            "max": 0.12},
                      "y": {"label": "factor per step, 1 − ηλ",
                            "min": -1.5, "max": 1.5}},
             "background": [
                 {"points": np.stack([grid, 1 - grid * lam[0]]).T,
                  "style": "line"},
                 {"points": np.stack([grid, 1 - grid * lam[1]]).T,
                  "style": "line2"},
                 {"points": [[0.001, 1], [0.12, 1]], "style": "faint"},
                 {"points": [[0.001, -1], [0.12, -1]], "style": "faint"},
                 {"points": [[0.001, 0], [0.12, 0]], "style": "faint"}],
             "marks": [{"x": edge, "label": "2/λ_{max}"}]},
        ],
        "frames": frames,
    }

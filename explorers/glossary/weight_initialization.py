"""The explorer of docs/glossary/weight-initialization.md: the signal
through the layers, by initialization, with a verdict in words.

Build-only: the page runs ``html(explorer())`` (tools/explorer.py) in a block
readers see only the output of. It calls the functions the page shows, from
snippets/glossary/weight_initialization.py, which a reader copies without it.
"""

import numpy as np

from snippets.glossary.weight_initialization import activation_variances

# what the reader picks -> the page's scheme, from too small to too large
INITS = {"N(0, 0.01²): too small": "N(0, 0.01^2)",
         "PyTorch default": "PyTorch default", "Glorot": "Glorot uniform",
         "He": "He normal", "N(0, 1): too large": "N(0, 1)"}
ACTIVATIONS = ("tanh", "ReLU")


def verdict(variance: float, rate: float, activation: str) -> str:
    """What happened to the signal, from the variance it has left (the
    input's is 1) and the factor a layer since the first: gone below
    1e-4, blown past 1e4, tanh pinned near ±1 (a variance of 0.9 or
    more, out of at most 1), fading (below 0.1, or by more than a tenth
    a layer), growing (past 10, or by more than a tenth a layer), or
    holding steady."""
    if variance > 1e4:
        return "Explodes"
    if variance < 1e-4:
        return "Vanishes"
    if activation == "tanh" and variance >= 0.9:
        return "Saturates"
    if variance < 0.1 or rate < 0.9:
        return "Fades"
    return "Grows" if variance > 10 or rate > 1.1 else "Holds steady"


def saturated(variance: float) -> float:
    """A floor on the share of tanh units beyond ±0.9, from their
    variance: with a share p inside, E[h^2] < 0.81 p + (1 - p), and
    Var(h) <= E[h^2], so p < (1 - Var(h)) / 0.19."""
    return 1 - (1 - variance) / 0.19


def explorer(*, width=256, seed=0, depth=20):
    """The page's explorer (tools/explorer.py): the variance of the
    activations, layer by layer, from activation_variances, for five
    initializations (from too small to too large) and two activations,
    up to `depth` layers, with a verdict in words."""
    frames = {}
    for i, (label, scheme) in enumerate(INITS.items()):
        for j, activation in enumerate(ACTIVATIONS):
            v = np.asarray(activation_variances(scheme, activation,
                                                depth=depth, width=width,
                                                seed=seed))
            for d in range(depth):
                # the factor a layer from layer 1 on (geometric mean)
                rate = (v[d] / v[0]) ** (1 / d) if d else 1.0
                name = verdict(v[d], rate, activation)
                went = (f"goes from {v[0]:.3g} after layer 1 to "
                        f"{v[d]:.3g} after layer {d + 1}, ×{rate:.3g} a "
                        f"layer" if d else f"is {v[0]:.3g} after layer 1")
                pinned = (f"; at least {saturated(v[d]):.0%} of the "
                          f"units sit beyond ±0.9, where tanh's slope "
                          f"1 − h² is below 0.19"
                          if name == "Saturates" else "")
                frames[f"{i},{j},{d}"] = {
                    "text": f"{name}: {label.split(':')[0]} with "
                            f"{activation}, {d + 1} "
                            f"layer{'s' if d else ''}: Var(h) {went}"
                            f"{pinned}",
                    "panels": [{"series": [{"points": np.stack(
                        [np.arange(1, d + 2), v[:d + 1]]).T,
                        "style": "line"}]}],
                }
    return {
        "id": "init-explorer",
        "title": "The signal through the layers, by initialization",
        "controls": [
            {"label": "initialization", "kind": "select",
             "values": list(INITS), "default": 1},
            {"label": "activation", "kind": "select",
             "values": ACTIVATIONS, "default": 1},
            {"label": "depth", "kind": "range",
             "values": list(range(1, depth + 1)), "default": depth - 1}],
        "panels": [
            {"title": f"variance of the activations, Var(h), after each "
                      f"layer ({width} units a layer; the inputs' is 1, "
                      f"the faint line)",
             "axes": {"x": {"label": "layer", "min": 0.5,
                            "max": depth + 0.5,
                            "ticks": [1, 5, 10, 15, 20]},
                      "y": {"label": "Var(h) (log scale)", "min": 1e-40,
                            "max": 1e45, "log": True,
                            "ticks": [1e-40, 1e-20, 1, 1e20, 1e40]}},
             "background": [{"points": [[0.5, 1], [depth + 0.5, 1]],
                             "style": "faint"}]}],
        "frames": frames,
    }

"""The explorer of docs/glossary/weight-initialization.md: the signal
through the layers, by initialization.

Build-only: the page runs ``html(explorer())`` (tools/explorer.py) in a block
readers see only the output of. It calls the functions the page shows, from
snippets/glossary/weight_initialization.py, which a reader copies without it.
"""

import numpy as np

from snippets.glossary.weight_initialization import activation_variances


def explorer(*, width=256, seed=0):
    """The page's explorer (tools/explorer.py): the standard deviation of
    the activations, layer by layer, from activation_variances, for
    three initializations and two activations, up to 20 layers."""
    inits = {"PyTorch default": "PyTorch default",
             "Glorot": "Glorot uniform", "He": "He normal"}
    names = ("tanh", "ReLU")
    frames = {}
    for i, (label, scheme) in enumerate(inits.items()):
        for j, activation in enumerate(names):
            std = np.sqrt(activation_variances(scheme, activation,
                                               depth=20, width=width,
                                               seed=seed))
            for d in range(20):
                layers = np.arange(1, d + 2)
                frames[f"{i},{j},{d}"] = {
                    "text": f"{label} with {activation}, {d + 1} "
                            f"layer{'s' if d else ''}: the activations' "
                            f"standard deviation goes from "
                            f"{std[0]:.3g} in layer 1 to {std[d]:.3g} in "
                            f"layer {d + 1}",
                    "panels": [{"series": [{"points": np.stack(
                        [layers, std[:d + 1]]).T, "style": "line"}]}],
                }
    return {
        "id": "init-explorer",
        "title": "The signal through the layers, by initialization",
        "controls": [
            {"label": "initialization", "kind": "select",
             "values": list(inits), "default": 0},
            {"label": "activation", "kind": "select", "values": names,
             "default": 1},
            {"label": "depth", "kind": "range",
             "values": list(range(1, 21)), "default": 19}],
        "panels": [
            {"title": f"standard deviation of the activations ({width} "
                      f"units per layer)",
             "axes": {"x": {"label": "layer", "min": 0.5, "max": 20.5,
                            "ticks": [1, 5, 10, 15, 20]},
                      "y": {"label": "std (log scale)", "min": 1e-8,
                            "max": 3, "log": True,
                            "ticks": [1e-8, 1e-6, 1e-4, 1e-2, 1]}}}],
        "frames": frames,
    }

"""The explorer of docs/glossary/batch-size.md: mini-batch gradients around
the full gradient, by batch size.

Build-only: the page runs ``html(explorer())`` (tools/explorer.py) in a block
readers see only the output of. It calls the functions the page shows, from
snippets/glossary/batch_size.py, which a reader copies without it.
"""

from snippets.glossary.batch_size import (
    deviations,
    digits,
    mlp,
    params_of,
    per_example_grads,
)


def per_example_matrix():
    """G: (1078, P), every training example's gradient at the initial
    model, one row each, as noise.py computes it (for the explorer and
    the tests)."""
    import numpy as np

    (X, y), _, _ = digits()
    X, y = X.double().numpy(), y.numpy()
    grads = per_example_grads(params_of(mlp()), X, y)  # at the initial model
    return np.concatenate([g.reshape(len(X), -1) for g in grads], axis=1)


def explorer(*, draws=200, seed=0):
    """The page's explorer (tools/explorer.py): for each batch size B from
    1 to the whole training set, `draws` mini-batch gradients around the
    full gradient at the initial model (from `deviations`, the draws of
    gradient_noise), seen along the two directions in which the
    per-example gradients vary most, and E|g_B - g|^2 against the noise
    scale tr(Sigma) / |g|^2."""
    import numpy as np
    from scipy.sparse.linalg import svds

    G = per_example_matrix()
    n, g = len(G), G.mean(axis=0)
    spread = np.mean(np.sum((G - g) ** 2, axis=1))  # tr(Sigma)
    signal = float(g @ g)  # |g|^2
    scale = spread / signal  # the simple noise scale, McCandlish et al.
    # where the curve below, drawn without replacement, meets |g|^2:
    # spread / B * (n - B) / (n - 1) = signal, a little below the scale
    cross = n * scale / (n - 1 + scale)
    # the top two principal directions, (P, 2); ARPACK, from a fixed start
    _, _, Vt = svds(G - g, k=2, v0=np.ones(min(G.shape)))
    plane = Vt[::-1].T
    Bs = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, n]  # doubling, then all
    r = 2.3  # the first panel's half-height: all of B = 1's 200 batches
    t = np.linspace(0, 2 * np.pi, 73)
    curve = np.geomspace(1, n - 1, 120)
    frames, measured = {}, []
    for i, B in enumerate(Bs):
        d = deviations(G, B, draws=draws, rng=np.random.default_rng(seed))
        noise = float(np.mean(np.sum(d ** 2, axis=1)))  # gradient_noise's
        if B < n:
            measured.append([B, noise])
        if B == n:  # every batch is the whole set: g_B = g, but rounding
            said = (f"Full batch (B = {B}, the whole training set): every "
                    f"batch is the full batch, so g_B = g "
                    f"(E‖g_B − g‖² = {noise:.4g}, rounding error)")
        else:  # the regime, from the measured noise against the signal
            said = (f"{'Noise' if noise > signal else 'Signal'} dominates "
                    f"(B = {B}): E‖g_B − g‖² = {noise:.4g}, "
                    f"{noise / signal:.3g} × ‖g‖², so a mini-batch "
                    f"gradient lands {np.sqrt(noise):.4g} (root mean "
                    f"square) from the full gradient, whose length ‖g‖ is "
                    f"{np.sqrt(signal):.4g}")
        frames[str(i)] = {
            "text": f"{said}; the noise scale tr Σ/‖g‖² is "
                    f"{scale:.4g}, and the noise of batches drawn without "
                    f"replacement falls below the signal at B = "
                    f"{cross:.3g}",
            "panels": [{"series": [{"points": d @ plane, "style": "dots"}]},
                       {"marks": [{"x": B, "label": f"B = {B}"}]}],
        }
    return {
        "id": "batch-explorer",
        "title": "Mini-batch gradients around the full gradient, by batch "
                 "size",
        "controls": [{"label": "batch size B", "kind": "range",
                      "values": Bs, "default": Bs.index(32)}],
        "panels": [
            {"title": f"g_B − g for {draws} random batches, along the two "
                      f"directions where the examples' gradients differ "
                      f"most; the circle has radius ‖g‖",
             "axes": {"x": {"label": "first direction", "min": -r,
                            "max": r},
                      "y": {"label": "second direction", "min": -r,
                            "max": r}},
             "equal": True,
             "background": [{"points": np.sqrt(signal) * np.stack(
                 [np.cos(t), np.sin(t)]).T, "style": "line2"}]},
            {"title": "E‖g_B − g‖² (red dots: measured; line: "
                      "tr Σ/B · (n − B)/(n − 1); flat: ‖g‖²)",
             "axes": {"x": {"label": "batch size B (log scale)", "min": 1,
                            "max": n, "log": True,
                            "ticks": [1, 10, 100, 1000]},
                      "y": {"label": "E‖g_B − g‖² (log scale)",
                            "min": 1e-3, "max": 10, "log": True}},
             "background": [
                 {"points": np.stack([curve, spread / curve * (n - curve)
                                      / (n - 1)]).T, "style": "line"},
                 {"points": [[1, signal], [n, signal]], "style": "faint"},
                 {"points": measured, "style": "dots2"}],
             "marks": [{"x": cross, "label": "noise = signal"}]},
        ],
        "frames": frames,
    }

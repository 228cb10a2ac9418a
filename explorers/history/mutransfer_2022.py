"""The explorer of docs/history/2022-mutransfer.md: final loss against
learning rate at one width, under PyTorch's defaults and under μP.

Build-only: the page runs ``html(explorer(losses, widths=widths,
lrs=lrs))`` (tools/explorer.py) in a block readers see only the output
of, after the page's sweep.py, so it draws the very losses the page's
`sweep` printed (the sweep runs once; the explorer adds no training).
"""


NAMES = {"standard": "PyTorch's defaults", "mup": "μP"}


def best(row) -> int:
    """The grid index of the lowest loss (as sweep.py stars it)."""
    return min(range(len(row)), key=lambda j: row[j])


def verdict(row, base_row, lrs) -> str:
    """What one parametrization's best rate does at this width, relative
    to the base width's, regime first, then the numbers."""
    j, j0 = best(row), best(base_row)
    here = f"best η = {lrs[j]:.3g} (loss {row[j]:.3f})"
    if row is base_row:
        return f"the rate to pass on, {here}"
    if j == j0:
        return f"the best rate stays put: {here}"
    way = "down" if j < j0 else "up"
    steps = f"{abs(j - j0)} grid step{'s' if abs(j - j0) > 1 else ''}"
    cost = row[j0] / row[j]  # what copying the base width's rate costs
    return (f"the best rate has moved {way} {steps}: {here}; the base "
            f"width's η = {lrs[j0]:.3g} gives {row[j0]:.3f} here, "
            f"{cost:.3g}× the best")


def explorer(losses, *, widths, lrs):
    """The page's explorer (tools/explorer.py). `losses` maps each
    parametrization ("standard", "mup") to its sweep: mean final losses,
    (len(widths), len(lrs)), the first width being the base width."""
    lrs = [float(lr) for lr in lrs]
    rows = {p: [[float(x) for x in r] for r in losses[p]] for p in NAMES}
    base = widths[0]
    frames = {}
    for i, w in enumerate(widths):
        m = w / base
        if i == 0:
            head = (f"Width {w}, the base width (m = 1), where a proxy "
                    f"would be tuned")
        else:
            head = f"Width {w}, m = {m:g} times the base width {base}"
        said = "; ".join(f"{NAMES[p]}: {verdict(rows[p][i], rows[p][0], lrs)}"
                         for p in NAMES)
        frames[str(i)] = {
            "text": f"{head}. {said}. Final training loss, mean of 2 seeds.",
            "panels": [{
                "series": [
                    {"points": [[lr, x] for lr, x in zip(lrs, rows[p][i])],
                     "style": "line"},
                    {"points": [[lrs[best(rows[p][i])],
                                 min(rows[p][i])]], "style": "dots2"}],
                "marks": [{"x": lrs[best(rows[p][i])],
                           "label": f"best at width {w}"}],
            } for p in NAMES],
        }
    axes = {"x": {"label": "learning rate η (log scale)", "min": lrs[0],
                  "max": lrs[-1], "log": True, "ticks": [0.01, 0.1]},
            "y": {"label": "final training loss (log scale)", "min": 0.005,
                  "max": 3, "log": True, "ticks": [0.01, 0.1, 1]}}
    return {
        "id": "mutransfer-explorer",
        "title": "Final loss against learning rate at one width (blue; "
                 "grey: the other widths), under PyTorch's defaults and "
                 "under μP",
        "controls": [{"label": "width", "kind": "range", "values": widths,
                      "default": len(widths) - 1}],
        "panels": [{
            "title": f"{NAMES[p]}: the red dot is this width's best rate",
            "axes": axes,
            "background": [
                {"points": [[lr, x] for lr, x in zip(lrs, r)],
                 "style": "faint"} for r in rows[p]],
            "marks": [{"x": lrs[best(rows[p][0])],
                       "label": f"best at width {base}"}],
        } for p in NAMES],
        "frames": frames,
    }

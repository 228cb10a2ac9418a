"""Reproducibility: why your numbers differ from the page's.

The page docs/tuning/reproducibility.md shows this module's sections:
floating-point sums in the orders that vector units of different widths
use, then one small training run under three kernel settings (each in a
new interpreter) beside the same run under five seeds. Importing it runs
nothing; ``python -m snippets.tuning.reproducibility`` runs the page.
"""

# --8<-- [start:lanes]
import numpy as np


def lane_sum(x, *, lanes=8):
    """The float32 sum of `x` as a vector unit with `lanes` lanes adds it:
    lane k adds x[k], x[k + lanes], x[k + 2 * lanes], ...; then the lane
    totals are added, one after the other."""
    x = np.asarray(x, dtype=np.float32)
    if not (isinstance(lanes, int) and lanes >= 1 and len(x) % lanes == 0):
        raise ValueError(f"lanes must be an integer >= 1 that divides "
                         f"len(x) = {len(x)}, got {lanes!r}")
    acc = np.zeros(lanes, dtype=np.float32)
    for row in x.reshape(-1, lanes):  # one vector addition per row
        acc += row
    total = np.float32(0)
    for lane in acc:
        total += lane
    return total
# --8<-- [end:lanes]


# --8<-- [start:train]
def train(*, lr=0.3, depth=2, seed=0, num_epochs=5, batch_size=32):
    """Validation loss of a tanh MLP (`depth` hidden layers of 64 units)
    trained with plain SGD on scikit-learn's digits."""
    # imports inside: the function's source is sent to new interpreters
    import math

    import torch
    from sklearn.datasets import load_digits
    from torch import nn

    if not (isinstance(lr, float | int) and not isinstance(lr, bool)
            and 0 < lr < math.inf):
        raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
    for name, value in (("depth", depth), ("num_epochs", num_epochs),
                        ("batch_size", batch_size)):
        if not (isinstance(value, int) and value >= 1):
            raise ValueError(f"{name} must be an integer >= 1, got "
                             f"{value!r}")
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X / 16.0, dtype=torch.float32)  # pixels 0..16 -> 0..1
    y = torch.tensor(y)
    X_val, y_val, X, y = X[:360], y[:360], X[360:], y[360:]
    torch.manual_seed(seed)  # the initial weights and the batches
    layers, width = [], 64
    for _ in range(depth):
        layers += [nn.Linear(width, 64), nn.Tanh()]
    model = nn.Sequential(*layers, nn.Linear(64, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(num_epochs):
        for idx in torch.randperm(len(X)).split(batch_size):
            loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        return nn.functional.cross_entropy(model(X_val), y_val).item()
# --8<-- [end:train]


# --8<-- [start:elsewhere]
import inspect
import json
import os
import subprocess
import sys

# None: the best this CPU has; "avx2": as without AVX-512 (x86 only);
# "default": as without any vector extension
CAPABILITIES = (None, "avx2", "default")


def start_elsewhere(fn, calls, *, capability=None):
    """Start a new Python interpreter that prints, as JSON,
    [fn(**kwargs) for kwargs in calls], its torch running the kernels of
    `capability` (CAPABILITIES). `fn` must import what it uses."""
    if capability not in CAPABILITIES:
        raise ValueError(f"capability must be one of {CAPABILITIES}, got "
                         f"{capability!r}")
    env = dict(os.environ)  # read once, when torch first dispatches
    env["OMP_NUM_THREADS"] = "1"  # one thread: the kernels alone differ
    env.pop("ATEN_CPU_CAPABILITY", None)
    if capability is not None:
        env["ATEN_CPU_CAPABILITY"] = capability
    code = (f"import json\n{inspect.getsource(fn)}\n"
            f"print(json.dumps([{fn.__name__}(**kwargs) "
            f"for kwargs in {calls!r}]))")
    return subprocess.Popen([sys.executable, "-c", code], env=env,
                            stdout=subprocess.PIPE, text=True)


def result(process):
    """What a process started by start_elsewhere printed, decoded."""
    out, _ = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the interpreter exited with "
                           f"{process.returncode}")
    return json.loads(out)
# --8<-- [end:elsewhere]


if __name__ == "__main__":
    # --8<-- [start:order]
    print(f"(0.1 + 0.2) + 0.3 = {(0.1 + 0.2) + 0.3!r}")
    print(f"0.1 + (0.2 + 0.3) = {0.1 + (0.2 + 0.3)!r}")
    # --8<-- [end:order]

    # --8<-- [start:lanes_run]
    import math

    x = np.random.default_rng(0).standard_normal(2**16).astype(np.float32)
    print(f"exact (math.fsum):   {math.fsum(x.tolist()):.9f}")
    for lanes, unit in ((1, "one at a time"), (8, "8 lanes (AVX2)"),
                        (16, "16 lanes (AVX-512)")):
        print(f"{unit:<20} {lane_sum(x, lanes=lanes):.9f}")
    # --8<-- [end:lanes_run]

    # --8<-- [start:experiment]
    runs = {"lr = 0.3, 2 layers": {"lr": 0.3, "depth": 2},
            "lr = 1.0, 3 layers": {"lr": 1.0, "depth": 3}}
    calls = list(runs.values())
    # seed 0 in two new interpreters, with the kernels of older CPUs ...
    started = {c: start_elsewhere(train, calls, capability=c)
               for c in ("avx2", "default")}
    # ... while five seeds run here, with the kernels this CPU offers
    by_seeds = {seed: [train(**kwargs, seed=seed) for kwargs in calls]
                for seed in range(5)}
    by_kernels = {"here": by_seeds[0],
                  **{c: result(p) for c, p in started.items()}}

    def show(rows, label):
        """Print the rows, then each column's spread (largest - smallest);
        return the spreads."""
        for name, losses in rows.items():
            print(f"{label} {name:<13}"
                  + "".join(f"{loss:>20.9f}" for loss in losses))
        spread = [max(c) - min(c) for c in zip(*rows.values())]
        print(f"{'spread':<21}" + "".join(f"{s:>20.2g}" for s in spread))
        return spread

    print(f"{'validation loss':<21}" + "".join(f"{r:>20}" for r in runs))
    kernel_spread = show(by_kernels, "kernels")
    seed_spread = show(by_seeds, "seed   ")
    # --8<-- [end:experiment]

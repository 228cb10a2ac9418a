"""What each explorer must say, computed here from the pages' functions.

An explorer's frames come from its page's ``explorer()`` data function (in
explorers/, drawn by tools/explorer.py). These checks do not call it: for
the controls' values, they call the functions the page shows
(gradient_descent, descend, the schedules, gradient_noise,
activation_variances) and give the numbers the frame's text must state,
formatted as the explorer formats them. tests/browser/test_explorers.py
reads the text a reader sees; tests/site/test_explorers.py reads the JSON
embedded in the page.
"""

import functools
import itertools
import json
import warnings

import numpy as np
from bs4 import BeautifulSoup
from pytest import approx

# page -> the explorer's id
EXPLORERS = {
    "glossary/learning-rate": "lr-explorer",
    "glossary/momentum": "momentum-explorer",
    "glossary/learning-rate-decay": "decay-explorer",
    "glossary/batch-size": "batch-explorer",
    "glossary/weight-initialization": "init-explorer",
    "history/2022-mutransfer": "mutransfer-explorer",
}

# The learning rate's stops (issue 22): log-spaced from 0.001 up to 0.04,
# then every 0.0025 to 0.12, dense where the regimes change (the control
# shows each to 4 significant figures).
LRS = np.concatenate([np.geomspace(0.001, 0.04, 12, endpoint=False),
                      np.linspace(0.04, 0.12, 33)])


def as_built(make, eid: str) -> dict:
    """An explorer's spec as its page embeds it: the data function's
    output through tools.explorer.html (which checks it) and back from
    the HTML by its id; a warning on the way is an error."""
    from tools.explorer import html

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return spec_of(html(make()), eid)


def spec_of(html: str, eid: str) -> dict:
    """The JSON an explorer carries in the built page."""
    soup = BeautifulSoup(html, "html.parser")
    return json.loads(soup.find(id=eid).find("script").string)


def _lr(at):
    from snippets.glossary import learning_rate as m

    lr = LRS[at[0]]
    lam = np.linalg.eigvalsh(m.A)
    path = m.gradient_descent(m.grad_f, m.w0, lr=float(lr), num_steps=40)
    steep = 1 - lr * lam[1]  # across the valley; signed: < 0 flips
    # the regime first, named from the factor alone
    name = ("Lands on the floor in one step" if abs(steep) < 1e-9
            else "Creeps" if steep > 0
            else "Bounces for ever" if abs(steep + 1) < 1e-9
            else "Zig-zags" if steep > -1 else "Diverges")
    return [f"{name} (η = {lr:.4g})",
            f"1 − 20η = {steep:.3f}".replace("-", "−"),
            f"shrinks ×{1 - lr * lam[0]:.3f} a step",
            f"‖w‖ = {np.linalg.norm(path[-1]):.3g}"]


def heavy_ball_radius(momentum: float, lr: float, a: float) -> float:
    """The spectral radius of the heavy ball's step along a direction of
    curvature a: the 2x2 matrix on (e_t, e_t-1), not the roots the
    explorer uses."""
    M = np.array([[1 + momentum - lr * a, -momentum], [1.0, 0.0]])
    return max(abs(np.linalg.eigvals(M)))


def momentum_regime(momentum: float, lr: float) -> str:
    """What the heavy ball does on the momentum page's valley, named from
    the spectral radius of its step."""
    from snippets.glossary import momentum as m

    mu_star = (1 - np.sqrt(lr * m.A[0])) ** 2  # where the roots meet
    steep = heavy_ball_radius(momentum, lr, m.A[1])
    return ("Diverges" if steep > 1 + 1e-9 else
            "Bounces for ever" if steep > 1 - 1e-9 else
            "Creeps: no momentum" if momentum == 0 else
            "Fastest: critically damped" if abs(momentum - mu_star) < 1e-9
            else "Creeps: overdamped" if momentum < mu_star
            else "Swings: underdamped")


def _momentum(at, values):
    from snippets.glossary import momentum as m

    shown = values[0][at[0]], values[1][at[1]]
    momentum, lr = float(shown[0]), float(shown[1])
    floor = heavy_ball_radius(momentum, lr, m.A[0])
    heavy = m.steps_to(m.descend(lr=lr, momentum=momentum))  # 3000 steps
    step = lr / (1 - momentum)
    across = 1 - step * m.A[1]
    if across < -1 - 1e-9:
        plain = f"diverges, the steep direction flips and grows ×{-across:.3g}"
    elif across < -1 + 1e-9:
        plain = "bounces for ever across the valley"
    else:
        n = m.steps_to(m.descend(lr=step, momentum=0.0))
        plain = (f"f < 10⁻⁸ in {n} steps" if n is not None
                 else "still above 10⁻⁸ after 3000 steps")
    return [f"{momentum_regime(momentum, lr)} (μ = {shown[0]}, η = "
            f"{shown[1]})",
            f"along the floor the error shrinks ×{floor:.3f} a step",
            f"μ* = {(1 - np.sqrt(lr)) ** 2:.3g}",
            f"reaches f < 10⁻⁸ in {heavy} steps" if heavy is not None
            else "is still above f = 10⁻⁸ after 3000 steps",
            f"η/(1 − μ) = {step:.3g}: {plain}"]


def decay_phase(curve, step: int) -> str:
    """What a schedule does at `step`, read off its values (curve[t] for
    t = 0 .. T), not from its definition as the explorer does."""
    lr, peak = curve[step], curve.max()
    before = curve[step - 1] if step else None
    after = curve[step + 1] if step + 1 < len(curve) else None
    if step == len(curve) - 1 and lr == 0:
        return "Ends at 0"
    if before is not None and lr < 0.5 * before:
        return "Drops ×0.1"
    # never rises, in a few levels: the step schedule
    if np.all(np.diff(curve) <= 0) and np.unique(curve).size < 10:
        drops = int(np.round(np.log10(peak / lr)))
        return ("Holds at the peak" if drops == 0 else
                f"Holds after {drops} drop{'s' * (drops > 1)} of ×0.1")
    if lr == peak:
        return "Peaks"
    if after is not None and after > lr:
        return "Warms up"
    top = int(np.argmax(curve))
    tail = curve[top:] * np.sqrt(np.arange(top, len(curve)) + 1)
    if top and np.allclose(tail, tail[0], rtol=1e-9):  # lr √(step) fixed
        return "Decays as 1/√step"
    return "Decays along a half cosine"


def _decay(at, values):
    from snippets.glossary import learning_rate_decay as m
    from snippets.models.transformer import transformer_lr

    warmup, T = values[1][at[1]], values[2][at[2]]
    step = round(at[3] * T / (len(values[3]) - 1))
    t = np.arange(T + 1)
    curve = [m.step_decay(t, lr0=0.1, step_size=T // 3, gamma=0.1),
             m.cosine(t, lr0=0.1, T=T),
             m.warmup_cosine(t, lr0=0.1, warmup=warmup, T=T),
             np.array([transformer_lr(int(s) + 1, warmup=warmup)
                       for s in t])][at[0]]
    lr, peak = curve[step], curve.max()
    # step and cosine have no warm-up, and the text does not name one
    setting = f"{T} steps, warm-up {warmup}" if at[0] >= 2 else f"{T} steps"
    return [f"{decay_phase(curve, step)} ({values[0][at[0]]}, {setting}): "
            f"at step {step}, η = {float(lr):.4g}, "
            f"{100 * lr / peak:.0f}% of its peak {peak:.3g}"]


@functools.cache
def per_example_matrix():
    """G: (1078, P), the per-example gradients at the initial model, as
    the batch-size page computes them (once per test process)."""
    from explorers.glossary.batch_size import per_example_matrix as g

    return g()


def _batch(at, values):
    from snippets.glossary import batch_size as m

    G = per_example_matrix()
    B = values[0][at[0]]
    g = G.mean(axis=0)
    noise = m.gradient_noise(G, [B])[0]
    scale = np.mean(np.sum((G - g) ** 2, axis=1)) / (g @ g)
    # the regime first: the measured noise against the signal ‖g‖²
    name = ("Full batch" if B == len(G) else
            "Noise dominates" if noise > g @ g else "Signal dominates")
    return [f"{name} (B = {B}", f"E‖g_B − g‖² = {noise:.4g}",
            f"tr Σ/‖g‖² is {scale:.4g}"]


@functools.cache
def variances(scheme: str, activation: str) -> tuple[float, ...]:
    """activation_variances at its defaults (20 layers), once per test
    process: the initialization explorer's 200 frames share 10 runs."""
    from snippets.glossary import weight_initialization as m

    return tuple(m.activation_variances(scheme, activation))


def _init(at, values):
    # the select's labels -> the page's schemes, too small to too large
    schemes = ["N(0, 0.01^2)", "PyTorch default", "Glorot uniform",
               "He normal", "N(0, 1)"]
    label, activation = values[0][at[0]], values[1][at[1]]
    depth = values[2][at[2]]
    v = variances(schemes[at[0]], activation)[:depth]
    rate = (v[-1] / v[0]) ** (1 / (depth - 1)) if depth > 1 else 1.0
    # the verdict, as the page's prose words it
    name = ("Explodes" if v[-1] > 1e4 else "Vanishes" if v[-1] < 1e-4
            else "Saturates" if activation == "tanh" and v[-1] >= 0.9
            else "Fades" if v[-1] < 0.1 or rate < 0.9
            else "Grows" if v[-1] > 10 or rate > 1.1 else "Holds steady")
    out = [f"{name}: {label.split(':')[0]} with {activation}, {depth} "
           f"layer", f"after layer {depth}" if depth > 1 else
           f"Var(h) is {v[0]:.3g} after layer 1"]
    if depth > 1:
        out += [f"Var(h) goes from {v[0]:.3g} after layer 1 to "
                f"{v[-1]:.3g}", f"×{rate:.3g} a layer"]
    if name == "Saturates":  # E[h^2] <= 0.81 p + 1 - p bounds p
        out.append(f"at least {1 - (1 - v[-1]) / 0.19:.0%} of the units "
                   f"sit beyond ±0.9")
    return out


def sweep_table() -> tuple[list[str], dict[str, list[tuple]]]:
    """What the μTransfer page's sweep.py printed (its record, as the
    page shows it): the learning rates of its header, and for each
    parametrization, each width's (width, losses, starred index), the
    numbers as printed."""
    import re

    from tools.records import output

    text = output("history/2022-mutransfer.md", "sweep.py")
    lines = text.splitlines()
    lrs = next(x for x in lines if x.startswith("width")).split()[1:]
    rows, p = {}, None
    for line in lines:
        if line in ("standard", "mup"):
            p = line
            rows[p] = []
        elif p and re.match(r"^\s*\d+\s", line):
            width, rest = line.split(maxsplit=1)
            losses = re.findall(r"\d+\.\d+", rest)
            starred = len(re.findall(r"\d+\.\d+", line[:line.index("*")]))
            rows[p].append((int(width), losses, starred - 1))
    return lrs, rows


def _mutransfer(at, values):
    lrs, rows = sweep_table()
    i = at[0]
    said = []
    for p, name in (("standard", "PyTorch's defaults"), ("mup", "μP")):
        _, losses, j = rows[p][i]
        j0 = rows[p][0][2]
        regime = ("the rate to pass on" if i == 0 else
                  "the best rate stays put" if j == j0 else
                  "the best rate has moved")
        said += [f"{name}: {regime}",
                 f"best η = {lrs[j]} (loss {losses[j]})"]
    return [f"Width {values[0][i]}", *said]


def expected(eid: str, at: list[int], values: list[list]) -> list[str]:
    """The phrases, numbers included, that the frame for the controls at
    indices `at` must contain; `values` are the controls' values."""
    if eid == "lr-explorer":
        return _lr(at)
    return {"momentum-explorer": _momentum, "decay-explorer": _decay,
            "batch-explorer": _batch, "init-explorer": _init,
            "mutransfer-explorer": _mutransfer}[eid](
        at, values)


# --- checks of an explorer's data (its spec, as explorer() returns it, or as
# the built page embeds it: tests/site/test_explorers.py) ------------------


def frames_to_check(spec) -> list[tuple[int, ...]]:
    """The default frame, every control at its first and last value, and
    a few more in between: a dozen per explorer."""
    counts = [len(c["values"]) for c in spec["controls"]]
    default = tuple(c["default"] for c in spec["controls"])
    corners = list(itertools.product(*[(0, n - 1) for n in counts]))
    rng = np.random.default_rng(0)
    middle = [tuple(int(rng.integers(n)) for n in counts) for _ in range(4)]
    return list(dict.fromkeys([default, *corners[:8], *middle]))


def check_frames(spec):
    """Every combination of the controls has a frame, with every panel."""
    counts = [len(c["values"]) for c in spec["controls"]]
    keys = {",".join(map(str, k))
            for k in itertools.product(*map(range, counts))}
    assert set(spec["frames"]) == keys
    for frame in spec["frames"].values():
        assert len(frame["panels"]) == len(spec["panels"])


def check_texts(eid, spec):
    """Sampled frames state the numbers the page's functions give."""
    values = [c["values"] for c in spec["controls"]]
    for at in frames_to_check(spec):
        text = spec["frames"][",".join(map(str, at))]["text"]
        for phrase in expected(eid, list(at), values):
            assert phrase in text, (at, text)


def close(drawn, exact, rel=1e-3):
    """Drawn points are kept to 4 significant figures."""
    drawn, exact = np.asarray(drawn, float), np.asarray(exact, float)
    assert drawn.shape == exact.shape
    np.testing.assert_allclose(drawn, exact, rtol=rel, atol=1e-12)


def check_momentum_paths(spec):
    """The momentum explorer's drawn paths are descend's: the heavy ball
    as a line, plain descent at its effective step as dots (explorer.css:
    "line" blue, "dots2" red), over closed contours of the valley's loss;
    a path that leaves the view stops there, with a break."""
    from snippets.glossary import momentum as m

    assert "heavy ball (blue line)" in spec["title"]
    assert "at its effective step (red)" in spec["title"]
    for frame in spec["frames"].values():
        heavy, plain = frame["panels"][0]["series"]
        assert (heavy["style"], plain["style"]) == ("line", "dots2")
    levels = []
    for line in spec["panels"][0]["background"]:
        w = np.asarray(line["points"], float)
        f = m.loss(w)
        np.testing.assert_allclose(f, f[0], rtol=2e-3)  # a level set
        np.testing.assert_allclose(w[0], w[-1], atol=1e-9)  # closed
        assert len(w) > 40
        levels.append(f[0])
    assert len(levels) >= 3 and np.all(np.diff(levels) > 0)

    momenta, lrs = (c["values"] for c in spec["controls"])
    assert momenta[0] == "0" and momenta[-1] == "0.99"
    assert float(lrs[-1]) == 0.02  # plain descent's edge, 2/100
    broke = 0
    for i, j in ((0, 0), (7, 2), (9, 2), (13, 4), (4, 1)):
        momentum, lr = float(momenta[i]), float(lrs[j])
        heavy, plain = spec["frames"][f"{i},{j}"]["panels"][0]["series"]
        for drawn, exact in (
                (heavy["points"], m.descend(lr=lr, momentum=momentum,
                                            num_steps=60)),
                (plain["points"], m.descend(lr=lr / (1 - momentum),
                                            momentum=0.0, num_steps=60))):
            drawn = np.asarray([p if p[0] is not None else [np.nan] * 2
                                for p in drawn], float)
            with np.errstate(invalid="ignore"):
                inside = (np.abs(exact) <= 10).all(axis=1)
            if inside.all():
                assert len(drawn) == len(exact)
            else:  # up to the first point outside, then a break
                k = int(np.argmin(inside))
                assert len(drawn) == k + 2 and np.isnan(drawn[-1]).all()
                drawn, exact = drawn[:-1], exact[:k + 1]
                broke += 1
            # 3 decimals, then 4 significant figures (compact)
            np.testing.assert_allclose(drawn, exact, rtol=1e-3, atol=5e-4)
    assert broke >= 3  # plain descent past 2/100 leaves the view


def check_momentum_regimes(spec):
    """Every frame starts with what the heavy ball does (momentum_regime:
    from the eigenvalues of its step), the default is the page's 0.9
    (swings), and each regime shows somewhere; the steps panel marks
    the critical momentum and draws steps_to's counts."""
    from snippets.glossary import momentum as m

    momenta, lrs = (c["values"] for c in spec["controls"])
    seen = []
    for key, frame in spec["frames"].items():
        i, j = map(int, key.split(","))
        name = momentum_regime(float(momenta[i]), float(lrs[j]))
        assert frame["text"].startswith(f"{name} (μ = {momenta[i]}, "), key
        seen.append(name)
    assert set(seen) == {"Creeps: no momentum", "Creeps: overdamped",
                         "Fastest: critically damped", "Swings: underdamped",
                         "Bounces for ever"}
    default = ",".join(str(c["default"]) for c in spec["controls"])
    assert spec["frames"][default]["text"].startswith(
        "Swings: underdamped (μ = 0.9, η = 0.01)")
    # the steps panel: the marked μ* is (1 - √η)^2, the curves are
    # steps_to(descend(...)), and the heavy ball's fewest steps lie
    # within 0.05 of μ* (a finite run does best a little above it)
    for j, lr in enumerate(map(float, lrs)):
        frame = spec["frames"][f"0,{j}"]["panels"][1]
        star = frame["marks"][0]["x"]
        assert star == approx((1 - np.sqrt(lr)) ** 2, rel=1e-3)
        heavy = np.asarray(spec["shared"][frame["series"][0]["ref"]])
        assert abs(heavy[np.argmin(heavy[:, 1]), 0] - star) <= 0.05
        for mu, n in heavy[::5]:
            assert n == m.steps_to(m.descend(lr=lr, momentum=mu))
        plain = np.asarray(spec["shared"][frame["series"][1]["ref"]])
        if len(plain):  # only where η/(1 - μ) < 2/100
            assert np.all(lr / (1 - plain[:, 0]) < 0.02)
            for mu, n in plain[::3]:
                assert n == m.steps_to(m.descend(lr=lr / (1 - mu),
                                                 momentum=0.0))


def check_decay_regimes(spec):
    """Every frame of the decay explorer names what its schedule does at
    the cursor (decay_phase, read off the curve); only the schedules with
    a warm-up use (and name) the warm-up control; each schedule has its
    own vertical scale, which its curves fill to a third at least."""
    names, warmups, totals, cursor = (c["values"]
                                      for c in spec["controls"])
    assert spec["controls"][1]["only_with"] == [0, [2, 3]]
    assert "warm" in names[2].lower() and "warm" in names[3].lower()
    seen = set()
    for key, frame in spec["frames"].items():
        k, w, n, c = map(int, key.split(","))
        text = frame["text"]
        phrase = _decay([k, w, n, c], [names, warmups, totals, cursor])[0]
        assert text.startswith(phrase), (key, text, phrase)
        assert ("warm-up" in text.split("):")[0]) == (k >= 2), text
        seen.add(phrase.split(" (")[0])
        panel = frame["panels"][0]
        curve = np.asarray(spec["shared"][panel["series"][0]["ref"]])
        top = panel["axes"]["y"]["max"]
        # (a curve of 400 steps is drawn every other step: its peak at
        # step 39 falls between two drawn points, 0.3% lower)
        assert curve[:, 1].max() <= top <= 3.05 * curve[:, 1].max(), key
        assert panel["axes"]["x"]["max"] == totals[n]
    assert {"Warms up", "Peaks", "Holds at the peak", "Ends at 0",
            "Decays along a half cosine", "Decays as 1/√step",
            "Holds after 1 drop of ×0.1",
            "Holds after 2 drops of ×0.1"} <= seen, seen


def check_init(spec):
    """The initialization explorer draws activation_variances (the
    variance, as the page writes it, not its square root) for the five
    schemes of the page, from too small to too large, and every frame's
    text opens with its verdict (_init's)."""
    from snippets.glossary import weight_initialization as m

    inits, activations, depths = (c["values"] for c in spec["controls"])
    assert [label.split(":")[0] for label in inits] == [
        "N(0, 0.01²)", "PyTorch default", "Glorot", "He", "N(0, 1)"]
    assert "too small" in inits[0] and "too large" in inits[-1]
    assert activations == ["tanh", "ReLU"] and depths == list(range(1, 21))
    assert "Var(h)" in spec["panels"][0]["axes"]["y"]["label"]
    seen = set()
    for key, frame in spec["frames"].items():
        at = list(map(int, key.split(",")))
        said = _init(at, [inits, activations, depths])
        assert frame["text"].startswith(said[0]), (key, frame["text"])
        for phrase in said[1:]:
            assert phrase in frame["text"], (key, phrase)
        seen.add(said[0].split(":")[0])
    assert seen == {"Explodes", "Vanishes", "Saturates", "Fades", "Grows",
                    "Holds steady"}
    for i, scheme in enumerate(m.SCHEMES):  # too small to too large
        for j, activation in enumerate(activations):
            drawn = np.asarray(spec["frames"][f"{i},{j},19"]["panels"][0][
                "series"][0]["points"])
            close(drawn[:, 1], variances(scheme, activation))


def check_decay_curves(spec):
    """The decay explorer's drawn curves are the schedules'."""
    from snippets.glossary import learning_rate_decay as m
    from snippets.models.transformer import transformer_lr

    warmups, totals = spec["controls"][1]["values"], spec["controls"][2][
        "values"]
    assert len(spec["controls"][0]["values"]) == 4
    for w, n in ((0, 0), (1, 2), (3, 3)):
        warmup, T = warmups[w], totals[n]
        t = np.arange(T + 1)
        exact = [m.step_decay(t, lr0=0.1, step_size=T // 3, gamma=0.1),
                 m.cosine(t, lr0=0.1, T=T),
                 m.warmup_cosine(t, lr0=0.1, warmup=warmup, T=T),
                 [transformer_lr(int(s) + 1, warmup=warmup) for s in t]]
        for k in range(4):
            key = f"{k},{w},{n}" if k >= 2 else f"{k},{n}"  # no warm-up
            drawn = np.asarray(spec["shared"][key])
            steps = drawn[:, 0].astype(int)
            assert steps[0] == 0 and steps[-1] == T and len(steps) <= 201
            assert np.all(np.diff(steps) <= max(T // 200, 1))
            close(drawn[:, 1], np.asarray(exact[k])[steps])

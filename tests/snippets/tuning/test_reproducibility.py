"""Tests for snippets/tuning/reproducibility.py (docs/tuning/
reproducibility.md).

The training runs the page shows are read from what its blocks printed
when the site was built (tools.records), under whichever kernel setting
this test run is in: the page's claims must hold under each.
"""

import math
import re

import numpy as np
import pytest
import torch

from snippets.tuning import reproducibility as r
from tools.records import output, prose

PAGE = "tuning/reproducibility.md"


def experiment_table() -> dict[str, list[float]]:
    """row name -> [healthy loss, chaotic loss], as experiment.py printed
    them; the spreads under "spread kernels" and "spread seed"."""
    rows, spreads = {}, []
    for line in output(PAGE, "experiment.py").splitlines()[1:]:
        *name, a, b = line.split()
        if name == ["spread"]:
            spreads.append([float(a), float(b)])
        else:
            rows[" ".join(name)] = [float(a), float(b)]
    assert len(spreads) == 2
    rows["spread kernels"], rows["spread seeds"] = spreads
    return rows


# --- the sums -------------------------------------------------------------

def sequential(x, lanes):
    """The order lane_sum describes, one Python float32 addition at a
    time: lane k adds x[k], x[k + lanes], ..., then the lanes in order."""
    totals = [np.float32(0)] * lanes
    for i, v in enumerate(np.asarray(x, dtype=np.float32)):
        totals[i % lanes] = np.float32(totals[i % lanes] + v)
    total = np.float32(0)
    for t in totals:
        total = np.float32(total + t)
    return total


@pytest.mark.parametrize("lanes", [1, 2, 8, 16])
def test_lane_sum_adds_in_the_order_it_says(lanes):
    x = np.random.default_rng(1).standard_normal(512).astype(np.float32)
    assert r.lane_sum(x, lanes=lanes) == sequential(x, lanes)  # bit for bit


def test_every_order_and_torch_s_sum_are_within_the_rounding_bound():
    x = np.random.default_rng(0).standard_normal(2**12).astype(np.float32)
    exact = math.fsum(x.astype(float).tolist())
    # |computed - exact| <= (n - 1) u sum|x_i|, u = 2^-24 (Higham, 4.4)
    bound = (len(x) - 1) * 2.0**-24 * float(np.abs(x).sum(dtype=float))
    sums = [float(r.lane_sum(x, lanes=k)) for k in (1, 8, 16)]
    sums.append(torch.from_numpy(x).sum().item())  # torch's own order
    for s in sums:
        assert abs(s - exact) <= bound
    assert len(set(sums[:3])) == 3  # three orders, three answers


@pytest.mark.parametrize("lanes", [0, -8, 3, 2.0, None])
def test_bad_lanes_are_refused(lanes):
    with pytest.raises(ValueError, match=r"^lanes must be an integer >= 1 "
                                         r"that divides len\(x\) = 16"):
        r.lane_sum(np.ones(16), lanes=lanes)


def test_the_page_s_sums_agree_to_two_decimals_and_differ_in_the_fourth():
    text = output(PAGE, "lanes.py")
    sums = [float(line.split()[-1]) for line in text.splitlines()]
    assert len(sums) == 4  # exact, then 1, 8 and 16 lanes
    assert {f"{s:.2f}" for s in sums} == {"159.74"}  # the prose's number
    assert len({f"{s:.4f}" for s in sums}) == 4
    assert "All four agree to two decimals, 159.74" in " ".join(
        prose(PAGE).split())
    assert output(PAGE, "order.py") == (
        "(0.1 + 0.2) + 0.3 = 0.6000000000000001\n"
        "0.1 + (0.2 + 0.3) = 0.6\n")


# --- the training ---------------------------------------------------------

def test_a_seeded_run_repeats_exactly_on_one_machine():
    kwargs = {"lr": 0.3, "depth": 2, "num_epochs": 1}
    assert r.train(**kwargs, seed=3) == r.train(**kwargs, seed=3)
    assert r.train(**kwargs, seed=3) != r.train(**kwargs, seed=4)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"lr": -0.1}, r"^lr must be a finite number > 0, got -0\.1$"),
    ({"lr": math.nan}, r"^lr must be a finite number > 0, got nan$"),
    ({"lr": True}, r"^lr must be a finite number > 0, got True$"),
    ({"depth": 0}, r"^depth must be an integer >= 1, got 0$"),
    ({"num_epochs": 1.5}, r"^num_epochs must be an integer >= 1, got 1\.5$"),
    ({"batch_size": 0}, r"^batch_size must be an integer >= 1, got 0$"),
])
def test_bad_hyperparameters_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        r.train(**kwargs)


def capability():
    import torch

    return torch.backends.cpu.get_cpu_capability()


def test_a_new_interpreter_runs_the_kernels_it_is_asked_for():
    started = {c: r.start_elsewhere(capability, [{}], capability=c)
               for c in ("default", "avx2")}
    assert r.result(started["default"]) == ["DEFAULT"]
    assert r.result(started["avx2"]) == ["AVX2"]
    with pytest.raises(ValueError, match="capability must be one of"):
        r.start_elsewhere(capability, [{}], capability="avx512")


def test_healthy_runs_differ_in_the_last_digits_chaotic_ones_in_the_first():
    rows = experiment_table()
    assert [k for k in rows if k.startswith("kernels")] == [
        "kernels here", "kernels avx2", "kernels default"]
    assert rows["kernels here"] == rows["seed 0"]  # the same run
    assert [k for k in rows if k.startswith("seed ")] == [
        f"seed {s}" for s in range(5)]
    kernels, seeds = rows["spread kernels"], rows["spread seeds"]
    # healthy: the seeds move the result, the kernels its last digits
    assert kernels[0] < seeds[0] / 1000
    assert seeds[0] > 0.02
    # too large a rate: the kernels move it as much as the seeds do
    assert seeds[1] / 10 < kernels[1] < seeds[1] * 10
    chaotic = [rows[f"kernels {k}"][1] for k in ("avx2", "default")]
    # "until it reaches the leading digits"
    assert len({f"{v:.1e}" for v in chaotic}) == 2


def test_the_prose_shows_the_run_s_numbers():
    text = prose(PAGE)
    rows = experiment_table()
    kernels, seeds = rows["spread kernels"], rows["spread seeds"]
    assert f"spread it by {kernels[0]:.1g}" in re.sub(r"\s+", " ", text)
    assert f"the seeds spread it by {seeds[0]:.2f}" in re.sub(
        r"\s+", " ", text)
    assert "{{" not in text.split("```")[0]

"""Tests for snippets/glossary/learning_rate_decay.py (glossary: decay)."""

import inspect
import math
import re

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as S  # noqa: N812 (short, in tests)

from snippets.glossary import learning_rate_decay as d
from tests.conftest import ROOT
from tools.records import output, prose

PAGE = ROOT / "docs/glossary/learning-rate-decay.md"
PAGE_NAME = "glossary/learning-rate-decay.md"

# Closed forms against PyTorch's schedulers driving a real SGD optimizer.
# ExponentialLR, StepLR and CosineAnnealingLR update the rate recursively
# from the previous one, so they differ from the closed forms by rounding
# (measured: below 1e-16 over 1000 steps at lr0 = 0.1); atol 1e-14 leaves
# a margin of 100, rtol 1e-12 covers the larger rates.
ATOL, RTOL = 1e-14, 1e-12


def page_text():
    """The page's Markdown with every run of whitespace made one space."""
    return re.sub(r"\s+", " ", PAGE.read_text())


def cases(N):
    """(closed form at t = 0..N, the torch scheduler) for each schedule,
    sized for N steps."""
    t = np.arange(N + 1)
    s, w, tau = max(N // 3, 1), max(N // 10, 1), max(N // 10, 1)
    return {
        "step": (d.step_decay(t, lr0=0.1, step_size=s, gamma=0.1),
                 lambda o: S.StepLR(o, step_size=s, gamma=0.1)),
        "step_half": (d.step_decay(t, lr0=0.1, step_size=s, gamma=0.5),
                      lambda o: S.StepLR(o, step_size=s, gamma=0.5)),
        "exponential": (d.exponential(t, lr0=0.1, gamma=0.99),
                        lambda o: S.ExponentialLR(o, gamma=0.99)),
        "1/t": (d.inverse_time(t, lr0=0.1, tau=tau),
                lambda o: S.LambdaLR(o, lambda k: tau / max(k, tau))),
        "cosine": (d.cosine(t, lr0=0.1, T=N),
                   lambda o: S.CosineAnnealingLR(o, T_max=N)),
        "cosine_min": (d.cosine(t, lr0=0.1, T=N, lr_min=0.001),
                       lambda o: S.CosineAnnealingLR(o, T_max=N,
                                                     eta_min=0.001)),
        "warm-up+cos": (  # (needs N >= 2: a warm-up step, then decay)
            d.warmup_cosine(t, lr0=0.1, warmup=w, T=N, start_factor=0.1)
            if N >= 2 else None,
            lambda o: S.SequentialLR(
                o, [S.LinearLR(o, start_factor=0.1, total_iters=w),
                    S.CosineAnnealingLR(o, T_max=N - w)],
                milestones=[w])),
    }


@pytest.mark.parametrize("N", [1, 1000])
@pytest.mark.parametrize("name", ["step", "step_half", "exponential", "1/t",
                                  "cosine", "cosine_min", "warm-up+cos"])
def test_closed_forms_match_torch_schedulers(name, N):
    if name == "warm-up+cos" and N == 1:
        N = 2  # a warm-up needs at least one step before the decay
    mine, make = cases(N)[name]
    theirs = d.lr_trace(make, lr0=0.1, num_steps=N)
    assert len(theirs) == N + 1
    np.testing.assert_allclose(mine, theirs, rtol=RTOL, atol=ATOL)


def test_the_two_tables_on_the_page_agree():
    # what the two tabs printed (the build's runs, from the execution cache)
    numpy = output("glossary/learning-rate-decay.md", "schedules.py")
    torch_ = output("glossary/learning-rate-decay.md", "schedules_torch.py")
    assert numpy == torch_
    assert numpy.splitlines()[0].split() == ["t", "step", "exponential",
                                             "1/t", "cosine", "warm-up+cos"]
    assert [line.split()[0] for line in numpy.splitlines()[1:]] == [
        "0", "5", "10", "30", "50", "90", "100"]


def test_the_optimizer_really_uses_the_rate():
    # one SGD step on f(w) = |w|^2 / 2 moves w by exactly lr * w
    w = torch.ones(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)
    sched = S.CosineAnnealingLR(opt, T_max=10)
    expected = d.cosine(np.arange(10), lr0=0.1, T=10)
    for lr in expected:
        before = w.detach().clone()
        opt.zero_grad()
        (0.5 * (w ** 2).sum()).backward()
        opt.step()
        sched.step()
        np.testing.assert_allclose(w.detach(), before * (1 - lr),
                                   rtol=1e-12)


def test_schedule_shapes():
    t = np.arange(101)
    assert d.cosine(0, lr0=0.1, T=100) == 0.1
    assert d.cosine(100, lr0=0.1, T=100) == 0.0
    assert d.cosine(50, lr0=0.1, T=100) == pytest.approx(0.05)
    assert (np.diff(d.cosine(t, lr0=0.1, T=100)) < 0).all()
    inv = d.inverse_time(t, lr0=0.1, tau=10)
    assert (inv[:11] == 0.1).all() and inv[100] == pytest.approx(0.01)
    np.testing.assert_allclose(inv[10:] * t[10:], 1.0)  # proportional to 1/t
    step = d.step_decay(t, lr0=0.1, step_size=30, gamma=0.1)
    assert sorted(set(step.round(12))) == [1e-4, 1e-3, 1e-2, 0.1]
    warm = d.warmup_cosine(t, lr0=0.1, warmup=10, T=100)
    assert warm[0] == pytest.approx(0.01) and warm[10] == 0.1
    assert (np.diff(warm[:11]) > 0).all() and warm[100] == 0.0


@pytest.mark.parametrize("fn, kwargs, name", [
    (d.step_decay, {"lr0": 0}, "lr0"),
    (d.step_decay, {"lr0": -0.1}, "lr0"),
    (d.step_decay, {"lr0": math.inf}, "lr0"),
    (d.step_decay, {"step_size": 0}, "step_size"),
    (d.step_decay, {"step_size": 2.5}, "step_size"),
    (d.step_decay, {"gamma": 0}, "gamma"),
    (d.step_decay, {"gamma": 1.5}, "gamma"),
    (d.exponential, {"gamma": -0.5}, "gamma"),
    (d.exponential, {"gamma": math.nan}, "gamma"),
    (d.inverse_time, {"tau": 0}, "tau"),
    (d.cosine, {"T": 0}, "T"),
    (d.cosine, {"lr_min": -0.01}, "lr_min"),
    (d.cosine, {"lr_min": 0.1}, "lr_min"),
    (d.warmup_cosine, {"warmup": 0}, "warmup"),
    (d.warmup_cosine, {"warmup": 100}, "warmup"),
    (d.warmup_cosine, {"start_factor": 0}, "start_factor"),
    (d.warmup_cosine, {"start_factor": 1.5}, "start_factor"),
    (d.warmup_cosine, {"T": 1}, "T"),
])
def test_bad_values_are_refused(fn, kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        fn(np.arange(5), **kwargs)


def test_error_messages_name_the_range():
    with pytest.raises(ValueError, match=r"^gamma must be a number in "
                                         r"\(0, 1\], got 1.5$"):
        d.exponential(0, gamma=1.5)
    with pytest.raises(ValueError, match=r"^warmup must be an integer in "
                                         r"\[1, 99\], got 100$"):
        d.warmup_cosine(0, warmup=100, T=100)
    with pytest.raises(ValueError, match=r"^lr0 must be a finite number "
                                         r"> 0, got 0$"):
        d.step_decay(0, lr0=0)
    with pytest.raises(ValueError, match=r"^step_size must be an integer "
                                         r">= 1, got 2.5$"):
        d.step_decay(0, step_size=2.5)
    with pytest.raises(ValueError, match=r"^lr_min must be a number in "
                                         r"\[0, 0.1\), got 0.1$"):
        d.cosine(0, lr_min=0.1)


def test_hyperparameters_are_keyword_only():
    for fn in (d.step_decay, d.exponential, d.inverse_time, d.cosine,
               d.warmup_cosine, d.lr_trace, d.run):
        params = list(inspect.signature(fn).parameters.values())
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY
                   for p in params[1:])


def test_pytorch_defaults_are_what_the_page_says():
    # A change in torch turns this red: then update the page.
    def default(cls, arg):
        return inspect.signature(cls).parameters[arg].default

    assert default(S.StepLR, "gamma") == 0.1
    assert default(S.CosineAnnealingLR, "eta_min") == 0.0
    assert default(S.ReduceLROnPlateau, "factor") == 0.1
    assert default(S.ReduceLROnPlateau, "patience") == 10
    empty = inspect.Parameter.empty
    assert default(S.ExponentialLR, "gamma") is empty
    assert default(S.StepLR, "step_size") is empty


def experiment_table():
    """name -> the printed row as strings: last lr, last val loss, min and
    max of the last 5 val losses, train loss, val acc. What the page's
    experiment.py printed (the build's run, read from the execution cache:
    nothing is trained again)."""
    text = output("glossary/learning-rate-decay.md", "experiment.py")
    rows = {}
    for line in text.splitlines()[1:]:
        m = re.fullmatch(r"(constant|too fast|cosine)\s+(\S+)\s+(\S+)"
                         r"\s+(\S+)-(\S+)\s+(\S+)\s+(\S+)", line)
        assert m, line
        rows[m[1]] = dict(zip(("lr", "val_loss", "val_min", "val_max",
                               "train_loss", "val_acc"), m.groups()[1:]))
    assert list(rows) == ["constant", "too fast", "cosine"]
    return rows


EXPERIMENT = {  # the page's three schedulers, stepped once per epoch
    "constant": lambda o: S.LambdaLR(o, lambda k: 1.0),
    "too fast": lambda o: S.ExponentialLR(o, gamma=0.5),
    "cosine": lambda o: S.CosineAnnealingLR(o, T_max=15),
}


def test_the_experiment():
    # the rates of the 15 epochs: fit records the rate of each epoch and
    # steps the scheduler after it, as lr_trace does with each step
    lrs = {k: d.lr_trace(make, lr0=1.0, num_steps=14)
           for k, make in EXPERIMENT.items()}
    assert lrs["constant"] == [1.0] * 15
    np.testing.assert_allclose(lrs["too fast"], 0.5 ** np.arange(15))
    np.testing.assert_allclose(lrs["cosine"],
                               d.cosine(np.arange(15), lr0=1.0, T=15),
                               rtol=1e-12, atol=1e-14)
    printed = experiment_table()
    for k, r in printed.items():  # the last rate, as printed
        assert f"{lrs[k][-1]:.5f}" == r["lr"]
    rows = {k: {c: float(x) for c, x in r.items()}
            for k, r in printed.items()}
    spread = {k: r["val_max"] - r["val_min"] for k, r in rows.items()}
    # "never settles" against "a calm end": with seeds 0 to 5, under
    # native and default kernels, the constant rate's spread was 9 to 190
    # times the cosine's (another seed: below)
    assert spread["constant"] > 5 * spread["cosine"]
    assert spread["too fast"] < 0.001  # stalled (to the printed digits)
    # "the training loss still at ...": the stalled run has learned least
    train = {k: r["train_loss"] for k, r in rows.items()}
    assert train["too fast"] > 3 * max(train["constant"], train["cosine"])
    # "in this run", the cosine ends lowest and most accurate
    final = {k: r["val_loss"] for k, r in rows.items()}
    assert min(final, key=final.get) == "cosine"
    assert final["too fast"] > 2 * final["cosine"]
    acc = {k: r["val_acc"] for k, r in rows.items()}
    assert max(acc, key=acc.get) == "cosine"


def histories(seed=0, names=tuple(EXPERIMENT)):
    """The experiment's runs, trained again here (seeded, one thread, as
    the build runs them), for what the table does not print: each
    epoch's validation loss."""
    schedulers = {"constant": None,
                  "too fast": lambda o: S.ExponentialLR(o, gamma=0.5),
                  "cosine": lambda o: S.CosineAnnealingLR(o, T_max=15)}
    return {k: d.run(schedulers[k], seed=seed) for k in names}


@pytest.fixture(scope="module")
def runs():
    found = histories()
    # the same runs as the page's: every printed number comes out again
    for k, row in experiment_table().items():
        h = found[k]
        assert row == {
            "lr": f"{h['lr'][-1]:.5f}", "val_loss": f"{h['val_loss'][-1]:.3f}",
            "val_min": f"{min(h['val_loss'][-5:]):.3f}",
            "val_max": f"{max(h['val_loss'][-5:]):.3f}",
            "train_loss": f"{h['train_loss'][-1]:.4f}",
            "val_acc": f"{h['val_acc'][-1]:.3f}"}
    return found


def test_the_figure_shows_what_its_description_says(runs):
    loss = {k: np.array(h["val_loss"]) for k, h in runs.items()}
    rises = {k: int((np.diff(v) > 0).sum()) for k, v in loss.items()}
    # "The constant rate's loss falls fast but jumps up at several epochs"
    assert loss["constant"][2] < loss["constant"][0] / 3
    assert rises["constant"] >= 4
    # "The rate halved every epoch falls to almost nothing by epoch 10"
    assert runs["too fast"]["lr"][9] < 0.01 * runs["too fast"]["lr"][0]
    # "and its loss flattens at a higher level": flat over the last five
    # epochs, and above where the two others end
    assert np.ptp(loss["too fast"][-5:]) < 0.002
    assert loss["too fast"][-1] > max(loss["constant"][-1],
                                      loss["cosine"][-1])
    # "The cosine's loss falls like the constant one, then settles
    # smoothly to the lowest value": down by as much in three epochs, no
    # rise over the last four, and the lowest at the end
    assert loss["cosine"][2] < loss["cosine"][0] / 3
    assert np.all(np.diff(loss["cosine"][-4:]) <= 0.001)
    assert loss["cosine"][-1] == min(v[-1] for v in loss.values())


def test_another_seed_turns_the_ranking_around():
    # the page: the cosine's lead is one seed's, and another seed can turn
    # it around; the calm end is every seed's ("Try it": seed=2)
    other = histories(seed=2, names=("constant", "cosine"))
    last = {k: h["val_loss"][-1] for k, h in other.items()}
    assert last["constant"] < last["cosine"]
    spread = {k: np.ptp(h["val_loss"][-5:]) for k, h in other.items()}
    assert spread["constant"] > 5 * spread["cosine"]


def test_numbers_in_the_prose_are_what_the_code_computes():
    # the prose shows what experiment.py printed on the page: inserted
    # from the run (glue), since the constant rate's run changes with the
    # CPU's kernels
    text = page_text()
    shown = re.sub(r"\s+", " ", prose(PAGE_NAME))
    const, fast, cos = (experiment_table()[k]
                        for k in ("constant", "too fast", "cosine"))
    assert "{{ const_min }}" in text and "{{ cos_acc }}" in text
    assert (f"between {const['val_min']} and {const['val_max']}, "
            f"so the result") in shown
    assert f"down to a rate of {fast['lr']} by the" in text  # 0.5 ** 14
    assert f"stalls at {fast['val_loss']}" in shown
    assert f"training loss still at {fast['train_loss']}" in shown
    assert f"stay between {cos['val_min']} and {cos['val_max']}" in shown
    assert (f"lowest validation loss, {cos['val_loss']}, and the best "
            f"accuracy, {cos['val_acc']}") in shown
    assert "rate, 1.0, with batches of 16, for 15 epochs" in text
    sig = inspect.signature(d.run).parameters
    assert (sig["lr"].default, sig["batch_size"].default,
            sig["num_epochs"].default, sig["seed"].default) == (1.0, 16, 15, 0)
    assert "$\\eta_0 = 0.1$ and $T = 100$" in text
    assert "pass `seed=2` to the three runs" in text


# --- defaults, boundaries, argument checks (no records, no training) -----

T100 = np.arange(101)  # the page's steps, 0 .. 100

PAGE_SCHEDULERS = {  # the page's table settings, as torch schedulers
    "step": lambda o: S.StepLR(o, step_size=30),  # torch's gamma 0.1
    "exponential": lambda o: S.ExponentialLR(o, gamma=0.96),
    "1/t": lambda o: S.LambdaLR(o, lambda k: 10 / max(k, 10)),
    "cosine": lambda o: S.CosineAnnealingLR(o, T_max=100),
    "warm-up+cos": lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=10),
            S.CosineAnnealingLR(o, T_max=90)], milestones=[10]),
}


@pytest.fixture(scope="module")
def page_traces():
    """lr_trace with its defaults: eta_0 = 0.1 over steps 0 .. 100."""
    return {k: d.lr_trace(make) for k, make in PAGE_SCHEDULERS.items()}


def test_lr_trace_defaults_are_the_pages(page_traces):
    # "Both tabs use eta_0 = 0.1 and T = 100": 101 rates, from 0.1 (the
    # warm-up from 0.1 * 0.1, up to 0.1 at step 10)
    assert {len(trace) for trace in page_traces.values()} == {101}
    assert {k: v[0] for k, v in page_traces.items()
            if k != "warm-up+cos"} == dict.fromkeys(
                ["step", "exponential", "1/t", "cosine"], 0.1)
    warm = page_traces["warm-up+cos"]
    assert warm[0] == pytest.approx(0.01, rel=1e-15) and warm[10] == 0.1


@pytest.mark.parametrize("name, fn", [
    ("step", d.step_decay), ("exponential", d.exponential),
    ("1/t", d.inverse_time), ("cosine", d.cosine),
    ("warm-up+cos", d.warmup_cosine)])
def test_defaults_are_the_pages_table(page_traces, name, fn):
    # called with no hyperparameters, each schedule is the page's setting
    # (eta_0 = 0.1, T = 100; step: 30 and torch's gamma = 0.1; exponential:
    # 0.96; 1/t: tau = 10; warm-up: 10 steps from 0.1 eta_0), checked
    # against the torch scheduler at the module's ATOL, RTOL
    np.testing.assert_allclose(fn(T100), page_traces[name], rtol=RTOL,
                               atol=ATOL)


def test_step_decay_drops_at_multiples_of_step_size(page_traces):
    step, theirs = d.step_decay(T100), page_traces["step"]
    for t in (29, 59, 89):  # the last step at the old rate
        for lrs in (step, theirs):
            assert lrs[t + 1] == pytest.approx(lrs[t] / 10, rel=1e-12)
        assert step[t] == pytest.approx(theirs[t], rel=RTOL, abs=ATOL)
    assert step[0] == step[29] == 0.1 and step[30] == step[59]


def test_cosine_first_and_last_values():
    # eta_0 at t = 0 and lr_min at t = T, exactly (cos 0 = 1, cos pi = -1)
    c = d.cosine(np.arange(21), lr0=0.5, T=20, lr_min=0.01)
    assert c[0] == 0.5 and c[-1] == 0.01
    theirs = d.lr_trace(lambda o: S.CosineAnnealingLR(o, T_max=20,
                                                      eta_min=0.01),
                        lr0=0.5, num_steps=20)
    assert theirs[0] == 0.5
    np.testing.assert_allclose(c, theirs, rtol=RTOL, atol=ATOL)


def test_warmup_passes_lr0_and_lr_min_on_to_the_cosine():
    # away from the page's eta_0 = 0.1 and lr_min = 0
    lr0, lr_min, w, N, f = 0.5, 0.01, 8, 40, 0.25
    mine = d.warmup_cosine(np.arange(N + 1), lr0=lr0, warmup=w, T=N,
                           start_factor=f, lr_min=lr_min)
    theirs = d.lr_trace(lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=f, total_iters=w),
            S.CosineAnnealingLR(o, T_max=N - w, eta_min=lr_min)],
        milestones=[w]), lr0=lr0, num_steps=N)
    np.testing.assert_allclose(mine, theirs, rtol=RTOL, atol=ATOL)
    # the first steps: f eta_0, then up by (1 - f) eta_0 / w per step
    np.testing.assert_allclose(mine[:3], [0.125, 0.171875, 0.21875],
                               rtol=1e-15)
    assert mine[-1] == pytest.approx(lr_min, abs=1e-15)


@pytest.mark.parametrize("f, w", [(0.2, 3), (0.3, 3), (0.1, 10)])
def test_warmup_peaks_at_exactly_lr0(f, w):
    # at t = warmup the cosine takes over at its first value, lr0 itself,
    # as in torch's SequentialLR (the ramp's formula would give lr0 only
    # up to rounding: 0.1 * (0.2 + 0.8 * 3 / 3) = 0.10000000000000003)
    N = w + 5
    mine = d.warmup_cosine(np.arange(N + 1), lr0=0.1, warmup=w, T=N,
                           start_factor=f)
    theirs = d.lr_trace(lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=f, total_iters=w),
            S.CosineAnnealingLR(o, T_max=N - w)], milestones=[w]),
        num_steps=N)
    assert mine[w] == theirs[w] == 0.1
    assert (np.diff(mine[:w + 1]) > 0).all()  # rising up to the peak
    assert (np.diff(mine[w:]) < 0).all()  # falling after it


@pytest.mark.parametrize("name", ["step", "exponential", "1/t", "cosine",
                                  "warm-up+cos"])
def test_float32_steps_give_float64_rates(page_traces, name):
    # steps from torch (float32 by default) are converted to float64: the
    # rates match the scheduler as closely as integer steps do
    fn = {"step": d.step_decay, "exponential": d.exponential,
          "1/t": d.inverse_time, "cosine": d.cosine,
          "warm-up+cos": d.warmup_cosine}[name]
    steps = torch.arange(101, dtype=torch.float32).numpy()
    rates = fn(steps)
    assert rates.dtype == np.float64
    np.testing.assert_allclose(rates, page_traces[name], rtol=RTOL,
                               atol=ATOL)


@pytest.mark.parametrize("fn", [d.step_decay, d.exponential, d.inverse_time,
                                d.cosine, d.warmup_cosine])
@pytest.mark.parametrize("lr0", [0, -0.1, math.nan, math.inf, "0.1", None,
                                 True])
def test_bad_starting_rate_is_refused(fn, lr0):
    with pytest.raises(ValueError, match=r"^lr0 must be a finite number "
                                         r"> 0, got "):
        fn(np.arange(5), lr0=lr0)


def test_run_defaults_are_the_pages():
    # "with SGD at a large starting rate, 1.0, with batches of 16, for 15
    # epochs"; seed 0, the house's seed (another one is a "Try it")
    assert "rate, 1.0, with batches of 16, for 15 epochs" in page_text()
    assert "pass `seed=2` to the three runs" in page_text()
    sig = inspect.signature(d.run).parameters
    assert (sig["lr"].default, sig["batch_size"].default,
            sig["num_epochs"].default, sig["seed"].default) == (1.0, 16, 15, 0)


def test_run_uses_lr_and_steps_the_scheduler_once_per_epoch():
    # two epochs in batches of 512 (three steps each): fast, and enough to
    # see the rate used by each epoch
    h = d.run(lambda o: S.ExponentialLR(o, gamma=0.5), lr=0.8, num_epochs=2,
              batch_size=512)
    assert h["lr"] == [0.8, 0.4]
    assert all(len(v) == 2 for v in h.values())
    assert d.run(None, lr=0.3, num_epochs=2, batch_size=512)["lr"] == [0.3,
                                                                     0.3]


def test_the_explorers_data_is_the_schedules():
    # explorer() as the build calls it (the checks of
    # tests/site/test_explorers.py, on its own output)
    from explorers.glossary.learning_rate_decay import explorer
    from tests.explorers import (
        as_built,
        check_decay_curves,
        check_decay_regimes,
        check_frames,
        check_texts,
    )

    spec = as_built(explorer, "decay-explorer")
    check_frames(spec)
    check_texts("decay-explorer", spec)
    check_decay_curves(spec)
    check_decay_regimes(spec)


def test_run_trains_as_the_page_says(monkeypatch):
    # "SGD at a large starting rate, 1.0, with batches of 16, for 15
    # epochs" on the shared task, seed 0: what run hands the task's fit
    # (a fake here, so only the settings are read; the run itself is the
    # page's record)
    seen = {}

    def fake_mlp(*, seed):
        seen["model seed"] = seed
        return torch.nn.Linear(1, 1)

    def fake_fit(model, data, *, optimizer, **kwargs):
        seen.update(kwargs, lr=optimizer.param_groups[0]["lr"])
        return "history"

    monkeypatch.setattr(d, "digits", lambda: "data")
    monkeypatch.setattr(d, "mlp", fake_mlp)
    monkeypatch.setattr(d, "fit", fake_fit)
    assert d.run(None) == "history"
    assert seen == {"model seed": 0, "seed": 0, "lr": 1.0, "num_epochs": 15,
                    "batch_size": 16, "scheduler": None}
    text = " ".join(PAGE.read_text().split())
    assert ("SGD at a large starting rate, 1.0, with batches of 16, for 15 "
            "epochs") in text

"""Tuning: every search method on the same task, compared fairly.

The comparison itself takes several minutes, so it is not run when the
site is built: write_results() runs it and writes its results into
snippets/tuning/comparison_results.py, which is committed. From the
repository's root:

    .venv/bin/python -c "from snippets.tuning.comparison import \\
        write_results; write_results()"

The page docs/tuning/comparison.md shows the code (the shared sections of
the glossary's task, task.py and methods.py folded) and draws its figures
and table from the results. Importing this module runs nothing; from the
repository's root, ``python -m snippets.tuning.comparison`` runs the
page's examples in order (the figure and table of the committed results,
and the final configuration trained once and measured on the test set).
"""

from snippets.glossary.digits_task import digits, evaluate
from snippets.tuning.task import (
    DEFAULTS,
    MAX_EPOCHS,
    SPACE,
    check_int,
    describe,
    grid_points,
    objective,
    quasi_random_points,
    random_points,
    SearchSpace,
    Trial,
)
from snippets.tuning.methods import (
    hyperband,
    make_objective,
    successive_halving,
)

try:  # absent only while write_results() is making it
    from snippets.tuning.comparison_results import RESULTS
except ImportError:
    RESULTS = None


# --8<-- [start:compare]
import math

import numpy as np
import optuna

BUDGET = 27 * MAX_EPOCHS  # epochs per search: 27 full trials' worth
METHODS = ("grid", "random", "quasi-random", "random, lr only",
           "successive halving", "Hyperband", "TPE", "TPE + pruning")
TRIAL_MARKS = (1, 2, 3, 5, 8, 13, 20, 27, 40, 60, 90)
EPOCH_MARKS = (9, 18, 27, 45, 72, 117, 180, 243)


def check_choice(name, value, choices):
    """Raise a ValueError naming `name` unless `value` is one of
    `choices`."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")


def full_trials(space, points, *, data):
    """Each point's configuration trained for MAX_EPOCHS: (log, configs)."""
    configs = [space.config(u) for u in points]
    return [(i, MAX_EPOCHS, objective(c, data=data))
            for i, c in enumerate(configs)], configs


def optuna_search(*, seed, data, pruner=None, budget=BUDGET):
    """TPE, with or without a pruner, until `budget` epochs are spent."""
    def spent(study):
        return sum(len(t.intermediate_values) for t in study.trials)

    study = optuna.create_study(
        direction="maximize", pruner=pruner or optuna.pruners.NopPruner(),
        sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(
        make_objective(SPACE, data=data), n_trials=budget,
        callbacks=[lambda s, t: s.stop() if spent(s) >= budget else None])
    log = [(t.number, len(t.intermediate_values),
            t.intermediate_values[len(t.intermediate_values)])
           for t in study.trials]
    return log, [t.params for t in study.trials]


def run_method(method, *, seed, data, budget=BUDGET):
    """One search: the log (trial, epochs, accuracy) of its evaluations in
    order, and its configurations. It may run past `budget`; curve() cuts
    it there (nothing a search does depends on what comes later)."""
    check_choice("method", method, METHODS)
    check_int("budget", budget, low=MAX_EPOCHS)  # one full trial at least
    n = budget // MAX_EPOCHS  # full trials within the budget
    if method == "grid":  # 3 values per axis, 243 points, shuffled
        points = grid_points(5, points_per_axis=3)
        order = np.random.default_rng(seed).permutation(len(points))
        return full_trials(SPACE, points[order[:n]], data=data)
    if method == "random":
        return full_trials(SPACE, random_points(5, n_trials=n, seed=seed),
                           data=data)
    if method == "quasi-random":
        points = quasi_random_points(5, n_trials=n, seed=seed)
        return full_trials(SPACE, points, data=data)
    if method == "random, lr only":  # the rest at their defaults
        lr_only = SearchSpace(lr=SPACE.params["lr"])
        return full_trials(lr_only, random_points(1, n_trials=n, seed=seed),
                           data=data)
    if method == "successive halving":  # runs of 9 -> 3 -> 1, 21 epochs
        runs = math.ceil(budget / 21)
        configs = [SPACE.config(u) for u in
                   random_points(5, n_trials=9 * runs, seed=seed)]
        log = []
        for k in range(runs):
            run_log, _ = successive_halving(configs[9 * k:9 * k + 9],
                                            data=data)
            log += [(9 * k + i, epochs, acc) for i, epochs, acc in run_log]
        return log, configs
    if method == "Hyperband":  # 69 epochs per pass over its 3 brackets
        return hyperband(SPACE, data=data, seed=seed,
                         iterations=math.ceil(budget / 69))
    if method == "TPE":
        return optuna_search(seed=seed, data=data, budget=budget)
    # the last of METHODS: "TPE + pruning"
    pruner = optuna.pruners.MedianPruner(n_startup_trials=5)
    return optuna_search(seed=seed, data=data, pruner=pruner, budget=budget)


def curve(log, *, budget=BUDGET):
    """After each evaluation within the budget: (trials started so far,
    epochs spent so far, best accuracy so far). A resumed trial costs
    only its new epochs."""
    trained, spent, best, points = {}, 0, 0.0, []
    for i, epochs, accuracy in log:
        spent += epochs - trained.get(i, 0)
        trained[i] = epochs
        if spent > budget:
            break
        best = max(best, accuracy)
        points.append((len(trained), spent, best))
    return points


def best_at(points, marks, axis):
    """The best accuracy found within each mark of `axis` (0: trials
    started, 1: epochs spent); None before the first evaluation, and past
    the last trial a search started (every search runs to the budget)."""
    out = []
    for mark in marks:
        seen = [p[2] for p in points if p[axis] <= mark]
        reached = axis == 1 or any(p[0] >= mark for p in points)
        out.append(max(seen) if seen and reached else None)
    return out
# --8<-- [end:compare]


# --8<-- [start:write]
import json
from pathlib import Path


def correct(accuracy, n_val=359):
    """An accuracy on the 359 validation digits as the count it is."""
    return None if accuracy is None else round(accuracy * n_val)


def run_comparison(*, seeds=range(10), budget=BUDGET):
    """Every method with every seed: the best accuracy (as a count of
    correct validation digits) at each mark, and the best configuration
    seen by any search (ties: fewer epochs, then the first found)."""
    data = digits()
    by_trials, by_epochs = {}, {}
    champion = (-1, 0, None)  # (correct, -epochs, config)
    for method in METHODS:
        by_trials[method], by_epochs[method] = [], []
        for seed in seeds:
            log, configs = run_method(method, seed=seed, data=data,
                                      budget=budget)
            points = curve(log, budget=budget)
            by_trials[method].append(
                [correct(a) for a in best_at(points, TRIAL_MARKS, axis=0)])
            by_epochs[method].append(
                [correct(a) for a in best_at(points, EPOCH_MARKS, axis=1)])
            for (i, epochs, accuracy), _ in zip(log, points):
                candidate = (correct(accuracy), -epochs,
                             {**DEFAULTS, **configs[i]})  # lr only: defaults
                if candidate[:2] > champion[:2]:
                    champion = candidate
    return {"budget": budget, "validation_digits": len(data[1][1]),
            "seeds": len(by_trials["grid"]),
            "trial_marks": list(TRIAL_MARKS),
            "epoch_marks": list(EPOCH_MARKS),
            "best": {"correct": champion[0], "epochs": -champion[1],
                     "config": champion[2]},
            "by_trials": by_trials, "by_epochs": by_epochs}


def as_python(results):
    """The results as Python source: one line per method and seed."""
    lines = ["RESULTS = {"]
    for key, value in results.items():
        if key in ("by_trials", "by_epochs"):
            marks = "trial_marks" if key == "by_trials" else "epoch_marks"
            lines.append(f'    "{key}": {{  # rows: seeds; columns: {marks}')
            for method, rows in value.items():
                lines.append(f"        {json.dumps(method)}: [")
                lines += [f"            {row}," for row in rows]
                lines.append("        ],")
            lines.append("    },")
        elif key == "best":
            config = ", ".join(f"{json.dumps(k)}: {v!r}"
                               for k, v in value["config"].items())
            lines.append(f'    "best": {{"correct": {value["correct"]}, '
                         f'"epochs": {value["epochs"]}, "config": {{')
            lines += [f"        {item}," for item in config.split(", ")]
            lines.append("    }},")
        else:
            lines.append(f"    {json.dumps(key)}: {value!r},")
    lines.append("}")
    return "\n".join(lines)


def write_results(path="comparison_results.py", **kwargs):
    """Run the comparison (minutes) and write it as a Python module, its
    RESULTS in a section that the page includes."""
    cut = "# --8<--"  # the section markers
    Path(path).write_text(
        '"""The tuning comparison\'s results, written by write_results() in\n'
        'snippets/tuning/comparison.py; do not edit by hand."""\n\n'
        f"{cut} [start:results]\n"
        "# The best validation accuracy found so far, as a count of correct\n"
        "# digits out of 359, for each method and seed at each mark.\n"
        f"{as_python(run_comparison(**kwargs))}\n"
        f"{cut} [end:results]\n")
# --8<-- [end:write]


# --8<-- [start:figure]
from statistics import quantiles

import matplotlib.pyplot as plt

STYLES = {"grid": ("C7", ":"), "random": ("C0", "-"),
          "quasi-random": ("C2", "-"), "random, lr only": ("C0", "--"),
          "successive halving": ("C1", "-"), "Hyperband": ("C3", "-"),
          "TPE": ("C4", "-"), "TPE + pruning": ("C4", "--")}


def quartiles(rows, n_val=RESULTS["validation_digits"]):
    """Per mark: (25th percentile, median, 75th percentile) over seeds, as
    accuracies (linear interpolation, as numpy.percentile); None where
    some seed has no value."""
    out = []
    for column in zip(*rows):
        if None in column:
            out.append(None)
        else:
            accuracies = [c / n_val for c in column]
            out.append(tuple(quantiles(accuracies, n=4,
                                       method="inclusive")))
    return out


# Top: searches that train every trial in full; bottom: those that stop
# trials early or learn from them, with random search for reference.
GROUPS = (("grid", "random", "quasi-random", "random, lr only"),
          ("random", "successive halving", "Hyperband", "TPE",
           "TPE + pruning"))
TITLES = ("every trial trained in full", "early stopping, and TPE")
# --8<-- [end:figure]


# --8<-- [start:table]
def cell(q):
    """median [25th percentile - 75th percentile], or - if missing."""
    return "-" if q is None else f"{q[1]:.3f} [{q[0]:.3f}-{q[2]:.3f}]"
# --8<-- [end:table]


# --8<-- [start:widen]
import numpy as np


def widen(config, name, values, *, data, seeds=range(8)):
    """The best configuration again, with one hyperparameter moved over
    `values` (a range wider than the search's) and the others kept: the
    mean and the spread of the validation accuracy over `seeds` full
    trials for each value. Returns {value: (mean, std)}."""
    if name not in config:
        raise ValueError(f"name must be one of {sorted(config)}, "
                         f"got {name!r}")
    if len(seeds) < 2:  # a spread needs two
        raise ValueError(f"seeds must hold at least 2 seeds, got "
                         f"{list(seeds)}")
    found = {}
    for value in values:
        accs = [Trial({**config, name: value}, data=data, seed=seed)
                .train_to(MAX_EPOCHS) for seed in seeds]
        found[value] = (float(np.mean(accs)), float(np.std(accs)))
    return found
# --8<-- [end:widen]


if __name__ == "__main__":
    # --8<-- [start:figure_run]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5), sharey=True)
    for row, methods, title in zip(axes, GROUPS, TITLES):
        for ax, key, marks, label in (
                (row[0], "by_trials", RESULTS["trial_marks"],
                 "trials started"),
                (row[1], "by_epochs", RESULTS["epoch_marks"],
                 "epochs trained")):
            for method in methods:
                q = quartiles(RESULTS[key][method])
                x = [m for m, v in zip(marks, q) if v]
                low, median, high = zip(*(v for v in q if v))
                color, style = STYLES[method]
                ax.plot(x, median, color=color, ls=style, marker=".",
                        label=method)
                ax.fill_between(x, low, high, color=color, alpha=0.15)
            ax.set(xscale="log", xlabel=f"{label} (log scale)",
                   ylim=(0.75, 0.99), title=f"{title}: by {label}")
            ax.grid(True)
        row[0].set_ylabel("best validation accuracy so far")
        row[1].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    plt.show()
    # --8<-- [end:figure_run]

    # --8<-- [start:table_run]
    for key, unit, shown in (("by_epochs", "epochs", (27, 72, 243)),
                             ("by_trials", "trials", (1, 5, 27))):
        marks = RESULTS[f"{unit[:-1]}_marks"]  # epoch_marks or trial_marks
        print("after".ljust(19) + "".join(
            f"{m} {unit if m > 1 else unit[:-1]}".ljust(22)  # 1 trial
            for m in shown).rstrip())
        for method, rows in RESULTS[key].items():
            q = quartiles(rows)
            print(method.ljust(19) + "".join(cell(q[marks.index(m)]).ljust(22)
                                             for m in shown).rstrip())
        print()
    # --8<-- [end:table_run]

    # --8<-- [start:final]
    best = RESULTS["best"]
    data = digits()
    trial = Trial(best["config"], data=data)
    accuracy = trial.train_to(best["epochs"])
    _, test_accuracy = evaluate(trial.model, *data[2])
    print(f"chosen: {describe(best['config'])}")
    print(f"trained for {best['epochs']} epochs: validation accuracy "
          f"{accuracy:.3f} ({best['correct']} of 359 digits)")
    print(f"test accuracy, measured once: {test_accuracy:.3f}")
    # --8<-- [end:final]

    # --8<-- [start:widen_run]
    best = RESULTS["best"]["config"]
    low, high = SPACE.params["dropout"].low, SPACE.params["dropout"].high
    print(f"the winner's dropout: {best['dropout']:.3f}, searched in "
          f"[{low}, {high}]")
    widened = widen(best, "dropout", [0.0, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9],
                    data=digits())
    print("dropout  validation accuracy, mean ± std over 8 seeds")
    for value, (mean, std) in widened.items():
        print(f"{value:7.2f}  {mean:.3f} ± {std:.3f}")
    # --8<-- [end:widen_run]

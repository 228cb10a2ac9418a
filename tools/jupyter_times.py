"""How long a reader waits for each notebook the site offers, in Jupyter
(make jupyter-times, and make bench): every notebook of a built site, run
alone, top to bottom, in a real kernel (tools/downloads.run_notebook: an
empty folder, a reader's default environment), twice:

- as offered: its first code cell puts torch on one thread (the build's
  setting, tools/notebooks.ONE_THREAD);
- without that cell: Jupyter's default, torch on a thread per core.

Each run is measured afresh (an empty execution cache of its own), one
at a time, so that no run shares the cores. The section it writes in
docs/contributing/performance.md gives both times and their ratio, and
names any notebook over LONG seconds (its first cell must then say how
long it takes). A page whose issue set it a compute budget (BUDGETS) is
run three more times as offered, on one thread, so on one core: the
median seconds its code cells ran are held to the budget.

    .venv/bin/python -m tools.jupyter_times [SITE] [--only NOTEBOOK ...]

``--only`` runs the notebooks named (as the table names them) and keeps
the other rows of the page's last table.
"""

import argparse
import json
import re
import statistics
import sys
import tempfile
from pathlib import Path

from tools import ROOT, downloads, lighthouse, notebooks
from tools.cache import Cache

START, END = "<!-- jupyter:start -->", "<!-- jupyter:end -->"
LONG = 120  # seconds: a notebook that takes longer says so first
# seconds on one core, as offered: the budgets the issues set
BUDGETS = {"history/2022-mutransfer/2022-mutransfer.ipynb": 30}
ROW = re.compile(r"^\| `([^`]+)` \| ([\d.]+) s \| (?:([\d.]+) s|\(no "
                 r"torch\)) \|")


def offered(site: Path) -> list[Path]:
    """Every .ipynb the built site offers, in site order."""
    return sorted(site.rglob("*.ipynb"))


def without_one_thread(text: str) -> str | None:
    """The notebook without its one-thread cell; None if it has none."""
    nb = json.loads(text)
    cells = [c for c in nb["cells"] if c.get("id") != notebooks.SETUP_ID]
    if len(cells) == len(nb["cells"]):
        return None
    return json.dumps({**nb, "cells": cells})


def run(text: str, name: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="hpe-times-") as folder:
        ran = downloads.run_notebook(text, name, cache=Cache(Path(folder)))
    if not ran["ok"]:
        raise RuntimeError(f"{name}: a cell raised:\n{ran['error']}")
    return ran


def seconds(text: str, name: str) -> float:
    return run(text, name)["seconds"]


def budget_runs(site: Path) -> dict[str, tuple[float, float]]:
    """Each budgeted notebook as offered, three times: the medians of its
    code cells' seconds (its compute) and of the wait."""
    out = {}
    for rel in BUDGETS:
        path = site / rel
        runs = [run(path.read_text(), path.name) for _ in range(3)]
        out[rel] = (statistics.median(r["compute"] for r in runs),
                    statistics.median(r["seconds"] for r in runs))
        print(f"{rel}: compute {out[rel][0]} s, wait {out[rel][1]} s",
              file=sys.stderr, flush=True)
    return out


def measure(site: Path, only: list[str] | None = None
            ) -> dict[str, tuple[float, float | None]]:
    """Each notebook's seconds as offered, and without its one-thread
    cell (None: it has none, it does not use torch); with `only`, just
    the notebooks it names."""
    out = {}
    paths = offered(site)
    rels = [p.relative_to(site).as_posix() for p in paths]
    unknown = sorted(set(only or ()) - set(rels))
    if unknown:
        raise SystemExit(f"not offered by {site}: {unknown}")
    for path, rel in zip(paths, rels):
        if only is not None and rel not in only:
            continue
        text = path.read_text()
        one = seconds(text, path.name)
        other = without_one_thread(text)
        many = seconds(other, path.name) if other else None
        out[rel] = (one, many)
        print(f"{rel}: {one} s, default threads {many} s", file=sys.stderr,
              flush=True)
    return out


def table(section_text: str) -> dict[str, tuple[float, float | None]]:
    """The rows of a section this module wrote: notebook -> seconds."""
    out = {}
    for line in section_text.splitlines():
        if m := ROW.match(line):
            out[m[1]] = (float(m[2]), float(m[3]) if m[3] else None)
    return out


def budgets(measured: dict[str, tuple[float, float]]) -> str:
    """The line on the budgets the issues set: the compute of a page's
    code cells, on one thread (as offered), the median of three runs."""
    said = []
    for rel, most in BUDGETS.items():
        if rel not in measured:
            said.append(f"`{rel}` not measured (at most {most} s)")
            continue
        compute, wait = measured[rel]
        said.append(f"`{rel}` {compute:.1f} s in its code cells ({wait:.1f}"
                    f" s with the kernel's start; medians of 3 runs), at "
                    f"most {most} s on one core: "
                    f"{'met' if compute <= most else '**over**'}")
    return "- Compute budgets: " + "; ".join(said) + "."


def verdict(ratios: list[float]) -> str:
    """What the ratios (default threads over one thread) say, in words."""
    r = statistics.median(ratios)
    spread = (f"{r:.2f}× as long as on one thread (median over the "
              f"{len(ratios)} that use torch; {min(ratios):.2f}× to "
              f"{max(ratios):.2f}×)")
    if r > 1.05:
        return (f"One thread is faster: on the default threads they take "
                f"{spread}. These models are too small to share out across "
                f"two cores.")
    if r < 0.95:
        return f"The default threads are faster: they take {spread}."
    return (f"Alone, the default threads are no faster: they take {spread}."
            f" One thread gives the page's digits (other threads add up in "
            f"another order), and leaves a core free when two run at once.")


def section(found: dict[str, tuple[float, float | None]],
            measured: dict[str, tuple[float, float]]) -> str:
    """The section of the performance page."""
    ratios = [many / one for one, many in found.values() if many]
    long = [rel for rel, (one, _) in found.items() if one > LONG]

    def row(rel, one, many):
        if many is None:
            return f"| `{rel}` | {one:.1f} s | (no torch) | |"
        return f"| `{rel}` | {one:.1f} s | {many:.1f} s | {many / one:.2f} |"

    return "\n".join([
        START,
        "## Notebooks in Jupyter",
        "",
        f"Every notebook the site offers ({len(found)}), downloaded into "
        "an empty folder and run top to bottom in Jupyter's default "
        "kernel, in a reader's default environment, alone on the 2 cores, "
        "once each: one run of a notebook varies by a few seconds. `make "
        "jupyter-times` runs this part alone; the tests run the same "
        "notebooks and check what they print "
        "(tests/site/test_page_jupyter.py). Each is run as offered, its "
        "first cell putting torch on one thread, and again without that "
        "cell, on Jupyter's default of a thread per core.",
        "",
        f"- All {len(found)} in {sum(o for o, _ in found.values()):.0f} s "
        f"as offered; the longest, `{max(found, key=lambda r: found[r][0])}`"
        f", {max(o for o, _ in found.values()):.1f} s.",
        f"- Over {LONG} s: "
        + (", ".join(f"`{r}`" for r in long) if long else
           "none, so no notebook needs to warn of its wait") + ".",
        budgets(measured),
        f"- {verdict(ratios)}",
        "",
        "| notebook | one thread (as offered) | default threads | ratio |",
        "|---|---|---|---|",
        *[row(rel, *t) for rel, t in found.items()],
        END,
    ])


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.jupyter_times")
    parser.add_argument("site", nargs="?", default=ROOT / "site", type=Path)
    parser.add_argument("--only", nargs="+", metavar="NOTEBOOK")
    args = parser.parse_args(argv)
    page = ROOT / "docs/contributing/performance.md"
    found = measure(args.site, args.only)
    if args.only:  # the other rows as the page last had them
        last = table(lighthouse.kept(page.read_text(), START, END) or "")
        found = {rel: found.get(rel, last.get(rel))
                 for rel in sorted(set(last) | set(found))}
    new = section(found, budget_runs(args.site))
    lighthouse.write(page, new, START, END)
    print(new)
    long = [rel for rel, (one, _) in found.items() if one > LONG]
    if long:
        raise SystemExit(f"over {LONG} s in Jupyter: {long}: make them "
                         "faster, or say how long they take in their "
                         "first cell")


if __name__ == "__main__":
    main(sys.argv[1:])

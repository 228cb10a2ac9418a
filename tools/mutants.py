"""Mutation scores: how many of mutmut's mutants the tests kill, per module.

``make mutants`` runs mutmut over the modules named in pyproject.toml's
``[tool.mutmut]`` (in a copy, mutants/), then this module reads its
results, writes the scores into docs/contributing/testing.md (between
the ``mutants`` markers) and exits non-zero when a module misses its
target. A mutant is *killed* when a test fails on it (or it runs past
mutmut's timeout); *survived* when every test that runs its function
passes; *no tests* when no selected test runs its function at all. The
score is killed / (all mutants but the equivalent ones). An equivalent
mutant (one that cannot change what the code does) is listed in
EQUIVALENT with the reason; a mutant that survives for another reason
wants a test.
"""

import collections
import re
import subprocess
import sys
from pathlib import Path

from tools import ROOT

PAGE = ROOT / "docs/contributing/testing.md"
START, END = "<!-- mutants:start -->", "<!-- mutants:end -->"
TARGETS = {  # module -> the share of mutants the tests must kill
    "snippets/history/backprop_1986.py": 0.90,
    "snippets/glossary/momentum.py": 0.90,
    "snippets/glossary/learning_rate_decay.py": 0.90,
    "snippets/tuning/methods.py": 0.90,
    "tools/cache.py": 0.85,
    "tools/examples.py": 0.85,  # its content keys (the rest: no mutate)
}
_DTYPE = ("every value is added to a float64 number before use, so any "
          "real start gives the same float64 values")
EQUIVALENT: dict[str, str] = {  # mutmut's name -> why it changes nothing
    "snippets.history.backprop_1986.x_sigmoid__mutmut_11":
        "z > 0 for z >= 0: at z = 0 both branches give exactly 0.5",
    "snippets.history.backprop_1986.x_numeric_gradients__mutmut_16": _DTYPE,
    "snippets.history.backprop_1986.x_numeric_gradients__mutmut_18": _DTYPE,
    "snippets.glossary.learning_rate_decay.x_lr_trace__mutmut_8":
        "the size of the dummy parameter cannot change the rate a "
        "scheduler sets",
    "snippets.glossary.learning_rate_decay.x_lr_trace__mutmut_25":
        "the dummy loss only makes optimizer.step() legal; no scheduler "
        "lr_trace drives reads gradients or weights",
    "snippets.glossary.learning_rate_decay.x_lr_trace__mutmut_26":
        "the dummy loss only makes optimizer.step() legal; no scheduler "
        "lr_trace drives reads gradients or weights",
    "snippets.glossary.momentum.x_descend__mutmut_52": _DTYPE,
    "snippets.glossary.momentum.x_descend__mutmut_54": _DTYPE,
    "snippets.glossary.momentum.x_descend__mutmut_59":
        "momentum >= 0 for > 0: at momentum 0, 0 * b + g is g (and "
        "Nesterov at 0 is refused)",
    "snippets.glossary.momentum.x_steps_to__mutmut_15":
        "the loss only squares and adds with positive weights: it never "
        "makes an invalid value, so the invalid= setting is never used",
    "snippets.glossary.momentum.x_steps_to__mutmut_17":
        "the loss only squares and adds with positive weights: it never "
        "makes an invalid value, so the invalid= setting is never used",
    "snippets.glossary.momentum.x_steps_to_torch__mutmut_10":
        "a start at +4 for -4: the valley is symmetric and rounding is "
        "sign-symmetric, so the loss and the count are bit-identical",
}
_NAME = ("the temporary file's name: any name mkstemp makes in the record's "
         "folder is unique and is not a record's ({key}.json)")
_FIELD = ("the name of a field of the key's payload: the key is still a "
          "digest of the same parts (old records would just not be found)")
EQUIVALENT |= {
    **{f"tools.cache.xǁCacheǁput__mutmut_{n}": _NAME
       for n in (11, 12, 14, 15, 16, 17)},
    **{f"tools.examples.x_key__mutmut_{n}": _FIELD for n in range(23, 33)},
    "tools.examples.x_project_imports__mutmut_17":
        "a prefix of 0 parts is the empty name, never a project module",
    "tools.examples.x_project_imports__mutmut_21":
        "a prefix of len + 1 parts is the whole name again, already seen",
    "tools.examples.x_imports_torch__mutmut_8":
        "an absolute from-import always names its module: the fallback "
        "for none is never used",
}
LINE = re.compile(r"^\s*(?P<module>[\w.]+)\.(?P<function>x\w+?)__mutmut_"
                  r"(?P<n>\d+): (?P<status>.+?)\s*$")


def results(text: str) -> dict[str, list[tuple[str, str]]]:
    """module path -> [(mutant name, status)], from ``mutmut results
    --all true``."""
    out = collections.defaultdict(list)
    for line in text.splitlines():
        m = LINE.match(line)
        if m:
            path = m["module"].replace(".", "/") + ".py"
            name = f"{m['module']}.{m['function']}__mutmut_{m['n']}"
            out[path].append((name, m["status"]))
    return dict(out)


def scores(found: dict[str, list[tuple[str, str]]]) -> list[dict]:
    rows = []
    for path, target in TARGETS.items():
        mutants = [(n, s) for n, s in found.get(path, [])
                   if n not in EQUIVALENT]
        count = collections.Counter(s for _, s in mutants)
        killed = count["killed"] + count["timeout"]
        total = len(mutants)
        rows.append({"module": path, "target": target, "total": total,
                     "killed": killed, "survived": count["survived"],
                     "no tests": count["no tests"],
                     "equivalent": sum(n in EQUIVALENT
                                       for n, _ in found.get(path, [])),
                     "score": killed / total if total else 0.0})
    return rows


def by_function(found: dict[str, list[tuple[str, str]]], path: str
                ) -> dict[str, collections.Counter]:
    """function -> statuses of its mutants that were not killed."""
    out: dict[str, collections.Counter] = collections.defaultdict(
        collections.Counter)
    for name, status in found.get(path, []):
        if status not in ("killed", "timeout") and name not in EQUIVALENT:
            function = name.rsplit(".", 1)[1].split("__mutmut_")[0]
            out[function.removeprefix("x_").replace("xǁ", "").replace(
                "ǁ", ".")][status] += 1
    return out


def report(rows: list[dict], found, seconds: float | None) -> str:
    # Seven short columns: the table fits the page's column on a laptop,
    # so it never becomes a scrolling region (axe's
    # scrollable-region-focusable, tests/browser/test_pages.py).
    lines = [START, "",
             "| module | mutants | equivalent | killed | lived | score "
             "| target |", "|---|--:|--:|--:|--:|--:|---|"]
    for r in rows:
        met = "met" if r["score"] >= r["target"] else "**not met**"
        lines.append(
            f"| `{Path(r['module']).name}` | "
            f"{r['total'] + r['equivalent']} | {r['equivalent']} | "
            f"{r['killed']} | {r['survived'] + r['no tests']} | "
            f"{r['score']:.1%} | ≥ {r['target']:.0%}: {met} |")
    lines += ["", "The score is killed / (mutants − equivalent). A mutant "
                  "that lived survived its tests or was run by none."]
    if seconds is not None:
        lines += ["", f"The run took {seconds / 60:.0f} minutes "
                      f"(mutmut 3.8.1, every core)."]
    lived = []
    for r in rows:
        funcs = by_function(found, r["module"])
        if not funcs:
            continue
        parts = ", ".join(
            f"`{f}` {sum(c.values())}" for f, c in sorted(
                funcs.items(), key=lambda kv: -sum(kv[1].values())))
        lived.append(f"- `{r['module']}`: {parts}")
    if lived:
        lines += ["", "Where the mutants that live are, by function "
                      "(survived, or run by no selected test):", "", *lived]
    else:
        lines += ["", "No mutant lived: the tests killed every one that is "
                      "not equivalent."]
    lines += ["", "The equivalent mutants, which cannot change what the "
                  "code does (`EQUIVALENT` in `tools/mutants.py`):", ""]
    seen = {n for ms in found.values() for n, _ in ms}
    for name, why in EQUIVALENT.items():
        if name in seen:
            lines.append(f"- `{name}`: {why}")
    lines += ["", END]
    return "\n".join(lines)


def write(text: str) -> None:
    page = PAGE.read_text()
    start, end = page.index(START), page.index(END) + len(END)
    PAGE.write_text(page[:start] + text + page[end:])


def main(argv: list[str]) -> int:
    seconds = float(argv[1]) if len(argv) > 1 else None
    text = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout
    found = results(text)
    rows = scores(found)
    write(report(rows, found, seconds))
    missed = [r for r in rows if r["score"] < r["target"]]
    for r in rows:
        print(f"{r['module']}: {r['killed']}/{r['total']} killed "
              f"({r['score']:.0%}; target {r['target']:.0%})")
    if missed:
        print(f"{len(missed)} modules below their target: the table in "
              f"{PAGE.relative_to(ROOT)} says where the survivors are")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Benchmark: build, test and edit-loop times, executions, page weight.

    make bench          # or: .venv/bin/python tools/bench.py [--runs 3]

Medians of `--runs` runs on this machine of:

- a clean strict build with a cold execution cache (an empty folder, as on
  CI's clean clone), and the same build again with nothing changed;
- the test command (`python -m pytest`, after installation), cold, then
  again with nothing changed; the cold run's execution log says how many
  times each example ran;
- ``mkdocs serve`` on a scratch copy of the repository (never the working
  tree) with a warm cache: how long until the first page answers, and how
  long until a prose edit and a snippet edit show in the served page, with
  the number of rebuilds each one caused;
- page weight: the bytes a browser fetches for each page from a cold
  browser cache, measured in Chromium, beside a bare mkdocs-material page.

It also checks that two cold builds produce identical pages. Everything
runs on a clone of the last commit; the report goes to
docs/contributing/performance.md.
"""

import argparse
import collections
import dataclasses
import functools
import gzip
import http.server
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools import jupyter_times, lighthouse  # noqa: E402
from tools.blocks import site_pages  # noqa: E402
from tools.browser import ARGS, executable  # noqa: E402
from tools.copies import ignore  # noqa: E402
from tools.explorer import BUDGET, UPDATE_MS  # noqa: E402

OUT = ROOT / "docs/contributing/performance.md"
TARGETS = {  # seconds (issue 10); the report's rows read them from here
    "first page": 15, "prose edit": 5, "snippet edit": 5, "cold build": 60,
    "warm build": 10, "cold tests": 240, "warm tests": 90, "fault": 60,
}
TARGET_MEDIAN, TARGET_MAX = 1.5, 3.0


def env_with(cache: Path | None = None) -> dict[str, str]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("HPE_CACHE_DIR", None)
    if cache is not None:
        env["HPE_CACHE_DIR"] = str(cache)
    return env


def timed(cmd: list[str], cwd: Path, env: dict) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True,
                          text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}"
                         f"{proc.stderr[-3000:]}")
    return took, proc.stdout + proc.stderr


def reused(out: str) -> tuple[int, int]:
    """(tests reused, tests run), from the summary line of tests/reuse.py
    (none: nothing was reused)."""
    found = re.search(r"^(\d+) tests? (?:was|were) not run, reused: .*; "
                      r"(\d+) ran\.", out, re.MULTILINE)
    return (int(found[1]), int(found[2])) if found else (0, 0)


def build(site: Path, cache: Path | None, cwd: Path = ROOT) -> float:
    return timed([sys.executable, "-m", "mkdocs", "build", "--strict",
                  "--clean", "--site-dir", str(site)], cwd,
                 env_with(cache))[0]


def executions(cache: Path) -> collections.Counter:
    """How many times each example ran, from the cache's execution log
    (not the runs of the pages' downloaded scripts, tools/downloads.py:
    a reader's run of the whole page, counted apart)."""
    log = cache / "executions.log"
    lines = log.read_text().splitlines() if log.exists() else []
    entries = [json.loads(line) for line in lines]
    return collections.Counter(e["what"] for e in entries
                               if e.get("kind") not in ("script", "jupyter"))


def same_pages(sites: list[Path]) -> list[str]:
    """Pages whose HTML differs between builds."""
    first, differ = sites[0], []
    for page in site_pages(first):
        rel = page.relative_to(first)
        for other in sites[1:]:
            if (other / rel).read_bytes() != page.read_bytes():
                differ.append(str(rel))
                break
    return differ


# --- the edit loop ----------------------------------------------------------


def scratch_copy(tmp: Path, repo: Path, cache: Path) -> Path:
    """The repository without its history and venv, with a warm cache."""
    copy = tmp / "scratch"
    shutil.copytree(repo, copy, ignore=ignore(repo))
    shutil.copytree(cache, copy / ".cache" / "exec")
    return copy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode()
    except OSError:
        return None


def wait_for(url: str, text: str | None, timeout: float = 900) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        page = fetch(url)
        if page is not None and (text is None or text in page):
            return time.perf_counter() - start
        time.sleep(0.1)
    raise SystemExit(f"{url} never showed {text!r}")


@dataclasses.dataclass
class Serve:
    first_page: float
    prose: list[float]
    prose_rebuilds: list[int]
    snippet: list[float]
    snippet_rebuilds: list[int]
    snippet_compute: list[float]  # seconds the page's examples ran


def serve_loop(tmp: Path, repo: Path, cache: Path, runs: int) -> Serve:
    copy = scratch_copy(tmp, repo, cache)
    port = free_port()
    # the server's log, read while it serves; closed at the end
    log = open(tmp / "serve.log", "w+")  # noqa: SIM115
    # as `make serve` runs it
    env = dict(env_with(), PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--livereload", "-a",
         f"127.0.0.1:{port}"], cwd=copy, env=env, stdout=log,
        stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/hyperparameters-explained/"
    page = base + "glossary/momentum/"
    try:
        first = wait_for(base, None)
        wait_for(page, None)
        time.sleep(3)  # let a rebuild the start may have caused finish
        prose, prose_rebuilds, snip, snip_rebuilds, compute = (
            [], [], [], [], [])
        md = copy / "docs/glossary/momentum.md"
        module = copy / "snippets/glossary/momentum.py"
        sentence = "Momentum remembers."
        for n in range(runs):
            word = f"Zebrafinch{n}"
            before = builds(log)
            new_sentence = f"Momentum remembers ({word})."
            md.write_text(md.read_text().replace(sentence, new_sentence, 1))
            sentence = new_sentence
            prose.append(wait_for(page, word))
            time.sleep(2)  # a second rebuild would start within this
            prose_rebuilds.append(builds(log) - before)
            marker = f"steps until f &lt; 1e-8 ({n})"
            before = builds(log)
            text = module.read_text()
            old = ('steps until f < 1e-8")' if n == 0
                   else f'steps until f < 1e-8 ({n - 1})")')
            assert old in text, old
            module.write_text(text.replace(
                old, f'steps until f < 1e-8 ({n})")', 1))
            snip.append(wait_for(page, marker))
            time.sleep(2)
            snip_rebuilds.append(builds(log) - before)
            compute.append(examples_seconds(log))
        return Serve(first, prose, prose_rebuilds, snip, snip_rebuilds,
                     compute)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def examples_seconds(log) -> float:
    """The seconds the last rebuild spent on examples (tools/hooks.py
    logs them: finding what changed and running it)."""
    log.flush()
    log.seek(0)
    found = re.findall(r"examples: .*; ([\d.]+) s", log.read())
    return float(found[-1]) if found else 0.0


def builds(log) -> int:
    log.flush()
    log.seek(0)
    return log.read().count("Building documentation")


# --- page weight ------------------------------------------------------------


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@dataclasses.dataclass
class Weight:
    """Bytes a page fetches from a cold cache, in Chromium."""

    page: int  # the HTML and the CSS, JS, fonts and images it loads
    full: int  # the same and the search index, which search's worker
    # fetches on every page load (once per visit, then cached)
    gzip: int  # `full` as a server that compresses text sends it


def weights(site: Path) -> dict[str, Weight]:
    """Bytes fetched per page, cold cache, in Chromium."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(args=ARGS, **executable())
        for page in site_pages(site):
            rel = page.relative_to(site).parent.as_posix()
            context = browser.new_context()
            tab = context.new_page()
            got = []  # (url, body)
            tab.on("response", lambda r, g=got: g.append((r.url, r.body())))
            tab.goto(base + ("" if rel == "." else rel + "/"),
                     wait_until="networkidle")
            index = sum(len(b) for u, b in got
                        if u.endswith("search/search_index.json"))
            full = sum(len(b) for _, b in got)
            out[rel if rel != "." else "(home)"] = Weight(
                page=full - index, full=full,
                gzip=sum(len(gzipped(u, b)) for u, b in got))
            context.close()
        browser.close()
    httpd.shutdown()
    return out


def gzipped(url: str, body: bytes) -> bytes:
    """What a compressing server sends: text gzipped, fonts and PNGs as
    they are (they are compressed already)."""
    if url.endswith((".woff2", ".woff", ".png", ".jpg")):
        return body
    return gzip.compress(body, compresslevel=6, mtime=0)


# --- explorers -------------------------------------------------------------

UPDATES = """(root) => {
  // every control through each of its values, 3 passes: the time from
  // the input event to a laid-out page (script, style and layout; the
  // paint that follows is the browser's)
  const times = [];
  const fields = [...root.querySelectorAll("input, select")];
  for (let pass = 0; pass < 3; pass++) {
    for (const field of fields) {
      const n = field.tagName === "SELECT" ? field.options.length
        : Number(field.max) + 1;
      const start = field.value;
      for (let k = 0; k < n; k++) {
        field.value = String(k);
        const t0 = performance.now();
        field.dispatchEvent(new Event("input"));
        void document.body.offsetHeight;  // force style and layout
        times.push(performance.now() - t0);
      }
      field.value = start;
      field.dispatchEvent(new Event("input"));
    }
  }
  times.sort((a, b) => a - b);
  return [times[times.length >> 1], times[times.length - 1], times.length];
}"""


@dataclasses.dataclass
class Explorer:
    median_ms: float  # one update: input event to laid-out page
    max_ms: float
    updates: int
    gzip: int  # its markup and data, the script and the style, gzipped


def explorers(site: Path) -> dict[str, Explorer]:
    """Each explorer's update time in Chromium and its gzipped weight."""
    from bs4 import BeautifulSoup
    from playwright.sync_api import sync_playwright

    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    assets = sum(len(gzip.compress((site / a).read_bytes(), mtime=0))
                 for a in ("assets/javascripts/explorer.js",
                           "assets/stylesheets/explorer.css"))
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(args=ARGS, **executable())
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        for page in site_pages(site):
            html = page.read_text()
            if 'class="hpe-explorer"' not in html:
                continue
            rel = page.relative_to(site).parent.as_posix()
            tab.goto(base + rel + "/", wait_until="networkidle")
            for root in BeautifulSoup(html, "html.parser").select(
                    "figure.hpe-explorer"):
                mid, top, n = tab.locator(f"#{root['id']}").evaluate(
                    UPDATES)
                size = len(gzip.compress(str(root).encode(),
                                         mtime=0)) + assets
                out[f"{rel} #{root['id']}"] = Explorer(mid, top, n, size)
        browser.close()
    httpd.shutdown()
    return out


# --- the fault test on PostgreSQL -------------------------------------------

FAULT_TEST = "tests/snippets/tuning/test_scaling_out.py"


def fault_test(repo: Path, runs: int) -> list[float]:
    """Wall time of the scaling-out page's fault test (three machines on
    one PostgreSQL study, one killed inside a trial and restarted), alone
    in a pytest run of its own: interpreter start, imports, the server's
    initdb, start and stop, and the test. HPE_REQUIRE_POSTGRES=1, so that
    a skipped test cannot pass for a fast one."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-n0", FAULT_TEST, "-k",
           "killed_inside_a_trial"]  # three machines, one killed
    # HPE_RERUN: a pass recorded earlier must not stand in for a run
    env = dict(env_with(), HPE_REQUIRE_POSTGRES="1", HPE_RERUN="1")
    times = []
    for _ in range(runs):
        took, log = timed(cmd, repo, env)
        if "1 passed" not in log:
            raise SystemExit(f"the fault test did not run:\n{log[-3000:]}")
        times.append(took)
    return times


def median(xs):
    return statistics.median(xs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-tests", action="store_true",
                        help="skip timing the test command")
    parser.add_argument("--no-lighthouse", action="store_true",
                        help="skip Lighthouse (make lighthouse runs it "
                             "alone); the page keeps its last table")
    parser.add_argument("--no-jupyter", action="store_true",
                        help="skip the notebooks' Jupyter times (make "
                             "jupyter-times runs them alone); the page "
                             "keeps its last table")
    parser.add_argument("--no-mutants", action="store_true",
                        help="skip timing make mutants (its last run's "
                             "time is on the Testing page)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hpe-bench-"))
    # everything runs on a clone of the last commit: the working tree may
    # change meanwhile
    repo = tmp / "repo"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(repo)],
                   check=True)
    (repo / ".venv").symlink_to(ROOT / ".venv")  # README's commands use it
    r = {"runs": args.runs}
    sites = [tmp / f"site{i}" for i in range(args.runs)]
    caches = [tmp / f"cache{i}" for i in range(args.runs)]
    r["cold"] = [build(s, c, repo) for s, c in zip(sites, caches)]
    print(f"cold build: {[round(t, 1) for t in r['cold']]} s", flush=True)
    r["cold_executions"] = executions(caches[0])
    r["warm"] = [build(tmp / "warm", caches[0], repo)
                 for _ in range(args.runs)]
    print(f"warm build: {[round(t, 1) for t in r['warm']]} s", flush=True)
    r["differ"] = same_pages(sites)
    serve = serve_loop(tmp, repo, caches[0], args.runs)
    r["serve"] = serve
    print(f"serve: {serve}", flush=True)
    r["tests_cold"], r["tests_warm"], r["test_executions"] = [], [], None
    r["tests_rerun"], r["reused"] = [], (0, 0)
    r["kernels"] = []
    if not args.no_tests:
        for i in range(args.runs):
            cache = tmp / f"tests{i}"
            # cold: an empty execution cache, and no recorded passes
            took, _ = timed([sys.executable, "-m", "pytest", "-q",
                             "--cache-clear"], repo, env_with(cache))
            r["tests_cold"].append(took)
            if i == 0:
                r["test_executions"] = executions(cache)
            # warm: the slow tests' passes reused (tests/reuse.py) ...
            took, out = timed([sys.executable, "-m", "pytest", "-q"], repo,
                              env_with(cache))
            r["tests_warm"].append(took)
            r["reused"] = reused(out)
            # ... and every test run again on the warm execution cache
            rerun, _ = timed([sys.executable, "-m", "pytest", "-q"], repo,
                             dict(env_with(cache), HPE_RERUN="1"))
            r["tests_rerun"].append(rerun)
            # what CI adds after the test command: make kernels, on the
            # test command's cache (the venv is the working tree's: -o
            # says it is installed)
            kernels, _ = timed(["make", "-s", "-o", ".venv/.installed",
                                "kernels"], repo, env_with(cache))
            r["kernels"].append(kernels)
            print(f"tests: cold {r['tests_cold'][-1]:.1f} s, warm "
                  f"{took:.1f} s ({r['reused'][0]} reused), warm with "
                  f"HPE_RERUN=1 {rerun:.1f} s; make kernels after them "
                  f"{kernels:.1f} s", flush=True)
    r["mutants"] = None
    if not (args.no_tests or args.no_mutants):  # once: it takes minutes
        start = time.perf_counter()
        proc = subprocess.run(["make", "-s", "-o", ".venv/.installed",
                               "mutants"], cwd=repo, env=env_with(),
                              capture_output=True, text=True)
        r["mutants"] = (time.perf_counter() - start, proc.returncode)
        print(f"make mutants: {r['mutants'][0]:.0f} s, exit "
              f"{proc.returncode}", flush=True)
    r["fault"] = fault_test(repo, args.runs)
    print(f"fault test: {[round(t, 1) for t in r['fault']]} s", flush=True)
    bare = lighthouse.bare_site(tmp / "bare")  # a stock page's site
    r["bare"] = weights(bare)["(home)"]
    r["weights"] = weights(sites[0])
    r["explorers"] = explorers(sites[0])
    # last, with nothing else running: two things at once on 2 cores
    # would inflate the blocking time Lighthouse measures
    r["lighthouse"] = (None if args.no_lighthouse
                       else lighthouse.run(sites[0], bare))
    # alone too: each notebook's wait in a reader's Jupyter
    r["jupyter"] = (None if args.no_jupyter else
                    jupyter_times.section(jupyter_times.measure(sites[0]),
                                          jupyter_times.budget_runs(sites[0])))
    write_report(r)
    shutil.rmtree(tmp, ignore_errors=True)


# --- the report -------------------------------------------------------------


def cpu() -> str:
    """The CPU's model and the kernels torch picks on it: the times
    depend on both (a run on another machine is another table)."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    kernels = subprocess.run(
        [sys.executable, "-c", "import torch; "
         "print(torch.backends.cpu.get_cpu_capability())"],
        capture_output=True, text=True).stdout.strip()
    return f"{model}, torch kernels {kernels or 'unknown'}"


def at_most(target: str) -> str:
    return f"≤ {TARGETS[target]} s"


def met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def kb(n: int) -> str:
    return f"{n / 1024:,.0f} KB"


def seconds(xs: list[float]) -> str:
    return f"{median(xs):.1f} s ({', '.join(f'{x:.1f}' for x in xs)})"


def execution_rows(counts: collections.Counter | None) -> list[tuple]:
    """Executions per example in a cold test command: a block runs in its
    chain (the build), and again when its page runs top to bottom (the
    notebook check), unless its chain is the start of its page."""
    if not counts:
        return []
    blocks = [w for w in counts if not w.startswith("models/")]
    cells = [w for w in counts if w.startswith("models/")]
    spread = collections.Counter(counts[w] for w in blocks)
    most = max(counts.values())
    said = ", ".join(f"{n} blocks {k}×" for k, n in sorted(spread.items()))
    return [
        ("Executions per example, cold test command",
         f"{said}; {len(cells)} notebook cells "
         f"{'1× each' if all(counts[w] == 1 for w in cells) else 'more'}",
         "exactly 1", met(most == 1)),
    ]


def write_report(r: dict) -> None:
    w = r["weights"]
    pw = sorted(x.page for x in w.values())
    med, big = median(pw), max(pw)
    heaviest = max(w, key=lambda p: w[p].page)
    full = median([x.full for x in w.values()])
    gz = median([x.gzip for x in w.values()])
    bare = r["bare"]
    s: Serve = r["serve"]
    cold, warm = median(r["cold"]), median(r["warm"])
    rows = [
        ("`make serve`, warm cache: first page answers",
         seconds([s.first_page]), at_most("first page"),
         met(s.first_page <= TARGETS["first page"])),
        ("Prose edit visible in the served page", seconds(s.prose)
         + f"; rebuilds: {s.prose_rebuilds}",
         at_most("prose edit") + ", one rebuild",
         met(median(s.prose) <= TARGETS["prose edit"]
             and max(s.prose_rebuilds) == 1)),
        ("Snippet-section edit visible (glossary/momentum)",
         seconds(s.snippet) + f"; the page's examples ran "
         f"{median(s.snippet_compute):.1f} s; rebuilds: "
         f"{s.snippet_rebuilds}",
         at_most("snippet edit") + " + the page's compute, one rebuild",
         met(median([a - b for a, b in zip(s.snippet, s.snippet_compute)])
             <= TARGETS["snippet edit"] and max(s.snippet_rebuilds) == 1)),
        ("Clean strict build, cold cache", seconds(r["cold"]),
         at_most("cold build"), met(cold <= TARGETS["cold build"])),
        ("Build with nothing changed", seconds(r["warm"]),
         at_most("warm build"), met(warm <= TARGETS["warm build"])),
    ]
    if r["tests_cold"]:
        tc, tw = median(r["tests_cold"]), median(r["tests_warm"])
        rows += [
            ("Test command, cold, after install", seconds(r["tests_cold"]),
             at_most("cold tests"), met(tc <= TARGETS["cold tests"])),
            (f"Test command again, nothing changed: {r['reused'][0]} "
             f"slow tests reused (reported as skipped), {r['reused'][1]} "
             f"run", seconds(r["tests_warm"]), at_most("warm tests"),
             met(tw <= TARGETS["warm tests"])),
            ("Test command again, nothing changed, `HPE_RERUN=1`: every "
             "test run, on the warm execution cache",
             seconds(r["tests_rerun"]), "", ""),
            ("`make kernels` after the cold test command (CI runs it "
             "too): every example under two more kernel settings, the "
             "claims under each", seconds(r["kernels"]), "", ""),
        ]
        rows += execution_rows(r["test_executions"])
    if r.get("mutants"):
        took, code = r["mutants"]
        rows.append((
            "`make mutants` (once; not part of make test): mutation testing "
            "of six modules, scores on the Testing page",
            f"{took / 60:.0f} min" + ("" if code == 0 else
                                      " (some module below its target)"),
            "", ""))
    rows += [
        ("Fault test on PostgreSQL (scaling-out), server start and stop "
         "included", seconds(r["fault"]), at_most("fault"),
         met(median(r["fault"]) <= TARGETS["fault"])),
    ]
    rows += [
        ("Bare mkdocs-material page", kb(bare.page), "", ""),
        ("Median page", f"{kb(med)} ({med / bare.page:.2f}× bare)",
         f"≤ {TARGET_MEDIAN}× bare", met(med <= TARGET_MEDIAN * bare.page)),
        ("Largest page", f"{kb(big)} ({big / bare.page:.2f}× bare)"
         f", `{heaviest}`", f"≤ {TARGET_MAX}× bare",
         met(big <= TARGET_MAX * bare.page)),
        ("Median page with the search index",
         f"{kb(full)} ({full / bare.full:.2f}× bare)", "", ""),
        ("The same, gzipped as GitHub Pages sends it",
         f"{kb(gz)} ({gz / bare.gzip:.2f}× bare)", "", ""),
        ("Identical pages across cold builds",
         "yes" if not r["differ"] else f"no: {', '.join(r['differ'])}",
         "yes", met(not r["differ"])),
    ]
    ex = r["explorers"]
    if ex:
        slowest = max(ex, key=lambda k: ex[k].median_ms)
        heaviest_ex = max(ex, key=lambda k: ex[k].gzip)
        rows += [
            (f"Explorer update, median over every value of every control "
             f"(slowest of {len(ex)})",
             f"{ex[slowest].median_ms:.1f} ms (max "
             f"{ex[slowest].max_ms:.1f}), `{slowest}`", f"< {UPDATE_MS} ms",
             met(ex[slowest].median_ms < UPDATE_MS)),
            ("Explorer weight, data, script and style, gzipped "
             "(heaviest)",
             f"{kb(ex[heaviest_ex].gzip)}, `{heaviest_ex}`",
             f"≤ {kb(BUDGET)}", met(ex[heaviest_ex].gzip <= BUDGET)),
        ]
    cold_runs = r["cold_executions"]
    lines = [
        "# Performance",
        "",
        '!!! abstract "In one line"',
        "    How long the site takes to build, to test and to show an "
        "edit, and how heavy its pages are, measured by `make bench`.",
        "",
        (f"Medians of {r['runs']} runs (each run in brackets)"
         if r["runs"] > 1 else "One run") +
        f" on a machine with {os.cpu_count()} CPU cores ({cpu()}), Python "
        f"{platform.python_version()}. A cold build starts from an empty "
        "execution cache, as CI's clean clone does: every example runs, "
        "on every core. The edit loop is measured on a scratch copy of "
        "the repository served by `mkdocs serve` with a warm cache: the "
        "time from saving a file to the served page showing the change. "
        "Page weight is every byte a browser fetches for a page from a "
        "cold browser cache, measured in Chromium; search's web worker "
        "also fetches the search index on the first page of a visit, "
        "counted in the rows that say so. The bare page is a "
        "one-paragraph mkdocs-material page built in the same run with "
        "`font: false`.",
        "",
        "| measure | value | target | met |",
        "|---|---|---|---|",
        *[f"| {a} | {v} | {t} | {m} |" for a, v, t, m in rows],
        "",
        "## Where the time goes",
        "",
        "A cold build runs every example once, in its chain (as a reader "
        "copies it), on every core, and each notebook chapter once; "
        f"the first cold build ran {sum(cold_runs.values())} blocks and "
        "cells. A build with nothing changed runs none. The test command "
        "also runs every page top to bottom in one interpreter (the "
        "notebook the page offers, whose run must print what the page "
        "shows) in the same build, sharing the start of each page with "
        "the chain that starts it, and then reads the recorded outputs "
        "instead of running anything again. So in a cold test command a "
        "block runs once in its chain, and once more in its page's run "
        "unless its chain is the start of the page; a block that starts "
        "two different chains (a title that runs after blocks that do "
        "not run after each other) runs once for each. No test runs an "
        "example: the unit tests read the numbers they check from the "
        "records.",
        "",
        "## Explorers",
        "",
        "Each explorer in Chromium: every value of every control, three "
        "times over; an update is the time from the input event to a "
        "laid-out page (script, style and layout).",
        "",
        "| explorer | median update | slowest update | updates | "
        "gzipped, with script and style |",
        "|---|---|---|---|---|",
        *[f"| `{k}` | {x.median_ms:.1f} ms | {x.max_ms:.1f} ms | "
          f"{x.updates} | {kb(x.gzip)} |" for k, x in sorted(ex.items())],
        "",
        "## Every page",
        "",
        "| page | weight | × bare | with search index | gzipped |",
        "|---|---|---|---|---|",
        *[f"| `{p}` | {kb(x.page)} | {x.page / bare.page:.2f} | "
          f"{kb(x.full)} | {kb(x.gzip)} |"
          for p, x in sorted(w.items())],
        "",
        r["lighthouse"] or lighthouse.kept(OUT.read_text()) or "",
        "",
        r["jupyter"] or lighthouse.kept(OUT.read_text(), jupyter_times.START,
                                        jupyter_times.END) or "",
        "",
    ]
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

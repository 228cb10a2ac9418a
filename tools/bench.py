"""Benchmark: build and test times, page weight, determinism.

    make bench          # or: .venv/bin/python tools/bench.py [--runs 3]

Medians of `--runs` runs on this machine of:

- a clean strict build (caches off), and the same pages built with code
  execution off (no markdown-exec, notebooks not executed): their ratio is
  what running the examples costs;
- the test command (`python -m pytest`, after installation);
- page weight: the bytes a browser fetches for each page from a cold cache
  (HTML and the CSS, JS, fonts and images it loads; then with the search
  index, and gzipped), measured in Chromium,
  beside a bare mkdocs-material page built in the same run.

It also checks that the clean builds produced identical pages. The table
goes to docs/contributing/performance.md.
"""

import argparse
import dataclasses
import functools
import gzip
import http.server
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import ARGS  # noqa: E402
from tools.blocks import site_pages  # noqa: E402

OUT = ROOT / "docs/contributing/performance.md"
ENV = dict(os.environ, HPE_NOTEBOOK_CACHE="false", NO_MKDOCS_2_WARNING="1")
NOEXEC = """INHERIT: mkdocs.yml
plugins:
  - search
  - mkdocs-jupyter:
      include: ["notebooks/*.ipynb"]
      execute: false
"""
BARE = """site_name: Bare
theme:
  name: material
  font: false
"""
TARGET_MEDIAN, TARGET_MAX = 1.5, 3.0


LOGS: list[str] = []  # what each build printed, in order


def timed(cmd: list[str], cwd: Path = ROOT) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True,
                          text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}"
                         f"{proc.stderr[-3000:]}")
    LOGS.append(proc.stdout + proc.stderr)
    return took


def build(site: Path, config: str = "mkdocs.yml", cwd: Path = ROOT) -> float:
    return timed([sys.executable, "-m", "mkdocs", "build", "--strict",
                  "--clean", "-f", config, "--site-dir", str(site)], cwd)


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
        chromium = shutil.which("chromium")
        browser = p.chromium.launch(
            args=ARGS, **({"executable_path": chromium} if chromium else {})
        )
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


def median(xs):
    return statistics.median(xs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-tests", action="store_true",
                        help="skip timing the test command")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hpe-bench-"))
    noexec = ROOT / ".bench-noexec.yml"
    noexec.write_text(NOEXEC)
    try:
        sites = [tmp / f"site{i}" for i in range(args.runs)]
        t_build = [build(s) for s in sites]
        print(f"clean strict build: {[round(t, 1) for t in t_build]} s")
        t_noexec = [build(tmp / f"noexec{i}", noexec.name)
                    for i in range(args.runs)]
        print(f"execution off: {[round(t, 1) for t in t_noexec]} s")
        differ = same_pages(sites)
        print(f"pages that differ between builds: {differ or 'none'}")
        t_tests = []
        if not args.no_tests:
            for _ in range(args.runs):
                t_tests.append(timed([sys.executable, "-m", "pytest",
                                      "-q"]))
            print(f"test command: {[round(t, 1) for t in t_tests]} s")
        bare = tmp / "bare"
        (bare / "docs").mkdir(parents=True)
        (bare / "mkdocs.yml").write_text(BARE)
        (bare / "docs/index.md").write_text(
            "# Bare\n\nA stock mkdocs-material page.\n"
        )
        build(bare / "site", cwd=bare)
        bare_weight = weights(bare / "site")["(home)"]
        page_weights = weights(sites[0])
    finally:
        noexec.unlink()
    write_report(t_build, t_noexec, t_tests, differ, page_weights,
                 bare_weight, args.runs)
    shutil.rmtree(tmp, ignore_errors=True)


def slowest_pages(log: str) -> str:
    """The hook's "slowest pages (s): ..." line of a build log."""
    for line in log.splitlines():
        if "slowest pages (s): " in line:
            return line.split("slowest pages (s): ", 1)[1]
    return "not reported"


def met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def kb(n: int) -> str:
    return f"{n / 1024:,.0f} KB"


def write_report(t_build, t_noexec, t_tests, differ, page_weights,
                 bare_weight, runs) -> None:
    w = sorted(x.page for x in page_weights.values())
    med, big = median(w), max(w)
    heaviest = max(page_weights, key=lambda p: page_weights[p].page)
    full = median([x.full for x in page_weights.values()])
    gz = median([x.gzip for x in page_weights.values()])
    b, n = median(t_build), median(t_noexec)
    rows = [
        ("Clean strict build", f"{b:.1f} s", "≤ 30 s", met(b <= 30)),
        ("Same pages, execution off", f"{n:.1f} s", "", ""),
        ("Cost of running the examples", f"{b / n:.2f}× the build "
         "without it", "", ""),
    ]
    if t_tests:
        t = median(t_tests)
        rows.append(("Test command (after install)", f"{t:.1f} s",
                     "≤ 120 s", met(t <= 120)))
    rows += [
        ("Bare mkdocs-material page", kb(bare_weight.page), "", ""),
        ("Median page", f"{kb(med)} ({med / bare_weight.page:.2f}× bare)",
         f"≤ {TARGET_MEDIAN}× bare",
         met(med <= TARGET_MEDIAN * bare_weight.page)),
        ("Largest page", f"{kb(big)} ({big / bare_weight.page:.2f}× bare)"
         f", `{heaviest}`", f"≤ {TARGET_MAX}× bare",
         met(big <= TARGET_MAX * bare_weight.page)),
        ("Median page with the search index",
         f"{kb(full)} ({full / bare_weight.full:.2f}× bare)", "", ""),
        ("The same, gzipped as GitHub Pages sends it",
         f"{kb(gz)} ({gz / bare_weight.gzip:.2f}× bare)", "", ""),
        ("Identical pages across clean builds",
         "yes" if not differ else f"no: {', '.join(differ)}", "yes",
         met(not differ)),
    ]
    lines = [
        "# Performance",
        "",
        '!!! abstract "In one line"',
        "    How long the site takes to build and test, and how heavy its "
        "pages are, measured by `make bench`.",
        "",
        f"Medians of {runs} runs on a machine with {os.cpu_count()} CPU "
        f"cores, Python {platform.python_version()}. Page weight is every "
        "byte a browser fetches for a page from a cold cache: the HTML "
        "and the CSS, JavaScript, fonts and images it loads, measured in "
        "Chromium. Search's web worker also fetches the site's search "
        "index on the first page of a visit; it is counted in the rows "
        "that say so. The bare page is a one-paragraph mkdocs-material "
        "page built in the same run with `font: false`.",
        "",
        "| measure | value | target | met |",
        "|---|---|---|---|",
        *[f"| {a} | {v} | {t} | {m} |" for a, v, t, m in rows],
        "",
        "The build and test targets were set when the site had one "
        "chapter (issue 2). Every example on the site now runs twice in "
        "a test run: once in the build, which prints its output on the "
        "page, and once as the reader copies it, in a fresh interpreter; "
        "the browser tests then open every page in light and dark mode. "
        "The slowest pages of the first clean build, in seconds of their "
        f"examples: {slowest_pages(LOGS[0])}.",
        "",
        "## Every page",
        "",
        "| page | weight | × bare | with search index | gzipped |",
        "|---|---|---|---|---|",
        *[f"| `{p}` | {kb(x.page)} | {x.page / bare_weight.page:.2f} | "
          f"{kb(x.full)} | {kb(x.gzip)} |"
          for p, x in sorted(page_weights.items())],
        "",
    ]
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

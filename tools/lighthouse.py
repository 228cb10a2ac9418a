"""Lighthouse over every page of a built site, served gzipped as GitHub
Pages serves it, in Debian's Chromium (make bench; not make test, which
is too slow for it).

    make lighthouse     # or: .venv/bin/python -m tools.lighthouse [SITE]

Lighthouse 12.2.3 is pinned by package.json and package-lock.json (npm ci
installs it into node_modules/): Lighthouse 13 wants Node 22. Each page is
audited on the mobile preset with simulated throttling (Lighthouse's
default: a mid-range phone, a Moto G Power, on a slow 4G connection).

One audit of a page varies by several points (models/transformer scored
86, 87, 95, 97, 96 and 96 in six runs of one day, with nothing changed).
Lighthouse's documentation on variability advises running it several times
and reporting the median run; each page is audited ``RUNS`` times and the
report keeps the run Lighthouse's own ``computeMedianRun`` would pick
(``median_run``), with the range of the performance scores beside it.

Lighthouse emulates the phone by slowing the host's CPU down 4 times, a
factor meant for a host whose benchmark index (Lighthouse's measure of the
CPU, in every report) is about 1,500. Lighthouse's documentation on
throttling advises calibrating the factor to the host; on this shared
machine the index moved from 1,135 to 1,985 within an hour (a calibrated
factor of 2.7 or 5.9), so the audits keep Lighthouse's default of 4, as
PageSpeed Insights does, and the report gives each page's index and the
factor the calculator would pick (``multiplier``, the formula of
github.com/patrickhulce/lighthouse-cpu-throttling-calculator).
"""

import dataclasses
import functools
import gzip
import http.server
import json
import mimetypes
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from tools import ROOT
from tools.blocks import site_pages
from tools.browser import executable

LIGHTHOUSE = ROOT / "node_modules/.bin/lighthouse"
# compressible, as GitHub Pages compresses them
TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".ipynb",
        ".py", ".map")


class Gzipped(http.server.SimpleHTTPRequestHandler):
    """A static server that sends text gzipped when the browser asks, as
    GitHub Pages does (http.server sends everything as it is)."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # its redirect
            path = path / "index.html"
        if (not path.is_file() or not path.name.endswith(TEXT)
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        kind = mimetypes.guess_type(path.name)[0] or "application/json"
        if kind.startswith("text/") or kind.endswith(("json", "javascript")):
            kind += "; charset=utf-8"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")  # as Pages does
        self.end_headers()
        return _Body(body)


class _Body:
    """What send_head returns: a file-like body copyfile reads."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, n=-1):
        out, self.data = self.data, b""
        return out

    def close(self):
        pass


class Server:
    """The site on 127.0.0.1, gzipped, in a thread, for a with block."""

    def __init__(self, site: Path):
        handler = functools.partial(Gzipped, directory=str(site))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever,
                         daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclasses.dataclass
class Audit:
    """One page's Lighthouse scores (0-100) and measures."""

    performance: int
    accessibility: int
    best_practices: int
    seo: int
    lcp_ms: float  # largest contentful paint
    tbt_ms: float  # total blocking time
    cls: float  # cumulative layout shift
    bytes: int  # transferred, gzipped
    dom: int  # elements
    benchmark_index: float = 0.0  # the host's CPU, as Lighthouse measured
    # every run's performance score, the median run's among them
    runs: tuple[int, ...] = ()

    def scores(self) -> tuple[int, int, int, int]:
        return (self.performance, self.accessibility, self.best_practices,
                self.seo)


def read(report: dict) -> Audit:
    """An Audit from Lighthouse's JSON report."""
    cat, audits = report["categories"], report["audits"]

    def score(name):
        return round(100 * cat[name]["score"])

    return Audit(
        performance=score("performance"),
        accessibility=score("accessibility"),
        best_practices=score("best-practices"), seo=score("seo"),
        lcp_ms=audits["largest-contentful-paint"]["numericValue"],
        tbt_ms=audits["total-blocking-time"]["numericValue"],
        cls=audits["cumulative-layout-shift"]["numericValue"],
        bytes=int(audits["total-byte-weight"]["numericValue"]),
        dom=int(audits["dom-size"]["numericValue"]),
        benchmark_index=report.get("environment", {}).get(
            "benchmarkIndex", 0.0))


def multiplier(benchmark_index: float) -> float:
    """The CPU slowdown that makes this host emulate Lighthouse's phone:
    the throttling calculator's piecewise-linear fit (1300 -> 3x, 800 ->
    2x, 150 -> 1x, and 233 more per step above 1300)."""
    if benchmark_index >= 1300:
        return 3 + (benchmark_index - 1300) / 233
    if benchmark_index >= 800:
        return 2 + (benchmark_index - 800) / 500
    if benchmark_index >= 150:
        return 1 + (benchmark_index - 150) / 650
    raise ValueError(f"benchmark index {benchmark_index}: this host is too "
                     "slow to emulate Lighthouse's phone")


# the index at which the calculator picks Lighthouse's default 4x
REFERENCE_INDEX = 1300 + 233


# audits of each page: Lighthouse's documentation finds that the median of
# five halves the spread of one run; three keep make lighthouse near 30 min
RUNS = 3


def median_run(reports: list[dict]) -> dict:
    """The run Lighthouse reports as the median (its core/lib/median-run.js,
    computeMedianRun): the one closest to the median first contentful paint
    and the median time to interactive, ties to the earlier interactive.
    Not the median score: a score is a weighted sum, prone to outliers."""
    if not reports:
        raise ValueError("reports: need at least one run")

    def value(r, name):
        return r["audits"][name]["numericValue"]

    def median(values):
        values = sorted(values)
        mid = len(values) // 2
        return (values[mid] if len(values) % 2
                else (values[mid - 1] + values[mid]) / 2)

    fcp = median(value(r, "first-contentful-paint") for r in reports)
    tti = median(value(r, "interactive") for r in reports)
    return min(reports, key=lambda r: (
        (fcp - value(r, "first-contentful-paint")) ** 2
        + (tti - value(r, "interactive")) ** 2, value(r, "interactive")))


def audit(url: str, *, runs: int = RUNS) -> Audit:
    """Lighthouse's mobile audit of one URL, in Debian's Chromium: the
    median of `runs` runs, with every run's performance score."""
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    reports = [report(url) for _ in range(runs)]
    return dataclasses.replace(
        read(median_run(reports)),
        runs=tuple(read(r).performance for r in reports))


def report(url: str) -> dict:
    """Lighthouse's JSON report of one URL, with its default settings."""
    if not LIGHTHOUSE.exists():
        raise SystemExit("no Lighthouse: run `npm ci` in the repository "
                         "(package.json pins lighthouse 12.2.3)")
    with tempfile.TemporaryDirectory(prefix="hpe-lh-") as tmp:
        out = Path(tmp) / "report.json"
        env = dict(os.environ, CHROME_PATH=executable()["executable_path"])
        proc = subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", "--output=json",
             f"--output-path={out}",
             "--only-categories=performance,accessibility,best-practices,"
             "seo",
             "--chrome-flags=--headless=new --no-sandbox "
             f"--user-data-dir={tmp}/profile"],
            env=env, capture_output=True, text=True)
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"lighthouse {url} failed:\n"
                               f"{proc.stderr[-2000:]}")
        return json.loads(out.read_text())


def audits(site: Path) -> dict[str, Audit]:
    """Every page of `site`, audited one after another (two at once would
    share the 2 cores and inflate each other's blocking time)."""
    out = {}
    with Server(site) as server:
        for page in site_pages(site):
            rel = page.relative_to(site).parent.as_posix()
            rel = "" if rel == "." else rel + "/"
            out[rel or "(home)"] = got = audit(server.url + rel)
            print(f"{rel or '(home)'}: {got}", file=sys.stderr, flush=True)
    return out


# The report's section, between these markers in performance.md: make
# bench writes the page around it and keeps it when it ran no Lighthouse.
START, END = "<!-- lighthouse:start -->", "<!-- lighthouse:end -->"
TARGETS = {"performance": 95, "tbt_ms": 200, "cls": 0.02}
BARE = "bare mkdocs-material page"


def host_bias(low: float, high: float) -> str:
    """What a host with benchmark indexes from low to high does to the
    audits' blocking times, against the index the 4x is meant for."""
    if low > REFERENCE_INDEX:
        return ("this host is faster than the one the 4x is meant for, so "
                "its blocking times are shorter than a phone's and the "
                "scores flatter the pages.")
    if high < REFERENCE_INDEX:
        return ("this host is slower than the one the 4x is meant for, so "
                "its blocking times are longer than a phone's and the "
                "scores understate the pages.")
    return ("on the slower moments of this host the blocking times are "
            "longer than a phone's, on the faster ones shorter.")


def section(found: dict[str, Audit], bare: Audit) -> str:
    """The Lighthouse section of docs/contributing/performance.md."""
    def score_row(name, a):
        spread = (f"{min(a.runs)}–{max(a.runs)}" if len(a.runs) > 1
                  else "")
        return (f"| `{name}` | {a.performance} | {spread} | "
                f"{a.accessibility} | {a.best_practices} | {a.seo} |")

    def measure_row(name, a):
        return (f"| `{name}` | {a.lcp_ms / 1000:.1f} s | {a.tbt_ms:.0f} ms "
                f"| {a.cls:.3f} | {a.bytes / 1024:,.0f} KB | {a.dom:,} | "
                f"{a.benchmark_index:,.0f} |")

    scores = sorted(a.performance for a in found.values())
    low = [p for p, a in found.items()
           if a.performance < TARGETS["performance"]]
    slow = [p for p, a in found.items() if a.tbt_ms > TARGETS["tbt_ms"]]
    shifting = [p for p, a in found.items() if a.cls > TARGETS["cls"]]
    others = [p for p, a in found.items()
              if min(a.accessibility, a.best_practices, a.seo) < 100]
    index = sorted(a.benchmark_index for a in [bare, *found.values()])
    runs = max(len(a.runs) for a in [bare, *found.values()])
    every = [s for a in found.values() for s in a.runs]
    below = sum(s < TARGETS["performance"] for s in every)
    return "\n".join([
        START,
        "## Lighthouse",
        "",
        "Lighthouse 12.2.3 (`npm ci` installs it; `make lighthouse` runs "
        "this part alone), mobile preset with its default simulated "
        "throttling (a 4x slower CPU, a slow 4G network), served gzipped "
        "as GitHub Pages serves it, in Debian's Chromium, one page at a "
        "time. "
        + (f"Each page {runs} times; the tables give the median run, the "
           "one Lighthouse's `computeMedianRun` picks (closest to the "
           "median first paint and time to interactive), and the range "
           "of its performance over the runs. " if runs > 1
           else "Each page once. ")
        + "The 4x is meant for a host whose benchmark "
        "index is about 1,500; this host's ranged from "
        f"{index[0]:,.0f} to {index[-1]:,.0f} during the run (last "
        "column), for which Lighthouse's calculator would pick a factor "
        f"of {multiplier(index[0]):.1f} to {multiplier(index[-1]):.1f}: "
        f"{host_bias(index[0], index[-1])} One run of a page varies by "
        "several points.",
        "",
        f"- Performance: median {scores[len(scores) // 2]}, lowest "
        f"{scores[0]}; {len(found) - len(low)} of {len(found)} pages at "
        f"{TARGETS['performance']} or more"
        + (f"; {below} of {len(every)} single runs below it"
           if runs > 1 else "") + ".",
        f"- Total blocking time at most {TARGETS['tbt_ms']} ms on "
        f"{len(found) - len(slow)} of {len(found)} pages; layout shift at "
        f"most {TARGETS['cls']} on {len(found) - len(shifting)}.",
        f"- Accessibility, best practices and SEO at 100 on "
        f"{len(found) - len(others)} of {len(found)} pages"
        + (f" (not: {', '.join(f'`{p}`' for p in sorted(others))})"
           if others else "") + ".",
        "",
        "Two tables, so that each fits the page's width: the scores, then "
        "the measures (bytes transferred, gzipped; elements at load; the "
        "host's benchmark index during the audit).",
        "",
        "| page | performance | runs | accessibility | best practices "
        "| SEO |",
        "|---|---|---|---|---|---|",
        score_row(BARE, bare),
        *[score_row(p, a) for p, a in sorted(found.items())],
        "",
        "| page | LCP | TBT | CLS | bytes | DOM | index |",
        "|---|---|---|---|---|---|---|",
        measure_row(BARE, bare),
        *[measure_row(p, a) for p, a in sorted(found.items())],
        END,
    ])


def kept(text: str, start: str = START, end: str = END) -> str | None:
    """The section between `start` and `end` of a performance page (the
    Lighthouse section by default), if it has one."""
    if start in text and end in text:
        return text[text.index(start):text.index(end) + len(end)]
    return None


def write(page: Path, new: str, start: str = START, end: str = END) -> None:
    """Put the section `new` into `page`, in place of the old one, or at
    the end."""
    text = page.read_text()
    old = kept(text, start, end)
    text = (text.replace(old, new) if old
            else text.rstrip("\n") + "\n\n" + new + "\n")
    page.write_text(text)


def run(site: Path, bare_site: Path) -> str:
    """Audit every page (and the bare page); the report's section."""
    with Server(bare_site) as server:
        bare = audit(server.url)
    return section(audits(site), bare)


def bare_site(tmp: Path) -> Path:
    """A one-paragraph stock mkdocs-material site, built in `tmp`."""
    (tmp / "docs").mkdir(parents=True, exist_ok=True)
    (tmp / "mkdocs.yml").write_text(
        "site_name: Bare\ntheme:\n  name: material\n  font: false\n")
    (tmp / "docs/index.md").write_text(
        "# Bare\n\nA stock mkdocs-material page.\n")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"],
                   cwd=tmp, check=True,
                   env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    return tmp / "site"


def main(argv: list[str]) -> None:
    """``python -m tools.lighthouse [SITE]``: audit a built site (make
    build's site/ by default) and write the section of the performance
    page."""
    site = Path(argv[0]) if argv else ROOT / "site"
    if shutil.which("node") is None:
        raise SystemExit("Lighthouse needs Node (20 or newer)")
    with tempfile.TemporaryDirectory(prefix="hpe-bare-") as tmp:
        new = run(site, bare_site(Path(tmp)))
    write(ROOT / "docs/contributing/performance.md", new)
    print(new)


if __name__ == "__main__":
    main(sys.argv[1:])

"""Run every example of the site once per change, and show what it printed.

At the start of each build (``on_files``) this module finds the examples
of every page (tools/examples.py), looks up each one's content key in the
cache (tools/cache.py), and runs what is missing, on every core:

- **chains**: each block in a fresh interpreter after the blocks its title
  names, as a reader copies them (tools/kernel.py); its output is what
  the page shows under it;
- **pages**: all of a page's blocks, tabs included, top to bottom in one
  fresh interpreter: the notebook the page offers for download;
- **notebook chapters** (tools/notebooks.py), in a Jupyter kernel.

A prose edit changes no key, so nothing runs; a snippet edit runs the
chains that include it. Then the pages are rendered, and each block's
fence (markdown-exec's rendering, with this module's ``formatter``) shows
the recorded output.
"""

import hashlib
import json
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from markdown_exec import base_format

from tools import ROOT, glue, runner
from tools.cache import Cache
from tools.environment import Setting
from tools.examples import (
    Block,
    ExampleError,
    check_chains,
    collect,
    key,
    project_imports,
)

log = logging.getLogger("mkdocs.hooks.execute")


class ExecutionError(Exception):
    """One or more examples raised; the message names each one."""


@dataclass
class PagePlan:
    page: str
    blocks: list[Block]
    chains: dict[int, list[Block]]
    keys: dict[int, str]  # block index -> key of its chain
    page_key: str | None  # key of the whole page, top to bottom
    records: dict[int, dict] = field(default_factory=dict)
    page_record: dict | None = None

    @property
    def shown(self) -> list[Block]:
        return [b for b in self.blocks if b.shown]


@dataclass
class Job:
    """Blocks to run in one fresh interpreter: a tree whose branches fork
    (tools/kernel.py)."""

    plan: PagePlan
    tree: dict  # the kernel's job: nested nodes
    nodes: dict[str, tuple[int, ...]]  # node id -> the blocks it runs
    writes: dict[str, int]  # key -> its block's index (-1: the page)
    expected: float = 0.0  # a guess of its seconds, for ordering
    overrides: Setting = ()  # the kernel setting (tools/environment.py)

    def __str__(self):
        return self.plan.page

    def needed(self, cache: Cache) -> bool:
        """Whether a record it writes is still missing (another build may
        have written them all since this job was planned)."""
        return any(cache.get(k) is None for k in self.writes)

    def run(self, cache: Cache, root: Path = ROOT) -> list[str]:
        return run_job(self, cache, root)


def _node(block: Block, node_id: str, children=()) -> dict:
    prelude, visible, epilogue = block.parts()
    return {"id": node_id, "name": block.name,
            "prelude": prelude, "visible": visible, "epilogue": epilogue,
            "children": list(children)}


class Memo(dict):
    """Results of pure functions, by a digest of all their inputs, kept in
    the process: ``mkdocs serve`` rebuilds every page on every edit, and
    most of them did not change. Holds the last 1,000."""

    def __setitem__(self, key, value):
        if len(self) >= 1000:
            del self[next(iter(self))]
        super().__setitem__(key, value)


def digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def sources_digest(root: Path = ROOT) -> str:
    """Every file a page's blocks or their keys can depend on: the snippet
    modules a page includes, the explorers and tools hidden lines import,
    the text auto-appended to every page."""
    h = hashlib.sha256()
    for folder in ("snippets", "explorers", "tools", "docs/includes"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".md") and path.is_file():
                h.update(str(path.relative_to(root)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()


_plans = Memo()  # (page, text, sources, env) -> the parts of a plan


def plan_page(page: str, text: str, extensions, configs, env: dict,
              root: Path = ROOT, sources: str | None = None) -> PagePlan:
    """A page's blocks, their chains and keys (no records yet)."""
    memo = None
    if sources is not None:
        memo = digest(page, text, sources, json.dumps(env, sort_keys=True),
                      str(root))
        if memo in _plans:
            return PagePlan(page, *_plans[memo])
    blocks = collect(text, page, extensions, configs)
    chains = check_chains(blocks)
    keys = {i: key("chain", chain, env, root) for i, chain in chains.items()}
    shown = [b for b in blocks if b.shown]
    page_key = key("page", shown, env, root) if shown else None
    if memo is not None:
        _plans[memo] = (blocks, chains, keys, page_key)
    return PagePlan(page, blocks, chains, keys, page_key)


def _chain(plan: PagePlan, i: int) -> tuple[int, ...]:
    return tuple(b.index for b in plan.chains[i])


def _page(plan: PagePlan) -> tuple[int, ...]:
    return tuple(b.index for b in plan.shown)


def jobs(plan: PagePlan, cache: Cache, *, page: bool = False,
         overrides: Setting = ()) -> list[Job]:
    """The jobs that write every missing record of a page.

    Each missing block runs in its chain, as a reader copies it; with
    `page`, the page also runs top to bottom (its notebook) if that record
    is missing. These runs are lists of blocks from a fresh interpreter;
    lists that start alike share their start (a trie, whose branches the
    kernel forks), so a block runs once for each distinct list of blocks
    before it: once, on a page whose chains form a tree.
    """
    missing = set()
    for index, k in plan.keys.items():
        record = cache.get(k)
        if record is None:
            missing.add(index)
        else:
            plan.records[index] = record
    want_page = False
    if plan.page_key is not None:
        plan.page_record = cache.get(plan.page_key)
        want_page = plan.page_record is None and page
    return _jobs(plan, missing, want_page, overrides)


def _jobs(plan: PagePlan, missing: set[int], want_page: bool,
          overrides: Setting) -> list[Job]:
    """The jobs that write the records of the blocks `missing` (by index)
    and, with `want_page`, the page's."""
    runs = {_chain(plan, i) for i in missing}
    if want_page:
        runs.add(_page(plan))
    prefixes = {seq[:n] for seq in runs for n in range(1, len(seq) + 1)}
    kids: dict[tuple, list[tuple]] = {p: [] for p in prefixes}
    for p in sorted(prefixes):
        if len(p) > 1:
            kids[p[:-1]].append(p)
    out = []
    for first in sorted(p for p in prefixes if len(p) == 1):
        nodes: dict[str, tuple[int, ...]] = {}

        def tree(prefix, nodes=nodes):
            node_id = f"n{len(nodes)}"
            nodes[node_id] = prefix
            children = [tree(k) for k in kids[prefix]]
            return _node(plan.blocks[prefix[-1]], node_id, children)

        job_tree = tree(first)
        writes = {plan.keys[p[-1]]: p[-1] for p in nodes.values()
                  if p[-1] in missing and p == _chain(plan, p[-1])}
        if want_page and _page(plan) in nodes.values():
            writes[plan.page_key] = -1
        # no timings on a cold cache: bigger trees first
        out.append(Job(plan, job_tree, nodes, writes,
                       expected=float(len(nodes)), overrides=overrides))
    return out


def _check_deps(block: Block, result: dict, root: Path) -> str | None:
    """The key names the project files hidden lines import; a module the
    reading of imports did not see would make the key incomplete."""
    hidden = "\n".join(p for p in block.parts()[::2] if p)
    known = {str(p) for p in project_imports(hidden, root)}
    unknown = [m for m in result["modules"] if m not in known]
    if unknown:
        return (f"{block}: its hidden lines loaded {unknown}, which its "
                f"content key does not cover")
    return None


def run_job(job: Job, cache: Cache, root: Path = ROOT) -> list[str]:
    """Run one job; write its records; return error messages.

    Each record key has its lock (tools/cache.py). The job takes the locks
    of the keys it writes that are free, and runs what they still lack; a
    key whose lock another holder has (another thread of this build, or
    another process: ``mkdocs serve`` and ``make test``) is that holder's
    to write. This job still runs such a block where its later blocks need
    it, but does not write it; if this job needs nothing else, it waits
    for the holder and reads what it wrote. If the holder wrote nothing
    (its run raised), this job runs it after all. So no record key is ever
    executed by two holders at once, and two builds that plan different
    jobs over the same keys run each of them once.
    """
    wanted = dict(job.writes)  # key -> block index (-1: the page)
    while wanted:
        with cache.try_locked(wanted) as taken:
            todo = {k: i for k, i in wanted.items()
                    if k in taken and cache.get(k) is None}
            if todo:
                missing = {i for i in todo.values() if i >= 0}
                for part in _jobs(job.plan, missing, -1 in todo.values(),
                                  job.overrides):
                    errors = _execute(part, cache, root)
                    if errors:
                        return errors
        busy = {k: i for k, i in wanted.items() if k not in taken}
        if busy:
            with cache.locked(busy):  # until their holders are done
                pass
        wanted = {k: i for k, i in busy.items() if cache.get(k) is None}
    _read_back(job, cache)
    return []


def _execute(job: Job, cache: Cache, root: Path) -> list[str]:
    """Run a job whose write locks are held; write its records."""
    plan = job.plan
    start = time.perf_counter()
    try:
        results = runner.run(job.tree, root=root, overrides=job.overrides)
    except runner.JobError as error:
        return [f"{plan.page}: {error}"]
    took = time.perf_counter() - start
    page = _page(plan)
    errors = []
    for node_id, prefix in job.nodes.items():
        result = results.get(node_id)
        if result is None:
            continue  # after a block that raised
        b = plan.blocks[prefix[-1]]
        cache.count("block", f"{plan.page}#{b.index}")
        if result["error"] is not None:
            where = ("run top to bottom with the whole page (as its "
                     "notebook runs)" if prefix == page[:len(prefix)]
                     and prefix != _chain(plan, b.index) else
                     "run as a reader copies it: " + ", ".join(
                         plan.blocks[i].name for i in prefix))
            errors.append(f"{b}: raised when {where}\n"
                          f"{result['error']}")
        elif (problem := _check_deps(b, result, root)) is not None:
            errors.append(problem)
    if not errors and any(n not in results for n in job.nodes):
        errors.append(f"{plan.page}: a job ended without the results "
                      f"of all its blocks")
    if errors:
        return errors
    by_prefix = {p: results[n] for n, p in job.nodes.items()}
    for prefix, result in by_prefix.items():
        i = prefix[-1]
        if prefix != _chain(plan, i):
            continue  # a run that gives later blocks their state
        b = plan.blocks[i]
        record = {"kind": "chain", "page": plan.page, "title": b.title,
                  "code": b.visible, "stdout": result["stdout"],
                  "stderr": result["stderr"], "glue": result["glue"],
                  "seconds": result["seconds"]}
        known = plan.records.get(i)  # None: another holder writes it
        if plan.keys[i] in job.writes:
            cache.put(plan.keys[i], record)
            plan.records[i] = record
        elif known is not None and result["stdout"] != known["stdout"]:
            errors.append(f"{b}: printed something else than when it "
                          f"ran before; is it seeded?")
    if -1 in job.writes.values():
        blocks = []
        for n in range(1, len(page) + 1):
            b, result = plan.blocks[page[n - 1]], by_prefix[page[:n]]
            blocks.append({
                "title": b.title, "tab": b.tab, "code": b.visible,
                "html": bool(b.options.get("html")),
                "stdout": result["stdout"], "stderr": result["stderr"],
            })
        record = {"kind": "page", "page": plan.page,
                  "blocks": blocks, "seconds": round(took, 2)}
        cache.put(plan.page_key, record)
        plan.page_record = record
    return errors


def check_page(plan: PagePlan) -> list[str]:
    """The page run top to bottom (its notebook) printed, block by block,
    what each block prints after the blocks its title names: the notebook
    a reader downloads shows the page's numbers, and prints them again."""
    errors = []
    for b, ran in zip(plan.shown, plan.page_record["blocks"]):
        if ran["stdout"] != plan.records[b.index]["stdout"]:
            errors.append(
                f"{b}: prints something else when the whole page runs top "
                f"to bottom (its notebook) than after the blocks its title "
                f"names; give it names of its own, or seed it")
    return errors


def glued(plan: PagePlan | None) -> dict[str, str]:
    """The values a page's blocks glued for its prose (tools/glue.py)."""
    if plan is None:
        return {}
    return glue.collect((plan.records.get(b.index) for b in plan.blocks),
                        plan.page)


def notebook_blocks(plan: PagePlan) -> list[dict]:
    """What a page's notebook holds: each shown block in page order, with
    the output the page shows under it."""
    return [{"title": b.title, "tab": b.tab, "code": b.visible,
             "html": bool(b.options.get("html")),
             "stdout": plan.records[b.index]["stdout"]}
            for b in plan.shown]


def _read_back(job: Job, cache: Cache) -> None:
    """Records another process wrote while this one waited for them."""
    for k, i in job.writes.items():
        if i < 0:
            job.plan.page_record = cache.get(k)
        else:
            job.plan.records[i] = cache.get(k)


@dataclass
class Site:
    """Every page's plan, after the build ran what was missing."""

    pages: dict[str, PagePlan] = field(default_factory=dict)


class Runnable(Protocol):
    """What run_all runs: a page's Job, or a notebook chapter's
    (tools/notebooks.NotebookJob)."""

    expected: float  # a guess of its seconds: the longest start first
    overrides: Setting  # the kernel setting it runs under

    def needed(self, cache: Cache) -> bool: ...

    def run(self, cache: Cache, root: Path) -> list[str]: ...


def run_all(jobs: list[Runnable], cache: Cache, root: Path = ROOT,
            workers: int | None = None) -> list[str]:
    """Run jobs on every core, longest first; all their error messages."""
    workers = workers or os.cpu_count() or 1
    jobs = sorted(jobs, key=lambda j: -j.expected)
    for overrides in {j.overrides for j in jobs if isinstance(j, Job)}:
        # start the kernel now: it imports the libraries (seconds) while
        # the longest jobs, the notebook chapters, start in Jupyter
        runner.kernel(root, overrides)
    errors: list[str] = []
    lock = threading.Lock()

    t0 = time.perf_counter()

    def one(job):
        start = time.perf_counter() - t0
        found = job.run(cache, root)
        with lock:
            errors.extend(found)
            if os.environ.get("HPE_EXEC_TRACE"):
                print(f"{start:6.1f} {time.perf_counter() - t0:6.1f} "
                      f"{job} {threading.current_thread().name}",
                      flush=True)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(one, j) for j in jobs]:
            future.result()
    return errors


# --- rendering ------------------------------------------------------------

_current: dict = {"page": None, "site": None}


def set_page(page: str, site: Site) -> None:
    """The page being rendered (MkDocs renders one page at a time)."""
    _current["page"], _current["site"] = page, site


def _record_for(source: str, options: dict) -> dict:
    page, site = _current["page"], _current["site"]
    plan = site.pages.get(page) if site else None
    title = options.get("extra", {}).get("title", "")
    if plan is not None:
        found = {id(plan.records.get(b.index)): plan.records.get(b.index)
                 for b in plan.blocks
                 if b.code == source and b.title == title}
        outputs = {r["stdout"] for r in found.values() if r is not None}
        if len(outputs) == 1:
            return next(r for r in found.values() if r is not None)
    raise ExampleError(f"{page}: no recorded output for the block "
                       f"{title or 'untitled'}")


_fences = Memo()  # (code, options, output) -> the fence's HTML


def formatter(source, language, css_class, options, md, **kwargs):
    """markdown-exec's Python fence, showing the recorded output."""
    record = _record_for(source, options)
    memo = digest(source, json.dumps(options, sort_keys=True, default=str),
                  record["stdout"])
    if memo not in _fences:

        def run(code, **_):
            return record["stdout"]

        _fences[memo] = base_format(language="python", run=run,
                                    code=source, md=md, **options)
    return _fences[memo]

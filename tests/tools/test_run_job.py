"""Two builds at once execute each record key once (tools/execute.py,
``run_job``): two threads of one build, or two processes (``mkdocs
serve`` and ``make test``), whether they plan the same jobs or not.

The kernel is replaced by a fake that takes a moment per block and logs
every block it runs, so the builds overlap for sure and every execution
is counted.
"""

import multiprocessing
import threading
import time

import pytest

from tools import execute, runner
from tools.cache import Cache
from tools.examples import Block, needs


def block(i, title):
    return Block(page="p.md", index=i, code=f"print({i})\n",
                 options={"source": "block", "extra": {"title": title}},
                 needs=needs(title))


def plan() -> execute.PagePlan:
    """A page of three blocks: c.py runs after a.py."""
    blocks = [block(0, "a.py"), block(1, "b.py"),
              block(2, "c.py — run after a.py")]
    return execute.PagePlan(
        "p.md", blocks, {0: blocks[:1], 1: blocks[1:2],
                         2: [blocks[0], blocks[2]]},
        {0: "k0", 1: "k1", 2: "k2"}, "kpage")


def fake_run(log):
    """runner.run, as a fake: each node prints its block's code after
    0.3 s, and its run is logged (one line per node)."""

    def run(tree, *, root=None, overrides=()):
        out = {}

        def visit(node):
            time.sleep(0.3)
            with open(log, "a") as f:
                f.write(f"{node['name']}\n")
            out[node["id"]] = {"stdout": node["visible"], "stderr": "",
                               "error": None, "glue": {}, "seconds": 0.3,
                               "modules": []}
            for child in node["children"]:
                visit(child)

        visit(tree)
        return out

    return run


def build(cache_dir, page):
    """One build: plan the page's jobs and run them, as run_all does."""
    p, cache = plan(), Cache(cache_dir)
    errors = []
    for job in execute.jobs(p, cache, page=page):
        errors += execute.run_job(job, cache)
    assert errors == []
    assert {i: r["stdout"] for i, r in p.records.items()} == {
        0: "print(0)\n", 1: "print(1)\n", 2: "print(2)\n"}
    if page:
        assert p.page_record is not None


def puts(cache_dir) -> list[str]:
    return [e["what"] for e in Cache(cache_dir).executions()
            if e["kind"] == "put"]


@pytest.fixture
def counted(tmp_path, monkeypatch):
    log = tmp_path / "ran.log"
    monkeypatch.setattr(runner, "run", fake_run(log))
    put = Cache.put

    def counting_put(self, key, record):
        self.count("put", key)  # one line per write, across processes
        put(self, key, record)

    monkeypatch.setattr(Cache, "put", counting_put)
    return tmp_path / "cache", log


@pytest.mark.parametrize("how", ["threads", "processes"])
@pytest.mark.parametrize("pages", [(False, False), (False, True)],
                         ids=["same jobs", "one also runs the page"])
def test_two_builds_at_once_execute_each_key_once(counted, how, pages):
    cache_dir, log = counted
    start = (threading.Thread if how == "threads" else
             multiprocessing.get_context("fork").Process)
    builds = [start(target=build, args=(cache_dir, page)) for page in pages]
    for b in builds:
        b.start()
    for b in builds:
        b.join()
    if how == "processes":
        assert [b.exitcode for b in builds] == [0, 0]
    # each record written once, by one of the two
    written = puts(cache_dir)
    assert sorted(written) == sorted(
        ["k0", "k1", "k2"] + (["kpage"] if any(pages) else []))
    ran = log.read_text().split()
    if not any(pages):  # the same jobs: the second waits, then reads
        assert sorted(ran) == ["a.py", "b.py", "c.py"]
    else:  # and the page, top to bottom: each block once more at most
        # (which build takes which lock first decides whether a.py runs
        # twice, or c.py twice in the one job that writes both)
        assert max(ran.count(n) for n in ran) == 2 and len(ran) <= 6
    # a third build finds everything
    build(cache_dir, any(pages))
    assert len(log.read_text().split()) == len(ran)


def test_a_job_whose_first_key_is_busy_waits_and_runs_nothing(counted):
    # two builds of the same job must not split its keys: a.py would run
    # in both, in one to write k0 and in the other as c.py's start
    cache_dir, log = counted
    cache, p = Cache(cache_dir), plan()
    job = execute.jobs(p, cache)[0]  # a.py's tree: a.py and c.py
    with cache.locked(["k0"]):  # another build has the job's first key
        done = threading.Thread(target=lambda: execute.run_job(job, cache))
        done.start()
        time.sleep(1.0)
        assert not log.exists() or log.read_text() == ""  # nothing ran
    done.join()  # the holder wrote nothing: the job runs it all, once
    assert log.read_text().split() == ["a.py", "c.py"]
    assert sorted(puts(cache_dir)) == ["k0", "k2"]


def test_a_key_its_holder_failed_to_write_is_run_by_the_waiter(counted):
    cache_dir, _ = counted
    cache, p = Cache(cache_dir), plan()
    job = execute.jobs(p, cache)[0]  # a.py's tree: a.py and c.py
    assert set(job.writes) == {"k0", "k2"}
    with cache.locked(["k2"]):  # another holder, which will write nothing
        done = threading.Thread(target=lambda: execute.run_job(job, cache))
        done.start()
        time.sleep(1.0)
        # meanwhile the job ran what it could: a.py, and c.py unwritten
        assert puts(cache_dir) == ["k0"]
    done.join()
    assert sorted(puts(cache_dir)) == ["k0", "k2"]
    assert p.records[2]["stdout"] == "print(2)\n"

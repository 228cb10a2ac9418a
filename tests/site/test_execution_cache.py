"""Never a stale or a wrong output: the execution cache, on a copy of the
repository (two pages of it, so that a cold build takes seconds).

Each test edits the copy, builds it strictly, and reads what ran from the
cache's execution log and which records were written.
"""

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tools.copies import ignore  # what a copy of the repository leaves out

# slow (each test builds a copy of the repository): reused after a pass on
# the same files (tests/conftest.py)
pytestmark = [pytest.mark.xdist_group("execution-cache"),
              pytest.mark.reuse_pass]

PAGES = ["history/1986-backprop.md", "history/2017-transformer.md"]
MINI = """INHERIT: mkdocs.yml
nav:
  - history/1986-backprop.md
  - history/2017-transformer.md
validation:
  nav:
    omitted_files: ignore
    not_found: ignore
  links:
    not_found: ignore
    anchors: ignore
    unrecognized_links: ignore
"""


class Copy:
    def __init__(self, path: Path):
        self.path = path
        self.cache = path / ".cache" / "exec"

    def build(self, name="site", env=None) -> subprocess.CompletedProcess:
        """A strict build of the copy, under torch's native kernels (the
        tests may run under another setting: make kernels) unless `env`
        names one."""
        env = {**{k: v for k, v in os.environ.items()
                  if k not in ("HPE_CACHE_DIR", "ATEN_CPU_CAPABILITY")},
               **(env or {})}
        env["NO_MKDOCS_2_WARNING"] = "1"
        return subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
             "mini.yml", "--site-dir", str(self.path / name)],
            cwd=self.path, env=env, capture_output=True, text=True,
            timeout=600)

    def executions(self) -> list[str]:
        log = self.cache / "executions.log"
        if not log.exists():
            return []
        return [json.loads(line)["what"]
                for line in log.read_text().splitlines()]

    def records(self) -> set[str]:
        return {p.stem for p in self.cache.glob("??/*.json")}

    def edit(self, rel: str, old: str, new: str) -> str:
        path = self.path / rel
        text = path.read_text()
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1))
        return text

    def page(self, page: str) -> str:
        return (self.path / "site" / page.removesuffix(".md") /
                "index.html").read_text()


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    """The repository with two of its pages, built once (cold)."""
    path = tmp_path_factory.mktemp("repo") / "repo"
    shutil.copytree(ROOT, path, ignore=ignore(ROOT))
    for md in (path / "docs").rglob("*.md"):
        rel = md.relative_to(path / "docs").as_posix()
        if rel not in PAGES and not rel.startswith("includes/"):
            md.unlink()
    for story in (path / "notebooks").glob("*.py"):
        story.unlink()  # no notebook chapter: seconds, not a minute
    (path / "mini.yml").write_text(MINI)
    c = Copy(path)
    proc = c.build()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return c


def by_page(whats: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for what in whats:
        page = what.split("#")[0]
        out[page] = out.get(page, 0) + 1
    return out


def test_a_cold_build_runs_each_example_once_and_a_warm_one_nothing(copy):
    ran = copy.executions()
    assert set(by_page(ran)) == set(PAGES)
    # each block runs once, in its chain (these builds run no page top to
    # bottom: HPE_PAGE_RUNS is make test's)
    assert max(ran.count(w) for w in ran) == 1
    before = len(ran)
    proc = copy.build("site2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(copy.executions()) == before, "a warm build ran examples"


def test_a_snippet_edit_runs_only_the_page_that_shows_it(copy):
    before_log, before = len(copy.executions()), copy.records()
    old = copy.edit("snippets/history/transformer_2017.py",
                    "    import torch\n", "    import torch  # edited\n")
    try:
        proc = copy.build()
        assert proc.returncode == 0, proc.stderr[-3000:]
        ran = copy.executions()[before_log:]
        assert set(by_page(ran)) == {"history/2017-transformer.md"}
        written = copy.records() - before
        assert written, "nothing was written"
        kinds = {json.loads(next(copy.cache.glob(f"??/{k}.json"))
                            .read_text())["page"] for k in written}
        assert kinds == {"history/2017-transformer.md"}
        assert "# edited" in copy.page("history/2017-transformer.md")
    finally:
        (copy.path / "snippets/history/transformer_2017.py").write_text(old)
    # back as it was: its records are still there, nothing runs
    n = len(copy.executions())
    assert copy.build().returncode == 0
    assert len(copy.executions()) == n


def test_a_figure_helper_edit_runs_only_the_blocks_that_use_it(copy):
    before_log = len(copy.executions())
    old = copy.edit("tools/figures.py", "import html\n",
                    "import html  # edited\n")
    try:
        proc = copy.build()
        assert proc.returncode == 0, proc.stderr[-3000:]
        ran = copy.executions()[before_log:]
        # the 1986 chapter draws a figure; the 2017 one does not
        assert set(by_page(ran)) == {"history/1986-backprop.md"}
    finally:
        (copy.path / "tools/figures.py").write_text(old)


def test_an_environment_change_runs_what_it_changes(copy):
    # the installed versions are read from the environment: an edit of
    # requirements.txt's text changes no output, and runs nothing
    before_log = len(copy.executions())
    old = copy.edit("requirements.txt", "\n", "\n# edited\n")
    try:
        proc = copy.build()
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert copy.executions()[before_log:] == []
    finally:
        (copy.path / "requirements.txt").write_text(old)
    # a variable that changes how NumPy computes runs every page again
    proc = copy.build(env={"OPENBLAS_VERBOSE": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert set(by_page(copy.executions()[before_log:])) == set(PAGES)


def test_another_kernel_setting_runs_the_torch_examples_again(copy):
    """Under ATEN_CPU_CAPABILITY=default (another machine, as far as torch
    can tell) every block whose chain imports torch runs again, and the
    others are served from the cache."""
    from tools.examples import check_chains, collect, imports_torch
    from tools.records import _config

    config = _config(ROOT)
    expected, numpy_only = set(), set()
    for page in PAGES:
        blocks = collect((copy.path / "docs" / page).read_text(), page,
                         config.markdown_extensions, config.mdx_configs)
        for i, chain in check_chains(blocks).items():
            uses = imports_torch(*(b.code for b in chain))
            (expected if uses else numpy_only).add(f"{page}#{i}")
    assert expected and numpy_only  # both kinds are on these pages
    before_log = len(copy.executions())
    proc = copy.build(env={"ATEN_CPU_CAPABILITY": "default"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    ran = set(copy.executions()[before_log:])
    assert ran == expected
    # its records are its own: built again under it, nothing runs
    before_log = len(copy.executions())
    proc = copy.build(env={"ATEN_CPU_CAPABILITY": "default"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert copy.executions()[before_log:] == []


def test_a_block_that_raises_fails_the_build_and_caches_nothing(copy):
    before = copy.records()
    old = copy.edit("snippets/history/transformer_2017.py",
                    "    import torch\n",
                    "    import torch\n"
                    "    raise RuntimeError('a broken example')\n")
    try:
        proc = copy.build()
        assert proc.returncode != 0
        log = proc.stdout + proc.stderr
        assert "history/2017-transformer.md, block" in log  # page, block
        assert "Traceback" in log and "a broken example" in log
        written = copy.records() - before
        pages = {json.loads(next(copy.cache.glob(f"??/{k}.json"))
                            .read_text())["page"] for k in written}
        # blocks before the broken one may be recorded; nothing of the
        # page's broken chain, and no page run
        for k in written:
            record = json.loads(next(copy.cache.glob(f"??/{k}.json"))
                                .read_text())
            assert "a broken example" not in record.get("code", "")
            assert record["kind"] != "page"
        assert pages <= {"history/2017-transformer.md"}
    finally:
        (copy.path / "snippets/history/transformer_2017.py").write_text(old)


def test_garbage_in_a_record_is_run_again_with_a_warning(copy):
    assert copy.build().returncode == 0
    # a record the pages use now (earlier tests left others behind)
    keys = subprocess.run(
        [sys.executable, "-c", "from tools.records import plan; "
         "print(*plan('history/2017-transformer.md').keys.values())"],
        cwd=copy.path, capture_output=True, text=True, check=True,
        env={k: v for k, v in os.environ.items() if k != "HPE_CACHE_DIR"},
    ).stdout.split()
    record = next(copy.cache.glob(f"??/{keys[0]}.json"))
    good = json.loads(record.read_text())
    record.write_text('{"key": "not this one", "stdout": "OLD"')
    before_log = len(copy.executions())
    proc = copy.build()
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [ln for ln in (proc.stdout + proc.stderr).splitlines()
             if record.name in ln]
    assert len(lines) == 1 and "damaged" in lines[0]
    assert len(copy.executions()) > before_log  # it ran again
    again = json.loads(record.read_text())
    assert again["stdout"] == good["stdout"]


def test_two_builds_at_once_share_the_cache_safely(copy):
    # mkdocs serve and make test at once: each changed example runs once,
    # and both builds show it
    before_log = len(copy.executions())
    old = copy.edit("snippets/history/transformer_2017.py",
                    "    import torch\n", "    import torch  # both\n")
    try:
        results = {}

        def build(name):
            results[name] = copy.build(name)

        threads = [threading.Thread(target=build, args=(n,))
                   for n in ("site-a", "site-b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for name, proc in results.items():
            assert proc.returncode == 0, proc.stderr[-3000:]
        ran = copy.executions()[before_log:]
        # each changed example once, by one of the two (two builds that
        # both executed would show 2; two builds that plan different jobs:
        # tests/tools/test_run_job.py)
        assert ran and max(ran.count(w) for w in ran) == 1
        a = (copy.path / "site-a/history/2017-transformer/index.html")
        b = (copy.path / "site-b/history/2017-transformer/index.html")
        assert a.read_text() == b.read_text()
        for path in copy.cache.glob("??/*.json"):
            json.loads(path.read_text())  # every record whole
    finally:
        (copy.path / "snippets/history/transformer_2017.py").write_text(old)

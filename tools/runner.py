"""Run jobs of examples in tools/kernel.py, in parallel on every core.

One kernel process is started per build process (and kept across the
rebuilds of ``mkdocs serve``); it imports the heavy libraries once and
forks a child per job. Jobs are trees of blocks (tools/examples.py); this
module sends them, waits for them, and returns each block's result.
"""

import atexit
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path

from tools import ROOT
from tools.environment import PRELOAD, Setting, kernel_env

KERNEL = ROOT / "tools" / "kernel.py"
TIMEOUT = 900  # seconds a job may take before it is killed


class JobError(RuntimeError):
    """The job's process died without reporting its blocks."""


class Kernel:
    """One tools/kernel.py server process."""

    def __init__(self, root: Path = ROOT, overrides: Setting = ()):
        self.root = root
        self.source = KERNEL.read_text()
        self.home = Path(tempfile.mkdtemp(prefix="hpe-kernel-"))
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-c", self.source, str(root),
             ",".join(PRELOAD)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            # the kernel's stderr for its whole life: it outlives this call
            stderr=open(self.home / "kernel.log", "wb"),  # noqa: SIM115
            cwd=self.home, env=kernel_env(overrides),
            start_new_session=True,
        )
        self.lock = threading.Lock()
        self.futures: dict[str, Future] = {}
        self.pids: dict[str, int] = {}
        self.ready = threading.Event()
        self.count = 0
        self.retired = False
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        for line in self.proc.stdout:
            message = json.loads(line)
            if "ready" in message:
                self.ready.set()
            elif "started" in message:
                self.pids[message["started"]] = message["pid"]
            elif "done" in message:
                self.pids.pop(message["done"], None)
                with self.lock:
                    future = self.futures.pop(message["done"])
                    idle = self.retired and not self.futures
                future.set_result(message["status"])
                if idle:
                    self.close()
        self.ready.set()
        for future in self.futures.values():  # the kernel died
            future.set_result(-1)

    def retire(self) -> None:
        """Close once the jobs it runs are done (tools/kernel.py changed:
        new jobs go to a new kernel)."""
        with self.lock:
            self.retired = True
            idle = not self.futures
        if idle:
            self.close()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def submit(self, tree: dict, out: Path) -> Future:
        """Run a job; the future's result is the exit code of its child."""
        with self.lock:
            self.count += 1
            job_id = f"job{self.count}"
            future: Future = Future()
            self.futures[job_id] = future
            line = json.dumps({"id": job_id, "tree": tree, "out": str(out)})
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        future.job_id = job_id
        return future

    def kill(self, job_id: str) -> None:
        pid = self.pids.get(job_id)
        if pid:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)

    def close(self) -> None:
        if self.alive() and not self.proc.stdin.closed:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.home, ignore_errors=True)


_kernels: dict[tuple[Path, Setting], Kernel] = {}
_kernels_lock = threading.Lock()


def kernel(root: Path = ROOT, overrides: Setting = ()) -> Kernel:
    """The running kernel for `root` under a kernel setting (tools/
    environment.py), started (or restarted, when it died or tools/kernel.py
    changed) if needed."""
    with _kernels_lock:
        k = _kernels.get((root, overrides))
        if k is None or not k.alive() or k.source != KERNEL.read_text():
            if k is not None:
                k.retire()
            k = _kernels[root, overrides] = Kernel(root, overrides)
        return k


@atexit.register
def _close_all() -> None:
    for k in _kernels.values():
        k.close()


def run(tree: dict, *, root: Path = ROOT, overrides: Setting = ()
        ) -> dict[str, dict]:
    """Run one job (a tree of blocks) and return each block's result by
    block id. Blocks after a failing one have no result."""
    k = kernel(root, overrides)
    with tempfile.TemporaryDirectory(prefix="hpe-job-") as out:
        future = k.submit(tree, Path(out))
        try:
            status = future.result(timeout=TIMEOUT)
        except TimeoutError:
            k.kill(future.job_id)
            raise JobError(f"killed after {TIMEOUT} s") from None
        results = {}
        for path in Path(out).glob("*.json"):
            data = json.loads(path.read_text())
            results[data["id"]] = data
        if status != 0:
            log = Path(out, "job.log")
            text = log.read_text(errors="replace") if log.exists() else ""
            raise JobError(f"the example's process exited with {status}"
                           f"\n{text[-3000:]}")
        return results

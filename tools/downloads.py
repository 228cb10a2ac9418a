"""The downloads as readers run them, in an empty folder, in a reader's
default environment (no OMP_NUM_THREADS, no MPLBACKEND: the thread counts
and the matplotlib backend are the libraries' own):

- a page's script, with plain ``python <page>.py`` (``run_script``);
- a notebook (a page's, or a notebook chapter's), top to bottom in a real
  Jupyter kernel, Jupyter's default ``python3`` kernel of this
  interpreter, started by nbclient as Jupyter starts it
  (``run_notebook``).

Each run is cached like every example (tools/cache.py): its key is the
script's text and the environment key (packages, CPU, kernel setting), so
a script runs again only when its code or the machine changed. A run that
fails is not recorded, and runs again.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.cache import Cache
from tools.environment import Setting, environment_key, kernel_env

# what the build fixes and a reader's shell does not
FIXED_BY_THE_BUILD = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "MPLBACKEND")
TIMEOUT = 1800  # seconds: the longest script, diffusion, takes minutes


def reader_env(overrides: Setting = ()) -> dict[str, str]:
    """The examples' environment without what the build fixes: a
    reader's default."""
    env = kernel_env(overrides)
    for name in FIXED_BY_THE_BUILD:
        env.pop(name, None)
    return env


def key(text: str, name: str, env: dict) -> str:
    payload = {"kind": "script", "name": name, "text": text, "env": env,
               "reader": sorted(FIXED_BY_THE_BUILD)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()
                          ).hexdigest()


def run_script(text: str, name: str, cache: Cache | None = None,
               overrides: Setting = ()) -> dict:
    """``python <name>`` with `text` as the file, in an empty folder;
    the record: returncode, stdout, the end of stderr, seconds."""
    cache = cache or Cache()
    k = key(text, name, environment_key(overrides=overrides))
    with cache.locked([k]):
        found = cache.get(k)
        if found is not None:
            return found
        with tempfile.TemporaryDirectory(prefix="hpe-script-") as folder:
            (Path(folder) / name).write_text(text)
            start = time.perf_counter()
            try:
                proc = subprocess.run(
                    [sys.executable, name], cwd=folder,
                    env=reader_env(overrides), capture_output=True,
                    text=True, timeout=TIMEOUT)
                code, out, err = proc.returncode, proc.stdout, proc.stderr
            except subprocess.TimeoutExpired as error:
                code, out = -1, error.stdout or ""
                err = f"timed out after {TIMEOUT} s"
                if isinstance(out, bytes):
                    out = out.decode(errors="replace")
        record = {"kind": "script", "name": name, "returncode": code,
                  "stdout": out, "stderr": err[-3000:],
                  "seconds": round(time.perf_counter() - start, 2)}
        cache.count("script", name)
        if code == 0:
            cache.put(k, record)
        return record


def notebook_key(cells: list[str], name: str, env: dict) -> str:
    payload = {"kind": "jupyter", "name": name, "cells": cells, "env": env,
               "reader": sorted(FIXED_BY_THE_BUILD)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()
                          ).hexdigest()


def outputs(cell) -> list[dict]:
    """What a reader sees under a code cell: its streams (consecutive
    writes to one stream as one text, as Jupyter shows them), and for a
    figure or a value, which formats it came in."""
    out: list[dict] = []
    for o in cell.get("outputs", []):
        if o["output_type"] == "stream":
            text = "".join(o["text"])
            if out and out[-1].get("stream") == o["name"]:
                out[-1]["text"] += text
            else:
                out.append({"stream": o["name"], "text": text})
        elif o["output_type"] in ("display_data", "execute_result"):
            out.append({"display": sorted(o.get("data", {}))})
        else:  # an error: allow_errors is off, so nbclient raised first
            out.append({"error": o.get("ename", "")})
    return out


def _ran(cell) -> float:
    """Seconds a code cell ran, from the timings nbclient records: from
    the kernel taking it to its reply (0 for other cells)."""
    from datetime import datetime

    timing = cell.get("metadata", {}).get("execution", {})
    start = timing.get("iopub.execute_input")
    end = timing.get("shell.execute_reply")
    if cell.cell_type != "code" or not (start and end):
        return 0.0
    return (datetime.fromisoformat(end) -
            datetime.fromisoformat(start)).total_seconds()


def run_notebook(text: str, name: str, cache: Cache | None = None,
                 overrides: Setting = ()) -> dict:
    """The notebook `text` (as downloaded, saved as `name` in an empty
    folder) run top to bottom in Jupyter's default kernel; the record:
    ok, the error if a cell raised, each code cell's outputs
    (``outputs``), seconds (the wait, the kernel's start included) and
    ``compute``, the seconds the code cells ran (nbclient's timings)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.reads(text, as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    cache = cache or Cache()
    k = notebook_key(cells, name, environment_key(overrides=overrides))
    with cache.locked([k]):
        found = cache.get(k)
        if found is not None:
            return found
        with tempfile.TemporaryDirectory(prefix="hpe-jupyter-") as home:
            folder = Path(home) / "work"
            folder.mkdir()
            (folder / name).write_text(text)
            env = reader_env(overrides)
            # nothing of this machine's IPython profile (startup files)
            env["IPYTHONDIR"] = str(Path(home) / "ipython")
            client = NotebookClient(nb, kernel_name="python3",
                                    timeout=TIMEOUT, allow_errors=False)
            start = time.perf_counter()
            error = None
            try:
                with open(os.devnull, "wb") as quiet:
                    client.execute(cwd=str(folder), env=env, stdout=quiet,
                                   stderr=quiet)
            except CellExecutionError as raised:
                error = str(raised)[-3000:]
            seconds = round(time.perf_counter() - start, 2)
        record = {"kind": "jupyter", "name": name, "ok": error is None,
                  "error": error, "seconds": seconds,
                  "compute": round(sum(map(_ran, nb.cells)), 2),
                  "cells": [outputs(c) for c in nb.cells
                            if c.cell_type == "code"]}
        cache.count("jupyter", name)
        if error is None:
            cache.put(k, record)
        return record

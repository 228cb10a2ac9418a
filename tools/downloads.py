"""The downloads as readers run them: a page's script, run with plain
``python <page>.py`` in an empty folder, in a reader's default
environment (no OMP_NUM_THREADS, no MPLBACKEND: the thread counts and the
matplotlib backend are the libraries' own).

Each run is cached like every example (tools/cache.py): its key is the
script's text and the environment key (packages, CPU, kernel setting), so
a script runs again only when its code or the machine changed. A run that
fails is not recorded, and runs again.
"""

import hashlib
import json
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

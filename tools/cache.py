"""The execution cache: what each example printed, stored by content key.

One JSON file per key under ``.cache/exec/`` (git-ignored; ``make clean``
empties it; ``HPE_CACHE_DIR`` moves it). A record is written to a
temporary file of its own (unique to the process and thread) and renamed
into place, so a reader sees a whole record or none. Each record key has
a lock: whoever is about to execute a key holds it, so two builds (two
threads of one build, or ``mkdocs serve`` and ``make test``) never
execute it twice at once, and the second one reads what the first one
wrote (tools/execute.py, ``run_job``). A record that cannot be read is
reported in one line, removed, and executed again.
"""

import contextlib
import fcntl
import json
import logging
import os
import tempfile
import time
from pathlib import Path

from tools import ROOT

# Not under "mkdocs": a damaged record is repaired, not a reason for a
# strict build to fail; the line goes to stderr all the same.
log = logging.getLogger("hpe.cache")


def folder() -> Path:
    return Path(os.environ.get("HPE_CACHE_DIR") or ROOT / ".cache/exec")


class Cache:
    def __init__(self, path: Path | None = None):
        self.path = Path(path or folder())

    def _file(self, key: str) -> Path:
        return self.path / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        """The record of `key`, or None (never a damaged one)."""
        file = self._file(key)
        try:
            text = file.read_text()
        except FileNotFoundError:
            return None
        try:
            record = json.loads(text)
            if not (isinstance(record, dict) and record.get("key") == key):
                raise ValueError("not a record of this key")
        except ValueError as error:
            log.warning(f"cache: {file.name} is damaged ({error}); running "
                        f"its example again")
            with contextlib.suppress(FileNotFoundError):
                file.unlink()
            return None
        return record

    def put(self, key: str, record: dict) -> None:
        file = self._file(key)
        file.parent.mkdir(parents=True, exist_ok=True)
        # a name no other writer has: two threads may write the same key
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.",
                                   suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(json.dumps({**record, "key": key}))
            os.replace(tmp, file)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    @contextlib.contextmanager
    def locked(self, keys):
        """Hold the locks of `keys`, waiting for each (taken in sorted
        order: no deadlock between two holders that want some of the same
        keys). A lock is flock(2) on a file of its own, opened anew: it
        excludes other threads of this process as well as other
        processes."""
        with self._locks(keys, wait=True):
            yield

    @contextlib.contextmanager
    def try_locked(self, keys):
        """Take the locks of `keys` in sorted order, without waiting, up to
        the first one that is busy; yield the set of keys taken (held
        until the block ends). Stopping there keeps two holders of the
        same keys from splitting them (each would run the other's blocks
        as the start of its own): the one that has the first key takes
        them all, and the other takes none."""
        with self._locks(keys, wait=False) as taken:
            yield taken

    @contextlib.contextmanager
    def _locks(self, keys, *, wait: bool):
        locks = self.path / "locks"
        locks.mkdir(parents=True, exist_ok=True)
        held: dict[str, object] = {}
        flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            for key in sorted(set(keys)):
                # held past this block: the lock lives as long as it is
                # open, and the finally below closes it
                handle = open(locks / f"{key}.lock", "w")  # noqa: SIM115
                try:
                    fcntl.flock(handle, flags)
                except BlockingIOError:  # only without `wait`
                    handle.close()
                    break
                held[key] = handle
            yield set(held)
        finally:
            for handle in reversed(held.values()):
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()

    def count(self, kind: str, what: str) -> None:
        """Append one execution to the log that ``make bench`` counts."""
        self.path.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"kind": kind, "what": what, "at": time.time()})
        fd = os.open(self.path / "executions.log",
                     os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            os.write(fd, (line + "\n").encode())  # one write: atomic
        finally:
            os.close(fd)

    def executions(self) -> list[dict]:
        try:
            text = (self.path / "executions.log").read_text()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.splitlines() if line]

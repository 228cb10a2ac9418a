"""The execution cache: what each example printed, stored by content key.

One JSON file per key under ``.cache/exec/`` (git-ignored; ``make clean``
empties it; ``HPE_CACHE_DIR`` moves it). A record is written to a
temporary file and renamed into place, so a reader sees a whole record or
none; a process about to execute a key holds that key's lock, so two
processes (``mkdocs serve`` and ``make test``) never execute it twice at
once, and the second one reads what the first one wrote. A record that
cannot be read is reported in one line, removed, and executed again.
"""

import contextlib
import fcntl
import json
import logging
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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
        tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({**record, "key": key}))
        os.replace(tmp, file)

    @contextlib.contextmanager
    def locked(self, keys):
        """Hold the locks of `keys` (taken in sorted order: no deadlock
        between two processes that want some of the same keys)."""
        locks = self.path / "locks"
        locks.mkdir(parents=True, exist_ok=True)
        handles = []
        try:
            for key in sorted(set(keys)):
                handle = open(locks / f"{key}.lock", "w")
                fcntl.flock(handle, fcntl.LOCK_EX)
                handles.append(handle)
            yield
        finally:
            for handle in reversed(handles):
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

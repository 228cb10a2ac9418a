"""The execution cache's records: whole or absent, never damaged."""

import json
import logging
import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest

from tools.cache import ROOT, Cache, folder


def test_a_record_round_trips(tmp_path):
    cache = Cache(tmp_path)
    assert cache.get("ab" * 32) is None
    cache.put("ab" * 32, {"stdout": "hi\n"})
    assert cache.get("ab" * 32)["stdout"] == "hi\n"
    assert not list(tmp_path.rglob("*.tmp"))  # written, then renamed


def test_a_damaged_record_is_dropped_with_one_line(tmp_path, caplog):
    cache = Cache(tmp_path)
    key = "cd" * 32
    cache.put(key, {"stdout": "x"})
    path = next(tmp_path.rglob(f"{key}.json"))
    for garbage in ("{not json", json.dumps({"key": "other"}), "[]"):
        path.write_text(garbage)
        with caplog.at_level(logging.WARNING, logger="hpe.cache"):
            caplog.clear()
            assert cache.get(key) is None
        assert len(caplog.records) == 1 and "damaged" in caplog.text
        assert not path.exists()


def _hold(path, key, rounds):
    """Add 1 to the number in `path`, `rounds` times, under `key`'s lock:
    read, yield the processor, write. Without the lock, two holders
    read the same number and one addition is lost."""
    cache = Cache(path.parent)
    for _ in range(rounds):
        with cache.locked([key, "other"]):
            n = int(path.read_text())
            time.sleep(0.002)
            path.write_text(str(n + 1))


@pytest.mark.parametrize("how", ["threads", "processes"])
def test_locks_serialise_two_writers(tmp_path, how):
    counter = tmp_path / "n"
    counter.write_text("0")
    start = (threading.Thread if how == "threads" else
             multiprocessing.get_context("fork").Process)
    holders = [start(target=_hold, args=(counter, "k", 25))
               for _ in range(2)]
    for h in holders:
        h.start()
    for h in holders:
        h.join()
    assert int(counter.read_text()) == 50  # no addition lost


def test_try_locked_takes_the_free_locks_up_to_the_first_busy_one(
        tmp_path):
    cache = Cache(tmp_path)

    def try_in_another_thread(keys):  # a lock held here excludes it too
        taken = []

        def other():
            with cache.try_locked(keys) as got:
                taken.append(got)

        t = threading.Thread(target=other)
        t.start()
        t.join()
        return taken[0]

    with cache.locked(["b"]):
        assert try_in_another_thread(["c", "a", "b"]) == {"a"}
    with cache.locked(["a"]):  # the first is busy: nothing is taken
        assert try_in_another_thread(["b", "a"]) == set()
    with cache.try_locked(["a", "b"]) as got:
        assert got == {"a", "b"}


def test_two_threads_write_one_key_at_once(tmp_path):
    # threads of one build may write the same record; each write needs a
    # temporary file of its own, or one thread's rename takes the other's
    cache, errors = Cache(tmp_path), []

    def write(n):
        try:
            for i in range(300):
                cache.put("ef" * 32, {"stdout": f"{n} {i}"})
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert cache.get("ef" * 32)["stdout"] in ("0 299", "1 299")
    assert not list(tmp_path.rglob("*.tmp"))


def test_executions_are_counted(tmp_path):
    cache = Cache(tmp_path)
    cache.count("block", "p.md#0")
    cache.count("block", "p.md#0")
    assert [e["what"] for e in cache.executions()] == ["p.md#0", "p.md#0"]


def test_the_cache_lives_where_it_says(monkeypatch, tmp_path):
    monkeypatch.delenv("HPE_CACHE_DIR", raising=False)
    assert folder() == ROOT / ".cache/exec"
    monkeypatch.setenv("HPE_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert folder() == tmp_path / "elsewhere"
    assert Cache().path == tmp_path / "elsewhere"
    # one file per key, in a folder named by its first two characters:
    # what tests and tools glob for (??/*.json)
    key = "0f" + "e" * 62
    Cache().put(key, {"stdout": ""})
    assert [p.relative_to(tmp_path / "elsewhere").as_posix()
            for p in (tmp_path / "elsewhere").rglob("*.json")] == [
        f"0f/{key}.json"]


def test_a_record_of_another_key_is_damaged(tmp_path, caplog):
    cache, key = Cache(tmp_path), "ab" * 32
    cache.put(key, {"stdout": "x"})
    path = next(tmp_path.rglob(f"{key}.json"))
    path.write_text(json.dumps({"key": "cd" * 32}))
    with caplog.at_level(logging.WARNING, logger="hpe.cache"):
        assert cache.get(key) is None
    assert "is damaged (not a record of this key); running" in caplog.text


def test_a_damaged_record_removed_meanwhile_is_no_error(tmp_path,
                                                        monkeypatch):
    cache, key = Cache(tmp_path), "ab" * 32
    cache.put(key, {"stdout": "x"})
    next(tmp_path.rglob(f"{key}.json")).write_text("{damaged")

    def gone(self, *args, **kwargs):  # another process removed it first
        raise FileNotFoundError(self)

    monkeypatch.setattr(Path, "unlink", gone)
    assert cache.get(key) is None


def test_a_new_cache_folder_is_made_on_first_write(tmp_path):
    cache = Cache(tmp_path / "a" / "b")
    cache.put("ab" * 32, {"stdout": "x"})
    assert cache.get("ab" * 32)["stdout"] == "x"
    logged = Cache(tmp_path / "c" / "d")
    before = time.time()
    logged.count("block", "p.md#1")
    (entry,) = logged.executions()
    assert entry["kind"] == "block" and entry["what"] == "p.md#1"
    assert before <= entry["at"] <= time.time()


def test_a_record_is_renamed_into_place_from_its_own_folder(tmp_path,
                                                            monkeypatch):
    # a rename is atomic only within one file system: the temporary file
    # sits beside the record
    cache, renamed = Cache(tmp_path), []
    replace = os.replace

    def recording(src, dst):
        renamed.append((Path(src).parent, Path(dst).parent))
        replace(src, dst)

    monkeypatch.setattr(os, "replace", recording)
    cache.put("ab" * 32, {"stdout": "x"})
    assert renamed == [(tmp_path / "ab", tmp_path / "ab")]


def test_a_failed_write_leaves_nothing_and_says_why(tmp_path, monkeypatch):
    cache = Cache(tmp_path)

    def full(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError, match="disk full"):
        cache.put("ab" * 32, {"stdout": "x"})
    assert list(tmp_path.rglob("*")) == [tmp_path / "ab"]

    def vanished(src, dst):  # the temporary file went, then the error
        os.unlink(src)
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", vanished)
    with pytest.raises(OSError, match="disk gone"):
        cache.put("ab" * 32, {"stdout": "x"})

"""The execution cache's records: whole or absent, never damaged."""

import json
import logging
import threading

from tools.cache import Cache


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


def test_locks_serialise_two_writers(tmp_path):
    cache, order = Cache(tmp_path), []

    def writer(n):
        with cache.locked(["k1", "k2"]):
            order.append(("start", n))
            order.append(("end", n))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # never two inside at once
    assert all(order[i][0] == "start" and order[i + 1] == ("end",
                                                           order[i][1])
               for i in range(0, len(order), 2))


def test_executions_are_counted(tmp_path):
    cache = Cache(tmp_path)
    cache.count("block", "p.md#0")
    cache.count("block", "p.md#0")
    assert [e["what"] for e in cache.executions()] == ["p.md#0", "p.md#0"]

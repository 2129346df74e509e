"""Issue 16: ``--data`` keeps a change log beside a compacted snapshot (X79, X80, X81)."""

from __future__ import annotations

import json
import logging
import random
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tinydb import TinyDB

from tests.live import live_server
from trustoo_mock.store import database as store_module
from trustoo_mock.store.database import CorruptDataFile, Store, Tables
from trustoo_mock.testing import MockTrustoo

KILLS = 20


def _log_lines(data_file: Path) -> list[dict[str, object]]:
    log = data_file.with_name(data_file.name + ".log")
    return [json.loads(line) for line in log.read_bytes().splitlines()]


def _shops(data_file: Path) -> list[dict[str, object]]:
    """The shops a restart would see now (from copies: the store writing them stays open)."""
    restart = data_file.parent / "restart"
    restart.mkdir(exist_ok=True)
    for source in (data_file, data_file.with_name(data_file.name + ".log")):
        if source.exists():
            shutil.copyfile(source, restart / source.name)
    reopened = Store(restart / data_file.name)
    try:
        return reopened.find("shops")
    finally:
        reopened.close()
        shutil.rmtree(restart)


def _opened(data_file: Path, **settings: Any) -> Store:
    """A store whose snapshot already holds ten products, so that a small change is a line
    (a change of most of the documents is written as the snapshot)."""
    store = Store(data_file, **settings)
    store.insert_many("products", [{"product_id": str(number)} for number in range(10)])
    return store


def test_each_change_appends_one_line_and_leaves_the_snapshot_alone(tmp_path: Path) -> None:
    data_file = tmp_path / "state.json"
    store = _opened(data_file)
    snapshot = data_file.read_bytes()
    store.insert("shops", {"shop_id": "1"})
    with store.batch():
        store.insert("shops", {"shop_id": "2"})
        store.update("shops", {"shop_id": "1"}, {"name": "renamed"})
        store.delete("shops", shop_id="2")

    assert data_file.read_bytes() == snapshot
    assert _log_lines(data_file) == [
        {"tables": {"shops": {"1": {"shop_id": "1"}}}},
        {"tables": {"shops": {"2": None, "1": {"shop_id": "1", "name": "renamed"}}}},
    ]
    assert _shops(data_file) == [{"shop_id": "1", "name": "renamed"}]
    store.close()


def test_a_change_of_most_documents_is_written_as_the_snapshot(tmp_path: Path) -> None:
    """Loading a seed into an empty data file writes it as the snapshot, not as one line as
    large followed at once by a compaction."""
    data_file = tmp_path / "state.json"
    log = tmp_path / "state.json.log"
    store = Store(data_file)
    store.insert_many("shops", [{"shop_id": str(number)} for number in range(3)])
    assert len(json.loads(data_file.read_bytes())["shops"]) == 3
    assert log.stat().st_size == 0
    store.insert("shops", {"shop_id": "3"})  # one of four: a line
    assert _log_lines(data_file) == [{"tables": {"shops": {"4": {"shop_id": "3"}}}}]
    store.close()


def test_a_restart_replays_the_log_over_the_snapshot(tmp_path: Path) -> None:
    data_file = tmp_path / "state.json"
    store = Store(data_file)
    store.insert_many("shops", [{"shop_id": str(number)} for number in range(5)])
    store.compact()
    store.delete("shops", shop_id="0")
    store.update("shops", {"shop_id": "3"}, {"plan": "pro"})
    store.insert("shops", {"shop_id": "5"})
    expected = store.find("shops")

    assert _shops(data_file) == expected
    store.close()
    assert not (tmp_path / "state.json.log").exists()  # a clean stop: the snapshot alone
    assert json.loads(data_file.read_bytes())["shops"]["4"] == {"shop_id": "3", "plan": "pro"}
    assert _shops(data_file) == expected


def test_a_whole_new_state_is_not_undone_by_the_lines_before_it(tmp_path: Path) -> None:
    data_file = tmp_path / "state.json"
    store = Store(data_file)
    store.insert("shops", {"shop_id": "old"})
    store.replace({"shops": {"7": {"shop_id": "new"}}})
    store.clear()
    store.insert("shops", {"shop_id": "after the clear"})

    assert _shops(data_file) == [{"shop_id": "after the clear"}]
    with pytest.raises(RuntimeError), store.transaction():
        store.insert("shops", {"shop_id": "rolled back"})
        raise RuntimeError
    assert _shops(data_file) == [{"shop_id": "after the clear"}]
    store.close()


def test_a_torn_last_line_is_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data_file = tmp_path / "state.json"
    log = tmp_path / "state.json.log"
    store = _opened(data_file)
    store.insert("shops", {"shop_id": "1"})
    store.insert("shops", {"shop_id": "2"})
    good = log.stat().st_size
    with log.open("ab") as handle:  # the process died in the middle of writing a line
        handle.write(b'{"tables":{"shops":{"3":{"shop_')

    with caplog.at_level(logging.WARNING, logger="trustoo_mock"):
        reopened = Store(data_file)
    assert [shop["shop_id"] for shop in reopened.find("shops")] == ["1", "2"]
    assert f"{log}: ignoring a torn last change at byte {good}" in caplog.text
    assert log.stat().st_size == good  # cut off, so the next line starts on a line of its own
    reopened.insert("shops", {"shop_id": "4"})
    reopened.close()
    assert [shop["shop_id"] for shop in Store(data_file).find("shops")] == ["1", "2", "4"]


def test_a_damaged_line_before_the_last_is_refused(tmp_path: Path) -> None:
    data_file = tmp_path / "state.json"
    log = tmp_path / "state.json.log"
    store = _opened(data_file)
    store.insert("shops", {"shop_id": "1"})
    store.insert("shops", {"shop_id": "2"})
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(lines[0] + b"garbage\n" + lines[1])

    with pytest.raises(CorruptDataFile) as refused:
        Store(data_file)
    assert f"{log} is damaged at byte {len(lines[0])}" in str(refused.value)


def test_a_change_that_could_not_be_written_is_written_with_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed append (disk full) leaves no half line, and its change is not forgotten."""
    data_file = tmp_path / "state.json"
    store = _opened(data_file)
    store.insert("shops", {"shop_id": "1"})
    real_write = store_module.os.write

    def half_then_full(fd: int, data: bytes) -> int:
        real_write(fd, data[: len(data) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(store_module.os, "write", half_then_full)
    with pytest.raises(OSError):
        store.insert("shops", {"shop_id": "2"})
    monkeypatch.undo()
    store.insert("shops", {"shop_id": "3"})

    assert [shop["shop_id"] for shop in _shops(data_file)] == ["1", "2", "3"]
    store.close()


def test_temporaries_of_the_log_are_removed_on_start(tmp_path: Path) -> None:
    """X64 covers the log's atomic rewrites (a compaction) too."""
    data_file = tmp_path / "state.json"
    stale = tmp_path / ".state.json.log.ab_12cd3.tmp"
    stale.write_bytes(b"half a log")
    Store(data_file).close()
    assert not stale.exists()


def _damaged_snapshot(data_file: Path) -> int:
    """Write a snapshot whose JSON breaks after non-ASCII text; returns the byte it breaks at."""
    text = '{"shops":{"1":{"shop_id":"1","name":"Ünïcödé shop"}},"meta":{"1":oops}}'
    data_file.write_text(text, encoding="utf-8")
    return text.encode().index(b"oops")


def test_a_damaged_snapshot_is_refused_naming_the_file_and_byte(tmp_path: Path) -> None:
    data_file = tmp_path / "state.json"
    offset = _damaged_snapshot(data_file)

    with pytest.raises(CorruptDataFile) as refused:
        Store(data_file)
    assert f"{data_file} is damaged at byte {offset}" in str(refused.value)
    assert data_file.read_text(encoding="utf-8").endswith("oops}}")  # left as it was


def test_serve_refuses_a_damaged_snapshot_with_exit_status_2(tmp_path: Path) -> None:
    data_file = tmp_path / "state.json"
    offset = _damaged_snapshot(data_file)
    program = Path(sys.executable).with_name("trustoo-mock")
    finished = subprocess.run(
        [str(program), "serve", "--port", "0", "--data", str(data_file)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 2
    assert f"{data_file} is damaged at byte {offset}" in finished.stderr
    assert "serving" not in finished.stdout


def test_a_data_file_in_the_earlier_format_still_opens(tmp_path: Path) -> None:
    """Migration: the earlier versions wrote the whole state as one compact JSON document
    (TinyDB's format) after every change, with no log beside it."""
    data_file = tmp_path / "state.json"
    earlier = MockTrustoo()
    tables = earlier.fake.ctx.store.tables()
    data_file.write_bytes(json.dumps(tables, separators=(",", ":")).encode())
    reviews = earlier.fake.ctx.store.count("reviews")

    reopened = MockTrustoo(data_file=data_file)
    assert reopened.fake.ctx.store.count("reviews") == reviews
    assert reopened.fake.generation == earlier.fake.generation + 1  # X48 meta kept
    reopened.close()
    assert not (tmp_path / "state.json.log").exists()
    with TinyDB(data_file) as database:  # the snapshot stays TinyDB's to read
        assert len(database.table("reviews")) == reviews


def test_the_log_is_folded_into_the_snapshot_past_the_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_file = tmp_path / "state.json"
    log = tmp_path / "state.json.log"
    store = _opened(data_file, compact_bytes=1000)
    # The log's size when a snapshot starts being written: the data file changes only then.
    folded_at: list[int] = []
    real_parts = store_module._snapshot_parts

    def noting_parts(tables: Tables) -> Iterator[bytes]:
        folded_at.append(log.stat().st_size)
        yield from real_parts(tables)

    monkeypatch.setattr(store_module, "_snapshot_parts", noting_parts)
    inserted = 0
    # Until the log passes the threshold or (looked at too late) was folded already.
    while log.stat().st_size < 1000 and not folded_at:
        store.insert("shops", {"shop_id": str(inserted), "padding": "x" * 40})
        inserted += 1
    store.wait_for_compaction()

    assert len(folded_at) == 1 and folded_at[0] >= 1000, folded_at
    assert log.stat().st_size == 0
    assert len(json.loads(data_file.read_bytes())["shops"]) == inserted
    monkeypatch.setattr(store_module, "_snapshot_parts", real_parts)
    store.close()


def test_changes_during_a_compaction_stay_in_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compaction writes the state as it was when it started (copy on write) and keeps
    the log lines written meanwhile."""
    release = threading.Event()
    started = threading.Event()
    real_parts = store_module._snapshot_parts

    def held_parts(tables: Tables) -> Iterator[bytes]:
        started.set()
        release.wait(timeout=30)
        yield from real_parts(tables)

    monkeypatch.setattr(store_module, "_snapshot_parts", held_parts)
    data_file = tmp_path / "state.json"
    store = _opened(data_file, compact_bytes=1)
    store.insert("shops", {"shop_id": "1", "plan": "free"})
    assert started.wait(timeout=30)
    store.update("shops", {"shop_id": "1"}, {"plan": "pro"})
    store.insert("shops", {"shop_id": "2"})
    release.set()
    store.wait_for_compaction()

    assert json.loads(data_file.read_bytes())["shops"] == {"1": {"shop_id": "1", "plan": "free"}}
    assert [line["tables"] for line in _log_lines(data_file)] == [
        {"shops": {"1": {"shop_id": "1", "plan": "pro"}}},
        {"shops": {"2": {"shop_id": "2"}}},
    ]
    assert _shops(data_file) == [{"shop_id": "1", "plan": "pro"}, {"shop_id": "2"}]
    monkeypatch.setattr(store_module, "_snapshot_parts", real_parts)
    store.close()


@pytest.mark.parametrize(("sync", "per_change"), [("always", 1), ("flush", 0), ("never", 0)])
def test_data_sync_decides_what_is_fsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sync: str, per_change: int
) -> None:
    synced: list[int] = []
    monkeypatch.setattr(store_module.os, "fsync", synced.append)
    store = _opened(tmp_path / "state.json", sync=sync)
    synced.clear()
    for number in range(3):
        store.insert("shops", {"shop_id": str(number)})
    assert len(synced) == 3 * per_change
    store.compact()  # the snapshot, then the emptied log
    assert len(synced) == 3 * per_change + (0 if sync == "never" else 2)
    store.close()


def _write_until_killed(
    base_url: str,
    prefix: str,
    stop: threading.Event,
    acknowledged: list[str],
    enough: tuple[int, threading.Event],
) -> None:
    """Create shops one after another; each answered 201 is acknowledged. Once ``enough[0]``
    of them were, ``enough[1]`` is set: the moment the kill may come."""
    wanted, reached = enough
    answered = 0
    with httpx.Client(base_url=base_url, timeout=5) as http:
        for number in range(100_000):
            shop_id = f"{prefix}{number:05d}"
            try:
                answer = http.post("/_mock/shops", json={"shop_id": shop_id})
            except httpx.TransportError:
                return
            if answer.status_code == 201:
                acknowledged.append(shop_id)
                answered += 1
                if answered >= wanted:
                    reached.set()
            if stop.is_set():
                return


def test_a_killed_server_loses_no_acknowledged_write(tmp_path: Path) -> None:
    """SIGKILL at a random moment while writes are answered, 20 times; every write answered
    before a kill is there after the restart."""
    data_file = tmp_path / "state.json"
    moments = random.Random(16)
    acknowledged: list[str] = []
    checked = 0
    for kill in range(KILLS + 1):
        stop = threading.Event()
        # Each restart looks for the writes answered since the kill before; the last restart
        # looks for every write (one lost at any restart is not read back at a later one).
        unchecked = acknowledged if kill == KILLS else acknowledged[checked:]
        checked = len(acknowledged)
        with live_server("--data", str(data_file), "--empty", stop=signal.SIGKILL) as base_url:
            with httpx.Client(base_url=base_url) as http:
                missing = [
                    shop_id
                    for shop_id in unchecked
                    if http.get(f"/_mock/shops/{shop_id}").status_code != 200
                ]
            assert missing == [], f"lost after kill {kill}"
            if kill == KILLS:
                break
            # The kill waits for a number of answered writes, not for a stretch of time: on a
            # loaded machine a fixed wait could pass before a single write was answered.
            reached = threading.Event()
            writer = threading.Thread(
                target=_write_until_killed,
                args=(
                    base_url,
                    str(kill + 1),
                    stop,
                    acknowledged,
                    (moments.randint(2, 6), reached),
                ),
            )
            writer.start()
            assert reached.wait(60), f"no writes answered before kill {kill + 1}"
            stop.wait(moments.uniform(0.0, 0.05))  # then a random moment, mid-write or not
        stop.set()
        writer.join(timeout=30)
    assert len(acknowledged) > 20

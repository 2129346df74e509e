"""--data keeps state across restarts, and a failed write never corrupts the file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.helpers import DEMO_PRIVATE_TOKEN, DEMO_PUBLIC_TOKEN, compact
from tests.live import live_server
from trustoo_mock.client import RequestsSigner
from trustoo_mock.core import files as files_module
from trustoo_mock.core.signing import parse_query, signed_headers
from trustoo_mock.store.database import Store


def _signed(method: str, url: str, body: bytes = b"") -> httpx.Response:
    request = httpx.Request(method, url, content=body or None)
    now = int(httpx.get(url.split("/api/")[0] + "/_mock/clock").json()["now"])
    query = parse_query(request.url.query)
    request.headers.update(signed_headers(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, now, query, body))
    with httpx.Client() as http:
        return http.send(request)


def test_data_written_through_the_server_survives_a_restart(tmp_path: Path) -> None:
    data_file = tmp_path / "state.json"
    review = {"product_id": "8000000000003", "rating": 4, "author": "Persistent Pat"}
    with live_server("--data", str(data_file)) as base_url:
        created = _signed("POST", f"{base_url}/api/v1/openapi/create_review", compact(review))
        assert created.json()["code"] == 0
        review_id = created.json()["data"]["id"]
        webhook = {"topic": "review/deleted", "url": "https://example.com/persisted"}
        hooked = _signed("POST", f"{base_url}/api/v1/openapi/create_shop_webhook", compact(webhook))
        assert hooked.json()["code"] == 0
    assert json.loads(data_file.read_text())  # a complete JSON document after shutdown

    with live_server("--data", str(data_file)) as base_url:
        found = _signed("GET", f"{base_url}/api/v1/openapi/get_review?id={review_id}").json()
        assert found["code"] == 0
        assert found["data"]["author"] == "Persistent Pat"
        assert found["data"]["rating"] == 4
        listed = _signed("GET", f"{base_url}/api/v1/openapi/get_reviews?page_size=1").json()
        assert listed["data"]["page"]["count"] == 301  # the demo seed is not loaded twice
        hooks = _signed("GET", f"{base_url}/api/v1/openapi/get_shop_webhooks").json()["data"]
        assert [(hook["topic"], hook["url"]) for hook in hooks] == [
            ("review/deleted", "https://example.com/persisted")
        ]


def test_a_crash_mid_write_leaves_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot write (a compaction) that fails halfway leaves the previous snapshot, and
    the change log still holds what the new one would have."""
    data_file = tmp_path / "state.json"
    store = Store(data_file)
    store.insert("shops", {"shop_id": "1"})
    store.compact()
    store.insert("shops", {"shop_id": "2"})
    before = data_file.read_bytes()

    real_fdopen = os.fdopen

    class HalfWritten:
        """The disk fills up halfway through the new file."""

        def __init__(self, fd: int, mode: str) -> None:
            self.handle = real_fdopen(fd, mode)

        def __enter__(self) -> HalfWritten:
            return self

        def __exit__(self, *failure: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> None:
            self.handle.write(data[: len(data) // 2])
            raise OSError("disk full")

    monkeypatch.setattr(files_module.os, "fdopen", HalfWritten)
    with pytest.raises(OSError):
        store.compact()
    monkeypatch.undo()

    assert data_file.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["state.json", "state.json.log"]
    reopened = Store(data_file)
    assert reopened.find("shops") == [{"shop_id": "1"}, {"shop_id": "2"}]
    reopened.close()


def test_the_signer_used_by_clients_matches_the_server(tmp_path: Path) -> None:
    signer = RequestsSigner(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, now=lambda: 1788840306)

    class Prepared:
        def __init__(self) -> None:
            self.url = "http://x/api?b=2&a=1"
            self.body = b'{"k":1}'
            self.headers: dict[str, str] = {}

    signed = signer(Prepared())
    expected = signed_headers(
        DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, 1788840306, [("a", "1"), ("b", "2")], b'{"k":1}'
    )
    assert signed.headers == expected


_KILLED_MID_SAVE = """
import os, sys, time
from pathlib import Path
from trustoo_mock.testing import MockTrustoo

mock = MockTrustoo(data_file=Path(sys.argv[1]), empty=True)
mock.control("POST", "/_mock/shops", {"shop_id": "1"})
mock.fake.ctx.store.blobs.put(b"uploaded bytes")


def stall(fd):  # the next snapshot stops with its temporary file written, not yet renamed
    print("saving", flush=True)
    time.sleep(60)


mock.control("POST", "/_mock/shops", {"shop_id": "2"})
os.fsync = stall
mock.fake.ctx.store.compact()
"""


def test_temporaries_of_a_save_killed_by_sigkill_are_removed_on_start(tmp_path: Path) -> None:
    """Issue 23, item 11 (X64): a SIGKILL mid-save leaves its temporary file; the next start
    removes it, and only files of our own naming."""
    data_file = tmp_path / "state.json"
    saver = subprocess.Popen(
        [sys.executable, "-c", _KILLED_MID_SAVE, str(data_file)], stdout=subprocess.PIPE
    )
    try:
        assert saver.stdout is not None and saver.stdout.readline() == b"saving\n"
    finally:
        saver.kill()
        saver.wait()
        if saver.stdout:
            saver.stdout.close()
    blobs = tmp_path / "state.json.blobs"
    stale = [path.name for path in tmp_path.iterdir() if path.name.startswith(".state.json.")]
    assert len(stale) == 1 and stale[0].endswith(".tmp")
    (blobs / f".{'a' * 64}.abc_1234.tmp").write_bytes(b"half a blob")
    others = [tmp_path / ".state.json.backup", tmp_path / "notes.tmp", blobs / ".keep.tmp"]
    for path in others:
        path.write_bytes(b"not ours")

    with live_server("--data", str(data_file)) as base_url:
        assert httpx.get(f"{base_url}/_mock/shops/1").status_code == 200
        assert httpx.get(f"{base_url}/_mock/shops/2").status_code == 200  # in the change log

    assert not (tmp_path / stale[0]).exists()
    assert not (blobs / f".{'a' * 64}.abc_1234.tmp").exists()
    assert all(path.read_bytes() == b"not ours" for path in others)
    assert len([path for path in blobs.iterdir() if not path.name.startswith(".")]) == 1

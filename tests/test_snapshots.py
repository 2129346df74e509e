"""Snapshots (X93, X94): the whole state saved under a name and brought back byte for byte,
in process and served, in memory and beside a ``--data`` file."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import DEMO_SHOP_ID, FROZEN_AT, CheckedClient
from tests.live import live_server
from tests.receiver import receiver
from trustoo_mock.services.fake import Fake
from trustoo_mock.testing import MockTrustoo, MockTrustooError

REVIEW = {"product_id": "8000000000001", "rating": 4, "author": "Snapshot Taker"}


def _fake(client: CheckedClient) -> Fake:
    fake: Fake = client.app.state.fake
    return fake


def _state(fake: Fake) -> dict[str, Any]:
    """Everything a snapshot promises to bring back, serialised exactly."""
    randomness = fake.ctx.randomness
    return {
        "tables": json.dumps(fake.ctx.store.tables()),
        "blobs": fake.ctx.store.blobs.contents(),
        "clock": (fake.ctx.clock.now(), fake.ctx.clock.frozen),
        "random": (randomness.streams(), randomness.draws, fake.random_seed, fake.generation),
        "journal": json.dumps(fake.journal.entries()),
    }


def _change_everything(client: CheckedClient, hook_url: str) -> None:
    body = {"topic": "review/created", "url": hook_url}
    assert (
        client.signed("POST", "/api/v1/openapi/create_shop_webhook", body=body).json()["code"] == 0
    )
    assert (
        client.control("POST", "/_mock/push_faults", {"kind": "delay", "seconds": 60}).status_code
        == 201
    )
    assert client.signed("POST", "/api/v1/openapi/create_review", body=REVIEW).json()["code"] == 0
    assert client.control("POST", "/_mock/shops", {"name": "Later"}).status_code == 201
    client.control("POST", "/_mock/clock", {"advance": 30})
    _fake(client).ctx.store.blobs.put(b"uploaded after the snapshot")


def test_a_restored_snapshot_is_the_saved_state_byte_for_byte(client: CheckedClient) -> None:
    fake = _fake(client)
    client.signed("GET", "/api/v1/openapi/get_reviews")  # something in the journal
    fake.ctx.store.blobs.put(b"uploaded before the snapshot")
    saved = client.control("POST", "/_mock/snapshots", {"name": "before"})
    assert saved.status_code == 201
    assert saved.json()["name"] == "before"
    before = _state(fake)

    with receiver() as hook:
        _change_everything(client, hook.url)
        assert _state(fake) != before
        restored = client.control("POST", "/_mock/snapshots/before/restore")

    assert restored.status_code == 200
    assert _state(fake) == before


def test_after_a_restore_the_fake_issues_what_it_issued_after_the_save(
    client: CheckedClient,
) -> None:
    client.control("POST", "/_mock/snapshots", {"name": "fork"})
    first = client.control("POST", "/_mock/shops", {}).json()
    client.control("POST", "/_mock/snapshots/fork/restore")
    assert client.control("POST", "/_mock/shops", {}).json() == first


def test_snapshots_are_listed_replaced_and_deleted(client: CheckedClient) -> None:
    client.control("POST", "/_mock/snapshots", {"name": "one"})
    client.control("POST", "/_mock/snapshots", {"name": "two"})
    client.control("POST", "/_mock/clock", {"advance": 60})
    client.control("POST", "/_mock/snapshots", {"name": "one"})  # replaced, now the newest
    listed = client.control("GET", "/_mock/snapshots").json()
    assert [item["name"] for item in listed] == ["two", "one"]
    assert listed[1]["saved_at"] != listed[0]["saved_at"]
    assert client.control("DELETE", "/_mock/snapshots/two").json() == {"status": "ok"}
    assert [item["name"] for item in client.control("GET", "/_mock/snapshots").json()] == ["one"]


def test_a_reset_forgets_the_snapshots_and_a_shop_reset_keeps_them(
    client: CheckedClient,
) -> None:
    client.control("POST", "/_mock/snapshots", {"name": "kept"})
    client.control("POST", "/_mock/reset", {"shop_id": "70000000001"})
    assert len(client.control("GET", "/_mock/snapshots").json()) == 1
    client.control("POST", "/_mock/reset", {})
    assert client.control("GET", "/_mock/snapshots").json() == []


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/_mock/snapshots/nothing/restore"), ("DELETE", "/_mock/snapshots/nothing")],
)
def test_an_unknown_snapshot_is_404(client: CheckedClient, method: str, path: str) -> None:
    answer = client.control(method, path)
    assert answer.status_code == 404
    assert "nothing" in answer.json()["error"]


@pytest.mark.parametrize("name", ["", "../escape", ".hidden", "a" * 65, "white space"])
def test_a_name_that_is_no_plain_file_name_is_refused(client: CheckedClient, name: str) -> None:
    answer = client.control("POST", "/_mock/snapshots", {"name": name})
    assert answer.status_code == 400
    assert "name" in answer.json()["error"]


def test_no_more_than_max_snapshots_are_kept() -> None:
    with MockTrustoo(max_snapshots=2) as trustoo:
        trustoo.control("POST", "/_mock/snapshots", {"name": "a"})
        trustoo.control("POST", "/_mock/snapshots", {"name": "b"})
        trustoo.control("POST", "/_mock/snapshots", {"name": "b"})  # a replacement is fine
        with pytest.raises(Exception, match="409: already 2 snapshots"):
            trustoo.control("POST", "/_mock/snapshots", {"name": "c"})


def test_snapshots_beside_the_data_file_outlive_the_process(tmp_path: Path) -> None:
    data_file = tmp_path / "state.json"
    with MockTrustoo(data_file=data_file, frozen_time=FROZEN_AT) as first:
        first.fake.ctx.store.blobs.put(b"an uploaded image")
        first.control("POST", "/_mock/snapshots", {"name": "kept"})
        saved = _state(first.fake)
        next_shop = first.create_shop()
        first.control("POST", "/_mock/snapshots", {"name": "gone"})
        first.control("DELETE", "/_mock/snapshots/gone")
    assert sorted(path.name for path in (tmp_path / "state.json.snapshots").iterdir()) == [
        "kept.json"
    ]

    with MockTrustoo(data_file=data_file, frozen_time=FROZEN_AT) as second:
        assert [item["name"] for item in second.control("GET", "/_mock/snapshots")] == ["kept"]
        assert second.shop(next_shop.shop_id) == next_shop
        second.control("POST", "/_mock/snapshots/kept/restore")
        restored = _state(second.fake)
        assert {**restored, "journal": None} == {**saved, "journal": None}
        assert json.loads(restored["journal"]) == json.loads(saved["journal"])
        assert second.create_shop() == next_shop


def test_a_damaged_snapshot_file_stops_the_start(tmp_path: Path) -> None:
    data_file = tmp_path / "state.json"
    (tmp_path / "state.json.snapshots").mkdir()
    (tmp_path / "state.json.snapshots" / "broken.json").write_text("{")
    with pytest.raises(ValueError, match=r"broken\.json is not a snapshot"):
        MockTrustoo(data_file=data_file)


def test_restoring_abandons_the_push_in_flight_so_the_restored_log_stays_its_own() -> None:
    """Served, so a push can be in flight while the restore is answered: the attempt made
    before the restore ends after it, and must not be recorded into the restored log; the
    restored delivery is pushed again."""
    with MockTrustoo.serve(frozen_time=FROZEN_AT) as served, receiver() as hook:
        hook.hold = threading.Event()
        hook.statuses = [500]  # the answer to the push in flight, given once the hold ends
        with served.client(DEMO_SHOP_ID, timeout=10) as http:
            webhook = {"topic": "review/created", "url": hook.url}
            assert (
                http.post("/api/v1/openapi/create_shop_webhook", json=webhook).json()["code"] == 0
            )
            assert http.post("/api/v1/openapi/create_review", json=REVIEW).json()["code"] == 0
        _wait_for(lambda: len(hook.pushes) == 1)  # its answer is held: the push is in flight
        served.control("POST", "/_mock/snapshots", {"name": "in-flight"})
        # Over HTTP, answered before the restored delivery's push (held too) has been made.
        restored = httpx.post(f"{served.base_url}/_mock/snapshots/in-flight/restore")
        assert restored.status_code == 200
        hook.hold.set()
        served.wait_idle()

        (delivery,) = served.deliveries()
        assert [attempt["status_code"] for attempt in delivery["attempts"]] == [200]
        assert delivery["status"] == "delivered"
        first, again = hook.pushes
        assert first.headers == again.headers and first.body == again.body


def test_a_reset_abandons_the_push_in_flight_so_the_delivery_reusing_its_id_stays_its_own() -> None:
    """Served, so a push can be in flight while the reset is answered. The reset restarts the
    random source, so the same steps after it give the new delivery the old one's id: the
    attempt made before the reset must not be recorded into it, and it is pushed itself."""
    with MockTrustoo.serve(frozen_time=FROZEN_AT) as served, receiver() as hook:
        hook.hold = threading.Event()
        hook.statuses = [500]  # the answer to the push in flight, given once the hold ends
        delivery_ids = []
        for pushes_before in (0, 1):
            with served.client(DEMO_SHOP_ID, timeout=10) as http:
                webhook = {"topic": "review/created", "url": hook.url}
                answer = http.post("/api/v1/openapi/create_shop_webhook", json=webhook)
                assert answer.json()["code"] == 0
                assert http.post("/api/v1/openapi/create_review", json=REVIEW).json()["code"] == 0
            delivery_ids.append(served.deliveries()[0]["id"])
            if pushes_before == 0:
                _wait_for(lambda: len(hook.pushes) == 1)  # answer held: the push is in flight
                assert httpx.post(f"{served.base_url}/_mock/reset").status_code == 200
        assert delivery_ids[0] == delivery_ids[1]
        hook.hold.set()
        served.wait_idle()

        (delivery,) = served.deliveries()
        assert [attempt["status_code"] for attempt in delivery["attempts"]] == [200]
        assert len(hook.pushes) == 2


def test_the_served_command_line_keeps_snapshots_beside_its_data_file(tmp_path: Path) -> None:
    data_file = str(tmp_path / "state.json")
    arguments = ("--data", data_file, "--random-seed", "3", "--max-snapshots", "4")
    with live_server(*arguments) as base_url:
        saved = httpx.post(f"{base_url}/_mock/snapshots", json={"name": "demo"})
        assert saved.status_code == 201
        shops = httpx.get(f"{base_url}/_mock/shops").json()
        assert httpx.post(f"{base_url}/_mock/shops", json={"name": "After"}).status_code == 201
    with live_server(*arguments) as base_url:
        assert [item["name"] for item in httpx.get(f"{base_url}/_mock/snapshots").json()] == [
            "demo"
        ]
        assert httpx.post(f"{base_url}/_mock/snapshots/demo/restore").status_code == 200
        assert httpx.get(f"{base_url}/_mock/shops").json() == shops


def _wait_for(condition: Any, timeout: float = 5.0) -> None:
    event = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        event.wait(0.01)
    raise TimeoutError("the condition did not come true")


def test_mocktrustoo_snapshot_restores_at_the_end_of_its_block(trustoo: MockTrustoo) -> None:
    shops = trustoo.shops()
    with trustoo.snapshot("clean") as clean:
        trustoo.create_shop(name="Temporary")
        trustoo.advance(3600)
        assert len(trustoo.shops()) == len(shops) + 1
    assert trustoo.shops() == shops
    assert trustoo.snapshots() == ["clean"]
    assert clean.name == "clean"

    trustoo.create_shop(name="Again")
    clean.restore()
    assert trustoo.shops() == shops
    clean.delete()
    assert trustoo.snapshots() == []


def test_mocktrustoo_snapshot_restores_even_when_the_block_fails(trustoo: MockTrustoo) -> None:
    trustoo.freeze()
    before = trustoo.now
    with pytest.raises(RuntimeError), trustoo.snapshot("guard"):
        trustoo.advance(60)
        raise RuntimeError("the test failed half-way")
    assert trustoo.now == before
    with pytest.raises(MockTrustooError, match="404"):
        trustoo.restore("never-saved")


@pytest.mark.trustoo(max_snapshots=1)
def test_the_plugin_marker_sets_the_bound(trustoo: MockTrustoo) -> None:
    trustoo.snapshot("only")
    with pytest.raises(MockTrustooError, match="already 1 snapshots") as refused:
        trustoo.snapshot("second")
    assert refused.value.status == 409

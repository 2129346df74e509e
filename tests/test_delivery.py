"""Webhook delivery: signed pushes, Trustoo's retry schedule on the fake's clock, the log."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    DEMO_ACCESS_TOKEN,
    DEMO_PRIVATE_TOKEN,
    DEMO_SHOP_ID,
    FROZEN_AT,
    CheckedClient,
    grant_token,
    iso,
)
from tests.live import answers_ok, free_port, live_server
from tests.receiver import receiver
from trustoo_mock import Config, create_app
from trustoo_mock.core.principal import KNOWN_SCOPES, Principal
from trustoo_mock.domain import events, reviews, webhooks
from trustoo_mock.testing import MockTrustoo
from trustoo_mock.verify import WebhookVerificationError, verify_webhook

DEMO_SECRET = "ZGVtby1zZWNyZXQtMDAwMQ=="
OFFSETS_MINUTES = [0, 3, 9, 18, 30, 45, 63, 84, 108, 135]
PUSH_TIMEOUT_FOR_A_SILENT_RECEIVER = 1.0
SILENT_UNTIL_CLOSED = 3600.0  # the receiver's close() cuts its delay short
REVIEW = {"product_id": "8000000000001", "rating": 5, "author": "Hook Tester"}


def _subscribe(
    client: CheckedClient,
    url: str,
    topic: str = "review/created",
    token: str | None = None,
    shop: dict[str, Any] | None = None,
) -> str:
    """Subscribe ``url`` as the demo shop, as ``shop`` (its tokens) or with a bearer ``token``."""
    body = {"topic": topic, "url": url}
    if shop is not None:
        answer = client.signed(
            "POST",
            "/api/v1/openapi/create_shop_webhook",
            body=body,
            public_token=shop["public_token"],
            private_token=shop["private_token"],
        )
    elif token is None:
        answer = client.signed("POST", "/api/v1/openapi/create_shop_webhook", body=body)
    else:
        answer = client.bearer("POST", "/api/v1/openapi/create_shop_webhook", token, body=body)
    assert answer.json()["code"] == 0, answer.json()
    return str(answer.json()["data"]["id"])


def _create_review(client: CheckedClient) -> dict[str, Any]:
    answer = client.signed("POST", "/api/v1/openapi/create_review", body=REVIEW).json()
    assert answer["code"] == 0
    return dict(answer["data"])


def _deliveries(client: CheckedClient, **filters: str) -> list[dict[str, Any]]:
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    return list(client.control("GET", f"/_mock/webhook_deliveries?{query}").json())


def _advance(client: CheckedClient, seconds: float) -> None:
    assert client.control("POST", "/_mock/clock", {"advance": seconds}).status_code == 200


def _attempt_minutes(client: CheckedClient, delivery: dict[str, Any]) -> list[float]:
    return [(item["at_unix"] - FROZEN_AT) / 60 for item in delivery["attempts"]]


def test_shop_and_platform_pushes_are_signed_with_their_own_keys(client: CheckedClient) -> None:
    with receiver() as shop_hook, receiver() as platform_hook:
        _subscribe(client, shop_hook.url)
        _subscribe(client, platform_hook.url, token=DEMO_ACCESS_TOKEN)
        review = _create_review(client)

        for hook, key, wrong in (
            (shop_hook, DEMO_PRIVATE_TOKEN, DEMO_SECRET),
            (platform_hook, DEMO_SECRET, DEMO_PRIVATE_TOKEN),
        ):
            assert len(hook.pushes) == 1
            push = hook.pushes[0]
            verify_webhook(push.headers, push.body, key, now=FROZEN_AT)
            with pytest.raises(WebhookVerificationError, match="signature does not match"):
                verify_webhook(push.headers, push.body, wrong, now=FROZEN_AT)
            assert push.headers["Open-Trustoo-Webhook-Public-token"] == "ZGVtby1wdWJsaWMtMDAwMQ=="
            assert push.headers["Open-Trustoo-Webhook-Timestamp"] == str(FROZEN_AT)
            record = json.loads(push.body)["list"][0]
            assert record["id"] == int(review["id"])
            assert record["event_type"] == "review/created"
            assert record["my_shopify_domain"] == "demo-shop.myshopify.com"
            assert record["shopify_shop_id"] == int(DEMO_SHOP_ID)
            assert (record["author"], record["rating"]) == (REVIEW["author"], REVIEW["rating"])
        request_ids = {
            hook.pushes[0].headers["Open-Trustoo-Webhook-RequestId"]
            for hook in (shop_hook, platform_hook)
        }
        assert len(request_ids) == 2 and all(len(value) == 32 for value in request_ids)


def test_deleting_a_review_pushes_review_deleted(client: CheckedClient) -> None:
    with receiver() as hook:
        _subscribe(client, hook.url, topic="review/deleted")
        review = _create_review(client)
        assert hook.pushes == []  # not subscribed to review/created
        client.signed("POST", "/api/v1/openapi/delete_review", body={"id": review["id"]})
        assert [json.loads(push.body)["list"][0]["event_type"] for push in hook.pushes] == [
            "review/deleted"
        ]
        assert json.loads(hook.pushes[0].body)["list"][0]["id"] == int(review["id"])


def test_control_plane_review_fires_review_created(client: CheckedClient) -> None:
    with receiver() as hook:
        _subscribe(client, hook.url)
        created = client.control(
            "POST", f"/_mock/shops/{DEMO_SHOP_ID}/reviews", {"rating": 4, "author": "Storefront"}
        )
        assert created.status_code == 201
        assert json.loads(hook.pushes[0].body)["list"][0]["author"] == "Storefront"


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


@pytest.mark.parametrize("failure", ["status-500", "timeout", "refused"])
def test_a_failing_receiver_sees_ten_attempts_at_the_documented_offsets(failure: str) -> None:
    # Only the timeout case shortens the deadline, and its receiver never answers before the
    # test ends: a slow machine cannot turn a 500 into a timeout, nor a timeout into an answer.
    # The deadline still leaves the push a second to reach the receiver, which counts it.
    config = Config(frozen_time=FROZEN_AT)
    if failure == "timeout":
        config = Config(frozen_time=FROZEN_AT, webhook_timeout=PUSH_TIMEOUT_FOR_A_SILENT_RECEIVER)
    client = CheckedClient(create_app(config))
    with receiver() as hook:
        if failure == "status-500":
            hook.statuses = [500] * 20
        elif failure == "timeout":
            hook.delay = SILENT_UNTIL_CLOSED
        url = _closed_port_url() if failure == "refused" else hook.url
        _subscribe(client, url)
        _create_review(client)
        _advance(client, 135 * 60 - 1)
        assert len(_deliveries(client)[0]["attempts"]) == 9
        _advance(client, 1)
        _advance(client, 24 * 3600)
        (delivery,) = _deliveries(client)
        assert _attempt_minutes(client, delivery) == OFFSETS_MINUTES
        assert delivery["status"] == "failed"
        assert delivery["next_attempt_at"] is None
        if failure == "refused":
            assert all(
                item["error"] and item["status_code"] is None for item in delivery["attempts"]
            )
        else:
            assert len(hook.pushes) == 10
            assert (
                len({push.headers["Open-Trustoo-Webhook-RequestId"] for push in hook.pushes}) == 1
            )
            stamps = [int(push.headers["Open-Trustoo-Webhook-Timestamp"]) for push in hook.pushes]
            assert [(stamp - FROZEN_AT) / 60 for stamp in stamps] == OFFSETS_MINUTES
            for push in hook.pushes:
                verify_webhook(push.headers, push.body, DEMO_PRIVATE_TOKEN, tolerance=None)
        if failure == "status-500":
            assert all(item["status_code"] == 500 for item in delivery["attempts"])
            assert delivery["attempts"][0]["response_excerpt"] == '{"code":0,"message":"success"}'


def test_a_receiver_that_recovers_gets_the_fourth_attempt_and_no_more(
    client: CheckedClient,
) -> None:
    with receiver() as hook:
        hook.statuses = [500, 502, 404]
        _subscribe(client, hook.url)
        _create_review(client)
        _advance(client, 24 * 3600)
        (delivery,) = _deliveries(client)
        assert delivery["status"] == "delivered"
        assert [item["status_code"] for item in delivery["attempts"]] == [500, 502, 404, 200]
        assert _attempt_minutes(client, delivery) == OFFSETS_MINUTES[:4]
        assert len(hook.pushes) == 4


def test_order_is_kept_per_subscription(client: CheckedClient) -> None:
    with receiver() as hook:
        hook.statuses = [500]
        _subscribe(client, hook.url)
        first = _create_review(client)
        second = _create_review(client)
        assert [json.loads(push.body)["list"][0]["id"] for push in hook.pushes] == [
            int(first["id"])
        ]
        _advance(client, 3 * 60)
        ids = [json.loads(push.body)["list"][0]["id"] for push in hook.pushes]
        assert ids == [int(first["id"]), int(first["id"]), int(second["id"])]


def test_nothing_crosses_shops_or_reaches_a_disconnected_platform(client: CheckedClient) -> None:
    other = client.control("POST", "/_mock/shops", {"name": "Other"}).json()
    with receiver() as mine, receiver() as theirs, receiver() as platform_hook:
        _subscribe(client, mine.url)
        _subscribe(client, theirs.url, shop=other)
        platform_hook.statuses = [500]
        _subscribe(client, platform_hook.url, token=DEMO_ACCESS_TOKEN)
        _create_review(client)
        assert (len(mine.pushes), len(theirs.pushes), len(platform_hook.pushes)) == (1, 0, 1)

        client.bearer("POST", "/api/v1/openapi/oauth/disconnect", DEMO_ACCESS_TOKEN)
        _create_review(client)
        _advance(client, 24 * 3600)
        assert (len(mine.pushes), len(theirs.pushes), len(platform_hook.pushes)) == (2, 0, 1)
        statuses = {
            d["platform_id"]: d["status"] for d in _deliveries(client, shop_id=DEMO_SHOP_ID)
        }
        assert statuses == {0: "delivered", 1: "cancelled"}


def test_retry_and_filters(client: CheckedClient) -> None:
    with receiver() as hook:
        hook.statuses = [500] * 10
        _subscribe(client, hook.url)
        _create_review(client)
        _advance(client, 24 * 3600)
        (failed,) = _deliveries(client, status="failed")
        assert _deliveries(client, status="delivered") == []
        assert _deliveries(client, topic="review/deleted") == []
        retried = client.control("POST", f"/_mock/webhook_deliveries/{failed['id']}/retry")
        assert retried.json()["status"] == "pending"
        _advance(client, 1)
        (done,) = _deliveries(client, topic="review/created")
        assert done["status"] == "delivered"
        assert len(done["attempts"]) == 11
        assert client.control("POST", "/_mock/webhook_deliveries/999/retry").status_code == 404


def test_the_log_is_capped_dropping_finished_deliveries_first() -> None:
    client = CheckedClient(create_app(Config(frozen_time=FROZEN_AT, max_deliveries=3)))
    with receiver() as hook:
        _subscribe(client, hook.url)
        for _ in range(5):
            _create_review(client)
        kept = _deliveries(client)
        assert len(kept) == 3
        assert [int(item["id"]) for item in kept] == [3, 4, 5]
        assert len(hook.pushes) == 5


def test_the_schedule_survives_a_kill_and_restart_with_data(tmp_path: Any) -> None:
    data = tmp_path / "state.json"
    import httpx

    from tests.helpers import DEMO_PUBLIC_TOKEN, compact
    from trustoo_mock.core.signing import signed_headers

    def signed_post(base: str, path: str, body: dict[str, Any]) -> Any:
        raw = compact(body)
        now = int(httpx.get(f"{base}/_mock/clock").json()["now"])
        headers = signed_headers(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, now, (), raw)
        return httpx.post(f"{base}{path}", content=raw, headers=headers).json()

    with receiver() as hook:
        hook.statuses = [500, 500]
        with live_server("--data", str(data), stop=signal.SIGKILL) as base:
            signed_post(
                base,
                "/api/v1/openapi/create_shop_webhook",
                {"topic": "review/created", "url": hook.url},
            )
            signed_post(base, "/api/v1/openapi/create_review", REVIEW)
            httpx.post(f"{base}/_mock/clock", json={"advance": 3 * 60})
            assert len(hook.pushes) == 2
        with live_server("--data", str(data)) as base:
            httpx.post(f"{base}/_mock/clock", json={"advance": 9 * 60})
            (delivery,) = httpx.get(f"{base}/_mock/webhook_deliveries").json()
        assert len(hook.pushes) == 3
        assert delivery["status"] == "delivered"
        assert len({push.headers["Open-Trustoo-Webhook-RequestId"] for push in hook.pushes}) == 1


def test_verify_webhook_explains_failures() -> None:
    body = b'{"list":[]}'
    with pytest.raises(WebhookVerificationError) as missing_both:
        verify_webhook({}, body, "key")
    assert str(missing_both.value) == (
        "missing header(s): open-trustoo-webhook-timestamp, open-trustoo-webhook-sign"
    )
    with pytest.raises(WebhookVerificationError, match="Unix seconds"):
        verify_webhook(
            {"Open-Trustoo-Webhook-Timestamp": "x", "Open-Trustoo-Webhook-Sign": "00"}, body, "key"
        )
    with pytest.raises(WebhookVerificationError, match="seconds away"):
        verify_webhook(
            {"Open-Trustoo-Webhook-Timestamp": "100", "Open-Trustoo-Webhook-Sign": "00"},
            body,
            "key",
            now=5000,
        )


def test_a_live_server_on_the_real_clock_pushes_at_once() -> None:
    import httpx

    from tests.helpers import DEMO_PUBLIC_TOKEN, compact
    from trustoo_mock.core.signing import signed_headers

    with receiver() as hook, live_server() as base:
        for path, body in (
            ("/api/v1/openapi/create_shop_webhook", {"topic": "review/created", "url": hook.url}),
            ("/api/v1/openapi/create_review", REVIEW),
        ):
            raw = compact(body)
            now = int(httpx.get(f"{base}/_mock/clock").json()["now"])
            headers = signed_headers(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, now, (), raw)
            assert httpx.post(f"{base}{path}", content=raw, headers=headers).json()["code"] == 0
        for _ in range(200):
            if hook.pushes:
                break
            time.sleep(0.01)
        (push,) = hook.pushes
        verify_webhook(push.headers, push.body, DEMO_PRIVATE_TOKEN)


def test_the_background_dispatcher_sends_retries_that_fall_due_on_the_real_clock() -> None:
    fake = create_app(Config(dispatch_interval=0.01)).state.fake
    with receiver() as hook:
        hook.statuses = [500]
        principal = Principal(DEMO_SHOP_ID, 0, frozenset(KNOWN_SCOPES))
        webhooks.create_webhook(fake.ctx, principal, "review/created", hook.url)
        reviews.create_review(fake.ctx, DEMO_SHOP_ID, {"rating": 3, "author": "Loop"})

        def attempts_made() -> int:
            (delivery,) = fake.ctx.store.find("deliveries")
            return len(delivery["attempts"])

        async def scenario() -> None:
            # Wait on the recorded attempts, not on the receiver: a push arrives before the
            # dispatcher has written down its outcome and the time of the next attempt.
            loop = asyncio.create_task(fake.dispatcher.run_forever())
            try:
                for wanted in (1, 2):
                    for _ in range(300):
                        if attempts_made() == wanted:
                            break
                        await asyncio.sleep(0.01)
                    fake.ctx.clock.advance(3 * 60)  # moved without the control plane's stepping
            finally:
                loop.cancel()

        asyncio.run(scenario())
    assert len(hook.pushes) == 2
    (delivery,) = fake.ctx.store.find("deliveries")
    assert delivery["status"] == "delivered"


# -- pushes in flight, slow receivers, bad records (issues 11 and 23) ------------------------

LIMIT = 15.0  # how long a test waits for something that happens at once when all is well


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + LIMIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {LIMIT} s")
        time.sleep(0.01)


def _mock_subscribe(mock: MockTrustoo, url: str, shop: str = DEMO_SHOP_ID) -> None:
    with mock.client(shop) as http:
        body = {"topic": "review/created", "url": url}
        assert http.post("/api/v1/openapi/create_shop_webhook", json=body).json()["code"] == 0


def _mock_review(mock: MockTrustoo, shop: str = DEMO_SHOP_ID) -> None:
    with mock.client(shop) as http:
        assert http.post("/api/v1/openapi/create_review", json=REVIEW).json()["code"] == 0


def test_an_advance_sent_while_the_first_push_is_in_flight_keeps_the_schedule() -> None:
    """Issue 11: a failing receiver, a frozen clock, a review and at once 30 advances of
    600 s: the first push is still out when the advances arrive."""
    with receiver() as hook, MockTrustoo(frozen_time=FROZEN_AT) as mock:
        hook.statuses = [500] * 20
        _mock_subscribe(mock, hook.url)
        hook.delay = 0.5  # the first push is slow to answer
        with ThreadPoolExecutor(1) as pool:
            creating = pool.submit(_mock_review, mock)
            _until(lambda: len(hook.pushes) == 1, "the first push")
            hook.delay = 0.0
            for _ in range(30):
                mock.advance(600)
            creating.result(LIMIT)
        (delivery,) = mock.deliveries()
    minutes = [(item["at_unix"] - FROZEN_AT) / 60 for item in delivery["attempts"]]
    assert minutes == OFFSETS_MINUTES
    assert delivery["status"] == "failed"


@pytest.mark.parametrize("served", [False, True], ids=["inprocess", "served"])
def test_the_fake_answers_everyone_while_an_advance_waits_for_a_slow_receiver(
    served: bool,
) -> None:
    import httpx

    settings: dict[str, Any] = {"frozen_time": FROZEN_AT, "webhook_timeout": 60.0}
    mock = MockTrustoo.serve(**settings) if served else MockTrustoo(**settings)
    with receiver() as hook, mock, ThreadPoolExecutor(2) as pool:
        hook.statuses = [500]
        _mock_subscribe(mock, hook.url)
        _mock_review(mock)
        mock.wait_idle(LIMIT)  # served, the first push goes after the answer
        hook.hold = threading.Event()
        if served:
            clock = f"{mock.base_url}/_mock/clock"
            advancing = pool.submit(httpx.post, clock, json={"advance": 180}, timeout=LIMIT)
        else:
            advancing = pool.submit(mock.advance, 3 * 60)
        try:
            _until(lambda: len(hook.pushes) == 2, "the second attempt")
            if served:
                health = pool.submit(httpx.get, f"{mock.base_url}/_mock/health", timeout=LIMIT)
                assert health.result(LIMIT).json()["status"] == "ok"
            else:
                health = pool.submit(mock.control, "GET", "/_mock/health")
                assert health.result(LIMIT)["status"] == "ok"
            with mock.client(DEMO_SHOP_ID) as http:
                listed = pool.submit(http.get, "/api/v1/openapi/get_reviews")
                assert listed.result(LIMIT).json()["code"] == 0
            assert not advancing.done()  # it answers once its push has been made
        finally:
            hook.hold.set()
        advancing.result(LIMIT)
        (delivery,) = mock.deliveries()
    assert [item["status_code"] for item in delivery["attempts"]] == [500, 200]


def test_one_held_receiver_holds_back_no_other_subscription() -> None:
    """Issue 23: each attempt is recorded when it ends; subscriptions are independent."""
    with (
        receiver() as slow,
        receiver() as quick,
        MockTrustoo.serve(frozen_time=FROZEN_AT, webhook_timeout=60.0) as mock,
    ):
        slow.hold = threading.Event()
        _mock_subscribe(mock, slow.url)
        _mock_subscribe(mock, quick.url)
        try:
            for _ in range(3):
                _mock_review(mock)

            def quick_ones_delivered() -> bool:
                found = mock.deliveries(status="delivered")
                return [item["url"] for item in found] == [quick.url] * 3

            _until(quick_ones_delivered, "three deliveries to the quick receiver")
            assert len(slow.pushes) == 1
            (head, *_) = mock.deliveries(status="pending")
            assert (head["url"], head["attempts"]) == (slow.url, [])
        finally:
            slow.hold.set()
        mock.wait_idle(LIMIT)
        assert len(slow.pushes) == 3
        assert {item["status"] for item in mock.deliveries()} == {"delivered"}


def test_a_trickling_receiver_fails_at_the_deadline() -> None:
    """webhook_timeout bounds the whole attempt, not each read: a receiver answering one
    byte at a time (its whole answer would take about ten seconds) fails at the deadline."""
    with (
        receiver() as trickling,
        MockTrustoo.serve(frozen_time=FROZEN_AT, webhook_timeout=0.5) as mock,
    ):
        trickling.trickle = 0.2
        _mock_subscribe(mock, trickling.url)
        _mock_review(mock)
        mock.wait_idle(LIMIT)
        (delivery,) = mock.deliveries()
    assert delivery["status"] == "pending"  # a retry is due in three minutes
    (attempt,) = delivery["attempts"]
    assert "timed out" in attempt["error"]
    assert "0.5 s" in attempt["error"]


def test_a_served_fake_stops_within_its_grace_period_while_a_push_is_held(
    tmp_path: Path,
) -> None:
    import httpx

    from tests.helpers import DEMO_PUBLIC_TOKEN, compact
    from trustoo_mock.core.signing import signed_headers

    data = tmp_path / "state.json"
    with receiver() as hook:
        hook.hold = threading.Event()
        port = free_port()
        command = [str(Path(sys.executable).with_name("trustoo-mock")), "serve"]
        arguments = ["--port", str(port), "--data", str(data), "--webhook-timeout", "300"]
        process = subprocess.Popen([*command, *arguments], stdout=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            _until(lambda: answers_ok(f"{base}/_mock/health"), "the server")
            for path, body in (
                (
                    "/api/v1/openapi/create_shop_webhook",
                    {"topic": "review/created", "url": hook.url},
                ),
                ("/api/v1/openapi/create_review", REVIEW),
            ):
                raw = compact(body)
                now = int(httpx.get(f"{base}/_mock/clock").json()["now"])
                headers = signed_headers(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, now, (), raw)
                httpx.post(f"{base}{path}", content=raw, headers=headers)
            _until(lambda: len(hook.pushes) == 1, "the push")
            process.send_signal(signal.SIGTERM)
            # Two seconds of grace for open requests; far less than the push's 300 s.
            assert process.wait(timeout=LIMIT) == 0
        finally:
            hook.hold.set()
            if process.poll() is None:
                process.kill()
                process.wait()
    (delivery,) = json.loads(data.read_text())["deliveries"].values()
    assert (delivery["status"], delivery["attempts"]) == ("pending", [])  # due again at start


def test_a_record_that_cannot_be_encoded_fails_alone(client: CheckedClient) -> None:
    """Issue 23: a stored record with a lone surrogate (kept from before such text was
    refused) fails its own delivery with the reason; every other push goes on."""
    other = client.control("POST", "/_mock/shops", {"name": "Poisoned"}).json()
    fake = client.app.state.fake
    with receiver() as theirs, receiver() as mine:
        _subscribe(client, theirs.url, shop=other)
        _subscribe(client, mine.url)
        record = {"id": "1", "rating": 5, "author": "x", "content": "x\ud800y"}
        events.emit(fake.ctx, other["shop_id"], "review/created", record)
        _create_review(client)
        _advance(client, 60)
        assert theirs.pushes == []
        assert len(mine.pushes) == 1
        (poisoned,) = _deliveries(client, shop_id=other["shop_id"])
        (fine,) = _deliveries(client, shop_id=DEMO_SHOP_ID)
    assert (poisoned["status"], fine["status"]) == ("failed", "delivered")
    assert "UTF-8" in poisoned["attempts"][0]["error"]
    assert poisoned["body"]["list"][0]["content"] == "x\ufffdy"


def test_the_log_stays_bounded_when_every_delivery_is_pending() -> None:
    """Issue 23: a dead receiver cannot grow the log; the oldest pending delivery of the
    subscription with the most waiting is dropped, and the journal says so."""
    client = CheckedClient(create_app(Config(frozen_time=FROZEN_AT, max_deliveries=3)))
    with receiver() as created_hook, receiver() as deleted_hook:
        created_hook.statuses = deleted_hook.statuses = [500] * 100
        _subscribe(client, created_hook.url)
        _subscribe(client, deleted_hook.url, topic="review/deleted")
        first, *_ = [_create_review(client) for _ in range(3)]
        client.signed("POST", "/api/v1/openapi/delete_review", body={"id": first["id"]})
        statuses = [(item["topic"], item["status"]) for item in _deliveries(client)]
        assert statuses == [
            ("review/created", "dropped"),
            ("review/created", "pending"),
            ("review/created", "pending"),
            ("review/deleted", "pending"),
        ]
        (note,) = client.control("GET", "/_mock/requests").json()[-1]["notes"]
        assert "delivery 1 " in note and "dropped" in note

        _create_review(client)
        kept = _deliveries(client)
        assert [(item["id"], item["status"]) for item in kept] == [
            ("2", "dropped"),
            ("3", "pending"),
            ("4", "pending"),
            ("5", "pending"),
        ]
        attempts_when_dropped = len(kept[0]["attempts"])
        _advance(client, 24 * 3600)
        (dropped,) = _deliveries(client, status="dropped")
        assert len(dropped["attempts"]) == attempts_when_dropped
        assert len(_deliveries(client)) == 4


@pytest.mark.parametrize("served", [False, True], ids=["inprocess", "served"])
def test_wait_idle_answers_once_every_push_is_made(served: bool) -> None:
    """Issue 21: a test in any language waits for pushes with one HTTP call."""
    mock = (
        MockTrustoo.serve(frozen_time=FROZEN_AT) if served else MockTrustoo(frozen_time=FROZEN_AT)
    )
    with receiver() as hook, mock, ThreadPoolExecutor(1) as pool:
        _mock_subscribe(mock, hook.url)
        hook.hold = threading.Event()
        creating = pool.submit(_mock_review, mock)  # in process it answers after its push
        try:
            _until(lambda: len(hook.pushes) == 1, "the push")
            busy = _wait_idle(mock, {"timeout": 0.2})
            assert busy.status_code == 504
            assert "1 pushes in flight" in busy.json()["error"]
        finally:
            hook.hold.set()
        idle = _wait_idle(mock, {})
        assert (idle.status_code, idle.json()) == (200, {"status": "idle"})
        (delivery,) = mock.deliveries()
        assert delivery["status"] == "delivered"
        creating.result(LIMIT)
        assert _wait_idle(mock, {"timeout": 0}).status_code == 400


def _wait_idle(mock: MockTrustoo, body: dict[str, Any]) -> Any:
    """Over HTTP when served; in process through the fake's own loop."""
    with mock.client(timeout=LIMIT) as http:
        return http.post("/_mock/wait_idle", json=body)


# -- System Webhooks (issue 11, X44) ----------------------------------------------------------


def test_a_platform_hears_when_its_access_to_a_shop_ends(client: CheckedClient) -> None:
    with receiver() as hook:
        platform = client.control(
            "POST",
            "/_mock/platforms",
            {"client_id": "sys-app", "scopes": ["read_reviews"], "webhook_url": hook.url},
        ).json()
        token = grant_token(client, None, "sys-app")
        client.bearer("POST", "/api/v1/openapi/oauth/disconnect", token)

        grant_token(client, None, "sys-app")
        session = client.control("POST", f"/_mock/shops/{DEMO_SHOP_ID}/merchant_session")
        cancelled = client.request(
            "POST",
            "/api/v1/openapi/oauth/cancel",
            content=b'{"client_id":"sys-app"}',
            headers={
                "Authorization": f"Bearer {session.json()['token']}",
                "Content-Type": "application/json",
            },
        )
        assert cancelled.json()["code"] == 0

        grant_token(client, None, "sys-app")
        hook.statuses = [500]
        uninstall = f"/_mock/shops/{DEMO_SHOP_ID}/installations/sys-app"
        assert client.control("DELETE", uninstall).status_code == 200
        assert client.control("DELETE", uninstall).status_code == 200  # nothing more ends
        _advance(client, 3 * 60)  # the failed push is retried like any other

        events_sent = [json.loads(push.body)["list"][0] for push in hook.pushes]
        assert [record["event_type"] for record in events_sent] == [
            "authorization/disconnected",
            "authorization/cancelled",
            "app/uninstalled",
            "app/uninstalled",
        ]
        for push, record in zip(hook.pushes, events_sent, strict=True):
            verify_webhook(push.headers, push.body, platform["client_secret"], tolerance=None)
            assert push.headers["Open-Trustoo-Webhook-Public-token"] == "ZGVtby1wdWJsaWMtMDAwMQ=="
            assert record["topic"] == record["event_type"]
            assert record["client_id"] == "sys-app"
            assert record["shopify_shop_id"] == int(DEMO_SHOP_ID)
            assert record["my_shopify_domain"] == "demo-shop.myshopify.com"
        assert events_sent[0]["created_at"] == iso(FROZEN_AT)
        assert events_sent[3]["created_at"] == iso(FROZEN_AT)  # the same event, retried

        logged = _deliveries(client, topic="app/uninstalled")
        assert [(item["webhook_id"], item["status"]) for item in logged] == [(None, "delivered")]
        assert [item["status_code"] for item in logged[0]["attempts"]] == [500, 200]


def test_no_system_webhook_without_a_webhook_url(client: CheckedClient) -> None:
    client.bearer("POST", "/api/v1/openapi/oauth/disconnect", DEMO_ACCESS_TOKEN)
    assert _deliveries(client) == []

"""Delivery semantics a receiver relies on: what counts as delivered, where and how a push is
sent, what the log records of the answer, and how a manual retry and the log cap behave."""

from __future__ import annotations

import pytest

from tests.helpers import FROZEN_AT
from tests.pins import advance, create_review, deliveries, fake, subscribe
from tests.receiver import receiver

OFFSETS_MINUTES = [0, 3, 9, 18, 30, 45, 63, 84, 108, 135]


@pytest.mark.parametrize("status", [201, 204])
def test_only_http_200_counts_as_delivered(status: int) -> None:
    client = fake()
    with receiver() as hook:
        hook.status, hook.answer = status, b""
        subscribe(client, hook.url)
        create_review(client)
        (delivery,) = deliveries(client)
        assert delivery["status"] == "pending"
        assert [item["status_code"] for item in delivery["attempts"]] == [status]
        hook.status = 200
        advance(client, 3 * 60)
        (delivery,) = deliveries(client)
    assert delivery["status"] == "delivered"
    assert [item["status_code"] for item in delivery["attempts"]] == [status, 200]


def test_a_manual_retry_starts_a_fresh_ten_attempt_schedule() -> None:
    client = fake(webhook_timeout=1.0)
    with receiver() as hook:
        hook.status = 500
        subscribe(client, hook.url)
        create_review(client)
        advance(client, 135 * 60)
        (delivery,) = deliveries(client)
        assert delivery["status"] == "failed" and len(delivery["attempts"]) == 10

        advance(client, 1000)
        retry_at = FROZEN_AT + 135 * 60 + 1000
        retried = client.control("POST", f"/_mock/webhook_deliveries/{delivery['id']}/retry")
        assert retried.status_code == 200
        advance(client, 135 * 60 - 1)
        (delivery,) = deliveries(client)
        assert delivery["status"] == "pending" and len(delivery["attempts"]) == 19
        advance(client, 1)
        (delivery,) = deliveries(client)
    second = [(item["at_unix"] - retry_at) / 60 for item in delivery["attempts"][10:]]
    assert second == OFFSETS_MINUTES
    assert delivery["status"] == "failed" and len(hook.pushes) == 20


def test_a_push_goes_to_the_subscribed_path_and_query_as_json() -> None:
    client = fake()
    with receiver() as hook:
        subscribe(client, hook.url + "/deep/path?shop=a%20b&x=1")
        create_review(client)
        (push,) = hook.pushes
    assert push.path == "/hook/deep/path?shop=a%20b&x=1"
    assert push.headers["Content-Type"] == "application/json"


def test_the_log_keeps_200_bytes_of_the_answer_decoded_leniently() -> None:
    client = fake()
    with receiver() as hook:
        subscribe(client, hook.url)
        hook.answer = b"a" * 199 + "é".encode() + b"z" * 50
        create_review(client)
        hook.answer = b"\xff\xfe\x80 not utf-8"
        create_review(client)
        cut, binary = deliveries(client)
    assert cut["attempts"][0]["response_excerpt"] == "a" * 199 + "\ufffd"
    assert binary["attempts"][0]["response_excerpt"] == "\ufffd\ufffd\ufffd not utf-8"
    assert (cut["status"], binary["status"]) == ("delivered", "delivered")


def test_latency_is_recorded_in_milliseconds() -> None:
    client = fake()
    with receiver() as hook:
        hook.delay = 0.05
        subscribe(client, hook.url)
        create_review(client)
        (delivery,) = deliveries(client)
    latency = delivery["attempts"][0]["latency_ms"]
    assert 50 <= latency < 30_000


def test_the_log_holds_exactly_its_cap() -> None:
    client = fake(max_deliveries=3)
    with receiver() as hook:
        subscribe(client, hook.url)
        for _ in range(3):
            create_review(client)
        assert len(deliveries(client)) == 3
        create_review(client)
        kept = deliveries(client)
    assert [int(item["id"]) for item in kept] == [2, 3, 4]


def test_deleting_one_subscription_cancels_only_its_own_pending_deliveries() -> None:
    client = fake()
    with receiver() as hook:
        hook.status = 500
        kept = subscribe(client, hook.url + "/kept")
        dropped = subscribe(client, hook.url + "/dropped")
        create_review(client)
        delete = "/api/v1/openapi/delete_shop_webhook"
        assert client.signed("POST", delete, body={"id": dropped}).json()["code"] == 0
        missing = client.signed("POST", delete, body={"id": dropped}).json()
        assert missing["code"] == 5 and f"id {dropped} " in missing["message"]
        advance(client, 3 * 60)
        statuses = {item["webhook_id"]: item["status"] for item in deliveries(client)}
    assert statuses == {kept: "pending", dropped: "cancelled"}

"""Push faults (X90-X92): webhook pushes that misbehave on purpose, as a receiver sees them.

Every test runs in process and against the live server (the ``client`` fixture), with the
public ``webhook_receiver`` fixture as the receiver and ``verify_webhook`` as its check."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import DEMO_PRIVATE_TOKEN, FROZEN_AT, CheckedClient
from trustoo_mock.receiver import WebhookReceiver
from trustoo_mock.testing import MockTrustoo, MockTrustooError
from trustoo_mock.verify import WebhookVerificationError, verify_webhook

REVIEW = {"product_id": "8000000000001", "rating": 5, "author": "Fault Finder"}
REQUEST_ID = "Open-Trustoo-Webhook-RequestId"


def _subscribe(client: CheckedClient, url: str, topic: str = "review/created") -> None:
    answer = client.signed(
        "POST", "/api/v1/openapi/create_shop_webhook", body={"topic": topic, "url": url}
    )
    assert answer.json()["code"] == 0, answer.json()


def _create_review(client: CheckedClient, author: str = "Fault Finder") -> str:
    answer = client.signed(
        "POST", "/api/v1/openapi/create_review", body={**REVIEW, "author": author}
    )
    assert answer.json()["code"] == 0, answer.json()
    return str(answer.json()["data"]["id"])


def _push_fault(client: CheckedClient, **fields: Any) -> dict[str, Any]:
    answer = client.control("POST", "/_mock/push_faults", fields)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def _deliveries(client: CheckedClient) -> list[dict[str, Any]]:
    return list(client.control("GET", "/_mock/webhook_deliveries").json())


def _authors(receiver: WebhookReceiver) -> list[str]:
    return [push.json()["list"][0]["author"] for push in receiver.pushes]


def test_a_duplicate_push_arrives_twice_with_the_same_request_id(
    client: CheckedClient, webhook_receiver: WebhookReceiver
) -> None:
    _subscribe(client, webhook_receiver.url)
    fault = _push_fault(client, kind="duplicate", times=1)
    _create_review(client)
    _create_review(client, "Second")

    first, copy, second = webhook_receiver.wait_for(3)
    assert first.header(REQUEST_ID) == copy.header(REQUEST_ID) != second.header(REQUEST_ID)
    assert (first.body, first.headers) == (copy.body, copy.headers)
    for push in (first, copy, second):
        verify_webhook(push.headers, push.body, DEMO_PRIVATE_TOKEN, now=FROZEN_AT)
    duplicated, plain = _deliveries(client)
    touched = {"id": fault["id"], "kind": "duplicate"}
    assert [item["push_fault"] for item in duplicated["attempts"]] == [touched, touched]
    assert duplicated["status"] == "delivered"
    assert [item["push_fault"] for item in plain["attempts"]] == [None]
    (listed,) = client.control("GET", "/_mock/push_faults").json()
    assert (listed["fired"], listed["active"]) == (1, False)


def test_a_bad_signature_is_refused_by_verify_webhook_and_the_retry_is_signed(
    client: CheckedClient, webhook_receiver: WebhookReceiver
) -> None:
    _subscribe(client, webhook_receiver.url)
    _push_fault(client, kind="bad_signature", times=1)
    webhook_receiver.respond(401, times=1)  # a receiver that checks refuses the forgery
    _create_review(client)

    (forged,) = webhook_receiver.wait_for(1)
    with pytest.raises(WebhookVerificationError, match="signature does not match"):
        verify_webhook(forged.headers, forged.body, DEMO_PRIVATE_TOKEN, now=FROZEN_AT)
    assert len(forged.header("Open-Trustoo-Webhook-Sign") or "") == 64
    client.control("POST", "/_mock/clock", {"advance": 180})  # the schedule's second attempt
    forged_again, retried = webhook_receiver.wait_for(2)
    assert forged_again is forged
    verify_webhook(retried.headers, retried.body, DEMO_PRIVATE_TOKEN, now=FROZEN_AT + 180)
    (delivery,) = _deliveries(client)
    assert [item["push_fault"] for item in delivery["attempts"]][1] is None
    assert delivery["attempts"][0]["push_fault"]["kind"] == "bad_signature"
    assert delivery["status"] == "delivered"


def test_a_stale_timestamp_is_refused_by_verify_webhook_though_rightly_signed(
    client: CheckedClient, webhook_receiver: WebhookReceiver
) -> None:
    _subscribe(client, webhook_receiver.url)
    _push_fault(client, kind="stale_timestamp", topic="review/created")
    _create_review(client)

    (stale,) = webhook_receiver.wait_for(1)
    with pytest.raises(WebhookVerificationError, match="3600 seconds away"):
        verify_webhook(stale.headers, stale.body, DEMO_PRIVATE_TOKEN, now=FROZEN_AT)
    verify_webhook(stale.headers, stale.body, DEMO_PRIVATE_TOKEN, tolerance=None)
    with pytest.raises(WebhookVerificationError):
        stale.verify(DEMO_PRIVATE_TOKEN, now=FROZEN_AT)


def test_out_of_order_swaps_a_push_with_the_next_one_of_its_subscription(
    client: CheckedClient, webhook_receiver: WebhookReceiver
) -> None:
    _subscribe(client, webhook_receiver.url)
    fault = _push_fault(client, kind="out_of_order", times=1)
    _create_review(client, "First")
    assert webhook_receiver.pushes == []  # held until the next push of the subscription
    _create_review(client, "Second")
    _create_review(client, "Third")

    webhook_receiver.wait_for(3)
    assert _authors(webhook_receiver) == ["Second", "First", "Third"]
    first, second, third = _deliveries(client)
    assert first["attempts"][0]["push_fault"] == {"id": fault["id"], "kind": "out_of_order"}
    assert second["attempts"][0]["push_fault"] is None
    assert {item["status"] for item in (first, second, third)} == {"delivered"}


def test_removing_an_out_of_order_fault_lets_the_held_push_go(
    client: CheckedClient, webhook_receiver: WebhookReceiver
) -> None:
    _subscribe(client, webhook_receiver.url)
    fault = _push_fault(client, kind="out_of_order")
    _create_review(client, "Held")
    assert webhook_receiver.pushes == []
    answer = client.control("DELETE", f"/_mock/push_faults/{fault['id']}")
    assert answer.json() == {"status": "ok"}
    client.control("POST", "/_mock/wait_idle", {})
    assert _authors(webhook_receiver) == ["Held"]
    assert client.control("GET", "/_mock/push_faults").json() == []


def test_a_delay_holds_the_push_and_its_subscription_for_seconds_of_fake_time(
    client: CheckedClient, webhook_receiver: WebhookReceiver
) -> None:
    _subscribe(client, webhook_receiver.url)
    fault = _push_fault(client, kind="delay", seconds=60, times=1)
    _create_review(client, "Late")
    _create_review(client, "Behind")
    client.control("POST", "/_mock/clock", {"advance": 59})
    assert webhook_receiver.pushes == []
    client.control("POST", "/_mock/clock", {"advance": 1})
    webhook_receiver.wait_for(2)
    assert _authors(webhook_receiver) == ["Late", "Behind"]
    late, behind = _deliveries(client)
    assert late["attempts"][0]["at_unix"] == FROZEN_AT + 60
    assert late["attempts"][0]["push_fault"] == {"id": fault["id"], "kind": "delay"}
    assert behind["attempts"][0]["push_fault"] is None


def test_a_fault_touches_only_its_topic_and_the_oldest_matching_fault_fires(
    client: CheckedClient, webhook_receiver: WebhookReceiver
) -> None:
    _subscribe(client, webhook_receiver.url)
    elsewhere = _push_fault(client, kind="bad_signature", topic="review/deleted")
    older = _push_fault(client, kind="stale_timestamp", times=1)
    _push_fault(client, kind="duplicate", times=1)
    _create_review(client)

    webhook_receiver.wait_for(1)
    listed = {
        item["id"]: item["fired"] for item in client.control("GET", "/_mock/push_faults").json()
    }
    assert listed[elsewhere["id"]] == 0
    assert listed[older["id"]] == 1
    assert len(webhook_receiver.pushes) == 1  # the duplicate fault is still waiting


def test_push_faults_are_removed_all_at_once_and_by_reset(client: CheckedClient) -> None:
    _push_fault(client, kind="duplicate")
    _push_fault(client, kind="delay", seconds=1)
    assert client.control("DELETE", "/_mock/push_faults").json() == {"status": "ok"}
    assert client.control("GET", "/_mock/push_faults").json() == []
    _push_fault(client, kind="duplicate")
    client.control("POST", "/_mock/reset", {})
    assert client.control("GET", "/_mock/push_faults").json() == []


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"kind": "late"}, "kind"),
        ({}, "kind"),
        ({"kind": "delay"}, "seconds"),
        ({"kind": "duplicate", "seconds": 5}, "seconds"),
        ({"kind": "delay", "seconds": 0}, "seconds"),
        ({"kind": "duplicate", "times": 0}, "times"),
        ({"kind": "duplicate", "topic": "review/liked"}, "topic"),
        ({"kind": "duplicate", "time": 1}, "time"),
    ],
)
def test_a_malformed_push_fault_is_refused_naming_the_field(
    client: CheckedClient, fields: dict[str, Any], named: str
) -> None:
    answer = client.control("POST", "/_mock/push_faults", fields)
    assert answer.status_code == 400
    assert named in answer.json()["error"]
    assert client.control("GET", "/_mock/push_faults").json() == []


def test_removing_an_unknown_push_fault_is_404(client: CheckedClient) -> None:
    answer = client.control("DELETE", "/_mock/push_faults/42")
    assert answer.status_code == 404
    assert "42" in answer.json()["error"]


def test_a_push_fault_leaves_the_stored_body_alone(
    client: CheckedClient, webhook_receiver: WebhookReceiver
) -> None:
    _subscribe(client, webhook_receiver.url)
    _push_fault(client, kind="bad_signature", times=1)
    _create_review(client)
    (push,) = webhook_receiver.wait_for(1)
    (delivery,) = _deliveries(client)
    assert json.loads(push.body) == delivery["body"]


def test_mocktrustoo_push_fault_is_a_handle_removed_at_the_end_of_its_block(
    trustoo: MockTrustoo, webhook_receiver: WebhookReceiver
) -> None:
    shop = trustoo.create_shop()
    with trustoo.client(shop) as http:
        webhook = {"topic": "review/created", "url": webhook_receiver.url}
        assert http.post("/api/v1/openapi/create_shop_webhook", json=webhook).json()["code"] == 0
        with trustoo.push_fault("duplicate", topic="review/created", times=1) as fault:
            assert (fault.kind, fault.topic, fault.times, fault.fired) == (
                "duplicate",
                "review/created",
                1,
                0,
            )
            assert http.post("/api/v1/openapi/create_review", json=REVIEW).json()["code"] == 0
            assert fault.fired == 1
        assert trustoo.push_faults() == []

    first, copy = webhook_receiver.wait_for(2)
    assert first.header(REQUEST_ID) == copy.header(REQUEST_ID)
    first.verify(shop.private_token, now=trustoo.now)
    fault.remove()  # already gone: nothing happens


def test_mocktrustoo_push_fault_refusals_are_errors(trustoo: MockTrustoo) -> None:
    with pytest.raises(MockTrustooError, match="seconds") as refused:
        trustoo.push_fault("delay")
    assert refused.value.status == 400
    delayed = trustoo.push_fault("delay", seconds=2.5)
    assert delayed.seconds == 2.5
    trustoo.clear_push_faults()
    assert trustoo.push_faults() == []

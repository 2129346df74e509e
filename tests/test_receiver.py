"""WebhookReceiver: records pushes from the fake, fails and stalls on request."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from trustoo_mock import MockTrustoo, WebhookReceiver
from trustoo_mock.testing import Shop
from trustoo_mock.verify import WebhookVerificationError


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def _post(url: str, body: bytes = b"{}") -> int:
    request = urllib.request.Request(url, data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code


def _subscribe_and_review(fake: MockTrustoo, shop: Shop, url: str) -> None:
    with fake.client(shop) as http:
        webhook = {"topic": "review/created", "url": url}
        assert http.post("/api/v1/openapi/create_shop_webhook", json=webhook).json()["code"] == 0
        review = {"rating": 5, "author": "Ana"}
        assert http.post("/api/v1/openapi/create_review", json=review).json()["code"] == 0


def test_records_every_push_with_what_it_answered(receiver: WebhookReceiver) -> None:
    assert _post(receiver.url, b'{"list": []}') == 200
    assert _post(f"{receiver.base_url}/other?x=1") == 200
    first, second = receiver.pushes
    assert (first.path, first.body, first.answered) == ("/webhooks", b'{"list": []}', 200)
    assert first.header("content-length") == "12"
    assert second.path == "/other?x=1"
    receiver.clear()
    assert receiver.pushes == []


def test_fails_for_a_while_then_recovers(receiver: WebhookReceiver) -> None:
    receiver.respond(503, times=2)
    assert [_post(receiver.url) for _ in range(3)] == [503, 503, 200]
    receiver.respond(500)
    assert [_post(receiver.url) for _ in range(3)] == [500, 500, 500]
    receiver.respond()
    assert _post(receiver.url) == 200


def test_a_delay_outlasts_the_fakes_timeout(receiver: WebhookReceiver) -> None:
    receiver.respond(200, delay=1.0, times=1)
    with MockTrustoo(webhook_timeout=0.2) as fake:
        shop = fake.create_shop()
        _subscribe_and_review(fake, shop, receiver.url)
        (delivery,) = fake.deliveries()
    assert delivery["status"] == "pending"  # the first attempt timed out; a retry is due
    assert delivery["attempts"][0]["status_code"] is None
    assert "timed out" in delivery["attempts"][0]["error"]


def test_an_in_process_fake_pushes_for_real(receiver: WebhookReceiver) -> None:
    with MockTrustoo() as fake:
        shop = fake.create_shop()
        _subscribe_and_review(fake, shop, receiver.url)
    (push,) = receiver.pushes  # delivered before create_review answered
    assert push.topic == "review/created"
    assert push.json()["list"][0]["author"] == "Ana"
    push.verify(shop.private_token)
    with pytest.raises(WebhookVerificationError):
        push.verify("another key")


def test_waits_for_pushes_a_server_sends_in_the_background(receiver: WebhookReceiver) -> None:
    with MockTrustoo.serve() as fake:
        shop = fake.create_shop()
        _subscribe_and_review(fake, shop, receiver.url)
        (push,) = receiver.wait_for(1)
    assert push.answered == 200
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="1 of 2"):
        receiver.wait_for(2, timeout=0.1)
    assert time.monotonic() - started < 2

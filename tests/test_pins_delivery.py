"""Delivery semantics a receiver relies on: what counts as delivered, where and how a push is
sent, what the log records of the answer, and how a manual retry and the log cap behave."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import pytest

from tests.helpers import DEMO_PRIVATE_TOKEN, DEMO_SHOP_ID, FROZEN_AT, CheckedClient, iso
from tests.pins import advance, create_review, deliveries, fake, subscribe, subscribed
from tests.receiver import receiver
from trustoo_mock.core import signing
from trustoo_mock.domain import events
from trustoo_mock.services import delivery as delivery_module
from trustoo_mock.services.delivery import SELF_PUSH, Attempt, Dispatcher, Outcome, send
from trustoo_mock.verify import verify_webhook

OFFSETS_MINUTES = [0, 3, 9, 18, 30, 45, 63, 84, 108, 135]


@pytest.mark.parametrize("status", [201, 204])
def test_only_http_200_counts_as_delivered(status: int) -> None:
    client = fake()
    with subscribed(client, status=status, answer=b"") as hook:
        create_review(client)
        (delivery,) = deliveries(client)
        assert delivery["status"] == "pending"
        assert [item["status_code"] for item in delivery["attempts"]] == [status]
        hook.status = 200
        advance(client, 3 * 60)
        (delivery,) = deliveries(client)
    assert delivery["status"] == "delivered"
    assert delivery["next_attempt_at"] is None
    assert [item["status_code"] for item in delivery["attempts"]] == [status, 200]
    assert [item["number"] for item in delivery["attempts"]] == [1, 2]


def test_a_manual_retry_starts_a_fresh_ten_attempt_schedule() -> None:
    client = fake(webhook_timeout=1.0)
    with subscribed(client, status=500) as hook:
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
    with subscribed(client) as hook:
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
    with subscribed(client, delay=0.05):
        create_review(client)
        (delivery,) = deliveries(client)
    latency = delivery["attempts"][0]["latency_ms"]
    assert 50 <= latency < 30_000


def test_the_log_holds_exactly_its_cap() -> None:
    client = fake(max_deliveries=3)
    with subscribed(client):
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


def test_a_push_that_can_never_be_made_fails_at_once_logging_only_its_reason() -> None:
    client = fake()
    with subscribed(client) as hook:
        # lone surrogates at both ends of their range, and the character after it
        record = {"id": "1", "rating": 5, "author": "x", "content": "x\ud800\udfff\ue000y"}
        events.emit(client.app.state.fake.ctx, DEMO_SHOP_ID, "review/created", record)
        advance(client, 60)
        (delivery,) = deliveries(client)
    assert hook.pushes == []
    assert delivery["body"]["list"][0]["content"] == "x\ufffd\ufffd\ue000y"
    assert delivery["status"] == "failed" and delivery["headers"] == {}
    (attempt,) = delivery["attempts"]
    assert (attempt["status_code"], attempt["latency_ms"], attempt["response_excerpt"]) == (
        None,
        0.0,
        "",
    )
    assert attempt["error"].startswith(
        "refused: the push body cannot be encoded as UTF-8 (surrogates not allowed at character "
    )
    assert attempt["error"].endswith("); the record was stored before such text was refused")


def test_a_retry_queues_the_delivery_once_and_pushes_it_at_once() -> None:
    client = fake()
    with subscribed(client, status=500) as hook:
        create_review(client)
        (delivery,) = deliveries(client)
        ctx = client.app.state.fake.ctx
        queued = ctx.queued
        retry = f"/_mock/webhook_deliveries/{delivery['id']}/retry"
        retried = client.control("POST", retry).json()
        assert ctx.queued == queued + 1
        assert (retried["status"], retried["next_attempt_at"]) == ("pending", retried["created_at"])
        (delivery,) = deliveries(client)
        assert client.control("POST", "/_mock/webhook_deliveries/99/retry").status_code == 404
    assert len(hook.pushes) == 2
    assert [item["at_unix"] for item in delivery["attempts"]] == [FROZEN_AT, FROZEN_AT]
    assert delivery["next_attempt_at"] != delivery["created_at"]  # the second of its new schedule


async def _take_the_clock(dispatcher: Dispatcher) -> None:
    async with dispatcher.clock_lock():
        pass


def test_two_clock_changes_never_step_at_once_on_any_event_loop() -> None:
    dispatcher = fake().app.state.fake.dispatcher

    async def contend() -> None:
        async with dispatcher.clock_lock():
            assert dispatcher.clock_lock().locked()
            waiting = asyncio.create_task(_take_the_clock(dispatcher))
            await asyncio.sleep(0)
            assert not waiting.done()
        await waiting

    asyncio.run(contend())
    asyncio.run(contend())  # a lock bound to the first loop would refuse to wait on this one


def test_a_frozen_clock_pauses_the_background_dispatcher_without_ending_it() -> None:
    dispatcher = fake(dispatch_interval=0).app.state.fake.dispatcher

    async def looks_on() -> bool:
        looking = asyncio.create_task(dispatcher.run_forever())
        for _ in range(5):
            await asyncio.sleep(0)
        alive = not looking.done()
        looking.cancel()
        await asyncio.gather(looking, return_exceptions=True)
        return alive

    assert asyncio.run(looks_on())


def test_the_background_dispatcher_logs_a_failure_and_keeps_looking(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock = fake(dispatch_interval=0).app.state.fake
    mock.ctx.clock.unfreeze()
    looks: list[int] = []

    def broken_start_due() -> int:
        looks.append(1)
        raise RuntimeError("broken store")

    monkeypatch.setattr(mock.dispatcher, "start_due", broken_start_due)

    async def look_twice() -> None:
        looking = asyncio.create_task(mock.dispatcher.run_forever())
        for _ in range(50):
            if len(looks) >= 2:
                break
            await asyncio.sleep(0)
        looking.cancel()
        await asyncio.gather(looking, return_exceptions=True)

    with caplog.at_level(logging.ERROR, logger="trustoo_mock"):
        asyncio.run(look_twice())
    assert len(looks) >= 2
    messages = {(item.getMessage(), item.exc_info is not None) for item in caplog.records}
    assert messages == {("the webhook dispatcher could not start due attempts", True)}


def test_a_push_that_fails_unexpectedly_is_logged_and_recorded_as_an_error(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = fake()
    subscribe(client, "http://127.0.0.1:9/hook")

    async def exploding_send(attempt: Attempt) -> Outcome:
        raise RuntimeError("socket exploded")

    monkeypatch.setattr(delivery_module, "send", exploding_send)
    with caplog.at_level(logging.ERROR, logger="trustoo_mock"):
        create_review(client)
    (delivery,) = deliveries(client)
    (attempt,) = delivery["attempts"]
    assert attempt["status_code"] is None
    assert attempt["latency_ms"] == 0.0
    assert attempt["response_excerpt"] == ""
    assert attempt["error"] == "RuntimeError: socket exploded"
    assert attempt["at_unix"] == FROZEN_AT
    assert delivery["status"] == "pending"
    assert delivery["next_attempt_at"] == iso(FROZEN_AT + 3 * 60)
    messages = [(item.getMessage(), item.exc_info is not None) for item in caplog.records]
    assert messages == [(f"unexpected failure pushing delivery {delivery['id']}", True)]


def test_an_attempt_that_cannot_start_the_next_ones_is_logged_and_still_recorded(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = fake()
    mock = client.app.state.fake
    with subscribed(client):
        record = {"id": "1", "rating": 5, "author": "x"}
        events.emit(mock.ctx, DEMO_SHOP_ID, "review/created", record)
        starts = 0
        start_due = mock.dispatcher.start_due

        def start_due_once() -> int:
            nonlocal starts
            starts += 1
            if starts > 1:
                raise RuntimeError("broken store")
            return start_due()

        monkeypatch.setattr(mock.dispatcher, "start_due", start_due_once)
        with caplog.at_level(logging.ERROR, logger="trustoo_mock"):
            asyncio.run(mock.dispatcher.drain())
    (delivery,) = deliveries(client)
    assert delivery["status"] == "delivered"
    assert starts == 2
    messages = [(item.getMessage(), item.exc_info is not None) for item in caplog.records]
    assert messages == [("the webhook dispatcher could not start the next attempts", True)]


def test_a_delivery_cancelled_while_its_push_is_in_flight_stays_cancelled() -> None:
    client = fake()
    mock = client.app.state.fake
    with receiver() as hook:
        hook.delay = 0.2
        subscribe(client, hook.url)
        events.emit(mock.ctx, DEMO_SHOP_ID, "review/created", {"id": "1", "rating": 5})
        (pending,) = events.list_deliveries(mock.ctx)

        async def cancel_while_sending() -> None:
            assert mock.dispatcher.start_due() == 1
            await asyncio.sleep(0.05)
            events.cancel_queue(mock.ctx, pending)
            await mock.dispatcher.settle()

        asyncio.run(cancel_while_sending())
    (delivery,) = deliveries(client)
    assert [item["status_code"] for item in delivery["attempts"]] == [200]
    assert delivery["status"] == "cancelled"
    assert delivery["next_attempt_at"] is None


def _push_fault(client: CheckedClient, **fields: Any) -> dict[str, str]:
    answer = client.control("POST", "/_mock/push_faults", fields)
    assert answer.status_code == 201, answer.text
    return {"id": answer.json()["id"], "kind": fields["kind"]}


def test_a_duplicate_push_answered_500_plans_one_retry_not_two() -> None:
    client = fake()
    with subscribed(client, status=500):
        touched = _push_fault(client, kind="duplicate", times=1)
        create_review(client)
        (delivery,) = deliveries(client)
    assert [item["push_fault"] for item in delivery["attempts"]] == [touched, touched]
    assert delivery["status"] == "pending"
    assert delivery["next_attempt_at"] == iso(FROZEN_AT + 3 * 60)


def test_a_delay_fault_touches_the_attempt_it_put_off_and_not_the_retry() -> None:
    client = fake()
    with receiver() as hook:
        hook.statuses = [500]
        subscribe(client, hook.url)
        touched = _push_fault(client, kind="delay", seconds=60, times=1)
        create_review(client)
        advance(client, 60)
        advance(client, 3 * 60)
        (delivery,) = deliveries(client)
    assert [item["status_code"] for item in delivery["attempts"]] == [500, 200]
    assert [item["push_fault"] for item in delivery["attempts"]] == [touched, None]
    assert [item["at_unix"] for item in delivery["attempts"]] == [
        FROZEN_AT + 60,
        FROZEN_AT + 60 + 3 * 60,
    ]


def test_an_out_of_order_fault_never_holds_back_a_retry() -> None:
    client = fake()
    with receiver() as hook:
        hook.statuses = [500]
        subscribe(client, hook.url)
        create_review(client)
        _push_fault(client, kind="out_of_order", times=1)
        advance(client, 3 * 60)
        (delivery,) = deliveries(client)
    assert [item["status_code"] for item in delivery["attempts"]] == [500, 200]
    assert [item["push_fault"] for item in delivery["attempts"]] == [None, None]
    assert delivery["status"] == "delivered"


def _pushed_once_under(kind: str) -> Any:
    """The push of a new review while a push fault of ``kind`` holds for one push."""
    client = fake()
    with subscribed(client) as hook:
        _push_fault(client, kind=kind, times=1)
        create_review(client)
        (push,) = hook.pushes
    return push


def test_a_stale_timestamp_fault_signs_a_time_one_hour_before_the_attempt() -> None:
    push = _pushed_once_under("stale_timestamp")
    assert push.headers["Open-Trustoo-Webhook-Timestamp"] == str(FROZEN_AT - 3600)
    verify_webhook(push.headers, push.body, DEMO_PRIVATE_TOKEN, tolerance=None)


def test_a_bad_signature_fault_signs_with_the_key_plus_forged() -> None:
    push = _pushed_once_under("bad_signature")
    timestamp = push.headers["Open-Trustoo-Webhook-Timestamp"]
    message = signing.webhook_message(timestamp, push.body)
    forged = signing.sign(DEMO_PRIVATE_TOKEN + "-forged", message)
    assert push.headers["Open-Trustoo-Webhook-Sign"] == forged


def _queued(client: CheckedClient, *authors: str, topic: str = "review/created") -> None:
    """Deliveries queued without a dispatch, so they fall due together."""
    mock = client.app.state.fake
    for number, author in enumerate(authors, start=1):
        events.emit(mock.ctx, DEMO_SHOP_ID, topic, {"id": str(number), "author": author})


def _pushed_authors(hook: Any) -> list[str]:
    return [push.json()["list"][0]["author"] for push in hook.pushes]


def test_out_of_order_sends_the_next_push_in_the_same_pass_and_then_the_held_one() -> None:
    client = fake()
    with subscribed(client) as hook:
        _queued(client, "First", "Second")
        _push_fault(client, kind="out_of_order", times=2)
        asyncio.run(client.app.state.fake.dispatcher.drain())
        assert _pushed_authors(hook) == ["Second", "First"]
    first, second = deliveries(client)
    assert first["attempts"][0]["push_fault"]["kind"] == "out_of_order"
    assert second["attempts"][0]["push_fault"] is None  # the push that overtook is not held


def test_a_push_put_off_in_one_queue_never_sends_another_queues_push_twice() -> None:
    client = fake()
    with receiver() as created, receiver() as updated:
        subscribe(client, created.url)
        answer = client.signed(
            "POST",
            "/api/v1/openapi/create_shop_webhook",
            body={"topic": "review/updated", "url": updated.url},
        )
        assert answer.json()["code"] == 0
        _queued(client, "Created")
        _queued(client, "Updated", topic="review/updated")
        _push_fault(client, kind="delay", seconds=60, times=1, topic="review/updated")
        asyncio.run(client.app.state.fake.dispatcher.drain())
        assert (_pushed_authors(created), _pushed_authors(updated)) == (["Created"], [])


def test_stopping_abandons_the_push_in_flight_which_stays_due_at_once() -> None:
    client = fake()
    mock = client.app.state.fake
    with subscribed(client):
        record = {"id": "1", "rating": 5, "author": "x"}
        events.emit(mock.ctx, DEMO_SHOP_ID, "review/created", record)

        async def stop_while_connecting() -> int:
            assert mock.dispatcher.start_due() == 1
            await asyncio.sleep(0)  # the attempt's task starts and waits for its connection
            await mock.dispatcher.stop()
            return int(mock.dispatcher.in_flight)

        assert asyncio.run(stop_while_connecting()) == 0
        (delivery,) = deliveries(client)
    assert (delivery["status"], delivery["attempts"]) == ("pending", [])
    assert delivery["next_attempt_at"] == delivery["created_at"]


def test_the_log_shows_the_headers_of_the_latest_attempt_at_its_time() -> None:
    client = fake()
    with receiver() as hook:
        hook.status = 500
        subscribe(client, hook.url)
        create_review(client)
        advance(client, 60)
        (delivery,) = deliveries(client)
        (push,) = hook.pushes
    assert delivery["headers"]["Open-Trustoo-Webhook-Timestamp"] == str(FROZEN_AT)
    assert delivery["headers"] == {name: push.headers[name] for name in delivery["headers"]}


def _attempt(url: str, own_hosts: frozenset[str] = frozenset()) -> Attempt:
    headers = {"Content-Type": "application/json", "Open-Trustoo-Webhook-Sign": "abc"}
    return Attempt("1", url, headers, b'{"a":1}', FROZEN_AT, 5.0, own_hosts)


def test_an_answer_in_several_chunks_is_excerpted_whole() -> None:
    chunks = [b"first part, ", b"second part"]

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await reader.readexactly(len(b'{"a":1}'))
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for chunk in chunks:  # each its own write, so each arrives as its own piece
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
            await asyncio.sleep(0.05)
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        writer.close()

    async def push() -> Outcome:
        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            return await send(_attempt(f"http://127.0.0.1:{port}/hook"))

    outcome = asyncio.run(push())
    assert (outcome.status, outcome.excerpt) == (200, "first part, second part")


@pytest.mark.parametrize(
    ("url", "connection"),
    [
        ("https://hooks.example/in", ("hooks.example", 443, True)),
        ("http://hooks.example/in", ("hooks.example", 80, None)),
        ("https://hooks.example:8443/in", ("hooks.example", 8443, True)),
    ],
)
def test_a_push_connects_to_the_subscribed_host_and_port_with_tls_for_https(
    url: str, connection: tuple[str, int, bool | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    connections: list[tuple[str, int, bool | None]] = []

    async def refuse(host: str, port: int, ssl: bool | None = None) -> Any:
        connections.append((host, port, ssl))
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(asyncio, "open_connection", refuse)
    outcome = asyncio.run(send(_attempt(url)))
    assert connections == [connection]
    assert (outcome.status, outcome.excerpt) == (None, "")
    assert outcome.error == "ConnectionRefusedError: [Errno 111] Connection refused"


def test_latency_is_the_time_the_exchange_took_in_milliseconds_to_a_tenth(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ticks = [5.0, 5.123456]

    async def refuse(host: str, port: int, ssl: bool | None = None) -> Any:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(asyncio, "open_connection", refuse)
    monkeypatch.setattr(time, "perf_counter", lambda: ticks.pop(0))
    outcome = asyncio.run(send(_attempt("http://hooks.example/in")))
    assert outcome.latency_ms == 123.5


class _PeerOnly:
    """The writing end of a connection whose peer is ``peer``; it keeps what is written."""

    def __init__(self, peer: tuple[str, int]) -> None:
        self.peer = peer
        self.written = b""

    def get_extra_info(self, name: str) -> Any:
        return self.peer if name == "peername" else None

    def write(self, data: bytes) -> None:
        self.written += data

    async def drain(self) -> None:
        return None

    def close(self) -> None:
        return None


class _Closed:
    async def read(self, size: int) -> bytes:
        return b""


@pytest.mark.parametrize(
    ("peer", "own_hosts"),
    [(("127.0.0.1", 8080), frozenset()), (("10.9.8.7", 80), frozenset({"10.9.8.7"}))],
    ids=["loopback", "an-address-the-fake-was-reached-at"],
)
def test_a_name_that_leads_to_the_fake_itself_is_refused_before_anything_is_sent(
    peer: tuple[str, int], own_hosts: frozenset[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    writers: list[_PeerOnly] = []

    async def connect(host: str, port: int, ssl: bool | None = None) -> Any:
        writers.append(_PeerOnly(peer))
        return _Closed(), writers[-1]

    monkeypatch.setattr(asyncio, "open_connection", connect)
    refused = asyncio.run(send(_attempt("http://hooks.example/_mock/reset", own_hosts)))
    elsewhere = asyncio.run(send(_attempt("http://hooks.example/hook", own_hosts)))
    assert refused.error == SELF_PUSH and writers[0].written == b""
    assert writers[1].written.startswith(b"POST /hook HTTP/1.1\r\n")
    assert elsewhere.error is not None and elsewhere.error.startswith("RemoteProtocolError: ")


async def _push_to_a_raw_receiver(url: str, answer: bytes) -> tuple[bytes, int, Outcome]:
    """Send one attempt to a bare TCP receiver that answers ``answer`` once it has read the
    request, then keeps every byte the sender writes until it closes the connection."""
    received = bytearray()
    finished = asyncio.Event()

    async def receive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.extend(await reader.readuntil(b"\r\n\r\n"))
        length = re.search(rb"content-length: (\d+)", bytes(received), re.IGNORECASE)
        received.extend(await reader.readexactly(int(length[1]) if length else 0))
        writer.write(answer)
        await writer.drain()
        received.extend(await reader.read())
        writer.close()
        finished.set()

    server = await asyncio.start_server(receive, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    async with server:
        outcome = await send(_attempt(url.format(port=port)))
        await asyncio.wait_for(finished.wait(), 5)
    return bytes(received), port, outcome


@pytest.mark.parametrize(
    ("url", "target"),
    [("http://a@b:c@127.0.0.1:{port}?x=1", b"/?x=1"), ("http://127.0.0.1:{port}/hook", b"/hook")],
    ids=["userinfo-no-path", "path-no-query"],
)
def test_a_push_is_exactly_one_request_with_the_documented_header_names(
    url: str, target: bytes
) -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    received, port, outcome = asyncio.run(_push_to_a_raw_receiver(url, answer))
    assert received == (
        b"POST "
        + target
        + b" HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % port
        + b"Content-Type: application/json\r\nOpen-Trustoo-Webhook-Sign: abc\r\n"
        + b'Content-Length: 7\r\n\r\n{"a":1}'
    )
    assert (outcome.status, outcome.excerpt, outcome.error) == (200, "ok", None)


def test_the_sender_reads_no_more_of_an_answer_than_its_excerpt() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
    url = "http://127.0.0.1:{port}/hook"
    _, _, outcome = asyncio.run(_push_to_a_raw_receiver(url, head + b"a" * 200))
    assert (outcome.status, outcome.excerpt, outcome.error) == (200, "a" * 200, None)

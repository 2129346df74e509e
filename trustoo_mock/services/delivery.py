"""Webhook delivery (D12): push signing, Trustoo's retry schedule on the fake's clock, the log.

Attempts of one delivery come at 0, 3, 9, 18, 30, 45, 63, 84, 108 and 135 minutes after its
first attempt; success is HTTP 200 within the timeout, a deadline for the whole exchange.
Order is kept per subscription: only the oldest unfinished delivery of a subscription is
attempted. Each attempt is its own task on the event loop and is recorded the moment it ends,
so a slow receiver holds back its own subscription and nothing else. The store is read and
written on the event loop only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import h11

from trustoo_mock.core import signing
from trustoo_mock.core.clock import rfc3339
from trustoo_mock.core.principal import SHOP_PLATFORM_ID
from trustoo_mock.domain import events, push_faults, tenants
from trustoo_mock.domain.context import Context
from trustoo_mock.domain.events import queue_key
from trustoo_mock.domain.webhooks import (
    is_fake_path,
    is_local_address,
    points_at_fake,
    subscription_exists,
)

logger = logging.getLogger("trustoo_mock")

WAITS_MINUTES = (0, 3, 6, 9, 12, 15, 18, 21, 24, 27)
OFFSETS = tuple(60 * sum(WAITS_MINUTES[: index + 1]) for index in range(len(WAITS_MINUTES)))
MAX_ATTEMPTS = len(WAITS_MINUTES)
EXCERPT_BYTES = 200
READ_BYTES = 4096
SELF_PUSH = (
    "refused: the URL leads to the fake's own control plane or object store; "
    "the fake never pushes to itself"
)
# A stale_timestamp push is stamped this long before its attempt: outside any receiver's
# window of a few minutes, Trustoo's 15 included (X91).
STALE_SECONDS = 3600
FORGED_KEY_SUFFIX = "-forged"


class Unsendable(Exception):
    """The push can never be made (its body cannot be encoded, or it would reach the fake
    itself): the delivery fails at once, with this reason in its log."""


@dataclass(frozen=True, slots=True)
class Attempt:
    delivery_id: str
    url: str
    headers: dict[str, str]
    body: bytes
    at: float
    timeout: float
    own_hosts: frozenset[str] = frozenset()
    # A duplicate push fault sends the same request twice; the log names the fault (X90).
    copies: int = 1
    push_fault: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int | None
    latency_ms: float
    excerpt: str
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass(slots=True)
class _Answer:
    """What the receiver sent so far (kept when the deadline cuts the exchange short)."""

    status: int | None = None
    body: bytearray = field(default_factory=bytearray)


async def send(attempt: Attempt) -> Outcome:
    """POST one attempt, on the event loop; ``timeout`` bounds the whole exchange (connect,
    send, status, headers and the excerpt), so a receiver answering one byte at a time
    fails at the deadline. No redirect is followed and no proxy setting is read: a push
    goes to the URL as subscribed, header names exactly as documented."""
    started = time.perf_counter()
    answer = _Answer()
    error: str | None = None
    try:
        async with asyncio.timeout(attempt.timeout):
            await _exchange(attempt, answer)
    except TimeoutError:
        error = f"TimeoutError: timed out, no complete answer within {attempt.timeout:g} s"
    except Unsendable as refusal:
        error = str(refusal)
    except (OSError, h11.ProtocolError, ValueError) as failure:
        error = f"{type(failure).__name__}: {failure}"
    latency = (time.perf_counter() - started) * 1000
    excerpt = bytes(answer.body[:EXCERPT_BYTES]).decode("utf-8", errors="replace")
    return Outcome(answer.status, round(latency, 1), excerpt, error)


def _out(connection: h11.Connection, event: Any) -> bytes:
    return connection.send(event) or b""


async def _exchange(attempt: Attempt, answer: _Answer) -> None:
    parts = urlsplit(attempt.url)
    secure = parts.scheme == "https"
    reader, writer = await asyncio.open_connection(
        parts.hostname, parts.port or (443 if secure else 80), ssl=True if secure else None
    )
    try:
        peer = writer.get_extra_info("peername")
        # A name that resolves to this machine reaches the fake as surely as 127.0.0.1 does.
        if peer and is_local_address(str(peer[0]), attempt.own_hosts) and is_fake_path(parts.path):
            raise Unsendable(SELF_PUSH)
        connection = h11.Connection(h11.CLIENT)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = [
            ("Host", parts.netloc.rpartition("@")[2]),
            *attempt.headers.items(),
            ("Content-Length", str(len(attempt.body))),
        ]
        request = h11.Request(method="POST", target=target, headers=headers)
        writer.write(
            _out(connection, request)
            + _out(connection, h11.Data(data=attempt.body))
            + _out(connection, h11.EndOfMessage())
        )
        await writer.drain()
        while len(answer.body) < EXCERPT_BYTES:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                connection.receive_data(await reader.read(READ_BYTES))
            elif isinstance(event, h11.Response):
                answer.status = event.status_code
            elif isinstance(event, h11.Data):
                answer.body += event.data
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                return
    finally:
        writer.close()


def signing_key(ctx: Context, delivery: dict[str, Any]) -> str:
    """The shop's private token for its own webhooks, the platform's secret for a platform's."""
    if delivery["platform_id"] == SHOP_PLATFORM_ID:
        shop = tenants.shop_or_none(ctx, delivery["shop_id"])
        return str(shop["private_token"]) if shop else ""
    platform = tenants.platform_or_none(ctx, delivery["platform_id"])
    return str(platform["client_secret"]) if platform else ""


def _body_bytes(delivery: dict[str, Any]) -> bytes:
    try:
        return str(delivery["body"]).encode("utf-8")
    except UnicodeEncodeError as error:
        raise Unsendable(
            f"refused: the push body cannot be encoded as UTF-8 ({error.reason} at "
            f"character {error.start}); the record was stored before such text was refused"
        ) from None


def push_headers(
    ctx: Context, delivery: dict[str, Any], at: float | None, fault_kind: str | None = None
) -> dict[str, str]:
    """The headers of an attempt at ``at`` (None: now); a ``bad_signature`` fault signs with a
    key that is not the subscription's, a ``stale_timestamp`` one signs (rightly) an hour-old
    timestamp."""
    shop = tenants.shop_or_none(ctx, delivery["shop_id"]) or {}
    stamped = ctx.signature_time(at)
    if fault_kind == push_faults.STALE_TIMESTAMP:
        stamped -= STALE_SECONDS
    timestamp = str(stamped)
    message = signing.webhook_message(timestamp, _body_bytes(delivery))
    key = signing_key(ctx, delivery)
    if fault_kind == push_faults.BAD_SIGNATURE:
        key += FORGED_KEY_SUFFIX
    return {
        "Content-Type": "application/json",
        "Open-Trustoo-Webhook-Public-token": str(shop.get("public_token", "")),
        "Open-Trustoo-Webhook-Timestamp": timestamp,
        "Open-Trustoo-Webhook-Sign": signing.sign(key, message),
        "Open-Trustoo-Webhook-RequestId": delivery["request_id"],
    }


def _alive(ctx: Context, delivery: dict[str, Any]) -> bool:
    """Its subscription still exists (a System Webhook: its platform does)."""
    if delivery["webhook_id"] is None:
        return tenants.platform_or_none(ctx, delivery["platform_id"]) is not None
    return subscription_exists(
        ctx, delivery["webhook_id"], delivery["shop_id"], delivery["platform_id"]
    )


def _held(ctx: Context, delivery: dict[str, Any]) -> bool:
    """An out_of_order fault holds the delivery back until the next one of its queue is
    queued (or the fault is removed)."""
    waiting = delivery.get("push_fault_waiting")
    return (
        bool(delivery.get("held"))
        and waiting is not None
        and push_faults.exists(ctx, waiting["id"])
    )


def _heads(ctx: Context, busy: set[str]) -> list[tuple[dict[str, Any], str | None]]:
    """The delivery to attempt next in each queue (a subscription's, or a platform's System
    Webhooks) that has none in flight: its oldest unfinished one, or the one after it while
    the oldest is held by an out_of_order fault (then also the held one's id). Queues whose
    subscription is gone (deleted, or its platform disconnected) are cancelled."""
    queues: dict[str, list[dict[str, Any]]] = {}
    for delivery in events.stored_pending_deliveries(ctx):
        queues.setdefault(queue_key(delivery), []).append(delivery)
    heads: list[tuple[dict[str, Any], str | None]] = []
    for waiting in queues.values():
        waiting.sort(key=lambda item: int(item["id"]))
        oldest = waiting[0]
        if not _alive(ctx, oldest):
            events.cancel_queue(ctx, oldest)
        elif any(item["id"] in busy for item in waiting):
            continue
        elif not _held(ctx, oldest):
            heads.append((dict(oldest), None))
        elif len(waiting) > 1:
            heads.append((dict(waiting[1]), oldest["id"]))
    heads.sort(key=lambda head: int(head[0]["id"]))
    return heads


def next_due(ctx: Context, busy: set[str]) -> float | None:
    times = [delivery["next_attempt_at"] for delivery, _ in _heads(ctx, busy)]
    return min(times) if times else None


def _push_fault(
    ctx: Context, delivery: dict[str, Any], now: float, swapped_in: bool
) -> tuple[bool, dict[str, Any] | None]:
    """(whether the attempt is made now, the push fault that touches it). A delay or an
    out_of_order fault puts the attempt off and touches the attempt made afterwards."""
    waiting = delivery.get("push_fault_waiting")
    if waiting is not None:
        events.change_delivery(ctx, delivery["id"], {"push_fault_waiting": None, "held": False})
        return True, dict(waiting)
    first = not delivery["attempts"] and not swapped_in
    kinds = (*push_faults.SENDING_KINDS, push_faults.DELAY)
    fault = push_faults.fire(
        ctx, delivery["topic"], (*kinds, push_faults.OUT_OF_ORDER) if first else kinds
    )
    if fault is None:
        return True, None
    touched = push_faults.marker(fault)
    if fault["kind"] == push_faults.DELAY:
        changes = {"next_attempt_at": now + fault["seconds"], "push_fault_waiting": touched}
        events.change_delivery(ctx, delivery["id"], changes)
        return False, None
    if fault["kind"] == push_faults.OUT_OF_ORDER:
        changes = {"held": True, "push_fault_waiting": touched}
        events.change_delivery(ctx, delivery["id"], changes)
        return False, None
    return True, fault


def due_attempts(ctx: Context, now: float, busy: set[str]) -> list[Attempt]:
    """The attempts to make now. A delivery that can never be sent fails here, recorded with
    the reason, and the others go on. An attempt a push fault puts off lets the next delivery
    of its queue go first when that one is due."""
    attempts: list[Attempt] = []
    taken = set(busy)
    while True:
        due = [head for head in _heads(ctx, taken) if head[0]["next_attempt_at"] <= now]
        due.sort(key=lambda head: (head[0]["next_attempt_at"], int(head[0]["id"])))
        put_off = False
        for delivery, held_id in due:
            try:
                if points_at_fake(delivery["url"], ctx.own_hosts):
                    raise Unsendable(SELF_PUSH)
                made_now, fault = _push_fault(ctx, delivery, now, held_id is not None)
                if not made_now:
                    put_off = True
                    continue
                kind = None if fault is None else fault.get("kind")
                attempt = Attempt(
                    delivery["id"],
                    delivery["url"],
                    push_headers(ctx, delivery, now, kind),
                    _body_bytes(delivery),
                    now,
                    ctx.config.webhook_timeout,
                    frozenset(ctx.own_hosts),
                    copies=2 if kind == push_faults.DUPLICATE else 1,
                    push_fault=None if fault is None else push_faults.marker(fault),
                )
            except Unsendable as refusal:
                give_up(ctx, delivery["id"], now, str(refusal))
            else:
                if held_id is not None:  # the held delivery goes once this one has
                    events.change_delivery(ctx, held_id, {"held": False})
                attempts.append(attempt)
                taken.add(delivery["id"])
        if not put_off:
            return attempts


def give_up(ctx: Context, delivery_id: str, at: float, reason: str) -> None:
    """Record an attempt that could not be made and fail the delivery: it never will be."""
    outcome = Outcome(None, 0.0, "", reason)
    record(ctx, delivery_id, at, outcome, final=True)


def record(
    ctx: Context,
    delivery_id: str,
    at: float,
    outcome: Outcome,
    *,
    final: bool = False,
    push_fault: dict[str, str] | None = None,
    copy: bool = False,
) -> None:
    """Add an attempt to the delivery's log and plan the next one. A delivery that stopped
    waiting meanwhile (cancelled, dropped) keeps its status. A ``copy`` (the second request of
    a duplicate push fault) is logged only: the first request's outcome decides."""
    delivery = events.delivery_or_none(ctx, delivery_id)
    if delivery is None:
        return
    attempts = [
        *delivery["attempts"],
        {
            "number": len(delivery["attempts"]) + 1,
            "at": at,
            "status_code": outcome.status,
            "latency_ms": outcome.latency_ms,
            "response_excerpt": outcome.excerpt,
            "error": outcome.error,
            "push_fault": push_fault,
        },
    ]
    changes: dict[str, Any] = {"attempts": attempts}
    if delivery["status"] == "pending" and not copy:
        in_schedule = delivery.get("schedule_attempts", 0) + 1
        start = at if in_schedule == 1 else delivery["schedule_start"]
        changes.update(schedule_attempts=in_schedule, schedule_start=start)
        if outcome.ok:
            changes.update(status="delivered", next_attempt_at=None)
        elif final or in_schedule >= MAX_ATTEMPTS:
            changes.update(status="failed", next_attempt_at=None)
        else:
            changes["next_attempt_at"] = start + OFFSETS[in_schedule]
    events.change_delivery(ctx, delivery["id"], changes)


def retry(ctx: Context, delivery_id: str) -> dict[str, Any] | None:
    """Start a fresh ten-attempt schedule now (its first attempt sets its start); the earlier
    attempts stay in the log."""
    delivery = events.delivery_or_none(ctx, delivery_id)
    if delivery is None:
        return None
    now = ctx.clock.now()
    changes = {
        "status": "pending",
        "schedule_attempts": 0,
        "next_attempt_at": now,
    }
    events.change_delivery(ctx, delivery_id, changes)
    ctx.queued += 1
    return {**delivery, **changes}


def _readable(text: str) -> str:
    """Text as it can be sent in an answer: a lone surrogate becomes U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(char) <= 0xDFFF else char for char in text)
    return text


def present(ctx: Context, delivery: dict[str, Any]) -> dict[str, Any]:
    """A delivery for the log: its body, the headers of its latest attempt, every attempt."""
    attempts = delivery["attempts"]
    last_at = attempts[-1]["at"] if attempts else delivery["next_attempt_at"]
    next_at = delivery["next_attempt_at"]
    try:
        headers = push_headers(ctx, delivery, last_at)
    except Unsendable:
        headers = {}
    return {
        "id": delivery["id"],
        "shop_id": delivery["shop_id"],
        "platform_id": delivery["platform_id"],
        "webhook_id": delivery["webhook_id"],
        "topic": delivery["topic"],
        "url": delivery["url"],
        "status": delivery["status"],
        "request_id": delivery["request_id"],
        "created_at": rfc3339(delivery["created_at"]),
        "next_attempt_at": None if next_at is None else rfc3339(next_at),
        "body": json.loads(_readable(delivery["body"])),
        "headers": headers,
        "attempts": [
            {"push_fault": None, **item, "at": rfc3339(item["at"]), "at_unix": item["at"]}
            for item in attempts
        ],
    }


class Dispatcher:
    """Sends what falls due: stepping through virtual time, or as it falls due on the real
    clock. Every attempt runs as its own task and is recorded when it ends."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._in_flight: dict[str, asyncio.Task[None]] = {}
        self._clock_lock: asyncio.Lock | None = None
        self._clock_lock_loop: asyncio.AbstractEventLoop | None = None

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def clock_lock(self) -> asyncio.Lock:
        """Held while the clock is moved, so two advances never step at once. One per event
        loop: a test client may run each request on a loop of its own."""
        loop = asyncio.get_running_loop()
        if self._clock_lock is None or self._clock_lock_loop is not loop:
            self._clock_lock, self._clock_lock_loop = asyncio.Lock(), loop
        return self._clock_lock

    def start_due(self) -> int:
        """Start every attempt due now (at most one per subscription); returns how many."""
        attempts = due_attempts(self.ctx, self.ctx.clock.now(), set(self._in_flight))
        loop = asyncio.get_running_loop()
        for attempt in attempts:
            self._in_flight[attempt.delivery_id] = loop.create_task(self._make(attempt))
        return len(attempts)

    async def _make(self, attempt: Attempt) -> None:
        try:
            for number in range(attempt.copies):
                try:
                    outcome = await send(attempt)
                except Exception as failure:  # whatever a receiver does, it is recorded
                    logger.exception("unexpected failure pushing delivery %s", attempt.delivery_id)
                    outcome = Outcome(None, 0.0, "", f"{type(failure).__name__}: {failure}")
                with self.ctx.store.batch():
                    record(
                        self.ctx,
                        attempt.delivery_id,
                        attempt.at,
                        outcome,
                        push_fault=attempt.push_fault,
                        copy=number > 0,
                    )
        finally:
            self._in_flight.pop(attempt.delivery_id, None)
        try:
            self.start_due()  # the subscription's next delivery may be due already
        except Exception:
            logger.exception("the webhook dispatcher could not start the next attempts")

    async def settle(self) -> None:
        """Wait until no attempt is in flight: each has ended and been recorded, and the
        attempts those made due were made too."""
        while self._in_flight:
            await asyncio.wait(list(self._in_flight.values()))

    async def run_until(self, target: float) -> None:
        """Move the clock to ``target``, making every attempt that falls due on the way at
        its own virtual time, in time order; attempts already in flight end and are recorded
        first. The caller holds ``clock_lock``."""
        clock = self.ctx.clock
        while True:
            await self.settle()
            due_at = next_due(self.ctx, set())
            if due_at is None or due_at > target:
                break
            if due_at > clock.now():
                clock.set(due_at)
            self.start_due()
        await self.settle()
        if target > clock.now():
            clock.set(target)

    async def drain(self) -> None:
        """Make every attempt due now and wait for them (and those they make due)."""
        self.start_due()
        await self.settle()

    async def run_forever(self) -> None:
        """On the real clock, retries fall due by themselves; look for them regularly."""
        while True:
            await asyncio.sleep(self.ctx.config.dispatch_interval)
            if self.ctx.clock.frozen:
                continue
            try:
                self.start_due()
            except Exception:
                logger.exception("the webhook dispatcher could not start due attempts")

    async def stop(self) -> None:
        """Abandon the attempts in flight (shutdown): they stay pending, due again at once."""
        tasks = list(self._in_flight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

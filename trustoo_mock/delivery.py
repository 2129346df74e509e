"""Webhook delivery (D12): push signing, Trustoo's retry schedule on the fake's clock, the log.

Attempts of one delivery come at 0, 3, 9, 18, 30, 45, 63, 84, 108 and 135 minutes after its
first attempt; success is HTTP 200 within the timeout. Order is kept per subscription: only
the oldest unfinished delivery of a subscription is attempted. Reading and writing the store
happen on the caller's thread; only the network calls may run elsewhere.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from trustoo_mock import signing
from trustoo_mock.clock import rfc3339
from trustoo_mock.domain.context import Context
from trustoo_mock.principal import SHOP_PLATFORM_ID

WAITS_MINUTES = (0, 3, 6, 9, 12, 15, 18, 21, 24, 27)
OFFSETS = tuple(60 * sum(WAITS_MINUTES[: index + 1]) for index in range(len(WAITS_MINUTES)))
MAX_ATTEMPTS = len(WAITS_MINUTES)
EXCERPT_BYTES = 200
FINISHED = ("delivered", "failed", "cancelled")


@dataclass(frozen=True, slots=True)
class Attempt:
    delivery_id: str
    url: str
    headers: dict[str, str]
    body: bytes
    at: float
    timeout: float


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int | None
    latency_ms: float
    excerpt: str
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status == 200


def send(attempt: Attempt) -> Outcome:
    """POST one attempt; network I/O only, safe to run on any thread.

    http.client keeps the header names exactly as documented, follows no redirect and
    reads no proxy settings: a push goes to the URL as subscribed.
    """
    parts = urlsplit(attempt.url)
    started = time.perf_counter()
    status: int | None = None
    excerpt = b""
    error: str | None = None
    connection: http.client.HTTPConnection | None = None
    try:
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parts.hostname or "", parts.port, timeout=attempt.timeout)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        connection.request("POST", target, body=attempt.body, headers=attempt.headers)
        response = connection.getresponse()
        status = response.status
        excerpt = response.read(EXCERPT_BYTES)
    except (OSError, http.client.HTTPException, ValueError) as failure:
        error = f"{type(failure).__name__}: {failure}"
    finally:
        if connection is not None:
            connection.close()
    latency = (time.perf_counter() - started) * 1000
    text = excerpt.decode("utf-8", errors="replace")
    return Outcome(status, round(latency, 1), text, error)


def signing_key(ctx: Context, delivery: dict[str, Any]) -> str:
    """The shop's private token for its own webhooks, the platform's secret for a platform's."""
    if delivery["platform_id"] == SHOP_PLATFORM_ID:
        shop = ctx.store.find_one("shops", shop_id=delivery["shop_id"])
        return str(shop["private_token"]) if shop else ""
    platform = ctx.store.find_one("platforms", platform_id=delivery["platform_id"])
    return str(platform["client_secret"]) if platform else ""


def push_headers(ctx: Context, delivery: dict[str, Any], at: float) -> dict[str, str]:
    shop = ctx.store.find_one("shops", shop_id=delivery["shop_id"]) or {}
    timestamp = str(ctx.signature_time(at))
    body = delivery["body"].encode("utf-8")
    message = signing.webhook_message(timestamp, body)
    return {
        "Content-Type": "application/json",
        "Open-Trustoo-Webhook-Public-token": str(shop.get("public_token", "")),
        "Open-Trustoo-Webhook-Timestamp": timestamp,
        "Open-Trustoo-Webhook-Sign": signing.sign(signing_key(ctx, delivery), message),
        "Open-Trustoo-Webhook-RequestId": delivery["request_id"],
    }


def _heads(ctx: Context, busy: set[str]) -> list[dict[str, Any]]:
    """The oldest unfinished delivery of each subscription, cancelling those whose
    subscription is gone (deleted, or its platform disconnected)."""
    oldest: dict[str, dict[str, Any]] = {}
    for delivery in ctx.store.scan("deliveries", status="pending"):
        current = oldest.get(delivery["webhook_id"])
        if current is None or int(delivery["id"]) < int(current["id"]):
            oldest[delivery["webhook_id"]] = delivery
    heads = []
    for webhook_id, delivery in sorted(oldest.items(), key=lambda item: int(item[1]["id"])):
        alive = ctx.store.find_one(
            "webhooks",
            id=webhook_id,
            shop_id=delivery["shop_id"],
            platform_id=delivery["platform_id"],
        )
        if alive is None:
            ctx.store.update(
                "deliveries",
                {"webhook_id": webhook_id, "status": "pending"},
                {"status": "cancelled"},
            )
        elif delivery["id"] not in busy:
            heads.append(dict(delivery))
    return heads


def next_due(ctx: Context, busy: set[str]) -> float | None:
    times = [delivery["next_attempt_at"] for delivery in _heads(ctx, busy)]
    return min(times) if times else None


def due_attempts(ctx: Context, now: float, busy: set[str]) -> list[Attempt]:
    due = [delivery for delivery in _heads(ctx, busy) if delivery["next_attempt_at"] <= now]
    due.sort(key=lambda delivery: (delivery["next_attempt_at"], int(delivery["id"])))
    return [
        Attempt(
            delivery["id"],
            delivery["url"],
            push_headers(ctx, delivery, now),
            delivery["body"].encode("utf-8"),
            now,
            ctx.config.webhook_timeout,
        )
        for delivery in due
    ]


def record(ctx: Context, attempt: Attempt, outcome: Outcome) -> None:
    delivery = ctx.store.find_one("deliveries", id=attempt.delivery_id)
    if delivery is None:
        return
    attempts = [
        *delivery["attempts"],
        {
            "number": len(delivery["attempts"]) + 1,
            "at": attempt.at,
            "status_code": outcome.status,
            "latency_ms": outcome.latency_ms,
            "response_excerpt": outcome.excerpt,
            "error": outcome.error,
        },
    ]
    in_schedule = delivery.get("schedule_attempts", 0) + 1
    start = attempt.at if in_schedule == 1 else delivery["schedule_start"]
    changes: dict[str, Any] = {
        "attempts": attempts,
        "schedule_attempts": in_schedule,
        "schedule_start": start,
    }
    if outcome.ok:
        changes.update(status="delivered", next_attempt_at=None)
    elif in_schedule >= MAX_ATTEMPTS:
        changes.update(status="failed", next_attempt_at=None)
    else:
        changes["next_attempt_at"] = start + OFFSETS[in_schedule]
    ctx.store.update("deliveries", {"id": delivery["id"]}, changes)
    _enforce_cap(ctx)


def _enforce_cap(ctx: Context) -> None:
    """Drop the oldest finished deliveries while the log is over its cap."""
    excess = ctx.store.count("deliveries") - ctx.config.max_deliveries
    if excess <= 0:
        return
    finished = [d for d in ctx.store.find("deliveries") if d["status"] in FINISHED]
    for delivery in sorted(finished, key=lambda d: int(d["id"]))[:excess]:
        ctx.store.delete("deliveries", id=delivery["id"])


def retry(ctx: Context, delivery_id: str) -> dict[str, Any] | None:
    """Start a fresh ten-attempt schedule now; the earlier attempts stay in the log."""
    delivery = ctx.store.find_one("deliveries", id=delivery_id)
    if delivery is None:
        return None
    now = ctx.clock.now()
    changes = {
        "status": "pending",
        "schedule_attempts": 0,
        "schedule_start": now,
        "next_attempt_at": now,
    }
    ctx.store.update("deliveries", {"id": delivery_id}, changes)
    ctx.queued += 1
    return {**delivery, **changes}


def present(ctx: Context, delivery: dict[str, Any]) -> dict[str, Any]:
    """A delivery for the log: its body, the headers of its latest attempt, every attempt."""
    attempts = delivery["attempts"]
    last_at = attempts[-1]["at"] if attempts else delivery["next_attempt_at"]
    next_at = delivery["next_attempt_at"]
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
        "body": json.loads(delivery["body"]),
        "headers": push_headers(ctx, delivery, last_at),
        "attempts": [
            {**item, "at": rfc3339(item["at"]), "at_unix": item["at"]} for item in attempts
        ],
    }


class Dispatcher:
    """Sends what falls due: stepping through virtual time, or pumping on the real clock."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._busy: set[str] = set()

    def run_until(self, target: float) -> int:
        """Move the clock to ``target``, making every attempt that falls due on the way at
        its own virtual time, in time order. Returns how many attempts were made."""
        clock = self.ctx.clock
        made = 0
        while True:
            due_at = next_due(self.ctx, self._busy)
            if due_at is None or due_at > target:
                break
            if due_at > clock.now():
                clock.set(due_at)
            for attempt in due_attempts(self.ctx, clock.now(), self._busy):
                record(self.ctx, attempt, send(attempt))
                made += 1
        if target > clock.now():
            clock.set(target)
        return made

    async def pump(self) -> int:
        """Send every attempt due now, concurrently, off the event loop."""
        attempts = due_attempts(self.ctx, self.ctx.clock.now(), self._busy)
        if not attempts:
            return 0
        self._busy.update(attempt.delivery_id for attempt in attempts)
        try:
            outcomes = await asyncio.gather(
                *(asyncio.to_thread(send, attempt) for attempt in attempts)
            )
            with self.ctx.store.batch():
                for attempt, outcome in zip(attempts, outcomes, strict=True):
                    record(self.ctx, attempt, outcome)
        finally:
            self._busy.difference_update(attempt.delivery_id for attempt in attempts)
        return len(attempts)

    async def drain(self) -> None:
        """Pump until nothing is due (a delivered head lets the next one go at once)."""
        while await self.pump():
            pass

    async def run_forever(self) -> None:
        """On the real clock, retries fall due by themselves; look for them regularly."""
        while True:
            await asyncio.sleep(self.ctx.config.dispatch_interval)
            if not self.ctx.clock.frozen:
                await self.drain()

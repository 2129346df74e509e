"""Domain events become webhook deliveries: one per (event, matching subscription) (D12).

The delivery waits in the store (the outbox) until the dispatcher sends it, so a restart with
``--data`` loses nothing. Seeding never calls this. The log of deliveries is bounded, the
ones still waiting included (DESIGN rule 5).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from trustoo_mock.core.clock import rfc3339
from trustoo_mock.domain import issuing
from trustoo_mock.domain.context import Context

DELIVERY_ID_START = 1
REVIEW_CREATED = "review/created"
REVIEW_UPDATED = "review/updated"
REVIEW_DELETED = "review/deleted"
CUSTOMER_EVENT_CREATED = "customer_event/created"
# System Webhooks (X44): to a platform's own webhook_url when its access to a shop ends.
AUTHORIZATION_CANCELLED = "authorization/cancelled"
AUTHORIZATION_DISCONNECTED = "authorization/disconnected"
APP_UNINSTALLED = "app/uninstalled"
FINISHED = ("delivered", "failed", "cancelled", "dropped")


def push_record(ctx: Context, shop_id: str, topic: str, record: dict[str, Any]) -> dict[str, Any]:
    """The record as pushed: the wire fields, ``topic``, ``event_type`` when the record has
    none of its own (a review: the topic; a customer event keeps its own), and the shop's
    identity; the record id is a JSON number, as in the docs' example (D6)."""
    shop = ctx.store.find_one("shops", shop_id=shop_id) or {}
    pushed = dict(record)
    if str(pushed.get("id", "")).isdigit():
        pushed["id"] = int(pushed["id"])
    pushed.setdefault("event_type", topic)
    pushed["topic"] = topic
    pushed["my_shopify_domain"] = shop.get("myshopify_domain", "")
    pushed["shopify_shop_id"] = int(shop_id) if shop_id.isdigit() else shop_id
    return pushed


def queue_key(delivery: dict[str, Any]) -> str:
    """Which queue a delivery waits in, in order: its subscription's, or for a System
    Webhook (no subscription) its platform's."""
    webhook_id = delivery["webhook_id"]
    return f"system-{delivery['platform_id']}" if webhook_id is None else str(webhook_id)


def push_body(records: list[dict[str, Any]]) -> str:
    return json.dumps({"list": records}, separators=(",", ":"), ensure_ascii=False)


def emit(ctx: Context, shop_id: str, topic: str, record: dict[str, Any]) -> int:
    """Queue one delivery per subscription of this shop to ``topic`` (the shop's own and each
    platform's, never another shop's). Returns how many were queued."""
    subscriptions = sorted(
        ctx.store.find("webhooks", shop_id=shop_id, topic=topic), key=lambda hook: int(hook["id"])
    )
    if not subscriptions:
        return 0
    body = push_body([push_record(ctx, shop_id, topic, record)])
    for subscription in subscriptions:
        queue(
            ctx,
            shop_id,
            subscription["platform_id"],
            subscription["id"],
            topic,
            subscription["url"],
            body,
        )
    return len(subscriptions)


def emit_system(ctx: Context, shop_id: str, platform: dict[str, Any], event: str) -> int:
    """Queue a System Webhook to the platform's ``webhook_url`` (none without one): which
    shop, which platform, what happened and when. Returns how many were queued."""
    url = platform.get("webhook_url") or ""
    if not url:
        return 0
    shop = ctx.store.find_one("shops", shop_id=shop_id) or {}
    record = {
        "topic": event,
        "event_type": event,
        "client_id": platform["client_id"],
        "my_shopify_domain": shop.get("myshopify_domain", ""),
        "shopify_shop_id": int(shop_id) if shop_id.isdigit() else shop_id,
        "created_at": rfc3339(ctx.clock.now()),
    }
    queue(ctx, shop_id, platform["platform_id"], None, event, url, push_body([record]))
    return 1


def queue(
    ctx: Context,
    shop_id: str,
    platform_id: int,
    webhook_id: str | None,
    topic: str,
    url: str,
    body: str,
) -> None:
    """Put one delivery in the outbox, its first attempt due now."""
    now = ctx.clock.now()
    ctx.store.insert(
        "deliveries",
        {
            "id": str(ctx.store.next_id("delivery", DELIVERY_ID_START)),
            "shop_id": shop_id,
            "platform_id": platform_id,
            "webhook_id": webhook_id,
            "topic": topic,
            "url": url,
            "body": body,
            "request_id": issuing.webhook_request_id(ctx),
            "status": "pending",
            "created_at": now,
            "schedule_start": now,
            "next_attempt_at": now,
            "attempts": [],
        },
    )
    ctx.queued += 1
    bound_log(ctx)


def bound_log(ctx: Context) -> None:
    """Keep at most ``max_deliveries`` in the log: the oldest finished ones go first. When
    all are pending, the oldest pending delivery of the subscription with the most pending
    is dropped instead: never sent, status ``dropped`` (finished, so the first to go next
    time), noted for the request journal."""
    excess = ctx.store.count("deliveries") - ctx.config.max_deliveries
    if excess <= 0:
        return
    finished = [item for item in ctx.store.scan("deliveries") if item["status"] in FINISHED]
    for delivery in sorted(finished, key=lambda item: int(item["id"]))[:excess]:
        ctx.store.delete("deliveries", id=delivery["id"])
    for _ in range(excess - len(finished)):
        _drop_one(ctx)


def _drop_one(ctx: Context) -> None:
    pending = sorted(ctx.store.scan("deliveries", status="pending"), key=lambda d: int(d["id"]))
    waiting = Counter(queue_key(delivery) for delivery in pending)
    if not waiting:
        return
    most = max(waiting.values())
    victim = next(delivery for delivery in pending if waiting[queue_key(delivery)] == most)
    ctx.store.update(
        "deliveries", {"id": victim["id"]}, {"status": "dropped", "next_attempt_at": None}
    )
    ctx.notes.append(
        f"webhook delivery {victim['id']} ({victim['topic']}, queue "
        f"{queue_key(victim)}) dropped unsent: the delivery log is full "
        f"(max_deliveries {ctx.config.max_deliveries}, all pending); the oldest pending "
        "delivery of the subscription with the most waiting goes first"
    )


# -- the delivery log, as the dispatcher and the control plane read and write it -------------


def stored_pending_deliveries(ctx: Context) -> list[dict[str, Any]]:
    """The pending deliveries as stored (no copies, for speed): read only, never change one."""
    return ctx.store.scan("deliveries", status="pending")


def delivery_or_none(ctx: Context, delivery_id: str) -> dict[str, Any] | None:
    """A copy of the delivery ``delivery_id``, or None."""
    return ctx.store.find_one("deliveries", id=delivery_id)


def list_deliveries(ctx: Context, **equals: Any) -> list[dict[str, Any]]:
    """Copies of the deliveries whose fields equal ``equals``, the oldest first."""
    return sorted(ctx.store.find("deliveries", **equals), key=lambda item: int(item["id"]))


def change_delivery(ctx: Context, delivery_id: str, changes: dict[str, Any]) -> None:
    ctx.store.update("deliveries", {"id": delivery_id}, changes)


def cancel_queue(ctx: Context, delivery: dict[str, Any]) -> None:
    """Cancel every pending delivery of ``delivery``'s queue (its subscription is gone)."""
    ctx.store.update(
        "deliveries",
        {
            "webhook_id": delivery["webhook_id"],
            "platform_id": delivery["platform_id"],
            "status": "pending",
        },
        {"status": "cancelled", "next_attempt_at": None},
    )

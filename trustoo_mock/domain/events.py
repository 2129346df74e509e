"""Domain events become webhook deliveries: one per (event, matching subscription) (D12).

The delivery waits in the store (the outbox) until the dispatcher sends it, so a restart with
``--data`` loses nothing. Seeding never calls this.
"""

from __future__ import annotations

import json
from typing import Any

from trustoo_mock.domain import issuing
from trustoo_mock.domain.context import Context

DELIVERY_ID_START = 1
REVIEW_CREATED = "review/created"
REVIEW_UPDATED = "review/updated"
REVIEW_DELETED = "review/deleted"
CUSTOMER_EVENT_CREATED = "customer_event/created"


def push_record(ctx: Context, shop_id: str, topic: str, record: dict[str, Any]) -> dict[str, Any]:
    """The record as pushed: the wire fields plus event_type and the shop's identity; the
    record id is a JSON number, as in the docs' example (D6)."""
    shop = ctx.store.find_one("shops", shop_id=shop_id) or {}
    pushed = dict(record)
    if str(pushed.get("id", "")).isdigit():
        pushed["id"] = int(pushed["id"])
    pushed["event_type"] = topic
    pushed["my_shopify_domain"] = shop.get("myshopify_domain", "")
    pushed["shopify_shop_id"] = int(shop_id) if shop_id.isdigit() else shop_id
    return pushed


def emit(ctx: Context, shop_id: str, topic: str, record: dict[str, Any]) -> int:
    """Queue one delivery per subscription of this shop to ``topic`` (the shop's own and each
    platform's, never another shop's). Returns how many were queued."""
    subscriptions = sorted(
        ctx.store.find("webhooks", shop_id=shop_id, topic=topic), key=lambda hook: int(hook["id"])
    )
    if not subscriptions:
        return 0
    body = json.dumps(
        {"list": [push_record(ctx, shop_id, topic, record)]},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    now = ctx.clock.now()
    for subscription in subscriptions:
        ctx.store.insert(
            "deliveries",
            {
                "id": str(ctx.store.next_id("delivery", DELIVERY_ID_START)),
                "shop_id": shop_id,
                "platform_id": subscription["platform_id"],
                "webhook_id": subscription["id"],
                "topic": topic,
                "url": subscription["url"],
                "body": body,
                "request_id": issuing.webhook_request_id(ctx),
                "status": "pending",
                "created_at": now,
                "schedule_start": now,
                "next_attempt_at": now,
                "attempts": [],
            },
        )
    ctx.queued += len(subscriptions)
    return len(subscriptions)

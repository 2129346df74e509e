"""Webhook subscriptions (D8): each belongs to one (shop, platform) and only it sees them."""

from __future__ import annotations

from typing import Any

from trustoo_mock.clock import rfc3339
from trustoo_mock.domain.context import Context
from trustoo_mock.errors import trustoo_error
from trustoo_mock.formats import MAX_URL_LENGTH, is_http_url
from trustoo_mock.ids import id_text
from trustoo_mock.principal import Principal

TOPIC_SCOPES = {
    "review/created": "write_reviews",
    "review/updated": "write_reviews",
    "review/deleted": "write_reviews",
    "customer_event/created": "read_customer_events",
}
WEBHOOK_ID_START = 1


def _check_subscription(principal: Principal, topic: str, url: str) -> None:
    scope = TOPIC_SCOPES[topic]
    if scope not in principal.scopes:
        raise trustoo_error("insufficient_scope", scope=scope, granted=principal.granted())
    if not is_http_url(url):
        raise trustoo_error(
            "invalid_body",
            detail=f"url must be an absolute http(s) URL of at most {MAX_URL_LENGTH} characters",
        )


def _owned(ctx: Context, principal: Principal) -> list[dict[str, Any]]:
    webhooks = ctx.store.find(
        "webhooks", shop_id=principal.shop_id, platform_id=principal.platform_id
    )
    return sorted(webhooks, key=lambda webhook: int(webhook["id"]))


def _ensure_unique(
    ctx: Context, principal: Principal, topic: str, url: str, except_id: str | None = None
) -> None:
    for webhook in _owned(ctx, principal):
        if webhook["topic"] == topic and webhook["url"] == url and webhook["id"] != except_id:
            raise trustoo_error("webhook_exists", topic=topic, url=url, id=webhook["id"])


def create_webhook(ctx: Context, principal: Principal, topic: str, url: str) -> dict[str, Any]:
    _check_subscription(principal, topic, url)
    _ensure_unique(ctx, principal, topic, url)
    limit = ctx.config.max_webhooks_per_owner
    if len(_owned(ctx, principal)) >= limit:
        raise trustoo_error("webhook_limit", limit=limit)
    now = ctx.clock.now_int()
    webhook = {
        "id": str(ctx.store.next_id("webhook", WEBHOOK_ID_START)),
        "shop_id": principal.shop_id,
        "platform_id": principal.platform_id,
        "topic": topic,
        "url": url,
        "created_at": now,
        "updated_at": now,
    }
    return ctx.store.insert("webhooks", webhook)


def _get_owned(ctx: Context, principal: Principal, webhook_id: Any) -> dict[str, Any]:
    webhook = ctx.store.find_one(
        "webhooks",
        id=id_text(webhook_id),
        shop_id=principal.shop_id,
        platform_id=principal.platform_id,
    )
    if webhook is None:
        raise trustoo_error("webhook_not_found", id=webhook_id)
    return webhook


def update_webhook(
    ctx: Context, principal: Principal, webhook_id: Any, topic: str, url: str
) -> dict[str, Any]:
    webhook = _get_owned(ctx, principal, webhook_id)
    _check_subscription(principal, topic, url)
    _ensure_unique(ctx, principal, topic, url, except_id=webhook["id"])
    changes = {"topic": topic, "url": url, "updated_at": ctx.clock.now_int()}
    ctx.store.update("webhooks", {"id": webhook["id"]}, changes)
    return {**webhook, **changes}


def delete_webhook(ctx: Context, principal: Principal, webhook_id: Any) -> None:
    webhook = _get_owned(ctx, principal, webhook_id)
    ctx.store.delete("webhooks", id=webhook["id"])


def list_webhooks(ctx: Context, principal: Principal) -> list[dict[str, Any]]:
    return _owned(ctx, principal)


def present_webhook(webhook: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": webhook["id"],
        "topic": webhook["topic"],
        "url": webhook["url"],
        "created_at": rfc3339(webhook["created_at"]),
        "updated_at": rfc3339(webhook["updated_at"]),
    }

"""Webhooks section: create, update, delete and list a caller's subscriptions."""

from __future__ import annotations

from typing import Any

from trustoo_mock.domain import webhooks
from trustoo_mock.server.api.call import Call, Handler


def create_shop_webhook(call: Call) -> dict[str, Any]:
    created = webhooks.create_webhook(
        call.ctx, call.caller, call.fields["topic"], call.fields["url"]
    )
    return webhooks.present_webhook(created)


def update_shop_webhook(call: Call) -> dict[str, Any]:
    body = call.fields
    updated = webhooks.update_webhook(call.ctx, call.caller, body["id"], body["topic"], body["url"])
    return webhooks.present_webhook(updated)


def delete_shop_webhook(call: Call) -> dict[str, Any]:
    webhooks.delete_webhook(call.ctx, call.caller, call.fields["id"])
    return {}


def get_shop_webhooks(call: Call) -> list[dict[str, Any]]:
    return [
        webhooks.present_webhook(item) for item in webhooks.list_webhooks(call.ctx, call.caller)
    ]


HANDLERS: dict[str, Handler] = {
    "create_shop_webhook": create_shop_webhook,
    "update_shop_webhook": update_shop_webhook,
    "delete_shop_webhook": delete_shop_webhook,
    "get_shop_webhooks": get_shop_webhooks,
}

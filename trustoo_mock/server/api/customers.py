"""Customers section: email unsubscribe, and exclusions from review invitations."""

from __future__ import annotations

from typing import Any

from trustoo_mock.domain import customers
from trustoo_mock.server.api.call import Call, Handler


def email_unsubscribe(call: Call) -> dict[str, Any]:
    body = call.fields
    customers.unsubscribe(call.ctx, call.caller.shop_id, body["email"], body["email_type"])
    return {}


def create_customer_exclude(call: Call) -> dict[str, Any]:
    exclusion = customers.create_exclusion(call.ctx, call.caller.shop_id, call.fields)
    return customers.present_exclusion(call.ctx, exclusion)


def delete_customer_exclude(call: Call) -> dict[str, Any]:
    customers.delete_exclusion(call.ctx, call.caller.shop_id, call.fields)
    return {}


def get_customer_excludes(call: Call) -> dict[str, Any]:
    page = customers.list_exclusions(call.ctx, call.caller.shop_id, call.query)
    return {"page": page.meta(), "list": page.items}


HANDLERS: dict[str, Handler] = {
    "email_unsubscribe": email_unsubscribe,
    "create_customer_exclude": create_customer_exclude,
    "delete_customer_exclude": delete_customer_exclude,
    "get_customer_excludes": get_customer_excludes,
}

"""Orders with their review-request status (D13), as get_orders lists them.

Status numbers are the ``type`` filter's: 1 waiting, 2 scheduled, 3 sent, 4 opened,
5 evaluated (reviewed), 6 cancelled. A request still pending (1 or 2) shows as cancelled while
its customer is excluded or unsubscribed from review requests; its ``updated_at`` is then the
later of the order's own and the moment of that exclusion or unsubscribe.
"""

from __future__ import annotations

from typing import Any

from trustoo_mock.core.clock import parse_instant, rfc3339
from trustoo_mock.core.errors import FakeError
from trustoo_mock.core.ids import id_text
from trustoo_mock.domain import customers
from trustoo_mock.domain.context import Context
from trustoo_mock.domain.paging import Page, by_creation, newest_first, presented_page

WAITING, SCHEDULED, SENT, OPENED, EVALUATED, CANCELLED = 1, 2, 3, 4, 5, 6
PENDING = (WAITING, SCHEDULED)
SENT_STATUSES = (SENT, OPENED, EVALUATED)
_BY_CREATION = by_creation("order_id")


def _instant(value: Any) -> int:
    return int(parse_instant(str(value)))


def build_order(ctx: Context, shop_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A stored order from seed data (schema-valid). Sent requests need ``sent_at``; pending
    ones must not have it; the customer is taken from, or added to, the shop's customers."""
    status = int(fields["status"])
    sent = fields.get("sent_at")
    order_id = id_text(fields["order_id"])
    if status in SENT_STATUSES and sent is None:
        raise FakeError("order_needs_sent_at", order_id=order_id, status=status)
    if status in PENDING and sent is not None:
        raise FakeError("order_not_sent_has_sent_at", order_id=order_id, status=status)
    customer = _customer_for(ctx, shop_id, fields)
    created_at = _instant(fields["created_at"])
    sent_at = None if sent is None else _instant(sent)
    updated = fields.get("updated_at")
    name = " ".join(part for part in (customer["first_name"], customer["last_name"]) if part)
    return {
        "shop_id": shop_id,
        "order_id": order_id,
        "order_name": str(fields.get("order_name") or f"#{order_id}"),
        "customer_id": customer["customer_id"],
        "customer_email": str(fields.get("customer_email") or customer["email"]),
        "customer_name": str(fields.get("customer_name") or name),
        "status": status,
        "sent_at": sent_at,
        "created_at": created_at,
        "updated_at": _instant(updated) if updated else max(created_at, sent_at or created_at),
    }


def _customer_for(ctx: Context, shop_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    customer_id = id_text(fields["customer_id"])
    found = ctx.store.find_one("customers", shop_id=shop_id, customer_id=customer_id)
    if found is not None:
        return found
    first, last = customers.split_name(str(fields.get("customer_name") or ""))
    customer = customers.build_customer(
        shop_id,
        {
            "customer_id": customer_id,
            "first_name": first,
            "last_name": last,
            "email": fields.get("customer_email") or "",
        },
    )
    return ctx.store.insert("customers", customer)


def _bound(query: dict[str, Any], name: str) -> float | None:
    value = query.get(name)
    return None if value in (None, "") else parse_instant(str(value))


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def effective(
    order: dict[str, Any], excluded: dict[str, int], stopped: dict[str, int]
) -> dict[str, Any]:
    """The order as it reads now: a pending request of an excluded or unsubscribed customer
    is cancelled."""
    if order["status"] not in PENDING:
        return order
    reasons = [
        since
        for since in (
            excluded.get(order["customer_id"]),
            stopped.get(customers.email_key(order["customer_email"])),
        )
        if since is not None
    ]
    if not reasons:
        return order
    return {**order, "status": CANCELLED, "updated_at": max(order["updated_at"], min(reasons))}


def present_order(order: dict[str, Any]) -> dict[str, Any]:
    return {
        "order_id": order["order_id"],
        "order_name": order["order_name"],
        "customer_id": order["customer_id"],
        "customer_email": order["customer_email"],
        "customer_name": order["customer_name"],
        "status": order["status"],
        "sent_at": None if order["sent_at"] is None else rfc3339(order["sent_at"]),
        "created_at": rfc3339(order["created_at"]),
        "updated_at": rfc3339(order["updated_at"]),
    }


def list_orders(ctx: Context, shop_id: str, query: dict[str, Any]) -> Page:
    """Filters combine with AND; time bounds are inclusive; an inverted window matches
    nothing; a send-time bound leaves out orders whose request was never sent."""
    wanted_status = int(query.get("type") or 0)
    sent_low, sent_high = _bound(query, "start_sent_at"), _bound(query, "end_sent_at")
    low, high = _bound(query, "start_time"), _bound(query, "end_time")
    excluded = customers.excluded_since(ctx, shop_id)
    stopped = customers.review_request_stops(ctx, shop_id)
    matching = []
    for stored in ctx.store.ordered("orders", "shop_id", shop_id, "created", _BY_CREATION):
        order = effective(stored, excluded, stopped)
        if wanted_status and order["status"] != wanted_status:
            continue
        sent_bound = sent_low is not None or sent_high is not None
        if sent_bound and (
            order["sent_at"] is None or not _within(order["sent_at"], sent_low, sent_high)
        ):
            continue
        if not _within(order["created_at"], low, high):
            continue
        matching.append(order)
    return presented_page(matching, query, present_order, newest_first(query))

"""Orders section: the shop's orders with their review-request status."""

from __future__ import annotations

from typing import Any

from trustoo_mock.domain import orders
from trustoo_mock.server.api.call import Call, Handler


def get_orders(call: Call) -> dict[str, Any]:
    page = orders.list_orders(call.ctx, call.caller.shop_id, call.query)
    return {"page": page.meta(), "list": page.items}


HANDLERS: dict[str, Handler] = {"get_orders": get_orders}

"""Customer Events section: the shop's customer events, filtered and paged."""

from __future__ import annotations

from typing import Any

from trustoo_mock.domain import customer_events
from trustoo_mock.server.api.call import Call, Handler


def get_customer_events(call: Call) -> dict[str, Any]:
    page = customer_events.list_events(call.ctx, call.caller.shop_id, call.query)
    return {"page": page.meta(), "list": page.items}


HANDLERS: dict[str, Handler] = {"get_customer_events": get_customer_events}

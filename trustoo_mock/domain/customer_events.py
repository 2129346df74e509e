"""Customer events (D13): what shoppers do with the reviews on the storefront, in emails and
in the admin. They come from seed data and from the control plane (a storefront event)."""

from __future__ import annotations

from typing import Any

from trustoo_mock.core.clock import parse_instant, rfc3339
from trustoo_mock.core.ids import id_text
from trustoo_mock.domain import events, issuing
from trustoo_mock.domain.context import Context
from trustoo_mock.domain.paging import Page, by_creation, newest_first, presented_page

EVENT_ID_START = 1000001
EVENT_TYPES = (
    "VIEW_REVIEW",
    "EXPAND_CONTENT",
    "SUBMIT_REVIEW",
    "CLICK_REVIEW",
    "PAGINATION",
    "FILTER_REVIEW",
    "SORT_REVIEW",
    "CLICK_MEDIA",
    "CLOSE_VIDEO_POPUP",
)
OS_TYPES = ("IOS", "ANDROID", "WINDOWS", "MACOS", "LINUX")
EVENT_SOURCES = ("STOREFRONT", "EMAIL", "ADMIN")
DEFAULT_OS_TYPE = "WINDOWS"
DEFAULT_EVENT_SOURCE = "STOREFRONT"
_OPTIONAL_IDS = ("customer_id", "product_id", "review_id")
_BY_CREATION = by_creation("id")


def build_event(shop_id: str, event_id: int, fields: dict[str, Any], now: int) -> dict[str, Any]:
    """A stored event from a schema-valid dict; ``created_at`` defaults to ``now``."""
    created = fields.get("created_at")
    return {
        "shop_id": shop_id,
        "id": str(event_id),
        "event_type": str(fields["event_type"]),
        "os_type": str(fields.get("os_type") or DEFAULT_OS_TYPE),
        "event_source": str(fields.get("event_source") or DEFAULT_EVENT_SOURCE),
        **{
            name: None if fields.get(name) is None else id_text(fields[name])
            for name in _OPTIONAL_IDS
        },
        "created_at": now if created is None else int(parse_instant(str(created))),
    }


def create_event(ctx: Context, shop_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A new event, as if a shopper had just acted; fires ``customer_event/created``."""
    event_id = ctx.store.next_id("customer_event", EVENT_ID_START)
    event = ctx.store.insert(
        "customer_events", build_event(shop_id, event_id, fields, ctx.clock.now_int())
    )
    events.emit(ctx, shop_id, events.CUSTOMER_EVENT_CREATED, present_event(event))
    return event


def seed_events(ctx: Context, shop_id: str, items: list[dict[str, Any]]) -> int:
    """Add many events at once (seeding fires no webhook); given ids are kept (X105)."""
    issuing.take_given_ids(ctx, "customer_events", "customer_event", EVENT_ID_START, items)
    unnumbered = sum(1 for item in items if item.get("id") is None)
    drawn = iter(ctx.store.next_ids("customer_event", EVENT_ID_START, unnumbered))
    now = ctx.clock.now_int()
    built = [
        build_event(
            shop_id, next(drawn) if item.get("id") is None else int(id_text(item["id"])), item, now
        )
        for item in items
    ]
    ctx.store.insert_many("customer_events", built)
    return len(built)


def present_event(event: dict[str, Any]) -> dict[str, Any]:
    return {
        **{name: event[name] for name in ("id", "event_type", "os_type", "event_source")},
        **{name: event[name] for name in _OPTIONAL_IDS},
        "created_at": rfc3339(event["created_at"]),
    }


def list_events(ctx: Context, shop_id: str, query: dict[str, Any]) -> Page:
    """Filters match exactly, ignoring case, and combine with AND (an empty one is no filter);
    sorted by created_at, then id."""
    wanted = {
        name: str(query[name]).lower()
        for name in ("event_type", "os_type", "event_source")
        if query.get(name)
    }
    events = ctx.store.ordered("customer_events", "shop_id", shop_id, "created", _BY_CREATION)
    matching = (
        [
            event
            for event in events
            if all(event[name].lower() == value for name, value in wanted.items())
        ]
        if wanted
        else events
    )
    return presented_page(matching, query, present_event, newest_first(query))

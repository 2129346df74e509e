"""Customers: email unsubscribes and exclusions from review invitations.

A customer is known to a shop when seeded, or when an order names it. An exclusion names one
known customer (by id, or by email compared case-insensitively); excluding twice is code 6.
An unsubscribe records (email, email type) for any address and is idempotent. Both stop review
requests: an order whose request is still pending (waiting or scheduled) shows as cancelled
while its customer is excluded or unsubscribed from ``review_request`` (or ``all``).
"""

from __future__ import annotations

from typing import Any

from trustoo_mock.core.clock import rfc3339
from trustoo_mock.core.errors import FakeError
from trustoo_mock.core.ids import id_text
from trustoo_mock.domain.context import Context
from trustoo_mock.domain.paging import Page, by_creation, presented_page
from trustoo_mock.spec.formats import is_email

EMAIL_TYPES = (
    "all",
    "review_request",
    "review_request_test",
    "discount_for_photo_review",
    "left_review",
    "market_email",
    "question_notification",
    "answer_notification",
    "review_request_quota_exhausted",
    "review_display_quota_exhausted",
    "reply_to_review",
    "post_purchase_referral",
    "advocate_reward_paid",
    "advocate_reward_refund",
    "review_media_remind",
    "auto_leave_review",
    "request_update_review",
)
STOPS_REVIEW_REQUESTS = ("all", "review_request")
_NAME_FIELDS = ("first_name", "last_name", "email", "phone")
_EXCLUSIONS_BY_CREATION = by_creation("customer_id")


def email_key(email: str) -> str:
    return email.strip().lower()


def _check_email(email: str) -> None:
    if not is_email(email):
        raise FakeError("invalid_body", detail=f"email is not an email address: {email!r}")


# --------------------------------------------------------------------------- customers


def build_customer(shop_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    customer = {
        "shop_id": shop_id,
        "customer_id": id_text(fields["customer_id"]),
        **{name: str(fields.get(name) or "") for name in _NAME_FIELDS},
    }
    customer["email_key"] = email_key(customer["email"])
    return customer


def split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first, last.strip()


def find_customer(
    ctx: Context, shop_id: str, customer_id: Any = None, email: str | None = None
) -> dict[str, Any]:
    if customer_id is not None:
        found = ctx.store.find_one("customers", shop_id=shop_id, customer_id=id_text(customer_id))
        if found is None:
            raise FakeError("customer_not_found", field="customer_id", value=str(customer_id))
        return found
    key = email_key(email or "")
    matches = ctx.store.find("customers", shop_id=shop_id, email_key=key) if key else []
    if not matches:
        raise FakeError("customer_not_found", field="email", value=email or "")
    return min(matches, key=lambda customer: int(customer["customer_id"]))


# --------------------------------------------------------------------------- unsubscribes


def unsubscribe(
    ctx: Context, shop_id: str, email: str, email_type: str, at: int | None = None
) -> dict[str, Any]:
    """Stop one kind of email (``all``: every kind) to ``email``; asking again changes nothing."""
    _check_email(email)
    if email_type not in EMAIL_TYPES:
        raise FakeError(
            "invalid_body", detail=f"email_type must be one of {', '.join(EMAIL_TYPES)}"
        )
    key = email_key(email)
    existing = ctx.store.find_one(
        "unsubscribes", shop_id=shop_id, email_key=key, email_type=email_type
    )
    if existing is not None:
        return existing
    record = {
        "shop_id": shop_id,
        "email": email.strip(),
        "email_key": key,
        "email_type": email_type,
        "created_at": ctx.clock.now_int() if at is None else at,
    }
    return ctx.store.insert("unsubscribes", record)


def review_request_stops(ctx: Context, shop_id: str) -> dict[str, int]:
    """Email (lowercase) -> since when review requests to it stop (unsubscribed)."""
    stops: dict[str, int] = {}
    for record in ctx.store.find("unsubscribes", shop_id=shop_id):
        if record["email_type"] in STOPS_REVIEW_REQUESTS:
            since = stops.get(record["email_key"])
            stops[record["email_key"]] = min(record["created_at"], since or record["created_at"])
    return stops


# --------------------------------------------------------------------------- exclusions


def _identify(fields: dict[str, Any]) -> tuple[Any, str | None]:
    """Exactly one of customer_id and email: both or neither is code 3."""
    has_id = fields.get("customer_id") is not None
    has_email = fields.get("email") is not None
    if has_id == has_email:
        raise FakeError(
            "invalid_body",
            detail="send exactly one of customer_id or email, "
            + ("not both" if has_id else "neither was given"),
        )
    if has_email:
        _check_email(str(fields["email"]))
        return None, str(fields["email"])
    return fields["customer_id"], None


def create_exclusion(
    ctx: Context,
    shop_id: str,
    fields: dict[str, Any],
    at: int | None = None,
    updated_at: int | None = None,
) -> dict[str, Any]:
    customer_id, email = _identify(fields)
    customer = find_customer(ctx, shop_id, customer_id, email)
    existing = ctx.store.find_one(
        "exclusions", shop_id=shop_id, customer_id=customer["customer_id"]
    )
    if existing is not None:
        raise FakeError(
            "exclusion_exists",
            customer_id=customer["customer_id"],
            since=rfc3339(existing["created_at"]),
        )
    now = ctx.clock.now_int() if at is None else at
    exclusion = {
        "shop_id": shop_id,
        "customer_id": customer["customer_id"],
        "created_at": now,
        "updated_at": now if updated_at is None else updated_at,
    }
    return ctx.store.insert("exclusions", exclusion)


def delete_exclusion(ctx: Context, shop_id: str, fields: dict[str, Any]) -> None:
    customer_id, email = _identify(fields)
    field, value = ("customer_id", str(customer_id)) if email is None else ("email", email)
    try:
        customer = find_customer(ctx, shop_id, customer_id, email)
    except FakeError:
        raise FakeError("exclusion_not_found", field=field, value=value) from None
    removed = ctx.store.delete("exclusions", shop_id=shop_id, customer_id=customer["customer_id"])
    if not removed:
        raise FakeError("exclusion_not_found", field=field, value=value)


def excluded_since(ctx: Context, shop_id: str) -> dict[str, int]:
    """Customer id -> when it was excluded."""
    return {
        record["customer_id"]: record["created_at"]
        for record in ctx.store.find("exclusions", shop_id=shop_id)
    }


def list_exclusions(ctx: Context, shop_id: str, query: dict[str, Any]) -> Page:
    """Newest first (created_at, then customer id), in the CustomerExclusion wire shape."""
    return presented_page(
        ctx.store.ordered("exclusions", "shop_id", shop_id, "created", _EXCLUSIONS_BY_CREATION),
        query,
        lambda record: present_exclusion(ctx, record),
        descending=True,
    )


def present_exclusion(ctx: Context, exclusion: dict[str, Any]) -> dict[str, Any]:
    customer = ctx.store.find_one(
        "customers", shop_id=exclusion["shop_id"], customer_id=exclusion["customer_id"]
    )
    names = {name: (customer or {}).get(name, "") for name in _NAME_FIELDS}
    return {
        "customer_id": exclusion["customer_id"],
        **names,
        "created_at": rfc3339(exclusion["created_at"]),
        "updated_at": rfc3339(exclusion["updated_at"]),
    }

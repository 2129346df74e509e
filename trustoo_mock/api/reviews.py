"""Reviews section: one review, a filtered page of them, create, delete, and the rating."""

from __future__ import annotations

from typing import Any

from trustoo_mock.api.call import Call, Handler
from trustoo_mock.domain import reviews


def get_review(call: Call) -> dict[str, Any]:
    found = reviews.get_review(call.ctx, call.caller.shop_id, call.query["id"])
    return reviews.present_review(call.ctx, found)


def get_reviews(call: Call) -> dict[str, Any]:
    shop_id = call.caller.shop_id
    page = reviews.list_reviews(call.ctx, shop_id, call.query)
    return {"page": page.meta(), "list": reviews.present_reviews(call.ctx, shop_id, page.items)}


def create_review(call: Call) -> dict[str, Any]:
    created = reviews.create_review(call.ctx, call.caller.shop_id, call.fields)
    return reviews.present_review(call.ctx, created)


def delete_review(call: Call) -> dict[str, Any]:
    reviews.delete_review(call.ctx, call.caller.shop_id, call.fields["id"])
    return {}


def get_rating(call: Call) -> dict[str, Any]:
    return reviews.rating(call.ctx, call.caller.shop_id, call.query)


HANDLERS: dict[str, Handler] = {
    "get_review": get_review,
    "get_reviews": get_reviews,
    "create_review": create_review,
    "delete_review": delete_review,
    "get_rating": get_rating,
}

"""Reviews section: one review, a filtered page of them, create, delete, and the rating."""

from __future__ import annotations

from typing import Any

from trustoo_mock.domain import reviews
from trustoo_mock.server.api.call import Call, Handler
from trustoo_mock.server.envelope import Encoded, encode


def get_review(call: Call) -> dict[str, Any]:
    found = reviews.get_review(call.ctx, call.caller.shop_id, call.query["id"])
    return reviews.present_review(call.ctx, found)


def get_reviews(call: Call) -> Encoded:
    shop_id = call.caller.shop_id

    def page_data() -> Encoded:
        page = reviews.list_reviews(call.ctx, shop_id, call.query)
        listed = reviews.present_reviews(call.ctx, shop_id, page.items)
        return encode({"page": page.meta(), "list": listed})

    # Integrations poll the same pages again and again; a page is rebuilt (and encoded)
    # only after a review or product was written.
    key = ("get_reviews", shop_id, tuple(sorted(call.query.items())))
    return reviews.remembered_until_reviews_change(call.ctx, key, page_data)


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

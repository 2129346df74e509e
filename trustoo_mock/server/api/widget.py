"""Storefront widget API: public, unsigned reads of a shop's published reviews."""

from __future__ import annotations

from typing import Any

from trustoo_mock.domain import widget
from trustoo_mock.server.api.call import Call, Handler


def _shop_id(call: Call) -> str:
    shop = widget.find_shop(call.ctx, call.query.get("shop"), call.query.get("shop_id"))
    return str(shop["shop_id"])


def get_product_reviews(call: Call) -> dict[str, Any]:
    return widget.product_reviews(call.ctx, _shop_id(call), call.query)


def get_products_rating(call: Call) -> list[dict[str, str]]:
    return widget.products_rating(call.ctx, _shop_id(call), call.query["product_handle"])


HANDLERS: dict[str, Handler] = {
    "widget_get_product_reviews": get_product_reviews,
    "widget_get_products_rating": get_products_rating,
}

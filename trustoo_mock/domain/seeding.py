"""Loading data in the fixtures/*.json format, and putting shops back to it."""

from __future__ import annotations

from typing import Any

from trustoo_mock.clock import parse_instant
from trustoo_mock.domain import oauth, reviews, tenants
from trustoo_mock.domain.context import Context
from trustoo_mock.ids import id_text

SHOP_TABLES = ("products", "reviews", "webhooks", "grants", "codes", "installations")


def load(ctx: Context, data: dict[str, Any]) -> dict[str, int]:
    """Add everything in ``data`` (already schema-valid); returns how many of each were added."""
    counts = {"shops": 0, "products": 0, "reviews": 0, "platforms": 0, "authorizations": 0}
    with ctx.store.transaction():
        for platform in data.get("platforms", ()):
            tenants.create_platform(ctx, platform)
            counts["platforms"] += 1
        for shop in data.get("shops", ()):
            created = tenants.create_shop(ctx, shop)
            counts["shops"] += 1
            added = _load_shop_content(ctx, created["shop_id"], shop)
            counts["products"] += added["products"]
            counts["reviews"] += added["reviews"]
        for authorization in data.get("authorizations", ()):
            _load_authorization(ctx, authorization)
            counts["authorizations"] += 1
    return counts


def _load_shop_content(ctx: Context, shop_id: str, shop: dict[str, Any]) -> dict[str, int]:
    products = shop.get("products", ())
    for product in products:
        ctx.store.insert(
            "products",
            {
                "shop_id": shop_id,
                "product_id": str(product["product_id"]),
                "handle": product["handle"],
                "title": product.get("title", ""),
            },
        )
    shop_reviews = shop.get("reviews", ())
    for review in shop_reviews:
        created = review.get("created_at")
        created_at = None if created is None else int(parse_instant(str(created)))
        ctx.store.insert("reviews", reviews.build_review(ctx, shop_id, review, created_at))
    return {"products": len(products), "reviews": len(shop_reviews)}


def _load_authorization(ctx: Context, authorization: dict[str, Any]) -> None:
    shop = tenants.get_shop(ctx, id_text(authorization["shop_id"]))
    platform = tenants.get_platform_by_client_id(ctx, authorization["client_id"])
    scopes = tenants.parse_scopes(authorization.get("scopes"), default=platform["scopes"])
    oauth.issue_grant(
        ctx,
        shop["shop_id"],
        platform["platform_id"],
        scopes,
        access_token=authorization.get("access_token"),
        refresh_token=authorization.get("refresh_token"),
    )


def reset_shop(ctx: Context, shop_id: str, seed: dict[str, Any] | None) -> None:
    """Drop one shop's content and grants, then reload its part of the start-up seed."""
    tenants.get_shop(ctx, shop_id)
    with ctx.store.transaction():
        for table in SHOP_TABLES:
            ctx.store.delete(table, shop_id=shop_id)
        if seed is None:
            return
        for shop in seed.get("shops", ()):
            if id_text(shop.get("shop_id")) == shop_id:
                _load_shop_content(ctx, shop_id, shop)
        for authorization in seed.get("authorizations", ()):
            if id_text(authorization["shop_id"]) == shop_id:
                _load_authorization(ctx, authorization)

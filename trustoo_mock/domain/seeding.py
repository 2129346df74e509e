"""Loading data in the fixtures/*.json format, and putting shops back to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from trustoo_mock.core.clock import parse_instant
from trustoo_mock.core.errors import FakeError
from trustoo_mock.core.ids import id_text
from trustoo_mock.domain import (
    customer_events,
    customers,
    media,
    oauth,
    orders,
    reviews,
    tenants,
    webhooks,
)
from trustoo_mock.domain.context import Context

SHOP_TABLES = (
    "products",
    "reviews",
    "webhooks",
    "grants",
    "codes",
    "installations",
    "customers",
    "orders",
    "customer_events",
    "exclusions",
    "unsubscribes",
)
SHOP_COUNTS = (
    "products",
    "reviews",
    "customers",
    "orders",
    "customer_events",
    "webhooks",
    "exclusions",
    "unsubscribes",
)


def load(ctx: Context, data: dict[str, Any]) -> dict[str, int]:
    """Add everything in ``data`` (already schema-valid); returns how many of each were added."""
    counts = dict.fromkeys(("shops", "platforms", "authorizations", *SHOP_COUNTS), 0)
    with ctx.store.transaction():
        for index, platform in enumerate(data.get("platforms", ())):
            with _entry(f"platforms[{index}]"):
                tenants.create_platform(ctx, platform)
            counts["platforms"] += 1
        for index, shop in enumerate(data.get("shops", ())):
            with _entry(f"shops[{index}]"):
                created = tenants.create_shop(ctx, shop)
                added = _load_shop_content(ctx, created["shop_id"], shop)
            counts["shops"] += 1
            for name in SHOP_COUNTS:
                counts[name] += added[name]
        for index, authorization in enumerate(data.get("authorizations", ())):
            with _entry(f"authorizations[{index}]"):
                _load_authorization(ctx, authorization)
            counts["authorizations"] += 1
        for code in data.get("authorization_codes", ()):
            _load_code(ctx, code)
    return counts


@contextmanager
def _entry(where: str) -> Iterator[None]:
    """An error about one entry of the data names it (``authorizations[1]: ...``), as a
    schema error names its field."""
    try:
        yield
    except FakeError as error:
        raise error.within(where) from None


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
    shop_webhooks = list(shop.get("webhooks", ()))
    owners = [
        tenants.get_platform_by_client_id(ctx, item["client_id"])["platform_id"]
        if item.get("client_id")
        else 0
        for item in shop_webhooks
    ]
    return {
        "products": len(products),
        "reviews": reviews.seed_reviews(ctx, shop_id, list(shop.get("reviews", ()))),
        "webhooks": webhooks.seed_webhooks(ctx, shop_id, owners, shop_webhooks),
        **_load_customers(ctx, shop_id, shop),
    }


def _at(item: dict[str, Any]) -> int | None:
    created = item.get("created_at")
    return None if created is None else int(parse_instant(str(created)))


def _load_customers(ctx: Context, shop_id: str, shop: dict[str, Any]) -> dict[str, int]:
    """Customers, orders, customer events, exclusions and unsubscribes of one seeded shop."""
    before = ctx.store.count("customers", shop_id=shop_id)
    known = {item["customer_id"] for item in ctx.store.find("customers", shop_id=shop_id)}
    added = []
    for item in shop.get("customers", ()):
        customer = customers.build_customer(shop_id, item)
        if customer["customer_id"] in known:
            raise FakeError("given_twice", what=f"customer {customer['customer_id']}")
        known.add(customer["customer_id"])
        added.append(customer)
    ctx.store.insert_many("customers", added)
    seen_orders = {item["order_id"] for item in ctx.store.find("orders", shop_id=shop_id)}
    built_orders = []
    for item in shop.get("orders", ()):
        order = orders.build_order(ctx, shop_id, item)
        if order["order_id"] in seen_orders:
            raise FakeError("given_twice", what=f"order {order['order_id']}")
        seen_orders.add(order["order_id"])
        built_orders.append(order)
    ctx.store.insert_many("orders", built_orders)
    events_added = customer_events.seed_events(ctx, shop_id, list(shop.get("customer_events", ())))
    exclusions = shop.get("exclusions", ())
    unsubscribes = shop.get("unsubscribes", ())
    try:
        for item in exclusions:
            updated = item.get("updated_at")
            customers.create_exclusion(
                ctx,
                shop_id,
                item,
                at=_at(item),
                updated_at=None if updated is None else int(parse_instant(str(updated))),
            )
        for item in unsubscribes:
            customers.unsubscribe(ctx, shop_id, item["email"], item["email_type"], at=_at(item))
    except FakeError as error:
        raise error.within(f"shop {shop_id}") from None
    return {
        "customers": ctx.store.count("customers", shop_id=shop_id) - before,
        "orders": len(built_orders),
        "customer_events": events_added,
        "exclusions": len(exclusions),
        "unsubscribes": len(unsubscribes),
    }


def _load_code(ctx: Context, code: dict[str, Any]) -> None:
    """An authorization code as oauth/authorize would issue it, valid for CODE_TTL from now."""
    shop = tenants.get_shop(ctx, id_text(code["shop_id"]))
    platform = tenants.get_platform_by_client_id(ctx, code["client_id"])
    redirect_uri = code["redirect_uri"]
    if redirect_uri not in platform["redirect_uris"]:
        raise FakeError("unregistered_redirect_uri", redirect_uri=redirect_uri)
    scopes = tenants.parse_scopes(code.get("scopes"), default=platform["scopes"])
    oauth.issue_code(ctx, platform, shop["shop_id"], redirect_uri, scopes, code=code["code"])


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
        for shop in (seed or {}).get("shops", ()):
            if id_text(shop.get("shop_id")) == shop_id:
                _load_shop_content(ctx, shop_id, shop)
        for authorization in (seed or {}).get("authorizations", ()):
            if id_text(authorization["shop_id"]) == shop_id:
                _load_authorization(ctx, authorization)
        for code in (seed or {}).get("authorization_codes", ()):
            if id_text(code["shop_id"]) == shop_id:
                _load_code(ctx, code)
    media.drop_shop_objects(ctx, shop_id)

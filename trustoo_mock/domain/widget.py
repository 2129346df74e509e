"""The storefront widget API (trustoo-api.md §10): public reads of a shop's published reviews.

It reads the same reviews the Open API writes: a review created with ``create_review`` shows
here at once, and one hidden (``is_published`` 0) or deleted is gone. Hidden media items are
left out of ``resources``.
"""

from __future__ import annotations

from typing import Any

from trustoo_mock.core.clock import trustoo_datetime
from trustoo_mock.core.errors import FakeError
from trustoo_mock.core.ids import id_text
from trustoo_mock.domain import reviews
from trustoo_mock.domain.context import Context
from trustoo_mock.domain.paging import DEFAULT_PAGE_SIZE

MAX_HANDLES = 100
COMMENTED_AT_DESCENDING = "commented-at-descending"
COMPREHENSIVE_DESCENDING = "comprehensive-descending"


def find_shop(ctx: Context, domain: str | None, shop_id: Any) -> dict[str, Any]:
    """The shop named by its myshopify domain (case-insensitive), its id, or both (they must
    name the same shop). Naming none, or no such shop, is code 5."""
    if not domain and shop_id is None:
        raise FakeError("shop_not_named")
    shop = None
    if shop_id is not None:
        shop = ctx.store.find_one("shops", shop_id=id_text(shop_id))
        if shop is None:
            raise FakeError("shop_not_found", what=f"shop_id {shop_id}")
    if domain:
        wanted = domain.strip().lower()
        by_domain = next(
            (s for s in ctx.store.find("shops") if s["myshopify_domain"].lower() == wanted), None
        )
        if by_domain is None:
            raise FakeError("shop_not_found", what=f"myshopify domain {domain!r}")
        if shop is not None and shop["shop_id"] != by_domain["shop_id"]:
            raise FakeError(
                "shop_not_found", what=f"both shop_id {shop_id} and myshopify domain {domain!r}"
            )
        shop = by_domain
    assert shop is not None
    return shop


def _product_ids_by_handle(ctx: Context, shop_id: str) -> dict[str, str]:
    return {
        product["handle"]: product["product_id"]
        for product in ctx.store.find("products", shop_id=shop_id)
    }


def _published_media(review: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in review["media"] if item.get("is_published", 1)]


def _sort_key(sort_by: str) -> Any:
    if sort_by == COMPREHENSIVE_DESCENDING:
        return lambda review: (
            review["is_top"],
            review["is_featured"],
            int(bool(_published_media(review))),
            review["commented_at"],
            int(review["id"]),
        )
    return lambda review: (review["commented_at"], int(review["id"]))


def product_reviews(ctx: Context, shop_id: str, query: dict[str, Any]) -> dict[str, Any]:
    """One page of published reviews of a product (``product_id`` wins over
    ``product_handle``; 0 means the store reviews) or of the whole shop, with its rating."""
    published = ctx.store.find("reviews", shop_id=shop_id, is_published=1)
    if query.get("product_id") is not None:
        wanted: str | None = id_text(query["product_id"])
        chosen = [review for review in published if review["product_id"] == wanted]
    elif query.get("product_handle") is not None:
        wanted = _product_ids_by_handle(ctx, shop_id).get(str(query["product_handle"]).strip())
        chosen = [review for review in published if review["product_id"] == wanted]
    else:
        chosen = published
    chosen.sort(key=_sort_key(str(query.get("sort_by") or COMMENTED_AT_DESCENDING)), reverse=True)
    page = int(query.get("page", 1))
    limit = int(query.get("limit", DEFAULT_PAGE_SIZE))
    count = len(chosen)
    data: dict[str, Any] = {
        "page": {"cur_page": page, "total_page": -(-count // limit), "count": count},
        "list": [present(review) for review in chosen[(page - 1) * limit : page * limit]],
    }
    if count:
        data["total_rating"] = {
            "rating": reviews.rating_text([review["rating"] for review in chosen]),
            "total_reviews": str(count),
        }
    return data


def products_rating(ctx: Context, shop_id: str, handles_text: str) -> list[dict[str, str]]:
    """One row per requested handle, in request order; unknown or unreviewed handles rate 0."""
    handles = [handle.strip() for handle in handles_text.split(",")]
    if not 1 <= len(handles) <= MAX_HANDLES:
        raise FakeError(
            "invalid_query",
            name="product_handle",
            detail=f"must be a comma-separated list of 1 to {MAX_HANDLES} product handles",
        )
    by_handle = _product_ids_by_handle(ctx, shop_id)
    ratings: dict[str, list[int]] = {}
    for review in ctx.store.find("reviews", shop_id=shop_id, is_published=1):
        ratings.setdefault(review["product_id"], []).append(review["rating"])
    rows = []
    for handle in handles:
        stars = ratings.get(by_handle.get(handle, ""), [])
        rows.append({"rating": reviews.rating_text(stars), "total_reviews": str(len(stars))})
    return rows


def present(review: dict[str, Any]) -> dict[str, Any]:
    reply = review["reply"]
    return {
        "id": review["id"],
        "star": review["rating"],
        "author": review["author"],
        "author_country": review["author_country"],
        "title": review["title"],
        "content": review["content"],
        "commented_at": trustoo_datetime(review["commented_at"]),
        "verified_badge": review["is_verified"],
        "item_type": review["item_type"],
        "reply_content": reply["content"] if reply else "",
        "likes_count": 0,
        "resources": [
            {"src": item["url"], "resource_type": item["type"]} for item in _published_media(review)
        ],
    }

"""Reviews and ratings (D9): creation, lookup, deletion, filtered pages and star counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from trustoo_mock.core.clock import parse_instant, rfc3339, trustoo_datetime
from trustoo_mock.core.errors import FakeError
from trustoo_mock.core.ids import id_text
from trustoo_mock.domain import events, issuing
from trustoo_mock.domain.context import Context
from trustoo_mock.domain.paging import Page, by_creation, paginate

Remembered = TypeVar("Remembered")

STORE_PRODUCT_ID = "0"
REVIEW_ID_START = 100001
# What the merchant may edit in the Trustoo admin; the order a review came from is fixed.
_MERCHANT_TEXT = (
    "author",
    "author_email",
    "author_phone",
    "author_country",
    "title",
    "content",
    "item_type",
    "source",
    "tag",
)
_TEXT_FIELDS = (*_MERCHANT_TEXT, "order_id")
_FLAGS = {"is_verified": 0, "is_featured": 0, "is_top": 0, "is_published": 1}
_BY_CREATION = by_creation("id")
IMAGE, VIDEO = 1, 2


def _product_id(value: Any) -> str:
    text = "" if value is None else id_text(value)
    return text or STORE_PRODUCT_ID


def _instant(value: str) -> int:
    """Unix seconds of a TrustooDateTime the spec's schema has already checked."""
    return int(parse_instant(value))


def _media(value: Any) -> list[dict[str, Any]]:
    """The array form as stored; the older object form is converted (D9)."""
    if not value:
        return []
    if isinstance(value, list):
        return [
            {
                "url": item["url"],
                "thumbnail_url": item.get("thumbnail_url") or item["url"],
                "type": int(item.get("type", IMAGE)),
                "is_published": int(item.get("is_published", 1)),
            }
            for item in value
        ]
    images = list(value.get("images") or [])
    thumbnails = list(value.get("thumbnails") or [])
    media = [
        {
            "url": url,
            "thumbnail_url": thumbnails[index] if index < len(thumbnails) else url,
            "type": IMAGE,
            "is_published": 1,
        }
        for index, url in enumerate(images)
    ]
    if value.get("video"):
        video = value["video"]
        thumbnail = value.get("video_thumbnail") or video
        media.append({"url": video, "thumbnail_url": thumbnail, "type": VIDEO, "is_published": 1})
    return media


def build_review(
    ctx: Context,
    shop_id: str,
    fields: dict[str, Any],
    created_at: int | None = None,
    *,
    review_id: str | None = None,
    updated_at: int | None = None,
) -> dict[str, Any]:
    """A stored review from a CreateReviewRequest-shaped dict (already schema-valid); a seed
    file may also give its id and when it last changed (X105)."""
    now = ctx.clock.now_int()
    created = now if created_at is None else created_at
    commented = fields.get("commented_at")
    reply = fields.get("reply")
    review: dict[str, Any] = {
        "shop_id": shop_id,
        "product_id": _product_id(fields.get("product_id")),
        "rating": int(fields["rating"]),
        **{name: str(fields.get(name) or "") for name in _TEXT_FIELDS},
        **{name: int(fields.get(name, default)) for name, default in _FLAGS.items()},
        "commented_at": _instant(commented) if commented else created,
        "media": _media(fields.get("media")),
        "reply": None,
        "created_at": created,
        "updated_at": created if updated_at is None else updated_at,
    }
    if reply and reply.get("content"):
        reply_at = reply.get("reply_at")
        review["reply"] = {
            "content": reply["content"],
            "reply_at": _instant(reply_at) if reply_at else created,
        }
    if review_id is None:
        review_id = str(ctx.store.next_id("review", REVIEW_ID_START))
    return {"id": review_id, **review}


def seed_reviews(ctx: Context, shop_id: str, items: list[dict[str, Any]]) -> int:
    """Add a seed file's reviews; given ids are kept (X105), so none may be in use already
    and the sequence moves past them before the others are numbered."""
    issuing.take_given_ids(ctx, "reviews", "review", REVIEW_ID_START, items)
    for item in items:
        ctx.store.insert(
            "reviews",
            build_review(
                ctx,
                shop_id,
                item,
                _seeded_instant(item.get("created_at")),
                review_id=None if item.get("id") is None else id_text(item["id"]),
                updated_at=_seeded_instant(item.get("updated_at")),
            ),
        )
    return len(items)


def _seeded_instant(value: Any) -> int | None:
    return None if value is None else int(parse_instant(str(value)))


def create_review(ctx: Context, shop_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    review = ctx.store.insert("reviews", build_review(ctx, shop_id, fields))
    events.emit(ctx, shop_id, events.REVIEW_CREATED, present_review(ctx, review))
    return review


def get_review(ctx: Context, shop_id: str, review_id: Any) -> dict[str, Any]:
    review = ctx.store.find_one("reviews", shop_id=shop_id, id=id_text(review_id))
    if review is None:
        raise FakeError("review_not_found", id=review_id)
    return review


def delete_review(ctx: Context, shop_id: str, review_id: Any) -> dict[str, Any]:
    review = get_review(ctx, shop_id, review_id)
    record = present_review(ctx, review)
    ctx.store.delete("reviews", shop_id=shop_id, id=review["id"])
    events.emit(ctx, shop_id, events.REVIEW_DELETED, record)
    return review


def _by_creation(ctx: Context, shop_id: str) -> list[dict[str, Any]]:
    """The shop's reviews, oldest first, as stored (read only); kept until one is written."""
    return ctx.store.ordered("reviews", "shop_id", shop_id, "created", _BY_CREATION)


def review_count(ctx: Context, shop_id: str) -> int:
    return len(_by_creation(ctx, shop_id))


def _split(value: str | None) -> set[str] | None:
    if value is None:
        return None
    return {item.strip() for item in value.split(",") if item.strip()}


def list_reviews(ctx: Context, shop_id: str, query: dict[str, Any]) -> Page:
    product_ids = _split(query.get("product_ids"))
    ratings = {int(rating) for rating in _split(query.get("ratings")) or ()}
    sources = {source.lower() for source in _split(query.get("sources")) or ()}
    keyword = str(query.get("keyword") or "").strip().lower()
    store_review = query.get("is_store_review")

    def wanted(review: dict[str, Any]) -> bool:
        if product_ids is not None and review["product_id"] not in product_ids:
            return False
        if store_review is not None and (review["product_id"] == STORE_PRODUCT_ID) != bool(
            store_review
        ):
            return False
        if ratings and review["rating"] not in ratings:
            return False
        if sources and review["source"].lower() not in sources:
            return False
        fields = (review["author"], review["title"], review["content"])
        return not keyword or any(keyword in field.lower() for field in fields)

    by_time = _by_creation(ctx, shop_id)
    filtered = product_ids is not None or store_review is not None or ratings or sources or keyword
    matching = [review for review in by_time if wanted(review)] if filtered else by_time
    descending = query.get("sort_by", "created-descending") == "created-descending"
    return paginate(matching, query, reverse=descending)


def _products_by_id(ctx: Context, shop_id: str) -> dict[str, dict[str, Any]]:
    return {
        product["product_id"]: product for product in ctx.store.scan("products", shop_id=shop_id)
    }


def present_reviews(
    ctx: Context, shop_id: str, reviews: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The wire shape (Review schema) of stored reviews, with product handle and title."""
    products = _products_by_id(ctx, shop_id)
    return [_present(review, products.get(review["product_id"])) for review in reviews]


def present_review(ctx: Context, review: dict[str, Any]) -> dict[str, Any]:
    return present_reviews(ctx, review["shop_id"], [review])[0]


def _present(review: dict[str, Any], product: dict[str, Any] | None) -> dict[str, Any]:
    reply = review["reply"]
    return {
        "id": review["id"],
        "product_id": review["product_id"],
        "is_store_review": int(review["product_id"] == STORE_PRODUCT_ID),
        "product_handle": product["handle"] if product else "",
        "product_title": product["title"] if product else "",
        "rating": review["rating"],
        **{name: review[name] for name in _TEXT_FIELDS},
        **{name: review[name] for name in _FLAGS},
        "commented_at": trustoo_datetime(review["commented_at"]),
        "media": [dict(item) for item in review["media"]],
        "reply": None
        if reply is None
        else {"content": reply["content"], "reply_at": trustoo_datetime(reply["reply_at"])},
        "created_at": rfc3339(review["created_at"]),
        "updated_at": rfc3339(review["updated_at"]),
    }


def _rating_selector(query: dict[str, Any]) -> str:
    """The most specific selector present; none at all means the whole shop (D9, decisions).
    Product 0 is the store reviews, as everywhere else (create_review, get_reviews, widget)."""
    if str(query.get("product_id") or "").strip():
        return "product_id"
    if str(query.get("product_handle") or "").strip():
        return "product_handle"
    for name in ("is_store_rating", "is_all_products_rating"):
        if query.get(name) == 1:
            return name
    return "is_all_rating"


def rating(ctx: Context, shop_id: str, query: dict[str, Any]) -> dict[str, Any]:
    """Star counts and the average of the published reviews a selector picks (D9)."""
    selector = _rating_selector(query)
    product_id: str | None = None
    if selector == "product_id":
        product_id = _product_id(query["product_id"])
    elif selector == "product_handle":
        handle = str(query["product_handle"]).strip()
        product = ctx.store.find_one("products", shop_id=shop_id, handle=handle)
        if product is None:
            raise FakeError("product_not_found", handle=handle)
        selector, product_id = "product_id", product["product_id"]
    computed = ctx.store.derived(
        "reviews",
        ("rating", shop_id, selector, product_id),
        lambda: _rating_of(ctx, shop_id, selector, product_id),
    )
    return dict(computed)


def _rating_of(ctx: Context, shop_id: str, selector: str, product_id: str | None) -> dict[str, Any]:
    published = ctx.store.scan("reviews", shop_id=shop_id, is_published=1)
    if selector == "product_id":
        chosen = [review for review in published if review["product_id"] == product_id]
    elif selector == "is_store_rating":
        chosen = [r for r in published if r["product_id"] == STORE_PRODUCT_ID]
    elif selector == "is_all_products_rating":
        chosen = [r for r in published if r["product_id"] != STORE_PRODUCT_ID]
    else:
        chosen = published
    counts = Counter(review["rating"] for review in chosen)
    return {
        "rating_value": rating_text([review["rating"] for review in chosen]),
        "review_count": len(chosen),
        **{f"star{star}_count": counts[star] for star in range(1, 6)},
    }


def rating_text(ratings: list[int]) -> str:
    """The average star rating with one decimal, rounded half up; "0" when there is none."""
    if not ratings:
        return "0"
    average = Decimal(sum(ratings)) / Decimal(len(ratings))
    return str(average.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def update_review(
    ctx: Context, shop_id: str, review_id: Any, changes: dict[str, Any]
) -> dict[str, Any]:
    """What the merchant does in the Trustoo admin: edit fields, reply (``reply: null``
    removes the reply), hide (``is_published: 0``) or show a review. When something changed,
    ``updated_at`` moves and a webhook fires: ``review/deleted`` when it is hidden (D12),
    ``review/updated`` when a published review is edited or shown again."""
    review = get_review(ctx, shop_id, review_id)
    updated = dict(review)
    for name in _MERCHANT_TEXT:
        if name in changes:
            updated[name] = str(changes[name])
    if "rating" in changes:
        updated["rating"] = int(changes["rating"])
    for name in _FLAGS:
        if name in changes:
            updated[name] = int(changes[name])
    if "commented_at" in changes:
        updated["commented_at"] = _instant(changes["commented_at"])
    if "media" in changes:
        updated["media"] = _media(changes["media"])
    if "reply" in changes:
        reply = changes["reply"]
        updated["reply"] = None
        if reply:
            reply_at = reply.get("reply_at")
            updated["reply"] = {
                "content": str(reply["content"]),
                "reply_at": _instant(reply_at) if reply_at else ctx.clock.now_int(),
            }
    if updated == review:
        return review
    updated["updated_at"] = ctx.clock.now_int()
    ctx.store.update("reviews", {"shop_id": shop_id, "id": review["id"]}, updated)
    if review["is_published"] and not updated["is_published"]:
        events.emit(ctx, shop_id, events.REVIEW_DELETED, present_review(ctx, updated))
    elif updated["is_published"]:
        events.emit(ctx, shop_id, events.REVIEW_UPDATED, present_review(ctx, updated))
    return updated


def remembered_until_reviews_change(
    ctx: Context, name: Hashable, compute: Callable[[], Remembered]
) -> Remembered:
    """``compute()``, kept under ``name`` until a review or product is written again (the
    same object each time: read only)."""
    remembered: Remembered = ctx.store.derived(("reviews", "products"), name, compute)
    return remembered

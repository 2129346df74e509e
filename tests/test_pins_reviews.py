"""Reviews and ratings, directly and in process: every stored field of a new or seeded review,
the list's filters, orders and pages, each rating selector, and the merchant's edits through
the control plane with the webhooks they fire (the rules of trustoo_mock/domain/reviews.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.helpers import FROZEN_AT, CheckedClient, iso
from tests.pins import advance, deliveries, empty_fake

SHOP = {"shop_id": "70000000031", "public_token": "cmV2LXB1Yg==", "private_token": "cmV2LXByaXY="}
OTHER = {"shop_id": "70000000032", "public_token": "b3RoLXB1Yg==", "private_token": "b3RoLXByaXY="}
MUG, VASE = "8100000000001", "8100000000002"
PRODUCTS = [
    {"product_id": MUG, "handle": "blue-mug", "title": "Blue Mug"},
    {"product_id": VASE, "handle": "red-vase", "title": "Red Vase"},
]
# The other shop has the same product id under its own handle and title.
OTHER_PRODUCTS = [{"product_id": MUG, "handle": "other-mug", "title": "Other Mug"}]
CREATE = "/api/v1/openapi/create_review"
GET_ONE = "/api/v1/openapi/get_review"
LIST = "/api/v1/openapi/get_reviews"
DELETE = "/api/v1/openapi/delete_review"
RATING = "/api/v1/openapi/get_rating"
TOPICS = ("review/created", "review/updated", "review/deleted")
# What a push adds to the Review shape.
PUSH_EXTRAS = ("event_type", "topic", "my_shopify_domain", "shopify_shop_id")
HOOK_URL = "http://127.0.0.1:9/hook"  # nothing listens: each push is logged, then fails
IMAGE_A, IMAGE_B = "https://img.example.com/a.jpg", "https://img.example.com/b.jpg"
THUMB_A = "https://img.example.com/a-small.jpg"
VIDEO, VIDEO_THUMB = "https://img.example.com/v.mp4", "https://img.example.com/v.jpg"

# Seeded in this order; created_at decides the list's order, the id breaks a tie.
LISTED: list[dict[str, Any]] = [
    {"author": "Ann", "rating": 5, "product_id": MUG, "title": "Great mug", "source": "Amazon"},
    {"author": "Ben", "rating": 4, "product_id": VASE, "content": "A GREAT gift", "source": ""},
    {"author": "Cid", "rating": 3, "title": "Shop ok", "source": "Shop"},
    {"author": "Greatorex", "rating": 1, "product_id": MUG, "source": "amazon"},
    {"author": "Dee", "rating": 2, "product_id": 0, "source": "Shop", "is_published": 0},
    {"author": "Eve", "rating": 4, "product_id": MUG, "source": "QR Code"},
]
LISTED_AT = [0, 10, 20, 30, 30, 40]  # seconds after FROZEN_AT - 1000; Greatorex and Dee tie


def trustoo_time(instant: int) -> str:
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%d %H:%M:%S")


def shop_fake(reviews: list[dict[str, Any]] | None = None) -> CheckedClient:
    client = empty_fake()
    seed = {
        "shops": [
            {**SHOP, "myshopify_domain": "pins.myshopify.com", "products": PRODUCTS},
            {**OTHER, "myshopify_domain": "other.myshopify.com", "products": OTHER_PRODUCTS},
        ]
    }
    if reviews is not None:
        seed["shops"][0]["reviews"] = reviews
    answer = client.control("POST", "/_mock/seed", seed)
    assert answer.status_code == 201, answer.json()
    return client


def listed_fake() -> CheckedClient:
    start = FROZEN_AT - 1000
    return shop_fake(
        [
            {**review, "created_at": iso(start + at)}
            for review, at in zip(LISTED, LISTED_AT, strict=True)
        ]
    )


def call(
    client: CheckedClient, method: str, path: str, shop: dict[str, str] = SHOP, **kw: Any
) -> dict[str, Any]:
    answer = client.signed(
        method, path, public_token=shop["public_token"], private_token=shop["private_token"], **kw
    )
    return dict(answer.json())


def create(client: CheckedClient, **fields: Any) -> dict[str, Any]:
    answer = call(client, "POST", CREATE, body={"rating": 5, "author": "Pin", **fields})
    assert answer["code"] == 0, answer
    return dict(answer["data"])


def get(client: CheckedClient, review_id: str) -> dict[str, Any]:
    return call(client, "GET", GET_ONE, params={"id": review_id})


def merchant(
    client: CheckedClient, review_id: str, changes: Any, shop: str = SHOP["shop_id"]
) -> Any:
    return client.control("POST", f"/_mock/shops/{shop}/reviews/{review_id}", changes)


def subscribe_all(client: CheckedClient) -> None:
    for topic in TOPICS:
        answer = call(
            client,
            "POST",
            "/api/v1/openapi/create_shop_webhook",
            body={"topic": topic, "url": HOOK_URL},
        )
        assert answer["code"] == 0, answer


def pushed(client: CheckedClient) -> list[tuple[str, dict[str, Any]]]:
    """Each queued push's topic and its review, in the Review shape (the id as a string)."""
    found = []
    for delivery in deliveries(client):
        (record,) = delivery["body"]["list"]
        assert record["topic"] == delivery["topic"]
        review = {name: value for name, value in record.items() if name not in PUSH_EXTRAS}
        found.append((delivery["topic"], {**review, "id": str(review["id"])}))
    return found


def listed(client: CheckedClient, **params: Any) -> list[str]:
    answer = call(client, "GET", LIST, params=params)
    assert answer["code"] == 0, answer
    return [item["author"] for item in answer["data"]["list"]]


def rating(client: CheckedClient, **params: Any) -> dict[str, Any]:
    answer = call(client, "GET", RATING, params=params)
    assert answer["code"] == 0, answer
    return dict(answer["data"])


def stars(client: CheckedClient, **params: Any) -> tuple[int, str, list[int]]:
    found = rating(client, **params)
    counts = [found[f"star{star}_count"] for star in range(1, 6)]
    return found["review_count"], found["rating_value"], counts


# --------------------------------------------------------------------------- create and read


def test_a_review_with_every_field_is_stored_and_answered_as_given() -> None:
    client = shop_fake()
    fields = {
        "product_id": int(MUG),
        "rating": 4,
        "author": "Ann",
        "author_email": "ann@example.com",
        "author_phone": "+1 555 0100",
        "author_country": "NL",
        "title": "Great mug",
        "content": "Holds coffee",
        "item_type": "Large",
        "source": "Amazon",
        "tag": "gift",
        "order_id": "1001",
        "is_verified": 1,
        "is_featured": 1,
        "is_top": 1,
        "is_published": 0,
        "commented_at": "2026-01-02 03:04:05",
        "media": [
            {"url": IMAGE_A, "thumbnail_url": THUMB_A, "type": 2, "is_published": 0},
            {"url": IMAGE_B},
        ],
        "reply": {"content": "Thanks", "reply_at": "2026-01-03 00:00:00"},
    }
    created = create(client, **fields)
    expected = {
        **fields,
        "id": "100001",
        "product_id": MUG,
        "is_store_review": 0,
        "product_handle": "blue-mug",
        "product_title": "Blue Mug",
        "media": [
            {"url": IMAGE_A, "thumbnail_url": THUMB_A, "type": 2, "is_published": 0},
            {"url": IMAGE_B, "thumbnail_url": IMAGE_B, "type": 1, "is_published": 1},
        ],
        "created_at": iso(FROZEN_AT),
        "updated_at": iso(FROZEN_AT),
    }
    assert created == expected
    assert get(client, "100001")["data"] == expected
    assert create(client)["id"] == "100002"


def test_a_bare_review_is_a_published_store_review_of_now() -> None:
    client = shop_fake()
    advance(client, 5)
    created = create(client, rating=2, author="Bo", reply={"content": "Noted"})
    assert created == {
        "id": "100001",
        "product_id": "0",
        "is_store_review": 1,
        "product_handle": "",
        "product_title": "",
        "rating": 2,
        "author": "Bo",
        **dict.fromkeys(("author_email", "author_phone", "author_country", "title", "content"), ""),
        **dict.fromkeys(("item_type", "source", "tag", "order_id"), ""),
        "is_verified": 0,
        "is_featured": 0,
        "is_top": 0,
        "is_published": 1,
        "commented_at": trustoo_time(FROZEN_AT + 5),
        "media": [],
        "reply": {"content": "Noted", "reply_at": trustoo_time(FROZEN_AT + 5)},
        "created_at": iso(FROZEN_AT + 5),
        "updated_at": iso(FROZEN_AT + 5),
    }


@pytest.mark.parametrize("reply", [None, {}, {"content": ""}], ids=["null", "empty", "blank"])
def test_a_reply_without_content_is_no_reply(reply: Any) -> None:
    assert create(shop_fake(), reply=reply)["reply"] is None


@pytest.mark.parametrize("product_id", ["", "0", 0, "000"])
def test_product_zero_or_nothing_is_a_store_review(product_id: Any) -> None:
    created = create(shop_fake(), product_id=product_id)
    assert (created["product_id"], created["is_store_review"]) == ("0", 1)


def test_a_product_the_shop_does_not_have_has_no_handle_or_title() -> None:
    created = create(shop_fake(), product_id="8100000000099")
    assert created["product_id"] == "8100000000099"
    assert (created["is_store_review"], created["product_handle"], created["product_title"]) == (
        0,
        "",
        "",
    )


def test_the_older_media_object_becomes_the_array() -> None:
    client = shop_fake()
    media = {
        "images": [IMAGE_A, IMAGE_B],
        "thumbnails": [THUMB_A],
        "video": VIDEO,
        "video_thumbnail": VIDEO_THUMB,
    }
    assert create(client, media=media)["media"] == [
        {"url": IMAGE_A, "thumbnail_url": THUMB_A, "type": 1, "is_published": 1},
        {"url": IMAGE_B, "thumbnail_url": IMAGE_B, "type": 1, "is_published": 1},
        {"url": VIDEO, "thumbnail_url": VIDEO_THUMB, "type": 2, "is_published": 1},
    ]
    assert create(client, media={"video": VIDEO})["media"] == [
        {"url": VIDEO, "thumbnail_url": VIDEO, "type": 2, "is_published": 1}
    ]
    assert create(client, media={"images": [IMAGE_A], "video": ""})["media"] == [
        {"url": IMAGE_A, "thumbnail_url": IMAGE_A, "type": 1, "is_published": 1}
    ]
    assert create(client, media={})["media"] == []
    assert create(client, media=[{"url": IMAGE_A, "thumbnail_url": ""}])["media"] == [
        {"url": IMAGE_A, "thumbnail_url": IMAGE_A, "type": 1, "is_published": 1}
    ]


def test_an_unknown_review_is_not_found_by_its_id() -> None:
    client = shop_fake()
    answer = get(client, "100777")
    assert answer["code"] == 5 and "100777" in answer["message"] and "data" not in answer


def test_a_review_is_not_found_from_another_shop() -> None:
    client = shop_fake()
    review = create(client)
    assert call(client, "GET", GET_ONE, OTHER, params={"id": review["id"]})["code"] == 5
    assert call(client, "POST", DELETE, OTHER, body={"id": review["id"]})["code"] == 5
    assert merchant(client, review["id"], {"title": "x"}, OTHER["shop_id"]).status_code == 404
    assert get(client, review["id"])["data"] == review


# --------------------------------------------------------------------------- seeding


def test_seeded_reviews_keep_their_ids_and_times_and_the_sequence_moves_past_them() -> None:
    client = shop_fake(
        [
            {
                "id": "100005",
                "rating": 5,
                "author": "Old",
                "created_at": "2025-01-01T00:00:00Z",
                "updated_at": "2025-02-01T00:00:00Z",
            },
            {"rating": 4, "author": "Dated", "created_at": "2025-03-01T00:00:00Z"},
            {"rating": 3, "author": "Undated"},
        ]
    )
    old = get(client, "100005")["data"]
    assert (old["author"], old["created_at"], old["updated_at"]) == (
        "Old",
        "2025-01-01T00:00:00Z",
        "2025-02-01T00:00:00Z",
    )
    assert old["commented_at"] == "2025-01-01 00:00:00"
    dated = get(client, "100006")["data"]
    assert (dated["author"], dated["created_at"], dated["updated_at"]) == (
        "Dated",
        "2025-03-01T00:00:00Z",
        "2025-03-01T00:00:00Z",
    )
    undated = get(client, "100007")["data"]
    assert (undated["author"], undated["created_at"]) == ("Undated", iso(FROZEN_AT))
    assert create(client)["id"] == "100008"


def test_a_seeded_id_already_in_use_is_refused() -> None:
    client = shop_fake([{"id": "100001", "rating": 5, "author": "First"}])
    again = {
        "shops": [
            {
                "shop_id": "70000000033",
                "public_token": "dGhyLXB1Yg==",
                "private_token": "dGhyLXByaXY=",
                "myshopify_domain": "third.myshopify.com",
                "reviews": [{"id": 100001, "rating": 1, "author": "Twin"}],
            }
        ]
    }
    refused = client.control("POST", "/_mock/seed", again)
    assert refused.status_code == 409, refused.json()
    assert get(client, "100001")["data"]["author"] == "First"


# --------------------------------------------------------------------------- webhooks


def test_creating_and_deleting_push_the_review_as_answered() -> None:
    client = shop_fake()
    subscribe_all(client)
    created = create(client, product_id=MUG)
    advance(client, 7)
    deleted = call(client, "POST", DELETE, body={"id": int(created["id"])})
    assert (deleted["code"], deleted["data"]) == (0, {})
    assert get(client, created["id"])["code"] == 5
    assert pushed(client) == [("review/created", created), ("review/deleted", created)]


def test_deleting_removes_that_review_only_and_twice_is_not_found() -> None:
    client = shop_fake()
    review, kept = create(client), create(client, author="Kept")
    assert call(client, "POST", DELETE, body={"id": review["id"]})["code"] == 0
    second = call(client, "POST", DELETE, body={"id": review["id"]})
    assert second["code"] == 5 and review["id"] in second["message"]
    assert get(client, kept["id"])["data"] == kept
    assert listed(client) == ["Kept"]


# --------------------------------------------------------------------------- the list


def test_the_list_is_newest_first_unless_asked_oldest_first_and_a_tie_goes_by_id() -> None:
    client = listed_fake()
    newest_first = ["Eve", "Dee", "Greatorex", "Cid", "Ben", "Ann"]
    assert listed(client) == newest_first
    assert listed(client, sort_by="created-descending") == newest_first
    assert listed(client, sort_by="created-ascending") == newest_first[::-1]


def test_the_list_pages_in_its_order() -> None:
    client = listed_fake()
    page = call(client, "GET", LIST, params={"page": 2, "page_size": 4})["data"]
    assert [item["author"] for item in page["list"]] == ["Ben", "Ann"]
    assert page["page"] == {"page": 2, "page_size": 4, "total_page": 2, "count": 6}
    ascending = {"page": 2, "page_size": 2, "sort_by": "created-ascending", "ratings": "1,3,4,5"}
    assert listed(client, **ascending) == ["Cid", "Greatorex"]


@pytest.mark.parametrize(
    ("params", "authors"),
    [
        ({"product_ids": MUG}, ["Eve", "Greatorex", "Ann"]),
        ({"product_ids": f"{VASE},{MUG}"}, ["Eve", "Greatorex", "Ben", "Ann"]),
        ({"product_ids": "0"}, ["Dee", "Cid"]),
        ({"product_ids": "8100000000099"}, []),
        ({"is_store_review": 1}, ["Dee", "Cid"]),
        ({"is_store_review": 0}, ["Eve", "Greatorex", "Ben", "Ann"]),
        ({"ratings": "4"}, ["Eve", "Ben"]),
        ({"ratings": "1,2"}, ["Dee", "Greatorex"]),
        ({"sources": "AMAZON"}, ["Greatorex", "Ann"]),
        ({"sources": "qr code,shop"}, ["Eve", "Dee", "Cid"]),
        ({"sources": "amazon,"}, ["Greatorex", "Ann"]),
        ({"sources": " amazon , shop "}, ["Dee", "Greatorex", "Cid", "Ann"]),
        ({"keyword": "great"}, ["Greatorex", "Ben", "Ann"]),
        ({"keyword": "  GIFT "}, ["Ben"]),
        ({"keyword": "shop OK"}, ["Cid"]),
        ({"keyword": "nowhere"}, []),
        ({"keyword": "great", "ratings": "1,4", "product_ids": MUG}, ["Greatorex"]),
        ({"is_store_review": 0, "sources": "shop"}, []),
    ],
)
def test_each_filter_keeps_only_what_it_names(params: dict[str, Any], authors: list[str]) -> None:
    assert listed(listed_fake(), **params) == authors


def test_a_page_follows_a_new_review_and_each_query_has_its_own_page() -> None:
    client = listed_fake()
    assert listed(client, ratings="5") == ["Ann"]
    assert listed(client, ratings="4") == ["Eve", "Ben"]
    create(client, rating=5, author="Fay")
    assert listed(client, ratings="5") == ["Fay", "Ann"]


# --------------------------------------------------------------------------- ratings


def test_each_rating_selector_counts_its_published_reviews() -> None:
    client = listed_fake()
    everything = (5, "3.4", [1, 0, 1, 2, 1])
    assert stars(client) == everything
    assert stars(client, is_all_rating=1) == everything
    assert stars(client, is_store_rating=0) == everything
    assert stars(client, product_id="", product_handle="") == everything
    assert stars(client, is_store_rating=1) == (1, "3.0", [0, 0, 1, 0, 0])
    assert stars(client, is_all_products_rating=1) == (4, "3.5", [1, 0, 0, 2, 1])
    assert stars(client, product_id=MUG) == (3, "3.3", [1, 0, 0, 1, 1])
    assert stars(client, product_id=VASE) == (1, "4.0", [0, 0, 0, 1, 0])
    assert stars(client, product_handle="red-vase") == (1, "4.0", [0, 0, 0, 1, 0])
    assert stars(client, product_id="0") == stars(client, is_store_rating=1)
    assert stars(client, product_id="000") == stars(client, is_store_rating=1)


def test_the_most_specific_rating_selector_wins() -> None:
    client = listed_fake()
    mug = stars(client, product_id=MUG)
    assert stars(client, product_id=MUG, product_handle="red-vase", is_store_rating=1) == mug
    assert stars(client, product_handle=" blue-mug ", is_all_products_rating=1) == mug
    store = stars(client, is_store_rating=1)
    assert stars(client, is_store_rating=1, is_all_products_rating=1) == store
    assert stars(client, is_all_products_rating=1, is_all_rating=1)[0] == 4


def test_a_rating_of_an_unknown_handle_is_not_found_by_its_name() -> None:
    client = listed_fake()
    answer = call(client, "GET", RATING, params={"product_handle": " no-such-thing "})
    assert answer["code"] == 5 and "'no-such-thing'" in answer["message"]
    assert "data" not in answer


def test_a_rating_of_nothing_is_zero_and_rounds_half_up() -> None:
    client = shop_fake([{"product_id": MUG, "rating": r, "author": "R"} for r in (4, 4, 4, 5)])
    assert stars(client, product_id=VASE) == (0, "0", [0, 0, 0, 0, 0])
    assert stars(client, product_id=MUG) == (4, "4.3", [0, 0, 0, 3, 1])
    create(client, product_id=MUG, rating=1)
    assert stars(client, product_id=MUG) == (5, "3.6", [1, 0, 0, 3, 1])


def test_reviews_and_ratings_of_a_shared_product_id_stay_in_their_shop() -> None:
    client = listed_fake()
    body = {"rating": 1, "author": "X", "product_id": MUG}
    other = call(client, "POST", CREATE, OTHER, body=body)["data"]
    assert (other["product_handle"], other["product_title"]) == ("other-mug", "Other Mug")
    assert create(client, product_id=MUG)["product_handle"] == "blue-mug"
    assert stars(client, product_id=MUG) == (4, "3.8", [1, 0, 0, 1, 2])
    found = call(client, "GET", RATING, OTHER, params={"product_handle": "other-mug"})["data"]
    assert (found["review_count"], found["rating_value"]) == (1, "1.0")
    assert call(client, "GET", RATING, params={"product_handle": "other-mug"})["code"] == 5


# --------------------------------------------------------------------------- merchant edits


def test_a_merchant_edit_replaces_each_field_moves_updated_at_and_pushes_an_update() -> None:
    client = shop_fake()
    review = create(client, product_id=MUG, order_id="1001", media=[{"url": IMAGE_A}])
    subscribe_all(client)
    advance(client, 60)
    changes = {
        "author": "Ann B.",
        "author_email": "annb@example.com",
        "author_phone": "+31 20 000",
        "author_country": "BE",
        "title": "Edited",
        "content": "Shorter.",
        "item_type": "Small",
        "source": "Import",
        "tag": "edited",
        "rating": 2,
        "is_verified": 1,
        "is_featured": 1,
        "is_top": 1,
        "commented_at": "2026-01-02 03:04:05",
        "media": {"images": [IMAGE_B], "video": VIDEO},
    }
    answer = merchant(client, review["id"], changes)
    assert answer.status_code == 200, answer.json()
    expected = {
        **review,
        **changes,
        "media": [
            {"url": IMAGE_B, "thumbnail_url": IMAGE_B, "type": 1, "is_published": 1},
            {"url": VIDEO, "thumbnail_url": VIDEO, "type": 2, "is_published": 1},
        ],
        "updated_at": iso(FROZEN_AT + 60),
    }
    assert answer.json() == expected
    assert get(client, review["id"])["data"] == expected
    assert expected["order_id"] == "1001" and expected["created_at"] == iso(FROZEN_AT)
    assert pushed(client) == [("review/updated", expected)]
    assert stars(client, product_id=MUG) == (1, "2.0", [0, 1, 0, 0, 0])


def test_a_merchant_edit_of_one_field_keeps_the_others() -> None:
    client = shop_fake()
    review = create(client, title="Kept", content="Kept too", is_featured=1)
    answer = merchant(client, review["id"], {"content": "Changed"}).json()
    assert answer == {**review, "content": "Changed"}
    cleared = merchant(client, review["id"], {"media": [], "is_featured": 0}).json()
    assert cleared == {**review, "content": "Changed", "is_featured": 0}


def test_a_merchant_reply_is_dated_now_or_as_given_and_null_removes_it() -> None:
    client = shop_fake()
    review = create(client)
    subscribe_all(client)
    advance(client, 30)
    replied = merchant(client, review["id"], {"reply": {"content": "Thank you!"}}).json()
    assert replied["reply"] == {"content": "Thank you!", "reply_at": trustoo_time(FROZEN_AT + 30)}
    dated = {"content": "Edited reply", "reply_at": "2026-09-01 12:00:00"}
    assert merchant(client, review["id"], {"reply": dated}).json()["reply"] == dated
    removed = merchant(client, review["id"], {"reply": None}).json()
    assert removed == {**review, "updated_at": iso(FROZEN_AT + 30)}
    assert [topic for topic, _ in pushed(client)] == ["review/updated"] * 3


def test_a_merchant_edit_that_changes_nothing_moves_nothing_and_pushes_nothing() -> None:
    client = shop_fake()
    review = create(client, title="Same", is_featured=1, reply={"content": "Hi"})
    subscribe_all(client)
    advance(client, 60)
    same = {"title": "Same", "is_featured": 1, "rating": 5, "author": "Pin"}
    answer = merchant(client, review["id"], same)
    assert answer.status_code == 200 and answer.json() == review
    same_reply = {"content": "Hi", "reply_at": review["reply"]["reply_at"]}
    assert merchant(client, review["id"], {"reply": same_reply}).json() == review
    assert merchant(client, review["id"], {}).json() == review
    assert get(client, review["id"])["data"] == review
    assert pushed(client) == []


def test_hiding_pushes_a_deletion_editing_hidden_pushes_nothing_and_showing_an_update() -> None:
    client = shop_fake()
    review = create(client, product_id=MUG, rating=1)
    subscribe_all(client)
    advance(client, 10)
    hidden = merchant(client, review["id"], {"is_published": 0}).json()
    assert hidden == {**review, "is_published": 0, "updated_at": iso(FROZEN_AT + 10)}
    assert stars(client, product_id=MUG)[0] == 0
    advance(client, 10)
    edited = merchant(client, review["id"], {"title": "Hidden edit"}).json()
    assert edited == {**hidden, "title": "Hidden edit", "updated_at": iso(FROZEN_AT + 20)}
    advance(client, 10)
    shown = merchant(client, review["id"], {"is_published": 1}).json()
    assert shown == {**edited, "is_published": 1, "updated_at": iso(FROZEN_AT + 30)}
    assert stars(client, product_id=MUG) == (1, "1.0", [1, 0, 0, 0, 0])
    assert pushed(client) == [("review/deleted", hidden), ("review/updated", shown)]


def test_a_merchant_edit_of_an_unknown_review_is_not_found() -> None:
    client = shop_fake()
    answer = merchant(client, "100404", {"title": "x"})
    assert answer.status_code == 404 and "100404" in answer.json()["error"]

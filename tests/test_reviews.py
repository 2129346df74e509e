"""Reviews (D9): create, get, delete, the filtered list and the rating, over HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import DEMO_SHOP_ID, FROZEN_AT, CheckedClient, SeedShop, compact, seed_one_shop
from tests.test_doc_examples import MID_2025_CREATE_REVIEW

CREATE = "/api/v1/openapi/create_review"
GET_ONE = "/api/v1/openapi/get_review"
LIST = "/api/v1/openapi/get_reviews"
DELETE = "/api/v1/openapi/delete_review"
RATING = "/api/v1/openapi/get_rating"

DEMO_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "demo.json"
DEMO_PRODUCT_ID = "8000000000001"  # fixtures/demo.json: lavender-soap / Lavender Soap
DEMO_PRODUCT_HANDLE = "lavender-soap"
DEMO_PRODUCT_TITLE = "Lavender Soap"

SEED_SHOP_ID = "70000000042"
SEED_PUBLIC = "reviews-public-token"
SEED_PRIVATE = "reviews-private-token"


def trustoo_time(instant: int) -> str:
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%d %H:%M:%S")


def rfc3339(instant: int) -> str:
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def review_count(client: CheckedClient) -> int:
    response = client.signed("GET", LIST, params={"page_size": 1})
    assert response.status_code == 200
    count: int = response.json()["data"]["page"]["count"]
    return count


def create(client: CheckedClient, body: Any) -> dict[str, Any]:
    response = client.signed("POST", CREATE, body=body)
    assert response.status_code == 200, response.json()
    document = response.json()
    assert document["code"] == 0
    data: dict[str, Any] = document["data"]
    return data


def get_review(client: CheckedClient, review_id: str) -> Any:
    return client.signed("GET", GET_ONE, params={"id": review_id})


# --------------------------------------------------------------------------- create


def test_create_with_newest_body_returns_every_field(client: CheckedClient) -> None:
    media = [
        {
            "url": "https://img.example.com/1.jpeg",
            "thumbnail_url": "https://img.example.com/1-small.jpeg",
            "type": 1,
            "is_published": 1,
        },
        {
            "url": "https://img.example.com/2.mp4",
            "thumbnail_url": "https://img.example.com/2-poster.jpeg",
            "type": 2,
            "is_published": 0,
        },
    ]
    body = {
        "product_id": DEMO_PRODUCT_ID,
        "rating": 4,
        "author": "Trustoo Tester",
        "author_email": "tester@example.com",
        "author_phone": "+61 400 000 000",
        "author_country": "AU",
        "title": "Nice soap",
        "content": "[openapi] this is a test",
        "commented_at": "2025-06-20 01:02:03",
        "item_type": "Red",
        "source": "ChatWILL",
        "tag": "imported",
        "order_id": "5550001",
        "is_verified": 1,
        "is_featured": 1,
        "is_top": 1,
        "is_published": 0,
        "media": media,
        "reply": {"content": "Thank you!", "reply_at": "2025-06-21 08:00:00"},
    }
    data = create(client, body)

    assert isinstance(data["id"], str) and data["id"].isdigit() and data["id"]
    expected: dict[str, Any] = dict(body)
    expected["is_store_review"] = 0
    expected["product_handle"] = DEMO_PRODUCT_HANDLE
    expected["product_title"] = DEMO_PRODUCT_TITLE
    expected["created_at"] = rfc3339(FROZEN_AT)
    expected["updated_at"] = rfc3339(FROZEN_AT)
    for key, value in expected.items():
        assert data[key] == value, key

    fetched = get_review(client, data["id"])
    assert fetched.status_code == 200
    assert fetched.json()["data"] == data


def test_create_with_older_media_object_stores_the_array(client: CheckedClient) -> None:
    legacy = {
        "images": ["https://img.example.com/a.jpg", "https://img.example.com/b.jpg"],
        "thumbnails": ["https://img.example.com/a-t.jpg", "https://img.example.com/b-t.jpg"],
        "video": "https://img.example.com/v.mp4",
        "video_thumbnail": "https://img.example.com/v-t.jpg",
    }
    data = create(client, {**MID_2025_CREATE_REVIEW, "media": legacy})

    expected_media = [
        (legacy["images"][0], legacy["thumbnails"][0], 1),
        (legacy["images"][1], legacy["thumbnails"][1], 1),
        (legacy["video"], legacy["video_thumbnail"], 2),
    ]
    got = [(item["url"], item["thumbnail_url"], item["type"]) for item in data["media"]]
    assert got == expected_media
    stored = get_review(client, data["id"]).json()["data"]
    assert [(m["url"], m["thumbnail_url"], m["type"]) for m in stored["media"]] == expected_media
    assert data["product_id"] == "0"
    assert data["is_store_review"] == 1
    assert data["is_featured"] == 1
    assert data["is_published"] == 0
    assert data["reply"] == {"content": "Thank you", "reply_at": "2025-06-20 00:00:00"}


def test_create_with_empty_older_media_object_has_no_media(client: CheckedClient) -> None:
    body = {
        "rating": 3,
        "author": "Nobody",
        "media": {"images": [], "thumbnails": [], "video": "", "video_thumbnail": ""},
    }
    assert create(client, body)["media"] == []


@pytest.mark.parametrize(
    ("product_id", "expected"),
    [
        ("9200305176832", "9200305176832"),
        (9200305176832, "9200305176832"),
        (DEMO_PRODUCT_ID, DEMO_PRODUCT_ID),
        (int(DEMO_PRODUCT_ID), DEMO_PRODUCT_ID),
    ],
)
def test_product_id_as_string_or_number(
    client: CheckedClient, product_id: str | int, expected: str
) -> None:
    data = create(client, {"product_id": product_id, "rating": 5, "author": "A"})
    assert data["product_id"] == expected
    assert data["is_store_review"] == 0
    stored = get_review(client, data["id"]).json()["data"]
    assert stored["product_id"] == expected


@pytest.mark.parametrize("product_id", ["absent", 0, "0", ""])
def test_absent_or_zero_product_id_makes_a_store_review(
    client: CheckedClient, product_id: str | int
) -> None:
    body: dict[str, Any] = {"rating": 5, "author": "A"}
    if product_id != "absent":
        body["product_id"] = product_id
    data = create(client, body)
    assert data["product_id"] == "0"
    assert data["is_store_review"] == 1
    listed = client.signed("GET", LIST, params={"is_store_review": 1, "page_size": 100})
    assert data["id"] in [item["id"] for item in listed.json()["data"]["list"]]


def test_create_defaults_follow_the_clock(client: CheckedClient) -> None:
    moment = FROZEN_AT + 12345
    assert client.control("POST", "/_mock/clock", {"set": moment}).status_code == 200
    data = create(client, {"product_id": "123", "rating": 2, "author": "Minimal"})

    assert data["is_published"] == 1
    assert data["is_verified"] == 0
    assert data["is_featured"] == 0
    assert data["is_top"] == 0
    assert data["commented_at"] == trustoo_time(moment)
    assert data["created_at"] == rfc3339(moment)
    assert data["media"] == []
    assert data["reply"] is None
    assert data["title"] == ""
    assert data["content"] == ""


def test_reply_is_stored_and_returned(client: CheckedClient) -> None:
    reply = {"content": "We are glad you like it.", "reply_at": "2026-01-02 03:04:05"}
    data = create(client, {"rating": 5, "author": "Replied", "reply": reply})
    assert data["reply"] == reply
    assert get_review(client, data["id"]).json()["data"]["reply"] == reply


def test_new_ids_are_distinct_digit_strings(client: CheckedClient) -> None:
    ids = [create(client, {"rating": 5, "author": f"A{n}"})["id"] for n in range(3)]
    assert all(isinstance(i, str) and i.isdigit() for i in ids)
    assert len(set(ids)) == 3


def test_created_review_is_counted(client: CheckedClient) -> None:
    before = review_count(client)
    create(client, {"rating": 5, "author": "Counted"})
    assert review_count(client) == before + 1


# --------------------------------------------------------------------------- get / delete


def test_get_unknown_review_is_not_found(client: CheckedClient) -> None:
    response = get_review(client, "999999999")
    assert response.status_code == 200
    assert response.json()["code"] == 5


def test_delete_removes_the_review(client: CheckedClient) -> None:
    data = create(client, {"rating": 1, "author": "Short-lived"})
    before = review_count(client)

    response = client.signed("POST", DELETE, body={"id": data["id"]})
    assert response.status_code == 200
    assert response.json()["data"] == {}

    gone = get_review(client, data["id"])
    assert gone.status_code == 200
    assert gone.json()["code"] == 5
    assert review_count(client) == before - 1

    again = client.signed("POST", DELETE, body={"id": data["id"]})
    assert again.status_code == 200
    assert again.json()["code"] == 5
    assert review_count(client) == before - 1


def test_delete_accepts_a_numeric_id(client: CheckedClient) -> None:
    data = create(client, {"rating": 1, "author": "Numeric"})
    response = client.signed("POST", DELETE, body={"id": int(data["id"])})
    assert response.status_code == 200
    gone = get_review(client, data["id"])
    assert (gone.status_code, gone.json()["code"]) == (200, 5)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 0, "author": "A"}, "rating"),
        ({"rating": 6, "author": "A"}, "rating"),
        ({"rating": 5}, "author"),
        ({"rating": 5, "author": "x" * 121}, "author"),
        ({"rating": 5, "author": "A", "title": "t" * 301}, "title"),
        ({"rating": 5, "author": "A", "commented_at": "2025-02-30 10:00:00"}, "commented_at"),
        (b'{"rating": 5, "author": ', "JSON"),
        (b'[{"rating": 5, "author": "A"}]', "object"),
        (b'"a string"', "object"),
    ],
    ids=[
        "rating-0",
        "rating-6",
        "author-missing",
        "author-121",
        "title-301",
        "commented_at-feb-30",
        "invalid-json",
        "array-body",
        "string-body",
    ],
)
def test_invalid_create_is_refused_and_stores_nothing(
    client: CheckedClient, body: Any, field: str
) -> None:
    before = review_count(client)
    response = client.signed("POST", CREATE, body=body)
    assert response.status_code == 200
    document = response.json()
    assert document["code"] == 3
    assert field in document["message"]
    assert review_count(client) == before


def test_limits_themselves_are_accepted(client: CheckedClient) -> None:
    data = create(
        client, {"rating": 1, "author": "a" * 120, "title": "t" * 300, "content": "c" * 10000}
    )
    assert data["author"] == "a" * 120
    assert data["title"] == "t" * 300
    assert len(data["content"]) == 10000


def test_body_over_one_mebibyte_is_refused(client: CheckedClient) -> None:
    before = review_count(client)
    raw = compact({"rating": 5, "author": "Big", "content": "x" * (1024 * 1024)})
    assert len(raw) > 1024 * 1024
    response = client.signed("POST", CREATE, body=raw)
    assert response.status_code == 200
    assert response.json()["code"] == 3
    assert review_count(client) == before


def test_body_of_exactly_one_mebibyte_is_read(client: CheckedClient) -> None:
    raw = compact({"rating": 5, "author": "Padded"})
    padded = raw[:-1] + b" " * (1024 * 1024 - len(raw)) + b"}"
    assert len(padded) == 1024 * 1024
    response = client.signed("POST", CREATE, body=padded)
    assert response.status_code == 200, response.json()
    assert response.json()["data"]["author"] == "Padded"

    over = raw[:-1] + b" " * (1024 * 1024 + 1 - len(raw)) + b"}"
    refused = client.signed("POST", CREATE, body=over)
    assert refused.status_code == 200
    assert refused.json()["code"] == 3


# --------------------------------------------------------------------------- list filters

P1, P2, P3 = "8100000000001", "8100000000002", "8100000000003"

LIST_SEED_REVIEWS: list[dict[str, Any]] = [
    {
        "product_id": P1,
        "rating": 5,
        "author": "Alice",
        "title": "Great Mug",
        "content": "Holds coffee",
        "source": "Amazon",
        "created_at": "2025-01-01T10:00:00Z",
    },
    {
        "product_id": int(P2),
        "rating": 4,
        "author": "Bob",
        "title": "Nice",
        "content": "A GREAT gift",
        "source": "AliExpress",
        "created_at": "2025-01-02T10:00:00Z",
    },
    {
        "rating": 3,
        "author": "Greta",
        "title": "Shop ok",
        "content": "fine service",
        "source": "Shop",
        "created_at": "2025-01-03T10:00:00Z",
    },
    {
        "product_id": P3,
        "rating": 1,
        "author": "Greatorex",
        "title": "Broken",
        "content": "arrived cracked",
        "source": "amazon",
        "created_at": "2025-01-04T10:00:00Z",
    },
    {
        "product_id": 0,
        "rating": 2,
        "author": "Dana",
        "title": "Meh",
        "content": "slow delivery",
        "source": "Store front",
        "is_published": 0,
        "created_at": "2025-01-05T10:00:00Z",
    },
    {
        "product_id": P1,
        "rating": 4,
        "author": "Eve",
        "title": "Second mug",
        "content": "bought again",
        "source": "QR Code",
        "created_at": "2025-01-06T10:00:00Z",
    },
]


def _product(review: dict[str, Any]) -> str:
    return str(review.get("product_id", 0))


def seed_shop(client: CheckedClient, reviews: list[dict[str, Any]], products: Any) -> None:
    counts = seed_one_shop(
        client,
        SeedShop(SEED_SHOP_ID, SEED_PUBLIC, SEED_PRIVATE, "reviews-test.myshopify.com"),
        products=products,
        reviews=reviews,
    )
    assert counts["reviews"] == len(reviews)


def seeded_get(client: CheckedClient, path: str, params: Any) -> Any:
    return client.signed(
        "GET", path, params=params, public_token=SEED_PUBLIC, private_token=SEED_PRIVATE
    )


@pytest.fixture
def list_client(empty_client: CheckedClient) -> CheckedClient:
    products = [
        {"product_id": P1, "handle": "blue-mug", "title": "Blue Mug"},
        {"product_id": P2, "handle": "red-mug", "title": "Red Mug"},
        {"product_id": P3, "handle": "green-mug", "title": "Green Mug"},
    ]
    seed_shop(empty_client, LIST_SEED_REVIEWS, products)
    return empty_client


def listed_authors(client: CheckedClient, params: Any) -> list[str]:
    response = seeded_get(client, LIST, params)
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    authors = [item["author"] for item in data["list"]]
    assert data["page"]["count"] == len(authors)
    return authors


def authors_where(predicate: Any) -> set[str]:
    return {review["author"] for review in LIST_SEED_REVIEWS if predicate(review)}


def test_list_without_filters_has_everything_newest_first(list_client: CheckedClient) -> None:
    newest_first = [
        r["author"] for r in sorted(LIST_SEED_REVIEWS, key=lambda r: r["created_at"], reverse=True)
    ]
    assert listed_authors(list_client, {}) == newest_first
    assert listed_authors(list_client, {"sort_by": "created-descending"}) == newest_first
    assert listed_authors(list_client, {"sort_by": "created-ascending"}) == newest_first[::-1]


@pytest.mark.parametrize(
    ("params", "wanted"),
    [
        ({"product_ids": P1}, {P1}),
        ({"product_ids": f"{P1},{P2}"}, {P1, P2}),
        ([("product_ids", P1), ("product_ids", P3)], {P1, P3}),
        ([("product_ids[0]", P2), ("product_ids[1]", P3)], {P2, P3}),
        ([("product_ids[]", P3)], {P3}),
        ({"product_ids": "8199999999999"}, set()),
    ],
    ids=["one", "comma-list", "repeated-keys", "indexed-keys", "empty-index", "unknown"],
)
def test_filter_by_product_ids(list_client: CheckedClient, params: Any, wanted: set[str]) -> None:
    expected = authors_where(lambda r: _product(r) in wanted)
    assert set(listed_authors(list_client, params)) == expected


@pytest.mark.parametrize("flag", [0, 1])
def test_filter_by_is_store_review(list_client: CheckedClient, flag: int) -> None:
    expected = authors_where(lambda r: (_product(r) == "0") == bool(flag))
    assert expected  # both kinds exist in the seed
    assert set(listed_authors(list_client, {"is_store_review": flag})) == expected


@pytest.mark.parametrize("keyword", ["great", "GrEaT", "CRACKED", "shop", "nothing-like-it"])
def test_filter_by_keyword_is_case_insensitive(list_client: CheckedClient, keyword: str) -> None:
    needle = keyword.lower()
    expected = authors_where(
        lambda r: any(needle in r[f].lower() for f in ("author", "title", "content"))
    )
    assert set(listed_authors(list_client, {"keyword": keyword})) == expected


def test_keyword_searches_author_title_and_content(list_client: CheckedClient) -> None:
    # Alice matches by title, Bob by content, Greatorex by author.
    assert set(listed_authors(list_client, {"keyword": "great"})) == {"Alice", "Bob", "Greatorex"}


@pytest.mark.parametrize(
    ("params", "wanted"),
    [
        ({"ratings": "5"}, {5}),
        ({"ratings": "1,5"}, {1, 5}),
        ([("ratings", "4"), ("ratings", "2")], {2, 4}),
        ([("ratings[0]", "3"), ("ratings[1]", "4")], {3, 4}),
    ],
    ids=["one", "comma-list", "repeated-keys", "indexed-keys"],
)
def test_filter_by_ratings(list_client: CheckedClient, params: Any, wanted: set[int]) -> None:
    expected = authors_where(lambda r: r["rating"] in wanted)
    assert set(listed_authors(list_client, params)) == expected


@pytest.mark.parametrize(
    ("params", "wanted"),
    [
        ({"sources": "AMAZON"}, {"amazon"}),
        ({"sources": "amazon,shop"}, {"amazon", "shop"}),
        ([("sources[0]", "Store Front"), ("sources[1]", "qr code")], {"store front", "qr code"}),
        ([("sources", "aliexpress"), ("sources", "Shop")], {"aliexpress", "shop"}),
    ],
    ids=["upper", "comma-list", "indexed-keys", "repeated-keys"],
)
def test_filter_by_sources_is_case_insensitive(
    list_client: CheckedClient, params: Any, wanted: set[str]
) -> None:
    expected = authors_where(lambda r: r["source"].lower() in wanted)
    assert set(listed_authors(list_client, params)) == expected


def test_filters_combine_with_and(list_client: CheckedClient) -> None:
    params = {"product_ids": f"{P1},{P3}", "ratings": "4,1", "sources": "Amazon"}
    expected = authors_where(
        lambda r: _product(r) in {P1, P3} and r["rating"] in {1, 4} and r["source"] == "amazon"
    )
    assert set(listed_authors(list_client, params)) == expected == {"Greatorex"}


def test_list_shows_hidden_reviews_with_their_flag(list_client: CheckedClient) -> None:
    response = seeded_get(list_client, LIST, {"keyword": "Dana"})
    items = response.json()["data"]["list"]
    assert [(item["author"], item["is_published"]) for item in items] == [("Dana", 0)]


def test_paging_of_the_filtered_list(list_client: CheckedClient) -> None:
    ascending = [r["author"] for r in sorted(LIST_SEED_REVIEWS, key=lambda r: r["created_at"])]
    pages = []
    for page in (1, 2, 3, 4):
        response = seeded_get(
            list_client, LIST, {"page": page, "page_size": 2, "sort_by": "created-ascending"}
        )
        data = response.json()["data"]
        assert data["page"] == {
            "page": page,
            "page_size": 2,
            "total_page": 3,
            "count": len(LIST_SEED_REVIEWS),
        }
        pages.append([item["author"] for item in data["list"]])
    assert pages == [ascending[0:2], ascending[2:4], ascending[4:6], []]


# --------------------------------------------------------------------------- rating

R1, R2, R3, R4 = "8200000000001", "8200000000002", "8200000000003", "8200000000004"
RATING_PRODUCTS = [
    {"product_id": R1, "handle": "blue-mug", "title": "Blue Mug"},
    {"product_id": R2, "handle": "red-mug", "title": "Red Mug"},
    {"product_id": R3, "handle": "green-mug", "title": "Green Mug"},
    {"product_id": R4, "handle": "empty-mug", "title": "Empty Mug"},
]
# (product_id or None for a store review, rating, is_published)
RATING_SEED: list[tuple[str | None, int, int]] = [
    (R1, 4, 1),
    (R1, 5, 1),
    (R1, 1, 0),
    (R2, 5, 1),
    (R2, 5, 1),
    (R2, 4, 1),
    (R3, 5, 1),
    (R3, 5, 1),
    (R3, 4, 1),
    (R3, 3, 1),
    (R4, 2, 0),
    (None, 2, 1),
    (None, 3, 1),
    (None, 5, 0),
]


def rating_of(stars: list[int]) -> dict[str, Any]:
    value = "0"
    if stars:
        average = Decimal(sum(stars)) / Decimal(len(stars))
        value = str(average.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return {
        "rating_value": value,
        "review_count": len(stars),
        **{f"star{n}_count": stars.count(n) for n in range(1, 6)},
    }


def published_stars(predicate: Any) -> list[int]:
    return [stars for product, stars, shown in RATING_SEED if shown and predicate(product)]


@pytest.fixture
def rating_client(empty_client: CheckedClient) -> CheckedClient:
    reviews: list[dict[str, Any]] = []
    for index, (product, stars, shown) in enumerate(RATING_SEED):
        review: dict[str, Any] = {"rating": stars, "author": f"R{index}", "is_published": shown}
        if product is not None:
            review["product_id"] = product
        reviews.append(review)
    seed_shop(empty_client, reviews, RATING_PRODUCTS)
    return empty_client


def rating(client: CheckedClient, params: Any) -> dict[str, Any]:
    response = seeded_get(client, RATING, params)
    assert response.status_code == 200, response.json()
    data: dict[str, Any] = response.json()["data"]
    return data


ONE_PRODUCT = {"product_id": R2}
BY_HANDLE = {"product_handle": "blue-mug"}
STORE = {"is_store_rating": 1}
ALL_PRODUCTS = {"is_all_products_rating": 1}
ALL = {"is_all_rating": 1}


def _is(product_id: str) -> Any:
    return lambda product: product == product_id


@pytest.mark.parametrize(
    ("params", "predicate"),
    [
        pytest.param({"product_id": R1}, _is(R1), id="product-1"),
        pytest.param({"product_id": R2}, _is(R2), id="product-2"),
        pytest.param({"product_id": R3}, _is(R3), id="product-3"),
        pytest.param({"product_handle": "blue-mug"}, _is(R1), id="handle-1"),
        pytest.param({"product_handle": "green-mug"}, _is(R3), id="handle-3"),
        pytest.param({"is_store_rating": 1}, lambda product: product is None, id="store"),
        pytest.param(
            {"is_all_products_rating": 1}, lambda product: product is not None, id="all-products"
        ),
        pytest.param({"is_all_rating": 1}, lambda product: True, id="all"),
        pytest.param({}, lambda product: True, id="none-whole-shop"),
        pytest.param({"is_store_rating": 0}, lambda product: True, id="store-flag-0-means-none"),
        pytest.param(
            {"product_id": "0", "is_store_rating": 1},
            lambda product: product is None,
            id="product-0-with-the-store-flag",
        ),
        pytest.param(
            {"product_id": "0"}, lambda product: product is None, id="product-0-is-the-store"
        ),
        pytest.param(
            {"product_id": "000", "is_all_rating": 1},
            lambda product: product is None,
            id="product-000-beats-all",
        ),
        pytest.param(
            {"product_id": "0", "product_handle": "blue-mug"},
            lambda product: product is None,
            id="product-0-beats-handle",
        ),
        # When several selectors are given, which one wins.
        pytest.param(
            {**ONE_PRODUCT, **BY_HANDLE, **STORE, **ALL_PRODUCTS, **ALL},
            _is(R2),
            id="product_id-beats-all",
        ),
        pytest.param(
            {**BY_HANDLE, **STORE, **ALL_PRODUCTS, **ALL}, _is(R1), id="handle-beats-flags"
        ),
        pytest.param(
            {**STORE, **ALL_PRODUCTS, **ALL},
            lambda product: product is None,
            id="store-beats-all-products",
        ),
        pytest.param(
            {**ALL_PRODUCTS, **ALL},
            lambda product: product is not None,
            id="all-products-beats-all",
        ),
        pytest.param({**ONE_PRODUCT, **STORE}, _is(R2), id="product_id-beats-store"),
        pytest.param({**BY_HANDLE, **ALL}, _is(R1), id="handle-beats-all"),
        pytest.param({**STORE, **ALL}, lambda product: product is None, id="store-beats-all"),
    ],
)
def test_rating_selectors(rating_client: CheckedClient, params: Any, predicate: Any) -> None:
    assert rating(rating_client, params) == rating_of(published_stars(predicate))


def test_rating_of_product_0_equals_the_store_rating(rating_client: CheckedClient) -> None:
    # Product 0 means the store reviews in create_review, get_reviews and the widget (X1).
    store = rating(rating_client, STORE)
    assert rating(rating_client, {"product_id": "0"}) == store
    assert store != rating(rating_client, {})


def test_rating_values_are_rounded_half_up_to_one_decimal(rating_client: CheckedClient) -> None:
    # Written out by hand from RATING_SEED, so the test does not trust rating_of alone.
    assert rating(rating_client, {"product_id": R1}) == {
        "rating_value": "4.5",  # 4, 5 (the hidden 1 is not counted)
        "review_count": 2,
        "star1_count": 0,
        "star2_count": 0,
        "star3_count": 0,
        "star4_count": 1,
        "star5_count": 1,
    }
    assert rating(rating_client, {"product_id": R2})["rating_value"] == "4.7"  # 14 / 3
    assert rating(rating_client, {"product_id": R3})["rating_value"] == "4.3"  # 17 / 4 = 4.25
    assert rating(rating_client, STORE)["rating_value"] == "2.5"  # 2, 3
    assert rating(rating_client, ALL_PRODUCTS)["rating_value"] == "4.4"  # 40 / 9
    assert rating(rating_client, {})["rating_value"] == "4.1"  # 45 / 11
    assert rating(rating_client, {})["review_count"] == 11


@pytest.mark.parametrize(
    "params",
    [{"product_id": R4}, {"product_handle": "empty-mug"}, {"product_id": "8299999999999"}],
)
def test_rating_without_published_reviews_is_zero(
    rating_client: CheckedClient, params: Any
) -> None:
    assert rating(rating_client, params) == {
        "rating_value": "0",
        "review_count": 0,
        "star1_count": 0,
        "star2_count": 0,
        "star3_count": 0,
        "star4_count": 0,
        "star5_count": 0,
    }


def test_rating_of_an_unknown_handle_is_not_found(rating_client: CheckedClient) -> None:
    response = seeded_get(rating_client, RATING, {"product_handle": "no-such-mug"})
    assert response.status_code == 200
    assert response.json()["code"] == 5


def test_rating_follows_creation_and_deletion(rating_client: CheckedClient) -> None:
    def signed(method: str, path: str, body: Any) -> Any:
        return rating_client.signed(
            method, path, body=body, public_token=SEED_PUBLIC, private_token=SEED_PRIVATE
        )

    created = signed("POST", CREATE, {"product_id": R4, "rating": 3, "author": "New"})
    assert created.json()["code"] == 0
    hidden = signed(
        "POST", CREATE, {"product_id": R4, "rating": 1, "author": "Hidden", "is_published": 0}
    )
    assert hidden.json()["code"] == 0
    assert rating(rating_client, {"product_id": R4}) == rating_of([3])

    deleted = signed("POST", DELETE, {"id": created.json()["data"]["id"]})
    assert deleted.json()["code"] == 0
    assert rating(rating_client, {"product_id": R4}) == rating_of([])


def test_demo_rating_counts_only_published_reviews(client: CheckedClient) -> None:
    demo = json.loads(DEMO_FIXTURE.read_text(encoding="utf-8"))
    shop = next(s for s in demo["shops"] if s["shop_id"] == DEMO_SHOP_ID)
    published = [r["rating"] for r in shop["reviews"] if r.get("is_published", 1) == 1]
    assert len(published) < len(shop["reviews"])  # the demo data does hide some
    assert client.signed("GET", RATING).json()["data"] == rating_of(published)
    products = [
        r["rating"]
        for r in shop["reviews"]
        if r.get("is_published", 1) == 1 and str(r.get("product_id", 0)) == DEMO_PRODUCT_ID
    ]
    by_handle = client.signed("GET", RATING, params={"product_handle": DEMO_PRODUCT_HANDLE})
    assert by_handle.json()["data"] == rating_of(products)


def test_product_id_with_leading_zeros_is_the_same_id(client: CheckedClient) -> None:
    zeros = client.signed(
        "POST",
        "/api/v1/openapi/create_review",
        body={"product_id": "000", "rating": 4, "author": "Z"},
    ).json()["data"]
    assert (zeros["product_id"], zeros["is_store_review"]) == ("0", 1)
    padded = client.signed(
        "POST",
        "/api/v1/openapi/create_review",
        body={"product_id": "0012", "rating": 4, "author": "Z"},
    ).json()["data"]
    assert padded["product_id"] == "12"

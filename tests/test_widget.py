"""The storefront widget API (trustoo-api.md §10, X24): public reads of exactly what the Open
API writes. Expected pages and ratings are worked out by hand from the seed below."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from tests.helpers import DEMO_SHOP_ID, CheckedClient, SeedShop, seed_one_shop

REVIEWS = "/api/v1/reviews/get_product_reviews"
RATINGS = "/api/v1/reviews/get_products_rating"
CREATE = "/api/v1/openapi/create_review"
DELETE = "/api/v1/openapi/delete_review"
LIST = "/api/v1/openapi/get_reviews"
SHOP_ID = "70000000081"
DOMAIN = "widget-shop.myshopify.com"
PUBLIC = "widget-public-token"
PRIVATE = "widget-private-token"
MUG, CUP, BOWL = "8100000000001", "8100000000002", "8100000000003"
IMAGE = "https://img.example.com/ann.jpg"
VIDEO = "https://img.example.com/ann.mp4"

SEEDED_REVIEWS = [
    {
        "product_id": MUG,
        "rating": 5,
        "author": "Ann",
        "author_country": "NZ",
        "title": "Great mug",
        "content": "Keeps tea hot.",
        "item_type": "Blue",
        "is_verified": 1,
        "commented_at": "2026-06-01 10:00:00",
        "media": [
            {"url": IMAGE, "type": 1, "is_published": 1},
            {"url": VIDEO, "type": 2, "is_published": 0},
        ],
        "reply": {"content": "Thanks Ann", "reply_at": "2026-06-02 08:00:00"},
        "created_at": "2026-06-01T10:00:00Z",
    },
    {
        "product_id": MUG,
        "rating": 4,
        "author": "Bo",
        "is_featured": 1,
        "commented_at": "2026-06-03 10:00:00",
        "created_at": "2026-06-03T10:00:00Z",
    },
    {
        "product_id": MUG,
        "rating": 2,
        "author": "Cal",
        "is_published": 0,
        "commented_at": "2026-06-02 10:00:00",
        "created_at": "2026-06-02T10:00:00Z",
    },
    {
        "product_id": CUP,
        "rating": 3,
        "author": "Di",
        "is_top": 1,
        "commented_at": "2026-06-04 10:00:00",
        "created_at": "2026-06-04T10:00:00Z",
    },
    {
        "rating": 5,
        "author": "Ed",
        "commented_at": "2026-06-05 10:00:00",
        "created_at": "2026-06-05T10:00:00Z",
    },
]


SHOP = SeedShop(SHOP_ID, PUBLIC, PRIVATE, DOMAIN)


@pytest.fixture
def shop(client: CheckedClient) -> CheckedClient:
    seed_one_shop(
        client,
        SHOP,
        products=[
            {"product_id": MUG, "handle": "blue-mug", "title": "Blue Mug"},
            {"product_id": CUP, "handle": "red-cup", "title": "Red Cup"},
            {"product_id": BOWL, "handle": "green-bowl", "title": "Green Bowl"},
        ],
        reviews=SEEDED_REVIEWS,
    )
    return client


def ids_by_author(client: CheckedClient) -> dict[str, str]:
    response = client.signed(
        "GET", LIST, params={"page_size": 100}, public_token=PUBLIC, private_token=PRIVATE
    )
    return {item["author"]: item["id"] for item in response.json()["data"]["list"]}


def widget(client: CheckedClient, path: str = REVIEWS, **params: Any) -> Any:
    return client.request("GET", f"{path}?{urlencode(params)}")


def reviews(client: CheckedClient, **params: Any) -> dict[str, Any]:
    response = widget(client, shop=DOMAIN, **params)
    assert response.status_code == 200, response.json()
    assert response.headers["access-control-allow-origin"] == "*"
    data: dict[str, Any] = response.json()["data"]
    return data


def authors(client: CheckedClient, **params: Any) -> list[str]:
    names = {review_id: author for author, review_id in ids_by_author(client).items()}
    return [names[item["id"]] for item in reviews(client, limit=100, **params)["list"]]


def ratings(client: CheckedClient, handles: str) -> list[dict[str, str]]:
    response = widget(client, RATINGS, shop_id=SHOP_ID, product_handle=handles)
    assert response.status_code == 200, response.json()
    assert response.headers["access-control-allow-origin"] == "*"
    rows: list[dict[str, str]] = response.json()["data"]
    return rows


# --------------------------------------------------------------------------- reading


def test_a_review_as_the_widget_shows_it(shop: CheckedClient) -> None:
    data = reviews(shop, product_handle="blue-mug")
    ann = ids_by_author(shop)["Ann"]
    assert data["list"][1] == {
        "id": ann,
        "star": 5,
        "author": "Ann",
        "author_country": "NZ",
        "title": "Great mug",
        "content": "Keeps tea hot.",
        "commented_at": "2026-06-01 10:00:00",
        "verified_badge": 1,
        "item_type": "Blue",
        "reply_content": "Thanks Ann",
        "likes_count": 0,
        "resources": [{"src": IMAGE, "resource_type": 1}],  # the hidden video is left out
    }
    assert data["page"] == {"cur_page": 1, "total_page": 1, "count": 2}
    assert data["total_rating"] == {"rating": "4.5", "total_reviews": "2"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"product_handle": "blue-mug"}, ["Bo", "Ann"]),  # Cal is hidden
        ({"product_id": MUG}, ["Bo", "Ann"]),
        ({"product_id": MUG, "product_handle": "red-cup"}, ["Bo", "Ann"]),  # the id wins
        ({"product_id": "0"}, ["Ed"]),  # store reviews
        ({}, ["Ed", "Di", "Bo", "Ann"]),
        ({"sort_by": "commented-at-descending"}, ["Ed", "Di", "Bo", "Ann"]),
        # pinned, then featured, then with media, then newest
        ({"sort_by": "comprehensive-descending"}, ["Di", "Bo", "Ann", "Ed"]),
        ({"product_handle": "green-bowl"}, []),
        ({"product_handle": "no-such-handle"}, []),
    ],
)
def test_selection_and_order(
    shop: CheckedClient, params: dict[str, Any], expected: list[str]
) -> None:
    assert authors(shop, **params) == expected


def test_whole_shop_rating_rounds_half_up(shop: CheckedClient) -> None:
    # Published: 5, 4, 3, 5 -> 17 / 4 = 4.25 -> "4.3".
    assert reviews(shop)["total_rating"] == {"rating": "4.3", "total_reviews": "4"}


def test_pages(shop: CheckedClient) -> None:
    names = {review_id: author for author, review_id in ids_by_author(shop).items()}
    seen = []
    for number in (1, 2, 3):
        data = reviews(shop, page=number, limit=3)
        assert data["page"] == {"cur_page": number, "total_page": 2, "count": 4}
        assert data["total_rating"] == {"rating": "4.3", "total_reviews": "4"}
        seen.append([names[item["id"]] for item in data["list"]])
    assert seen == [["Ed", "Di", "Bo"], ["Ann"], []]


def test_an_empty_result(shop: CheckedClient) -> None:
    data = reviews(shop, product_handle="green-bowl", no_empty=2)
    assert data == {"page": {"cur_page": 1, "total_page": 0, "count": 0}, "list": []}


@pytest.mark.parametrize(
    "params",
    [
        {"shop": "Widget-Shop.myshopify.com"},
        {"shop_id": SHOP_ID},
        {"shop": DOMAIN, "shop_id": int(SHOP_ID)},
    ],
)
def test_naming_the_shop(shop: CheckedClient, params: dict[str, Any]) -> None:
    response = widget(shop, product_handle="blue-mug", **params)
    assert response.status_code == 200
    assert response.json()["data"]["page"]["count"] == 2


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({}, "no shop given: name it with shop (its myshopify domain) or shop_id"),
        ({"shop": "nobody.myshopify.com"}, "no shop with myshopify domain 'nobody.myshopify.com'"),
        ({"shop_id": "123"}, "no shop with shop_id 123"),
        ({"shop": DOMAIN, "shop_id": DEMO_SHOP_ID}, "no shop with both shop_id"),
    ],
)
@pytest.mark.parametrize("path", [REVIEWS, RATINGS])
def test_a_missing_or_unknown_shop_is_code_5(
    shop: CheckedClient, path: str, params: dict[str, Any], words: str
) -> None:
    response = widget(shop, path, product_handle="blue-mug", **params)
    assert (response.status_code, response.json()["code"]) == (200, 5)
    assert words in response.json()["message"]
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    ("params", "name"),
    [({"limit": 101}, "limit"), ({"page": 0}, "page"), ({"sort_by": "random"}, "sort_by")],
)
def test_bad_paging_is_code_3(shop: CheckedClient, params: dict[str, Any], name: str) -> None:
    response = widget(shop, shop=DOMAIN, **params)
    assert (response.status_code, response.json()["code"]) == (200, 3)
    assert f"invalid query parameter {name}" in response.json()["message"]


def test_ratings_per_handle_in_request_order(shop: CheckedClient) -> None:
    assert ratings(shop, "blue-mug,green-bowl,nope,red-cup,blue-mug") == [
        {"rating": "4.5", "total_reviews": "2"},
        {"rating": "0", "total_reviews": "0"},
        {"rating": "0", "total_reviews": "0"},
        {"rating": "3.0", "total_reviews": "1"},
        {"rating": "4.5", "total_reviews": "2"},
    ]


@pytest.mark.parametrize("handles", [",".join(["blue-mug"] * 101), "blue-mug,,red-cup", ","])
def test_ratings_take_1_to_100_handles(shop: CheckedClient, handles: str) -> None:
    response = widget(shop, RATINGS, shop=DOMAIN, product_handle=handles)
    assert (response.status_code, response.json()["code"]) == (200, 3)
    assert "comma-separated list of 1 to 100 product handles" in response.json()["message"]
    assert len(ratings(shop, ",".join(["blue-mug"] * 100))) == 100


# --------------------------------------------------------------------------- writes show up


def call(client: CheckedClient, method: str, path: str, body: Any) -> Any:
    return client.signed(method, path, body=body, public_token=PUBLIC, private_token=PRIVATE)


def test_the_widget_reads_what_the_open_api_writes(shop: CheckedClient) -> None:
    body = {
        "product_id": MUG,
        "rating": 1,
        "author": "Fay",
        "title": "Chipped",
        "media": [{"url": "https://img.example.com/fay.jpg", "type": 1}],
    }
    created = call(shop, "POST", CREATE, body).json()["data"]
    hidden = call(shop, "POST", CREATE, {**body, "author": "Gus", "is_published": 0})
    assert hidden.json()["code"] == 0

    assert authors(shop, product_handle="blue-mug") == ["Fay", "Bo", "Ann"]  # Fay: newest
    first = reviews(shop, product_handle="blue-mug")["list"][0]
    assert (first["id"], first["star"], first["title"]) == (created["id"], 1, "Chipped")
    assert first["commented_at"] == created["commented_at"]
    assert first["resources"] == [{"src": "https://img.example.com/fay.jpg", "resource_type": 1}]
    # (5 + 4 + 1) / 3 = 3.33 -> "3.3"
    assert reviews(shop, product_handle="blue-mug")["total_rating"] == {
        "rating": "3.3",
        "total_reviews": "3",
    }
    assert ratings(shop, "blue-mug") == [{"rating": "3.3", "total_reviews": "3"}]

    merchant = f"/_mock/shops/{SHOP_ID}/reviews/{created['id']}"
    assert shop.control("POST", merchant, {"is_published": 0}).status_code == 200
    assert authors(shop, product_handle="blue-mug") == ["Bo", "Ann"]
    assert ratings(shop, "blue-mug") == [{"rating": "4.5", "total_reviews": "2"}]

    assert shop.control("POST", merchant, {"is_published": 1}).status_code == 200
    assert authors(shop, product_handle="blue-mug") == ["Fay", "Bo", "Ann"]

    assert call(shop, "POST", DELETE, {"id": created["id"]}).json()["code"] == 0
    assert authors(shop, product_handle="blue-mug") == ["Bo", "Ann"]
    assert ratings(shop, "blue-mug") == [{"rating": "4.5", "total_reviews": "2"}]


def test_merchant_replies_and_media_changes_show_up(shop: CheckedClient) -> None:
    ann = ids_by_author(shop)["Ann"]
    merchant = f"/_mock/shops/{SHOP_ID}/reviews/{ann}"
    changes = {
        "reply": {"content": "We are glad!"},
        "media": [{"url": IMAGE, "type": 1, "is_published": 0}, {"url": VIDEO, "type": 2}],
    }
    assert shop.control("POST", merchant, changes).status_code == 200
    shown = next(item for item in reviews(shop, limit=100)["list"] if item["id"] == ann)
    assert shown["reply_content"] == "We are glad!"
    assert shown["resources"] == [{"src": VIDEO, "resource_type": 2}]
    assert shop.control("POST", merchant, {"reply": None}).status_code == 200
    shown = next(item for item in reviews(shop, limit=100)["list"] if item["id"] == ann)
    assert shown["reply_content"] == ""


def test_the_demo_shop_is_served_too(client: CheckedClient) -> None:
    response = widget(client, shop="demo-shop.myshopify.com", product_handle="lavender-soap")
    assert response.status_code == 200
    data = response.json()["data"]
    rating = client.signed(
        "GET", "/api/v1/openapi/get_rating", params={"product_handle": "lavender-soap"}
    )
    expected = rating.json()["data"]
    assert data["total_rating"] == {
        "rating": expected["rating_value"],
        "total_reviews": str(expected["review_count"]),
    }
    assert data["page"]["count"] == expected["review_count"]

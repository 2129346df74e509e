"""The /_mock control plane (DESIGN §5) and the fake's answers to unknown paths and methods."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

import trustoo_mock
from tests.helpers import (
    DEMO_ACCESS_TOKEN,
    DEMO_CLIENT_ID,
    DEMO_PRIVATE_TOKEN,
    DEMO_PUBLIC_TOKEN,
    DEMO_SHOP_ID,
    FROZEN_AT,
    SCOPES,
    SECOND_SHOP,
    CheckedClient,
    SeedShop,
    epoch,
    iso,
    seed_one_shop,
)

DEMO = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "demo.json").read_text(encoding="utf-8")
)
DEMO_SHOP = next(shop for shop in DEMO["shops"] if shop["shop_id"] == DEMO_SHOP_ID)
# The demo shop, then the shops the docs' examples use; the same for platforms.
DEMO_SHOP_IDS = [shop["shop_id"] for shop in DEMO["shops"]]
DEMO_CLIENT_IDS = [platform["client_id"] for platform in DEMO["platforms"]]
REVIEWS = "/api/v1/openapi/get_reviews"
CREATE_REVIEW = "/api/v1/openapi/create_review"
DELETE_REVIEW = "/api/v1/openapi/delete_review"
WEBHOOKS = "/api/v1/openapi/get_shop_webhooks"
CREATE_WEBHOOK = "/api/v1/openapi/create_shop_webhook"
BASE64_TOKEN = re.compile(r"^[A-Za-z0-9+/]{22}==$")


def assert_token(value: str) -> None:
    assert len(value) == 24
    assert BASE64_TOKEN.match(value), value
    assert len(base64.b64decode(value, validate=True)) == 16


def assert_control_error(response: Any, status: int) -> str:
    assert response.status_code == status, response.json()
    document = response.json()
    assert set(document) == {"error"}
    assert isinstance(document["error"], str) and document["error"]
    message: str = document["error"]
    return message


def review_count(client: CheckedClient, public: str, private: str) -> int:
    response = client.signed(
        "GET", REVIEWS, params={"page_size": 1}, public_token=public, private_token=private
    )
    assert response.status_code == 200, response.json()
    count: int = response.json()["data"]["page"]["count"]
    return count


def demo_review_count(client: CheckedClient) -> int:
    return review_count(client, DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN)


def shops(client: CheckedClient) -> list[dict[str, Any]]:
    response = client.control("GET", "/_mock/shops")
    assert response.status_code == 200
    listed: list[dict[str, Any]] = response.json()
    return listed


# --------------------------------------------------------------------------- health


def test_health(client: CheckedClient) -> None:
    response = client.control("GET", "/_mock/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": trustoo_mock.__version__}


# --------------------------------------------------------------------------- shops


def test_create_shop_generates_what_is_left_out(client: CheckedClient) -> None:
    response = client.control("POST", "/_mock/shops", {})
    assert response.status_code == 201
    shop = response.json()
    assert set(shop) == {"shop_id", "myshopify_domain", "name", "public_token", "private_token"}
    assert shop["shop_id"].isdigit()
    assert shop["shop_id"] != DEMO_SHOP_ID
    assert shop["myshopify_domain"].endswith(".myshopify.com")
    assert shop["name"]
    assert_token(shop["public_token"])
    assert_token(shop["private_token"])
    assert shop["public_token"] != shop["private_token"]

    assert shop in shops(client)
    assert client.control("GET", f"/_mock/shops/{shop['shop_id']}").json() == shop
    # The new shop signs requests with its generated tokens and starts with no reviews.
    assert review_count(client, shop["public_token"], shop["private_token"]) == 0


def test_create_shop_without_a_body(client: CheckedClient) -> None:
    response = client.control("POST", "/_mock/shops")
    assert response.status_code == 201
    assert_token(response.json()["public_token"])


def test_two_generated_shops_differ(client: CheckedClient) -> None:
    first = client.control("POST", "/_mock/shops", {}).json()
    second = client.control("POST", "/_mock/shops", {}).json()
    for field in ("shop_id", "myshopify_domain", "public_token", "private_token"):
        assert first[field] != second[field]


def test_create_shop_keeps_explicit_fields(client: CheckedClient) -> None:
    body = {
        "shop_id": 70000000077,
        "myshopify_domain": "my-test-shop.myshopify.com",
        "name": "My test shop",
        "public_token": "public-token-77",
        "private_token": "private-token-77",
    }
    response = client.control("POST", "/_mock/shops", body)
    assert response.status_code == 201
    expected = {**body, "shop_id": "70000000077"}
    assert response.json() == expected
    assert client.control("GET", "/_mock/shops/70000000077").json() == expected
    assert review_count(client, "public-token-77", "private-token-77") == 0


@pytest.mark.parametrize(
    "body",
    [
        {"shop_id": DEMO_SHOP_ID},
        {"shop_id": int(DEMO_SHOP_ID)},
        {"myshopify_domain": DEMO_SHOP["myshopify_domain"]},
        {"public_token": DEMO_PUBLIC_TOKEN},
    ],
    ids=["shop_id", "numeric-shop_id", "domain", "public_token"],
)
def test_duplicate_shop_is_conflict(client: CheckedClient, body: dict[str, Any]) -> None:
    before = shops(client)
    assert_control_error(client.control("POST", "/_mock/shops", body), 409)
    assert shops(client) == before


def test_invalid_shop_body_is_bad_request(client: CheckedClient) -> None:
    response = client.control("POST", "/_mock/shops", {"myshopify_domain": "Not A Domain"})
    assert_control_error(response, 400)


def test_list_and_get_demo_shop(client: CheckedClient) -> None:
    expected = {
        "shop_id": DEMO_SHOP_ID,
        "myshopify_domain": DEMO_SHOP["myshopify_domain"],
        "name": DEMO_SHOP["name"],
        "public_token": DEMO_PUBLIC_TOKEN,
        "private_token": DEMO_PRIVATE_TOKEN,
    }
    assert shops(client)[0] == expected
    assert [shop["shop_id"] for shop in shops(client)] == DEMO_SHOP_IDS
    response = client.control("GET", f"/_mock/shops/{DEMO_SHOP_ID}")
    assert response.status_code == 200
    assert response.json() == expected


def test_list_is_oldest_first(client: CheckedClient) -> None:
    client.control("POST", "/_mock/clock", {"advance": 10})
    made = client.control("POST", "/_mock/shops", {"name": "Later"}).json()
    assert [shop["shop_id"] for shop in shops(client)] == [*DEMO_SHOP_IDS, made["shop_id"]]


def test_unknown_shop_is_not_found(client: CheckedClient) -> None:
    assert_control_error(client.control("GET", "/_mock/shops/12345"), 404)


# --------------------------------------------------------------------------- platforms


def test_create_platform_defaults(client: CheckedClient) -> None:
    response = client.control("POST", "/_mock/platforms", {})
    assert response.status_code == 201
    platform = response.json()
    demo = next(
        p for p in client.control("GET", "/_mock/platforms").json() if p["platform_id"] == 1
    )
    assert demo["client_id"] == DEMO_CLIENT_ID

    assert isinstance(platform["platform_id"], int) and platform["platform_id"] >= 1
    assert platform["platform_id"] != demo["platform_id"]
    assert platform["name"]
    assert platform["client_id"] and platform["client_id"] != DEMO_CLIENT_ID
    assert_token(platform["client_secret"])
    assert platform["scopes"] == SCOPES
    assert platform["skip_shop_oauth"] is False
    assert platform["webhook_url"] == ""
    assert isinstance(platform["redirect_uris"], list)
    assert all(uri.startswith(("http://", "https://")) for uri in platform["redirect_uris"])


def test_create_platform_keeps_explicit_fields(client: CheckedClient) -> None:
    body = {
        "name": "Review importer",
        "client_id": "importer",
        "client_secret": "importer-secret-1",
        "redirect_uris": ["http://localhost:3000/oauth/callback"],
        "scopes": ["read_reviews", "write_reviews"],
        "skip_shop_oauth": True,
        "webhook_url": "https://importer.example.com/hooks",
    }
    response = client.control("POST", "/_mock/platforms", body)
    assert response.status_code == 201
    platform = response.json()
    assert {key: platform[key] for key in body} == body

    listed = client.control("GET", "/_mock/platforms").json()
    assert [p["client_id"] for p in listed] == [*DEMO_CLIENT_IDS, "importer"]
    assert listed[-1] == platform


def test_list_platforms_has_the_demo_platform(client: CheckedClient) -> None:
    response = client.control("GET", "/_mock/platforms")
    assert response.status_code == 200
    platform, *examples = response.json()
    demo, *_ = DEMO["platforms"]
    assert demo["client_id"] == DEMO_CLIENT_ID
    assert {key: platform[key] for key in demo} == demo
    assert [item["client_id"] for item in examples] == DEMO_CLIENT_IDS[1:]


def test_duplicate_client_id_is_conflict(client: CheckedClient) -> None:
    response = client.control("POST", "/_mock/platforms", {"client_id": DEMO_CLIENT_ID})
    assert_control_error(response, 409)
    assert len(client.control("GET", "/_mock/platforms").json()) == len(DEMO_CLIENT_IDS)


def test_unknown_platform_scope_is_bad_request(client: CheckedClient) -> None:
    response = client.control("POST", "/_mock/platforms", {"scopes": ["read_everything"]})
    assert_control_error(response, 400)


# --------------------------------------------------------------------------- authorizations


def authorize(client: CheckedClient, body: dict[str, Any], shop_id: str = DEMO_SHOP_ID) -> Any:
    return client.control("POST", f"/_mock/shops/{shop_id}/authorizations", body)


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [
        (["write_reviews", "read_reviews"], {"read_reviews", "write_reviews"}),
        ("read_reviews,read_orders", {"read_reviews", "read_orders"}),
        ("read_reviews read_customers", {"read_reviews", "read_customers"}),
        (["read_reviews"], {"read_reviews"}),
    ],
    ids=["list", "comma-string", "space-string", "one"],
)
def test_authorization_issues_tokens(
    client: CheckedClient, scopes: list[str] | str, expected: set[str]
) -> None:
    response = authorize(client, {"client_id": DEMO_CLIENT_ID, "scopes": scopes})
    assert response.status_code == 201
    grant = response.json()
    assert set(grant["scope"].split(",")) == expected
    assert grant["expires_in"] == 7200
    assert grant["token_type"] == "Bearer"
    assert grant["shop_id"] == DEMO_SHOP_ID
    assert_token(grant["access_token"])
    assert_token(grant["refresh_token"])
    assert grant["access_token"] != DEMO_ACCESS_TOKEN


def test_authorization_scopes_default_to_the_platforms(client: CheckedClient) -> None:
    client.control(
        "POST",
        "/_mock/platforms",
        {"client_id": "narrow", "scopes": ["read_orders", "read_reviews"]},
    )
    grant = authorize(client, {"client_id": "narrow"}).json()
    assert set(grant["scope"].split(",")) == {"read_reviews", "read_orders"}


def test_issued_token_carries_exactly_its_scopes(client: CheckedClient) -> None:
    token = authorize(client, {"client_id": DEMO_CLIENT_ID, "scopes": ["read_reviews"]}).json()
    access = token["access_token"]
    listed = client.bearer("GET", REVIEWS, access, params={"page_size": 1})
    assert listed.status_code == 200
    assert listed.json()["data"]["page"]["count"] == len(DEMO_SHOP["reviews"])

    refused = client.bearer("POST", CREATE_REVIEW, access, body={"rating": 5, "author": "A"})
    assert refused.status_code == 200
    assert refused.json()["code"] == 7
    assert "write_reviews" in refused.json()["message"]


def test_issued_token_expires_after_7200_seconds(client: CheckedClient) -> None:
    access = authorize(client, {"client_id": DEMO_CLIENT_ID}).json()["access_token"]
    client.control("POST", "/_mock/clock", {"advance": 7199})
    assert client.bearer("GET", REVIEWS, access).json()["code"] == 0
    client.control("POST", "/_mock/clock", {"advance": 2})
    expired = client.bearer("GET", REVIEWS, access)
    assert expired.status_code == 200
    assert expired.json()["code"] == 16


def test_scope_the_platform_lacks_is_forbidden(client: CheckedClient) -> None:
    made = client.control(
        "POST", "/_mock/platforms", {"client_id": "narrow", "scopes": ["read_reviews"]}
    )
    assert made.status_code == 201
    message = assert_control_error(
        authorize(client, {"client_id": "narrow", "scopes": ["read_reviews", "write_reviews"]}),
        403,
    )
    assert "write_reviews" in message


def test_authorization_for_unknown_shop_is_not_found(client: CheckedClient) -> None:
    response = authorize(client, {"client_id": DEMO_CLIENT_ID}, shop_id="12345")
    assert_control_error(response, 404)


def test_authorization_for_unknown_client_is_not_found(client: CheckedClient) -> None:
    assert_control_error(authorize(client, {"client_id": "no-such-platform"}), 404)


def test_authorization_with_unknown_scope_is_bad_request(client: CheckedClient) -> None:
    response = authorize(client, {"client_id": DEMO_CLIENT_ID, "scopes": ["read_everything"]})
    assert_control_error(response, 400)


# --------------------------------------------------------------------------- seed

SEED: dict[str, Any] = {
    "platforms": [{"client_id": "seeded-platform", "scopes": ["read_reviews"]}],
    "shops": [
        SECOND_SHOP.document(
            products=[
                {"product_id": "8000000000101", "handle": "blue-mug", "title": "Blue Mug"},
                {"product_id": "8000000000102", "handle": "red-mug"},
            ],
            reviews=[
                {"product_id": "8000000000101", "rating": 4, "author": "Sam"},
                {"product_id": 8000000000102, "rating": 5, "author": "Kim"},
                {"rating": 3, "author": "Lee", "created_at": "2025-01-01T00:00:00Z"},
            ],
        ),
        {
            "shop_id": "70000000003",
            "myshopify_domain": "third-shop.myshopify.com",
            "public_token": "third-public",
            "private_token": "third-private",
            "reviews": [{"rating": 1, "author": "Pat"}],
        },
    ],
    "authorizations": [
        {
            "shop_id": "70000000002",
            "client_id": "seeded-platform",
            "access_token": "seeded-access-token",
            "refresh_token": "seeded-refresh-token",
        }
    ],
}


def test_seed_loads_and_counts(empty_client: CheckedClient) -> None:
    client = empty_client
    response = client.control("POST", "/_mock/seed", SEED)
    assert response.status_code == 201
    assert response.json() == {
        "shops": len(SEED["shops"]),
        "products": sum(len(shop.get("products", [])) for shop in SEED["shops"]),
        "reviews": sum(len(shop.get("reviews", [])) for shop in SEED["shops"]),
        "platforms": len(SEED["platforms"]),
        "authorizations": len(SEED["authorizations"]),
        **dict.fromkeys(
            ("customers", "orders", "customer_events", "webhooks", "exclusions", "unsubscribes"), 0
        ),
    }

    assert [shop["shop_id"] for shop in shops(client)] == ["70000000002", "70000000003"]
    assert review_count(client, "second-public", "second-private") == 3
    assert review_count(client, "third-public", "third-private") == 1
    listed = client.bearer("GET", REVIEWS, "seeded-access-token", params={"page_size": 100})
    assert listed.status_code == 200
    authors = {item["author"]: item for item in listed.json()["data"]["list"]}
    assert set(authors) == {"Sam", "Kim", "Lee"}
    assert authors["Sam"]["product_handle"] == "blue-mug"
    assert authors["Kim"]["product_id"] == "8000000000102"
    assert authors["Lee"]["is_store_review"] == 1
    assert authors["Lee"]["created_at"] == "2025-01-01T00:00:00Z"
    assert authors["Sam"]["created_at"] == iso(FROZEN_AT)


def test_seed_adds_to_what_is_there(client: CheckedClient) -> None:
    assert client.control("POST", "/_mock/seed", SEED).status_code == 201
    assert demo_review_count(client) == len(DEMO_SHOP["reviews"])
    assert len(shops(client)) == len(DEMO_SHOP_IDS) + 2


def test_seed_is_all_or_nothing_on_a_duplicate_shop(client: CheckedClient) -> None:
    before = shops(client)
    seed = {
        "shops": [
            {"shop_id": "70000000055", "reviews": [{"rating": 5, "author": "Ghost"}]},
            {"shop_id": DEMO_SHOP_ID},
        ]
    }
    assert_control_error(client.control("POST", "/_mock/seed", seed), 409)
    assert_control_error(client.control("GET", "/_mock/shops/70000000055"), 404)
    assert shops(client) == before
    assert demo_review_count(client) == len(DEMO_SHOP["reviews"])


def test_seed_is_all_or_nothing_on_an_unknown_client(client: CheckedClient) -> None:
    seed = {
        "platforms": [{"client_id": "half-loaded"}],
        "shops": [{"shop_id": "70000000056"}],
        "authorizations": [{"shop_id": "70000000056", "client_id": "no-such-platform"}],
    }
    assert_control_error(client.control("POST", "/_mock/seed", seed), 404)
    assert_control_error(client.control("GET", "/_mock/shops/70000000056"), 404)
    client_ids = [p["client_id"] for p in client.control("GET", "/_mock/platforms").json()]
    assert client_ids == DEMO_CLIENT_IDS


def test_invalid_seed_is_bad_request(client: CheckedClient) -> None:
    seed = {"shops": [{"shop_id": "70000000057", "reviews": [{"rating": 9, "author": "X"}]}]}
    assert_control_error(client.control("POST", "/_mock/seed", seed), 400)
    assert_control_error(client.control("GET", "/_mock/shops/70000000057"), 404)


# --------------------------------------------------------------------------- reset


def demo_review_keys() -> list[tuple[str, int, str, str]]:
    return sorted(
        (review["author"], review["rating"], review["title"], review["created_at"])
        for review in DEMO_SHOP["reviews"]
    )


def listed_review_keys(client: CheckedClient) -> list[tuple[str, int, str, str]]:
    keys: list[tuple[str, int, str, str]] = []
    page = 1
    while True:
        response = client.signed("GET", REVIEWS, params={"page": page, "page_size": 100})
        items = response.json()["data"]["list"]
        if not items:
            return sorted(keys)
        keys += [(r["author"], r["rating"], r["title"], r["created_at"]) for r in items]
        page += 1


def make_changes(client: CheckedClient) -> str:
    """Add a review, delete another, add a shop and a webhook; return the new review's id."""
    created = client.signed("POST", CREATE_REVIEW, body={"rating": 5, "author": "Changed"})
    assert created.status_code == 200
    first = client.signed("GET", REVIEWS, params={"page_size": 1}).json()["data"]["list"][0]
    assert client.signed("POST", DELETE_REVIEW, body={"id": first["id"]}).json()["code"] == 0
    hook = {"topic": "review/created", "url": "https://example.com/hook"}
    assert client.signed("POST", CREATE_WEBHOOK, body=hook).status_code == 200
    assert client.control("POST", "/_mock/shops", {"shop_id": "70000000099"}).status_code == 201
    new_id: str = created.json()["data"]["id"]
    return new_id


def test_reset_goes_back_to_the_demo_data(client: CheckedClient) -> None:
    new_id = make_changes(client)
    assert listed_review_keys(client) != demo_review_keys()

    response = client.control("POST", "/_mock/reset")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}

    assert demo_review_count(client) == len(DEMO_SHOP["reviews"]) == 300
    assert listed_review_keys(client) == demo_review_keys()
    assert [shop["shop_id"] for shop in shops(client)] == DEMO_SHOP_IDS
    assert client.signed("GET", WEBHOOKS).json()["data"] == []
    gone = client.signed("GET", "/api/v1/openapi/get_review", params={"id": new_id})
    assert (gone.status_code, gone.json()["code"]) == (200, 5)
    assert client.bearer("GET", REVIEWS, DEMO_ACCESS_TOKEN).json()["code"] == 0


def test_reset_restarts_the_random_source(client: CheckedClient) -> None:
    first = client.control("POST", "/_mock/shops", {}).json()
    assert client.control("POST", "/_mock/reset").status_code == 200
    assert client.control("GET", f"/_mock/shops/{first['shop_id']}").status_code == 404
    again = client.control("POST", "/_mock/shops", {}).json()
    assert again == first


def test_reset_with_empty_body_object(client: CheckedClient) -> None:
    make_changes(client)
    assert client.control("POST", "/_mock/reset", {}).status_code == 200
    assert demo_review_count(client) == 300


def test_reset_empty_removes_everything(client: CheckedClient) -> None:
    response = client.control("POST", "/_mock/reset", {"empty": True})
    assert response.status_code == 200
    assert shops(client) == []
    assert client.control("GET", "/_mock/platforms").json() == []
    refused = client.signed("GET", REVIEWS)
    assert refused.status_code == 200
    assert refused.json()["code"] == 16

    # And a plain reset brings the demo data back.
    assert client.control("POST", "/_mock/reset").status_code == 200
    assert demo_review_count(client) == 300


def test_reset_one_shop_keeps_the_others(client: CheckedClient) -> None:
    seed_one_shop(
        client,
        SeedShop("70000000002", "second-public", "second-private"),
        reviews=[{"rating": 4, "author": "Sam"}, {"rating": 2, "author": "Kim"}],
    )
    make_changes(client)
    added = {"rating": 1, "author": "Added later"}
    extra = client.signed(
        "POST",
        CREATE_REVIEW,
        body=added,
        public_token="second-public",
        private_token="second-private",
    )
    assert extra.json()["code"] == 0
    assert demo_review_count(client) == 300  # one added, one deleted
    assert listed_review_keys(client) != demo_review_keys()

    response = client.control("POST", "/_mock/reset", {"shop_id": DEMO_SHOP_ID})
    assert response.status_code == 200

    assert listed_review_keys(client) == demo_review_keys()
    assert client.signed("GET", WEBHOOKS).json()["data"] == []
    assert client.bearer("GET", REVIEWS, DEMO_ACCESS_TOKEN).json()["code"] == 0
    # The other shop keeps its reviews, including the one added after seeding.
    assert review_count(client, "second-public", "second-private") == 3
    # Shops are not removed by a one-shop reset.
    assert {shop["shop_id"] for shop in shops(client)} == {
        *DEMO_SHOP_IDS,
        "70000000002",
        "70000000099",
    }


def test_reset_of_an_unknown_shop_is_not_found(client: CheckedClient) -> None:
    assert_control_error(client.control("POST", "/_mock/reset", {"shop_id": "12345"}), 404)
    assert demo_review_count(client) == 300


# --------------------------------------------------------------------------- clock


def clock(client: CheckedClient, body: dict[str, Any] | None = None) -> dict[str, Any]:
    if body is None:
        response = client.control("GET", "/_mock/clock")
    else:
        response = client.control("POST", "/_mock/clock", body)
    assert response.status_code == 200, response.json()
    state: dict[str, Any] = response.json()
    return state


def test_clock_starts_frozen(client: CheckedClient) -> None:
    assert clock(client) == {"now": FROZEN_AT, "iso": iso(FROZEN_AT), "frozen": True}


def test_clock_set_with_a_number(client: CheckedClient) -> None:
    target = 1_900_000_000
    assert clock(client, {"set": target}) == {"now": target, "iso": iso(target), "frozen": True}
    assert clock(client)["now"] == target


def test_clock_set_with_an_rfc3339_string(client: CheckedClient) -> None:
    state = clock(client, {"set": "2030-01-01T00:00:00Z"})
    assert state["now"] == epoch("2030-01-01T00:00:00Z")
    assert state["iso"] == "2030-01-01T00:00:00Z"
    offset = clock(client, {"set": "2030-01-01T02:00:00+02:00"})
    assert offset["now"] == epoch("2030-01-01T00:00:00Z")


def test_clock_advance(client: CheckedClient) -> None:
    assert clock(client, {"advance": 60})["now"] == FROZEN_AT + 60
    assert clock(client, {"advance": -3600})["now"] == FROZEN_AT + 60 - 3600
    assert clock(client, {"set": 1_800_000_000, "advance": 5})["now"] == 1_800_000_005


def test_clock_unfreeze_and_freeze(client: CheckedClient) -> None:
    running = clock(client, {"freeze": False})
    assert running["frozen"] is False
    assert abs(running["now"] - FROZEN_AT) < 60
    later = clock(client)
    assert later["frozen"] is False
    assert later["now"] >= running["now"]

    frozen = clock(client, {"freeze": True})
    assert frozen["frozen"] is True
    assert clock(client)["now"] == frozen["now"]

    assert clock(client, {"freeze": False, "set": 1_850_000_000})["frozen"] is False
    assert abs(clock(client)["now"] - 1_850_000_000) < 60


def test_clock_drives_the_trustoo_api(client: CheckedClient) -> None:
    target = 1_900_000_000
    clock(client, {"set": target})
    response = client.signed("GET", REVIEWS, params={"page_size": 1}, timestamp=target)
    assert response.status_code == 200
    assert response.json()["time"] == target
    stale = client.signed("GET", REVIEWS, timestamp=FROZEN_AT)
    assert stale.status_code == 200
    assert stale.json()["code"] == 16


@pytest.mark.parametrize(
    "body",
    [
        {"set": "0001-01-01T00:00:00Z"},
        {"set": "9999-12-31T23:59:59Z"},
        {"set": 32503680001},
        {"set": -1},
        {"advance": 1_000_000_001},
        {"set": "not a time"},
        {"advance": "soon"},
    ],
    ids=[
        "year-1",
        "year-9999",
        "number-too-large",
        "negative-number",
        "advance-too-far",
        "bad-string",
        "advance-not-a-number",
    ],
)
def test_clock_out_of_range_is_refused(client: CheckedClient, body: dict[str, Any]) -> None:
    assert_control_error(client.control("POST", "/_mock/clock", {"freeze": False, **body}), 400)
    assert clock(client) == {"now": FROZEN_AT, "iso": iso(FROZEN_AT), "frozen": True}


# --------------------------------------------------------------------------- unknown paths


@pytest.mark.parametrize("path", ["/_mock/nope", "/_mock/shops/1/nothing", "/_mock"])
def test_unknown_control_path_is_not_found(client: CheckedClient, path: str) -> None:
    assert_control_error(client.request("GET", path), 404)


@pytest.mark.parametrize("method", ["POST", "DELETE", "PUT"])
def test_wrong_method_on_control_path(client: CheckedClient, method: str) -> None:
    assert_control_error(client.request(method, "/_mock/health"), 405)


@pytest.mark.parametrize("path", ["/api/v1/openapi/no_such_operation", "/", "/api/v2/reviews"])
def test_unknown_trustoo_path_is_code_5(client: CheckedClient, path: str) -> None:
    response = client.request("GET", path)
    assert response.status_code == 404
    document = response.json()
    assert set(document) == {"code", "message", "time", "request_id"}
    assert document["code"] == 5
    assert document["time"] == FROZEN_AT


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/openapi/create_review"),
        ("DELETE", "/api/v1/openapi/delete_review"),
        ("POST", "/api/v1/openapi/get_reviews"),
        ("PUT", "/api/v1/openapi/update_shop_webhook"),
    ],
)
def test_wrong_method_on_trustoo_path_is_code_3(
    client: CheckedClient, method: str, path: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    document = response.json()
    assert set(document) == {"code", "message", "time", "request_id"}
    assert document["code"] == 3
    assert method in document["message"]

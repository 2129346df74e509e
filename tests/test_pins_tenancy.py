"""Tenant isolation, directly: two shops sharing a product id, a handle known only to the other
shop, and webhooks addressed by id from the wrong shop or the wrong caller."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import DEMO_ACCESS_TOKEN, CheckedClient
from tests.pins import SUBSCRIBE, empty_fake, fake

SHOP_A = {"shop_id": "70000000011", "public_token": "cHViLWE=", "private_token": "cHJpdi1h"}
SHOP_B = {"shop_id": "70000000012", "public_token": "cHViLWI=", "private_token": "cHJpdi1i"}
SHARED_PRODUCT = "8000000000777"
HOOK = {"topic": "review/created", "url": "https://example.com/a-hook"}


def _two_shops() -> CheckedClient:
    client = empty_fake()
    seed = {
        "shops": [
            {
                **SHOP_A,
                "myshopify_domain": "shop-a.myshopify.com",
                "products": [{"product_id": SHARED_PRODUCT, "handle": "mug", "title": "Mug"}],
                "reviews": [{"product_id": SHARED_PRODUCT, "rating": 5, "author": "A"}],
            },
            {
                **SHOP_B,
                "myshopify_domain": "shop-b.myshopify.com",
                "products": [
                    {"product_id": SHARED_PRODUCT, "handle": "mug", "title": "Mug"},
                    {"product_id": "8000000000888", "handle": "only-in-b", "title": "B only"},
                ],
                "reviews": [
                    {"product_id": SHARED_PRODUCT, "rating": 1, "author": "B1"},
                    {"product_id": SHARED_PRODUCT, "rating": 2, "author": "B2"},
                    {"product_id": "8000000000888", "rating": 3, "author": "B3"},
                ],
            },
        ]
    }
    assert client.control("POST", "/_mock/seed", seed).status_code == 201
    return client


def _as(client: CheckedClient, shop: dict[str, str], method: str, path: str, **kw: Any) -> Any:
    answer = client.signed(
        method, path, public_token=shop["public_token"], private_token=shop["private_token"], **kw
    )
    return answer.json()


def _rating(client: CheckedClient, shop: dict[str, str], **params: str) -> dict[str, Any]:
    return dict(_as(client, shop, "GET", "/api/v1/openapi/get_rating", params=params))


@pytest.mark.parametrize(
    "selector",
    [{"product_id": SHARED_PRODUCT}, {"product_handle": "mug"}, {}],
    ids=["product_id", "product_handle", "whole_shop"],
)
def test_a_rating_counts_only_the_callers_shop(selector: dict[str, str]) -> None:
    client = _two_shops()
    a = _rating(client, SHOP_A, **selector)["data"]
    b = _rating(client, SHOP_B, **selector)["data"]
    assert (a["review_count"], a["rating_value"], a["star5_count"]) == (1, "5.0", 1)
    expected_b = (2, "1.5") if selector else (3, "2.0")
    assert (b["review_count"], b["rating_value"]) == expected_b
    assert b["star5_count"] == 0


def test_a_product_handle_does_not_resolve_in_another_shop() -> None:
    client = _two_shops()
    assert _rating(client, SHOP_B, product_handle="only-in-b")["data"]["review_count"] == 1
    refused = _rating(client, SHOP_A, product_handle="only-in-b")
    assert refused["code"] == 5 and "data" not in refused


def test_another_shops_webhook_cannot_be_read_changed_or_deleted_by_id() -> None:
    client = _two_shops()
    created = _as(client, SHOP_A, "POST", SUBSCRIBE, body=HOOK)
    webhook_id = created["data"]["id"]
    listed = _as(client, SHOP_B, "GET", "/api/v1/openapi/get_shop_webhooks")
    assert listed["code"] == 0 and listed["data"] == []
    changed = {"id": webhook_id, "topic": "review/deleted", "url": "https://example.com/b"}
    update = _as(client, SHOP_B, "POST", "/api/v1/openapi/update_shop_webhook", body=changed)
    assert update["code"] == 5
    delete = _as(
        client, SHOP_B, "POST", "/api/v1/openapi/delete_shop_webhook", body={"id": webhook_id}
    )
    assert delete["code"] == 5
    (kept,) = _as(client, SHOP_A, "GET", "/api/v1/openapi/get_shop_webhooks")["data"]
    assert (kept["id"], kept["topic"], kept["url"]) == (webhook_id, HOOK["topic"], HOOK["url"])


def test_a_platforms_webhook_and_the_shops_own_are_kept_apart_on_one_shop() -> None:
    client = fake()
    platform_hook = client.bearer("POST", SUBSCRIBE, DEMO_ACCESS_TOKEN, body=HOOK).json()
    webhook_id = platform_hook["data"]["id"]
    assert client.signed("GET", "/api/v1/openapi/get_shop_webhooks").json()["data"] == []
    changed = {"id": webhook_id, "topic": "review/deleted", "url": HOOK["url"]}
    update = client.signed("POST", "/api/v1/openapi/update_shop_webhook", body=changed)
    assert update.json()["code"] == 5
    delete = client.signed("POST", "/api/v1/openapi/delete_shop_webhook", body={"id": webhook_id})
    assert delete.json()["code"] == 5
    listed = client.bearer("GET", "/api/v1/openapi/get_shop_webhooks", DEMO_ACCESS_TOKEN).json()
    assert [(item["id"], item["topic"]) for item in listed["data"]] == [(webhook_id, HOOK["topic"])]

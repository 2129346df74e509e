"""get_customer_events (D13, X22): filters, sort, pagination and the CustomerEvent shape on a
small seeded shop (ids count from 1000001 in seed order: the fake starts empty here)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import CheckedClient, SeedShop, refused_for_scope, seed_one_shop
from trustoo_mock.domain.customer_events import EVENT_TYPES

EVENTS = "/api/v1/openapi/get_customer_events"
SHOP_ID = "70000000061"
PUBLIC = "events-public-token"
PRIVATE = "events-private-token"

SEEDED = [
    {
        "event_type": "VIEW_REVIEW",
        "os_type": "IOS",
        "event_source": "STOREFRONT",
        "customer_id": "7300000000001",
        "product_id": "8000000000001",
        "created_at": "2026-06-01T00:00:00Z",
    },
    {
        "event_type": "CLICK_MEDIA",
        "os_type": "ANDROID",
        "event_source": "STOREFRONT",
        "product_id": "8000000000001",
        "review_id": "100001",
        "created_at": "2026-06-02T00:00:00Z",
    },
    {
        "event_type": "CLICK_MEDIA",
        "os_type": "IOS",
        "event_source": "EMAIL",
        "customer_id": "7300000000002",
        "created_at": "2026-06-03T00:00:00Z",
    },
    {
        "event_type": "SUBMIT_REVIEW",
        "os_type": "WINDOWS",
        "event_source": "ADMIN",
        "customer_id": "7300000000001",
        "product_id": "8000000000002",
        "created_at": "2026-06-04T00:00:00Z",
    },
    {
        "event_type": "Sort_Review",
        "os_type": "ios",
        "event_source": "StoreFront",
        "created_at": "2026-06-04T00:00:00Z",
    },  # created with E4: ties go by id
    {"event_type": "PAGINATION", "created_at": "2026-06-05T00:00:00Z"},  # defaults
]
E1, E2, E3, E4, E5, E6 = (str(1000001 + index) for index in range(len(SEEDED)))
NEWEST_FIRST = [E6, E5, E4, E3, E2, E1]


SHOP = SeedShop(SHOP_ID, PUBLIC, PRIVATE, "events-shop.myshopify.com")


@pytest.fixture
def shop(empty_client: CheckedClient) -> CheckedClient:
    counts = seed_one_shop(empty_client, SHOP, customer_events=SEEDED)
    assert counts["customer_events"] == len(SEEDED)
    return empty_client


def page(client: CheckedClient, **params: Any) -> dict[str, Any]:
    response = client.signed(
        "GET", EVENTS, params=params, public_token=PUBLIC, private_token=PRIVATE
    )
    assert response.status_code == 200, response.json()
    data: dict[str, Any] = response.json()["data"]
    return data


def listed(client: CheckedClient, **params: Any) -> list[str]:
    return [item["id"] for item in page(client, page_size=100, **params)["list"]]


def test_event_shape_and_defaults(shop: CheckedClient) -> None:
    events = {item["id"]: item for item in page(shop, page_size=100)["list"]}
    assert events[E2] == {
        "id": E2,
        "event_type": "CLICK_MEDIA",
        "os_type": "ANDROID",
        "event_source": "STOREFRONT",
        "customer_id": None,
        "product_id": "8000000000001",
        "review_id": "100001",
        "created_at": "2026-06-02T00:00:00Z",
    }
    assert events[E6] == {
        "id": E6,
        "event_type": "PAGINATION",
        "os_type": "WINDOWS",
        "event_source": "STOREFRONT",
        "customer_id": None,
        "product_id": None,
        "review_id": None,
        "created_at": "2026-06-05T00:00:00Z",
    }
    assert events[E5]["event_type"] == "Sort_Review"  # kept as given


def test_sort(shop: CheckedClient) -> None:
    assert listed(shop) == NEWEST_FIRST
    assert listed(shop, sort_by="created-ascending") == NEWEST_FIRST[::-1]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"event_type": "CLICK_MEDIA"}, [E3, E2]),
        ({"event_type": "click_media"}, [E3, E2]),
        ({"event_type": "SORT_REVIEW"}, [E5]),
        ({"os_type": "IOS"}, [E5, E3, E1]),
        ({"os_type": "windows"}, [E6, E4]),
        ({"event_source": "storefront"}, [E6, E5, E2, E1]),
        ({"event_source": "EMAIL"}, [E3]),
        ({"event_source": "ADMIN"}, [E4]),
        ({"event_type": "CLICK_MEDIA", "os_type": "IOS"}, [E3]),
        ({"event_type": "VIEW_REVIEW", "event_source": "EMAIL"}, []),
        ({"event_type": "NOT_AN_EVENT"}, []),
        ({"event_type": ""}, NEWEST_FIRST),
        ({"os_type": "ios", "sort_by": "created-ascending"}, [E1, E3, E5]),
    ],
)
def test_filters(shop: CheckedClient, params: dict[str, Any], expected: list[str]) -> None:
    assert listed(shop, **params) == expected


def test_pagination(shop: CheckedClient) -> None:
    seen = []
    for number in (1, 2, 3):
        data = page(shop, page=number, page_size=4)
        assert data["page"] == {"page": number, "page_size": 4, "total_page": 2, "count": 6}
        seen.append([item["id"] for item in data["list"]])
    assert seen == [[E6, E5, E4, E3], [E2, E1], []]
    filtered = page(shop, os_type="IOS", page_size=2, page=2)
    assert filtered["page"] == {"page": 2, "page_size": 2, "total_page": 2, "count": 3}
    assert [item["id"] for item in filtered["list"]] == [E1]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"event_type": "X" * 65}, "event_type"),
        ({"page": 0}, "page"),
        ({"page_size": 0}, "page_size"),
    ],
)
def test_bad_parameters_are_code_3(shop: CheckedClient, params: dict[str, Any], name: str) -> None:
    response = shop.signed("GET", EVENTS, params=params, public_token=PUBLIC, private_token=PRIVATE)
    assert (response.status_code, response.json()["code"]) == (200, 3)
    assert f"invalid query parameter {name}" in response.json()["message"]


def test_events_need_read_customer_events(client: CheckedClient) -> None:
    refused_for_scope(client, "GET", EVENTS, "read_customer_events")


def test_demo_shop_has_events_of_every_type_os_and_source(client: CheckedClient) -> None:
    def count(**params: str) -> int:
        response = client.signed("GET", EVENTS, params={"page_size": 1, **params})
        total: int = response.json()["data"]["page"]["count"]
        return total

    assert count() == 3000
    by_type = [count(event_type=name) for name in EVENT_TYPES]
    by_os = [count(os_type=name) for name in ("IOS", "ANDROID", "WINDOWS", "MACOS", "LINUX")]
    by_source = [count(event_source=name) for name in ("STOREFRONT", "EMAIL", "ADMIN")]
    for counts in (by_type, by_os, by_source):
        assert all(counts) and sum(counts) == 3000

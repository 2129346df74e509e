"""get_orders (D13, X21): every filter, the sort, pagination and the Order shape, on a small
seeded shop whose expected answers are worked out by hand below."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import (
    FROZEN_AT,
    CheckedClient,
    SeedShop,
    epoch,
    iso,
    refused_for_scope,
    seed_one_shop,
)

ORDERS = "/api/v1/openapi/get_orders"
EXCLUDE = "/api/v1/openapi/create_customer_exclude"
UNEXCLUDE = "/api/v1/openapi/delete_customer_exclude"
UNSUBSCRIBE = "/api/v1/openapi/email_unsubscribe"
SHOP_ID = "70000000051"
PUBLIC = "orders-public-token"
PRIVATE = "orders-private-token"

CUSTOMERS = [
    {
        "customer_id": "7200000000001",
        "first_name": "Ana",
        "last_name": "Lima",
        "email": "ana@example.com",
    },
    {
        "customer_id": "7200000000002",
        "first_name": "Ben",
        "last_name": "Ode",
        "email": "ben@example.com",
    },
    {
        "customer_id": "7200000000003",
        "first_name": "Cy",
        "last_name": "Park",
        "email": "CY@Example.com",
    },
]
C1, C2, C3 = (customer["customer_id"] for customer in CUSTOMERS)
C4 = "7200000000004"  # known only from its order


def order(
    number: int, customer: str, status: int, created: str, sent: str | None
) -> dict[str, Any]:
    return {
        "order_id": f"590000000000{number}",
        "customer_id": customer,
        "status": status,
        "created_at": created,
        "sent_at": sent,
    }


SEEDED_ORDERS = [
    order(1, C1, 1, "2026-06-01T10:00:00Z", None),
    order(2, C2, 2, "2026-06-02T10:00:00Z", None),
    order(3, C1, 3, "2026-06-03T10:00:00Z", "2026-06-10T09:00:00Z"),
    {
        **order(4, C3, 4, "2026-06-04T10:00:00Z", "2026-06-11T09:00:00Z"),
        "order_name": "#1004",
        "updated_at": "2026-06-13T12:00:00Z",
    },
    order(5, C2, 5, "2026-06-05T10:00:00Z", "2026-06-12T09:00:00Z"),
    order(6, C3, 6, "2026-06-06T10:00:00Z", None),
    order(7, C1, 2, "2026-06-06T10:00:00Z", None),  # created with O6: ties go by order id
    {
        **order(8, C4, 3, "2026-06-07T10:00:00Z", "2026-06-12T09:00:00Z"),
        "customer_email": "dee@example.com",
        "customer_name": "Dee Ray",
    },
]
O1, O2, O3, O4, O5, O6, O7, O8 = (item["order_id"] for item in SEEDED_ORDERS)
NEWEST_FIRST = [O8, O7, O6, O5, O4, O3, O2, O1]


SHOP = SeedShop(SHOP_ID, PUBLIC, PRIVATE, "orders-shop.myshopify.com")


@pytest.fixture
def shop(client: CheckedClient) -> CheckedClient:
    counts = seed_one_shop(client, SHOP, customers=CUSTOMERS, orders=SEEDED_ORDERS)
    assert counts["orders"] == 8
    assert counts["customers"] == 4  # three given, one from order 8
    return client


def call(client: CheckedClient, method: str, path: str, **kwargs: Any) -> Any:
    return client.signed(method, path, public_token=PUBLIC, private_token=PRIVATE, **kwargs)


def listed(client: CheckedClient, **params: Any) -> list[str]:
    response = call(client, "GET", ORDERS, params={"page_size": 100, **params})
    assert response.status_code == 200, response.json()
    return [item["order_id"] for item in response.json()["data"]["list"]]


def by_id(client: CheckedClient, order_id: str) -> dict[str, Any]:
    response = call(client, "GET", ORDERS, params={"page_size": 100})
    found: dict[str, Any] = next(
        item for item in response.json()["data"]["list"] if item["order_id"] == order_id
    )
    return found


# --------------------------------------------------------------------------- shape and order


def test_order_shape(shop: CheckedClient) -> None:
    assert by_id(shop, O4) == {
        "order_id": O4,
        "order_name": "#1004",
        "customer_id": C3,
        "customer_email": "CY@Example.com",
        "customer_name": "Cy Park",
        "status": 4,
        "sent_at": "2026-06-11T09:00:00Z",
        "created_at": "2026-06-04T10:00:00Z",
        "updated_at": "2026-06-13T12:00:00Z",
    }
    # Defaults: the name is '#' + id, updated_at the later of creation and sending.
    assert by_id(shop, O3)["order_name"] == f"#{O3}"
    assert by_id(shop, O3)["updated_at"] == "2026-06-10T09:00:00Z"
    assert by_id(shop, O1)["sent_at"] is None
    assert by_id(shop, O1)["updated_at"] == "2026-06-01T10:00:00Z"
    # A customer known only from its order keeps the order's name and email.
    assert by_id(shop, O8)["customer_email"] == "dee@example.com"
    assert by_id(shop, O8)["customer_name"] == "Dee Ray"


def test_default_order_is_newest_first_ties_by_id(shop: CheckedClient) -> None:
    assert listed(shop) == NEWEST_FIRST
    assert listed(shop, sort_by="created-descending") == NEWEST_FIRST
    assert listed(shop, sort_by="created-ascending") == NEWEST_FIRST[::-1]


def test_pagination(shop: CheckedClient) -> None:
    pages = []
    for page in (1, 2, 3, 4):
        response = call(shop, "GET", ORDERS, params={"page": page, "page_size": 3})
        data = response.json()["data"]
        assert data["page"] == {"page": page, "page_size": 3, "total_page": 3, "count": 8}
        pages.append([item["order_id"] for item in data["list"]])
    assert pages == [[O8, O7, O6], [O5, O4, O3], [O2, O1], []]
    default = call(shop, "GET", ORDERS).json()["data"]["page"]
    assert default == {"page": 1, "page_size": 20, "total_page": 1, "count": 8}


# --------------------------------------------------------------------------- filters


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (0, NEWEST_FIRST),
        (1, [O1]),
        (2, [O7, O2]),
        (3, [O8, O3]),
        (4, [O4]),
        (5, [O5]),
        (6, [O6]),
    ],
)
def test_type_filter(shop: CheckedClient, status: int, expected: list[str]) -> None:
    assert listed(shop, type=status) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"start_sent_at": "2026-06-11 09:00:00"}, [O8, O5, O4]),
        ({"end_sent_at": "2026-06-11T09:00:00Z"}, [O4, O3]),
        ({"start_sent_at": "2026-06-11T09:00:01Z"}, [O8, O5]),
        (
            {
                "start_sent_at": str(epoch("2026-06-12T09:00:00Z")),
                "end_sent_at": str(epoch("2026-06-12T09:00:00Z")),
            },
            [O8, O5],
        ),
        ({"start_sent_at": "2026-06-12T11:00:00+02:00"}, [O8, O5]),
        ({"end_sent_at": "2026-06-09 23:59:59"}, []),
        ({"start_time": "2026-06-06 10:00:00"}, [O8, O7, O6]),
        ({"end_time": str(epoch("2026-06-02T10:00:00Z"))}, [O2, O1]),
        ({"start_time": "2026-06-03T00:00:00Z", "end_time": "2026-06-04T23:59:59Z"}, [O4, O3]),
        ({"start_time": "2026-06-05 00:00:00", "end_time": "2026-06-01 00:00:00"}, []),
        ({"type": 3, "start_time": "2026-06-05T00:00:00Z"}, [O8]),
        ({"type": 2, "end_time": "2026-06-05T00:00:00Z", "sort_by": "created-ascending"}, [O2]),
        ({"start_sent_at": "2026-06-01 00:00:00", "type": 1}, []),
    ],
)
def test_time_filters(shop: CheckedClient, params: dict[str, Any], expected: list[str]) -> None:
    assert listed(shop, **params) == expected


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"start_time": "yesterday"}, "start_time must be Unix seconds"),
        ({"end_sent_at": "2026-02-30 10:00:00"}, "end_sent_at must be Unix seconds"),
        ({"start_sent_at": "2026-06-01"}, "start_sent_at must be Unix seconds"),
        ({"type": 7}, "type must be smaller than or equal to 6"),
        ({"page_size": 101}, "page_size"),
        ({"sort_by": "newest"}, "sort_by"),
    ],
)
def test_bad_filters_are_code_3(shop: CheckedClient, params: dict[str, Any], words: str) -> None:
    response = call(shop, "GET", ORDERS, params=params)
    assert response.status_code == 200
    assert response.json()["code"] == 3
    assert words in response.json()["message"]


def test_orders_belong_to_their_shop(shop: CheckedClient) -> None:
    demo = shop.signed("GET", ORDERS, params={"page_size": 100}).json()["data"]
    assert demo["page"]["count"] == 400  # the demo shop's own orders (fixtures/demo.json)
    assert not {item["order_id"] for item in demo["list"]} & set(NEWEST_FIRST)


def test_read_orders_scope(shop: CheckedClient) -> None:
    refused_for_scope(shop, "GET", ORDERS, "read_orders")


# --------------------------------------------------------------------------- exclusions


def test_excluded_customers_pending_requests_read_as_cancelled(shop: CheckedClient) -> None:
    excluded = call(shop, "POST", EXCLUDE, body={"customer_id": C1})
    assert excluded.json()["code"] == 0, excluded.json()
    # C1 has O1 (waiting), O7 (scheduled) and O3 (sent): only the pending two change.
    assert listed(shop, type=6) == [O7, O6, O1]
    assert listed(shop, type=1) == []
    assert listed(shop, type=2) == [O2]
    assert listed(shop, type=3) == [O8, O3]
    assert by_id(shop, O1)["updated_at"] == iso(FROZEN_AT)
    assert by_id(shop, O1)["sent_at"] is None
    assert by_id(shop, O3)["updated_at"] == "2026-06-10T09:00:00Z"

    assert call(shop, "POST", UNEXCLUDE, body={"email": "ANA@example.com"}).json()["code"] == 0
    assert listed(shop, type=1) == [O1]
    assert listed(shop, type=2) == [O7, O2]
    assert by_id(shop, O1)["updated_at"] == "2026-06-01T10:00:00Z"


def test_unsubscribed_from_review_requests_reads_as_cancelled(shop: CheckedClient) -> None:
    unrelated = {"email": "ben@example.com", "email_type": "market_email"}
    assert call(shop, "POST", UNSUBSCRIBE, body=unrelated).json()["code"] == 0
    assert listed(shop, type=2) == [O7, O2]

    stop = {"email": "BEN@Example.com", "email_type": "review_request"}
    assert call(shop, "POST", UNSUBSCRIBE, body=stop).json()["code"] == 0
    assert listed(shop, type=2) == [O7]
    assert listed(shop, type=6) == [O6, O2]
    assert listed(shop, type=5) == [O5]  # already reviewed: unchanged

    everything = {"email": "ana@example.com", "email_type": "all"}
    assert call(shop, "POST", UNSUBSCRIBE, body=everything).json()["code"] == 0
    assert listed(shop, type=6) == [O7, O6, O2, O1]
    assert listed(shop, type=1) == listed(shop, type=2) == []


# --------------------------------------------------------------------------- seeding rules


@pytest.mark.parametrize(
    ("status", "sent", "words"),
    [
        (3, None, "sent_at must be an RFC 3339 time: the review request was sent (status 3-5)"),
        (4, "absent", "orders[0] has a sent review request (status 3-5), so it needs sent_at"),
        (2, "2026-06-02T10:00:00Z", "sent_at must be null: the review request is not sent yet"),
    ],
)
def test_seeded_order_status_and_sent_at_must_agree(
    client: CheckedClient, status: int, sent: str | None, words: str
) -> None:
    seed = {
        "shops": [
            {
                "shop_id": "70000000052",
                "myshopify_domain": "bad-orders.myshopify.com",
                "orders": [
                    {
                        key: value
                        for key, value in order(1, C1, status, "2026-06-01T10:00:00Z", sent).items()
                        if value != "absent"
                    }
                ],
            }
        ]
    }
    response = client.control("POST", "/_mock/seed", seed)
    assert response.status_code == 400
    assert words in response.json()["error"]
    assert client.control("GET", "/_mock/shops/70000000052").status_code == 404

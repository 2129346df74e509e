"""Customers (X23): email unsubscribe and customer exclusions, with their rules and errors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import FROZEN_AT, CheckedClient, SeedShop, iso, refused_for_scope, seed_one_shop
from trustoo_mock.spec.openapi import bundled_spec

UNSUBSCRIBE = "/api/v1/openapi/email_unsubscribe"
EXCLUDE = "/api/v1/openapi/create_customer_exclude"
UNEXCLUDE = "/api/v1/openapi/delete_customer_exclude"
EXCLUSIONS = "/api/v1/openapi/get_customer_excludes"
SHOP_ID = "70000000071"
PUBLIC = "customers-public-token"
PRIVATE = "customers-private-token"
EMAIL_TYPES = bundled_spec().document["components"]["schemas"]["EmailType"]["enum"]
ANA = {
    "customer_id": "7400000000001",
    "first_name": "Ana",
    "last_name": "Lima",
    "email": "ana@example.com",
    "phone": "+61 400 000 001",
}
BEN = {"customer_id": "7400000000002", "first_name": "Ben", "email": "Ben@Example.COM"}
NOMAIL = {"customer_id": "7400000000003", "first_name": "Cleo", "last_name": "Nash"}
FROM_ORDER = "7400000000004"
BAD_EMAILS = [
    "not-an-email",
    "a@b",
    "a b@example.com",
    "@example.com",
    "ana@",
    "a..b@example.com",
    ".a@example.com",
    "a@-example.com",
    "a@@example.com",
    "a@example..com",
    "x" * 65 + "@example.com",
]


SHOP = SeedShop(SHOP_ID, PUBLIC, PRIVATE, "customers-shop.myshopify.com")


@pytest.fixture
def shop(client: CheckedClient) -> CheckedClient:
    seed_one_shop(
        client,
        SHOP,
        customers=[ANA, BEN, NOMAIL],
        orders=[
            {
                "order_id": "5910000000001",
                "customer_id": FROM_ORDER,
                "customer_email": "dee@example.com",
                "customer_name": "Dee Van Ray",
                "status": 1,
                "created_at": "2026-06-01T00:00:00Z",
            }
        ],
    )
    return client


def call(client: CheckedClient, method: str, path: str, **kwargs: Any) -> Any:
    return client.signed(method, path, public_token=PUBLIC, private_token=PRIVATE, **kwargs)


def assert_error(response: Any, status: int, code: int, words: str) -> None:
    assert response.status_code == status, response.json()
    document = response.json()
    assert document["code"] == code
    assert words in document["message"], document["message"]


def unsubscribes(client: CheckedClient) -> list[tuple[str, str]]:
    records = client.app.state.fake.ctx.store.find("unsubscribes", shop_id=SHOP_ID)
    return sorted((record["email_key"], record["email_type"]) for record in records)


# --------------------------------------------------------------------------- unsubscribe


@pytest.mark.parametrize("email_type", EMAIL_TYPES)
def test_unsubscribe_every_documented_email_type(shop: CheckedClient, email_type: str) -> None:
    response = call(
        shop, "POST", UNSUBSCRIBE, body={"email": "ana@example.com", "email_type": email_type}
    )
    assert response.status_code == 200
    assert response.json()["data"] == {}
    assert unsubscribes(shop) == [("ana@example.com", email_type)]


def test_unsubscribe_is_idempotent_and_ignores_case(shop: CheckedClient) -> None:
    for email in ("someone@example.com", "SomeOne@Example.com", "someone@example.com"):
        body = {"email": email, "email_type": "review_request"}
        assert call(shop, "POST", UNSUBSCRIBE, body=body).json()["code"] == 0
    body = {"email": "someone@example.com", "email_type": "market_email"}
    assert call(shop, "POST", UNSUBSCRIBE, body=body).json()["code"] == 0
    assert unsubscribes(shop) == [
        ("someone@example.com", "market_email"),
        ("someone@example.com", "review_request"),
    ]


def test_unsubscribe_takes_any_address(shop: CheckedClient) -> None:
    body = {"email": "never.ordered@example.org", "email_type": "all"}
    assert call(shop, "POST", UNSUBSCRIBE, body=body).json()["code"] == 0


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_unsubscribe_refuses_bad_addresses(shop: CheckedClient, email: str) -> None:
    response = call(shop, "POST", UNSUBSCRIBE, body={"email": email, "email_type": "all"})
    assert_error(response, 200, 3, "email must be an email address like name@example.com")
    assert unsubscribes(shop) == []


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"email": "a@example.com", "email_type": "everything"}, "email_type must be one of"),
        ({"email": "a@example.com"}, "email_type"),
        ({"email_type": "all"}, "email"),
        ({"email": "a" * 250 + "@example.com", "email_type": "all"}, "254"),
    ],
)
def test_unsubscribe_refuses_bad_bodies(
    shop: CheckedClient, body: dict[str, Any], words: str
) -> None:
    assert_error(call(shop, "POST", UNSUBSCRIBE, body=body), 200, 3, words)


# --------------------------------------------------------------------------- exclusions


def test_exclude_by_customer_id_returns_the_customer(shop: CheckedClient) -> None:
    response = call(shop, "POST", EXCLUDE, body={"customer_id": ANA["customer_id"]})
    assert response.status_code == 200, response.json()
    assert response.json()["data"] == {
        **ANA,
        "created_at": iso(FROZEN_AT),
        "updated_at": iso(FROZEN_AT),
    }


def test_exclude_by_number_and_by_email_in_any_case(shop: CheckedClient) -> None:
    by_number = call(shop, "POST", EXCLUDE, body={"customer_id": int(NOMAIL["customer_id"])})
    assert by_number.json()["data"] == {
        "customer_id": NOMAIL["customer_id"],
        "first_name": "Cleo",
        "last_name": "Nash",
        "email": "",
        "phone": "",
        "created_at": iso(FROZEN_AT),
        "updated_at": iso(FROZEN_AT),
    }
    by_email = call(shop, "POST", EXCLUDE, body={"email": "ben@example.com"})
    assert by_email.status_code == 200
    data = by_email.json()["data"]
    assert (data["customer_id"], data["email"], data["last_name"]) == (
        BEN["customer_id"],
        "Ben@Example.COM",
        "",
    )


def test_a_customer_known_from_an_order_can_be_excluded(shop: CheckedClient) -> None:
    response = call(shop, "POST", EXCLUDE, body={"email": "DEE@example.com"})
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["customer_id"], data["first_name"], data["last_name"], data["email"]) == (
        FROM_ORDER,
        "Dee",
        "Van Ray",
        "dee@example.com",
    )


@pytest.mark.parametrize("path", [EXCLUDE, UNEXCLUDE])
@pytest.mark.parametrize(
    "body", [{}, {"customer_id": ANA["customer_id"], "email": "ana@example.com"}]
)
def test_exactly_one_of_customer_id_or_email(
    shop: CheckedClient, path: str, body: dict[str, Any]
) -> None:
    response = call(shop, "POST", path, body=body)
    assert_error(response, 200, 3, "exactly one of customer_id or email, not both or neither")


@pytest.mark.parametrize("path", [EXCLUDE, UNEXCLUDE])
@pytest.mark.parametrize("email", BAD_EMAILS[:4])
def test_exclusions_refuse_bad_addresses(shop: CheckedClient, path: str, email: str) -> None:
    response = call(shop, "POST", path, body={"email": email})
    assert_error(response, 200, 3, "email must be an email address like name@example.com")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"customer_id": "9999"}, "no customer with customer_id '9999' in this shop"),
        ({"email": "nobody@example.com"}, "no customer with email 'nobody@example.com'"),
        ({"customer_id": "abc"}, "customer_id"),
    ],
)
def test_exclude_an_unknown_customer(shop: CheckedClient, body: dict[str, Any], words: str) -> None:
    response = call(shop, "POST", EXCLUDE, body=body)
    expected = (200, 3) if body.get("customer_id") == "abc" else (200, 5)
    assert_error(response, *expected, words)


def test_excluding_twice_is_code_6(shop: CheckedClient) -> None:
    assert call(shop, "POST", EXCLUDE, body={"customer_id": ANA["customer_id"]}).json()["code"] == 0
    for body in ({"customer_id": ANA["customer_id"]}, {"email": "ANA@example.com"}):
        response = call(shop, "POST", EXCLUDE, body=body)
        assert_error(response, 200, 6, f"customer {ANA['customer_id']} is already excluded (since ")


def test_delete_exclusion(shop: CheckedClient) -> None:
    call(shop, "POST", EXCLUDE, body={"customer_id": ANA["customer_id"]})
    call(shop, "POST", EXCLUDE, body={"customer_id": BEN["customer_id"]})
    response = call(shop, "POST", UNEXCLUDE, body={"customer_id": int(ANA["customer_id"])})
    assert response.status_code == 200
    assert response.json()["data"] == {}
    assert call(shop, "POST", UNEXCLUDE, body={"email": "BEN@example.com"}).status_code == 200
    listed = call(shop, "GET", EXCLUSIONS).json()["data"]
    assert listed["list"] == []
    again = call(shop, "POST", UNEXCLUDE, body={"customer_id": ANA["customer_id"]})
    assert_error(again, 200, 5, f"customer with customer_id '{ANA['customer_id']}' is not excluded")
    unknown = call(shop, "POST", UNEXCLUDE, body={"email": "nobody@example.com"})
    assert_error(unknown, 200, 5, "customer with email 'nobody@example.com' is not excluded")


def test_exclusion_list_is_newest_first_and_paged(shop: CheckedClient) -> None:
    order = [ANA, BEN, NOMAIL]
    for number, customer in enumerate(order):
        if number:
            shop.control("POST", "/_mock/clock", {"advance": 60})
        call(shop, "POST", EXCLUDE, body={"customer_id": customer["customer_id"]})
    first = call(shop, "GET", EXCLUSIONS, params={"page_size": 2}).json()["data"]
    second = call(shop, "GET", EXCLUSIONS, params={"page_size": 2, "page": 2}).json()["data"]
    assert first["page"] == {"page": 1, "page_size": 2, "total_page": 2, "count": 3}
    assert second["page"] == {"page": 2, "page_size": 2, "total_page": 2, "count": 3}
    ids = [item["customer_id"] for item in first["list"] + second["list"]]
    assert ids == [NOMAIL["customer_id"], BEN["customer_id"], ANA["customer_id"]]
    assert [item["created_at"] for item in first["list"] + second["list"]] == [
        iso(FROZEN_AT + 120),
        iso(FROZEN_AT + 60),
        iso(FROZEN_AT),
    ]


def test_exclusions_belong_to_their_shop(shop: CheckedClient) -> None:
    call(shop, "POST", EXCLUDE, body={"customer_id": ANA["customer_id"]})
    demo = shop.signed("GET", EXCLUSIONS).json()["data"]
    assert demo["page"]["count"] == 5  # fixtures/demo.json excludes five customers
    assert ANA["customer_id"] not in {item["customer_id"] for item in demo["list"]}
    # Another shop's customer is unknown here.
    other = shop.signed("POST", EXCLUDE, body={"customer_id": BEN["customer_id"]})
    assert_error(other, 200, 5, "no customer with customer_id")


@pytest.mark.parametrize(
    ("method", "path", "body", "scope"),
    [
        ("POST", UNSUBSCRIBE, {"email": "a@example.com", "email_type": "all"}, "write_customers"),
        ("POST", EXCLUDE, {"customer_id": "1"}, "write_customers"),
        ("POST", UNEXCLUDE, {"customer_id": "1"}, "write_customers"),
        ("GET", EXCLUSIONS, None, "read_customers"),
    ],
)
def test_customer_scopes(
    client: CheckedClient, method: str, path: str, body: Any, scope: str
) -> None:
    refused_for_scope(client, method, path, scope, body)

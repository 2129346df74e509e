"""Every request example in the docs, as written (issue 11 item 8): the demo data holds the
identities the examples use, so each one succeeds against a fresh fake with the documented
shape. Transcribed from /work/shared/trustoo-api.md; each row names its section there.

Where an example leaves a value out (a placeholder such as ``<review id>``), the row fills it
with the example ids the same page uses and says so."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.helpers import FROZEN_AT, CheckedClient, compact

EXAMPLE_SHOP_ID = "72738668786"
EXAMPLE_DOMAIN = "example.myshopify.com"
EXAMPLE_PUBLIC_TOKEN = "GfKu22TCaj4gULtrA3/OgA=="  # §2.2
EXAMPLE_PRIVATE_TOKEN = "private-token"  # §2.3 / §10: the key of the test vectors
EXAMPLE_CUSTOMER_ID = "23044610359590"  # §5.14
EXAMPLE_BEARER = "TWzg8XQGVsYDHAIiaXYygg=="  # §5.4: instafeed's token on the example shop
TRUSTWILL_REVIEW_ID = 100301  # the example shop's first review (ids go on from the demo's 300)
OPENAPI = "/api/v1/openapi"


@dataclass(frozen=True)
class Example:
    section: str
    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    body: Any = None
    auth: str = "shop"  # shop (HMAC as the example shop), bearer, or none (client credentials)
    expect: dict[str, Any] = field(default_factory=dict)  # documented data fields and values
    keys: tuple[str, ...] = ()  # documented data fields whose values the docs leave open


# §5.10's mid-2025 create review example, with the older media object.
MID_2025_CREATE_REVIEW = {
    "rating": 5,
    "author": "Trustoo",
    "commented_at": "2025-06-20 00:00:00",
    "source": "Shop",
    "is_verified": 0,
    "is_featured": 1,
    "is_published": 0,
    "is_top": 0,
    "author_country": "US",
    "author_phone": "",
    "tag": "",
    "content": "this is a test",
    "media": {"images": [], "thumbnails": [], "video": "", "video_thumbnail": ""},
    "reply": {"content": "Thank you", "reply_at": "2025-06-20 00:00:00"},
    "author_email": "trustoo@gmail.com",
    "order_id": "",
    "product_id": 0,
    "title": "test",
    "item_type": "Red",
}
EXAMPLES = [
    Example(
        "§2.3 signing example (GET)",
        "GET",
        f"{OPENAPI}/get_rating",
        [("product_id", "123")],
        keys=("rating_value", "review_count", "star1_count", "star5_count"),
    ),
    Example(
        "§2.3 signing example (POST), as completed in §10",
        "POST",
        f"{OPENAPI}/create_review",
        body={
            "product_id": "123",
            "rating": 5,
            "author": "A customer",
            "author_email": "customer@example.com",
            "author_country": "AU",
            "content": "Fresh and fragrant.",
            "source": "ChatWILL",
        },
        keys=("id",),
    ),
    Example(
        "§10 test vector: get_reviews",
        "GET",
        f"{OPENAPI}/get_reviews",
        [
            ("page", "1"),
            ("page_size", "5"),
            ("product_ids", "123"),
            ("sort_by", "created-descending"),
        ],
        keys=("page", "list"),
    ),
    Example(
        "§5.2 Get OAuth2 Authorization URL",
        "GET",
        f"{OPENAPI}/get_oauth_authorize_url",
        [
            ("client_id", "trustwill"),
            ("redirect_uri", "http://localhost:3000/oauth/callback"),
            ("state", "123456789"),
            ("scope", "read_reviews"),
        ],
        auth="none",
        keys=("authorize_url",),
    ),
    Example(
        "§5.3 OAuth2 Get Access Token",
        "POST",
        f"{OPENAPI}/oauth/token",
        body={
            "grant_type": "authorization_code",
            "client_id": "trustwill",
            "client_secret": "oauth_test_secret_2026",
            "code": "6y/ly4b0PVJLCv6fafC2Xg==",
            "redirect_uri": "http://localhost:3000/oauth/callback",
        },
        auth="none",
        keys=("access_token", "refresh_token"),
    ),
    Example(
        "§5.4 Revoke Token",
        "POST",
        f"{OPENAPI}/oauth_revoke_token",
        body={
            "client_id": "instafeed",
            "client_secret": "oauth_test_secret_2026",
            "token": "TWzg8XQGVsYDHAIiaXYygg==",
        },
        auth="none",
    ),
    Example(
        "§5.5 Disconnect Platform Authorization (bearer, no body; the §5.4 token)",
        "POST",
        f"{OPENAPI}/oauth/disconnect",
        auth="bearer",
    ),
    Example(
        "§5.6 Get Shop Authorization Info (client credentials as in §5.7, domain left empty)",
        "GET",
        f"{OPENAPI}/get_shop_authorization_info",
        [
            ("client_id", "trustwill"),
            ("client_secret", "trustwill_2026"),
            ("shop_id", "59730165893"),
            ("myshopify_domain", ""),
        ],
        auth="none",
        expect={
            "is_authorized": True,
            "granted_scopes": "read_reviews",
            "shop_id": "59730165893",
            "myshopify_domain": "tt-qcldev005.myshopify.com",
        },
        keys=("authorized_at",),
    ),
    Example(
        "§5.7 Get Shop Installation Status",
        "GET",
        f"{OPENAPI}/get_shop_install_status",
        [
            ("client_id", "trustwill"),
            ("client_secret", "trustwill_2026"),
            ("shop_id", "72738668786"),
            ("myshopify_domain", "example.myshopify.com"),
        ],
        auth="none",
        expect={"is_installed": 1},
        keys=("installed_at",),
    ),
    Example(
        "§5.9 Create Shop Webhook",
        "POST",
        f"{OPENAPI}/create_shop_webhook",
        body={"topic": "review/created", "url": "http://api.trustoo.io/webhook"},
        expect={"topic": "review/created", "url": "http://api.trustoo.io/webhook"},
        keys=("id", "created_at", "updated_at"),
    ),
    Example(
        "§5.9 Get Shop Webhooks (client code: no parameters)", "GET", f"{OPENAPI}/get_shop_webhooks"
    ),
    Example(
        "§5.10 Get Review Detail (id: the example shop's first review)",
        "GET",
        f"{OPENAPI}/get_review",
        [("id", str(TRUSTWILL_REVIEW_ID))],
        expect={"author": "Trustoo", "product_id": "9200305176832"},
    ),
    Example(
        "§5.10 Create Review, newest (TrustWILL) example; <uuid> filled in",
        "POST",
        f"{OPENAPI}/create_review",
        body={
            "product_id": "9200305176832",
            "rating": 5,
            "author": "Trustoo",
            "author_country": "US",
            "content": "[openapi]this is a test",
            "source": "ChatWILL",
            "media": [
                {
                    "url": "https://img.trustoo.io/test/79198486784/2026/5/14/"
                    "0b6a1f9e-3c2d-4e5f-8a7b-9c0d1e2f3a4b.jpeg?x-oss-process=style/trustoo_big",
                    "thumbnail_url": "https://img.trustoo.io/test/79198486784/2026/5/14/"
                    "0b6a1f9e-3c2d-4e5f-8a7b-9c0d1e2f3a4b.jpeg?x-oss-process=style/trustoo_small",
                    "type": 1,
                    "is_published": 1,
                }
            ],
        },
        keys=("id",),
    ),
    Example(
        "§5.10 Create Review, mid-2025 example",
        "POST",
        f"{OPENAPI}/create_review",
        body=MID_2025_CREATE_REVIEW,
        keys=("id",),
    ),
    Example(
        "§5.10 Delete Review (client code sends the id as an integer)",
        "POST",
        f"{OPENAPI}/delete_review",
        body={"id": TRUSTWILL_REVIEW_ID},
    ),
    Example(
        "§5.10 Get Rating (curl example product)",
        "GET",
        f"{OPENAPI}/get_rating",
        [("product_id", "123455")],
        keys=("rating_value", "review_count"),
    ),
    Example(
        "§5.11 Get Image Upload Credentials",
        "GET",
        f"{OPENAPI}/get_image_upload_policy_token",
        keys=("access_id", "host", "expire", "signature", "policy", "dir", "callback"),
    ),
    Example(
        "§5.12 Get Order List (example page_size 10)",
        "GET",
        f"{OPENAPI}/get_orders",
        [("type", "0"), ("sort_by", "created-descending"), ("page_size", "10"), ("page", "1")],
        keys=("page", "list"),
    ),
    Example(
        "§5.13 Get Customer Event List (example values)",
        "GET",
        f"{OPENAPI}/get_customer_events",
        [("event_type", "VIEW_REVIEW"), ("os_type", "IOS"), ("event_source", "STOREFRONT")],
        keys=("page", "list"),
    ),
    Example(
        "§5.14 Email Unsubscribe",
        "POST",
        f"{OPENAPI}/email_unsubscribe",
        body={"email": "example@gmail.com", "email_type": "request_update_review"},
    ),
    Example(
        "§5.14 Create Customer Exclusion",
        "POST",
        f"{OPENAPI}/create_customer_exclude",
        body={"email": "example@gmail.com"},
        expect={"customer_id": EXAMPLE_CUSTOMER_ID},
        keys=("first_name", "last_name", "email", "phone", "created_at", "updated_at"),
    ),
    Example(
        "§10 storefront widget: get_products_rating (handles of the example shop)",
        "GET",
        "/api/v1/reviews/get_products_rating",
        [("shop", EXAMPLE_DOMAIN), ("product_handle", "example-product,product-123")],
        auth="none",
    ),
    Example(
        "§10 storefront widget: get_product_reviews",
        "GET",
        "/api/v1/reviews/get_product_reviews",
        [
            ("shop", EXAMPLE_DOMAIN),
            ("product_handle", "example-product"),
            ("page", "1"),
            ("limit", "10"),
            ("no_empty", "2"),
        ],
        auth="none",
        keys=("page", "list", "total_rating"),
    ),
]


def _send(client: CheckedClient, example: Example) -> Any:
    if example.auth == "shop":
        return client.signed(
            example.method,
            example.path,
            params=example.query,
            body=example.body,
            public_token=EXAMPLE_PUBLIC_TOKEN,
            private_token=EXAMPLE_PRIVATE_TOKEN,
        )
    if example.auth == "bearer":
        return client.bearer(
            example.method, example.path, EXAMPLE_BEARER, params=example.query, body=example.body
        )
    url = f"{example.path}?{urlencode(example.query)}" if example.query else example.path
    raw = None if example.body is None else compact(example.body)
    headers = {"Content-Type": "application/json"} if raw else {}
    return client.request(example.method, url, content=raw, headers=headers)


def _succeeded(response: Any, example: Example) -> Any:
    """Code 0 in the envelope; the data (the client checked it against the spec already)."""
    document = response.json()
    assert document["code"] == 0, (example.section, document)
    data = document.get("data")
    for name, value in example.expect.items():
        assert data[name] == value, (example.section, name, data)
    for name in example.keys:
        assert name in data, (example.section, name, data)
    return data


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.section for example in EXAMPLES])
def test_each_doc_example_succeeds_as_written(client: CheckedClient, example: Example) -> None:
    assert client.now == FROZEN_AT
    _succeeded(_send(client, example), example)


def test_the_doc_test_vectors_are_valid_requests_headers_and_all(client: CheckedClient) -> None:
    """§10: the documented Sign values, sent as they stand, on the example shop at their time."""
    body = (
        b'{"product_id":"123","rating":5,"author":"A customer","author_email":'
        b'"customer@example.com","author_country":"AU","content":"Fresh and fragrant.",'
        b'"source":"ChatWILL"}'
    )
    vectors = [
        (
            "POST",
            f"{OPENAPI}/create_review",
            body,
            "653355eb7bd8fe5b4e447917f7f44d49e2963c502c7588e9e2a2941d05b627bc",
        ),
        (
            "GET",
            f"{OPENAPI}/get_reviews?page=1&page_size=5&product_ids=123&sort_by=created-descending",
            b"",
            "217cc6e757d533691cfbdb596a5825dd1fec6ff78bfc341dcf0adcff4b2790a7",
        ),
        (
            "GET",
            f"{OPENAPI}/get_rating?product_id=123",
            b"",
            "f8e9cef85e916590cedb58637e3becc1a0f979b4f3bb1352fa4b30d0cd3247ef",
        ),
    ]
    for method, url, content, sign in vectors:
        headers = {"Public-Token": EXAMPLE_PUBLIC_TOKEN, "Timestamp": str(FROZEN_AT), "Sign": sign}
        if content:
            headers["Content-Type"] = "application/json"
        response = client.request(method, url, content=content or None, headers=headers)
        assert response.json()["code"] == 0, (url, response.json())


def _as_example_shop(client: CheckedClient, method: str, name: str, body: Any = None) -> Any:
    """The answer document of operation ``name`` signed with the docs' example shop's tokens."""
    return client.signed(
        method,
        f"{OPENAPI}/{name}",
        body=body,
        public_token=EXAMPLE_PUBLIC_TOKEN,
        private_token=EXAMPLE_PRIVATE_TOKEN,
    ).json()


def test_the_webhook_examples_chain(client: CheckedClient) -> None:
    """§5.9: create, list, update (the list example's url), delete, with the id create gave."""
    created = _as_example_shop(
        client,
        "POST",
        "create_shop_webhook",
        {"topic": "review/created", "url": "http://api.trustoo.io/webhook"},
    )
    webhook_id = created["data"]["id"]
    listed = _as_example_shop(client, "GET", "get_shop_webhooks")["data"]
    assert [item["id"] for item in listed] == [webhook_id]
    update = {"id": int(webhook_id), "topic": "review/created", "url": "https://trustoo.io/webhook"}
    updated = _as_example_shop(client, "POST", "update_shop_webhook", update)
    assert updated["code"] == 0 and updated["data"]["url"] == "https://trustoo.io/webhook"
    deleted = _as_example_shop(client, "POST", "delete_shop_webhook", {"id": webhook_id})
    assert deleted["code"] == 0


def test_the_exclusion_examples_chain(client: CheckedClient) -> None:
    """§5.14: create the exclusion by email, list it, delete it by the customer id returned."""
    exclusion = {"email": "example@gmail.com"}
    created = _as_example_shop(client, "POST", "create_customer_exclude", exclusion)
    assert created["data"]["customer_id"] == EXAMPLE_CUSTOMER_ID
    listed = _as_example_shop(client, "GET", "get_customer_excludes")["data"]["list"]
    assert [item["customer_id"] for item in listed] == [EXAMPLE_CUSTOMER_ID]
    by_id = {"customer_id": EXAMPLE_CUSTOMER_ID}
    deleted = _as_example_shop(client, "POST", "delete_customer_exclude", by_id)
    assert deleted["code"] == 0, json.dumps(deleted)


@pytest.mark.parametrize("operation", ["get_shop_authorization_info", "get_shop_install_status"])
def test_a_shop_named_two_ways_that_disagree_is_not_found(
    client: CheckedClient, operation: str
) -> None:
    """X15 and both operations' descriptions: shop_id and myshopify_domain of different shops
    is code 5 (the description once promised 3)."""
    query = urlencode(
        {
            "client_id": "trustwill",
            "client_secret": "trustwill_2026",
            "shop_id": "59730165893",
            "myshopify_domain": EXAMPLE_DOMAIN,
        }
    )
    answer = client.request("GET", f"{OPENAPI}/{operation}?{query}").json()
    assert answer["code"] == 5, answer
    description = client.spec.operations["get_shop_authorization_info"].raw["description"]
    assert "both naming different shops, or no such shop → 404 code 5" in " ".join(
        description.split()
    )


# Which operation each captured endpoint page documents: trustoo-api.md §0 (the newest page-id
# map) and the page named in each §5 heading. The fake's storage operations stand in for the
# upload host the image credentials page describes.
PAGE_OPERATIONS = {
    "api-477412678": {"oauth_authorize", "oauth_consent"},
    "api-463211750": {"oauth_authorize"},
    "api-473401716": {"get_oauth_authorize_url"},
    "api-463211749": {"get_oauth_authorize_url"},
    "api-477412680": {"oauth_token"},
    "api-473401717": {"oauth_token"},
    "api-463211751": {"oauth_token"},
    "api-473401718": {"oauth_revoke", "oauth_revoke_token"},
    "api-477412682": {"oauth_disconnect"},
    "api-477412683": {"get_shop_authorization_info"},
    "api-473401720": {"get_shop_authorization_info"},
    "api-477412684": {"get_shop_install_status"},
    "api-473401721": {"get_shop_install_status"},
    "api-463211752": {"get_shop_install_status"},
    "api-477412689": {"create_shop_webhook"},
    "api-124430817": {"create_shop_webhook"},
    "api-209596698": {"update_shop_webhook"},
    "api-209488585": {"get_shop_webhooks"},
    "api-477412693": {"get_review"},
    "api-477412694": {"get_reviews"},
    "api-477412695": {"create_review"},
    "api-311769082": {"create_review"},
    "api-477412697": {"get_rating"},
    "api-359141650": {"get_rating"},
    "api-477412699": {
        "get_image_upload_policy_token",
        "storage_post_object",
        "storage_bucket_preflight",
        "storage_get_object",
        "storage_put_object",
        "storage_object_preflight",
    },
    "api-274333973": {"get_orders"},
    "api-274335587": {"get_customer_events"},
    "api-288888524": {"email_unsubscribe"},
    "api-328043879": {"create_customer_exclude"},
    "api-477412704": {"delete_customer_exclude"},
}


def test_evidence_cites_only_the_pages_of_its_own_operation(client: CheckedClient) -> None:
    """Issue 11 item 9: delete_review cited the Create Review page, delete_shop_webhook the
    Update Shop Webhook page."""
    wrong = []
    for operation in client.spec.operations.values():
        for source in operation.raw.get("x-evidence", {}).get("sources", []):
            page = source.rsplit("/", 1)[-1]
            if page.startswith("api-") and operation.operation_id not in PAGE_OPERATIONS[page]:
                wrong.append((operation.operation_id, source))
    assert wrong == []

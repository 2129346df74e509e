"""Authentication edges: the wrong scheme for an operation, and what a signature refusal shows."""

from __future__ import annotations

import hashlib

from tests.helpers import DEMO_ACCESS_TOKEN, DEMO_PRIVATE_TOKEN, DEMO_PUBLIC_TOKEN, CheckedClient
from tests.pins import REVIEWS, SUBSCRIBE, fake

PRIVATE_TOKEN_PATH = "/api/v1/openapi/get_open_api_private_token"
CREATE_REVIEW = "/api/v1/openapi/create_review"
SIGNED_PREFIX = b"timestamp=1788840306|"


def test_a_merchant_session_operation_refuses_anonymous_and_hmac_callers() -> None:
    client = fake()
    anonymous = client.request("GET", PRIVATE_TOKEN_PATH).json()
    signed = client.signed("GET", PRIVATE_TOKEN_PATH)
    for refusal in (anonymous, signed.json()):
        assert refusal["code"] == 16 and "data" not in refusal
        assert "merchant session" in refusal["message"]  # says what to send instead
    assert DEMO_PRIVATE_TOKEN not in signed.text


def test_hmac_headers_on_bearer_only_disconnect_are_refused_and_change_nothing() -> None:
    client = fake()
    hook = {"topic": "review/created", "url": "https://example.com/shop-own"}
    assert client.signed("POST", SUBSCRIBE, body=hook).json()["code"] == 0
    refused = client.signed("POST", "/api/v1/openapi/oauth/disconnect").json()
    assert refused["code"] == 16
    assert len(client.signed("GET", "/api/v1/openapi/get_shop_webhooks").json()["data"]) == 1
    assert client.bearer("GET", REVIEWS, DEMO_ACCESS_TOKEN).json()["code"] == 0


def _refusal_with_body(client: CheckedClient, body: bytes) -> dict[str, object]:
    """A request over ``body`` whose Sign is wrong."""
    headers = {
        "Public-Token": DEMO_PUBLIC_TOKEN,
        "Timestamp": "1788840306",
        "Sign": "0" * 64,
        "Content-Type": "application/json",
    }
    answer = client.request("POST", CREATE_REVIEW, content=body, headers=headers)
    return dict(answer.json())


def test_the_string_to_sign_in_a_refusal_is_cut_after_4000_characters() -> None:
    client = fake()
    whole = b"a" * (4000 - len(SIGNED_PREFIX))
    refusal = _refusal_with_body(client, whole)
    assert refusal["code"] == 16
    assert f"`{(SIGNED_PREFIX + whole).decode()}`" in str(refusal["message"])

    longer = whole + b"b" * 37
    refusal = _refusal_with_body(client, longer)
    assert refusal["code"] == 16
    shown = f"`{(SIGNED_PREFIX + whole).decode()}... (37 more characters)`"
    assert shown in str(refusal["message"])


def test_a_bad_signature_over_a_non_utf8_body_is_code_16_with_the_bytes_escaped() -> None:
    client = fake()
    refusal = _refusal_with_body(client, b'{"author":"\xff\xfe\x80"}')
    assert refusal["code"] == 16
    assert '`timestamp=1788840306|{"author":"\\xff\\xfe\\x80"}`' in str(refusal["message"])


def _refusal_of_query(client: CheckedClient, query: str, sign: str) -> dict[str, object]:
    headers = {"Public-Token": DEMO_PUBLIC_TOKEN, "Timestamp": "1788840306", "Sign": sign}
    return dict(client.request("GET", f"{REVIEWS}?{query}", headers=headers).json())


def test_a_query_that_is_not_utf8_is_signed_with_replacement_characters() -> None:
    refusal = _refusal_of_query(fake(), "keyword=%FF", "0" * 64)
    assert refusal["code"] == 16
    assert "`keyword=\ufffd&timestamp=1788840306`" in str(refusal["message"])


def test_the_retired_scheme_is_recognised_with_a_timestamp_in_the_query_too() -> None:
    salted = "page=1&timestamp=1788840306" + DEMO_PRIVATE_TOKEN
    retired = hashlib.sha256(salted.encode()).hexdigest()
    refusal = _refusal_of_query(fake(), "page=1&timestamp=1788840306", retired)
    assert refusal["code"] == 16 and "retired" in str(refusal["message"])

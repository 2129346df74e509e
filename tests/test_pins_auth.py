"""Authentication edges: the wrong scheme for an operation, and what a signature refusal shows."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from tests.helpers import (
    DEMO_ACCESS_TOKEN,
    DEMO_PRIVATE_TOKEN,
    DEMO_PUBLIC_TOKEN,
    FROZEN_AT,
    CheckedClient,
)
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


def _get_reviews(client: CheckedClient, **headers: str) -> dict[str, Any]:
    return dict(client.request("GET", REVIEWS, headers=headers).json())


def _hmac_sign(timestamp: str) -> str:
    message = f"timestamp={timestamp}".encode()
    return hmac.new(DEMO_PRIVATE_TOKEN.encode(), message, hashlib.sha256).hexdigest()


def test_a_timestamp_in_milliseconds_is_named_with_the_seconds_it_would_be() -> None:
    client = fake()
    in_ms = str(FROZEN_AT * 1000)
    refusal = _get_reviews(
        client, **{"Public-Token": DEMO_PUBLIC_TOKEN, "Timestamp": in_ms, "Sign": "0" * 64}
    )
    assert refusal["code"] == 16
    assert str(refusal["message"]).endswith(
        f"; it looks like milliseconds: Timestamp is Unix seconds (that would be {FROZEN_AT})"
    )
    for far in ("9999999999999", "100000000000"):  # 13 digits far off; 12 digits
        refusal = _get_reviews(
            client, **{"Public-Token": DEMO_PUBLIC_TOKEN, "Timestamp": far, "Sign": "0" * 64}
        )
        shown = "milliseconds" in str(refusal["message"])
        assert shown == (len(far) == 13)


def test_a_secret_sent_as_public_token_is_named_never_repeated() -> None:
    client = fake()
    stamp = str(FROZEN_AT)
    cases = {
        DEMO_PRIVATE_TOKEN: "the two tokens look swapped",
        DEMO_ACCESS_TOKEN: "the Public-Token header holds an access token (not repeated here)",
        "unknown-token": "no shop has the Public-Token 'unknown-token'",
    }
    for sent, words in cases.items():
        headers = {"Public-Token": sent, "Timestamp": stamp, "Sign": _hmac_sign(stamp)}
        refusal = _get_reviews(client, **headers)
        assert refusal["code"] == 16 and words in str(refusal["message"])
        if sent != "unknown-token":
            assert sent not in str(refusal["message"])


def test_an_uppercase_sign_is_refused_for_its_form_or_with_a_hint() -> None:
    client = fake()
    stamp = str(FROZEN_AT)
    right = _hmac_sign(stamp)
    headers = {"Public-Token": DEMO_PUBLIC_TOKEN, "Timestamp": stamp, "Sign": right.upper()}
    form_only = _get_reviews(client, **headers)
    assert form_only["code"] == 16
    assert "it would match once lowercased, so only its form is wrong" in form_only["message"]
    wrong = ("f" if right[0] != "f" else "e") + right[1:]
    headers["Sign"] = wrong.upper()
    refusal = _get_reviews(client, **headers)
    assert refusal["code"] == 16 and "Sign does not match" in refusal["message"]
    assert str(refusal["message"]).endswith(
        "; Sign must also be lowercase hex with nothing around it, and the one sent has "
        "uppercase letters"
    )
    headers["Sign"] = wrong
    assert "Sign must also be" not in str(_get_reviews(client, **headers)["message"])


def test_a_credential_header_sent_twice_is_named() -> None:
    client = fake()
    stamp = str(FROZEN_AT)
    headers = [
        ("Public-Token", DEMO_PUBLIC_TOKEN),
        ("Timestamp", stamp),
        ("Sign", _hmac_sign(stamp)),
        ("Sign", _hmac_sign(stamp)),
        ("Accept", "application/json"),
        ("Accept", "application/json"),  # not a credential: may repeat
    ]
    refusal = client.http.request("GET", REVIEWS, headers=headers).json()
    assert refusal["code"] == 16
    assert "the Sign header is sent more than once" in refusal["message"]
    assert (
        client.http.request("GET", REVIEWS, headers=headers[:3] + headers[4:]).json()["code"] == 0
    )


def test_a_query_timestamp_must_equal_the_header() -> None:
    client = fake()
    stamp = str(FROZEN_AT)
    headers = {"Public-Token": DEMO_PUBLIC_TOKEN, "Timestamp": stamp, "Sign": _hmac_sign(stamp)}
    answer = client.request("GET", f"{REVIEWS}?timestamp=5", headers=headers).json()
    assert answer["code"] == 16
    assert (
        f"query parameter timestamp=5 differs from the Timestamp header {stamp}"
        in (answer["message"])
    )


def test_a_timestamp_one_second_off_says_ahead_or_behind() -> None:
    client = fake(timestamp_window=0)
    for offset, direction in ((1, "ahead of"), (-1, "behind")):
        stamp = str(FROZEN_AT + offset)
        headers = {"Public-Token": DEMO_PUBLIC_TOKEN, "Timestamp": stamp, "Sign": "0" * 64}
        message = str(_get_reviews(client, **headers)["message"])
        assert f"is 1 seconds {direction} the server time {FROZEN_AT}" in message
        assert message.endswith("within 0 seconds of it")

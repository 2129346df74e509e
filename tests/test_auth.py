"""Authentication over HTTP (D1-D4): HMAC right and wrong ways, timestamps, bearer tokens."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from tests.helpers import (
    DEMO_ACCESS_TOKEN,
    DEMO_PRIVATE_TOKEN,
    DEMO_PUBLIC_TOKEN,
    FROZEN_AT,
    CheckedClient,
    compact,
    grant_token,
)
from trustoo_mock import Config, create_app
from trustoo_mock.core.signing import signed_headers
from trustoo_mock.server.inprocess import asgi_request

REVIEWS = "/api/v1/openapi/get_reviews"
CREATE_REVIEW = "/api/v1/openapi/create_review"
CREATE_WEBHOOK = "/api/v1/openapi/create_shop_webhook"
REVIEW_BODY = {"product_id": "8000000000001", "rating": 5, "author": "A customer"}


def _hmac_hex(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def _headers(
    sign: str, timestamp: int = FROZEN_AT, public: str = DEMO_PUBLIC_TOKEN
) -> dict[str, str]:
    return {"Public-Token": public, "Timestamp": str(timestamp), "Sign": sign}


def _auth_failure(response: httpx.Response) -> str:
    """Assert HTTP 200 (the default) with code 16 and return the message."""
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["code"] == 16, document
    assert "data" not in document
    message = document["message"]
    assert isinstance(message, str)
    assert message.startswith("authentication failed")
    return message


def _refused_get(client: CheckedClient, sign: str, query: str = "page=1") -> str:
    """The failure message of get_reviews with ``query`` and ``sign`` at the frozen time."""
    return _auth_failure(client.request("GET", f"{REVIEWS}?{query}", headers=_headers(sign)))


def _refused_post(client: CheckedClient, sign: str) -> str:
    """The failure message of create_review with REVIEW_BODY and ``sign``."""
    headers = _headers(sign) | {"Content-Type": "application/json"}
    return _auth_failure(
        client.request("POST", CREATE_REVIEW, content=compact(REVIEW_BODY), headers=headers)
    )


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["code"] == 0
    data = document["data"]
    assert isinstance(data, dict)
    return data


# ---------------------------------------------------------------------------------------------
# The wrong ways public clients sign (trustoo-api.md §10)
# ---------------------------------------------------------------------------------------------


def test_unsigned_get_with_only_public_token(client: CheckedClient) -> None:
    response = client.request(
        "GET", f"{REVIEWS}?page=1", headers={"Public-Token": DEMO_PUBLIC_TOKEN}
    )
    message = _auth_failure(response)
    assert "missing header(s) Timestamp, Sign" in message
    assert "Public-Token" not in message.split(";")[0]


def test_retired_sha256_with_salt_get(client: CheckedClient) -> None:
    expected = f"page=1&timestamp={FROZEN_AT}"
    salted = hashlib.sha256((expected + DEMO_PRIVATE_TOKEN).encode()).hexdigest()
    message = _refused_get(client, salted)
    assert expected in message
    assert "retired 'SHA-256 with salt'" in message
    assert "HMAC-SHA256" in message


def test_retired_sha256_with_salt_multi_param_get(client: CheckedClient) -> None:
    expected = f"page=1&page_size=5&sort_by=created-descending&timestamp={FROZEN_AT}"
    salted = hashlib.sha256((expected + DEMO_PRIVATE_TOKEN).encode()).hexdigest()
    message = _refused_get(client, salted, "sort_by=created-descending&page_size=5&page=1")
    assert expected in message
    assert "retired" in message


def test_retired_post_signing_only_timestamp(client: CheckedClient) -> None:
    legacy = hashlib.sha256(f"timestamp={FROZEN_AT}{DEMO_PRIVATE_TOKEN}".encode()).hexdigest()
    message = _refused_post(client, legacy)
    assert f"timestamp={FROZEN_AT}|{compact(REVIEW_BODY).decode()}" in message
    assert "retired 'SHA-256 with salt'" in message


def test_guessed_hmac_over_public_token_and_timestamp(client: CheckedClient) -> None:
    guessed = _hmac_hex(DEMO_PRIVATE_TOKEN, f"{DEMO_PUBLIC_TOKEN}{FROZEN_AT}")
    message = _refused_get(client, guessed)
    assert f"page=1&timestamp={FROZEN_AT}" in message
    assert "public token + timestamp" in message


def test_hmac_with_public_token_as_key_is_rejected(client: CheckedClient) -> None:
    wrong_key = _hmac_hex(DEMO_PUBLIC_TOKEN, f"page=1&timestamp={FROZEN_AT}")
    message = _refused_get(client, wrong_key)
    assert f"string-to-sign (between the backticks) `page=1&timestamp={FROZEN_AT}`" in message


def test_post_signed_without_body_is_rejected(client: CheckedClient) -> None:
    no_body = _hmac_hex(DEMO_PRIVATE_TOKEN, f"timestamp={FROZEN_AT}")
    message = _refused_post(client, no_body)
    assert f"timestamp={FROZEN_AT}|{compact(REVIEW_BODY).decode()}" in message


# ---------------------------------------------------------------------------------------------
# The right ways
# ---------------------------------------------------------------------------------------------


def _good_sign(query: str = "page=1", body: str = "") -> str:
    message = f"{query}&timestamp={FROZEN_AT}" if query else f"timestamp={FROZEN_AT}"
    if body:
        message += "|" + body
    return _hmac_hex(DEMO_PRIVATE_TOKEN, message)


def test_canonical_headers_verify(client: CheckedClient) -> None:
    response = client.request("GET", f"{REVIEWS}?page=1", headers=_headers(_good_sign()))
    assert _ok(response)["page"]["page"] == 1


@pytest.mark.parametrize(
    "names",
    [("public-token", "timestamp", "sign"), ("PUBLIC-token", "TimeStamp", "SiGn")],
    ids=["lowercase", "mixed-case"],
)
def test_header_names_of_any_case_verify(client: CheckedClient, names: tuple[str, ...]) -> None:
    headers = dict(zip(names, (DEMO_PUBLIC_TOKEN, str(FROZEN_AT), _good_sign()), strict=True))
    assert _ok(client.request("GET", f"{REVIEWS}?page=1", headers=headers))["list"]


def test_signed_post_verifies_and_creates(client: CheckedClient) -> None:
    body = compact(REVIEW_BODY)
    headers = _headers(_good_sign("", body.decode())) | {"Content-Type": "application/json"}
    review = _ok(client.request("POST", CREATE_REVIEW, content=body, headers=headers))
    assert review["author"] == "A customer"
    assert review["id"].isdigit()


# ---------------------------------------------------------------------------------------------
# Edges: headers, timestamps, tokens, signatures
# ---------------------------------------------------------------------------------------------


def test_each_missing_header_is_named(client: CheckedClient) -> None:
    complete = _headers(_good_sign())
    for name in ("Public-Token", "Timestamp", "Sign"):
        headers = {key: value for key, value in complete.items() if key != name}
        message = _auth_failure(client.request("GET", f"{REVIEWS}?page=1", headers=headers))
        assert f"missing header(s) {name};" in message, name


def test_no_headers_at_all_names_all_three(client: CheckedClient) -> None:
    message = _auth_failure(client.request("GET", f"{REVIEWS}?page=1"))
    assert "missing header(s) Public-Token, Timestamp, Sign" in message
    assert "Authorization: Bearer" in message


def test_empty_header_counts_as_missing(client: CheckedClient) -> None:
    headers = _headers(_good_sign()) | {"Sign": ""}
    message = _auth_failure(client.request("GET", f"{REVIEWS}?page=1", headers=headers))
    assert "missing header(s) Sign" in message


def test_non_numeric_timestamps(client: CheckedClient) -> None:
    for value in ("abc", "1788840306.0", "-1788840306", "2026-09-08T12:05:06Z"):
        headers = _headers(_good_sign()) | {"Timestamp": value}
        message = _auth_failure(client.request("GET", f"{REVIEWS}?page=1", headers=headers))
        assert "Timestamp must be Unix seconds" in message, value
        assert repr(value) in message


def _ts_request(client: CheckedClient, timestamp: int) -> httpx.Response:
    headers = signed_headers(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, timestamp, [("page", "1")])
    response: httpx.Response = client.request("GET", f"{REVIEWS}?page=1", headers=headers)
    return response


def test_timestamp_901_seconds_in_the_past(client: CheckedClient) -> None:
    message = _auth_failure(_ts_request(client, FROZEN_AT - 901))
    assert f"Timestamp {FROZEN_AT - 901} is 901 seconds behind the server time {FROZEN_AT}" in (
        message
    )
    assert "900 seconds" in message


def test_timestamp_901_seconds_in_the_future(client: CheckedClient) -> None:
    message = _auth_failure(_ts_request(client, FROZEN_AT + 901))
    assert f"is 901 seconds ahead of the server time {FROZEN_AT}" in message


def test_timestamp_exactly_900_seconds_either_way_is_accepted(client: CheckedClient) -> None:
    assert _ok(_ts_request(client, FROZEN_AT - 900))["list"]
    assert _ok(_ts_request(client, FROZEN_AT + 900))["list"]


def test_timestamp_in_milliseconds_is_far_ahead(client: CheckedClient) -> None:
    millis = FROZEN_AT * 1000
    message = _auth_failure(_ts_request(client, millis))
    assert f"{millis - FROZEN_AT} seconds ahead of" in message


def test_absurdly_long_timestamp_is_16_not_a_crash(client: CheckedClient) -> None:
    headers = _headers(_good_sign()) | {"Timestamp": "9" * 5000}
    message = _auth_failure(client.http.get(f"{REVIEWS}?page=1", headers=headers))
    assert "Timestamp" in message


def _asgi_get(
    app: Any, path: str, query: bytes, headers: list[tuple[bytes, bytes]]
) -> tuple[int, dict[str, Any]]:
    """Call the ASGI app with raw header bytes (TestClient re-encodes non-ASCII as UTF-8)."""
    answer = asyncio.run(asgi_request(app, "GET", path.encode() + b"?" + query, headers))
    return answer.status, json.loads(answer.body)


def test_latin1_superscript_digit_timestamp_is_16_not_a_crash(client: CheckedClient) -> None:
    # b"\xb2\xb3" is "²³" in Latin-1: str.isdigit() says True, int() refuses it.
    headers = [
        (b"public-token", DEMO_PUBLIC_TOKEN.encode()),
        (b"timestamp", b"\xb2\xb3"),
        (b"sign", _good_sign().encode()),
    ]
    status, document = _asgi_get(client.app, REVIEWS, b"page=1", headers)
    assert (status, document["code"]) == (200, 16), document
    assert "Timestamp" in document["message"]


def test_unknown_public_token_is_named(client: CheckedClient) -> None:
    stranger = "c3RyYW5nZXItdG9rZW4xMg=="
    headers = _headers(_good_sign(), public=stranger)
    message = _auth_failure(client.request("GET", f"{REVIEWS}?page=1", headers=headers))
    assert f"no shop has the Public-Token {stranger!r}" in message


def test_bad_sign_get_shows_exact_string_to_sign(client: CheckedClient) -> None:
    message = _refused_get(client, "0" * 64, "sort_by=created-ascending&page=2")
    assert (
        "string-to-sign (between the backticks) "
        f"`page=2&sort_by=created-ascending&timestamp={FROZEN_AT}`" in message
    )
    assert "HMAC-SHA256" in message and "private token" in message
    assert "retired" not in message


def test_bad_sign_post_shows_string_to_sign_with_body(client: CheckedClient) -> None:
    message = _refused_post(client, "f" * 64)
    body = compact(REVIEW_BODY).decode()
    assert f"string-to-sign (between the backticks) `timestamp={FROZEN_AT}|{body}`" in message


def test_bad_sign_with_wrong_length_or_non_hex(client: CheckedClient) -> None:
    good = _good_sign()
    for sign in (good[:-2], good + "00", "z" * 64):
        message = _refused_get(client, sign)
        assert f"page=1&timestamp={FROZEN_AT}" in message, sign


def test_non_ascii_sign_is_16_not_a_crash(client: CheckedClient) -> None:
    headers: dict[str, Any] = dict(_headers("0" * 64)) | {"Sign": b"\xe9" * 64}
    response = client.http.get(f"{REVIEWS}?page=1", headers=headers)
    message = _auth_failure(response)
    assert f"page=1&timestamp={FROZEN_AT}" in message


def test_signature_of_other_shop_private_token_fails(client: CheckedClient) -> None:
    headers = signed_headers(DEMO_PUBLIC_TOKEN, "not-the-private-token", FROZEN_AT, [("page", "1")])
    message = _auth_failure(client.request("GET", f"{REVIEWS}?page=1", headers=headers))
    assert f"page=1&timestamp={FROZEN_AT}" in message


# ---------------------------------------------------------------------------------------------
# Bearer tokens
# ---------------------------------------------------------------------------------------------


def test_demo_access_token_reads_reviews(client: CheckedClient) -> None:
    data = _ok(client.bearer("GET", REVIEWS, DEMO_ACCESS_TOKEN, params={"page_size": 5}))
    assert data["page"]["count"] == 300
    assert len(data["list"]) == 5


def test_demo_access_token_can_write_reviews(client: CheckedClient) -> None:
    review = _ok(client.bearer("POST", CREATE_REVIEW, DEMO_ACCESS_TOKEN, body=REVIEW_BODY))
    assert review["author"] == "A customer"


def test_non_bearer_authorization_schemes_are_16(client: CheckedClient) -> None:
    for value in ("Basic x", "Bearer", "Token abc", "bearer"):
        response = client.request("GET", REVIEWS, headers={"Authorization": value})
        message = _auth_failure(response)
        assert "'Bearer <access token>'" in message, value


def test_bearer_scheme_name_is_case_insensitive(client: CheckedClient) -> None:
    headers = {"Authorization": f"bearer {DEMO_ACCESS_TOKEN}"}
    assert _ok(client.request("GET", REVIEWS, headers=headers))["list"]


def test_unknown_access_token_is_16(client: CheckedClient) -> None:
    response = client.bearer("GET", REVIEWS, "bm90LWEtcmVhbC10b2tlbg==")
    message = _auth_failure(response)
    assert "access token is not known" in message


def test_access_token_expired_after_7200_seconds(client: CheckedClient) -> None:
    moved = client.control("POST", "/_mock/clock", {"advance": 7201})
    assert moved.status_code == 200
    assert moved.json()["now"] == FROZEN_AT + 7201
    message = _auth_failure(client.bearer("GET", REVIEWS, DEMO_ACCESS_TOKEN))
    assert "expired" in message
    assert "1 seconds ago" in message
    assert "refresh_token" in message


def test_access_token_still_valid_at_7199_seconds(client: CheckedClient) -> None:
    assert client.control("POST", "/_mock/clock", {"advance": 7199}).status_code == 200
    assert _ok(client.bearer("GET", REVIEWS, DEMO_ACCESS_TOKEN))["list"]


def test_access_token_expired_at_exactly_7200_seconds(client: CheckedClient) -> None:
    assert client.control("POST", "/_mock/clock", {"advance": 7200}).status_code == 200
    assert "expired" in _auth_failure(client.bearer("GET", REVIEWS, DEMO_ACCESS_TOKEN))


def test_revoked_access_token_is_16(client: CheckedClient) -> None:
    store = client.app.state.fake.ctx.store
    changed = store.update("grants", {"access_token": DEMO_ACCESS_TOKEN}, {"revoked": True})
    assert changed == 1
    message = _auth_failure(client.bearer("GET", REVIEWS, DEMO_ACCESS_TOKEN))
    assert "revoked" in message


def test_read_only_token_reads_but_cannot_write_reviews(client: CheckedClient) -> None:
    token = grant_token(client, ["read_reviews"])
    assert _ok(client.bearer("GET", REVIEWS, token))["list"]

    response = client.bearer("POST", CREATE_REVIEW, token, body=REVIEW_BODY)
    assert response.status_code == 200
    document = response.json()
    assert document["code"] == 7
    assert "write_reviews" in document["message"]
    assert "read_reviews" in document["message"]  # what was granted

    # Nothing was written.
    listed = client.signed("GET", REVIEWS, params={"keyword": "A customer"})
    assert listed.json()["data"]["page"]["count"] == 0


def test_read_only_token_cannot_subscribe_to_review_created(client: CheckedClient) -> None:
    token = grant_token(client, ["read_reviews"])
    body = {"topic": "review/created", "url": "https://example.com/hook"}
    response = client.bearer("POST", CREATE_WEBHOOK, token, body=body)
    assert response.status_code == 200
    assert response.json()["code"] == 7
    assert "write_reviews" in response.json()["message"]

    listed = client.bearer("GET", "/api/v1/openapi/get_shop_webhooks", token)
    assert listed.status_code == 200
    assert listed.json()["data"] == []


def test_demo_token_can_subscribe_to_review_created(client: CheckedClient) -> None:
    body = {"topic": "review/created", "url": "https://example.com/hook"}
    webhook = _ok(client.bearer("POST", CREATE_WEBHOOK, DEMO_ACCESS_TOKEN, body=body))
    assert webhook["topic"] == "review/created"


def test_authorization_header_wins_over_valid_hmac_headers(client: CheckedClient) -> None:
    headers = _headers(_good_sign()) | {"Authorization": "Basic x"}
    message = _auth_failure(client.request("GET", f"{REVIEWS}?page=1", headers=headers))
    assert "Bearer" in message

    headers = _headers(_good_sign()) | {"Authorization": "Bearer bm9wZQ=="}
    message = _auth_failure(client.request("GET", f"{REVIEWS}?page=1", headers=headers))
    assert "access token is not known" in message


def test_bearer_with_broken_hmac_headers_still_uses_the_token(client: CheckedClient) -> None:
    headers = _headers("0" * 64) | {"Authorization": f"Bearer {DEMO_ACCESS_TOKEN}"}
    assert _ok(client.request("GET", f"{REVIEWS}?page=1", headers=headers))["list"]


def test_bearer_principal_has_only_granted_scopes_even_with_hmac_headers(
    client: CheckedClient,
) -> None:
    token = grant_token(client, ["read_reviews"])
    body = compact(REVIEW_BODY)
    headers = _headers(_good_sign("", body.decode())) | {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
    }
    response = client.request("POST", CREATE_REVIEW, content=body, headers=headers)
    assert response.status_code == 200
    assert response.json()["code"] == 7


# ---------------------------------------------------------------------------------------------
# --error-http-status mirror
# ---------------------------------------------------------------------------------------------


def test_error_http_status_mirror_sends_code_16_with_http_401() -> None:
    app = create_app(Config(frozen_time=FROZEN_AT, error_http_status="mirror"))
    http = TestClient(app)
    response = http.get(f"{REVIEWS}?page=1", headers=_headers("0" * 64))
    assert response.status_code == 401
    document = response.json()
    assert document["code"] == 16
    assert f"page=1&timestamp={FROZEN_AT}" in document["message"]
    assert "data" not in document

    missing = http.get(REVIEWS)
    assert (missing.status_code, missing.json()["code"]) == (401, 16)

    good = http.get(f"{REVIEWS}?page=1", headers=_headers(_good_sign()))
    assert (good.status_code, good.json()["code"]) == (200, 0)

"""Refusals that teach and never leak (issue 11 items 5-7): the form of a Sign, swapped
credentials, and near misses of an operation's path."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from starlette import _exception_handler as starlette_exception_handler

from tests.helpers import (
    DEMO_ACCESS_TOKEN,
    DEMO_CLIENT_ID,
    DEMO_PRIVATE_TOKEN,
    DEMO_PUBLIC_TOKEN,
    FROZEN_AT,
    CheckedClient,
)
from trustoo_mock.core.signing import signed_headers
from trustoo_mock.spec.openapi import _MOST_NEAR_MISS_SEGMENTS, _without_prefix, bundled_spec
from trustoo_mock.testing import MockTrustoo

REVIEWS = "/api/v1/openapi/get_reviews"
DEMO_CLIENT_SECRET = "ZGVtby1zZWNyZXQtMDAwMQ=="


def _refusal(response: httpx.Response, code: int = 16) -> str:
    """The envelope's message, after checking its code (the HTTP status is another helper's)."""
    document = response.json()
    assert document["code"] == code, document
    message = document["message"]
    assert isinstance(message, str)
    return message


def _get_reviews(client: CheckedClient, sign: str, public: str = DEMO_PUBLIC_TOKEN) -> Any:
    headers = {"Public-Token": public, "Timestamp": str(FROZEN_AT), "Sign": sign}
    return client.request("GET", f"{REVIEWS}?page=1", headers=headers)


def _good_sign() -> str:
    return signed_headers(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, FROZEN_AT, [("page", "1")])["Sign"]


# -- item 5: Sign is lowercase hex, exactly ----------------------------------------------------


def test_an_uppercase_sign_is_refused_and_would_match_lowercased(client: CheckedClient) -> None:
    message = _refusal(_get_reviews(client, _good_sign().upper()))
    assert "Sign must be lowercase hex" in message
    assert "it would match once lowercased, so only its form is wrong" in message


@pytest.mark.modes("inprocess")  # an HTTP server trims header values before the fake sees them
def test_a_padded_sign_is_refused_and_would_match_trimmed(client: CheckedClient) -> None:
    message = _refusal(_get_reviews(client, f"{_good_sign()} "))
    assert "Sign must be lowercase hex" in message
    assert "it would match once trimmed" in message


@pytest.mark.modes("inprocess")
def test_a_padded_uppercase_sign_names_both_repairs(client: CheckedClient) -> None:
    message = _refusal(_get_reviews(client, f" {_good_sign().upper()}"))
    assert "it would match once lowercased and trimmed" in message


def test_a_wrong_uppercase_sign_explains_the_signature_and_the_form(client: CheckedClient) -> None:
    message = _refusal(_get_reviews(client, "A" * 64))
    assert f"`page=1&timestamp={FROZEN_AT}`" in message
    assert "Sign must also be lowercase hex" in message and "uppercase letters" in message
    assert "would match" not in message


def test_a_lowercase_sign_is_still_accepted(client: CheckedClient) -> None:
    assert _get_reviews(client, _good_sign()).json()["code"] == 0


# -- item 6: a secret is never repeated -------------------------------------------------------


def _journal_text(client: CheckedClient) -> str:
    return json.dumps(client.control("GET", "/_mock/requests").json())


def test_a_private_token_sent_as_public_token_is_named_swapped_not_echoed(
    client: CheckedClient,
) -> None:
    swapped = signed_headers(DEMO_PRIVATE_TOKEN, DEMO_PUBLIC_TOKEN, FROZEN_AT, [("page", "1")])
    response = client.request("GET", f"{REVIEWS}?page=1", headers=swapped)
    message = _refusal(response)
    assert "look swapped" in message
    assert DEMO_PRIVATE_TOKEN not in response.text
    assert DEMO_PRIVATE_TOKEN not in _journal_text(client)


def test_an_access_token_sent_as_public_token_is_named_not_echoed(client: CheckedClient) -> None:
    response = _get_reviews(client, _good_sign(), public=DEMO_ACCESS_TOKEN)
    assert "holds an access token" in _refusal(response)
    assert DEMO_ACCESS_TOKEN not in response.text
    assert DEMO_ACCESS_TOKEN not in _journal_text(client)


def test_a_client_secret_sent_as_client_id_is_named_not_echoed(client: CheckedClient) -> None:
    body = {
        "grant_type": "client_credentials",
        "client_id": DEMO_CLIENT_SECRET,
        "client_secret": "demo-platform",
        "shop_id": "70000000001",
    }
    response = client.request(
        "POST",
        "/api/v1/openapi/oauth/token",
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert "look swapped" in _refusal(response)
    assert DEMO_CLIENT_SECRET not in response.text


def test_a_client_secret_as_client_id_in_the_query_is_not_echoed(client: CheckedClient) -> None:
    query = f"client_id={DEMO_CLIENT_SECRET}&client_secret=x&shop_id=70000000001"
    response = client.request("GET", f"/api/v1/openapi/get_shop_authorization_info?{query}")
    assert "look swapped" in _refusal(response)
    assert DEMO_CLIENT_SECRET not in response.text


def test_an_unknown_public_token_is_still_named(client: CheckedClient) -> None:
    stranger = "c3RyYW5nZXItdG9rZW4xMg=="
    assert stranger in _refusal(_get_reviews(client, _good_sign(), public=stranger))


# -- item 7: a near miss of a path names the operation it most likely meant --------------------


@pytest.mark.parametrize(
    ("method", "path", "meant"),
    [
        ("GET", "/api/v1/open_api/get_reviews", "GET /api/v1/openapi/get_reviews (get_reviews)"),
        ("GET", "/api/v1/openapi/get_review_list", "GET /api/v1/openapi/get_reviews (get_reviews)"),
        ("GET", "/api/v1/openapi/get_reviws", "GET /api/v1/openapi/get_reviews (get_reviews)"),
        ("GET", "/api/v1/open_api/orders", "GET /api/v1/openapi/get_orders (get_orders)"),
        (
            "POST",
            "/api/v1/open_api/create_shop_webhook",
            "POST /api/v1/openapi/create_shop_webhook (create_shop_webhook)",
        ),
        ("POST", "/api/v1/openapi/oauth/tokens", "POST /api/v1/openapi/oauth/token (oauth_token)"),
        ("GET", "/api/v2/openapi/get_rating", "GET /api/v1/openapi/get_rating (get_rating)"),
    ],
    ids=["retired-prefix", "doc-title", "typo", "retired-name", "retired-post", "plural", "v2"],
)
def test_a_near_miss_suggests_the_operation(
    client: CheckedClient, method: str, path: str, meant: str
) -> None:
    message = _refusal(client.request(method, path), code=5)
    assert message.startswith(f"no operation at {method} {path}; did you mean {meant}?")


def test_a_near_miss_at_the_end_of_many_segments_is_still_found(client: CheckedClient) -> None:
    path = "/api/v1/openapi/" + "x/" * 60 + "get_reviws"
    message = _refusal(client.request("GET", path), code=5)
    assert message.endswith("did you mean GET /api/v1/openapi/get_reviews (get_reviews)?")


def test_no_operation_has_more_segments_than_a_near_miss_is_compared_by() -> None:
    """A near miss compares only the last segments of an unknown path (the cost of one
    unknown path stays bounded): every operation's path must fit in them."""
    spec = bundled_spec()
    longest = max(
        len([part for part in _without_prefix(operation.path).split("/") if part])
        for operation in spec.implemented()
    )
    assert longest <= _MOST_NEAR_MISS_SEGMENTS


def test_an_unknown_path_is_answered_without_a_worker_thread(
    client: CheckedClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer to an unknown path reads the store (the object store's errors) and must
    be made on the loop, as every other answer is."""

    async def no_thread(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an error answer was sent to a worker thread")

    monkeypatch.setattr(starlette_exception_handler, "run_in_threadpool", no_thread)
    message = _refusal(client.request("GET", "/api/v1/openapi/get_reviws"), code=5)
    assert "did you mean" in message
    assert client.request("GET", "/_storage/no-such-bucket/key").status_code == 404


def test_the_retired_prefix_is_named(client: CheckedClient) -> None:
    message = _refusal(client.request("GET", "/api/v1/open_api/get_reviews"), code=5)
    assert "/api/v1/open_api/ is the retired prefix; the current one is /api/v1/openapi/" in message


@pytest.mark.parametrize("path", ["/", "/favicon.ico", "/api/v1/openapi/frobnicate"])
def test_nothing_close_suggests_nothing(client: CheckedClient, path: str) -> None:
    message = _refusal(client.request("GET", path), code=5)
    assert message == f"no operation at GET {path}"


def test_a_near_miss_on_the_control_plane_suggests_a_control_operation(
    client: CheckedClient,
) -> None:
    response = client.request("GET", "/_mock/healthz")
    assert "did you mean GET /_mock/health (mock_health)?" in response.json()["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/openapi/get_reviews%3Faccess_token%3Dsecret-in-the-path%26page%3D2",
        "/api/v1/openapi/get_reviews;token=secret-in-the-path",
        "/_mock/shopz;access_token=secret-in-the-path",
    ],
)
def test_a_secret_in_a_path_no_operation_has_is_not_repeated(
    client: CheckedClient, path: str
) -> None:
    answer = client.request("GET", path)
    assert "secret-in-the-path" not in answer.text
    assert "[redacted]" in answer.text


# -- one error vocabulary (issue 13 item 2) ------------------------------------------------------


def test_an_error_of_the_fakes_own_rules_on_a_trustoo_call_keeps_its_code(
    trustoo: MockTrustoo,
) -> None:
    """A rule the control plane shares (no shop with this id) refuses a Trustoo call as code 5,
    not as an internal error (code 13): one error type, whichever layer raised it."""
    shop = trustoo.create_shop()
    grant = trustoo.authorize(shop, DEMO_CLIENT_ID)
    # A grant whose shop has gone, as a data file edited by hand could leave it.
    trustoo.fake.ctx.store.delete("shops", shop_id=shop.shop_id)
    body = {
        "grant_type": "refresh_token",
        "client_id": DEMO_CLIENT_ID,
        "client_secret": DEMO_CLIENT_SECRET,
        "refresh_token": grant.refresh_token,
    }
    with trustoo.client() as anonymous:
        answer = anonymous.post("/api/v1/openapi/oauth/token", json=body)
    assert _refusal(answer, code=5) == f"no shop with shop_id {shop.shop_id}"

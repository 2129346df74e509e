"""A credential header sent twice (two Sign, two Public-Token, ...) is a clear code 16, never
a 500 and never a guess at which one counts (issue 23, "done when")."""

from __future__ import annotations

import pytest

from tests.helpers import DEMO_ACCESS_TOKEN, DEMO_PRIVATE_TOKEN, DEMO_PUBLIC_TOKEN, CheckedClient
from trustoo_mock.core.signing import signed_headers

REVIEWS = "/api/v1/openapi/get_reviews"


@pytest.mark.parametrize("repeated", ["Public-Token", "Timestamp", "Sign"])
def test_a_repeated_signing_header_is_refused(client: CheckedClient, repeated: str) -> None:
    headers = signed_headers(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, client.now)
    sent = [*headers.items(), (repeated, headers[repeated])]  # even the same value twice
    response = client.http.get(REVIEWS, headers=sent)
    assert response.status_code < 500
    document = response.json()
    assert document["code"] == 16
    assert f"the {repeated} header is sent more than once" in document["message"]


def test_a_second_sign_cannot_sneak_in_after_a_wrong_one(client: CheckedClient) -> None:
    headers = signed_headers(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, client.now)
    sent = [*headers.items(), ("Sign", "0" * 64)]
    assert client.http.get(REVIEWS, headers=sent).json()["code"] == 16


def test_a_repeated_authorization_header_is_refused(client: CheckedClient) -> None:
    bearer = ("Authorization", f"Bearer {DEMO_ACCESS_TOKEN}")
    document = client.http.get(REVIEWS, headers=[bearer, bearer]).json()
    assert document["code"] == 16
    assert "the Authorization header is sent more than once" in document["message"]


def test_one_of_each_still_authenticates(client: CheckedClient) -> None:
    headers = signed_headers(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, client.now)
    assert client.http.get(REVIEWS, headers=list(headers.items())).json()["code"] == 0


def test_repeated_credentials_do_not_matter_where_none_are_needed(client: CheckedClient) -> None:
    widget = "/api/v1/reviews/get_product_reviews?shop_id=70000000001"
    sent = [("Sign", "a"), ("Sign", "b")]
    assert client.http.get(widget, headers=sent).json()["code"] == 0


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (
            "/api/v1/openapi/oauth/authorize?client_id=demo-platform&scope=read_reviews"
            "&redirect_uri=http://localhost:3000/oauth/callback",
            {b"Authorization": b"Bearer a\xe9.b.c", b"Accept": b"application/json"},
        ),
        (REVIEWS, {b"Authorization": b"Bearer \xe9\xff"}),
        (REVIEWS, {b"Public-Token": b"\xe9" * 10, b"Timestamp": b"1", b"Sign": b"\xff"}),
    ],
    ids=["merchant-session", "bearer", "hmac"],
)
def test_credentials_that_are_not_ascii_are_code_16(
    client: CheckedClient, path: str, headers: dict[bytes, bytes]
) -> None:
    response = client.http.get(path, headers=headers)
    assert response.status_code < 500
    assert response.json()["code"] == 16

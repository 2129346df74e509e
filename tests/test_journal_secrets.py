"""The request journal keeps no secret (issue 23, item 8): secret-named query parameters are
redacted, and no credential a request presented is repeated, wherever it would appear."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlsplit

from tests.helpers import DEMO_CLIENT_ID, DEMO_PUBLIC_TOKEN, DEMO_SHOP_ID, CheckedClient

SECRET = "ZGVtby1zZWNyZXQtMDAwMQ=="  # the demo platform's client secret
REVIEWS = "/api/v1/openapi/get_reviews"
CREATE = "/api/v1/openapi/create_review"
TOKEN = "/api/v1/openapi/oauth/token"
INSTALL_STATUS = "/api/v1/openapi/get_shop_install_status"
REDACTED = "[redacted]"


def journal(client: CheckedClient) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = client.control("GET", "/_mock/requests").json()
    return entries


def last_entry(client: CheckedClient) -> dict[str, Any]:
    return journal(client)[-1]


def assert_nowhere(client: CheckedClient, *secrets: str) -> None:
    """Neither in the journal nor in what the inspector shows of each request (its headers,
    query, body and answer, X99)."""
    entries = journal(client)
    written = json.dumps(entries) + "".join(
        client.request("GET", f"/_mock/ui/requests/{entry['seq']}").text for entry in entries
    )
    for secret in secrets:
        assert secret not in written and quote(secret, safe="") not in written


def test_a_client_secret_in_the_query_is_redacted(client: CheckedClient) -> None:
    query = f"client_id={DEMO_CLIENT_ID}&client_secret={quote(SECRET)}&shop_id={DEMO_SHOP_ID}"
    assert client.request("GET", f"{INSTALL_STATUS}?{query}").json()["code"] == 0
    entry = last_entry(client)
    assert entry["query"] == (
        f"client_id={DEMO_CLIENT_ID}&client_secret={REDACTED}&shop_id={DEMO_SHOP_ID}"
    )
    assert_nowhere(client, SECRET)


def test_oauth_secrets_sent_in_the_query_are_redacted(client: CheckedClient) -> None:
    secrets = {"client_secret": SECRET, "code": "an-auth-code", "refresh_token": "a-refresh-t"}
    query = "&".join(f"{name}={value}" for name, value in secrets.items())
    client.request("POST", f"{TOKEN}?grant_type=refresh_token&{query}")
    entry = last_entry(client)
    assert entry["operation_id"] == "oauth_token"
    assert entry["query"] == (
        f"grant_type=refresh_token&client_secret={REDACTED}&code={REDACTED}"
        f"&refresh_token={REDACTED}"
    )
    assert_nowhere(client, *secrets.values())


def test_an_unknown_public_token_is_not_repeated(client: CheckedClient) -> None:
    presented = "someone-elses-public-token"
    client.signed("GET", REVIEWS, public_token=presented)
    entry = last_entry(client)
    assert entry["auth"] == "failed"
    assert "Public-Token" in entry["auth_explanation"]
    assert_nowhere(client, presented)


def test_a_bad_sign_explanation_keeps_no_secret_of_query_or_body(client: CheckedClient) -> None:
    in_query, in_body = "query-secret-value", "body-token-value"
    body = {"rating": 5, "author": "Ann", "token": in_body}
    client.signed(
        "POST",
        CREATE,
        params={"client_secret": in_query},
        body=body,
        private_token="not-the-private-token",
    )
    entry = last_entry(client)
    assert entry["auth"] == "failed" and "string-to-sign" in entry["auth_explanation"]
    assert f"client_secret={REDACTED}" in entry["auth_explanation"]
    assert f'"token":"{REDACTED}"' in entry["auth_explanation"]
    assert_nowhere(client, in_query, in_body)


def test_a_body_on_a_good_request_is_not_read_for_the_journal(client: CheckedClient) -> None:
    """Only a refusal's explanation quotes the body; a good call's entry names the shop."""
    response = client.signed("POST", CREATE, body={"rating": 5, "author": "Ann"})
    assert response.json()["code"] == 0
    assert last_entry(client)["auth_explanation"] == f"shop {DEMO_SHOP_ID}"


def test_an_object_store_signature_is_redacted(client: CheckedClient) -> None:
    answer = client.signed("GET", "/api/v1/openapi/get_video_upload_url").json()
    upload = urlsplit(answer["data"]["upload_url"])
    response = client.request(
        "PUT",
        f"{upload.path}?{upload.query}",
        content=b"movie",
        headers={"Content-Type": "video/mp4"},
    )
    assert response.status_code == 200
    entry = last_entry(client)
    assert entry["path"] == upload.path
    assert f"Signature={REDACTED}" in entry["query"] and "OSSAccessKeyId=" in entry["query"]


def test_short_values_are_left_in_free_text(client: CheckedClient) -> None:
    """No credential is shorter than 8 characters; cutting "1" out would mangle every line."""
    client.signed("GET", REVIEWS, params={"page": 1}, public_token="1")
    entry = last_entry(client)
    assert entry["query"] == "page=1"
    assert "Public-Token" in entry["auth_explanation"]


def test_a_credential_in_the_path_is_redacted(client: CheckedClient) -> None:
    """The path is written down decoded: a query sent percent-encoded, a matrix parameter and
    a presented credential copied into a segment are all path, and all cut there."""
    in_query, in_matrix = "an-access-token-in-the-path", "a-token-in-a-matrix-parameter"
    client.request("GET", f"{REVIEWS}%3Faccess_token%3D{in_query}%26page%3D2")
    assert last_entry(client)["path"] == f"{REVIEWS}?access_token={REDACTED}&page=2"
    client.request("GET", f"{REVIEWS};token={in_matrix}")
    assert last_entry(client)["path"] == f"{REVIEWS};token={REDACTED}"
    client.signed("GET", f"{REVIEWS}/{DEMO_PUBLIC_TOKEN}")
    assert last_entry(client)["path"] == f"{REVIEWS}/{REDACTED}"
    assert_nowhere(client, in_query, in_matrix, DEMO_PUBLIC_TOKEN)

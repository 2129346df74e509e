"""OAuth2 and platform management, as a platform and a merchant would use them."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.helpers import DEMO_CLIENT_ID, DEMO_SHOP_ID, SCOPES, CheckedClient, compact
from tests.live import live_server

SECRET = "ZGVtby1zZWNyZXQtMDAwMQ=="
CALLBACK = "http://localhost:3000/oauth/callback"
TOKEN = "/api/v1/openapi/oauth/token"
AUTHORIZE = "/api/v1/openapi/oauth/authorize"
REVIEWS = "/api/v1/openapi/get_reviews"


def _session(client: CheckedClient, shop_id: str = DEMO_SHOP_ID) -> str:
    answer = client.control("POST", f"/_mock/shops/{shop_id}/merchant_session")
    assert answer.status_code == 201
    return str(answer.json()["token"])


def _code(client: CheckedClient, scope: str = "read_reviews", state: str = "s1") -> str:
    query = f"client_id={DEMO_CLIENT_ID}&redirect_uri={CALLBACK}&scope={scope}&state={state}"
    response = client.request(
        "GET", f"{AUTHORIZE}?{query}", headers={"Authorization": f"Bearer {_session(client)}"}
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    params = parse_qs(location.query)
    assert params["state"] == [state]
    return params["code"][0]


def _token(client: CheckedClient, **fields: Any) -> Any:
    body = {"client_id": DEMO_CLIENT_ID, "client_secret": SECRET, **fields}
    return client.request(
        "POST", TOKEN, content=compact(body), headers={"Content-Type": "application/json"}
    )


def _exchange(client: CheckedClient, code: str) -> dict[str, Any]:
    answer = _token(
        client, grant_type="authorization_code", code=code, redirect_uri=CALLBACK
    ).json()
    assert answer["code"] == 0, answer
    return dict(answer["data"])


def test_full_flow_over_http_as_a_platform_runs_it() -> None:
    with live_server() as base, httpx.Client(base_url=base) as http:
        url = http.get(
            "/api/v1/openapi/get_oauth_authorize_url",
            params={"client_id": DEMO_CLIENT_ID, "redirect_uri": CALLBACK, "state": "xyz"},
        ).json()["data"]["authorize_url"]
        assert url.startswith(f"{base}{AUTHORIZE}?")
        session = http.post(f"/_mock/shops/{DEMO_SHOP_ID}/merchant_session").json()["token"]
        consent = http.get(url, headers={"Authorization": f"Bearer {session}"})
        assert consent.status_code == 302
        callback = parse_qs(urlsplit(consent.headers["location"]).query)
        assert callback["state"] == ["xyz"]

        tokens = http.post(
            TOKEN,
            json={
                "grant_type": "authorization_code",
                "client_id": DEMO_CLIENT_ID,
                "client_secret": SECRET,
                "code": callback["code"][0],
                "redirect_uri": CALLBACK,
            },
        ).json()["data"]
        assert tokens["token_type"] == "Bearer"
        assert tokens["expires_in"] == 7200
        assert tokens["refresh_token_expires_in"] == 30 * 24 * 3600
        assert tokens["shop_id"] == DEMO_SHOP_ID
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert http.get(REVIEWS, headers=bearer).json()["code"] == 0

        refreshed = http.post(
            TOKEN,
            data={
                "grant_type": "refresh_token",
                "client_id": DEMO_CLIENT_ID,
                "client_secret": SECRET,
                "refresh_token": tokens["refresh_token"],
            },
        ).json()
        assert refreshed["code"] == 0
        new = refreshed["data"]
        assert new["access_token"] != tokens["access_token"]
        assert new["refresh_token"] != tokens["refresh_token"]

        reused = http.post(
            TOKEN,
            json={
                "grant_type": "refresh_token",
                "client_id": DEMO_CLIENT_ID,
                "client_secret": SECRET,
                "refresh_token": tokens["refresh_token"],
            },
        )
        assert (reused.status_code, reused.json()["code"]) == (200, 3)
        assert "already used" in reused.json()["message"]

        revoke = {"client_id": DEMO_CLIENT_ID, "client_secret": SECRET}
        revoked = http.post(
            "/api/v1/openapi/oauth/revoke", json={**revoke, "token": new["access_token"]}
        )
        assert revoked.json() == {**revoked.json(), "code": 0, "data": {}}
        refused = http.get(REVIEWS, headers={"Authorization": f"Bearer {new['access_token']}"})
        assert (refused.status_code, refused.json()["code"]) == (200, 16)
        assert "revoked" in refused.json()["message"]


def test_a_code_is_single_use_bound_to_its_redirect_uri_and_expires(client: CheckedClient) -> None:
    code = _code(client)
    wrong_uri = _token(
        client, grant_type="authorization_code", code=code, redirect_uri=CALLBACK + "x"
    )
    assert wrong_uri.json()["code"] == 3 and "redirect_uri" in wrong_uri.json()["message"]
    _exchange(client, code)
    again = _token(client, grant_type="authorization_code", code=code, redirect_uri=CALLBACK)
    assert again.json()["code"] == 3 and "already used" in again.json()["message"]

    late = _code(client)
    client.control("POST", "/_mock/clock", {"advance": 601})
    expired = _token(client, grant_type="authorization_code", code=late, redirect_uri=CALLBACK)
    assert expired.json()["code"] == 3 and "expired 1 seconds ago" in expired.json()["message"]

    fresh = _code(client)
    client.control("POST", "/_mock/clock", {"advance": 599})
    assert _exchange(client, fresh)["access_token"]


def test_tokens_expire_on_the_fakes_clock(client: CheckedClient) -> None:
    tokens = _exchange(client, _code(client))
    client.control("POST", "/_mock/clock", {"advance": 7199})
    assert client.bearer("GET", REVIEWS, tokens["access_token"]).json()["code"] == 0
    client.control("POST", "/_mock/clock", {"advance": 1})
    expired = client.bearer("GET", REVIEWS, tokens["access_token"]).json()
    assert expired["code"] == 16 and "expired" in expired["message"]
    refreshed = _token(client, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert refreshed.json()["code"] == 0
    client.control("POST", "/_mock/clock", {"advance": 30 * 24 * 3600})
    late = refreshed.json()["data"]["refresh_token"]
    stale = _token(client, grant_type="refresh_token", refresh_token=late).json()
    assert stale["code"] == 3 and "expired" in stale["message"]


def test_the_old_access_token_lives_on_after_a_refresh(client: CheckedClient) -> None:
    tokens = _exchange(client, _code(client))
    _token(client, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert client.bearer("GET", REVIEWS, tokens["access_token"]).json()["code"] == 0


def test_client_authentication_failures_are_code_16(client: CheckedClient) -> None:
    code = _code(client)
    wrong = _token(
        client,
        grant_type="authorization_code",
        code=code,
        redirect_uri=CALLBACK,
        client_secret="not-the-secret",
    )
    assert (wrong.status_code, wrong.json()["code"]) == (200, 16)
    unknown = _token(
        client, grant_type="authorization_code", code=code, redirect_uri=CALLBACK, client_id="x"
    )
    assert (unknown.status_code, unknown.json()["code"]) == (200, 16)
    assert _exchange(client, code)["access_token"]  # the code survived the failed attempts


def test_client_credentials_only_for_skip_shop_oauth_platforms(client: CheckedClient) -> None:
    refused = _token(client, grant_type="client_credentials", shop_id=DEMO_SHOP_ID).json()
    assert refused["code"] == 3 and "skip_shop_oauth" in refused["message"]

    platform = client.control(
        "POST",
        "/_mock/platforms",
        {"client_id": "importer", "skip_shop_oauth": True, "scopes": ["read_reviews"]},
    ).json()
    credentials = {"client_id": "importer", "client_secret": platform["client_secret"]}
    by_domain = _token(
        client,
        grant_type="client_credentials",
        myshopify_domain="demo-shop.myshopify.com",
        **credentials,
    ).json()
    assert by_domain["code"] == 0
    assert (by_domain["data"]["shop_id"], by_domain["data"]["scope"]) == (
        DEMO_SHOP_ID,
        "read_reviews",
    )
    token = by_domain["data"]["access_token"]
    assert client.bearer("GET", REVIEWS, token).json()["code"] == 0
    beyond = _token(
        client,
        grant_type="client_credentials",
        shop_id=DEMO_SHOP_ID,
        scope="read_orders",
        **credentials,
    ).json()
    assert beyond["code"] == 7 and "read_orders" in beyond["message"]
    nowhere = _token(client, grant_type="client_credentials", shop_id="1", **credentials).json()
    assert nowhere["code"] == 5


def test_a_read_reviews_token_reads_but_cannot_write_or_subscribe(client: CheckedClient) -> None:
    token = _exchange(client, _code(client, scope="read_reviews"))["access_token"]
    assert client.bearer("GET", REVIEWS, token).json()["code"] == 0
    created = client.bearer(
        "POST", "/api/v1/openapi/create_review", token, body={"rating": 5, "author": "A"}
    ).json()
    assert created["code"] == 7 and "write_reviews" in created["message"]
    hook = {"topic": "review/created", "url": "https://example.com/h"}
    subscribed = client.bearer("POST", "/api/v1/openapi/create_shop_webhook", token, body=hook)
    assert subscribed.json()["code"] == 7
    events = {"topic": "customer_event/created", "url": "https://example.com/e"}
    no_events = client.bearer("POST", "/api/v1/openapi/create_shop_webhook", token, body=events)
    assert "read_customer_events" in no_events.json()["message"]
    allowed = _exchange(client, _code(client, scope="read_customer_events"))["access_token"]
    ok = client.bearer("POST", "/api/v1/openapi/create_shop_webhook", allowed, body=events)
    assert ok.json()["code"] == 0


def _webhooks_of(client: CheckedClient, shop_id: str, platform_id: int) -> list[dict[str, Any]]:
    store = client.app.state.fake.ctx.store
    return list(store.find("webhooks", shop_id=shop_id, platform_id=platform_id))


@pytest.mark.parametrize("how", ["disconnect", "cancel"])
def test_ending_access_removes_only_that_platforms_tokens_and_webhooks(
    client: CheckedClient, how: str
) -> None:
    other = client.control("POST", "/_mock/platforms", {"client_id": "other"}).json()
    other_token = client.control(
        "POST", f"/_mock/shops/{DEMO_SHOP_ID}/authorizations", {"client_id": "other"}
    ).json()["access_token"]
    tokens = _exchange(client, _code(client, scope="write_reviews"))
    hook = {"topic": "review/created", "url": "https://example.com/mine"}
    for token in (tokens["access_token"], other_token):
        assert (
            client.bearer("POST", "/api/v1/openapi/create_shop_webhook", token, body=hook).json()[
                "code"
            ]
            == 0
        )
    assert (
        client.signed("POST", "/api/v1/openapi/create_shop_webhook", body=hook).json()["code"] == 0
    )

    if how == "disconnect":
        done = client.bearer("POST", "/api/v1/openapi/oauth/disconnect", tokens["access_token"])
    else:
        done = client.request(
            "POST",
            "/api/v1/openapi/oauth/cancel",
            content=compact({"client_id": DEMO_CLIENT_ID}),
            headers={
                "Authorization": f"Bearer {_session(client)}",
                "Content-Type": "application/json",
            },
        )
    assert done.json()["code"] == 0

    assert client.bearer("GET", REVIEWS, tokens["access_token"]).json()["code"] == 16
    demo_refresh = _token(client, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert demo_refresh.json()["code"] == 3
    assert _webhooks_of(client, DEMO_SHOP_ID, 1) == []
    assert len(_webhooks_of(client, DEMO_SHOP_ID, 0)) == 1
    assert len(_webhooks_of(client, DEMO_SHOP_ID, other["platform_id"])) == 1
    assert client.bearer("GET", REVIEWS, other_token).json()["code"] == 0

    status = client.request(
        "GET",
        f"/api/v1/openapi/get_shop_install_status?client_id={DEMO_CLIENT_ID}"
        f"&client_secret={SECRET}&shop_id={DEMO_SHOP_ID}",
    ).json()["data"]
    assert status == {"is_installed": 0, "installed_at": None}


def test_authorization_info_and_install_status(client: CheckedClient) -> None:
    query = f"client_id={DEMO_CLIENT_ID}&client_secret={SECRET}"
    info = client.request(
        "GET",
        f"/api/v1/openapi/get_shop_authorization_info?{query}&myshopify_domain=demo-shop.myshopify.com",
    ).json()["data"]
    assert info["is_authorized"] is True
    assert info["granted_scopes"] == "read_reviews,write_reviews,read_customer_events"
    assert (info["shop_id"], info["myshopify_domain"]) == (DEMO_SHOP_ID, "demo-shop.myshopify.com")
    status = client.request(
        "GET", f"/api/v1/openapi/get_shop_install_status?{query}&shop_id={DEMO_SHOP_ID}"
    ).json()["data"]
    assert status["is_installed"] == 1 and status["installed_at"].endswith("Z")

    bad = client.request(
        "GET",
        f"/api/v1/openapi/get_shop_install_status?client_id={DEMO_CLIENT_ID}&client_secret=x&shop_id=1",
    )
    assert (bad.status_code, bad.json()["code"]) == (200, 16)
    neither = client.request("GET", f"/api/v1/openapi/get_shop_install_status?{query}").json()
    assert neither["code"] == 3 and "shop_id or myshopify_domain" in neither["message"]

    narrow = client.control(
        "POST", "/_mock/platforms", {"client_id": "narrow", "scopes": ["read_reviews"]}
    ).json()
    no_scope = client.request(
        "GET",
        f"/api/v1/openapi/get_shop_install_status?client_id=narrow"
        f"&client_secret={narrow['client_secret']}&shop_id={DEMO_SHOP_ID}",
    ).json()
    assert no_scope["code"] == 7 and "read_shop_install_status" in no_scope["message"]
    never = client.request(
        "GET",
        f"/api/v1/openapi/get_shop_authorization_info?client_id=narrow"
        f"&client_secret={narrow['client_secret']}&shop_id={DEMO_SHOP_ID}",
    ).json()["data"]
    assert (never["is_authorized"], never["authorized_at"], never["granted_scopes"]) == (
        False,
        None,
        "",
    )


def test_authorize_refuses_without_redirecting(client: CheckedClient) -> None:
    session = {"Authorization": f"Bearer {_session(client)}"}
    unknown = client.request(
        "GET", f"{AUTHORIZE}?client_id=nobody&redirect_uri={CALLBACK}", headers=session
    )
    assert (unknown.status_code, unknown.json()["code"]) == (200, 5)
    evil = "https://evil.example.com/steal"
    stray = client.request(
        "GET", f"{AUTHORIZE}?client_id={DEMO_CLIENT_ID}&redirect_uri={evil}", headers=session
    )
    assert (stray.status_code, stray.json()["code"]) == (200, 7)
    assert "location" not in stray.headers
    page = client.http.get(
        f"{AUTHORIZE}?client_id={DEMO_CLIENT_ID}&redirect_uri={evil}",
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert (
        page.status_code == 403 and "not registered" in page.text and "location" not in page.headers
    )
    anonymous = client.request(
        "GET", f"{AUTHORIZE}?client_id={DEMO_CLIENT_ID}&redirect_uri={CALLBACK}"
    )
    assert anonymous.json()["code"] == 16


def test_authorize_answers_json_when_asked(client: CheckedClient) -> None:
    headers = {"Authorization": f"Bearer {_session(client)}", "Accept": "application/json"}
    answer = client.request(
        "GET",
        f"{AUTHORIZE}?client_id={DEMO_CLIENT_ID}&redirect_uri={CALLBACK}&state=7",
        headers=headers,
    ).json()["data"]
    assert answer["state"] == "7"
    assert answer["redirect_url"].startswith(CALLBACK + "?code=")
    assert _exchange(client, answer["code"])["scope"] == ",".join(SCOPES)


def test_merchant_session_reads_the_shops_tokens(client: CheckedClient) -> None:
    headers = {"Authorization": f"Bearer {_session(client)}"}
    public = client.request("GET", "/api/v1/openapi/get_open_api_information", headers=headers)
    private = client.request("GET", "/api/v1/openapi/get_open_api_private_token", headers=headers)
    assert public.json()["data"]["public_token"] == "ZGVtby1wdWJsaWMtMDAwMQ=="
    assert private.json()["data"]["private_token"] == "ZGVtby1wcml2YXRlLTAwMQ=="
    forged = _session(client)[:-2] + "xx"
    refused = client.request(
        "GET",
        "/api/v1/openapi/get_open_api_information",
        headers={"Authorization": f"Bearer {forged}"},
    ).json()
    assert refused["code"] == 16 and "signature" in refused["message"]
    client.control("POST", "/_mock/clock", {"advance": 24 * 3600})
    stale = client.request(
        "GET", "/api/v1/openapi/get_open_api_information", headers=headers
    ).json()
    assert stale["code"] == 16 and "expired" in stale["message"]


def test_revoke_is_idempotent_and_the_alias_works(client: CheckedClient) -> None:
    tokens = _exchange(client, _code(client))
    body = {"client_id": DEMO_CLIENT_ID, "client_secret": SECRET, "token": tokens["refresh_token"]}
    for path in ("/api/v1/openapi/oauth/revoke", "/api/v1/openapi/oauth_revoke_token"):
        answer = client.request(
            "POST", path, content=compact(body), headers={"Content-Type": "application/json"}
        )
        assert answer.json()["code"] == 0
    assert client.bearer("GET", REVIEWS, tokens["access_token"]).json()["code"] == 16
    refresh = _token(
        client, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    ).json()
    assert refresh["code"] == 3 and "revoked" in refresh["message"]
    unknown = {**body, "token": "never-issued"}
    assert (
        client.request(
            "POST",
            "/api/v1/openapi/oauth/revoke",
            content=compact(unknown),
            headers={"Content-Type": "application/json"},
        ).json()["code"]
        == 0
    )

"""OAuth grants: bound to their client, scopes only narrowing, codes living 600 s, and a
platform coming back after a disconnect."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from tests.helpers import DEMO_CLIENT_ID, DEMO_SHOP_ID, CheckedClient, compact
from tests.pins import (
    AUTHORIZE,
    DEMO_SECRET,
    REVIEWS,
    advance,
    authorization_code,
    fake,
    merchant_session,
    other_platform,
    redeem,
    token_call,
    tokens,
)

CREATE_REVIEW = "/api/v1/openapi/create_review"


def test_a_code_presented_by_another_client_with_its_own_valid_secret_is_refused() -> None:
    client = fake()
    intruder = other_platform(client)
    code = authorization_code(client)
    stolen = redeem(client, code, client_id=intruder["client_id"], secret=intruder["client_secret"])
    assert stolen["code"] == 3 and "data" not in stolen
    assert redeem(client, code)["code"] == 0  # the rightful client still can


def test_a_refresh_token_presented_by_another_client_is_refused_and_stays_usable() -> None:
    client = fake()
    intruder = other_platform(client)
    refresh_token = tokens(client)["refresh_token"]
    stolen = token_call(
        client,
        client_id=intruder["client_id"],
        secret=intruder["client_secret"],
        grant_type="refresh_token",
        refresh_token=refresh_token,
    )
    assert stolen["code"] == 3 and "data" not in stolen
    rightful = token_call(client, grant_type="refresh_token", refresh_token=refresh_token)
    assert rightful["code"] == 0


def test_revoking_another_clients_tokens_changes_nothing() -> None:
    client = fake()
    intruder = other_platform(client)
    mine = tokens(client)
    for token in (mine["access_token"], mine["refresh_token"]):
        answer = client.request(
            "POST",
            "/api/v1/openapi/oauth/revoke",
            content=compact(
                {
                    "client_id": intruder["client_id"],
                    "client_secret": intruder["client_secret"],
                    "token": token,
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        assert answer.json()["code"] == 0  # RFC 7009: not an error, and no effect
    assert client.bearer("GET", REVIEWS, mine["access_token"]).json()["code"] == 0
    refreshed = token_call(client, grant_type="refresh_token", refresh_token=mine["refresh_token"])
    assert refreshed["code"] == 0


def test_a_refresh_may_narrow_the_scope_but_not_widen_it() -> None:
    client = fake()
    both = tokens(client, scope="read_reviews,write_reviews")
    narrowed = token_call(
        client,
        grant_type="refresh_token",
        refresh_token=both["refresh_token"],
        scope="read_reviews",
    )
    assert narrowed["code"] == 0 and narrowed["data"]["scope"] == "read_reviews"
    narrow_token = narrowed["data"]["access_token"]
    assert client.bearer("GET", REVIEWS, narrow_token).json()["code"] == 0
    write = client.bearer("POST", CREATE_REVIEW, narrow_token, body={"rating": 5, "author": "N"})
    assert write.json()["code"] == 7

    widened = token_call(
        client,
        grant_type="refresh_token",
        refresh_token=narrowed["data"]["refresh_token"],
        scope="read_reviews,write_reviews",
    )
    assert widened["code"] == 3 and "write_reviews" in widened["message"]
    unchanged = token_call(
        client, grant_type="refresh_token", refresh_token=narrowed["data"]["refresh_token"]
    )
    assert unchanged["code"] == 0  # the refused refresh did not use the token up
    assert unchanged["data"]["scope"] == "read_reviews"


def test_a_code_lives_600_seconds() -> None:
    for age, accepted in ((599, True), (600, False), (601, False)):
        client = fake()
        code = authorization_code(client)
        advance(client, age)
        answer = redeem(client, code)
        assert (answer["code"] == 0) is accepted, (age, answer)
        if not accepted:
            assert answer["code"] == 3


def test_reauthorising_after_a_disconnect_reinstalls_with_the_new_scopes() -> None:
    client = fake()
    first = tokens(client, scope="read_reviews")
    done = client.bearer("POST", "/api/v1/openapi/oauth/disconnect", first["access_token"])
    assert done.json()["code"] == 0
    query = f"client_id={DEMO_CLIENT_ID}&client_secret={DEMO_SECRET}&shop_id={DEMO_SHOP_ID}"
    info_path = f"/api/v1/openapi/get_shop_authorization_info?{query}"
    status_path = f"/api/v1/openapi/get_shop_install_status?{query}"
    assert client.request("GET", info_path).json()["data"]["is_authorized"] is False
    assert client.request("GET", status_path).json()["data"]["is_installed"] == 0

    again = tokens(client, scope="read_reviews,write_reviews")
    assert again["scope"] == "read_reviews,write_reviews"
    info = client.request("GET", info_path).json()["data"]
    assert info["is_authorized"] is True
    assert info["granted_scopes"] == "read_reviews,write_reviews"
    assert client.request("GET", status_path).json()["data"]["is_installed"] == 1
    assert client.bearer("GET", REVIEWS, again["access_token"]).json()["code"] == 0
    assert client.bearer("GET", REVIEWS, first["access_token"]).json()["code"] == 16


def _revoke(client: CheckedClient, token: str) -> None:
    body = {"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_SECRET, "token": token}
    answer = client.request(
        "POST",
        "/api/v1/openapi/oauth/revoke",
        content=compact(body),
        headers={"Content-Type": "application/json"},
    )
    assert answer.json()["code"] == 0


def test_a_refresh_token_rotates_and_each_refusal_says_why() -> None:
    client = fake(refresh_token_ttl=1000)
    first = tokens(client, scope="read_reviews")
    missing = token_call(client, grant_type="refresh_token", refresh_token="  ")
    assert missing["code"] == 3
    assert "refresh_token is required for refresh_token" in missing["message"]

    second = token_call(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second["code"] == 0
    again = token_call(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert again["code"] == 3
    assert "the refresh_token cannot be used: it was already used" in again["message"]
    assert "use the newest one" in again["message"]

    wider = token_call(
        client,
        grant_type="refresh_token",
        refresh_token=second["data"]["refresh_token"],
        scope="read_reviews,write_reviews,read_customer_events",
    )
    assert wider["code"] == 3
    assert wider["message"].endswith("not granted: write_reviews, read_customer_events")

    advance(client, 1000 + 7)
    late = token_call(
        client, grant_type="refresh_token", refresh_token=second["data"]["refresh_token"]
    )
    assert late["code"] == 3
    assert "the refresh_token cannot be used: it expired 7 seconds ago" in late["message"]


def test_revoking_a_token_ends_it_for_its_own_client() -> None:
    client = fake()
    by_access = tokens(client)
    _revoke(client, by_access["access_token"])
    refused = client.bearer("GET", REVIEWS, by_access["access_token"]).json()
    assert refused["code"] == 16 and "revoked" in refused["message"]

    by_refresh = tokens(client)
    _revoke(client, by_refresh["refresh_token"])
    assert client.bearer("GET", REVIEWS, by_refresh["access_token"]).json()["code"] == 16
    refresh = token_call(
        client, grant_type="refresh_token", refresh_token=by_refresh["refresh_token"]
    )
    assert refresh["code"] == 3
    assert "the refresh_token cannot be used: it was revoked" in refresh["message"]


def test_another_clients_refresh_token_is_refused_in_words() -> None:
    client = fake()
    intruder = other_platform(client)
    stolen = token_call(
        client,
        client_id=intruder["client_id"],
        secret=intruder["client_secret"],
        grant_type="refresh_token",
        refresh_token=tokens(client)["refresh_token"],
    )
    assert "the refresh_token cannot be used: it was not issued to this client" in stolen["message"]


def test_the_authorize_url_and_the_redirect_keep_the_query_they_extend() -> None:
    client = fake()
    callback = "http://localhost:3000/cb?tenant=a"
    created = client.control(
        "POST", "/_mock/platforms", {"client_id": "platform-q", "redirect_uris": [callback]}
    )
    assert created.status_code == 201, created.text
    query = urlencode(
        {"client_id": "platform-q", "redirect_uri": callback, "scope": "read_reviews"}
    )
    answer = client.request("GET", f"/api/v1/openapi/get_oauth_authorize_url?{query}").json()
    assert answer["code"] == 0
    url = urlsplit(answer["data"]["authorize_url"])
    assert url.path == AUTHORIZE and "?" not in url.query
    assert parse_qs(url.query) == {
        "client_id": ["platform-q"],
        "redirect_uri": [callback],
        "response_type": ["code"],
        "scope": ["read_reviews"],
    }

    session = {"Authorization": f"Bearer {merchant_session(client)}"}
    redirected = client.request("GET", f"{AUTHORIZE}?{query}", headers=session)
    location = redirected.headers["location"]
    assert location.startswith(callback + "&code=") and "state" not in location
    approved = client.request(
        "GET", f"{AUTHORIZE}?{query}", headers={**session, "Accept": "application/json"}
    ).json()
    assert approved["code"] == 0 and approved["data"]["state"] == ""
    expected = f"{callback}&{urlencode({'code': approved['data']['code']})}"
    assert approved["data"]["redirect_url"] == expected

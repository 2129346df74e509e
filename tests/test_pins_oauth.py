"""OAuth grants: bound to their client, scopes only narrowing, codes living 600 s, and a
platform coming back after a disconnect."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.helpers import (
    DEMO_CLIENT_ID,
    DEMO_SHOP_ID,
    EXAMPLE_SHOP_IDS,
    FROZEN_AT,
    CheckedClient,
    compact,
    iso,
)
from tests.pins import (
    AUTHORIZE,
    CALLBACK,
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


def _revoke(
    client: CheckedClient, token: str, client_id: str = DEMO_CLIENT_ID, secret: str = DEMO_SECRET
) -> None:
    body = {"client_id": client_id, "client_secret": secret, "token": token}
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
    with_state = {"state": "xyz", "scope": "read_reviews,write_reviews"}
    query_with_state = urlencode(
        {"client_id": "platform-q", "redirect_uri": callback, **with_state}
    )
    answer = client.request("GET", f"/api/v1/openapi/get_oauth_authorize_url?{query_with_state}")
    url = urlsplit(answer.json()["data"]["authorize_url"])
    assert parse_qs(url.query)["state"] == ["xyz"]
    assert parse_qs(url.query)["scope"] == ["read_reviews,write_reviews"]

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


def test_a_code_redemption_refusal_says_which_field_and_why() -> None:
    client = fake()
    code = authorization_code(client)
    blank_code = redeem(client, "  ")
    assert blank_code["code"] == 3
    assert "code is required for authorization_code" in blank_code["message"]
    blank_uri = token_call(client, grant_type="authorization_code", code=code, redirect_uri=" ")
    assert "redirect_uri is required for authorization_code" in blank_uri["message"]

    intruder = other_platform(client)
    stolen = redeem(client, code, client_id=intruder["client_id"], secret=intruder["client_secret"])
    assert "the code cannot be used: it was not issued to this client" in stolen["message"]
    elsewhere = "http://localhost:3000/elsewhere"
    moved = token_call(client, grant_type="authorization_code", code=code, redirect_uri=elsewhere)
    assert moved["code"] == 3 and f"redirect_uri must be {CALLBACK!r}" in moved["message"]
    assert redeem(client, code)["code"] == 0
    reused = redeem(client, code)
    assert "the code cannot be used: it was already used" in reused["message"]

    late_code = authorization_code(client)
    advance(client, 600 + 9)
    late = redeem(client, late_code)
    assert "the code cannot be used: it expired 9 seconds ago" in late["message"]


def test_a_client_is_named_in_refusals_unless_its_id_is_a_secret() -> None:
    client = fake()
    unknown = token_call(client, client_id="nobody", grant_type="refresh_token", refresh_token="r")
    assert unknown["code"] == 16 and "client_id 'nobody'" in unknown["message"]
    wrong = token_call(client, secret="not-it", grant_type="refresh_token", refresh_token="r")
    assert wrong["code"] == 16 and f"client_id {DEMO_CLIENT_ID!r}" in wrong["message"]

    access_token = tokens(client)["access_token"]
    swapped = token_call(
        client, client_id=access_token, grant_type="refresh_token", refresh_token="r"
    )
    assert swapped["code"] == 16
    assert "client_id holds an access token" in swapped["message"]
    assert access_token not in swapped["message"]
    query = urlencode({"client_id": access_token, "redirect_uri": CALLBACK})
    asked = client.request("GET", f"/api/v1/openapi/get_oauth_authorize_url?{query}").json()
    assert asked["code"] == 16 and access_token not in asked["message"]
    query = urlencode({"client_id": "nobody", "redirect_uri": CALLBACK})
    asked = client.request("GET", f"/api/v1/openapi/get_oauth_authorize_url?{query}").json()
    assert asked["code"] == 5 and "'nobody'" in asked["message"]


def test_scopes_and_redirect_uris_beyond_the_platform_are_refused_by_name() -> None:
    client = fake()
    created = client.control(
        "POST",
        "/_mock/platforms",
        {"client_id": "narrow", "redirect_uris": [CALLBACK], "scopes": ["read_reviews"]},
    )
    assert created.status_code == 201, created.text
    ask = "/api/v1/openapi/get_oauth_authorize_url"
    query = urlencode({"client_id": "narrow", "redirect_uri": CALLBACK, "scope": "write_reviews"})
    beyond = client.request("GET", f"{ask}?{query}").json()
    assert beyond["code"] == 7
    assert beyond["message"] == "platform 'narrow' may not ask for write_reviews"
    query = urlencode({"client_id": "narrow", "redirect_uri": CALLBACK + "/other"})
    other = client.request("GET", f"{ask}?{query}").json()
    assert other["code"] == 7
    assert other["message"].endswith(f"client 'narrow'; registered: {CALLBACK}")


def _shop_info(client: CheckedClient, operation: str, platform: dict[str, Any], shop: str) -> Any:
    query = urlencode(
        {
            "client_id": platform["client_id"],
            "client_secret": platform["client_secret"],
            "shop_id": shop,
        }
    )
    return client.request("GET", f"/api/v1/openapi/{operation}?{query}").json()


def test_installation_and_authorization_are_per_shop_and_platform() -> None:
    client = fake()
    platform = other_platform(client)
    shop_a, shop_b = DEMO_SHOP_ID, EXAMPLE_SHOP_IDS[0]
    before = _shop_info(client, "get_shop_install_status", platform, shop_a)["data"]
    assert before == {"is_installed": 0, "installed_at": None}

    def authorize(shop: str, scopes: str, client_id: str = platform["client_id"]) -> Any:
        body = {"client_id": client_id, "scopes": scopes}
        granted = client.control("POST", f"/_mock/shops/{shop}/authorizations", body)
        assert granted.status_code == 201, granted.text
        return granted.json()

    authorize(shop_a, "read_reviews")
    b_grant = authorize(shop_b, "read_reviews")
    assert b_grant["expires_in"] == 7200 and b_grant["refresh_token_expires_in"] == 30 * 86400
    advance(client, 100)
    authorize(shop_a, "read_reviews,write_reviews")
    authorize(shop_b, "read_reviews", client_id=DEMO_CLIENT_ID)  # another platform, live
    _revoke(client, b_grant["refresh_token"], platform["client_id"], platform["client_secret"])

    installed_a = _shop_info(client, "get_shop_install_status", platform, shop_a)["data"]
    assert installed_a == {"is_installed": 1, "installed_at": iso(FROZEN_AT)}
    info_a = _shop_info(client, "get_shop_authorization_info", platform, shop_a)["data"]
    assert info_a["is_authorized"] is True and info_a["authorized_at"] == iso(FROZEN_AT + 100)
    assert info_a["granted_scopes"] == "read_reviews,write_reviews"

    installed_b = _shop_info(client, "get_shop_install_status", platform, shop_b)["data"]
    assert installed_b == {"is_installed": 1, "installed_at": iso(FROZEN_AT)}
    never = _shop_info(client, "get_shop_install_status", platform, EXAMPLE_SHOP_IDS[1])["data"]
    assert never == {"is_installed": 0, "installed_at": None}
    info_b = _shop_info(client, "get_shop_authorization_info", platform, shop_b)["data"]
    assert info_b["is_authorized"] is False  # its only grant there was revoked
    assert (info_b["authorized_at"], info_b["granted_scopes"]) == (None, "")


def test_a_direct_grant_or_a_status_beyond_the_platforms_scopes_is_refused_by_name() -> None:
    client = fake()
    narrow = {"client_id": "narrow", "scopes": ["read_reviews"]}
    platform = client.control("POST", "/_mock/platforms", narrow).json()
    wanted = {"client_id": "narrow", "scopes": ["read_reviews", "write_reviews", "read_orders"]}
    refused = client.control("POST", f"/_mock/shops/{DEMO_SHOP_ID}/authorizations", wanted)
    assert refused.status_code == 403
    assert refused.json()["error"] == "platform 'narrow' may not ask for write_reviews, read_orders"
    status = _shop_info(client, "get_shop_install_status", platform, DEMO_SHOP_ID)
    assert status["code"] == 7
    assert status["message"].endswith(
        "this needs read_shop_install_status; the token was granted read_reviews"
    )


def test_a_platform_with_its_own_grants_still_cannot_revoke_another_platforms_token() -> None:
    client = fake()
    intruder = other_platform(client)
    own = {"client_id": intruder["client_id"], "scopes": ["read_reviews"]}
    assert client.control("POST", f"/_mock/shops/{DEMO_SHOP_ID}/authorizations", own).is_success
    victim = tokens(client)
    for token in (victim["access_token"], victim["refresh_token"]):
        _revoke(client, token, intruder["client_id"], intruder["client_secret"])
    assert client.bearer("GET", REVIEWS, victim["access_token"]).json()["code"] == 0
    refreshed = token_call(
        client, grant_type="refresh_token", refresh_token=victim["refresh_token"]
    )
    assert refreshed["code"] == 0


def test_the_shop_a_platform_asks_about_is_named_or_refused_in_words() -> None:
    client = fake()
    platform = other_platform(client)
    status = "/api/v1/openapi/get_shop_install_status"
    credentials = {"client_id": platform["client_id"], "client_secret": platform["client_secret"]}

    def ask(**shop: str) -> Any:
        return client.request("GET", f"{status}?{urlencode({**credentials, **shop})}").json()

    for unnamed in ({}, {"shop_id": "0"}, {"shop_id": ""}):
        refused = ask(**unnamed)
        assert refused["code"] == 3
        assert refused["message"] == "name the shop: shop_id or myshopify_domain"
    missing = ask(shop_id="123", myshopify_domain="Nowhere.myshopify.com")
    assert missing["code"] == 5
    assert missing["message"] == (
        "no shop with shop_id 123 and myshopify_domain nowhere.myshopify.com"
    )


def test_client_credentials_are_refused_by_name_to_a_platform_without_skip_shop_oauth() -> None:
    client = fake()
    answer = token_call(client, grant_type="client_credentials", shop_id=DEMO_SHOP_ID)
    assert answer["code"] == 3
    assert answer["message"].endswith(f"{DEMO_CLIENT_ID!r} must use the authorization code flow")

"""OAuth grants: bound to their client, scopes only narrowing, codes living 600 s, and a
platform coming back after a disconnect."""

from __future__ import annotations

from tests.helpers import DEMO_CLIENT_ID, DEMO_SHOP_ID, compact
from tests.pins import (
    DEMO_SECRET,
    REVIEWS,
    advance,
    authorization_code,
    fake,
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

"""The consent page behind the control token (X50): no shop listed, nothing approved, until
the merchant signs in with it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from tests.helpers import DEMO_CLIENT_ID, DEMO_SHOP_ID, FROZEN_AT, CheckedClient
from trustoo_mock import Config, create_app

AUTHORIZE = "/api/v1/openapi/oauth/authorize"
CALLBACK = "http://localhost:3000/oauth/callback"
CONTROL_TOKEN = "control-token-for-the-test"
REQUEST = {"client_id": DEMO_CLIENT_ID, "redirect_uri": CALLBACK, "state": "s1"}


def _guarded() -> CheckedClient:
    return CheckedClient(create_app(Config(frozen_time=FROZEN_AT, control_token=CONTROL_TOKEN)))


def _page(client: CheckedClient) -> tuple[int, str]:
    answer = client.request(
        "GET", f"{AUTHORIZE}?{urlencode(REQUEST)}", headers={"Accept": "text/html"}
    )
    return answer.status_code, answer.text


def _form(client: CheckedClient, **fields: str) -> tuple[int, str, str]:
    answer = client.request(
        "POST",
        AUTHORIZE,
        content=urlencode({**REQUEST, **fields}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    return answer.status_code, answer.text, answer.headers.get("location", "")


def test_with_a_control_token_the_page_asks_for_it_and_lists_no_shop() -> None:
    status, page = _page(_guarded())
    assert status == 401
    assert "name=control_token" in page and "type=password" in page
    assert "Demo Shop" not in page and DEMO_SHOP_ID not in page


def test_with_a_control_token_nothing_is_approved_without_it() -> None:
    client = _guarded()
    codes = client.app.state.fake.ctx.store.count("codes")  # the demo seeds the docs' example
    for given in ({}, {"control_token": "guess"}):
        status, page, location = _form(client, shop_id=DEMO_SHOP_ID, decision="approve", **given)
        assert (status, location) == (401, "")
        assert "Demo Shop" not in page
    assert client.app.state.fake.ctx.store.count("codes") == codes


def test_the_control_token_signs_in_and_approves() -> None:
    client = _guarded()
    status, page, _ = _form(client, decision="sign_in", control_token=CONTROL_TOKEN)
    assert status == 200
    assert "Demo Shop" in page and "name=control_token" in page
    status, _, location = _form(
        client, shop_id=DEMO_SHOP_ID, decision="approve", control_token=CONTROL_TOKEN
    )
    assert status == 302
    assert set(parse_qs(urlsplit(location).query)) == {"code", "state"}


def test_without_a_control_token_the_page_is_open() -> None:
    client = CheckedClient(create_app(Config(frozen_time=FROZEN_AT)))
    status, page = _page(client)
    assert status == 200 and "Demo Shop" in page
    status, _, location = _form(client, shop_id=DEMO_SHOP_ID, decision="approve")
    assert status == 302 and "code=" in location

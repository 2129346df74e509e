"""The consent page's answers: where each decision redirects, and what a refused form says."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.helpers import DEMO_CLIENT_ID, DEMO_SHOP_ID, FROZEN_AT, CheckedClient
from tests.pins import AUTHORIZE, CALLBACK, redeem
from trustoo_mock import Config, create_app

CONTROL_TOKEN = "control-token-for-the-pins"


def _client(**settings: Any) -> CheckedClient:
    return CheckedClient(create_app(Config(frozen_time=FROZEN_AT, **settings)))


def _form(client: CheckedClient, **fields: str) -> Any:
    request = {"client_id": DEMO_CLIENT_ID, "redirect_uri": CALLBACK, **fields}
    return client.request(
        "POST",
        AUTHORIZE,
        content=urlencode(request).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def _query(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query)


def test_deny_redirects_with_access_denied_and_the_state_only_when_given() -> None:
    client = _client()
    with_state = _form(client, decision="deny", state="s1")
    assert with_state.status_code == 302
    assert with_state.headers["location"].startswith(CALLBACK + "?")
    assert _query(with_state.headers["location"]) == {"error": ["access_denied"], "state": ["s1"]}
    without = _form(client, decision="deny")
    assert _query(without.headers["location"]) == {"error": ["access_denied"]}


def test_approve_issues_a_code_for_the_chosen_shop_and_the_asked_scopes() -> None:
    client = _client(control_token=CONTROL_TOKEN)
    approved = _form(
        client,
        decision="approve",
        shop_id=DEMO_SHOP_ID,
        scope="read_reviews",
        control_token=CONTROL_TOKEN,
    )
    assert approved.status_code == 302
    callback = _query(approved.headers["location"])
    assert set(callback) == {"code"}
    grant = redeem(client, callback["code"][0])
    assert grant["code"] == 0
    assert (grant["data"]["shop_id"], grant["data"]["scope"]) == (DEMO_SHOP_ID, "read_reviews")


def test_a_refused_form_answers_a_page_with_the_reason_and_the_mirrored_status() -> None:
    client = _client(control_token=CONTROL_TOKEN)
    unknown_client = _form(client, decision="approve", client_id="nobody")
    assert unknown_client.status_code == 404
    assert "no platform with client_id &#x27;nobody&#x27;" in unknown_client.text
    unknown_shop = _form(client, decision="approve", shop_id="123", control_token=CONTROL_TOKEN)
    assert unknown_shop.status_code == 404 and "no shop with shop_id 123" in unknown_shop.text
    wrong_token = _form(client, decision="approve", shop_id=DEMO_SHOP_ID, control_token="guess")
    assert wrong_token.status_code == 401
    assert "That is not the control token this fake was started with." in wrong_token.text
    unchosen = _form(client, decision="approve", control_token=CONTROL_TOKEN)
    assert unchosen.status_code == 200 and DEMO_SHOP_ID in unchosen.text
    signed_in = _form(client, decision="sign_in", shop_id=DEMO_SHOP_ID, control_token=CONTROL_TOKEN)
    assert signed_in.status_code == 200 and "location" not in signed_in.headers


def test_an_anonymous_program_gets_an_envelope_naming_the_merchant_session() -> None:
    client = _client()
    query = urlencode({"client_id": DEMO_CLIENT_ID, "redirect_uri": CALLBACK})
    anonymous = client.request("GET", f"{AUTHORIZE}?{query}", headers={"Accept": "*/*"})
    assert anonymous.json()["code"] == 16
    assert "merchant session" in anonymous.json()["message"]


def test_a_browser_asking_for_an_unregistered_callback_gets_the_documented_error_page() -> None:
    client = _client()
    query = urlencode({"client_id": DEMO_CLIENT_ID, "redirect_uri": "https://elsewhere.test/cb"})
    refused = client.request("GET", f"{AUTHORIZE}?{query}", headers={"Accept": "text/html"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "redirect_uri" in refused.text

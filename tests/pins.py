"""Shared set-up of the pinning tests (tests/test_pins_*.py): in-process fakes only, so a
mutant of the core is always exercised."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.helpers import DEMO_CLIENT_ID, DEMO_SHOP_ID, FROZEN_AT, CheckedClient, compact
from tests.receiver import Receiver, receiver
from trustoo_mock import Config, create_app

DEMO_SECRET = "ZGVtby1zZWNyZXQtMDAwMQ=="
CALLBACK = "http://localhost:3000/oauth/callback"
TOKEN = "/api/v1/openapi/oauth/token"
AUTHORIZE = "/api/v1/openapi/oauth/authorize"
REVIEWS = "/api/v1/openapi/get_reviews"
SUBSCRIBE = "/api/v1/openapi/create_shop_webhook"


def fake(**settings: Any) -> CheckedClient:
    """A fresh in-process fake with the demo data and a frozen clock."""
    return CheckedClient(create_app(Config(frozen_time=FROZEN_AT, **settings)))


def empty_fake(**settings: Any) -> CheckedClient:
    return fake(empty=True, **settings)


def merchant_session(client: CheckedClient, shop_id: str = DEMO_SHOP_ID) -> str:
    answer = client.control("POST", f"/_mock/shops/{shop_id}/merchant_session")
    assert answer.status_code == 201
    return str(answer.json()["token"])


def authorization_code(
    client: CheckedClient, scope: str = "read_reviews", client_id: str = DEMO_CLIENT_ID
) -> str:
    query = f"client_id={client_id}&redirect_uri={CALLBACK}&scope={scope}&state=s"
    response = client.request(
        "GET",
        f"{AUTHORIZE}?{query}",
        headers={"Authorization": f"Bearer {merchant_session(client)}"},
    )
    assert response.status_code == 302, response.text
    return parse_qs(urlsplit(response.headers["location"]).query)["code"][0]


def token_call(
    client: CheckedClient, client_id: str = DEMO_CLIENT_ID, secret: str = DEMO_SECRET, **fields: Any
) -> dict[str, Any]:
    """The token endpoint's envelope."""
    body = {"client_id": client_id, "client_secret": secret, **fields}
    answer = client.request(
        "POST", TOKEN, content=compact(body), headers={"Content-Type": "application/json"}
    )
    return dict(answer.json())


def redeem(client: CheckedClient, code: str, **credentials: Any) -> dict[str, Any]:
    return token_call(
        client, grant_type="authorization_code", code=code, redirect_uri=CALLBACK, **credentials
    )


def tokens(client: CheckedClient, scope: str = "read_reviews") -> dict[str, Any]:
    answer = redeem(client, authorization_code(client, scope))
    assert answer["code"] == 0, answer
    return dict(answer["data"])


def other_platform(client: CheckedClient, client_id: str = "platform-b") -> dict[str, Any]:
    """A second platform with the demo platform's redirect URI and every scope."""
    created = client.control(
        "POST", "/_mock/platforms", {"client_id": client_id, "redirect_uris": [CALLBACK]}
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


def advance(client: CheckedClient, seconds: float) -> None:
    assert client.control("POST", "/_mock/clock", {"advance": seconds}).status_code == 200


def deliveries(client: CheckedClient) -> list[dict[str, Any]]:
    return list(client.control("GET", "/_mock/webhook_deliveries").json())


def subscribe(client: CheckedClient, url: str) -> str:
    answer = client.signed("POST", SUBSCRIBE, body={"topic": "review/created", "url": url}).json()
    assert answer["code"] == 0, answer
    return str(answer["data"]["id"])


@contextmanager
def subscribed(client: CheckedClient, **answering: Any) -> Iterator[Receiver]:
    """A receiver subscribed to review/created, answering as ``answering`` sets (``status``,
    ``answer``, ``delay``)."""
    with receiver() as hook:
        for name, value in answering.items():
            setattr(hook, name, value)
        subscribe(client, hook.url)
        yield hook


def create_review(client: CheckedClient) -> None:
    body = {"product_id": "8000000000001", "rating": 5, "author": "Pin"}
    assert client.signed("POST", "/api/v1/openapi/create_review", body=body).json()["code"] == 0

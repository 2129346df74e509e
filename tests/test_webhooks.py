"""Webhook subscriptions (D8): ownership per (shop, platform), uniqueness, limits, scopes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.helpers import (
    DEMO_ACCESS_TOKEN,
    DEMO_SHOP_ID,
    FROZEN_AT,
    SECOND_SHOP,
    TOPICS,
    CheckedClient,
    grant_token,
    iso,
)
from trustoo_mock.domain import tenants, webhooks

CREATE = "/api/v1/openapi/create_shop_webhook"
UPDATE = "/api/v1/openapi/update_shop_webhook"
DELETE = "/api/v1/openapi/delete_shop_webhook"
LIST = "/api/v1/openapi/get_shop_webhooks"
LIMIT = 20


def rfc3339(instant: int) -> str:
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hook_url(n: int | str) -> str:
    return f"https://hooks.example.com/trustoo/{n}"


class Caller:
    """One owner of webhooks: the shop itself (HMAC) or a platform (bearer token)."""

    def __init__(self, client: CheckedClient, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def call(self, method: str, path: str, body: Any = None) -> Any:
        if self.token is None:
            return self.client.signed(method, path, body=body)
        return self.client.bearer(method, path, self.token, body=body)

    def create(self, topic: str, url: str) -> Any:
        return self.call("POST", CREATE, {"topic": topic, "url": url})

    def created(self, topic: str, url: str) -> dict[str, Any]:
        response = self.create(topic, url)
        assert response.status_code == 200, response.json()
        data: dict[str, Any] = response.json()["data"]
        return data

    def update(self, webhook_id: Any, topic: str, url: str) -> Any:
        return self.call("POST", UPDATE, {"id": webhook_id, "topic": topic, "url": url})

    def delete(self, webhook_id: Any) -> Any:
        return self.call("POST", DELETE, {"id": webhook_id})

    def listed(self) -> list[dict[str, Any]]:
        response = self.call("GET", LIST)
        assert response.status_code == 200, response.json()
        data: list[dict[str, Any]] = response.json()["data"]
        return data


def assert_error(response: Any, status: int, code: int) -> dict[str, Any]:
    assert response.status_code == status, response.json()
    document: dict[str, Any] = response.json()
    assert document["code"] == code
    assert "data" not in document
    return document


@pytest.fixture
def shop(client: CheckedClient) -> Caller:
    return Caller(client)


@pytest.fixture
def platform(client: CheckedClient) -> Caller:
    return Caller(client, DEMO_ACCESS_TOKEN)


# --------------------------------------------------------------------------- happy path


@pytest.mark.parametrize("topic", TOPICS)
def test_create_returns_the_subscription(shop: Caller, topic: str) -> None:
    url = "http://api.example.com/webhook"
    data = shop.created(topic, url)
    assert set(data) == {"id", "topic", "url", "created_at", "updated_at"}
    assert isinstance(data["id"], str) and data["id"].isdigit()
    assert data["topic"] == topic
    assert data["url"] == url
    assert data["created_at"] == rfc3339(FROZEN_AT)
    assert data["updated_at"] == rfc3339(FROZEN_AT)


def test_list_is_a_plain_array_of_own_webhooks(shop: Caller) -> None:
    assert shop.listed() == []
    first = shop.created("review/created", hook_url("a"))
    second = shop.created("customer_event/created", hook_url("b"))
    assert first["id"] != second["id"]

    listed = shop.listed()
    assert isinstance(listed, list)
    assert [(w["topic"], w["url"]) for w in listed] == [
        ("review/created", hook_url("a")),
        ("customer_event/created", hook_url("b")),
    ]
    assert listed == [first, second]


def test_update_changes_topic_url_and_updated_at(shop: Caller, client: CheckedClient) -> None:
    created = shop.created("review/created", hook_url("old"))
    assert client.control("POST", "/_mock/clock", {"advance": 60}).status_code == 200

    response = shop.update(created["id"], "review/deleted", hook_url("new"))
    assert response.status_code == 200, response.json()
    updated = response.json()["data"]
    assert updated == {
        "id": created["id"],
        "topic": "review/deleted",
        "url": hook_url("new"),
        "created_at": rfc3339(FROZEN_AT),
        "updated_at": rfc3339(FROZEN_AT + 60),
    }
    assert shop.listed() == [updated]


def test_update_accepts_a_numeric_id(shop: Caller) -> None:
    created = shop.created("review/created", hook_url(1))
    response = shop.update(int(created["id"]), "review/updated", hook_url(1))
    assert response.status_code == 200
    assert response.json()["data"]["topic"] == "review/updated"


def test_update_to_its_own_topic_and_url_is_allowed(shop: Caller) -> None:
    created = shop.created("review/created", hook_url(1))
    response = shop.update(created["id"], "review/created", hook_url(1))
    assert response.json()["code"] == 0


def test_delete_then_list_is_empty(shop: Caller) -> None:
    created = shop.created("review/created", hook_url(1))
    response = shop.delete(created["id"])
    assert response.status_code == 200
    assert response.json()["data"] == {}
    assert shop.listed() == []
    assert_error(shop.delete(created["id"]), 200, 5)


def test_delete_leaves_the_others(shop: Caller) -> None:
    keep = shop.created("review/created", hook_url("keep"))
    drop = shop.created("review/created", hook_url("drop"))
    assert shop.delete(int(drop["id"])).json()["code"] == 0
    assert shop.listed() == [keep]


# --------------------------------------------------------------------------- conflicts, limits


def test_same_topic_and_url_twice_is_already_exists(shop: Caller) -> None:
    shop.created("review/created", hook_url(1))
    error = assert_error(shop.create("review/created", hook_url(1)), 200, 6)
    assert "review/created" in error["message"]
    assert len(shop.listed()) == 1


def test_same_url_with_another_topic_is_fine(shop: Caller) -> None:
    shop.created("review/created", hook_url(1))
    shop.created("review/updated", hook_url(1))
    assert len(shop.listed()) == 2


def test_twenty_first_webhook_is_refused(shop: Caller, platform: Caller) -> None:
    for n in range(LIMIT):
        shop.created("review/created", hook_url(n))
    assert_error(shop.create("review/created", hook_url(LIMIT)), 200, 8)
    assert len(shop.listed()) == LIMIT

    # The limit is per (shop, platform): the platform still has room.
    platform.created("review/created", hook_url("platform"))

    # Deleting one makes room again.
    assert shop.delete(shop.listed()[0]["id"]).json()["code"] == 0
    shop.created("review/created", hook_url(LIMIT))
    assert len(shop.listed()) == LIMIT


def test_update_to_another_webhooks_topic_and_url_is_already_exists(shop: Caller) -> None:
    first = shop.created("review/created", hook_url(1))
    second = shop.created("review/created", hook_url(2))
    assert_error(shop.update(second["id"], "review/created", hook_url(1)), 200, 6)
    assert shop.listed() == [first, second]


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "url",
    [
        "ftp://x",
        "not a url",
        "/hook",
        "https://example.com/" + "a" * (2049 - len("https://example.com/")),
        "",
        "https://",
    ],
    ids=["ftp", "not-a-url", "relative", "2049-chars", "empty", "no-host"],
)
def test_bad_url_is_invalid_argument(shop: Caller, url: str) -> None:
    error = assert_error(shop.create("review/created", url), 200, 3)
    assert "url" in error["message"]
    assert shop.listed() == []


def test_url_of_2048_chars_is_accepted(shop: Caller) -> None:
    url = "https://example.com/" + "a" * (2048 - len("https://example.com/"))
    assert len(url) == 2048
    assert shop.created("review/created", url)["url"] == url


@pytest.mark.parametrize("url", ["ftp://x", "/hook"])
def test_update_to_a_bad_url_is_invalid_argument(shop: Caller, url: str) -> None:
    created = shop.created("review/created", hook_url(1))
    assert_error(shop.update(created["id"], "review/created", url), 200, 3)
    assert shop.listed() == [created]


@pytest.mark.parametrize("topic", ["review/exploded", "orders/created", "", "REVIEW/CREATED"])
def test_unknown_topic_is_invalid_argument(shop: Caller, topic: str) -> None:
    error = assert_error(shop.create(topic, hook_url(1)), 200, 3)
    assert "topic" in error["message"]
    assert shop.listed() == []


@pytest.mark.parametrize(
    "body",
    [{"topic": "review/created"}, {"url": hook_url(1)}, {}],
    ids=["no-url", "no-topic", "empty"],
)
def test_missing_fields_are_invalid_argument(shop: Caller, body: dict[str, Any]) -> None:
    assert_error(shop.call("POST", CREATE, body), 200, 3)


@pytest.mark.parametrize("webhook_id", ["424242", 424242])
def test_update_or_delete_of_unknown_id_is_not_found(shop: Caller, webhook_id: Any) -> None:
    assert_error(shop.update(webhook_id, "review/created", hook_url(1)), 200, 5)
    assert_error(shop.delete(webhook_id), 200, 5)


# --------------------------------------------------------------------------- platform isolation


def test_platform_and_shop_see_only_their_own(shop: Caller, platform: Caller) -> None:
    mine = shop.created("review/created", hook_url("shop"))
    theirs = platform.created("review/created", hook_url("platform"))

    assert shop.listed() == [mine]
    assert platform.listed() == [theirs]


def test_neither_owner_can_change_the_others(shop: Caller, platform: Caller) -> None:
    mine = shop.created("review/created", hook_url("shop"))
    theirs = platform.created("review/created", hook_url("platform"))

    assert_error(shop.update(theirs["id"], "review/updated", hook_url("x")), 200, 5)
    assert_error(shop.delete(theirs["id"]), 200, 5)
    assert_error(platform.update(mine["id"], "review/updated", hook_url("y")), 200, 5)
    assert_error(platform.delete(mine["id"]), 200, 5)

    assert shop.listed() == [mine]
    assert platform.listed() == [theirs]


def test_another_platform_does_not_see_the_demo_platforms_webhooks(
    client: CheckedClient, platform: Caller
) -> None:
    made = client.control("POST", "/_mock/platforms", {"client_id": "second-platform"})
    assert made.status_code == 201
    other = Caller(client, grant_token(client, ["write_reviews"], "second-platform"))

    theirs = platform.created("review/created", hook_url("demo-platform"))
    assert other.listed() == []
    assert_error(other.delete(theirs["id"]), 200, 5)
    assert platform.listed() == [theirs]


def test_a_second_token_of_the_same_platform_sees_its_webhooks(
    client: CheckedClient, platform: Caller
) -> None:
    theirs = platform.created("review/created", hook_url(1))
    again = Caller(client, grant_token(client, ["write_reviews"]))
    assert again.listed() == [theirs]


# --------------------------------------------------------------------------- scopes


@pytest.mark.parametrize("topic", ["review/created", "review/updated", "review/deleted"])
def test_review_topics_need_write_reviews(client: CheckedClient, topic: str) -> None:
    reader = Caller(client, grant_token(client, ["read_reviews"]))
    error = assert_error(reader.create(topic, hook_url(1)), 200, 7)
    assert "write_reviews" in error["message"]
    assert reader.listed() == []


def test_customer_events_need_read_customer_events(client: CheckedClient) -> None:
    writer = Caller(client, grant_token(client, ["write_reviews"]))
    error = assert_error(writer.create("customer_event/created", hook_url(1)), 200, 7)
    assert "read_customer_events" in error["message"]
    writer.created("review/created", hook_url(1))

    events = Caller(client, grant_token(client, ["read_customer_events"]))
    events.created("customer_event/created", hook_url(2))
    error = assert_error(events.create("review/created", hook_url(3)), 200, 7)
    assert "write_reviews" in error["message"]


def test_update_to_a_topic_outside_the_scopes_is_refused(client: CheckedClient) -> None:
    writer = Caller(client, grant_token(client, ["write_reviews"]))
    created = writer.created("review/created", hook_url(1))
    error = assert_error(
        writer.update(created["id"], "customer_event/created", hook_url(1)), 200, 7
    )
    assert "read_customer_events" in error["message"]
    assert writer.listed() == [created]


def test_hmac_shop_holds_every_topic(shop: Caller) -> None:
    for n, topic in enumerate(TOPICS):
        shop.created(topic, hook_url(n))
    assert [w["topic"] for w in shop.listed()] == TOPICS


# -- the fake never pushes to itself (issue 23) -----------------------------------------------

SELF_URLS = [
    "http://127.0.0.1:8787/_mock/reset",
    "http://localhost/_mock/reset",
    "http://LOCALHOST.:8787/_mock/reset",
    "http://sub.localhost/_mock/reset",
    "http://[::1]:8787/_mock/reset",
    "http://[::ffff:127.0.0.1]/_mock/reset",
    "http://0.0.0.0:8787/_mock/reset",
    "http://127.1/_mock/reset",
    "http://2130706433/_mock/reset",
    "http://0x7f.0.0.1/_mock/reset",
    "http://127.9.9.9/_mock",
    "http://trustoo.test/_mock/reset",
    "https://TRUSTOO.TEST./_mock/reset",
    "http://localhost/%5Fmock/reset",
    "http://localhost/%255fmock/reset",
    "http://localhost//_mock/reset",
    "http://localhost/hooks/../_mock/reset",
    "http://localhost/_MOCK/reset",
    "http://127.0.0.1:8787/_storage/mock/70000000001/x.html",
]


def _own_url(client: CheckedClient, path: str) -> str:
    return str(client.http.base_url).rstrip("/") + path


@pytest.mark.parametrize("url", SELF_URLS)
def test_a_subscription_to_the_fake_itself_is_refused(client: CheckedClient, url: str) -> None:
    answer = client.signed("POST", CREATE, body={"topic": "review/created", "url": url})
    assert answer.json()["code"] == 3
    # An IPv6 literal host is no URL the spec takes at all (X71); every other spelling passes
    # the URL rule and is refused as the fake itself (X42).
    reason = "absolute http(s) URL" if "[" in url else "control plane or object store"
    assert reason in answer.json()["message"]


def test_the_bound_address_and_updates_are_refused_too(client: CheckedClient) -> None:
    own = _own_url(client, "/_mock/reset")
    answer = client.signed("POST", CREATE, body={"topic": "review/created", "url": own})
    assert answer.json()["code"] == 3
    body = {"topic": "review/created", "url": "http://127.0.0.1:9/hook"}
    hook = client.signed("POST", CREATE, body=body).json()["data"]
    body = {"id": hook["id"], "topic": "review/created", "url": own}
    answer = client.signed("POST", UPDATE, body=body)
    assert answer.json()["code"] == 3


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/hook", "http://example.com/_mock/reset", "http://localhost/_mockery"],
)
def test_other_local_paths_and_other_hosts_stay_allowed(client: CheckedClient, url: str) -> None:
    answer = client.signed("POST", CREATE, body={"topic": "review/created", "url": url})
    assert answer.json()["code"] == 0, answer.json()


def test_a_stored_subscription_to_the_fake_is_never_pushed_to(client: CheckedClient) -> None:
    """A subscription kept from before the refusal (an old data file) fails its deliveries
    with the reason and the fake is not reset."""
    fake = client.app.state.fake
    fake.ctx.store.insert(
        "webhooks",
        {
            "id": "900",
            "shop_id": DEMO_SHOP_ID,
            "platform_id": 0,
            "topic": "review/created",
            "url": _own_url(client, "/_mock/reset"),
            "created_at": FROZEN_AT,
            "updated_at": FROZEN_AT,
        },
    )
    body = {"rating": 5, "author": "Self"}
    review = client.signed("POST", "/api/v1/openapi/create_review", body=body).json()["data"]
    (delivery,) = client.control("GET", "/_mock/webhook_deliveries").json()
    assert delivery["status"] == "failed"
    assert "never pushes to itself" in delivery["attempts"][0]["error"]
    found = client.signed("GET", "/api/v1/openapi/get_review", params={"id": review["id"]})
    assert found.json()["code"] == 0  # still there: no reset happened


def test_seeded_subscriptions_keep_their_ids_times_and_owners(
    empty_client: CheckedClient,
) -> None:
    hooks = "https://hooks.example.com"
    seed = {
        "platforms": [{"client_id": "seeded-platform", "scopes": ["read_reviews"]}],
        "shops": [
            SECOND_SHOP.document(
                webhooks=[
                    {
                        "id": 41,
                        "topic": "review/created",
                        "url": f"{hooks}/given",
                        "created_at": "2026-01-01T00:00:00Z",
                        "updated_at": "2026-01-05T00:00:00Z",
                    },
                    {"topic": "review/updated", "url": f"{hooks}/made"},
                    {
                        "topic": "review/created",
                        "url": f"{hooks}/platform",
                        "client_id": "seeded-platform",
                        "created_at": "2026-01-02T00:00:00Z",
                    },
                ]
            )
        ],
    }
    seeded = empty_client.control("POST", "/_mock/seed", seed)
    assert seeded.status_code == 201
    assert seeded.json()["webhooks"] == 3
    listed = empty_client.signed(
        "GET",
        LIST,
        public_token=SECOND_SHOP.public_token,
        private_token=SECOND_SHOP.private_token,
    ).json()["data"]
    assert listed == [
        {
            "id": "41",
            "topic": "review/created",
            "url": f"{hooks}/given",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-05T00:00:00Z",
        },
        {
            "id": "42",
            "topic": "review/updated",
            "url": f"{hooks}/made",
            "created_at": iso(FROZEN_AT),
            "updated_at": iso(FROZEN_AT),
        },
    ]
    ctx = empty_client.app.state.fake.ctx
    (owned_by_platform,) = [
        hook for hook in webhooks.all_subscriptions(ctx) if hook["url"] == f"{hooks}/platform"
    ]
    platform = tenants.get_platform_by_client_id(ctx, "seeded-platform")
    assert owned_by_platform["platform_id"] == platform["platform_id"] != 0
    assert owned_by_platform["id"] == "43"
    instant = int(datetime(2026, 1, 2, tzinfo=UTC).timestamp())
    assert (owned_by_platform["created_at"], owned_by_platform["updated_at"]) == (instant, instant)

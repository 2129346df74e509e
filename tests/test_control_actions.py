"""Control-plane actions Trustoo itself would cause (DESIGN §5, X22, X25): the merchant edits,
replies to, hides and shows a review; a shopper's storefront event is recorded. Both are seen
through the Open API and fire the webhooks a real Trustoo would."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.helpers import DEMO_SHOP_ID, FROZEN_AT, CheckedClient, iso
from tests.receiver import Receiver, receiver

GET_REVIEW = "/api/v1/openapi/get_review"
CREATE_REVIEW = "/api/v1/openapi/create_review"
RATING = "/api/v1/openapi/get_rating"
EVENTS = "/api/v1/openapi/get_customer_events"
SUBSCRIBE = "/api/v1/openapi/create_shop_webhook"
PRODUCT = "8000000000001"  # lavender-soap in fixtures/demo.json
DEMO_EVENTS = 3000  # fixtures/demo.json; event ids count from 1000001


def trustoo_time(instant: int) -> str:
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%d %H:%M:%S")


def new_review(client: CheckedClient, **fields: Any) -> dict[str, Any]:
    body = {"product_id": PRODUCT, "rating": 5, "author": "Merchant Test", **fields}
    response = client.signed("POST", CREATE_REVIEW, body=body)
    assert response.status_code == 200, response.json()
    data: dict[str, Any] = response.json()["data"]
    return data


def merchant(client: CheckedClient, review_id: str, changes: Any, shop: str = DEMO_SHOP_ID) -> Any:
    return client.control("POST", f"/_mock/shops/{shop}/reviews/{review_id}", changes)


def stored(client: CheckedClient, review_id: str) -> dict[str, Any]:
    data: dict[str, Any] = client.signed("GET", GET_REVIEW, params={"id": review_id}).json()["data"]
    return data


def advance(client: CheckedClient, seconds: int) -> None:
    assert client.control("POST", "/_mock/clock", {"advance": seconds}).status_code == 200


def subscribe(client: CheckedClient, hook: Receiver, *topics: str) -> None:
    for topic in topics:
        answer = client.signed("POST", SUBSCRIBE, body={"topic": topic, "url": hook.url})
        assert answer.json()["code"] == 0, answer.json()


def pushed(hook: Receiver) -> list[tuple[str, Any]]:
    records = [json.loads(push.body)["list"][0] for push in hook.pushes]
    return [(record["topic"], record["id"]) for record in records]


# --------------------------------------------------------------------------- merchant actions


def test_merchant_edit_changes_the_review_and_moves_updated_at(client: CheckedClient) -> None:
    review = new_review(client, title="Old title")
    advance(client, 60)
    changes = {
        "title": "Edited by the merchant",
        "content": "Shortened.",
        "rating": 4,
        "is_featured": 1,
        "is_top": 1,
        "is_verified": 1,
        "item_type": "Large",
        "commented_at": "2026-01-02 03:04:05",
    }
    response = merchant(client, review["id"], changes)
    assert response.status_code == 200, response.json()
    expected = {**review, **changes, "updated_at": iso(FROZEN_AT + 60)}
    assert response.json() == expected
    assert stored(client, review["id"]) == expected


def test_reply_is_set_dated_and_removed(client: CheckedClient) -> None:
    review = new_review(client)
    advance(client, 30)
    replied = merchant(client, review["id"], {"reply": {"content": "Thank you!"}}).json()
    assert replied["reply"] == {"content": "Thank you!", "reply_at": trustoo_time(FROZEN_AT + 30)}
    dated = {"content": "Edited reply", "reply_at": "2026-09-01 12:00:00"}
    assert merchant(client, review["id"], {"reply": dated}).json()["reply"] == dated
    assert merchant(client, review["id"], {"reply": None}).json()["reply"] is None
    assert stored(client, review["id"])["reply"] is None


def test_hide_and_show(client: CheckedClient) -> None:
    def rating() -> dict[str, Any]:
        data: dict[str, Any] = client.signed("GET", RATING, params={"product_id": PRODUCT}).json()[
            "data"
        ]
        return data

    before = rating()
    review = new_review(client, rating=1)
    assert rating()["star1_count"] == before["star1_count"] + 1
    hidden = merchant(client, review["id"], {"is_published": 0}).json()
    assert hidden["is_published"] == 0
    assert rating() == before
    assert stored(client, review["id"])["is_published"] == 0  # the Open API still has it (X2)
    assert merchant(client, review["id"], {"is_published": 1}).json()["is_published"] == 1
    assert rating()["star1_count"] == before["star1_count"] + 1


def test_media_can_be_replaced_in_either_form(client: CheckedClient) -> None:
    review = new_review(client)
    legacy = {"images": ["https://img.example.com/a.jpg"], "video": "https://img.example.com/v.mp4"}
    media = merchant(client, review["id"], {"media": legacy}).json()["media"]
    assert media == [
        {
            "url": legacy["images"][0],
            "thumbnail_url": legacy["images"][0],
            "type": 1,
            "is_published": 1,
        },
        {"url": legacy["video"], "thumbnail_url": legacy["video"], "type": 2, "is_published": 1},
    ]
    assert merchant(client, review["id"], {"media": []}).json()["media"] == []


def test_a_call_that_changes_nothing_keeps_updated_at(client: CheckedClient) -> None:
    review = new_review(client, title="Same")
    advance(client, 60)
    for changes in ({}, {"title": "Same"}, {"rating": 5, "is_published": 1}):
        response = merchant(client, review["id"], changes)
        assert response.status_code == 200
        assert response.json()["updated_at"] == review["updated_at"]


def test_merchant_actions_fire_webhooks(client: CheckedClient) -> None:
    review = new_review(client)
    number = int(review["id"])
    with receiver() as hook:
        subscribe(client, hook, "review/updated", "review/deleted")
        merchant(client, review["id"], {})  # nothing changes: nothing fires
        merchant(client, review["id"], {"reply": {"content": "Thanks"}})
        merchant(client, review["id"], {"is_published": 0})  # hidden = deleted (D12)
        merchant(client, review["id"], {"title": "Edited while hidden"})  # not on the storefront
        merchant(client, review["id"], {"is_published": 1})
        assert pushed(hook) == [
            ("review/updated", number),
            ("review/deleted", number),
            ("review/updated", number),
        ]
        last = json.loads(hook.pushes[-1].body)["list"][0]
        assert (last["title"], last["is_published"]) == ("Edited while hidden", 1)
        assert last["reply"]["content"] == "Thanks"


@pytest.mark.parametrize(
    ("shop", "review", "status", "words"),
    [
        (DEMO_SHOP_ID, "99999999", 404, "no review with id 99999999 in this shop"),
        ("70000000999", "100001", 404, "no shop with shop_id 70000000999"),
    ],
)
def test_unknown_review_or_shop(
    client: CheckedClient, shop: str, review: str, status: int, words: str
) -> None:
    response = merchant(client, review, {"title": "x"}, shop=shop)
    assert response.status_code == status
    assert words in response.json()["error"]


def test_another_shops_review_is_not_found(client: CheckedClient) -> None:
    other = client.control("POST", "/_mock/shops", {"shop_id": "70000000998"})
    assert other.status_code == 201
    review = new_review(client)
    response = merchant(client, review["id"], {"title": "x"}, shop="70000000998")
    assert response.status_code == 404
    assert stored(client, review["id"])["title"] == ""


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"rating": 9}, "rating must be smaller than or equal to 5"),
        ({"reply": {"reply_at": "2026-01-01 00:00:00"}}, "reply"),
        ({"is_published": 2}, "is_published"),
        ({"commented_at": "2026-02-30 10:00:00"}, "commented_at"),
        ({"author": ""}, "author"),
    ],
)
def test_bad_changes_are_refused(
    client: CheckedClient, changes: dict[str, Any], words: str
) -> None:
    review = new_review(client)
    response = merchant(client, review["id"], changes)
    assert response.status_code == 400
    assert words in response.json()["error"]
    assert stored(client, review["id"]) == review


# --------------------------------------------------------------------------- storefront events


def events(client: CheckedClient, **params: Any) -> list[dict[str, Any]]:
    response = client.signed("GET", EVENTS, params=params)
    found: list[dict[str, Any]] = response.json()["data"]["list"]
    return found


def test_a_storefront_event_with_defaults(client: CheckedClient) -> None:
    response = client.control(
        "POST", f"/_mock/shops/{DEMO_SHOP_ID}/customer_events", {"event_type": "VIEW_REVIEW"}
    )
    assert response.status_code == 201
    expected = {
        "id": str(1000001 + DEMO_EVENTS),
        "event_type": "VIEW_REVIEW",
        "os_type": "WINDOWS",
        "event_source": "STOREFRONT",
        "customer_id": None,
        "product_id": None,
        "review_id": None,
        "created_at": iso(FROZEN_AT),
    }
    assert response.json() == expected
    assert events(client, page_size=1) == [expected]  # the newest


def test_a_storefront_event_with_every_field(client: CheckedClient) -> None:
    body = {
        "event_type": "CLICK_MEDIA",
        "os_type": "IOS",
        "event_source": "EMAIL",
        "customer_id": 7100000000001,
        "product_id": PRODUCT,
        "review_id": 100001,
        "created_at": "2025-06-01T00:00:00Z",
    }
    response = client.control("POST", f"/_mock/shops/{DEMO_SHOP_ID}/customer_events", body)
    assert response.status_code == 201
    event = response.json()
    assert event == {
        **body,
        "id": event["id"],
        "customer_id": "7100000000001",
        "review_id": "100001",
    }
    oldest = events(client, sort_by="created-ascending", page_size=1)[0]
    assert oldest == event  # 2025-06-01 is the demo data's first day


def test_a_storefront_event_fires_customer_event_created(client: CheckedClient) -> None:
    with receiver() as hook:
        subscribe(client, hook, "customer_event/created")
        created = client.control(
            "POST",
            f"/_mock/shops/{DEMO_SHOP_ID}/customer_events",
            {"event_type": "SUBMIT_REVIEW", "review_id": "100001"},
        ).json()
        assert pushed(hook) == [("customer_event/created", int(created["id"]))]
        record = json.loads(hook.pushes[0].body)["list"][0]
        # The event's own fields win over the push's (D12): the topic has a field of its own.
        assert (record["event_type"], record["review_id"]) == ("SUBMIT_REVIEW", "100001")
        assert record["topic"] == "customer_event/created"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({}, 400, "event_type"),
        ({"event_type": "has space"}, 400, "event_type"),
        ({"event_type": "X" * 65}, 400, "event_type"),
        ({"event_type": "VIEW_REVIEW", "customer_id": "abc"}, 400, "customer_id"),
        ({"event_type": "VIEW_REVIEW", "created_at": "yesterday"}, 400, "created_at"),
    ],
)
def test_bad_storefront_events(
    client: CheckedClient, body: dict[str, Any], status: int, words: str
) -> None:
    response = client.control("POST", f"/_mock/shops/{DEMO_SHOP_ID}/customer_events", body)
    assert response.status_code == status
    assert words in response.json()["error"]


def test_a_storefront_event_for_an_unknown_shop(client: CheckedClient) -> None:
    response = client.control(
        "POST", "/_mock/shops/70000000999/customer_events", {"event_type": "VIEW_REVIEW"}
    )
    assert response.status_code == 404
    assert "no shop with shop_id 70000000999" in response.json()["error"]

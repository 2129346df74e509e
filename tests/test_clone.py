"""``trustoo-mock clone`` (issue 18) and the seed-file fields a copy of a shop needs (X105)."""

from __future__ import annotations

from typing import Any

import pytest

from trustoo_mock.testing import MockTrustoo, MockTrustooError

REVIEWS = "/api/v1/openapi/get_reviews"
EVENTS = "/api/v1/openapi/get_customer_events"
WEBHOOKS = "/api/v1/openapi/get_shop_webhooks"
EXCLUDES = "/api/v1/openapi/get_customer_excludes"
COPIED_SHOP: dict[str, Any] = {
    "shop_id": "70000000081",
    "public_token": "copied-public-token",
    "private_token": "copied-private-token",
    "products": [{"product_id": "8100000000001", "handle": "mug", "title": "Mug"}],
    "reviews": [
        {
            "id": "88123",
            "product_id": "8100000000001",
            "rating": 4,
            "author": "Sam",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-02-01T00:00:00Z",
        },
        {"rating": 5, "author": "Kim", "created_at": "2026-01-02T00:00:00Z"},
        {"id": "120000", "rating": 3, "author": "Lee", "created_at": "2026-01-03T00:00:00Z"},
    ],
    "customers": [{"customer_id": "7100000000001", "email": "ann@example.com"}],
    "customer_events": [
        {"id": "5000000", "event_type": "VIEW_REVIEW", "created_at": "2026-01-01T00:00:00Z"},
        {"event_type": "CLICK_MEDIA", "created_at": "2026-01-02T00:00:00Z"},
    ],
    "webhooks": [
        {
            "id": "41",
            "topic": "review/created",
            "url": "https://hooks.example.com/reviews",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-05T00:00:00Z",
        }
    ],
    "exclusions": [
        {
            "customer_id": "7100000000001",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-09T00:00:00Z",
        }
    ],
}


def _data(client: Any, path: str, **params: Any) -> Any:
    answer = client.get(path, params=params).json()
    assert answer["code"] == 0, answer
    return answer["data"]


def test_a_seed_file_keeps_given_ids_and_times_and_numbers_the_rest_past_them() -> None:
    with MockTrustoo(empty=True) as mock:
        counts = mock.seed({"shops": [COPIED_SHOP]})
        assert counts["webhooks"] == 1
        with mock.client("70000000081") as client:
            reviews = _data(client, REVIEWS, sort_by="created-ascending")["list"]
            first, drawn, last = (review["id"] for review in reviews)
            assert (first, last) == ("88123", "120000")
            assert int(drawn) > 120000
            assert reviews[0]["updated_at"] == "2026-02-01T00:00:00Z"
            created = client.post(
                "/api/v1/openapi/create_review", json={"rating": 5, "author": "New"}
            ).json()
            assert created["code"] == 0
            assert int(created["data"]["id"]) > 120000
            events = _data(client, EVENTS, sort_by="created-ascending")["list"]
            assert events[0]["id"] == "5000000"
            assert int(events[1]["id"]) > 5000000
            (webhook,) = _data(client, WEBHOOKS)
            assert webhook["id"] == "41"
            assert webhook["updated_at"] == "2026-01-05T00:00:00Z"
            (exclusion,) = _data(client, EXCLUDES)["list"]
            assert exclusion["updated_at"] == "2026-01-09T00:00:00Z"


def test_a_seed_file_may_not_give_an_id_twice() -> None:
    twice = {
        **COPIED_SHOP,
        "reviews": [
            {"id": "7", "rating": 4, "author": "Sam"},
            {"id": "7", "rating": 5, "author": "Kim"},
        ],
    }
    with MockTrustoo(empty=True) as mock, pytest.raises(MockTrustooError, match="review id 7"):
        mock.seed({"shops": [twice]})

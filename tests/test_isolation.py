"""Tenant isolation (D3, D8): over random operations by several shops and platforms, nobody
reads, changes or deletes what belongs to another.

Reviews belong to a shop: every actor of that shop (the shop itself over HMAC, or a platform
holding a token for it) sees them, and no actor of another shop does. Webhooks belong to
(shop, platform_id), HMAC being platform 0: only that exact owner sees, updates or deletes one.
Another owner's id answers code 5 and changes nothing.

Ids are drawn from every id ever handed out (to anyone, deleted ones included) plus one that
was never issued, so most calls aim at someone else's record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.helpers import FROZEN_AT, SCOPES, TOPICS, CheckedClient
from trustoo_mock import Config, create_app

API = "/api/v1/openapi"
HMAC_PLATFORM = 0
NEVER_ISSUED_ID = "99999999"

topics = st.sampled_from(TOPICS)
# Few distinct URLs, so that the same (topic, url) is often held by several owners (allowed)
# and sometimes asked twice by one owner (code 6).
hook_numbers = st.integers(min_value=0, max_value=3)


def hook_url(number: int) -> str:
    return f"https://example.com/hook/{number}"


@dataclass(frozen=True)
class Actor:
    """Someone calling the API: a shop over HMAC, or a platform with a bearer token."""

    shop_id: str
    platform_id: int
    public_token: str = ""
    private_token: str = ""
    access_token: str = ""

    @property
    def owner(self) -> tuple[str, int]:
        return (self.shop_id, self.platform_id)

    def __repr__(self) -> str:
        how = "hmac" if self.platform_id == HMAC_PLATFORM else f"platform {self.platform_id}"
        return f"Actor(shop {self.shop_id}, {how})"


@dataclass(frozen=True)
class ModelWebhook:
    owner: tuple[str, int]
    topic: str
    url: str


class IsolationMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.client = CheckedClient(create_app(Config(frozen_time=FROZEN_AT, empty=True)))
        self.actors: list[Actor] = []
        self.reviews: dict[str, str] = {}  # live review id -> its shop
        self.review_authors: dict[str, str] = {}  # every review id ever issued -> author
        self.webhooks: dict[str, ModelWebhook] = {}  # live webhook id -> owner and content
        self.issued_webhook_ids: list[str] = []

    # -- set-up -----------------------------------------------------------------------------

    @initialize(
        shop_count=st.integers(min_value=2, max_value=3),
        # Drawn as refusals, so that the simplest example grants every platform on every shop.
        denied=st.lists(st.booleans(), min_size=6, max_size=6),
    )
    def tenants(self, shop_count: int, denied: list[bool]) -> None:
        shops = []
        for _ in range(shop_count):
            response = self.client.control("POST", "/_mock/shops", {})
            assert response.status_code == 201, response.text
            shops.append(response.json())
        assert len({shop["shop_id"] for shop in shops}) == shop_count
        client_ids = ["isolation-platform-1", "isolation-platform-2"]
        platform_ids = []
        for client_id in client_ids:
            response = self.client.control("POST", "/_mock/platforms", {"client_id": client_id})
            assert response.status_code == 201, response.text
            platform_ids.append(response.json()["platform_id"])
        assert len(set(platform_ids)) == 2 and HMAC_PLATFORM not in platform_ids
        for shop in shops:
            self.actors.append(
                Actor(
                    shop["shop_id"],
                    HMAC_PLATFORM,
                    public_token=shop["public_token"],
                    private_token=shop["private_token"],
                )
            )
        pairs = [(platform, shop) for platform in range(2) for shop in shops]
        for (platform, shop), refused in zip(pairs, denied, strict=False):
            if refused:
                continue
            response = self.client.control(
                "POST",
                f"/_mock/shops/{shop['shop_id']}/authorizations",
                {"client_id": client_ids[platform], "scopes": SCOPES},
            )
            assert response.status_code == 201, response.text
            grant = response.json()
            assert grant["shop_id"] == shop["shop_id"]
            self.actors.append(
                Actor(shop["shop_id"], platform_ids[platform], access_token=grant["access_token"])
            )
        # Something of everyone's from the first step on: a review per shop, and the same
        # (topic, url) subscribed by every actor, which is no conflict between owners.
        for actor in self.actors:
            if actor.platform_id == HMAC_PLATFORM:
                self.create_review_as(actor, rating=5, product_id=None)
            self.create_webhook_as(actor, TOPICS[0], 0)

    # -- helpers ----------------------------------------------------------------------------

    def call(
        self, actor: Actor, method: str, operation: str, *, params: Any = None, body: Any = None
    ) -> dict[str, Any]:
        path = f"{API}/{operation}"
        if actor.platform_id == HMAC_PLATFORM:
            response = self.client.signed(
                method,
                path,
                params=params,
                body=body,
                public_token=actor.public_token,
                private_token=actor.private_token,
            )
        else:
            response = self.client.bearer(
                method, path, actor.access_token, params=params, body=body
            )
        document: dict[str, Any] = response.json()
        if document["code"] == 5:
            assert response.status_code == 200, (response.status_code, document)
        return document

    def pick_actor(self, data: st.DataObject) -> Actor:
        return data.draw(st.sampled_from(self.actors), label="actor")

    def pick_review_id(self, data: st.DataObject) -> str:
        ids = [*self.review_authors] or [NEVER_ISSUED_ID]
        return data.draw(st.sampled_from(ids), label="review id")

    def pick_webhook_id(self, data: st.DataObject) -> str:
        ids = [*self.issued_webhook_ids, NEVER_ISSUED_ID]
        return data.draw(st.sampled_from(ids), label="webhook id")

    @staticmethod
    def wire_id(data: st.DataObject, identifier: str) -> str | int:
        """Ids go in as a digit string or as a JSON number (D6)."""
        as_number = data.draw(st.booleans(), label="id as JSON number")
        return int(identifier) if as_number else identifier

    def review_relation(self, actor: Actor, review_id: str) -> str:
        if review_id not in self.review_authors:
            return "never issued"
        shop = self.reviews.get(review_id)
        if shop is None:
            return "deleted"
        return "own shop" if shop == actor.shop_id else "other shop"

    def webhook_relation(self, actor: Actor, webhook_id: str) -> str:
        if webhook_id not in self.issued_webhook_ids:
            return "never issued"
        hook = self.webhooks.get(webhook_id)
        if hook is None:
            return "deleted"
        if hook.owner == actor.owner:
            return "own"
        if hook.owner[0] == actor.shop_id:
            return "same shop, other platform"
        if hook.owner[1] == actor.platform_id:
            return "same platform, other shop"
        return "other shop and platform"

    def owned_webhooks(self, owner: tuple[str, int]) -> list[tuple[str, str, str]]:
        owned = [
            (webhook_id, hook.topic, hook.url)
            for webhook_id, hook in self.webhooks.items()
            if hook.owner == owner
        ]
        return sorted(owned, key=lambda item: int(item[0]))

    def check_reviews_view(self, actor: Actor) -> None:
        document = self.call(actor, "GET", "get_reviews", params={"page_size": 100})
        assert document["code"] == 0, document
        listed = [review["id"] for review in document["data"]["list"]]
        expected = {rid for rid, shop in self.reviews.items() if shop == actor.shop_id}
        assert len(listed) == len(set(listed)), f"duplicates in {listed}"
        assert set(listed) == expected, (actor, sorted(listed), sorted(expected))
        assert document["data"]["page"]["count"] == len(expected)

    def check_webhooks_view(self, actor: Actor) -> None:
        document = self.call(actor, "GET", "get_shop_webhooks")
        assert document["code"] == 0, document
        listed = [(hook["id"], hook["topic"], hook["url"]) for hook in document["data"]]
        assert listed == self.owned_webhooks(actor.owner), actor

    # -- reviews ----------------------------------------------------------------------------

    @rule(
        data=st.data(),
        rating=st.integers(min_value=1, max_value=5),
        product_id=st.sampled_from([None, "0", "8000000000001", 8000000000002]),
    )
    def create_review(self, data: st.DataObject, rating: int, product_id: str | int | None) -> None:
        self.create_review_as(self.pick_actor(data), rating, product_id)

    def create_review_as(self, actor: Actor, rating: int, product_id: str | int | None) -> None:
        author = f"author {len(self.review_authors)}"
        body: dict[str, Any] = {"rating": rating, "author": author, "content": "isolation"}
        if product_id is not None:
            body["product_id"] = product_id
        document = self.call(actor, "POST", "create_review", body=body)
        assert document["code"] == 0, document
        review_id: str = document["data"]["id"]
        assert review_id not in self.review_authors, f"review id {review_id} issued twice"
        self.reviews[review_id] = actor.shop_id
        self.review_authors[review_id] = author

    @rule(data=st.data())
    def get_review(self, data: st.DataObject) -> None:
        actor = self.pick_actor(data)
        review_id = self.pick_review_id(data)
        event(f"get_review: {self.review_relation(actor, review_id)}")
        document = self.call(actor, "GET", "get_review", params={"id": review_id})
        if self.reviews.get(review_id) == actor.shop_id:
            assert document["code"] == 0, document
            assert document["data"]["id"] == review_id
            assert document["data"]["author"] == self.review_authors[review_id]
        else:
            assert document["code"] == 5, (actor, review_id, document)

    @rule(data=st.data())
    def delete_review(self, data: st.DataObject) -> None:
        actor = self.pick_actor(data)
        review_id = self.pick_review_id(data)
        event(f"delete_review: {self.review_relation(actor, review_id)}")
        body = {"id": self.wire_id(data, review_id)}
        document = self.call(actor, "POST", "delete_review", body=body)
        if self.reviews.get(review_id) == actor.shop_id:
            assert document["code"] == 0, document
            assert document["data"] == {}
            del self.reviews[review_id]
        else:
            assert document["code"] == 5, (actor, review_id, document)

    # -- webhooks ---------------------------------------------------------------------------

    @rule(data=st.data(), topic=topics, number=hook_numbers)
    def create_shop_webhook(self, data: st.DataObject, topic: str, number: int) -> None:
        self.create_webhook_as(self.pick_actor(data), topic, number)

    def create_webhook_as(self, actor: Actor, topic: str, number: int) -> None:
        url = hook_url(number)
        taken = {(h.topic, h.url) for h in self.webhooks.values() if h.owner == actor.owner}
        held_by_others = any((h.topic, h.url) == (topic, url) for h in self.webhooks.values())
        duplicate = (topic, url) in taken
        event(
            "create_shop_webhook: "
            + ("duplicate" if duplicate else "held by another" if held_by_others else "new")
        )
        body = {"topic": topic, "url": url}
        document = self.call(actor, "POST", "create_shop_webhook", body=body)
        if duplicate:
            assert document["code"] == 6, (actor, topic, url, document)
            return
        # The same (topic, url) held by another owner is no conflict.
        assert document["code"] == 0, (actor, topic, url, document)
        webhook_id: str = document["data"]["id"]
        assert webhook_id not in self.issued_webhook_ids, f"webhook id {webhook_id} issued twice"
        assert (document["data"]["topic"], document["data"]["url"]) == (topic, url)
        self.webhooks[webhook_id] = ModelWebhook(actor.owner, topic, url)
        self.issued_webhook_ids.append(webhook_id)

    @rule(data=st.data(), topic=topics, number=hook_numbers)
    def update_shop_webhook(self, data: st.DataObject, topic: str, number: int) -> None:
        actor = self.pick_actor(data)
        webhook_id = self.pick_webhook_id(data)
        event(f"update_shop_webhook: {self.webhook_relation(actor, webhook_id)}")
        url = hook_url(number)
        body = {"id": self.wire_id(data, webhook_id), "topic": topic, "url": url}
        document = self.call(actor, "POST", "update_shop_webhook", body=body)
        mine = self.webhooks.get(webhook_id)
        if mine is None or mine.owner != actor.owner:
            assert document["code"] == 5, (actor, webhook_id, document)
            return
        clash = any(
            hook.owner == actor.owner and (hook.topic, hook.url) == (topic, url)
            for other_id, hook in self.webhooks.items()
            if other_id != webhook_id
        )
        if clash:
            assert document["code"] == 6, (actor, webhook_id, topic, url, document)
            return
        assert document["code"] == 0, (actor, webhook_id, document)
        assert document["data"]["id"] == webhook_id
        assert (document["data"]["topic"], document["data"]["url"]) == (topic, url)
        self.webhooks[webhook_id] = ModelWebhook(actor.owner, topic, url)

    @rule(data=st.data())
    def delete_shop_webhook(self, data: st.DataObject) -> None:
        actor = self.pick_actor(data)
        webhook_id = self.pick_webhook_id(data)
        event(f"delete_shop_webhook: {self.webhook_relation(actor, webhook_id)}")
        body = {"id": self.wire_id(data, webhook_id)}
        document = self.call(actor, "POST", "delete_shop_webhook", body=body)
        mine = self.webhooks.get(webhook_id)
        if mine is None or mine.owner != actor.owner:
            assert document["code"] == 5, (actor, webhook_id, document)
            return
        assert document["code"] == 0, document
        assert document["data"] == {}
        del self.webhooks[webhook_id]

    # -- aimed at someone else ---------------------------------------------------------------
    # The rules above pick ids at random; these two always aim at a live record of another
    # owner, preferring the nearest ones (same shop or same platform), where a missing check
    # on platform_id or shop_id would show.

    @rule(data=st.data(), delete=st.booleans())
    def touch_other_shops_review(self, data: st.DataObject, delete: bool) -> None:
        actor = self.pick_actor(data)
        foreign = sorted(rid for rid, shop in self.reviews.items() if shop != actor.shop_id)
        if not foreign:
            return
        review_id = data.draw(st.sampled_from(foreign), label="other shop's review id")
        if delete:
            body = {"id": self.wire_id(data, review_id)}
            document = self.call(actor, "POST", "delete_review", body=body)
        else:
            document = self.call(actor, "GET", "get_review", params={"id": review_id})
        assert document["code"] == 5, (actor, review_id, document)

    @rule(data=st.data(), delete=st.booleans(), topic=topics, number=hook_numbers)
    def touch_other_owners_webhook(
        self, data: st.DataObject, delete: bool, topic: str, number: int
    ) -> None:
        actor = self.pick_actor(data)
        foreign = [
            (webhook_id, hook)
            for webhook_id, hook in self.webhooks.items()
            if hook.owner != actor.owner
        ]
        if not foreign:
            return
        near = [
            (webhook_id, hook)
            for webhook_id, hook in foreign
            if hook.owner[0] == actor.shop_id or hook.owner[1] == actor.platform_id
        ]
        webhook_id, _ = data.draw(st.sampled_from(near or foreign), label="other owner's webhook")
        event(f"touch_other_owners_webhook: {self.webhook_relation(actor, webhook_id)}")
        if delete:
            body: dict[str, Any] = {"id": self.wire_id(data, webhook_id)}
            document = self.call(actor, "POST", "delete_shop_webhook", body=body)
        else:
            body = {"id": self.wire_id(data, webhook_id), "topic": topic, "url": hook_url(number)}
            document = self.call(actor, "POST", "update_shop_webhook", body=body)
        assert document["code"] == 5, (actor, webhook_id, document)

    # -- what each actor sees ---------------------------------------------------------------

    @rule(data=st.data())
    def get_reviews_and_shop_webhooks(self, data: st.DataObject) -> None:
        actor = self.pick_actor(data)
        self.check_reviews_view(actor)
        self.check_webhooks_view(actor)

    @invariant()
    def stored_state_matches_the_model(self) -> None:
        """After every step, cheaply (no HTTP): the fake holds exactly what the model says,
        so a refused call aimed at another owner's record changed and removed nothing."""
        if not self.actors:
            return
        store = self.client.app.state.fake.ctx.store
        stored_reviews = {review["id"]: review["shop_id"] for review in store.find("reviews")}
        assert stored_reviews == self.reviews
        stored_webhooks = {
            hook["id"]: ModelWebhook(
                (hook["shop_id"], hook["platform_id"]), hook["topic"], hook["url"]
            )
            for hook in store.find("webhooks")
        }
        assert stored_webhooks == self.webhooks

    def teardown(self) -> None:
        """At the end of every run, over HTTP: each actor lists exactly what it may see."""
        for actor in self.actors:
            self.check_reviews_view(actor)
            self.check_webhooks_view(actor)


IsolationMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestIsolation = IsolationMachine.TestCase

"""Webhook subscriptions, pinned where the API tests cannot reach: the address checks for
spellings the URL rule already refuses (an IPv6 literal reaches them only from a stored
subscription, when a push is about to go out), the domain's own URL check behind the spec's,
the exact wording of every refusal, and what a seed file may and may not give."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import DEMO_SHOP_ID, SECOND_SHOP, CheckedClient
from tests.pins import empty_fake, fake
from trustoo_mock.core.errors import FakeError
from trustoo_mock.core.principal import Principal
from trustoo_mock.domain.context import Context
from trustoo_mock.domain.webhooks import (
    FAKE_PATHS,
    create_webhook,
    is_fake_path,
    is_local_address,
    points_at_fake,
)
from trustoo_mock.spec.formats import MAX_URL_LENGTH

SHOP = Principal(DEMO_SHOP_ID, 0, frozenset({"write_reviews", "read_customer_events"}))
HOOK = "https://hooks.example.com/a"


def _ctx(client: CheckedClient) -> Context:
    context: Context = client.app.state.fake.ctx
    return context


def _refusal(client: CheckedClient, principal: Principal, topic: str, url: str) -> FakeError:
    with pytest.raises(FakeError) as raised:
        create_webhook(_ctx(client), principal, topic, url)
    return raised.value


@pytest.mark.parametrize("host", ["::1", "::ffff:127.0.0.1", "::", "::ffff:0.0.0.0"])
def test_ipv6_spellings_of_this_machine_are_local(host: str) -> None:
    assert is_local_address(host)


@pytest.mark.parametrize(
    "host",
    [
        "2001:db8::1",
        "::ffff:192.0.2.1",
        # Made only of the characters a legacy IPv4 form uses, yet no address at all.
        "face.bad",
        "1.2.3.4.5",
        # inet_aton reads up to the first blank, so only the character check refuses these.
        "127.0.0.1 example.com",
        "127.1\tx",
    ],
)
def test_other_hosts_are_not_local(host: str) -> None:
    assert not is_local_address(host)


def test_a_zone_suffix_does_not_hide_a_local_name() -> None:
    assert points_at_fake("http://localhost%25eth0/_mock/reset")
    assert is_local_address("LOCALHOST%eth0")


def test_backslashes_route_as_slashes() -> None:
    assert is_fake_path("\\_mock\\reset")
    assert is_fake_path("/hooks\\..\\_storage/x")
    assert not is_fake_path("\\hooks\\_mock")


def test_a_url_that_cannot_be_parsed_does_not_point_at_the_fake() -> None:
    assert not points_at_fake("http://[::1/_mock/reset")


def _seed_with_hooks(hooks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"shops": [SECOND_SHOP.document(webhooks=hooks)]}


def test_a_seeded_subscription_to_the_fake_is_refused_by_name() -> None:
    url = "http://LOCALHOST.:8787/_mock/reset"
    client = empty_fake()
    seed = _seed_with_hooks([{"topic": "review/created", "url": url}])
    answer = client.control("POST", "/_mock/seed", seed)
    assert answer.status_code == 400, answer.text
    expected = (
        f"webhook url {url!r} leads to the fake's own control plane or object store; "
        "pushes never go there"
    )
    assert expected in answer.json()["error"]
    assert client.control("GET", "/_mock/shops").json() == []


def test_a_seeded_subscription_to_an_address_the_fake_was_reached_at_is_refused() -> None:
    """A fake served on a LAN address learns it from its first request: a seed file naming
    that address is refused like any other spelling of the fake."""
    client = empty_fake()
    _ctx(client).own_hosts.add("10.1.2.3")
    hooks = [{"topic": "review/created", "url": "http://10.1.2.3:8787/_mock/reset"}]
    answer = client.control("POST", "/_mock/seed", _seed_with_hooks(hooks))
    assert answer.status_code == 400, answer.text
    assert "leads to the fake's own control plane" in answer.json()["error"]


def test_a_seeded_id_already_in_the_store_is_refused() -> None:
    client = empty_fake()
    first = client.control(
        "POST", "/_mock/seed", _seed_with_hooks([{"id": 7, "topic": "review/created", "url": HOOK}])
    )
    assert first.status_code == 201, first.text
    again = {
        "shops": [
            {
                "shop_id": "70000000003",
                "myshopify_domain": "third-shop.myshopify.com",
                "webhooks": [{"id": "7", "topic": "review/updated", "url": HOOK}],
            }
        ]
    }
    answer = client.control("POST", "/_mock/seed", again)
    assert answer.status_code == 409, answer.text
    assert "webhook id 7 is given twice or already in use" in answer.json()["error"]


def test_generated_ids_start_at_one_and_continue_after_seeded_ones() -> None:
    client = empty_fake()
    hooks = [{"topic": "review/created", "url": HOOK}, {"topic": "review/updated", "url": HOOK}]
    assert client.control("POST", "/_mock/seed", _seed_with_hooks(hooks)).status_code == 201
    ids = [
        hook["id"]
        for hook in client.signed(
            "GET",
            "/api/v1/openapi/get_shop_webhooks",
            public_token=SECOND_SHOP.public_token,
            private_token=SECOND_SHOP.private_token,
        ).json()["data"]
    ]
    assert ids == ["1", "2"]
    principal = Principal("70000000002", 0, SHOP.scopes)
    made = create_webhook(_ctx(client), principal, "customer_event/created", HOOK)
    assert made["id"] == "3"


def test_a_subscription_made_after_seeding_continues_the_seeded_ids() -> None:
    client = empty_fake()
    seeded = _seed_with_hooks([{"id": 40, "topic": "review/created", "url": HOOK}])
    assert client.control("POST", "/_mock/seed", seeded).status_code == 201
    principal = Principal("70000000002", 0, SHOP.scopes)
    made = create_webhook(_ctx(client), principal, "review/updated", HOOK)
    assert made["id"] == "41"


def test_scope_refusal_names_the_scope_needed_and_the_scopes_granted() -> None:
    reader = Principal(DEMO_SHOP_ID, 7, frozenset({"read_reviews", "read_orders"}))
    error = _refusal(fake(), reader, "review/created", HOOK)
    assert error.key == "insufficient_scope"
    assert error.message == (
        "insufficient scope: this needs write_reviews; the token was granted "
        "read_orders,read_reviews"
    )


@pytest.mark.parametrize("url", ["ftp://hooks.example.com/a", "hooks.example.com/a", ""])
def test_the_domain_refuses_a_url_the_spec_would_have_refused(url: str) -> None:
    """The spec's URL rule answers first on the API; the domain repeats it for every other
    way in (the inspector, a plugin call)."""
    error = _refusal(fake(), SHOP, "review/created", url)
    assert error.key == "invalid_body"
    assert error.message == (
        "invalid request body: url must be an absolute http(s) URL of at most "
        f"{MAX_URL_LENGTH} characters"
    )


def test_a_url_at_the_fake_is_refused_naming_both_of_its_paths() -> None:
    error = _refusal(fake(), SHOP, "review/created", "http://localhost/_storage/x")
    assert error.key == "invalid_body"
    paths = " or ".join(FAKE_PATHS)
    assert error.message == (
        "invalid request body: url leads to the fake's own control plane or object store "
        f"({paths} on this machine); pushes never go there"
    )
    assert paths == "/_mock or /_storage"


def test_a_repeated_subscription_names_its_topic_url_and_the_one_it_repeats() -> None:
    client = fake()
    first = create_webhook(_ctx(client), SHOP, "review/created", HOOK)
    error = _refusal(client, SHOP, "review/created", HOOK)
    assert error.key == "webhook_exists"
    assert error.message == (
        f"a webhook for topic review/created and url {HOOK} already exists (id {first['id']})"
    )


def test_the_limit_refusal_names_the_limit() -> None:
    client = fake(max_webhooks_per_owner=2)
    for n in range(2):
        create_webhook(_ctx(client), SHOP, "review/created", f"{HOOK}/{n}")
    error = _refusal(client, SHOP, "review/created", f"{HOOK}/last")
    assert error.key == "webhook_limit"
    assert error.message == "webhook limit reached: at most 2 webhooks per shop and caller"

"""MockTrustoo: the same helpers in process and served; fresh fakes are cheap and isolated."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import (
    DEMO_CLIENT_ID,
    DEMO_SHOP_ID,
    EXAMPLE_CLIENT_IDS,
    EXAMPLE_SHOP_IDS,
    FROZEN_AT,
)
from trustoo_mock import Config, MockTrustoo, MockTrustooError
from trustoo_mock.domain import seeding
from trustoo_mock.services.fake import Fake
from trustoo_mock.testing import Grant, Platform, Shop

REVIEWS = "/api/v1/openapi/get_reviews"


@pytest.fixture(params=["inprocess", "served"])
def mock(request: pytest.FixtureRequest) -> Iterator[MockTrustoo]:
    if request.param == "served":
        fake = MockTrustoo.serve(frozen_time=FROZEN_AT)
    else:
        fake = MockTrustoo(frozen_time=FROZEN_AT)
    with fake:
        yield fake


def _count(fake: MockTrustoo, shop: Shop | str) -> int:
    with fake.client(shop) as http:
        return int(http.get(REVIEWS).json()["data"]["page"]["count"])


def test_tenants_tokens_and_sessions(mock: MockTrustoo) -> None:
    shop = mock.create_shop(name="Corner Shop")
    assert isinstance(shop, Shop) and shop.name == "Corner Shop"
    assert mock.shop(shop.shop_id) == shop
    assert {item.shop_id for item in mock.shops()} == {
        DEMO_SHOP_ID,
        *EXAMPLE_SHOP_IDS,
        shop.shop_id,
    }
    platform = mock.create_platform(client_id="my-app", scopes=["read_reviews"])
    assert isinstance(platform, Platform) and platform.scopes == ["read_reviews"]
    assert [item.client_id for item in mock.platforms()] == [
        DEMO_CLIENT_ID,
        *EXAMPLE_CLIENT_IDS,
        "my-app",
    ]
    grant = mock.authorize(shop, platform)
    assert isinstance(grant, Grant) and grant.scope == "read_reviews"
    with mock.client(token=grant.access_token) as http:
        assert http.get("/api/v1/openapi/get_rating").json()["code"] == 0
        assert http.post("/api/v1/openapi/create_review", json={}).json()["code"] == 7
    session = mock.merchant_session(shop)
    assert session.count(".") == 2
    assert _count(mock, shop) == 0
    *_, last = mock.journal()
    assert (last["path"], last["status"], last["auth"]) == (REVIEWS, 200, "ok")


def test_refusals_raise_with_the_control_plane_message(mock: MockTrustoo) -> None:
    with pytest.raises(MockTrustooError) as refused:
        mock.authorize(DEMO_SHOP_ID, "no-such-client")
    assert refused.value.status == 404
    assert "no-such-client" in refused.value.message
    with pytest.raises(MockTrustooError, match="404"):
        mock.control("GET", "/_mock/nowhere")


def test_seed_reset_and_the_clock(mock: MockTrustoo, tmp_path: Path) -> None:
    seed = {"shops": [{"shop_id": "123", "reviews": [{"rating": 5, "author": "Ana"}]}]}
    assert mock.seed(seed)["reviews"] == 1
    seed_file = tmp_path / "more.json"
    seed_file.write_text(json.dumps({"shops": [{"shop_id": "456"}]}))
    assert mock.seed(seed_file)["shops"] == 1
    assert _count(mock, "123") == 1

    mock.advance(3600)
    assert mock.now == FROZEN_AT + 3600
    mock.set_time("2030-01-01T00:00:00Z")
    assert mock.now == 1893456000
    mock.unfreeze()
    time.sleep(0.01)
    assert mock.now > 1893456000
    mock.freeze(at=FROZEN_AT + 5)
    assert mock.now == FROZEN_AT + 5

    mock.reset()
    assert mock.now == FROZEN_AT  # the clock is back too
    assert {item.shop_id for item in mock.shops()} == {DEMO_SHOP_ID, *EXAMPLE_SHOP_IDS}
    mock.reset(empty=True)
    assert mock.shops() == []


def test_signatures_follow_a_moved_clock(mock: MockTrustoo) -> None:
    mock.advance(7 * 24 * 3600)  # far outside the 900 s window of the wall clock
    assert _count(mock, DEMO_SHOP_ID) == 300


def test_async_clients(mock: MockTrustoo) -> None:
    async def both() -> list[int]:
        async with mock.async_client(DEMO_SHOP_ID) as http:
            answers = await asyncio.gather(
                http.get(REVIEWS, params={"page_size": 1}),
                http.get("/api/v1/openapi/get_rating"),
            )
        return [answer.json()["code"] for answer in answers]

    assert asyncio.run(both()) == [0, 0]


def test_a_served_fake_is_plain_http_and_closes_its_port() -> None:
    with MockTrustoo.serve() as served:
        assert served.base_url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{served.base_url}/_mock/health") as answer:
            assert json.load(answer)["status"] == "ok"
        port = int(served.base_url.rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass


def test_clients_of_a_served_fake_share_one_verifying_tls_context() -> None:
    """httpx builds a TLS context per client; a served fake's clients share one, verifying as
    httpx's default would, unless the caller gives TLS options of its own."""

    def context(http: httpx.Client | httpx.AsyncClient) -> ssl.SSLContext:
        return http._transport._pool._ssl_context  # type: ignore[union-attr]

    with MockTrustoo.serve() as served:
        with served.client() as first, served.client(DEMO_SHOP_ID) as second:
            assert context(first) is context(second)
            assert context(first).verify_mode == ssl.CERT_REQUIRED
            assert context(first).check_hostname
            assert second.get(REVIEWS, params={"page_size": 1}).json()["code"] == 0
        other = served.async_client(verify=False)
        assert context(other) is not context(first)
        assert context(other).verify_mode == ssl.CERT_NONE


def test_a_control_token_is_used_by_the_helpers() -> None:
    with MockTrustoo.serve(control_token="s3cret") as served:
        assert served.create_shop().shop_id
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{served.base_url}/_mock/shops")
        assert refused.value.code == 401


def test_the_state_survives_in_a_data_file(tmp_path: Path) -> None:
    data_file = tmp_path / "state.json"
    with MockTrustoo(data_file=data_file) as first:
        shop = first.create_shop(shop_id="42")
    with MockTrustoo(Config(data_file=data_file)) as second:
        assert second.shop("42") == shop


def test_fresh_fakes_are_isolated() -> None:
    with MockTrustoo() as first, MockTrustoo() as second:
        first.create_shop(shop_id="42")
        with pytest.raises(MockTrustooError):
            second.shop("42")


def _contents(fake: Fake) -> dict[str, list[str]]:
    """Every table's documents, whatever their document ids (the empty fake saved its random
    state before the load, the seeded one after)."""
    return {
        name: sorted(json.dumps(document, sort_keys=True) for document in rows.values())
        for name, rows in fake.ctx.store.tables().items()
    }


def test_a_snapshot_start_equals_a_real_load() -> None:
    config = Config(frozen_time=FROZEN_AT, random_seed=7)
    loaded = Fake(config)  # may come from the snapshot cache...
    fresh = Fake(Config(frozen_time=FROZEN_AT, random_seed=7, empty=True))
    assert fresh.seed is None
    seeding.load(fresh.ctx, loaded.seed or {})  # ...this one certainly does not
    assert _contents(loaded) == _contents(fresh)
    assert loaded.ctx.randomness.token() == fresh.ctx.randomness.token()


def test_snapshot_copies_are_private() -> None:
    first = Fake(Config(frozen_time=FROZEN_AT))
    first.ctx.store.update("shops", {"shop_id": DEMO_SHOP_ID}, {"name": "Changed"})
    second = Fake(Config(frozen_time=FROZEN_AT))
    assert second.ctx.store.find_one("shops", shop_id=DEMO_SHOP_ID)["name"] == "Demo Shop"

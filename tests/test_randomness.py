"""The random source (X48) and the instance's own keys (X49): nothing issued is ever in use
already, credentials do not follow from what callers see, and no key is public."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable
from pathlib import Path

import pytest

from tests.helpers import (
    DEMO_ACCESS_TOKEN,
    DEMO_CLIENT_ID,
    DEMO_PRIVATE_TOKEN,
    DEMO_PUBLIC_TOKEN,
    DEMO_SHOP_ID,
    FROZEN_AT,
    CheckedClient,
)
from tests.test_media import credentials, form, oss_error, post
from trustoo_mock import Config, create_app
from trustoo_mock.core.randomness import Randomness
from trustoo_mock.testing import MockTrustoo

NEW_TOKENS = [base64.b64encode(f"fresh-token-{n:04d}".encode()).decode() for n in range(6)]
# What the fake signed with before X49: public, so anyone could forge with them.
OLD_SESSION_KEY = b"trustoo-mock merchant sessions, seed 0"
OLD_POLICY_SECRET = b"trustoo-mock-oss-secret-0001"
INFORMATION = "/api/v1/openapi/get_open_api_information"


class RiggedRandomness(Randomness):
    """Gives the values it is told to, in order: a source at its unluckiest."""

    def __init__(
        self, tokens: Iterable[str] = (), digits: Iterable[str] = (), hex32: Iterable[str] = ()
    ) -> None:
        super().__init__(0, instance_secret=b"rigged")
        self._tokens, self._digits, self._hex32 = iter(tokens), iter(digits), iter(hex32)

    def token(self) -> str:
        return next(self._tokens)

    def digits(self, length: int) -> str:
        return next(self._digits)

    def hex32(self) -> str:
        return next(self._hex32)


def test_a_shop_and_a_grant_never_get_an_id_or_token_in_use(trustoo: MockTrustoo) -> None:
    # Each in-use value first, then a new one: the shop's two tokens, then the grant's.
    tokens = [DEMO_PUBLIC_TOKEN, NEW_TOKENS[0], DEMO_PRIVATE_TOKEN, NEW_TOKENS[1]]
    tokens += [DEMO_ACCESS_TOKEN, NEW_TOKENS[2], NEW_TOKENS[0], NEW_TOKENS[3]]
    trustoo.fake.ctx.randomness = RiggedRandomness(
        tokens=tokens, digits=[DEMO_SHOP_ID, "12345678901"]
    )
    shop = trustoo.create_shop()
    assert (shop.shop_id, shop.public_token, shop.private_token) == (
        "12345678901",
        NEW_TOKENS[0],
        NEW_TOKENS[1],
    )
    grant = trustoo.authorize(shop, DEMO_CLIENT_ID)
    assert (grant.access_token, grant.refresh_token) == (NEW_TOKENS[2], NEW_TOKENS[3])


def test_a_platform_never_gets_a_client_id_or_secret_in_use(trustoo: MockTrustoo) -> None:
    number = len(trustoo.platforms()) + 2  # the one after the platform made here
    taken = trustoo.create_platform(client_id=f"platform-{number}")
    trustoo.fake.ctx.randomness = RiggedRandomness(tokens=[taken.client_secret, NEW_TOKENS[0]])
    platform = trustoo.create_platform()
    assert platform.platform_id == number
    assert (platform.client_id, platform.client_secret) == (f"platform-{number}-2", NEW_TOKENS[0])


def test_a_push_never_reuses_a_request_id(trustoo: MockTrustoo) -> None:
    with trustoo.client(trustoo.shop(DEMO_SHOP_ID)) as http:
        hook = {"topic": "review/created", "url": "http://127.0.0.1:9/hooks"}
        assert http.post("/api/v1/openapi/create_shop_webhook", json=hook).json()["code"] == 0
    review_path = f"/_mock/shops/{DEMO_SHOP_ID}/reviews"
    trustoo.control("POST", review_path, {"rating": 5, "author": "Ann"})
    (first,) = trustoo.deliveries()
    trustoo.fake.ctx.randomness = RiggedRandomness(hex32=[first["request_id"], "f" * 32])
    trustoo.control("POST", review_path, {"rating": 4, "author": "Bo"})
    assert [item["request_id"] for item in trustoo.deliveries()] == [first["request_id"], "f" * 32]


def test_a_source_that_only_repeats_is_an_error_not_a_duplicate(trustoo: MockTrustoo) -> None:
    before = trustoo.shops()
    trustoo.fake.ctx.randomness = RiggedRandomness(tokens=[DEMO_PUBLIC_TOKEN] * 1000)
    with pytest.raises(Exception, match="500"):
        trustoo.create_shop(shop_id="5")
    assert trustoo.shops() == before


def test_without_a_seed_tokens_come_from_the_os_and_ids_from_the_printed_seed() -> None:
    with MockTrustoo(random_seed=None, empty=True) as unseeded:
        seed = unseeded.fake.random_seed
        first = unseeded.create_shop()
    with MockTrustoo(random_seed=seed, empty=True) as seeded:
        again = seeded.create_shop()
    assert first.shop_id == again.shop_id
    assert {first.public_token, first.private_token}.isdisjoint(
        {again.public_token, again.private_token}
    )


def test_fakes_are_seeded_by_default() -> None:
    with MockTrustoo(empty=True) as first, MockTrustoo(empty=True) as second:
        assert first.create_shop() == second.create_shop()


def _jwt(claims: dict[str, object], key: bytes) -> str:
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    signature = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(signature)}"


def test_a_session_signed_with_the_old_public_key_is_refused(client: CheckedClient) -> None:
    claims = {"sub": DEMO_SHOP_ID, "iat": FROZEN_AT, "exp": FROZEN_AT + 3600}
    forged = _jwt({**claims, "typ": "merchant_session"}, OLD_SESSION_KEY)
    answer = client.request("GET", INFORMATION, headers={"Authorization": f"Bearer {forged}"})
    assert answer.json()["code"] == 16
    assert "signature" in answer.json()["message"]


def test_a_policy_signed_with_the_old_public_secret_is_refused(client: CheckedClient) -> None:
    cred = credentials(client)
    key = cred["dir"] + "forged.jpg"
    digest = hmac.new(OLD_POLICY_SECRET, cred["policy"].encode(), hashlib.sha1).digest()
    answer = post(client, form(cred, key, Signature=base64.b64encode(digest).decode()))
    assert oss_error(answer)["Code"] == "SignatureDoesNotMatch"


def test_two_unseeded_fakes_have_different_keys() -> None:
    with MockTrustoo(random_seed=None) as first, MockTrustoo(random_seed=None) as second:
        session = first.merchant_session(DEMO_SHOP_ID)
        with second.client(token=session) as http:
            assert http.get(INFORMATION).json()["code"] == 16


def test_the_keys_are_kept_with_the_data(tmp_path: Path) -> None:
    config = Config(frozen_time=FROZEN_AT, random_seed=None, data_file=tmp_path / "state.json")
    before = CheckedClient(create_app(config))
    session = before.control("POST", f"/_mock/shops/{DEMO_SHOP_ID}/merchant_session").json()
    cred = credentials(before)
    before.app.state.fake.close()
    after = CheckedClient(create_app(config))
    headers = {"Authorization": f"Bearer {session['token']}"}
    assert after.request("GET", INFORMATION, headers=headers).json()["code"] == 0
    assert post(after, form(cred, cred["dir"] + "kept.jpg")).status_code == 204


def test_a_data_file_from_before_generations_still_moves_on(tmp_path: Path) -> None:
    data_file = tmp_path / "state.json"
    with MockTrustoo(empty=True) as fresh:
        first = fresh.create_shop()  # what the stream's start gives
    data_file.write_text(json.dumps({"shops": {"1": {"shop_id": "5", "public_token": "p"}}}))
    with MockTrustoo(empty=True, data_file=data_file) as restarted:
        again = restarted.create_shop()
    assert again.shop_id != first.shop_id
    assert again.public_token != first.public_token

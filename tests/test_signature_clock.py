"""`signature_clock` (issue 21 item 3): with ``wall`` a signed request's Timestamp and a push's
timestamp follow the real time while token lifetimes and schedules follow the fake's clock;
``verify_webhook`` and ``Push.verify`` agree; a millisecond Timestamp is named as such."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from trustoo_mock import MockTrustoo, WebhookReceiver
from trustoo_mock.httpx_auth import TrustooAuth
from trustoo_mock.receiver import Push
from trustoo_mock.testing import Shop
from trustoo_mock.verify import WebhookVerificationError, verify_webhook

TWO_HOURS_AND_A_SECOND = 7201
RATING = "/api/v1/openapi/get_rating"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def _wall_signed_code(fake: MockTrustoo, shop: Shop) -> int:
    """The envelope code of a request signed with the caller's wall clock."""
    with fake.client(auth=TrustooAuth(shop.public_token, shop.private_token)) as http:
        code: int = http.get(RATING).json()["code"]
    return code


def test_with_the_fake_clock_a_moved_clock_refuses_wall_clock_signatures() -> None:
    with MockTrustoo() as fake:
        shop = fake.create_shop()
        fake.advance(TWO_HOURS_AND_A_SECOND)
        assert _wall_signed_code(fake, shop) == 16


def test_with_the_wall_clock_a_moved_clock_accepts_wall_clock_signatures() -> None:
    with MockTrustoo(signature_clock="wall") as fake:
        shop = fake.create_shop()
        fake.advance(TWO_HOURS_AND_A_SECOND)
        assert _wall_signed_code(fake, shop) == 0
        with fake.client(shop) as http:  # the helpers' clients sign with the same clock
            assert http.get(RATING).json()["code"] == 0


def test_with_the_wall_clock_a_frozen_clock_still_checks_against_the_real_time() -> None:
    with MockTrustoo(signature_clock="wall", frozen_time=1_000_000_000) as fake:
        shop = fake.create_shop()
        assert _wall_signed_code(fake, shop) == 0


def test_with_the_wall_clock_token_lifetimes_follow_the_fakes_clock() -> None:
    with MockTrustoo(signature_clock="wall") as fake:
        shop, platform = fake.create_shop(), fake.create_platform()
        grant = fake.authorize(shop, platform, ["read_reviews"])
        with fake.client(token=grant.access_token) as http:
            assert http.get(RATING).json()["code"] == 0
            fake.advance(TWO_HOURS_AND_A_SECOND)
            assert "expired" in http.get(RATING).json()["message"]


def _push_after_advance(fake: MockTrustoo, shop: Shop, receiver: WebhookReceiver) -> Push:
    fake.advance(TWO_HOURS_AND_A_SECOND)
    with fake.client(shop) as http:
        webhook = {"topic": "review/created", "url": receiver.url}
        assert http.post("/api/v1/openapi/create_shop_webhook", json=webhook).json()["code"] == 0
        review = {"rating": 5, "author": "Ana"}
        assert http.post("/api/v1/openapi/create_review", json=review).json()["code"] == 0
    (push,) = receiver.wait_for(1)
    return push


def test_with_the_wall_clock_pushes_are_fresh_by_the_wall_clock(receiver: WebhookReceiver) -> None:
    with MockTrustoo(signature_clock="wall") as fake:
        shop = fake.create_shop()
        push = _push_after_advance(fake, shop, receiver)
    stamped = int(push.header("Open-Trustoo-Webhook-Timestamp") or 0)
    assert abs(stamped - time.time()) < 60
    push.verify(shop.private_token)
    verify_webhook(push.headers, push.body, shop.private_token)


def test_the_two_verifiers_agree_and_take_the_fakes_time(receiver: WebhookReceiver) -> None:
    with MockTrustoo() as fake:
        shop = fake.create_shop()
        push = _push_after_advance(fake, shop, receiver)
        fake_now = fake.now
    with pytest.raises(WebhookVerificationError, match="signature_clock=wall") as by_push:
        push.verify(shop.private_token)
    with pytest.raises(WebhookVerificationError) as by_function:
        verify_webhook(push.headers, push.body, shop.private_token)
    assert str(by_push.value) == str(by_function.value)
    push.verify(shop.private_token, now=fake_now)
    verify_webhook(push.headers, push.body, shop.private_token, now=fake_now)


def _refusal_signed_at(timestamp: int) -> str:
    """The message of a get_rating signed at ``timestamp`` by a fake frozen at 1788840306."""
    with MockTrustoo(frozen_time=1_788_840_306) as fake:
        shop = fake.create_shop()
        stamped = TrustooAuth(shop.public_token, shop.private_token, lambda: timestamp)
        with fake.client(auth=stamped) as http:
            message: str = http.get(RATING).json()["message"]
    return message


def test_a_millisecond_timestamp_is_named_as_such() -> None:
    message = _refusal_signed_at(1_788_840_306_123)
    assert "it looks like milliseconds: Timestamp is Unix seconds (that would be 1788840306)" in (
        message
    )


def test_a_seconds_timestamp_outside_the_window_says_nothing_of_milliseconds() -> None:
    message = _refusal_signed_at(1_788_830_000)
    assert "behind" in message and "milliseconds" not in message


def test_an_unknown_signature_clock_stops_the_start() -> None:
    """Its command line refusals: tests/test_cli.py test_a_bad_setting_stops_serve."""
    with pytest.raises(ValueError, match="signature_clock"):
        MockTrustoo(signature_clock="sundial")


def test_the_ini_option_and_the_marker_choose_the_signature_clock(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(
        """
        [pytest]
        trustoo_signature_clock = wall
        """
    )
    pytester.makepyfile(
        """
        import pytest

        def test_ini(trustoo):
            assert trustoo.config.signature_clock == "wall"

        @pytest.mark.trustoo(signature_clock="fake")
        def test_marker(trustoo):
            assert trustoo.config.signature_clock == "fake"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)

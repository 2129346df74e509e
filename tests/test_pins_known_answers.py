"""Known answers computed here from literal inputs, never through the fake's own signing or
envelope code: a round trip through shared code would hide a mistake made on both sides."""

from __future__ import annotations

import hashlib
import hmac
import json
import re

import pytest

from tests.helpers import DEMO_PRIVATE_TOKEN, FROZEN_AT, CheckedClient, SeedShop, seed_one_shop
from tests.pins import DEMO_SECRET, create_review, empty_fake, fake, subscribe
from tests.receiver import receiver
from trustoo_mock.core import signing
from trustoo_mock.server import envelope
from trustoo_mock.verify import WebhookVerificationError, verify_webhook

PUSH_TIMESTAMP = "1788840306"
PUSH_BODY = b'{"list":[{"id":1,"event_type":"review/created","author":"Zo\xc3\xab"}]}'
REQUEST_ID = re.compile(rb'"request_id":"([0-9a-f]{32})"')


def _hmac_hex(key: str, message: bytes) -> str:
    return hmac.new(key.encode("ascii"), message, hashlib.sha256).hexdigest()


def _push_headers(sign: str, timestamp: str = PUSH_TIMESTAMP) -> dict[str, str]:
    return {"Open-Trustoo-Webhook-Timestamp": timestamp, "Open-Trustoo-Webhook-Sign": sign}


def test_verify_webhook_accepts_the_documented_message_and_nothing_else() -> None:
    good = _hmac_hex(DEMO_PRIVATE_TOKEN, b"timestamp=1788840306|" + PUSH_BODY)
    verify_webhook(_push_headers(good), PUSH_BODY, DEMO_PRIVATE_TOKEN, now=FROZEN_AT)
    with pytest.raises(WebhookVerificationError, match="signature does not match"):
        verify_webhook(_push_headers(good.upper()), PUSH_BODY, DEMO_PRIVATE_TOKEN, now=FROZEN_AT)

    wrong_messages = {
        "body only": PUSH_BODY,
        "timestamp only": b"timestamp=1788840306",
        "no separator": b"timestamp=1788840306" + PUSH_BODY,
        "bare timestamp": b"1788840306|" + PUSH_BODY,
    }
    for label, message in wrong_messages.items():
        forged = _push_headers(_hmac_hex(DEMO_PRIVATE_TOKEN, message))
        with pytest.raises(WebhookVerificationError, match="signature does not match"):
            verify_webhook(forged, PUSH_BODY, DEMO_PRIVATE_TOKEN, now=FROZEN_AT)
            pytest.fail(label)
    for body in (PUSH_BODY + b" ", PUSH_BODY[:-1]):
        with pytest.raises(WebhookVerificationError, match="signature does not match"):
            verify_webhook(_push_headers(good), body, DEMO_PRIVATE_TOKEN, now=FROZEN_AT)
    with pytest.raises(WebhookVerificationError, match="signature does not match"):
        verify_webhook(_push_headers(good), PUSH_BODY, DEMO_SECRET, now=FROZEN_AT)
    with pytest.raises(WebhookVerificationError, match="signature does not match"):
        verify_webhook(_push_headers(good[:-1]), PUSH_BODY, DEMO_PRIVATE_TOKEN, now=FROZEN_AT)


def test_the_push_a_receiver_gets_is_signed_over_timestamp_bar_body() -> None:
    client = fake()
    with receiver() as hook:
        subscribe(client, hook.url)
        create_review(client)
        (push,) = hook.pushes
    timestamp = push.headers["Open-Trustoo-Webhook-Timestamp"]
    assert timestamp == str(FROZEN_AT)
    expected = _hmac_hex(DEMO_PRIVATE_TOKEN, f"timestamp={timestamp}|".encode() + push.body)
    assert push.headers["Open-Trustoo-Webhook-Sign"] == expected
    assert json.loads(push.body)["list"][0]["author"] == "Pin"


def _seeded(client: CheckedClient) -> None:
    seed_one_shop(
        client,
        SeedShop("70000000009", "cGlucy1wdWJsaWM=", "cGlucy1wcml2YXRl", "pins.myshopify.com"),
        products=[{"product_id": "42", "handle": "mug", "title": "Mug"}],
        reviews=[
            {"product_id": "42", "rating": 5, "author": "Zoë"},
            {"product_id": "42", "rating": 4, "author": "Al"},
        ],
    )


def _exact(raw: bytes, template: bytes) -> None:
    """``raw`` equals ``template`` with the answer's own request id put in; the id's shape is
    checked, its value belongs to the random source."""
    found = REQUEST_ID.search(raw)
    assert found is not None, raw
    assert raw == template.replace(b"<RID>", found.group(1))


def _signed_get(client: CheckedClient, path: str, **params: str) -> bytes:
    answer = client.signed(
        "GET",
        path,
        params=params,
        public_token="cGlucy1wdWJsaWM=",
        private_token="cGlucy1wcml2YXRl",
    )
    return bytes(answer.content)


@pytest.mark.parametrize(
    ("params", "template"),
    [
        pytest.param(
            {"product_id": "42"},
            b'{"code":0,"message":"success","time":1788840306,"request_id":"<RID>","data":'
            b'{"rating_value":"4.5","review_count":2,"star1_count":0,"star2_count":0,'
            b'"star3_count":0,"star4_count":1,"star5_count":1}}\n',  # one line for curl (X67)
            id="success",
        ),
        pytest.param(
            {"product_handle": "crème"},
            b'{"code":5,"message":"no product with handle \'cr\xc3\xa8me\' in this shop",'
            b'"time":1788840306,"request_id":"<RID>"}\n',
            id="error-keeps-non-ascii-text-as-utf8",
        ),
    ],
)
def test_the_envelope_bytes_of_get_rating(params: dict[str, str], template: bytes) -> None:
    client = empty_fake()
    _seeded(client)
    _exact(_signed_get(client, "/api/v1/openapi/get_rating", **params), template)


def test_the_same_seed_and_clock_give_the_same_bytes() -> None:
    answers = []
    for _ in range(2):
        client = empty_fake(random_seed=7)
        _seeded(client)
        answers.append(_signed_get(client, "/api/v1/openapi/get_rating", product_id="42"))
    assert answers[0] == answers[1]


def test_the_success_envelope_bytes_of_a_kept_page() -> None:
    client = empty_fake()
    _seeded(client)
    raw = _signed_get(client, "/api/v1/openapi/get_reviews", ratings="1", page="2", page_size="10")
    _exact(
        raw,
        b'{"code":0,"message":"success","time":1788840306,"request_id":"<RID>","data":'
        b'{"page":{"page":2,"page_size":10,"total_page":0,"count":0},"list":[]}}\n',
    )


def test_a_kept_page_keeps_non_ascii_text_as_utf8() -> None:
    client = empty_fake()
    _seeded(client)
    raw = _signed_get(client, "/api/v1/openapi/get_reviews", ratings="5")
    assert b'"author":"Zo\xc3\xab"' in raw
    assert b"\\u00eb" not in raw


def test_a_sign_header_with_undecodable_bytes_is_refused_not_a_crash() -> None:
    # A receiver may hand over header values decoded with surrogateescape.
    headers = _push_headers("\udcff" * 64)
    with pytest.raises(WebhookVerificationError, match="signature does not match"):
        verify_webhook(headers, PUSH_BODY, DEMO_PRIVATE_TOKEN, now=FROZEN_AT)


def test_an_answer_never_carries_nan_or_infinity() -> None:
    # Not JSON: a client's strict parser would choke on the whole answer.
    for number in (float("nan"), float("inf")):
        with pytest.raises(ValueError):
            envelope.encode({"rating": number})


RETIRED_QUERY = [("page", "2"), ("timestamp", "1788840306")]


def _sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_each_known_wrong_scheme_is_named_in_these_words() -> None:
    # The three schemes of public client code, computed here from literal inputs.
    private, public, at = "private-token", "public-token", "1788840306"
    schemes = {
        _sha256_hex(f"page=2&timestamp={at}{private}"): (
            "this is the retired 'SHA-256 with salt' signature (sha256 of the sorted "
            "parameters followed by the private token); Trustoo switched to HMAC-SHA256 in "
            "November 2025"
        ),
        _sha256_hex(f"timestamp={at}{private}"): (
            "this is the retired 'SHA-256 with salt' signature over the timestamp alone"
        ),
        _hmac_hex(private, f"{public}{at}".encode()): (
            "this is HMAC-SHA256 over public token + timestamp; the message is the sorted "
            "query parameters plus timestamp, then '|' and the raw body"
        ),
    }
    for received, words in schemes.items():
        named = signing.recognise_wrong_scheme(received, private, public, RETIRED_QUERY, at)
        assert named == words
    assert signing.recognise_wrong_scheme("0" * 64, private, public, RETIRED_QUERY, at) is None


def test_verify_webhook_tolerates_exactly_its_tolerance_and_says_how_to_fix_the_clock() -> None:
    good = _hmac_hex(DEMO_PRIVATE_TOKEN, b"timestamp=1788840306|" + PUSH_BODY)
    headers = _push_headers(good)
    for now in (FROZEN_AT - 60, FROZEN_AT + 60):
        verify_webhook(headers, PUSH_BODY, DEMO_PRIVATE_TOKEN, now=now, tolerance=60)
    with pytest.raises(WebhookVerificationError) as refused:
        verify_webhook(headers, PUSH_BODY, DEMO_PRIVATE_TOKEN, now=FROZEN_AT + 61, tolerance=60)
    words = str(refused.value)
    assert "61 seconds away from now (tolerance 60)" in words
    assert "if the sender is a fake whose clock was moved, pass now= its time" in words
    assert words.endswith("run it with signature_clock=wall")


def test_a_signature_refusal_shows_the_first_200_characters_of_the_message() -> None:
    body = b"b" * 300
    message = b"timestamp=1788840306|" + body
    with pytest.raises(WebhookVerificationError) as refused:
        verify_webhook(_push_headers("0" * 64), body, DEMO_PRIVATE_TOKEN, now=FROZEN_AT)
    words = str(refused.value)
    shown = f"`{message[:200].decode()}... ({len(message) - 200} more characters)`"
    assert words.startswith("the signature does not match: expected lowercase hex HMAC-SHA256")
    assert shown in words
    assert words.endswith("(shop private token vs platform client secret) and the body unchanged?")

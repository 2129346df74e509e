"""The HTTP status of Trustoo's error envelope (D4 revised, X45): HTTP 200 by default whatever
the code, the mirrored status with ``error_http_status="mirror"``, a number as that number; the
router's answers, the control plane, the object store and the consent page keep their own."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers import DEMO_CLIENT_ID, DEMO_SHOP_ID, FROZEN_AT
from tests.live import live_server
from trustoo_mock import Config, MockTrustoo
from trustoo_mock.config import MIRROR, ErrorHttpStatus
from trustoo_mock.spec.openapi import bundled_spec
from trustoo_mock.testing import Shop

API = "/api/v1/openapi/"
HOOK = {"topic": "review/created", "url": "https://example.com/hook"}
# What each refusal answers: the code, and its HTTP status in each mode.
EXPECTED = {
    "bad signature": (16, {200: 200, MIRROR: 401}),
    "unknown review": (5, {200: 200, MIRROR: 404}),
    "missing scope": (7, {200: 200, MIRROR: 403}),
    "duplicate webhook": (6, {200: 200, MIRROR: 409}),
    "webhook cap": (8, {200: 200, MIRROR: 429}),
}


def refusals(fake: MockTrustoo, shop: Shop) -> dict[str, httpx.Response]:
    """One request per refusal of the issue, against ``shop`` (a webhook cap of 1)."""
    found: dict[str, httpx.Response] = {}
    with fake.client() as anonymous:
        stamp = str(int(fake.now))
        headers = {"Public-Token": shop.public_token, "Timestamp": stamp, "Sign": "0" * 64}
        found["bad signature"] = anonymous.get(API + "get_reviews", headers=headers)
    with fake.client(shop) as signed:
        found["unknown review"] = signed.get(API + "get_review", params={"id": "999999999"})
        assert signed.post(API + "create_shop_webhook", json=HOOK).json()["code"] == 0
        found["duplicate webhook"] = signed.post(API + "create_shop_webhook", json=HOOK)
        other = {**HOOK, "url": "https://example.com/other"}
        found["webhook cap"] = signed.post(API + "create_shop_webhook", json=other)
    platform = fake.create_platform(client_id="narrow", scopes=["read_reviews"])
    grant = fake.authorize(shop, platform)
    with fake.client(token=grant.access_token) as bearer:
        body = {"rating": 5, "author": "A customer"}
        found["missing scope"] = bearer.post(API + "create_review", json=body)
    return found


def make(mode: ErrorHttpStatus | None, how: str) -> MockTrustoo:
    settings: dict[str, Any] = {"frozen_time": FROZEN_AT, "max_webhooks_per_owner": 1}
    if mode is not None:
        settings["error_http_status"] = mode
    return MockTrustoo.serve(**settings) if how == "served" else MockTrustoo(**settings)


@pytest.mark.parametrize("how", ["inprocess", "served"])
@pytest.mark.parametrize("mode", [None, MIRROR], ids=["default", "mirror"])
def test_refusals_carry_the_code_and_the_status_of_the_mode(
    mode: ErrorHttpStatus | None, how: str
) -> None:
    with make(mode, how) as fake:
        found = refusals(fake, fake.create_shop(name="Status Shop"))
    for name, (code, statuses) in EXPECTED.items():
        document = found[name].json()
        expected = statuses[200 if mode is None else mode]
        assert (found[name].status_code, document["code"]) == (expected, code), (name, document)
        assert "data" not in document
    assert "Sign does not match" in found["bad signature"].json()["message"]


def test_a_number_is_the_status_of_every_error_and_success_stays_200() -> None:
    with MockTrustoo(frozen_time=FROZEN_AT, error_http_status=299) as fake, fake.client() as http:
        refused = http.get(API + "get_reviews")
        assert (refused.status_code, refused.json()["code"]) == (299, 16)
    mirrored = MockTrustoo(frozen_time=FROZEN_AT, error_http_status=MIRROR)
    with mirrored, mirrored.client(DEMO_SHOP_ID) as http:
        answered = http.get(API + "get_reviews")
    assert (answered.status_code, answered.json()["code"]) == (200, 0)


@pytest.mark.parametrize("mode", [200, MIRROR, 299])
def test_router_answers_keep_their_status_in_every_mode(mode: ErrorHttpStatus) -> None:
    with MockTrustoo(error_http_status=mode) as fake, fake.client() as http:
        unknown = http.get(API + "no_such_operation")
        assert (unknown.status_code, unknown.json()["code"]) == (404, 5)
        wrong = http.delete(API + "get_reviews")
        assert (wrong.status_code, wrong.json()["code"]) == (405, 3)
        assert "GET" in wrong.headers["allow"]


@pytest.mark.parametrize("path", ["/_mock/snapshots", API + "create_review"])
def test_a_405_lists_the_paths_methods_in_alphabetical_order(path: str) -> None:
    """X9: every method of the path (HEAD wherever GET is), sorted."""
    methods = {method.upper() for method in bundled_spec().document["paths"][path]}
    if "GET" in methods:
        methods.add("HEAD")
    with MockTrustoo() as fake, fake.client() as http:
        wrong = http.request("PATCH", path)
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == ", ".join(sorted(methods))


@pytest.mark.parametrize("mode", [200, MIRROR])
def test_control_plane_object_store_and_consent_page_keep_their_status(
    mode: ErrorHttpStatus,
) -> None:
    with MockTrustoo(error_http_status=mode) as fake, fake.client() as http:
        missing_shop = http.get("/_mock/shops/1")
        assert missing_shop.status_code == 404 and "error" in missing_shop.json()
        upload = http.post("/_storage", data={"key": "mock/a.png"}, files={"file": b"x"})
        assert upload.status_code == 403 and "<Code>AccessDenied</Code>" in upload.text
        query = {"client_id": DEMO_CLIENT_ID, "redirect_uri": "https://elsewhere.example/cb"}
        page = http.get(API + "oauth/authorize", params=query, headers={"Accept": "text/html"})
        assert page.status_code == 403 and "not registered" in page.text
        form = {"client_id": DEMO_CLIENT_ID, "decision": "maybe"}
        malformed = http.post(API + "oauth/authorize", data=form)
        assert (malformed.status_code, malformed.json()["code"]) == (400, 3)


def test_the_served_cli_takes_the_mode_as_flag_and_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused_status(*arguments: str) -> tuple[int, int]:
        with live_server(*arguments) as base_url:
            answer = httpx.get(base_url + API + "get_reviews")
        return answer.status_code, answer.json()["code"]

    assert refused_status() == (200, 16)
    assert refused_status("--error-http-status", "mirror") == (401, 16)
    monkeypatch.setenv("TRUSTOO_MOCK_ERROR_HTTP_STATUS", "mirror")
    assert refused_status() == (401, 16)
    assert refused_status("--error-http-status", "200") == (200, 16)


@pytest.mark.parametrize("wrong", ["mirrored", 99, 600, "", True, "401"])
def test_a_mode_is_mirror_or_a_status(wrong: Any) -> None:
    with pytest.raises(ValueError, match="error_http_status"):
        Config(error_http_status=wrong)


def test_every_trustoo_operation_documents_errors_in_http_200() -> None:
    """What the default sends must be in the spec: each 200 takes the error envelope."""
    refusal = {"code": 16, "message": "authentication failed", "time": 1, "request_id": "0" * 32}
    checked = []
    for operation in bundled_spec().implemented():
        answers = operation.raw["responses"].get("200", {}).get("content", {})
        if not operation.path.startswith(API) or "application/json" not in answers:
            continue
        validator = operation.response_validator(200)
        assert validator is not None, operation.operation_id
        validator(refusal)
        checked.append(operation.operation_id)
    assert len(checked) > 20

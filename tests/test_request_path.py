"""What the short cuts of a request's way through the app keep the same (issue 13's
performance goal, docs/performance.md): the base URL handed to handlers follows each
request's own Host, scheme and root path (it is remembered per such combination), and the
body is read the same with or without the deadline (X126)."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from starlette.requests import Request

from tests.helpers import DEMO_CLIENT_ID, DEMO_PRIVATE_TOKEN, DEMO_PUBLIC_TOKEN, FROZEN_AT
from tests.pins import AUTHORIZE, CALLBACK
from trustoo_mock import Config, create_app
from trustoo_mock.core.signing import signed_headers

AUTHORIZE_URL = "/api/v1/openapi/get_oauth_authorize_url"
CREATE = "/api/v1/openapi/create_review"
REVIEW = b'{"product_id":"8000000000001","rating":5,"author":"Ann","content":"Fine."}'

HELD_TOO_LONG = 10.0

Message = dict[str, Any]


def _scope(
    path: str, query: str = "", headers: list[tuple[bytes, bytes]] | None = None, **overrides: Any
) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers or [],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8787),
    }
    scope.update(overrides)
    return scope


def _call(app: Any, scope: dict[str, Any], messages: list[Message] | None = None) -> Any:
    """The envelope ``app`` answers for ``scope``; ``messages`` are what ``receive`` gives,
    in order, and then nothing ever again."""
    waiting = list(messages or [{"type": "http.request", "body": b"", "more_body": False}])
    sent: list[bytes] = []

    async def receive() -> Message:
        if waiting:
            return waiting.pop(0)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body":
            sent.append(message.get("body", b""))

    # Far longer than any deadline the tests set: a request held past it is a failure.
    asyncio.run(asyncio.wait_for(app(scope, receive, send), HELD_TOO_LONG))
    return json.loads(b"".join(sent))


def _starlette_base_url(scope: dict[str, Any]) -> str:
    return str(Request(scope).base_url).rstrip("/")


@pytest.mark.parametrize(
    "host, overrides",
    [
        (b"localhost:8080", {}),
        (b"127.0.0.1", {}),
        (b"localhost:8080", {"scheme": "https"}),
        (b"localhost", {"root_path": "/mock"}),
        (None, {"server": ("::1", 80)}),
        (None, {"server": ("127.0.0.1", 8443), "scheme": "https"}),
        (b"[::1]:9000", {"app_root_path": "/outer", "root_path": "/outer/inner"}),
    ],
)
def test_the_base_url_a_handler_gets_is_starlettes_for_each_request(
    host: bytes | None, overrides: dict[str, Any]
) -> None:
    app = create_app(Config(frozen_time=FROZEN_AT))
    query = urlencode({"client_id": DEMO_CLIENT_ID, "redirect_uri": CALLBACK})
    # The same app first answers another Host, so a remembered base URL would show here.
    other = _scope(AUTHORIZE_URL, query, [(b"host", b"localhost:1")])
    assert _call(app, other)["data"]["authorize_url"].startswith("http://localhost:1/")
    headers = [] if host is None else [(b"host", host)]
    scope = _scope(AUTHORIZE_URL, query, headers, **overrides)
    answer = _call(app, scope)
    assert answer["code"] == 0, answer
    url = answer["data"]["authorize_url"]
    assert url.startswith(_starlette_base_url(scope) + AUTHORIZE + "?")
    assert urlsplit(url).path.endswith(AUTHORIZE)


def _signed_create(http_version: str, announced: bool) -> dict[str, Any]:
    headers = signed_headers(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, FROZEN_AT, (), REVIEW)
    raw = [(b"host", b"127.0.0.1:8787"), (b"content-type", b"application/json")]
    raw += [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    if announced:
        raw.append((b"content-length", str(len(REVIEW)).encode()))
    return _scope(CREATE, "", raw, method="POST", http_version=http_version)


@pytest.mark.parametrize("http_version", ["1.1", "2"])
def test_a_body_without_content_length_is_still_read_in_every_chunk(http_version: str) -> None:
    app = create_app(Config(frozen_time=FROZEN_AT))
    halves = [REVIEW[:20], REVIEW[20:]]
    messages = [
        {"type": "http.request", "body": halves[0], "more_body": True},
        {"type": "http.request", "body": halves[1], "more_body": False},
    ]
    answer = _call(app, _signed_create(http_version, announced=False), messages)
    assert answer["code"] == 0, answer
    assert answer["data"]["author"] == "Ann"


@pytest.mark.parametrize("http_version, announced", [("1.1", True), ("2", False), ("2", True)])
def test_a_body_that_may_follow_and_never_comes_meets_the_deadline(
    http_version: str, announced: bool
) -> None:
    app = create_app(Config(frozen_time=FROZEN_AT, body_timeout=0.05))
    first = [{"type": "http.request", "body": REVIEW[:10], "more_body": True}]
    answer = _call(app, _signed_create(http_version, announced), first)
    assert answer["code"] == 3
    assert "did not arrive within 0.05 seconds" in answer["message"]

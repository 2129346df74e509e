"""Test helpers: a client that signs like a shop and checks every response against the spec."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from datetime import UTC, datetime
from typing import Any, NamedTuple
from urllib.parse import urlencode, urlsplit

import httpx
from starlette.applications import Starlette

from trustoo_mock.config import MIRROR, ErrorHttpStatus
from trustoo_mock.core.errors import Code, status_of
from trustoo_mock.core.signing import parse_query, signed_headers
from trustoo_mock.server.inprocess import RawResponse, asgi_request
from trustoo_mock.server.transports import InProcessTransport
from trustoo_mock.spec.openapi import Spec, bundled_spec
from trustoo_mock.testing import MockTrustoo

DEMO_SHOP_ID = "70000000001"
DEMO_PUBLIC_TOKEN = "ZGVtby1wdWJsaWMtMDAwMQ=="
DEMO_PRIVATE_TOKEN = "ZGVtby1wcml2YXRlLTAwMQ=="
DEMO_ACCESS_TOKEN = "ZGVtby1hY2Nlc3MtMDAwMQ=="
DEMO_CLIENT_ID = "demo-platform"
# The demo data also holds the identities the docs' examples use (scripts/generate_demo.py).
EXAMPLE_SHOP_IDS = ("72738668786", "59730165893")
EXAMPLE_CLIENT_IDS = ("trustwill", "instafeed")
FROZEN_AT = 1788840306
_SCHEMAS = bundled_spec().document["components"]["schemas"]
# Every scope and webhook topic, in the spec's order: the code's own lists must agree with them.
SCOPES: list[str] = _SCHEMAS["Scope"]["enum"]
TOPICS: list[str] = _SCHEMAS["WebhookTopic"]["enum"]


def iso(instant: float) -> str:
    """Trustoo's ISO 8601 UTC form of a Unix time."""
    return datetime.fromtimestamp(int(instant), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def compact(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def grant_token(
    client: CheckedClient, scopes: list[str] | None = None, client_id: str = DEMO_CLIENT_ID
) -> str:
    """An access token the control plane issues platform ``client_id`` for the demo shop, with
    ``scopes`` (None: every scope the platform may ask for)."""
    body: dict[str, Any] = {"client_id": client_id}
    if scopes is not None:
        body["scopes"] = scopes
    response = client.control("POST", f"/_mock/shops/{DEMO_SHOP_ID}/authorizations", body)
    assert response.status_code == 201, response.json()
    token = response.json()["access_token"]
    assert isinstance(token, str) and token
    return token


def refused_for_scope(
    client: CheckedClient, method: str, path: str, scope: str, body: Any = None
) -> None:
    """Called with a token granted only read_reviews, ``path`` answers code 7 naming ``scope``
    (in HTTP 200, the default)."""
    response = client.bearer(method, path, grant_token(client, ["read_reviews"]), body=body)
    assert (response.status_code, response.json()["code"]) == (200, 7), response.json()
    assert scope in response.json()["message"]


class SeedShop(NamedTuple):
    """Who a test's seeded shop is: its id, tokens and (when it matters) domain."""

    shop_id: str
    public_token: str
    private_token: str
    myshopify_domain: str | None = None

    def document(self, **tables: Any) -> dict[str, Any]:
        """The shop as a fixtures file's ``shops`` holds it, with its ``tables``."""
        fields = {name: value for name, value in self._asdict().items() if value is not None}
        return fields | tables


# The shop tests seed beside the demo's.
SECOND_SHOP = SeedShop(
    "70000000002", "second-public", "second-private", "second-shop.myshopify.com"
)


def seed_one_shop(client: CheckedClient, shop: SeedShop, **tables: Any) -> dict[str, Any]:
    """Seed ``shop`` with its ``tables`` (as in the fixtures format) through ``POST
    /_mock/seed``; the counts it answers."""
    response = client.control("POST", "/_mock/seed", {"shops": [shop.document(**tables)]})
    assert response.status_code == 201, response.json()
    counts: dict[str, Any] = response.json()
    return counts


def _in_this_thread(app: Starlette) -> InProcessTransport:
    """Each request answered by ``app`` on a new event loop in the calling thread, isolated
    as Starlette's TestClient isolates them, without its portal thread: TestClient hands every
    message of a request to another thread (4 ms a request on a 2-core machine; this 0.5 ms).
    The request comes to ``testserver``, as TestClient's do: its ``Host`` is checked as a
    served fake's is. An error in the app is raised in the test."""

    def submit(
        method: str, target: bytes, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> concurrent.futures.Future[RawResponse]:
        answered: concurrent.futures.Future[RawResponse] = concurrent.futures.Future()
        answer = asgi_request(app, method, target, headers, body, server=("testserver", 80))
        answered.set_result(asyncio.run(answer))
        return answered

    return InProcessTransport(submit)


class CheckedClient:
    """Wraps an in-process client of ``app``, or an HTTP client of a live ``server``: every response
    is checked against openapi.yaml.

    A 5xx, a response outside the envelope, or a body that does not match the operation's
    response schema fails the test on the spot. Against a live server each call also waits
    for the server to go idle, so webhook pushes are done when it returns, as in process.
    """

    def __init__(self, app: Starlette, server: MockTrustoo | None = None) -> None:
        self.app = app
        self.spec: Spec = app.state.spec
        self.server = server
        self.http: httpx.Client
        if server is None:
            self.http = httpx.Client(
                transport=_in_this_thread(app), base_url="http://testserver", follow_redirects=False
            )
        else:
            self.http = server.client(follow_redirects=False)

    @property
    def now(self) -> int:
        return int(self.app.state.fake.ctx.clock.now_int())

    def request(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        response = self.http.request(method, path, content=content, headers=headers or {})
        if self.server is not None:
            self.server.wait_idle()
        check_response(
            self.spec,
            method,
            path,
            response.status_code,
            response.content,
            response.headers.get("content-type", ""),
            self.app.state.fake.config.error_http_status,
        )
        return response

    def signed(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | list[tuple[str, str]] | None = None,
        body: Any = None,
        public_token: str = DEMO_PUBLIC_TOKEN,
        private_token: str = DEMO_PRIVATE_TOKEN,
        timestamp: int | None = None,
    ) -> Any:
        query = urlencode(params or {})
        raw = body if isinstance(body, bytes) else (b"" if body is None else compact(body))
        stamp = self.now if timestamp is None else timestamp
        headers = signed_headers(public_token, private_token, stamp, parse_query(query), raw)
        if raw:
            headers["Content-Type"] = "application/json"
        url = f"{path}?{query}" if query else path
        return self.request(method, url, content=raw or None, headers=headers)

    def bearer(
        self, method: str, path: str, token: str, *, params: Any = None, body: Any = None
    ) -> Any:
        query = urlencode(params or {})
        raw = b"" if body is None else compact(body)
        headers = {"Authorization": f"Bearer {token}"}
        if raw:
            headers["Content-Type"] = "application/json"
        url = f"{path}?{query}" if query else path
        return self.request(method, url, content=raw or None, headers=headers)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        raw = None if body is None else compact(body)
        headers = {"Content-Type": "application/json"} if raw else {}
        return self.request(method, path, content=raw, headers=headers)


def check_response(
    spec: Spec,
    method: str,
    url: str,
    status: int,
    content: bytes,
    content_type: str,
    error_http_status: ErrorHttpStatus,
) -> None:
    path = urlsplit(url).path
    assert status < 500, f"{method} {path} answered {status}: {content[:500]!r}"
    operation = spec.find(method.upper(), path)
    if not content_type.startswith("application/json"):
        assert operation is not None and not operation.planned, f"{method} {path}: {status}"
        documented = operation.raw["responses"].get(str(status))
        assert documented is not None, f"{operation.operation_id} does not document {status}"
        media = content_type.split(";")[0].strip()
        declared = documented.get("content", {})
        family = media.split("/")[0] + "/*"
        assert not content or {media, family, "*/*"} & set(declared), (status, media)
        return
    document = json.loads(content)
    # An internal error is HTTP 200 by default (D4 revised): the code tells it.
    internal = isinstance(document, dict) and document.get("code") == Code.INTERNAL
    assert not internal, f"{method} {path} answered code 13: {content[:500]!r}"
    if operation is None or operation.planned:
        if path.startswith("/_mock"):
            assert set(document) == {"error"}, document
        else:
            assert set(document) == {"code", "message", "time", "request_id"}, document
        return
    if "Mock Control" not in operation.raw.get("tags", ()):
        assert set(document) >= {"code", "message", "time", "request_id"}, document
        mode = MIRROR if operation.raw.get("x-fake-only") else error_http_status
        assert status == status_of(Code(document["code"]), mode), (status, document)
    validator = operation.response_validator(status)
    assert validator is not None, f"{operation.operation_id} does not document status {status}"
    validator(document)

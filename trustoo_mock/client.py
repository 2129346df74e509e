"""Signing helpers for clients of Trustoo (the real one or this fake)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from trustoo_mock.clock import Clock
from trustoo_mock.signing import parse_query, signed_headers


class _PreparedRequest(Protocol):
    url: str | None
    body: bytes | str | None
    headers: Any


class RequestsSigner:
    """A ``requests`` auth callable that signs each prepared request as a shop (D1).

    It signs what is actually sent: the final query string and the exact body bytes.
    ``now`` gives the Timestamp; pass the fake's clock when it is frozen or moved.
    """

    def __init__(
        self, public_token: str, private_token: str, now: Callable[[], int] | None = None
    ) -> None:
        self.public_token = public_token
        self.private_token = private_token
        self.now = now or Clock().now_int

    def __call__(self, request: _PreparedRequest) -> _PreparedRequest:
        body = request.body or b""
        raw = body.encode("utf-8") if isinstance(body, str) else body
        query = parse_query(urlsplit(request.url or "").query)
        request.headers.update(
            signed_headers(self.public_token, self.private_token, self.now(), query, raw)
        )
        return request

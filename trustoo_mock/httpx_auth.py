"""``httpx.Auth`` classes for Trustoo (the real one or this fake); re-exported by ``client``.

This module imports httpx, which is an optional extra (``pip install trustoo-mock[client]``),
so nothing else in the package imports it eagerly.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

from trustoo_mock.core.signing import ShopSigner

__all__ = ["BearerAuth", "TrustooAuth"]


class TrustooAuth(ShopSigner, httpx.Auth):
    """Signs every request as a shop (D1): Public-Token, Timestamp and Sign headers.

    It signs what is actually sent, the final query string and the exact body bytes, so
    params, JSON and form bodies all work. ``now`` gives the Timestamp (default: the wall
    clock); pass the fake's clock when it is frozen or moved.
    """

    requires_request_body = True

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(self.headers_for(request.url.query, request.content))
        yield request


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer <token>``: a platform's access token, or a merchant session."""

    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request

"""Signing helpers for clients of Trustoo (the real one or this fake).

``TrustooAuth`` (sign as a shop) and ``BearerAuth`` are ``httpx.Auth`` classes; httpx is an
optional extra (``pip install trustoo-mock[client]``), so they load on first use.
``RequestsSigner`` is the same signer for ``requests``; ``bearer_headers`` suits any client.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from trustoo_mock.core.signing import ShopSigner

if TYPE_CHECKING:
    from trustoo_mock.httpx_auth import BearerAuth, TrustooAuth

__all__ = ["BearerAuth", "RequestsSigner", "TrustooAuth", "bearer_headers"]
_HTTPX_AUTH = ("BearerAuth", "TrustooAuth")


def __getattr__(name: str) -> Any:
    if name in _HTTPX_AUTH:
        try:
            httpx_auth = import_module("trustoo_mock.httpx_auth")
        except ModuleNotFoundError as missing:
            raise ImportError(
                f"{name} needs httpx (the client extra): pip install httpx"
            ) from missing
        return getattr(httpx_auth, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def bearer_headers(token: str) -> dict[str, str]:
    """The header a platform sends with its access token (or a merchant its session)."""
    return {"Authorization": f"Bearer {token}"}


class _PreparedRequest(Protocol):
    url: str | None
    body: bytes | str | None
    headers: Any


class RequestsSigner(ShopSigner):
    """A ``requests`` auth callable that signs each prepared request as a shop (D1).

    It signs what is actually sent: the final query string and the exact body bytes.
    ``now`` gives the Timestamp; pass the fake's clock when it is frozen or moved.
    """

    def __call__(self, request: _PreparedRequest) -> _PreparedRequest:
        body = request.body or b""
        raw = body.encode("utf-8") if isinstance(body, str) else body
        request.headers.update(self.headers_for(urlsplit(request.url or "").query, raw))
        return request

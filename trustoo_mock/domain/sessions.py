"""Merchant sessions (D11): short HS256 JWTs the fake signs for a shop's merchant."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from trustoo_mock.core.errors import FakeError
from trustoo_mock.domain.context import Context

SESSION_TTL = 24 * 3600
_HEADER = {"alg": "HS256", "typ": "JWT"}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(ctx: Context) -> bytes:
    """This instance's own key (D11, X49): no one outside the fake can sign a session."""
    return ctx.randomness.signing_key("merchant sessions")


def _signature(ctx: Context, signing_input: str) -> str:
    return _b64(hmac.new(_key(ctx), signing_input.encode("ascii"), hashlib.sha256).digest())


def issue(ctx: Context, shop_id: str) -> dict[str, Any]:
    now = ctx.clock.now_int()
    claims = {"sub": shop_id, "iat": now, "exp": now + SESSION_TTL, "typ": "merchant_session"}
    head = _b64(json.dumps(_HEADER, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{head}.{body}"
    return {"token": f"{signing_input}.{_signature(ctx, signing_input)}", "expires_in": SESSION_TTL}


def verify(ctx: Context, token: str) -> str:
    """The shop id of a valid session token, else code 16 saying why."""
    parts = token.split(".")
    if len(parts) != 3 or not token.isascii():
        raise FakeError("bad_merchant_session", reason="not a JWT")
    signing_input = f"{parts[0]}.{parts[1]}"
    expected = _signature(ctx, signing_input).encode("ascii")
    if not hmac.compare_digest(expected, parts[2].encode("utf-8", "surrogateescape")):
        raise FakeError("bad_merchant_session", reason="the signature does not match")
    try:
        claims = json.loads(_unb64(parts[1]))
        shop_id, expires = str(claims["sub"]), int(claims["exp"])
    except (ValueError, KeyError, TypeError):
        raise FakeError("bad_merchant_session", reason="unreadable claims") from None
    if ctx.clock.now() >= expires:
        raise FakeError("bad_merchant_session", reason="it expired")
    if ctx.store.find_one("shops", shop_id=shop_id) is None:
        raise FakeError("bad_merchant_session", reason=f"shop {shop_id} no longer exists")
    return shop_id

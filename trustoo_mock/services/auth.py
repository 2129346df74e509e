"""Authentication (D1-D3): HMAC-signed shop requests and OAuth bearer tokens."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from trustoo_mock.core import signing
from trustoo_mock.core.clock import rfc3339
from trustoo_mock.core.errors import FakeError
from trustoo_mock.core.principal import ALL_SCOPES, SHOP_PLATFORM_ID, Principal
from trustoo_mock.domain import oauth, sessions, tenants
from trustoo_mock.domain.context import Context

HMAC_HEADERS = ("public-token", "timestamp", "sign")
CREDENTIAL_HEADERS = frozenset({*HMAC_HEADERS, "authorization"})
_UNIX_SECONDS = re.compile(r"[0-9]{1,20}")
MILLISECOND_DIGITS = 13  # Unix milliseconds from 2001 to 2286


HMAC_SCHEMES = frozenset({"PublicToken", "Timestamp", "Sign"})
BEARER_SCHEME = frozenset({"OAuthBearer"})
MERCHANT_SCHEME = frozenset({"MerchantSession"})
ANONYMOUS: frozenset[str] = frozenset()


def authenticate(
    ctx: Context,
    security: tuple[frozenset[str], ...],
    headers: Mapping[str, str],
    query: list[tuple[str, str]],
    body: bytes,
) -> Principal | None:
    """The caller, by the ways the operation's ``security`` accepts; None when it allows
    anonymous callers and none identified itself. ``headers`` have lowercase names.

    A non-empty Authorization header means bearer (D3): an OAuth access token, or a merchant
    session where the operation takes those.
    """
    authorization = headers.get("authorization", "").strip()
    if MERCHANT_SCHEME in security:
        if authorization:
            return _merchant(ctx, authorization)
        if ANONYMOUS in security:
            return None
        raise FakeError("merchant_session_required")
    if authorization:
        if BEARER_SCHEME not in security:
            raise FakeError("missing_auth_headers", missing="Public-Token, Timestamp, Sign")
        return _bearer(ctx, authorization)
    if HMAC_SCHEMES not in security:
        raise FakeError("bearer_only")
    return _hmac(ctx, headers, query, body)


def refuse_repeated_credentials(header_names: Iterable[str]) -> None:
    """Code 16 when a credential header comes more than once: which one counts would be a
    guess, and a proxy may have added one."""
    seen: set[str] = set()
    for name in header_names:
        if name in CREDENTIAL_HEADERS and name in seen:
            raise FakeError("repeated_auth_header", name=name.title())
        seen.add(name)


def _hmac(
    ctx: Context, headers: Mapping[str, str], query: list[tuple[str, str]], body: bytes
) -> Principal:
    missing = [name for name in HMAC_HEADERS if not headers.get(name, "").strip()]
    if missing:
        names = ", ".join(name.title() for name in missing)
        raise FakeError("missing_auth_headers", missing=names)
    public_token = headers["public-token"].strip()
    timestamp = headers["timestamp"].strip()
    if not _UNIX_SECONDS.fullmatch(timestamp):
        raise FakeError("bad_timestamp", value=timestamp)
    for key, value in query:
        if key == "timestamp" and value != timestamp:
            raise FakeError("timestamp_mismatch", query_value=value, header_value=timestamp)
    now = ctx.signature_time()
    delta = int(timestamp) - now
    window = ctx.config.timestamp_window
    if abs(delta) > window:
        raise FakeError(
            "timestamp_outside_window",
            timestamp=timestamp,
            delta=abs(delta),
            direction="ahead of" if delta > 0 else "behind",
            now=now,
            window=window,
            hint=_milliseconds_hint(timestamp, now, window),
        )
    signing_key = tenants.signing_key(ctx, public_token)
    if signing_key is None:
        raise _unknown_public_token(ctx, public_token)
    shop_id, private_token = signing_key
    message = signing.string_to_sign(query, timestamp, body)
    received = headers["sign"]
    if not signing.signature_matches(private_token, message, received):
        raise _sign_refusal(private_token, public_token, query, timestamp, message, received)
    return Principal(shop_id, SHOP_PLATFORM_ID, ALL_SCOPES)


def _milliseconds_hint(timestamp: str, now: int, window: int) -> str:
    """Name the common slip of sending milliseconds (JavaScript's Date.now())."""
    if len(timestamp) == MILLISECOND_DIGITS or abs(int(timestamp) // 1000 - now) <= window:
        return (
            "; it looks like milliseconds: Timestamp is Unix seconds "
            f"(that would be {int(timestamp) // 1000})"
        )
    return ""


def _unknown_public_token(ctx: Context, public_token: str) -> FakeError:
    """No shop has this Public-Token; a secret sent in its place is named, never repeated."""
    kind = tenants.secret_kind(ctx, public_token)
    if kind == tenants.PRIVATE_TOKEN:
        return FakeError("tokens_swapped")
    if kind is not None:
        return FakeError("public_token_is_secret", kind=kind)
    return FakeError("unknown_public_token", token=public_token)


def _sign_refusal(
    private_token: str,
    public_token: str,
    query: list[tuple[str, str]],
    timestamp: str,
    message: bytes,
    received: str,
) -> FakeError:
    """Why ``received`` is not the Sign: only its form (uppercase or padded, D1), or its value."""
    flaws = _form_flaws(received)
    if flaws and signing.signature_matches(private_token, message, received.strip().lower()):
        repair = " and ".join(_REPAIRS[flaw] for flaw in flaws)
        return FakeError("sign_not_lowercase_hex", repair=repair)
    hints = []
    known = signing.recognise_wrong_scheme(received, private_token, public_token, query, timestamp)
    if known:
        hints.append(known)
    if flaws:
        hints.append(
            "Sign must also be lowercase hex with nothing around it, and the one sent has "
            + " and ".join(flaws)
        )
    return FakeError(
        "bad_signature",
        message=signing.printable(message),
        hint="".join(f"; {hint}" for hint in hints),
    )


_UPPERCASE, _PADDED = "uppercase letters", "spaces around it"
_REPAIRS = {_UPPERCASE: "lowercased", _PADDED: "trimmed"}


def _form_flaws(received: str) -> list[str]:
    trimmed = received.strip()
    flaws = [_UPPERCASE] if trimmed != trimmed.lower() else []
    return flaws + ([_PADDED] if trimmed != received else [])


def _bearer_token(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise FakeError("bad_authorization_header")
    return token


def _merchant(ctx: Context, authorization: str) -> Principal:
    shop_id = sessions.verify(ctx, _bearer_token(authorization))
    return Principal(shop_id, SHOP_PLATFORM_ID, ALL_SCOPES)


def _bearer(ctx: Context, authorization: str) -> Principal:
    token = _bearer_token(authorization)
    grant = oauth.grant_by_access_token(ctx, token)
    if grant is None:
        raise FakeError("unknown_access_token")
    if grant["revoked"]:
        raise FakeError("access_token_revoked")
    now = ctx.clock.now()
    if now >= grant["access_expires_at"]:
        raise FakeError(
            "access_token_expired",
            expired_at=rfc3339(grant["access_expires_at"]),
            ago=int(now - grant["access_expires_at"]),
        )
    return Principal(str(grant["shop_id"]), int(grant["platform_id"]), frozenset(grant["scopes"]))


def require_scopes(principal: Principal, scopes: tuple[str, ...]) -> None:
    for scope in scopes:
        if scope not in principal.scopes:
            raise FakeError("insufficient_scope", scope=scope, granted=principal.granted())

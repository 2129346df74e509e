"""The string-to-sign and the signer (D1), shared by verification, webhook pushes and clients.

message = the query parameters as received (decoded values, keys as sent) plus ``timestamp``,
sorted by key then value, joined ``k=v`` with ``&``; when the body is not empty, ``|`` and the
raw body bytes follow. ``Sign`` is the lowercase hex HMAC-SHA256 of the message keyed with the
shop's private token.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl

from trustoo_mock.core.clock import Clock

QueryPairs = list[tuple[str, str]]


def parse_query(raw_query: str | bytes) -> QueryPairs:
    """Decode a raw query string into (key, value) pairs, keeping order, blanks and repeats."""
    text = raw_query.decode("latin-1") if isinstance(raw_query, bytes) else raw_query
    if "%" not in text and "+" not in text:
        # Nothing to decode: parse_qsl's own split, without its decoding machinery (every
        # signed request comes through here).
        return [
            (key, value)
            for key, _, value in (field.partition("=") for field in text.split("&") if field)
        ]
    return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace")


def string_to_sign(query: Iterable[tuple[str, str]], timestamp: str, body: bytes = b"") -> bytes:
    """The exact bytes the signature covers. A ``timestamp`` pair in ``query`` is replaced."""
    pairs = [(key, value) for key, value in query if key != "timestamp"]
    pairs.append(("timestamp", timestamp))
    message = "&".join(f"{key}={value}" for key, value in sorted(pairs)).encode("utf-8")
    if body:
        message += b"|" + body
    return message


def sign(key: str, message: bytes) -> str:
    # The one-shot digest: the same bytes as an ``hmac.new`` object, without building one.
    return hmac.digest(key.encode("utf-8"), message, "sha256").hex()


def _as_bytes(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogateescape")


def signature_matches(key: str, message: bytes, received: str) -> bool:
    """Constant-time comparison of the value exactly as received: lowercase hex, nothing
    around it (D1). A fake must not pass what Trustoo may refuse."""
    return hmac.compare_digest(sign(key, message).encode("ascii"), _as_bytes(received))


def signed_headers(
    public_token: str,
    private_token: str,
    timestamp: int,
    query: Iterable[tuple[str, str]] = (),
    body: bytes = b"",
) -> dict[str, str]:
    """The three headers a shop sends with an HMAC-signed request."""
    message = string_to_sign(query, str(timestamp), body)
    return {
        "Public-Token": public_token,
        "Timestamp": str(timestamp),
        "Sign": sign(private_token, message),
    }


class ShopSigner:
    """A shop's two tokens and where its Timestamp comes from (default: the wall clock): what
    the clients' signers (httpx, requests) share. Pass the fake's clock when it is frozen or
    moved."""

    def __init__(
        self, public_token: str, private_token: str, now: Callable[[], int] | None = None
    ) -> None:
        self.public_token = public_token
        self.private_token = private_token
        self.now = now or Clock().now_int

    def headers_for(self, raw_query: str | bytes, body: bytes) -> dict[str, str]:
        """The three headers for a request with this raw query string and these body bytes."""
        query = parse_query(raw_query)
        return signed_headers(self.public_token, self.private_token, self.now(), query, body)


def webhook_message(timestamp: str, body: bytes) -> bytes:
    """What a webhook push signs: ``timestamp=<ts>|<body>`` (D12)."""
    return string_to_sign((), timestamp, body)


def printable(message: bytes, limit: int = 4000) -> str:
    """The message as text for an error explanation, cut at ``limit`` characters."""
    text = message.decode("utf-8", errors="backslashreplace")
    if len(text) > limit:
        return text[:limit] + f"... ({len(text) - limit} more characters)"
    return text


def recognise_wrong_scheme(
    received: str,
    private_token: str,
    public_token: str,
    query: Iterable[tuple[str, str]],
    timestamp: str,
) -> str | None:
    """Name a known wrong signing scheme when ``received`` was made with it, else None.

    Public client code shows two: the retired "SHA-256 with salt" (sorted params, private
    token appended, plain sha256) and a guessed HMAC over public token + timestamp.
    """
    candidate = _as_bytes(received.strip().lower())
    pairs = sorted([*((k, v) for k, v in query if k != "timestamp"), ("timestamp", timestamp)])
    joined = "&".join(f"{key}={value}" for key, value in pairs)
    salted = hashlib.sha256((joined + private_token).encode("utf-8")).hexdigest()
    if hmac.compare_digest(salted.encode("ascii"), candidate):
        return (
            "this is the retired 'SHA-256 with salt' signature (sha256 of the sorted "
            "parameters followed by the private token); Trustoo switched to HMAC-SHA256 in "
            "November 2025"
        )
    salted_timestamp_only = hashlib.sha256(
        (f"timestamp={timestamp}" + private_token).encode("utf-8")
    ).hexdigest()
    if hmac.compare_digest(salted_timestamp_only.encode("ascii"), candidate):
        return "this is the retired 'SHA-256 with salt' signature over the timestamp alone"
    guessed = sign(private_token, (public_token + timestamp).encode("utf-8"))
    if hmac.compare_digest(guessed.encode("ascii"), candidate):
        return (
            "this is HMAC-SHA256 over public token + timestamp; the message is the sorted "
            "query parameters plus timestamp, then '|' and the raw body"
        )
    return None

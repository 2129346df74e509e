"""For a webhook receiver: check that a push really comes from Trustoo (or this fake)."""

from __future__ import annotations

import time
from collections.abc import Mapping

from trustoo_mock.core import signing

__all__ = ["WebhookVerificationError", "verify_webhook"]

TIMESTAMP = "open-trustoo-webhook-timestamp"
SIGN = "open-trustoo-webhook-sign"
DEFAULT_TOLERANCE = 900


class WebhookVerificationError(ValueError):
    """The push is not authentic; the message says exactly why."""


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes,
    key: str,
    *,
    now: float | None = None,
    tolerance: int | None = DEFAULT_TOLERANCE,
) -> None:
    """Raise WebhookVerificationError unless ``body`` is signed with ``key`` (D12).

    ``key`` is the shop's private token for the shop's own webhooks, or the platform's client
    secret for a platform's. The signed message is ``timestamp=<ts>|<raw body>``; pass the
    body bytes exactly as received. ``tolerance`` (seconds; None to skip) bounds how old or
    new the timestamp may be, measured from ``now`` (Unix seconds; default: the wall clock).
    A fake whose clock was moved stamps pushes with its own clock: pass ``now=`` its time
    (``trustoo.now``), or run it with ``signature_clock="wall"``.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    missing = [name for name in (TIMESTAMP, SIGN) if not lowered.get(name, "").strip()]
    if missing:
        raise WebhookVerificationError(f"missing header(s): {', '.join(missing)}")
    timestamp = lowered[TIMESTAMP].strip()
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise WebhookVerificationError(f"{TIMESTAMP} must be Unix seconds, got {timestamp!r}")
    if tolerance is not None:
        current = time.time() if now is None else now
        skew = abs(current - int(timestamp))
        if skew > tolerance:
            raise WebhookVerificationError(
                f"the timestamp is {int(skew)} seconds away from now (tolerance {tolerance}); "
                "if the sender is a fake whose clock was moved, pass now= its time or run it "
                "with signature_clock=wall"
            )
    message = signing.webhook_message(timestamp, body)
    if not signing.signature_matches(key, message, lowered[SIGN]):
        raise WebhookVerificationError(
            "the signature does not match: expected lowercase hex HMAC-SHA256(key, "
            f"message) with message `{signing.printable(message, 200)}` — is the key right "
            "(shop private token vs platform client secret) and the body unchanged?"
        )

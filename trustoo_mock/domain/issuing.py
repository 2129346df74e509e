"""New ids, tokens and request ids, never one already in use (X48).

The random source makes repeats unlikely, not impossible (a hand-edited data file, a seed
file that names a value the stream later draws, a rigged source in a test), so every value
is checked against what the store holds at the point of issue and drawn again if taken.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from trustoo_mock.core.errors import FakeError
from trustoo_mock.core.ids import id_text
from trustoo_mock.domain.context import Context

SHOP_ID_DIGITS = 11
# Enough for any real source; only a broken one repeats itself this often.
MAX_DRAWS = 100
# Every field holding a credential: a token is new only when none of them holds it, so a
# token lookup can never resolve to another tenant.
CREDENTIAL_FIELDS = (
    ("shops", "public_token"),
    ("shops", "private_token"),
    ("platforms", "client_secret"),
    ("grants", "access_token"),
    ("grants", "refresh_token"),
    ("codes", "code"),
)


class RandomSourceExhausted(RuntimeError):
    """The random source kept giving values already in use."""


def _unused(draw: Callable[[], str], in_use: Callable[[str], bool], what: str) -> str:
    for _ in range(MAX_DRAWS):
        value = draw()
        if not in_use(value):
            return value
    raise RandomSourceExhausted(f"the random source gave {MAX_DRAWS} {what} already in use")


def credential_in_use(ctx: Context, value: str) -> bool:
    return any(ctx.store.count(table, **{field: value}) for table, field in CREDENTIAL_FIELDS)


def token(ctx: Context) -> str:
    """A new token, secret or authorization code (D10's shape)."""
    return _unused(ctx.randomness.token, lambda value: credential_in_use(ctx, value), "tokens")


def shop_id(ctx: Context) -> str:
    return _unused(
        lambda: ctx.randomness.digits(SHOP_ID_DIGITS),
        lambda value: bool(ctx.store.count("shops", shop_id=value)),
        "shop ids",
    )


def webhook_request_id(ctx: Context) -> str:
    """The ``Open-Trustoo-Webhook-RequestId`` of a new delivery: receivers dedup by it."""
    return _unused(
        ctx.randomness.hex32,
        lambda value: bool(ctx.store.count("deliveries", request_id=value)),
        "webhook request ids",
    )


def platform_id(ctx: Context) -> int:
    """The next platform id of the sequence that no platform holds."""
    while True:
        candidate = ctx.store.next_id("platform", 1)
        if not ctx.store.count("platforms", platform_id=candidate):
            return candidate


def client_id(ctx: Context, platform_id: int) -> str:
    """``platform-<id>``, or ``platform-<id>-<n>`` when a platform was given that name."""
    base = f"platform-{platform_id}"
    candidate, suffix = base, 1
    while ctx.store.count("platforms", client_id=candidate):
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


def take_given_ids(
    ctx: Context, table: str, sequence: str, start: int, items: Iterable[dict[str, Any]]
) -> None:
    """Ids a seed file gives (``id`` of its items, X105): each is new to ``table`` and given
    once, and the sequence moves past the largest, so the fake never issues one again."""
    seen: set[str] = set()
    for item in items:
        if item.get("id") is None:
            continue
        value = id_text(item["id"])
        if value in seen or ctx.store.count(table, id=value):
            raise FakeError("id_in_use", sequence=sequence, value=value)
        seen.add(value)
    if seen:
        ctx.store.skip_past(sequence, start, max(int(value) for value in seen))

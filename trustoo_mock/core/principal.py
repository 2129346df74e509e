"""Who is calling: the result of authentication, used by every rule."""

from __future__ import annotations

from dataclasses import dataclass

SHOP_PLATFORM_ID = 0

KNOWN_SCOPES = (
    "read_reviews",
    "write_reviews",
    "read_customer_events",
    "read_orders",
    "read_customers",
    "write_customers",
    "read_shop_install_status",
)
# What a shop acting for itself holds (HMAC and merchant sessions): made once, not per request.
ALL_SCOPES = frozenset(KNOWN_SCOPES)


@dataclass(frozen=True, slots=True)
class Principal:
    """A shop acting for itself (HMAC, platform 0, every scope) or a platform for a shop."""

    shop_id: str
    platform_id: int
    scopes: frozenset[str]

    @property
    def is_platform(self) -> bool:
        return self.platform_id != SHOP_PLATFORM_ID

    def granted(self) -> str:
        return ",".join(sorted(self.scopes)) or "no scopes"

"""Shops and platforms (OAuth clients)."""

from __future__ import annotations

from typing import Any

from trustoo_mock.core.errors import FakeError
from trustoo_mock.core.ids import id_text
from trustoo_mock.core.principal import KNOWN_SCOPES
from trustoo_mock.domain import issuing
from trustoo_mock.domain.context import Context

SHOP_FIELDS = ("shop_id", "myshopify_domain", "name", "public_token", "private_token")
PLATFORM_FIELDS = (
    "platform_id",
    "name",
    "client_id",
    "client_secret",
    "redirect_uris",
    "scopes",
    "skip_shop_oauth",
    "webhook_url",
)


def present_shop(shop: dict[str, Any]) -> dict[str, Any]:
    return {name: shop[name] for name in SHOP_FIELDS}


def present_platform(platform: dict[str, Any]) -> dict[str, Any]:
    return {name: platform[name] for name in PLATFORM_FIELDS}


def create_shop(ctx: Context, fields: dict[str, Any]) -> dict[str, Any]:
    given = fields.get("shop_id")
    shop_id = id_text(given) if given is not None else issuing.shop_id(ctx)
    shop = {
        "shop_id": shop_id,
        "myshopify_domain": fields.get("myshopify_domain") or f"shop-{shop_id}.myshopify.com",
        "name": fields.get("name") or f"Shop {shop_id}",
        "public_token": fields.get("public_token") or issuing.token(ctx),
        "private_token": fields.get("private_token") or issuing.token(ctx),
        "created_at": ctx.clock.now_int(),
    }
    for unique in ("shop_id", "myshopify_domain"):
        if ctx.store.count("shops", **{unique: shop[unique]}):
            raise FakeError("shop_exists", field=unique, value=shop[unique])
    refuse_shared_credentials(ctx, shop, ("public_token", "private_token"))
    return ctx.store.insert("shops", shop)


# Where credentials live: each value names one shop, platform or grant, so it must be the
# only credential with that value (X121). The last entry is left out for a platform's other
# secrets, which the docs show shared with another platform (X57).
CREDENTIAL_FIELDS = (
    ("shops", "public_token"),
    ("shops", "private_token"),
    ("grants", "access_token"),
    ("grants", "refresh_token"),
    ("platforms", "client_secret"),
)
PLATFORM_SECRETS = ("client_secret", "other_client_secrets")


def refuse_shared_credentials(ctx: Context, given: dict[str, Any], names: tuple[str, ...]) -> None:
    """409 when a credential in ``given`` (its fields ``names``; a field may hold a list) is
    already another shop's, platform's or grant's, or appears twice among them. The message
    names the field, never the value (X121)."""
    seen: set[str] = set()
    for name in names:
        value = given.get(name)
        for item in value if isinstance(value, list) else [value]:
            if not item:
                continue
            if item in seen:
                raise FakeError("credential_given_twice", name=name)
            if _credential_in_use(ctx, item, name):
                raise FakeError("credential_in_use", name=name)
            seen.add(item)


def _credential_in_use(ctx: Context, value: str, name: str) -> bool:
    fields = CREDENTIAL_FIELDS[:-1] if name == "other_client_secrets" else CREDENTIAL_FIELDS
    if any(ctx.store.count(table, **{field: value}) for table, field in fields):
        return True
    if name in PLATFORM_SECRETS:
        return False
    return any(value in client_secrets(platform) for platform in ctx.store.scan("platforms"))


PRIVATE_TOKEN = "a shop's private token"
CLIENT_SECRET = "a platform's client secret"


def secret_kind(ctx: Context, value: str) -> str | None:
    """What secret ``value`` is, when it is one this fake issued: a refusal that would show
    the value names its kind instead, since client programs log whole answers."""
    if not value:
        return None
    kinds = (
        ("shops", "private_token", PRIVATE_TOKEN),
        ("grants", "access_token", "an access token"),
        ("grants", "refresh_token", "a refresh token"),
    )
    for table, field, kind in kinds:
        if ctx.store.count(table, **{field: value}):
            return kind
    if any(value in client_secrets(platform) for platform in ctx.store.scan("platforms")):
        return CLIENT_SECRET
    return None


def client_secrets(platform: dict[str, Any]) -> list[str]:
    """Every secret the platform's client may authenticate with: its ``client_secret`` (which
    also signs its webhooks) first, then ``other_client_secrets`` (the docs show trustwill
    with two)."""
    return [platform["client_secret"], *platform.get("other_client_secrets", ())]


def all_shops(ctx: Context) -> list[dict[str, Any]]:
    """Copies of every shop, in the order they were stored."""
    return ctx.store.find("shops")


def shops_oldest_first(ctx: Context) -> list[dict[str, Any]]:
    """Copies of every shop, the oldest first (as lists and the consent page show them)."""
    return sorted(all_shops(ctx), key=lambda shop: shop["created_at"])


def shop_or_none(ctx: Context, shop_id: str) -> dict[str, Any] | None:
    """A copy of the shop stored under exactly ``shop_id``, or None."""
    return ctx.store.find_one("shops", shop_id=shop_id)


def signing_key(ctx: Context, public_token: str) -> tuple[str, str] | None:
    """(shop id, private token) of the shop whose Public-Token this is, or None: what
    checking a signature needs, read without copying the shop (every signed request)."""
    for shop in ctx.store.scan("shops", public_token=public_token):
        return str(shop["shop_id"]), str(shop["private_token"])
    return None


def get_shop(ctx: Context, shop_id: str) -> dict[str, Any]:
    shop = ctx.store.find_one("shops", shop_id=id_text(shop_id))
    if shop is None:
        raise FakeError("shop_id_not_found", shop_id=shop_id)
    return shop


def create_platform(ctx: Context, fields: dict[str, Any]) -> dict[str, Any]:
    platform_id = issuing.platform_id(ctx)
    scopes = parse_scopes(fields.get("scopes"), default=KNOWN_SCOPES)
    platform = {
        "platform_id": platform_id,
        "name": fields.get("name") or f"Platform {platform_id}",
        "client_id": fields.get("client_id") or issuing.client_id(ctx, platform_id),
        "client_secret": fields.get("client_secret") or issuing.token(ctx),
        "other_client_secrets": list(fields.get("other_client_secrets") or []),
        "redirect_uris": list(fields.get("redirect_uris") or ["http://127.0.0.1/oauth/callback"]),
        "scopes": scopes,
        "skip_shop_oauth": bool(fields.get("skip_shop_oauth", False)),
        "webhook_url": fields.get("webhook_url") or "",
        "created_at": ctx.clock.now_int(),
    }
    if ctx.store.count("platforms", client_id=platform["client_id"]):
        raise FakeError("platform_exists", client_id=platform["client_id"])
    refuse_shared_credentials(ctx, platform, PLATFORM_SECRETS)
    return ctx.store.insert("platforms", platform)


def platforms_by_id(ctx: Context) -> list[dict[str, Any]]:
    """Copies of every platform, by ascending platform_id."""
    return sorted(ctx.store.find("platforms"), key=lambda platform: platform["platform_id"])


def platform_or_none(ctx: Context, platform_id: int) -> dict[str, Any] | None:
    """A copy of the platform with this platform_id, or None."""
    return ctx.store.find_one("platforms", platform_id=platform_id)


def get_platform_by_client_id(ctx: Context, client_id: str) -> dict[str, Any]:
    platform = ctx.store.find_one("platforms", client_id=client_id)
    if platform is None:
        raise FakeError("unknown_client", client_id=client_id)
    return platform


def parse_scopes(value: Any, default: tuple[str, ...] | list[str]) -> list[str]:
    """Scopes as a list, or as one string separated by commas or spaces (D10)."""
    if value is None:
        return list(default)
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    unknown = [scope for scope in items if scope not in KNOWN_SCOPES]
    if unknown:
        raise FakeError("unknown_scopes", unknown=", ".join(unknown), known=KNOWN_SCOPES)
    return sorted(set(items), key=KNOWN_SCOPES.index)

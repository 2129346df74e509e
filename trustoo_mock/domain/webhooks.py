"""Webhook subscriptions (D8): each belongs to one (shop, platform) and only it sees them."""

from __future__ import annotations

import ipaddress
import posixpath
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

from trustoo_mock.config import IN_PROCESS_HOST
from trustoo_mock.core.clock import parse_instant, rfc3339
from trustoo_mock.core.errors import FakeError
from trustoo_mock.core.ids import id_text
from trustoo_mock.core.principal import Principal
from trustoo_mock.domain import issuing
from trustoo_mock.domain.context import Context
from trustoo_mock.spec.formats import MAX_URL_LENGTH, is_http_url

TOPIC_SCOPES = {
    "review/created": "write_reviews",
    "review/updated": "write_reviews",
    "review/deleted": "write_reviews",
    "customer_event/created": "read_customer_events",
}
WEBHOOK_ID_START = 1
# The fake's own control plane and object store: a push there could reset every tenant.
FAKE_PATHS = ("/_mock", "/_storage")
_LOCAL_NAMES = ("localhost", IN_PROCESS_HOST)
_LEGACY_IPV4 = frozenset("0123456789abcdefx.")


def _normal_host(host: str) -> str:
    """One spelling per host: percent-decoded, lowercase, no trailing dot, no IPv6 zone."""
    return unquote(host).lower().rstrip(".").partition("%")[0]


def is_local_address(host: str, own_hosts: Iterable[str] = ()) -> bool:
    """True for any spelling of this machine: loopback and wildcard addresses (also in the
    legacy IPv4 forms ``127.1``, ``2130706433``, ``0x7f.1`` and as IPv4-mapped IPv6),
    ``localhost`` and its subdomains, the in-process host, and the hosts this fake was
    reached at."""
    name = _normal_host(host)
    if name in {_normal_host(own) for own in (*own_hosts, *_LOCAL_NAMES)}:
        return True
    if name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        if not name or not set(name) <= _LEGACY_IPV4:
            return False
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(name))
        except OSError:
            return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


def is_fake_path(path: str) -> bool:
    """The path as a server would route it: decoded until stable, dot segments resolved."""
    decoded = path
    while (again := unquote(decoded)) != decoded:
        decoded = again
    routed = posixpath.normpath("/" + decoded.replace("\\", "/")).lower()
    routed = "/" + routed.lstrip("/")
    return any(routed == prefix or routed.startswith(prefix + "/") for prefix in FAKE_PATHS)


def points_at_fake(url: str, own_hosts: Iterable[str] = ()) -> bool:
    """True when ``url`` leads to this fake's control plane or object store, however its
    address is spelt (any port: which ports reach the fake is not known to it)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return False
    return is_local_address(host, own_hosts) and is_fake_path(parts.path)


def _check_subscription(ctx: Context, principal: Principal, topic: str, url: str) -> None:
    scope = TOPIC_SCOPES[topic]
    if scope not in principal.scopes:
        raise FakeError("insufficient_scope", scope=scope, granted=principal.granted())
    if not is_http_url(url):
        raise FakeError(
            "invalid_body",
            detail=f"url must be an absolute http(s) URL of at most {MAX_URL_LENGTH} characters",
        )
    if points_at_fake(url, ctx.own_hosts):
        raise FakeError(
            "invalid_body",
            detail="url leads to the fake's own control plane or object store "
            f"({' or '.join(FAKE_PATHS)} on this machine); pushes never go there",
        )


def _owned(ctx: Context, principal: Principal) -> list[dict[str, Any]]:
    webhooks = ctx.store.find(
        "webhooks", shop_id=principal.shop_id, platform_id=principal.platform_id
    )
    return sorted(webhooks, key=lambda webhook: int(webhook["id"]))


def _ensure_unique(
    ctx: Context, principal: Principal, topic: str, url: str, except_id: str | None = None
) -> None:
    for webhook in _owned(ctx, principal):
        if webhook["topic"] == topic and webhook["url"] == url and webhook["id"] != except_id:
            raise FakeError("webhook_exists", topic=topic, url=url, id=webhook["id"])


def create_webhook(ctx: Context, principal: Principal, topic: str, url: str) -> dict[str, Any]:
    _check_subscription(ctx, principal, topic, url)
    _ensure_unique(ctx, principal, topic, url)
    limit = ctx.config.max_webhooks_per_owner
    if len(_owned(ctx, principal)) >= limit:
        raise FakeError("webhook_limit", limit=limit)
    now = ctx.clock.now_int()
    webhook = {
        "id": str(ctx.store.next_id("webhook", WEBHOOK_ID_START)),
        "shop_id": principal.shop_id,
        "platform_id": principal.platform_id,
        "topic": topic,
        "url": url,
        "created_at": now,
        "updated_at": now,
    }
    return ctx.store.insert("webhooks", webhook)


def seed_webhooks(
    ctx: Context, shop_id: str, owners: list[int], items: list[dict[str, Any]]
) -> int:
    """A seed file's subscriptions (schema-valid), ``owners[i]`` the platform of the i-th
    (0: the shop itself). No scope or limit check: the file says what exists (X105)."""
    for item in items:
        if points_at_fake(item["url"], ctx.own_hosts):
            raise FakeError("webhook_url_is_fake", url=item["url"])
    issuing.take_given_ids(ctx, "webhooks", "webhook", WEBHOOK_ID_START, items)
    for item, platform_id in zip(items, owners, strict=True):
        created = item.get("created_at")
        updated = item.get("updated_at")
        created_at = ctx.clock.now_int() if created is None else int(parse_instant(created))
        given = item.get("id")
        ctx.store.insert(
            "webhooks",
            {
                "id": str(ctx.store.next_id("webhook", WEBHOOK_ID_START))
                if given is None
                else id_text(given),
                "shop_id": shop_id,
                "platform_id": platform_id,
                "topic": item["topic"],
                "url": item["url"],
                "created_at": created_at,
                "updated_at": created_at if updated is None else int(parse_instant(updated)),
            },
        )
    return len(items)


def _get_owned(ctx: Context, principal: Principal, webhook_id: Any) -> dict[str, Any]:
    webhook = ctx.store.find_one(
        "webhooks",
        id=id_text(webhook_id),
        shop_id=principal.shop_id,
        platform_id=principal.platform_id,
    )
    if webhook is None:
        raise FakeError("webhook_not_found", id=webhook_id)
    return webhook


def update_webhook(
    ctx: Context, principal: Principal, webhook_id: Any, topic: str, url: str
) -> dict[str, Any]:
    webhook = _get_owned(ctx, principal, webhook_id)
    _check_subscription(ctx, principal, topic, url)
    _ensure_unique(ctx, principal, topic, url, except_id=webhook["id"])
    changes = {"topic": topic, "url": url, "updated_at": ctx.clock.now_int()}
    ctx.store.update("webhooks", {"id": webhook["id"]}, changes)
    return {**webhook, **changes}


def delete_webhook(ctx: Context, principal: Principal, webhook_id: Any) -> None:
    webhook = _get_owned(ctx, principal, webhook_id)
    ctx.store.delete("webhooks", id=webhook["id"])


def list_webhooks(ctx: Context, principal: Principal) -> list[dict[str, Any]]:
    return _owned(ctx, principal)


def all_subscriptions(ctx: Context) -> list[dict[str, Any]]:
    """Copies of every subscription of every shop and platform, by shop, owner and id."""
    found = ctx.store.find("webhooks")
    return sorted(found, key=lambda hook: (hook["shop_id"], hook["platform_id"], int(hook["id"])))


def subscription_exists(ctx: Context, webhook_id: str, shop_id: str, platform_id: int) -> bool:
    """Whether the subscription ``webhook_id`` of this (shop, platform) is still stored."""
    found = ctx.store.count("webhooks", id=webhook_id, shop_id=shop_id, platform_id=platform_id)
    return found > 0


def present_webhook(webhook: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": webhook["id"],
        "topic": webhook["topic"],
        "url": webhook["url"],
        "created_at": rfc3339(webhook["created_at"]),
        "updated_at": rfc3339(webhook["updated_at"]),
    }

"""OAuth2 for platforms (D10): codes, token pairs, refresh rotation, revocation, disconnect.

A grant is one access/refresh token pair of a platform on a shop. An installation records
that a shop has authorized a platform (for the install-status and authorization-info calls);
disconnecting or cancelling ends it, revokes every grant and deletes the platform's webhooks.
"""

from __future__ import annotations

from typing import Any

from trustoo_mock.core.clock import rfc3339
from trustoo_mock.core.errors import FakeError
from trustoo_mock.core.ids import id_text
from trustoo_mock.domain import events, issuing, tenants
from trustoo_mock.domain.context import Context

CODE_TTL = 600
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")


# -- grants -----------------------------------------------------------------------------------


def issue_grant(
    ctx: Context,
    shop_id: str,
    platform_id: int,
    scopes: list[str],
    access_token: str | None = None,
    refresh_token: str | None = None,
) -> dict[str, Any]:
    """A new token pair (D10 lifetimes); the shop counts as having installed the platform."""
    given = {"access_token": access_token, "refresh_token": refresh_token}
    tenants.refuse_shared_credentials(ctx, given, ("access_token", "refresh_token"))
    now = ctx.clock.now_int()
    shop_id = id_text(shop_id)
    grant = {
        "shop_id": shop_id,
        "platform_id": platform_id,
        "scopes": scopes,
        "access_token": access_token or issuing.token(ctx),
        "refresh_token": refresh_token or issuing.token(ctx),
        "access_expires_at": now + ctx.config.access_token_ttl,
        "refresh_expires_at": now + ctx.config.refresh_token_ttl,
        "revoked": False,
        "refresh_state": "active",
        "created_at": now,
    }
    _record_installation(ctx, shop_id, platform_id, scopes, now)
    return ctx.store.insert("grants", grant)


def all_grants(ctx: Context) -> list[dict[str, Any]]:
    """Copies of every grant, in the order they were issued."""
    return ctx.store.find("grants")


def grant_by_access_token(ctx: Context, access_token: str) -> dict[str, Any] | None:
    """A copy of the grant holding this access token (revoked or expired too), or None."""
    return ctx.store.find_one("grants", access_token=access_token)


def _record_installation(
    ctx: Context, shop_id: str, platform_id: int, scopes: list[str], now: int
) -> None:
    match = {"shop_id": shop_id, "platform_id": platform_id}
    existing = ctx.store.find_one("installations", **match)
    if existing is None:
        ctx.store.insert(
            "installations",
            {**match, "installed_at": now, "authorized_at": now, "scopes": scopes, "active": True},
        )
    else:
        ctx.store.update(
            "installations", match, {"authorized_at": now, "scopes": scopes, "active": True}
        )


def present_grant(ctx: Context, grant: dict[str, Any]) -> dict[str, Any]:
    """The token response ``data`` (D10)."""
    shop = tenants.get_shop(ctx, grant["shop_id"])
    now = ctx.clock.now_int()
    return {
        "access_token": grant["access_token"],
        "refresh_token": grant["refresh_token"],
        "token_type": "Bearer",
        "expires_in": max(0, int(grant["access_expires_at"] - now)),
        "refresh_token_expires_in": max(0, int(grant["refresh_expires_at"] - now)),
        "scope": ",".join(grant["scopes"]),
        "shop_id": grant["shop_id"],
        "myshopify_domain": shop["myshopify_domain"],
    }


def grant_directly(ctx: Context, shop_id: str, client_id: str, scopes: Any) -> dict[str, Any]:
    """The merchant grants a platform scopes on a shop, without the browser dance."""
    shop = tenants.get_shop(ctx, shop_id)
    platform = tenants.get_platform_by_client_id(ctx, client_id)
    requested = tenants.parse_scopes(scopes, default=platform["scopes"])
    beyond = [scope for scope in requested if scope not in platform["scopes"]]
    if beyond:
        raise FakeError("scope_not_allowed", client_id=client_id, scopes=", ".join(beyond))
    return issue_grant(ctx, shop["shop_id"], platform["platform_id"], requested)


# -- the platform as a client -----------------------------------------------------------------


def find_platform(ctx: Context, client_id: str) -> dict[str, Any]:
    platform = ctx.store.find_one("platforms", client_id=client_id)
    if platform is None:
        _refuse_secret_as_client_id(ctx, client_id)
        raise FakeError("unknown_client", client_id=client_id)
    return platform


def authenticate_client(ctx: Context, client_id: str, client_secret: str) -> dict[str, Any]:
    """The platform by its credentials; any mismatch is code 16 (the token endpoint's rule)."""
    platform = ctx.store.find_one("platforms", client_id=client_id)
    if platform is None:
        _refuse_secret_as_client_id(ctx, client_id)
    if platform is None or client_secret not in tenants.client_secrets(platform):
        raise FakeError("bad_client_credentials", client_id=client_id)
    return platform


def _refuse_secret_as_client_id(ctx: Context, client_id: str) -> None:
    """A refusal would repeat the client_id: when it is a secret, say so instead (code 16)."""
    kind = tenants.secret_kind(ctx, client_id)
    if kind is not None:
        raise FakeError("client_credentials_swapped", kind=kind)


def requested_scopes(platform: dict[str, Any], scope: str | None) -> list[str]:
    """The scopes asked for (all the platform's when none); beyond them is code 7."""
    if not scope or not scope.strip():
        return list(platform["scopes"])
    wanted = tenants.parse_scopes(scope, default=platform["scopes"])
    beyond = [name for name in wanted if name not in platform["scopes"]]
    if beyond:
        raise FakeError(
            "scope_not_allowed", client_id=platform["client_id"], scopes=", ".join(beyond)
        )
    return wanted


def check_redirect_uri(platform: dict[str, Any], redirect_uri: str) -> None:
    if redirect_uri not in platform["redirect_uris"]:
        raise FakeError(
            "redirect_uri_not_registered",
            redirect_uri=redirect_uri,
            client_id=platform["client_id"],
            registered=", ".join(platform["redirect_uris"]) or "none",
        )


# -- authorization codes ----------------------------------------------------------------------


def issue_code(
    ctx: Context,
    platform: dict[str, Any],
    shop_id: str,
    redirect_uri: str,
    scopes: list[str],
    code: str | None = None,
) -> str:
    """A new authorization code (``code`` when given, as a seed does), valid CODE_TTL."""
    code = code or issuing.token(ctx)
    if ctx.store.count("codes", code=code):
        raise FakeError("given_twice", what="an authorization code")
    ctx.store.insert(
        "codes",
        {
            "code": code,
            "client_id": platform["client_id"],
            "platform_id": platform["platform_id"],
            "shop_id": id_text(shop_id),
            "redirect_uri": redirect_uri,
            "scopes": scopes,
            "expires_at": ctx.clock.now_int() + CODE_TTL,
            "used": False,
        },
    )
    return code


def exchange(ctx: Context, fields: dict[str, Any]) -> dict[str, Any]:
    """The token endpoint: one of the three grant types (D10)."""
    platform = authenticate_client(ctx, str(fields["client_id"]), str(fields["client_secret"]))
    grant_type = fields["grant_type"]
    if grant_type == "authorization_code":
        grant = _redeem_code(ctx, platform, fields)
    elif grant_type == "refresh_token":
        grant = _refresh(ctx, platform, fields)
    else:
        grant = _client_credentials(ctx, platform, fields)
    return present_grant(ctx, grant)


def _required(fields: dict[str, Any], name: str, grant_type: str) -> str:
    value = str(fields.get(name) or "").strip()
    if not value:
        raise FakeError("invalid_argument", detail=f"{name} is required for {grant_type}")
    return value


def _redeem_code(ctx: Context, platform: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    code = _required(fields, "code", "authorization_code")
    redirect_uri = _required(fields, "redirect_uri", "authorization_code")
    stored = ctx.store.find_one("codes", code=code)
    if stored is None or stored["client_id"] != platform["client_id"]:
        raise FakeError("bad_grant", what="code", reason="it was not issued to this client")
    if stored["used"]:
        raise FakeError("bad_grant", what="code", reason="it was already used")
    now = ctx.clock.now_int()
    if now >= stored["expires_at"]:
        ago = now - stored["expires_at"]
        raise FakeError("bad_grant", what="code", reason=f"it expired {ago} seconds ago")
    if stored["redirect_uri"] != redirect_uri:
        reason = f"redirect_uri must be {stored['redirect_uri']!r}, the one it was issued for"
        raise FakeError("bad_grant", what="code", reason=reason)
    ctx.store.update("codes", {"code": code}, {"used": True})
    return issue_grant(ctx, stored["shop_id"], platform["platform_id"], stored["scopes"])


def _refresh(ctx: Context, platform: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    token = _required(fields, "refresh_token", "refresh_token")
    old = ctx.store.find_one("grants", refresh_token=token)
    if old is None or old["platform_id"] != platform["platform_id"]:
        reason = "it was not issued to this client"
        raise FakeError("bad_grant", what="refresh_token", reason=reason)
    if old["refresh_state"] == "used":
        reason = "it was already used (refresh tokens rotate: use the newest one)"
        raise FakeError("bad_grant", what="refresh_token", reason=reason)
    if old["refresh_state"] == "revoked":
        raise FakeError("bad_grant", what="refresh_token", reason="it was revoked")
    now = ctx.clock.now_int()
    if now >= old["refresh_expires_at"]:
        ago = now - old["refresh_expires_at"]
        reason = f"it expired {ago} seconds ago"
        raise FakeError("bad_grant", what="refresh_token", reason=reason)
    scopes = old["scopes"]
    if fields.get("scope"):
        narrowed = requested_scopes(platform, str(fields["scope"]))
        wider = [scope for scope in narrowed if scope not in scopes]
        if wider:
            detail = f"scope may only narrow the grant; not granted: {', '.join(wider)}"
            raise FakeError("invalid_argument", detail=detail)
        scopes = narrowed
    ctx.store.update("grants", {"refresh_token": token}, {"refresh_state": "used"})
    return issue_grant(ctx, old["shop_id"], platform["platform_id"], scopes)


def _client_credentials(
    ctx: Context, platform: dict[str, Any], fields: dict[str, Any]
) -> dict[str, Any]:
    if not platform["skip_shop_oauth"]:
        raise FakeError("client_credentials_not_allowed", client_id=platform["client_id"])
    shop = find_shop(ctx, fields.get("shop_id"), fields.get("myshopify_domain"))
    scopes = requested_scopes(platform, fields.get("scope"))
    return issue_grant(ctx, shop["shop_id"], platform["platform_id"], scopes)


def find_shop(ctx: Context, shop_id: Any, myshopify_domain: Any) -> dict[str, Any]:
    """The shop named by id and/or domain; both given must name the same shop."""
    wanted: dict[str, str] = {}
    if shop_id not in (None, "", 0, "0"):
        wanted["shop_id"] = id_text(shop_id)
    if myshopify_domain:
        wanted["myshopify_domain"] = str(myshopify_domain).strip().lower()
    if not wanted:
        raise FakeError("invalid_argument", detail="name the shop: shop_id or myshopify_domain")
    shop = ctx.store.find_one("shops", **wanted)
    if shop is None:
        named = " and ".join(f"{key} {value}" for key, value in wanted.items())
        raise FakeError("shop_not_found", what=named)
    return shop


# -- ending access ----------------------------------------------------------------------------


def revoke(ctx: Context, fields: dict[str, Any]) -> None:
    """RFC 7009 style: idempotent; an unknown token or another client's is not an error."""
    platform = authenticate_client(ctx, str(fields["client_id"]), str(fields["client_secret"]))
    token = str(fields["token"])
    own = {"platform_id": platform["platform_id"]}
    if ctx.store.find_one("grants", access_token=token, **own):
        ctx.store.update("grants", {"access_token": token}, {"revoked": True})
    if ctx.store.find_one("grants", refresh_token=token, **own):
        changes = {"revoked": True, "refresh_state": "revoked"}
        ctx.store.update("grants", {"refresh_token": token}, changes)


def disconnect(
    ctx: Context, shop_id: str, platform_id: int, event: str = events.AUTHORIZATION_DISCONNECTED
) -> None:
    """End a platform's access to a shop: tokens revoked, its webhooks there deleted. When
    that ends its installation, the platform gets the System Webhook ``event``."""
    match = {"shop_id": shop_id, "platform_id": platform_id}
    installation = ctx.store.find_one("installations", **match)
    ctx.store.update("grants", match, {"revoked": True, "refresh_state": "revoked"})
    ctx.store.delete("webhooks", **match)
    ctx.store.update("installations", match, {"active": False})
    platform = ctx.store.find_one("platforms", platform_id=platform_id)
    if installation is not None and installation["active"] and platform is not None:
        events.emit_system(ctx, shop_id, platform, event)


def cancel(ctx: Context, shop_id: str, client_id: str) -> None:
    platform = find_platform(ctx, client_id)
    disconnect(ctx, shop_id, platform["platform_id"], events.AUTHORIZATION_CANCELLED)


def uninstall(ctx: Context, shop_id: str, client_id: str) -> None:
    """The merchant removes the platform's app from the shop (Trustoo's admin, or the store
    itself): like a cancel, and the System Webhook says the app was uninstalled."""
    platform = find_platform(ctx, client_id)
    disconnect(ctx, shop_id, platform["platform_id"], events.APP_UNINSTALLED)


# -- what a platform may ask about a shop -----------------------------------------------------


def _live_grants(ctx: Context, shop_id: str, platform_id: int) -> list[dict[str, Any]]:
    now = ctx.clock.now()
    grants = ctx.store.find("grants", shop_id=shop_id, platform_id=platform_id)
    return [
        grant
        for grant in grants
        if grant["refresh_state"] == "active" and grant["refresh_expires_at"] > now
    ]


def authorization_info(
    ctx: Context, platform: dict[str, Any], shop: dict[str, Any]
) -> dict[str, Any]:
    installation = ctx.store.find_one(
        "installations", shop_id=shop["shop_id"], platform_id=platform["platform_id"]
    )
    live = _live_grants(ctx, shop["shop_id"], platform["platform_id"])
    authorized = bool(installation and installation["active"] and live)
    return {
        "is_authorized": authorized,
        "authorized_at": rfc3339(installation["authorized_at"])
        if authorized and installation
        else None,
        "granted_scopes": ",".join(installation["scopes"]) if authorized and installation else "",
        "shop_id": shop["shop_id"],
        "myshopify_domain": shop["myshopify_domain"],
    }


def install_status(ctx: Context, platform: dict[str, Any], shop: dict[str, Any]) -> dict[str, Any]:
    """Installed or not; deliberately not whether a token is still valid (trustoo-api §5.7)."""
    if "read_shop_install_status" not in platform["scopes"]:
        raise FakeError(
            "insufficient_scope",
            scope="read_shop_install_status",
            granted=",".join(platform["scopes"]) or "no scopes",
        )
    installation = ctx.store.find_one(
        "installations", shop_id=shop["shop_id"], platform_id=platform["platform_id"]
    )
    installed = bool(installation and installation["active"])
    return {
        "is_installed": int(installed),
        "installed_at": rfc3339(installation["installed_at"])
        if installed and installation
        else None,
    }


def platform_from_query(ctx: Context, query: dict[str, Any]) -> dict[str, Any]:
    return authenticate_client(ctx, str(query["client_id"]), str(query["client_secret"]))

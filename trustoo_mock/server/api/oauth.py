"""OAuth2 and platform management: authorize (API and browser), tokens, revoke, disconnect."""

from __future__ import annotations

import hmac
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from starlette.responses import HTMLResponse, RedirectResponse, Response

from trustoo_mock.core.errors import FakeError
from trustoo_mock.domain import oauth, tenants
from trustoo_mock.server.api import consent_page
from trustoo_mock.server.api.call import Call, Handler

AUTHORIZE_PATH = "/api/v1/openapi/oauth/authorize"


def _with_query(url: str, values: dict[str, str]) -> str:
    kept = {name: value for name, value in values.items() if value}
    return url + ("&" if "?" in url else "?") + urlencode(kept)


def _checked_request(call: Call, fields: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The platform and scopes of an authorization request, or an error; never redirects."""
    platform = oauth.find_platform(call.ctx, str(fields["client_id"]))
    oauth.check_redirect_uri(platform, str(fields["redirect_uri"]))
    return platform, oauth.requested_scopes(platform, fields.get("scope"))


def _wants(call: Call, media_type: str) -> bool:
    return media_type in call.headers.get("accept", "")


def get_oauth_authorize_url(call: Call) -> dict[str, Any]:
    _, scopes = _checked_request(call, call.query)
    query = {
        "client_id": str(call.query["client_id"]),
        "redirect_uri": str(call.query["redirect_uri"]),
        "response_type": "code",
        "scope": ",".join(scopes),
        "state": str(call.query.get("state") or ""),
    }
    return {"authorize_url": _with_query(call.base_url + AUTHORIZE_PATH, query)}


def _approve(
    call: Call, fields: dict[str, Any], platform: dict[str, Any], scopes: list[str], shop_id: str
) -> tuple[str, str]:
    code = oauth.issue_code(call.ctx, platform, shop_id, str(fields["redirect_uri"]), scopes)
    state = str(fields.get("state") or "")
    return code, _with_query(str(fields["redirect_uri"]), {"code": code, "state": state})


def oauth_authorize(call: Call) -> Any:
    browser = _wants(call, "text/html")
    try:
        platform, scopes = _checked_request(call, call.query)
        if call.principal is None and not browser:
            raise FakeError("merchant_session_required")
    except FakeError as error:
        if browser:
            return HTMLResponse(consent_page.refused(error.message), error.mirrored_status)
        raise
    if call.principal is None:
        action = call.base_url + AUTHORIZE_PATH
        if call.ctx.config.control_token:
            page = consent_page.sign_in(platform, scopes, call.query, action)
            return HTMLResponse(page, HTTPStatus.UNAUTHORIZED)
        return HTMLResponse(_consent(call, platform, scopes, call.query, None))
    code, redirect_url = _approve(call, call.query, platform, scopes, call.principal.shop_id)
    if _wants(call, "application/json"):
        return {"code": code, "redirect_url": redirect_url, "state": call.query.get("state", "")}
    return RedirectResponse(redirect_url, status_code=302)


def _consent(
    call: Call,
    platform: dict[str, Any],
    scopes: list[str],
    query: dict[str, Any],
    control_token: str | None,
) -> str:
    shops = tenants.shops_oldest_first(call.ctx)
    action = call.base_url + AUTHORIZE_PATH
    return consent_page.consent(platform, shops, scopes, query, action, control_token)


def _signed_in(call: Call, fields: dict[str, Any]) -> bool:
    """Whether the form carries the control token, when the fake has one (X50)."""
    expected = call.ctx.config.control_token
    if not expected:
        return True
    given = str(fields.get("control_token") or "")
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def oauth_consent(call: Call) -> Response:
    """The consent page's forms: the merchant signed in, approved or denied."""
    fields = call.fields
    try:
        platform, scopes = _checked_request(call, fields)
    except FakeError as error:
        return HTMLResponse(consent_page.refused(error.message), error.mirrored_status)
    if not _signed_in(call, fields):
        action = call.base_url + AUTHORIZE_PATH
        problem = "That is not the control token this fake was started with."
        page = consent_page.sign_in(platform, scopes, fields, action, problem)
        return HTMLResponse(page, HTTPStatus.UNAUTHORIZED)
    if fields["decision"] == "deny":
        state = str(fields.get("state") or "")
        target = _with_query(
            str(fields["redirect_uri"]), {"error": "access_denied", "state": state}
        )
        return RedirectResponse(target, status_code=302)
    if fields["decision"] == "sign_in" or not fields.get("shop_id"):
        token = call.ctx.config.control_token
        return HTMLResponse(_consent(call, platform, scopes, fields, token))
    try:
        shop = oauth.find_shop(call.ctx, fields["shop_id"], None)
    except FakeError as error:
        return HTMLResponse(consent_page.refused(error.message), error.mirrored_status)
    _, redirect_url = _approve(call, fields, platform, scopes, shop["shop_id"])
    return RedirectResponse(redirect_url, status_code=302)


def oauth_token(call: Call) -> dict[str, Any]:
    return oauth.exchange(call.ctx, call.fields)


def oauth_revoke(call: Call) -> dict[str, Any]:
    oauth.revoke(call.ctx, call.fields)
    return {}


def oauth_disconnect(call: Call) -> dict[str, Any]:
    oauth.disconnect(call.ctx, call.caller.shop_id, call.caller.platform_id)
    return {}


def oauth_cancel(call: Call) -> dict[str, Any]:
    oauth.cancel(call.ctx, call.caller.shop_id, str(call.fields["client_id"]))
    return {}


def _platform_and_shop(call: Call) -> tuple[dict[str, Any], dict[str, Any]]:
    platform = oauth.platform_from_query(call.ctx, call.query)
    shop = oauth.find_shop(call.ctx, call.query.get("shop_id"), call.query.get("myshopify_domain"))
    return platform, shop


def get_shop_authorization_info(call: Call) -> dict[str, Any]:
    return oauth.authorization_info(call.ctx, *_platform_and_shop(call))


def get_shop_install_status(call: Call) -> dict[str, Any]:
    return oauth.install_status(call.ctx, *_platform_and_shop(call))


def get_open_api_information(call: Call) -> dict[str, Any]:
    shop = tenants.get_shop(call.ctx, call.caller.shop_id)
    return {"public_token": shop["public_token"]}


def get_open_api_private_token(call: Call) -> dict[str, Any]:
    shop = tenants.get_shop(call.ctx, call.caller.shop_id)
    return {"private_token": shop["private_token"]}


HANDLERS: dict[str, Handler] = {
    "get_oauth_authorize_url": get_oauth_authorize_url,
    "oauth_authorize": oauth_authorize,
    "oauth_consent": oauth_consent,
    "oauth_token": oauth_token,
    "oauth_revoke": oauth_revoke,
    "oauth_revoke_token": oauth_revoke,
    "oauth_disconnect": oauth_disconnect,
    "oauth_cancel": oauth_cancel,
    "get_shop_authorization_info": get_shop_authorization_info,
    "get_shop_install_status": get_shop_install_status,
    "get_open_api_information": get_open_api_information,
    "get_open_api_private_token": get_open_api_private_token,
}

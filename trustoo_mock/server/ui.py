"""The inspector (X97): HTML pages at ``/_mock/ui/`` that show what an integration did and let
a developer act as the merchant.

Every page and form is an operation of openapi.yaml under ``/_mock/ui``, answered by a
handler here through ``app.py``'s UI endpoint (the control token, as a session cookie, X98).
The handlers read and change state through the same domain functions as the control plane;
the markup is in ``ui_html.py``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.responses import RedirectResponse, Response

from trustoo_mock.core.clock import parse_instant
from trustoo_mock.core.errors import FakeError
from trustoo_mock.core.ids import id_text
from trustoo_mock.domain import events, faults, oauth, push_faults, reviews, tenants, webhooks
from trustoo_mock.server import control, ui_html
from trustoo_mock.server.api.call import ControlCall
from trustoo_mock.services import delivery

UiHandler = Callable[[ControlCall], Awaitable[Response]]

HOME = "/_mock/ui"
SESSION_COOKIE = "trustoo_mock_inspector"
_SESSION_MESSAGE = b"trustoo-mock inspector session"
# The journal and the delivery log can hold thousands; a page shows the newest ones.
SHOWN_ROWS = 100


def session_value(token: str) -> str:
    """The cookie that stands for the control token: derived from it, never the token itself."""
    return hmac.new(token.encode("utf-8"), _SESSION_MESSAGE, hashlib.sha256).hexdigest()


def has_session(cookie: str | None, token: str) -> bool:
    return cookie is not None and hmac.compare_digest(cookie, session_value(token))


def same_origin(headers: Mapping[str, str]) -> bool:
    """A form posted from one of the fake's own pages (a browser names the page's origin in
    ``Origin``); a client without ``Origin`` is no browser page of another site (X100)."""
    origin = headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == headers.get("host", "")


def back_to(path: str | None) -> str:
    """Where a form sends the browser afterwards: one of the inspector's own pages only."""
    if path is None or "//" in path or "\\" in path:
        return HOME
    return path if path == HOME or path.startswith((f"{HOME}/", f"{HOME}?")) else HOME


def _with_notice(path: str, notice: str) -> str:
    separator = "&" if "?" in path else "?"
    return f"{path}{separator}{urlencode({'done': notice})}"


def _redirect(path: str) -> Response:
    return RedirectResponse(path, status_code=303, headers=ui_html.HEADERS)


def sign_in_page(back: str, problem: str | None = None) -> Response:
    """The page that asks for the control token (401: the request did not carry it)."""
    return ui_html.page_response(ui_html.sign_in(back_to(back), problem), 401)


def refused_page(error: FakeError) -> Response:
    status = error.plain_status
    return ui_html.page_response(ui_html.problem(status, error.message), status)


# -- pages ---------------------------------------------------------------------------------


async def home(call: ControlCall) -> Response:
    ctx = call.ctx
    shops = [
        {**shop, "review_count": reviews.review_count(ctx, shop["shop_id"])}
        for shop in tenants.shops_oldest_first(ctx)
    ]
    platforms = tenants.platforms_by_id(ctx)
    grants = oauth.all_grants(ctx)
    body = ui_html.home(shops, platforms, grants, control.clock_state(call.fake), call.query)
    return ui_html.page_response(body)


def _request_rows(call: ControlCall) -> list[tuple[dict[str, Any], str | None]]:
    query = call.query
    shop_id = query.get("shop_id")
    operation_id = query.get("operation")
    status = query.get("status")
    rows = []
    for entry, shop in reversed(call.fake.journal.rows()):
        if shop_id is not None and shop != shop_id:
            continue
        if operation_id is not None and entry["operation_id"] != operation_id:
            continue
        refused = entry["status"] >= 400 or entry["code"] not in (None, 0)
        if status is not None and refused != (status == "refused"):
            continue
        rows.append((entry, shop))
        if len(rows) == SHOWN_ROWS:
            break
    return rows


async def requests(call: ControlCall) -> Response:
    journal = call.fake.journal
    # Only a refusal's exchange is read here (for its string-to-sign); the rest load on demand.
    shown = [
        (entry, shop, journal.exchange(entry["seq"]) if entry["auth"] == "failed" else None)
        for entry, shop in _request_rows(call)
    ]
    operations = sorted(
        {entry["operation_id"] for entry in journal.entries() if entry["operation_id"]}
    )
    shops = [shop["shop_id"] for shop in tenants.shops_oldest_first(call.ctx)]
    body = ui_html.requests(shown, journal.newest(), shops, operations, call.query)
    return ui_html.page_response(body)


async def request_detail(call: ControlCall) -> Response:
    journal = call.fake.journal
    wanted = call.path_params["seq"]
    found = journal.row(int(wanted)) if wanted.isdigit() else None
    if found is None:
        raise FakeError("journal_entry_gone", seq=wanted)
    entry, shop = found
    return ui_html.page_response(ui_html.request(entry, shop, journal.exchange(entry["seq"])))


async def webhook_log(call: ControlCall) -> Response:
    ctx = call.ctx
    wanted = {name: call.query[name] for name in ("shop_id", "status") if name in call.query}
    found = events.list_deliveries(ctx, **wanted)[-SHOWN_ROWS:][::-1]
    deliveries = [delivery.present(ctx, item) for item in found]
    shops = [shop["shop_id"] for shop in tenants.shops_oldest_first(ctx)]
    platforms = {item["platform_id"]: item["client_id"] for item in tenants.platforms_by_id(ctx)}
    subscriptions = webhooks.all_subscriptions(ctx)
    body = ui_html.webhooks(subscriptions, deliveries, platforms, shops, call.query)
    return ui_html.page_response(body)


async def review_list(call: ControlCall) -> Response:
    ctx = call.ctx
    shops = tenants.shops_oldest_first(ctx)
    if not shops:
        return ui_html.page_response(ui_html.reviews_without_shops())
    shop_id = call.query.get("shop_id", shops[0]["shop_id"])
    shop = tenants.get_shop(ctx, shop_id)
    filters = {name: value for name, value in call.query.items() if name != "done"}
    if "is_store_review" in filters:  # text here, where a blank means either kind
        filters["is_store_review"] = int(filters["is_store_review"])

    def page_of_reviews() -> tuple[list[dict[str, Any]], dict[str, int]]:
        page = reviews.list_reviews(ctx, shop["shop_id"], filters)
        return reviews.present_reviews(ctx, shop["shop_id"], page.items), page.meta()

    # As get_reviews does: a page is filtered again only after a review or product changed.
    key = ("inspector_reviews", shop["shop_id"], tuple(sorted(filters.items())))
    listed, meta = reviews.remembered_until_reviews_change(ctx, key, page_of_reviews)
    body = ui_html.reviews(shop, shops, listed, meta, call.query)
    return ui_html.page_response(body)


def _faults_page(call: ControlCall, problem: str | None = None) -> Response:
    ctx = call.ctx
    body = ui_html.faults(
        [faults.present(fault) for fault in faults.list_faults(ctx)],
        [push_faults.present(fault) for fault in push_faults.list_faults(ctx)],
        sorted(control.faultable_operations()),
        [shop["shop_id"] for shop in tenants.shops_oldest_first(ctx)],
        call.query,
        problem,
    )
    return ui_html.page_response(body, 200 if problem is None else 400)


async def fault_list(call: ControlCall) -> Response:
    return _faults_page(call)


def _snapshots_page(call: ControlCall, refused: FakeError | None = None) -> Response:
    listed = [control.present_snapshot(snapshot) for snapshot in call.fake.snapshots.listed()]
    problem = None if refused is None else refused.message
    body = ui_html.snapshots(listed, call.fake.snapshots.limit, call.query, problem)
    return ui_html.page_response(body, 200 if refused is None else refused.plain_status)


async def snapshot_list(call: ControlCall) -> Response:
    return _snapshots_page(call)


# -- forms ---------------------------------------------------------------------------------


async def sign_in(call: ControlCall) -> Response:
    """The control token, given once: a session cookie stands for it from then on (X98)."""
    token = call.fake.config.control_token or ""
    back = back_to(call.fields.get("back"))
    given = str(call.fields.get("control_token", ""))
    if token and not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
        return sign_in_page(back, "That is not the control token this fake was started with.")
    answer = _redirect(back)
    if token:
        answer.set_cookie(
            SESSION_COOKIE, session_value(token), path=HOME, httponly=True, samesite="strict"
        )
    return answer


def _clock_change(fields: Mapping[str, Any]) -> dict[str, Any]:
    change: dict[str, Any] = {}
    if "freeze" in fields:
        change["freeze"] = fields["freeze"] == "true"
    if fields.get("advance"):
        change["advance"] = float(fields["advance"])
    if fields.get("set"):  # Unix seconds or RFC 3339, as the spec checked
        change["set"] = parse_instant(str(fields["set"]))
    return change


async def move_clock(call: ControlCall) -> Response:
    state = await control.change_clock(call.fake, _clock_change(call.fields))
    notice = f"The clock is at {state['iso']}" + (" (frozen)" if state["frozen"] else "")
    return _redirect(_with_notice(back_to(call.fields.get("back")), notice))


async def retry_delivery(call: ControlCall) -> Response:
    delivery_id = call.path_params["delivery_id"]
    with call.ctx.store.batch():
        retried = delivery.retry(call.ctx, delivery_id)
    if retried is None:
        raise FakeError("delivery_not_found", id=delivery_id)
    notice = f"Delivery {delivery_id} starts its schedule again"
    return _redirect(_with_notice(back_to(call.fields.get("back")), notice))


_MERCHANT_CHANGES: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "reply": lambda fields: {"reply": {"content": str(fields.get("reply", ""))}},
    "remove_reply": lambda fields: {"reply": None},
    "hide": lambda fields: {"is_published": 0},
    "show": lambda fields: {"is_published": 1},
    "feature": lambda fields: {"is_featured": 1},
    "unfeature": lambda fields: {"is_featured": 0},
}


def _queued_notice(call: ControlCall, queued_before: int, done: str) -> str:
    queued = call.ctx.queued - queued_before
    return f"{done}: {queued} webhook deliver{'y' if queued == 1 else 'ies'} queued"


async def review_action(call: ControlCall) -> Response:
    """The merchant acts on a review in the Trustoo admin: the domain fires its webhooks."""
    ctx = call.ctx
    shop = tenants.get_shop(ctx, call.path_params["shop_id"])
    review_id = id_text(call.path_params["review_id"])
    action = call.fields["action"]
    if action == "reply" and not str(call.fields.get("reply", "")).strip():
        raise FakeError("empty_reply")
    queued = ctx.queued
    with ctx.store.batch():
        if action == "delete":
            reviews.delete_review(ctx, shop["shop_id"], review_id)
        else:
            changes = _MERCHANT_CHANGES[action](call.fields)
            reviews.update_review(ctx, shop["shop_id"], review_id, changes)
    notice = _queued_notice(call, queued, f"Review {review_id}: {action.replace('_', ' ')}")
    return _redirect(_with_notice(back_to(call.fields.get("back")), notice))


_REVIEW_TEXT = ("author", "author_email", "title", "content", "source")


async def write_review(call: ControlCall) -> Response:
    """A shopper writes a review on the storefront: Trustoo fires review/created."""
    ctx = call.ctx
    shop = tenants.get_shop(ctx, call.path_params["shop_id"])
    fields: dict[str, Any] = {"rating": int(call.fields["rating"])}
    fields.update({name: call.fields[name] for name in _REVIEW_TEXT if call.fields.get(name)})
    if call.fields.get("product_id"):
        fields["product_id"] = call.fields["product_id"]
    queued = ctx.queued
    with ctx.store.batch():
        created = reviews.create_review(ctx, shop["shop_id"], fields)
    notice = _queued_notice(call, queued, f"Review {created['id']} written")
    return _redirect(_with_notice(back_to(call.fields.get("back")), notice))


def _given(fields: Mapping[str, Any]) -> dict[str, str]:
    """A form's filled-in fields: a blank one counts as not given (X101)."""
    return {name: str(value) for name, value in fields.items() if value != "" and name != "back"}


def _number(text: str | None) -> int | float | None:
    """A form's number (the spec checked its digits) as JSON would carry it."""
    if text is None:
        return None
    value = float(text)
    return int(value) if value.is_integer() else value


# The gateway's own page, as a proxy in front of Trustoo answers when Trustoo is down.
BAD_GATEWAY = {
    "status": 502,
    "content_type": "text/html",
    "body": "<html><head><title>502 Bad Gateway</title></head><body><center>"
    "<h1>502 Bad Gateway</h1></center></body></html>",
}


def _fault_fields(form: Mapping[str, Any]) -> dict[str, Any]:
    """The form's fault as ``POST /_mock/faults`` takes it; the domain checks it (X83-X86)."""
    given = _given(form)
    fields: dict[str, Any] = {
        name: given[name] for name in ("operation", "shop_id") if name in given
    }
    action = given["action"]
    if action == "error":
        fields["error"] = {"code": _number(given.get("code"))}
    elif action == "drop":
        fields["drop"] = True
    elif action == "response":
        fields["response"] = BAD_GATEWAY
    elif action == "rate_limit":
        limit = {
            "requests": _number(given.get("requests")),
            "per_seconds": _number(given.get("per_seconds")),
        }
        fields["rate_limit"] = {name: value for name, value in limit.items() if value is not None}
    for name in ("delay", "times", "probability"):
        if name in given:
            fields[name] = _number(given[name])
    return fields


async def add_fault(call: ControlCall) -> Response:
    try:
        fault = faults.create_fault(
            call.ctx, _fault_fields(call.fields), control.faultable_operations()
        )
    except FakeError as error:
        return _faults_page(call, error.message)
    return _redirect(_with_notice(back_to(call.fields.get("back")), f"Fault {fault['id']} set"))


def _removal(
    call: ControlCall,
    field: str,
    what: str,
    remove_one: Callable[[Any, str], bool],
    remove_all: Callable[[Any], int],
) -> Response:
    wanted = call.fields[field]
    if wanted == "all":
        notice = f"{remove_all(call.ctx)} {what}(s) removed"
    elif remove_one(call.ctx, wanted):
        notice = f"{what.capitalize()} {wanted} removed"
    else:
        raise FakeError("not_there", what=f"{what} {wanted}")
    return _redirect(_with_notice(back_to(call.fields.get("back")), notice))


async def remove_fault(call: ControlCall) -> Response:
    return _removal(call, "fault_id", "fault", faults.delete_fault, faults.delete_all)


async def add_push_fault(call: ControlCall) -> Response:
    given = _given(call.fields)
    fields: dict[str, Any] = {name: given[name] for name in ("kind", "topic") if name in given}
    fields.update({name: _number(given[name]) for name in ("times", "seconds") if name in given})
    try:
        fault = control.add_push_fault(call.ctx, fields)
    except FakeError as error:
        return _faults_page(call, error.message)
    notice = f"Push fault {fault['id']} set"
    return _redirect(_with_notice(back_to(call.fields.get("back")), notice))


async def remove_push_fault(call: ControlCall) -> Response:
    return _removal(call, "push_fault_id", "push fault", push_faults.delete, push_faults.delete_all)


async def snapshot_action(call: ControlCall) -> Response:
    """Save, restore or delete a snapshot as the control plane does (X93, X94)."""
    fake = call.fake
    action, name = call.fields["action"], call.fields["name"]
    if action == "save":
        try:
            await control.save_named_snapshot(fake, name)
        except FakeError as error:
            return _snapshots_page(call, error)
        notice = f"Snapshot {name} saved"
    elif action == "restore":
        await control.restore_named_snapshot(fake, name)
        notice = f"Snapshot {name} restored"
    else:
        await control.delete_named_snapshot(fake, name)
        notice = f"Snapshot {name} deleted"
    return _redirect(_with_notice(back_to(call.fields.get("back")), notice))


HANDLERS: dict[str, UiHandler] = {
    "mock_ui_home": home,
    "mock_ui_requests": requests,
    "mock_ui_request": request_detail,
    "mock_ui_webhooks": webhook_log,
    "mock_ui_reviews": review_list,
    "mock_ui_sign_in": sign_in,
    "mock_ui_clock": move_clock,
    "mock_ui_retry_delivery": retry_delivery,
    "mock_ui_review_action": review_action,
    "mock_ui_write_review": write_review,
    "mock_ui_faults": fault_list,
    "mock_ui_add_fault": add_fault,
    "mock_ui_remove_fault": remove_fault,
    "mock_ui_add_push_fault": add_push_fault,
    "mock_ui_remove_push_fault": remove_push_fault,
    "mock_ui_snapshots": snapshot_list,
    "mock_ui_snapshot": snapshot_action,
}
# The sign-in form itself needs no session.
OPEN_OPERATIONS = frozenset({"mock_ui_sign_in"})

"""Faults (X83 to X87): Trustoo failing on demand. A fault names which requests it matches and
what happens to them instead of (or before) the normal answer: an error envelope, a delay, a
dropped connection, a raw answer that is not Trustoo's, or a rate limit.

Everything about faults lives in the store's ``faults`` table, their ``fired`` counts and
rate-limit windows included, so whatever copies or resets the store copies or resets them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from trustoo_mock.core.clock import parse_instant
from trustoo_mock.core.errors import FAULT_MESSAGES, Code, FakeError
from trustoo_mock.core.ids import id_text
from trustoo_mock.domain import tenants
from trustoo_mock.domain.context import Context

TABLE = "faults"
FAULT_ID_START = 1
ACTIONS = ("error", "drop", "response", "rate_limit")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
RATE_LIMIT_SCOPES = ("shop", "platform")
# Longer delays than this only hold a test up: a client's timeout is shorter.
MAX_DELAY_SECONDS = 600.0
# Statuses HTTP sends without a body: a raw answer always has one (perhaps empty).
BODILESS_STATUSES = (204, 205, 304)
# A media type that is safe in a Content-Type header (no line breaks, nothing outside ASCII).
MEDIA_TYPE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#&^_.+-]*( *;[ -~]*)?"
)
FIELDS = (
    "operation",
    "shop_id",
    "client_id",
    "method",
    *ACTIONS,
    "delay",
    "times",
    "probability",
    "from",
    "until",
)


@dataclass(frozen=True, slots=True)
class Firing:
    """What a fault does to one request. ``error``: answer with that envelope (and
    ``retry_after`` seconds, for a rate limit); ``drop``: close the connection unanswered;
    ``response``: a raw answer (status, content type, body); none of them: answer normally,
    after ``delay`` seconds."""

    fault_id: str
    delay: float = 0.0
    error: FakeError | None = None
    retry_after: int | None = None
    drop: bool = False
    response: Mapping[str, Any] | None = None


def _refuse(field: str, problem: str) -> FakeError:
    return FakeError("invalid_argument", detail=f"invalid fault: {field} {problem}")


def _number(fields: Mapping[str, Any], name: str, low: float, high: float) -> float | None:
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise _refuse(name, "must be a number")
    if not low <= value <= high:
        raise _refuse(name, f"must be between {low:g} and {high:g}")
    return float(value)


def _integral(value: Any) -> int | None:
    """``value`` as an int when it is a whole number (JSON's ``3.0`` included), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def _whole(fields: Mapping[str, Any], name: str, low: int, where: str = "") -> int | None:
    value = fields.get(name)
    if value is None:
        return None
    whole = _integral(value)
    if whole is None or whole < low:
        raise _refuse(where + name, f"must be a whole number of at least {low}")
    return whole


def _instant(fields: Mapping[str, Any], name: str) -> float | None:
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return parse_instant(value)
        except ValueError:
            pass
    raise _refuse(name, "must be Unix seconds or an RFC 3339 time")


def _encodable(text: str) -> bool:
    """Whether ``text`` can be sent as UTF-8 (a lone surrogate cannot)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _operations(value: Any, known: Collection[str]) -> list[str] | None:
    if value is None:
        return None
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise _refuse("operation", "must be an operationId or a non-empty list of them")
    for name in names:
        if name not in known:
            raise _refuse("operation", f"{name!r} is not a Trustoo operation of this fake")
    return list(names)


def _error(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) - {"code", "message", "http_status"}:
        raise _refuse("error", "must be {code, message?, http_status?}")
    code = _integral(value.get("code"))
    if code is None or code not in FAULT_MESSAGES:
        codes = ", ".join(str(int(known)) for known in FAULT_MESSAGES)
        raise _refuse("error.code", f"must be one of Trustoo's error codes {codes}")
    message = value.get("message")
    if message is not None and not (isinstance(message, str) and _encodable(message)):
        raise _refuse("error.message", "must be text UTF-8 can encode")
    status = _whole(value, "http_status", 200, "error.")
    if status is not None and status > 599:
        raise _refuse("error.http_status", "must be an HTTP status (200-599)")
    error: dict[str, Any] = {"code": code}
    if message is not None:
        error["message"] = message
    if status is not None:
        error["http_status"] = status
    return error


def _response(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) - {"status", "content_type", "body"}:
        raise _refuse("response", "must be {status, content_type?, body?}")
    status = _integral(value.get("status"))
    if status is None or not 200 <= status <= 599 or status in BODILESS_STATUSES:
        raise _refuse("response.status", "must be an HTTP status (200-599) that has a body")
    content_type = value.get("content_type", "text/plain")
    body = value.get("body", "")
    if not isinstance(content_type, str) or not MEDIA_TYPE.fullmatch(content_type):
        raise _refuse("response.content_type", "must be a media type such as text/html")
    if not (isinstance(body, str) and _encodable(body)):
        raise _refuse("response.body", "must be text UTF-8 can encode")
    return {"status": status, "content_type": content_type, "body": body}


def _rate_limit(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) - {"requests", "per_seconds", "per"}:
        raise _refuse("rate_limit", "must be {requests, per_seconds, per?}")
    requests = _whole(value, "requests", 0, "rate_limit.")
    seconds = _number(value, "per_seconds", 0.001, 86_400 * 366)
    if requests is None or seconds is None:
        raise _refuse("rate_limit", "needs requests and per_seconds")
    per = value.get("per", "shop")
    if per not in RATE_LIMIT_SCOPES:
        raise _refuse("rate_limit.per", f"must be one of {', '.join(RATE_LIMIT_SCOPES)}")
    return {"requests": requests, "per_seconds": seconds, "per": per}


def _build(fields: Mapping[str, Any], known: Collection[str]) -> dict[str, Any]:
    """A fault from the caller's fields, every one checked (the message names the field)."""
    if not isinstance(fields, Mapping):
        raise _refuse("body", "must be an object")
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise _refuse(unknown[0], f"is not a field of a fault (fields: {', '.join(FIELDS)})")
    actions = [name for name in ACTIONS if fields.get(name) is not None]
    if len(actions) > 1:
        raise _refuse(actions[1], f"cannot be combined with {actions[0]} (one action each)")
    delay = _number(fields, "delay", 0, MAX_DELAY_SECONDS)
    if not actions and delay is None:
        raise _refuse("action", f"missing: give one of {', '.join(ACTIONS)} or a delay")
    fault: dict[str, Any] = {"operation": _operations(fields.get("operation"), known)}
    shop_id, client_id = fields.get("shop_id"), fields.get("client_id")
    valid_id = isinstance(shop_id, (str, int, float)) and not isinstance(shop_id, bool)
    if shop_id is not None and not valid_id:
        raise _refuse("shop_id", "must be a shop id")
    if client_id is not None and not isinstance(client_id, str):
        raise _refuse("client_id", "must be a string")
    fault["shop_id"] = None if shop_id is None else id_text(shop_id)
    fault["client_id"] = client_id
    method = fields.get("method")
    if method is not None and (not isinstance(method, str) or method.upper() not in METHODS):
        raise _refuse("method", f"must be one of {', '.join(METHODS)}")
    fault["method"] = None if method is None else method.upper()
    if fields.get("drop") is not None and fields.get("drop") is not True:
        raise _refuse("drop", "must be true")
    fault["error"] = None if "error" not in actions else _error(fields["error"])
    fault["drop"] = "drop" in actions
    fault["response"] = None if "response" not in actions else _response(fields["response"])
    rate_limit = fields.get("rate_limit")
    fault["rate_limit"] = None if rate_limit is None else _rate_limit(rate_limit)
    fault["delay"] = delay
    fault["times"] = _whole(fields, "times", 1)
    fault["probability"] = _number(fields, "probability", 0, 1)
    fault["from"], fault["until"] = _instant(fields, "from"), _instant(fields, "until")
    return fault


def create_fault(ctx: Context, fields: Mapping[str, Any], known: Collection[str]) -> dict[str, Any]:
    """A new fault (a copy); ``known`` are the operations a fault may name."""
    fault = _build(fields, known)
    fault_id = str(ctx.store.next_id("fault", FAULT_ID_START))
    return dict(ctx.store.insert(TABLE, {"id": fault_id, **fault, "fired": 0, "windows": {}}))


def present(fault: Mapping[str, Any]) -> dict[str, Any]:
    """A fault as the control plane shows it: what was set (unset fields left out), its id,
    how often it fired and whether its ``times`` are used up."""
    shown: dict[str, Any] = {"id": fault["id"]}
    for name in FIELDS:
        value = fault.get(name)
        if value is not None and value is not False:
            shown[name] = value
    times = fault.get("times")
    shown["fired"] = fault["fired"]
    shown["retired"] = times is not None and fault["fired"] >= times
    return shown


def list_faults(ctx: Context) -> list[dict[str, Any]]:
    """Copies of every fault, oldest first."""
    return sorted(ctx.store.find(TABLE), key=lambda fault: int(fault["id"]))


def get_fault(ctx: Context, fault_id: str) -> dict[str, Any] | None:
    return ctx.store.find_one(TABLE, id=fault_id)


def delete_fault(ctx: Context, fault_id: str) -> bool:
    return ctx.store.delete(TABLE, id=fault_id) > 0


def delete_all(ctx: Context) -> int:
    return ctx.store.delete(TABLE)


def any_set(ctx: Context) -> bool:
    """Whether any fault is set: the one look every request pays while none is."""
    return ctx.store.count(TABLE) > 0


def _client_id(ctx: Context, platform_id: int | None) -> str | None:
    if platform_id is None:
        return None
    platform = tenants.platform_or_none(ctx, platform_id)
    return None if platform is None else str(platform["client_id"])


def _matches(
    ctx: Context,
    fault: Mapping[str, Any],
    operation_id: str,
    method: str,
    shop_id: str | None,
    platform_id: int | None,
) -> bool:
    operations = fault["operation"]
    if operations is not None and operation_id not in operations:
        return False
    if fault["method"] is not None and fault["method"] != method:
        return False
    if fault["shop_id"] is not None and fault["shop_id"] != shop_id:
        return False
    return fault["client_id"] is None or fault["client_id"] == _client_id(ctx, platform_id)


def _in_force(fault: Mapping[str, Any], now: float) -> bool:
    times = fault["times"]
    if times is not None and fault["fired"] >= times:
        return False
    if fault["from"] is not None and now < fault["from"]:
        return False
    return fault["until"] is None or now < fault["until"]


def _over_limit(
    ctx: Context, fault: Mapping[str, Any], now: float, shop_id: str | None, platform_id: int | None
) -> int | None:
    """Count this request in its caller's window; the seconds until the window ends when the
    request is past the limit, else None. A window starts at its first request (X85)."""
    limit = fault["rate_limit"]
    by_platform = limit["per"] == "platform" and platform_id
    key = f"platform {platform_id}" if by_platform else f"shop {shop_id}"
    windows = dict(fault["windows"])
    start, count = windows.get(key, (now, 0))
    start, count = float(start), int(count)
    seconds = float(limit["per_seconds"])
    if now >= start + seconds:
        start, count = now, 0
    windows[key] = [start, count + 1]
    ctx.store.update(TABLE, {"id": fault["id"]}, {"windows": windows})
    if count + 1 <= limit["requests"]:
        return None
    return max(1, math.ceil(start + seconds - now))


def _firing(fault: Mapping[str, Any], retry_after: int | None) -> Firing:
    error = None
    if fault["error"] is not None:
        code = Code(fault["error"]["code"])
        message = fault["error"].get("message") or FAULT_MESSAGES[code]
        http_status = fault["error"].get("http_status")
        error = FakeError("injected", http_status=http_status, code=code, message=message)
    elif retry_after is not None:
        limit = fault["rate_limit"]
        error = FakeError(
            "rate_limited",
            requests=limit["requests"],
            seconds=f"{limit['per_seconds']:g}",
            retry_after=retry_after,
        )
    return Firing(
        fault_id=fault["id"],
        delay=fault["delay"] or 0.0,
        error=error,
        retry_after=retry_after,
        drop=fault["drop"],
        response=fault["response"],
    )


def fire(
    ctx: Context, operation_id: str, method: str, shop_id: str | None, platform_id: int | None
) -> Firing | None:
    """The fault that answers this request, if any: the oldest one that matches, is in force
    (its ``times`` not used up, inside ``from``/``until``), is past its rate limit (for a
    rate limit) and wins its ``probability`` draw. Its ``fired`` count goes up by one."""
    if not any_set(ctx):
        return None
    now = ctx.clock.now()
    with ctx.store.batch():
        for fault in list_faults(ctx):
            if not _in_force(fault, now):
                continue
            if not _matches(ctx, fault, operation_id, method, shop_id, platform_id):
                continue
            retry_after = None
            if fault["rate_limit"] is not None:
                retry_after = _over_limit(ctx, fault, now, shop_id, platform_id)
                if retry_after is None:
                    continue
            probability = fault["probability"]
            if probability is not None and not ctx.randomness.chance() < probability:
                continue
            ctx.store.update(TABLE, {"id": fault["id"]}, {"fired": fault["fired"] + 1})
            return _firing(fault, retry_after)
    return None

"""String formats the spec names beyond JSON Schema's own, checked the way the domain parses."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from trustoo_mock.core.clock import parse_instant

MAX_URL_LENGTH = 2048
MAX_EMAIL_LENGTH = 254
_UNIX_SECONDS = re.compile(r"[0-9]{1,11}")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_EMAIL_LOCAL = re.compile(rf"{_ATOM}(\.{_ATOM})*")
_DOMAIN_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TRUSTOO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")
_SURROGATE = re.compile("[\ud800-\udfff]")
# ASCII JSON text can only yield a surrogate from a \uD800-\uDFFF escape: most bodies have none.
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def is_trustoo_datetime(value: object) -> bool:
    """``YYYY-MM-DD HH:MM:SS`` naming a real calendar instant."""
    if not isinstance(value, str) or not _TRUSTOO_DATETIME.match(value):
        return False
    try:
        datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return False
    return True


def is_rfc3339(value: object) -> bool:
    if not isinstance(value, str) or not _RFC3339.match(value):
        return False
    try:
        parse_instant(value)
    except ValueError:
        return False
    return True


def is_http_url(value: object) -> bool:
    """An absolute http(s) URL with a host, at most 2048 characters (D8)."""
    if not isinstance(value, str) or len(value) > MAX_URL_LENGTH or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def is_instant(value: object) -> bool:
    """A time filter: Unix seconds (1 to 11 digits), ``YYYY-MM-DD HH:MM:SS`` or RFC 3339."""
    if isinstance(value, str) and _UNIX_SECONDS.fullmatch(value):
        return True
    return is_trustoo_datetime(value) or is_rfc3339(value)


def is_email(value: object) -> bool:
    """A plain address ``local@domain``: a dot-atom local part of at most 64 characters and a
    domain of two or more DNS labels, at most 254 characters in all."""
    if not isinstance(value, str) or len(value) > MAX_EMAIL_LENGTH or value.count("@") != 1:
        return False
    local, domain = value.split("@")
    if len(local) > 64 or not _EMAIL_LOCAL.fullmatch(local):
        return False
    labels = domain.split(".")
    return len(labels) >= 2 and all(_DOMAIN_LABEL.fullmatch(label) for label in labels)


def unencodable_text(document: Any, raw: bytes) -> str | None:
    """Where decoded JSON holds text that UTF-8 cannot encode (a lone surrogate, which the
    JSON decoder lets through), named like the spec's validation names fields; None if
    nowhere. ``raw`` is the JSON text the document was decoded from."""
    if raw.isascii() and not _ESCAPED_SURROGATE.search(raw):
        return None
    return _unencodable_in(document, "")


def _unencodable_in(node: Any, where: str) -> str | None:
    if isinstance(node, str):
        return (where or "body") if _SURROGATE.search(node) else None
    if isinstance(node, dict):
        for key, value in node.items():
            inner = f"{where}.{key}" if where else str(key)
            if _SURROGATE.search(key):
                return f"a field name in {where or 'body'}"
            found = _unencodable_in(value, inner)
            if found:
                return found
    if isinstance(node, list):
        for index, item in enumerate(node):
            found = _unencodable_in(item, f"{where or 'body'}[{index}]")
            if found:
                return found
    return None


FORMAT_CHECKS: dict[str, Callable[[object], bool]] = {
    "trustoo-datetime": is_trustoo_datetime,
    "rfc3339": is_rfc3339,
    "http-url": is_http_url,
    "instant": is_instant,
    "email": is_email,
}

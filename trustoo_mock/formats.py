"""String formats the spec names beyond JSON Schema's own, checked the way the domain parses."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from trustoo_mock.clock import parse_instant

MAX_URL_LENGTH = 2048
_TRUSTOO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")


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


FORMAT_CHECKS: dict[str, Callable[[object], bool]] = {
    "trustoo-datetime": is_trustoo_datetime,
    "rfc3339": is_rfc3339,
    "http-url": is_http_url,
}

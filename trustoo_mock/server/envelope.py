"""Trustoo's response envelopes (D4, D5)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from trustoo_mock.core.errors import FakeError

# Every JSON answer ends its line, so a curl prints the next prompt on a line of its own
# (X67); JSON allows whitespace after the value, so every parser reads the same document.
END = b"\n"


@dataclass(frozen=True, slots=True)
class Encoded:
    """``data`` already encoded as compact JSON (a page kept between calls), so answering
    wraps the envelope around the bytes instead of encoding the page again."""

    json: bytes


def encode(data: Any) -> Encoded:
    """The same bytes Starlette's JSONResponse would write for ``data``."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return Encoded(text.encode("utf-8"))


def success(data: Any, request_id: str, now: int) -> dict[str, Any]:
    return {"code": 0, "message": "success", "time": now, "request_id": request_id, "data": data}


def success_bytes(data: Encoded, request_id: str, now: int) -> bytes:
    head = f'{{"code":0,"message":"success","time":{now},"request_id":"{request_id}","data":'
    # One copy of a page that may be large, not one per concatenation.
    return b"".join((head.encode("ascii"), data.json, b"}", END))


def failure(error: FakeError, request_id: str, now: int) -> dict[str, Any]:
    return {
        "code": int(error.code),
        "message": error.message,
        "time": now,
        "request_id": request_id,
    }

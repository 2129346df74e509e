"""Trustoo's response envelopes (D4, D5)."""

from __future__ import annotations

from typing import Any

from trustoo_mock.errors import TrustooError


def success(data: Any, request_id: str, now: int) -> dict[str, Any]:
    return {"code": 0, "message": "success", "time": now, "request_id": request_id, "data": data}


def failure(error: TrustooError, request_id: str, now: int) -> dict[str, Any]:
    return {
        "code": int(error.code),
        "message": error.message,
        "time": now,
        "request_id": request_id,
    }

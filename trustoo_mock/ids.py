"""Ids arrive as digit strings or JSON numbers (even ``12.0``); they are kept as digit strings."""

from __future__ import annotations

from typing import Any


def id_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()

"""Ids arrive as digit strings or JSON numbers (even ``12.0``); they are kept as digit strings.

A digit string and the number it spells are the same id, so leading zeros are dropped.
"""

from __future__ import annotations

from typing import Any

_MAX_DIGITS = 20


def id_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
        return str(int(text))
    return text

"""The fake's only source of time: real, shifted, or frozen and moved by the control plane."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import lru_cache


class Clock:
    """Wall-clock time plus an offset, or a frozen instant.

    ``set`` and ``advance`` work in both modes, so a test can jump a running clock forward
    without freezing it.
    """

    def __init__(self, frozen_at: float | None = None) -> None:
        self._start = frozen_at
        self._offset = 0.0
        self._frozen_at = frozen_at

    def reset(self) -> None:
        """Back to how the clock was made: real time, or frozen at its start instant."""
        self._offset = 0.0
        self._frozen_at = self._start

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def now(self) -> float:
        if self._frozen_at is not None:
            return self._frozen_at
        return time.time() + self._offset

    def now_int(self) -> int:
        return int(self.now())

    def freeze(self) -> None:
        if self._frozen_at is None:
            self._frozen_at = self.now()

    def unfreeze(self) -> None:
        if self._frozen_at is not None:
            self._offset = self._frozen_at - time.time()
            self._frozen_at = None

    def set(self, instant: float) -> None:
        if self._frozen_at is not None:
            self._frozen_at = instant
        else:
            self._offset = instant - time.time()

    def advance(self, seconds: float) -> None:
        self.set(self.now() + seconds)

    def real_time_of(self, instant: float) -> float:
        """The real (wall-clock) time at which this clock reads ``instant``: for a running
        clock ``instant`` minus its offset; a frozen one reads the same at every real time,
        so the real time now."""
        if self._frozen_at is not None:
            return time.time()
        return instant - self._offset


# Listing reviews formats the same few instants over and over; the formatting is the most
# expensive part of presenting a review, so the strings are remembered by whole second.
_FORMAT_CACHE = 65536


@lru_cache(maxsize=_FORMAT_CACHE)
def _rfc3339(second: int) -> str:
    moment = datetime.fromtimestamp(second, UTC)
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}Z"


@lru_cache(maxsize=_FORMAT_CACHE)
def _trustoo_datetime(second: int) -> str:
    moment = datetime.fromtimestamp(second, UTC)
    return f"{moment.year:04d}-{moment:%m-%d %H:%M:%S}"


def rfc3339(instant: float) -> str:
    """``2025-06-20T11:06:48Z``: the format of created_at/updated_at (D6)."""
    return _rfc3339(int(instant))


def trustoo_datetime(instant: float) -> str:
    """``2025-06-20 11:06:48`` in UTC: the format of commented_at/reply_at (D6)."""
    return _trustoo_datetime(int(instant))


def parse_instant(text: str) -> float:
    """Unix seconds, ``YYYY-MM-DD HH:MM:SS`` (UTC) or RFC 3339; raises ValueError otherwise."""
    stripped = text.strip()
    if stripped.lstrip("-").replace(".", "", 1).isdigit():
        return float(stripped)
    normalized = stripped.replace("Z", "+00:00")
    parsed = datetime.fromisoformat(normalized)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()

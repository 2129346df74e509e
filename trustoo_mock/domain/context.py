"""What every domain function works with: the store, the clock, randomness and settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from trustoo_mock.config import Config
from trustoo_mock.core.clock import Clock
from trustoo_mock.core.randomness import Randomness
from trustoo_mock.store.database import Store


@dataclass(slots=True)
class Context:
    """``queued`` counts webhook deliveries put in the outbox, so the HTTP layer knows when
    to wake the dispatcher without reading the store. ``notes`` collects what the request
    being handled should tell the request journal (a delivery dropped to keep the log
    bounded); the HTTP layer takes them once the handler returns. ``own_hosts`` are the
    addresses requests reached this fake at, so pushes never go back to it."""

    store: Store
    clock: Clock
    randomness: Randomness
    config: Config
    queued: int = 0
    notes: list[str] = field(default_factory=list)
    own_hosts: set[str] = field(default_factory=set)

    def take_notes(self) -> list[str]:
        notes, self.notes = self.notes, []
        return notes

    def signature_time(self, instant: float | None = None) -> int:
        """The Unix seconds signatures are checked against and stamped with at the fake's
        ``instant`` (default now): that instant, or with ``signature_clock`` ``wall`` the
        real time then."""
        at = self.clock.now() if instant is None else instant
        if self.config.signature_clock == "wall":
            return int(self.clock.real_time_of(at))
        return int(at)

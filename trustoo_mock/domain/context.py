"""What every domain function works with: the store, the clock, randomness and settings."""

from __future__ import annotations

from dataclasses import dataclass

from trustoo_mock.clock import Clock
from trustoo_mock.config import Config
from trustoo_mock.randomness import Randomness
from trustoo_mock.store import Store


@dataclass(slots=True)
class Context:
    """``queued`` counts webhook deliveries put in the outbox, so the HTTP layer knows when
    to wake the dispatcher without reading the store."""

    store: Store
    clock: Clock
    randomness: Randomness
    config: Config
    queued: int = 0

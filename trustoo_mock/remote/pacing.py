"""The request budget and the gentle rate of the commands that call a real Trustoo
(``contract`` and ``clone``): nothing they send escapes either bound."""

from __future__ import annotations

import time


class BudgetExhausted(Exception):
    """The request budget is spent: the run stops where it is (cleanups have their share)."""


class Pace:
    """The request budget and the rate limit, applied to every request a command sends.

    Creating something reserves the request that deletes it, so cleanup never runs out of
    budget. Requests start at least ``1 / rate`` seconds apart (monotonic time: a pause must
    not depend on the wall clock being stepped).
    """

    def __init__(self, max_requests: int, rate: float) -> None:
        self.max_requests = max_requests
        self.interval = 1.0 / rate
        self.used = 0
        self.reserved = 0
        self._last: float | None = None

    @property
    def available(self) -> int:
        return self.max_requests - self.used - self.reserved

    def reserve(self) -> bool:
        if self.available < 2:  # the request itself and the one that undoes it
            return False
        self.reserved += 1
        return True

    def release(self) -> None:
        self.reserved -= 1

    def take(self, from_reserve: bool = False) -> None:
        if from_reserve:
            self.reserved -= 1
        elif self.available < 1:
            raise BudgetExhausted
        self.used += 1
        now = time.monotonic()
        if self._last is not None and now < self._last + self.interval:
            time.sleep(self._last + self.interval - now)
            now = time.monotonic()
        self._last = now

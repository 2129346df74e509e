"""The shipped ``WebhookReceiver`` with the answers the delivery tests need besides its own:
a queue of statuses, any answer body, an answer held until the test releases it, and an
answer trickled out byte by byte."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from trustoo_mock.receiver import WebhookReceiver

HOLD_LIMIT = 30.0  # a held answer goes out after this long even if the test forgot to release


class Receiver(WebhookReceiver):
    def __init__(self) -> None:
        super().__init__()
        self.url = f"{self.base_url}/hook"
        self.statuses: list[int] = []  # answers to give, in order; then ``status``
        self.status = 200
        self.answer = b'{"code":0,"message":"success"}'
        self.delay = 0.0
        self.hold: threading.Event | None = None  # when set up, every answer waits for it
        self.trickle = 0.0  # seconds between the bytes of the answer (0: all at once)

    def _answer(self) -> tuple[int, float]:
        with self._lock:
            return (self.statuses.pop(0) if self.statuses else self.status), self.delay

    def _body(self, status: int) -> bytes:
        return self.answer

    def _reply(self, handler: BaseHTTPRequestHandler, status: int) -> None:
        if self.hold is not None:
            self.hold.wait(HOLD_LIMIT)
        if not self.trickle:
            super()._reply(handler, status)
            return
        head = f"HTTP/1.1 {status} OK\r\nContent-Length: {len(self.answer)}\r\n\r\n"
        for byte in head.encode() + self.answer:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(self.trickle)


@contextmanager
def receiver() -> Iterator[Receiver]:
    record = Receiver()
    try:
        yield record
    finally:
        record.close()

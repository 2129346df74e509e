"""A real HTTP endpoint on 127.0.0.1 that records webhook pushes and can be told to fail.

Point a subscription at ``receiver.url``; every push is kept (path, headers, raw body, the
status it was answered with). ``respond`` makes it answer with another status, or late, for
the next few pushes or until told otherwise: how a test watches Trustoo's retry schedule.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from trustoo_mock.core.with_block import WithBlock
from trustoo_mock.verify import DEFAULT_TOLERANCE, verify_webhook

__all__ = ["Push", "WebhookReceiver"]

POLL_INTERVAL = 0.02  # how soon close() is noticed by the serving thread
_ACCEPTED = b'{"code":0,"message":"success"}'


@dataclass(frozen=True, slots=True)
class Push:
    """One request as received. ``headers`` keep their names as sent."""

    path: str
    headers: dict[str, str]
    body: bytes
    answered: int
    received_at: float

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def topic(self) -> str | None:
        """The ``topic`` of the first record in the body, when there is one."""
        records = self.json().get("list") or [{}]
        topic = records[0].get("topic")
        return None if topic is None else str(topic)

    def verify(
        self, key: str, *, now: float | None = None, tolerance: int | None = DEFAULT_TOLERANCE
    ) -> None:
        """Raise ``WebhookVerificationError`` unless the push is signed with ``key`` (the shop's
        private token, or the platform's client secret): exactly ``verify_webhook``, with the
        same age check (``tolerance`` seconds from ``now``, default the wall clock). A fake
        whose clock was moved stamps pushes with its own clock: pass ``now=trustoo.now``,
        or run it with ``signature_clock="wall"``."""
        verify_webhook(self.headers, self.body, key, now=now, tolerance=tolerance)


class WebhookReceiver(WithBlock):
    """Records pushes on ``http://127.0.0.1:<port>/webhooks`` (any path is accepted)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Condition()
        self._pushes: list[Push] = []
        self._status = 200
        self._delay = 0.0
        self._remaining: int | None = None
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        address = self._server.server_address
        self.base_url = f"http://{address[0]!s}:{address[1]}"
        self.url = f"{self.base_url}/webhooks"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            args=(POLL_INTERVAL,),
            name="trustoo-webhook-receiver",
            daemon=True,
        )
        self._thread.start()

    @property
    def pushes(self) -> list[Push]:
        with self._lock:
            return list(self._pushes)

    def respond(self, status: int = 200, *, delay: float = 0.0, times: int | None = None) -> None:
        """Answer the next ``times`` pushes (every one when None) with ``status`` after
        ``delay`` seconds; then answer 200 at once again."""
        with self._lock:
            self._status, self._delay, self._remaining = status, delay, times

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[Push]:
        """Block until at least ``count`` pushes arrived (a server delivers in the background)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._pushes) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self._pushes)} of {count} pushes in {timeout} s")
                self._lock.wait(left)
            return list(self._pushes)

    def clear(self) -> None:
        with self._lock:
            self._pushes.clear()

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    _end_of_block = close

    def _answer(self) -> tuple[int, float]:
        with self._lock:
            if self._remaining == 0:
                self._status, self._delay, self._remaining = 200, 0.0, None
            if self._remaining is not None:
                self._remaining -= 1
            return self._status, self._delay

    def _record(self, push: Push) -> None:
        with self._lock:
            self._pushes.append(push)
            self._lock.notify_all()

    def _body(self, status: int) -> bytes:
        return _ACCEPTED if status == 200 else b'{"error":"told to fail"}'

    def _reply(self, handler: BaseHTTPRequestHandler, status: int) -> None:
        """Write the answer to one push: a short JSON body."""
        answer = self._body(status)
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(answer)))
        handler.end_headers()
        handler.wfile.write(answer)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, delay = receiver._answer()
                receiver._record(
                    Push(self.path, dict(self.headers.items()), body, status, time.time())
                )
                if delay:
                    receiver._closing.wait(delay)
                try:
                    receiver._reply(self, status)
                except OSError:
                    return  # the sender stopped waiting (a delay past its timeout)

            def log_message(self, format: str, *args: Any) -> None:
                return  # a test's output is no place for an access log

        return Handler

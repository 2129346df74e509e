"""Running the fake inside the caller's process: one event loop thread, and plain ASGI calls.

Every request, control call and background webhook delivery of one fake runs on that fake's
own event loop, so its store is only ever touched from one thread, exactly as under a real
server. Callers on any thread (or in their own event loop) hand requests over and wait for
the answer. No HTTP client library is involved, so the fixtures and ``MockTrustoo`` work
without httpx.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote

from starlette.types import ASGIApp, Message, Scope

from trustoo_mock.config import IN_PROCESS_HOST

T = TypeVar("T")

# The ASGI scope extension through which the app closes a connection without answering (a
# fault's ``drop``, X87): an async callable of no arguments. ASGI itself has no such message,
# so each way requests arrive (here, and ``server`` for hypercorn) provides it.
DROP_EXTENSION = "trustoo_mock.drop_connection"


@dataclass(frozen=True, slots=True)
class RawResponse:
    """``dropped``: the app closed the connection instead of answering."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    dropped: bool = False


class LoopThread:
    """An asyncio event loop on a daemon thread (a forgotten one never blocks interpreter exit)."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.submit(coroutine).result()

    def close(self) -> None:
        """Finish the loop's worker threads (webhook sends), then stop and close the loop."""
        if self.loop.is_closed():
            return
        self.run(self.loop.shutdown_default_executor())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


async def asgi_request(
    app: ASGIApp,
    method: str,
    target: bytes,
    headers: Iterable[tuple[bytes, bytes]] = (),
    body: bytes = b"",
    *,
    server: tuple[str, int] = (IN_PROCESS_HOST, 80),
) -> RawResponse:
    """One HTTP request straight into the ASGI app, as a server would pass it.

    ``target`` is the raw request target (``/path?query``), sent as is, so a signature over
    the query string sees the very bytes the caller signed. ``server`` is the address the
    request came to (by default the in-process host, whose ``Host`` is not checked). The
    call returns when the app does, after any background task (a webhook delivery) has run.
    """
    raw_path, _, query = target.partition(b"?")
    names = {name.lower() for name, _ in headers}
    sent_headers = [(name.lower(), value) for name, value in headers]
    if b"host" not in names:
        sent_headers.append((b"host", IN_PROCESS_HOST.encode()))
    if body and b"content-length" not in names:
        sent_headers.append((b"content-length", str(len(body)).encode()))
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method.upper(),
        "scheme": "http",
        "path": unquote(raw_path.decode("latin-1")),
        "raw_path": raw_path,
        "query_string": query,
        "root_path": "",
        "headers": sent_headers,
        "client": ("127.0.0.1", 0),
        "server": server,
    }
    request_read = False
    response_done = asyncio.Event()
    dropped = False

    async def drop() -> None:
        nonlocal dropped
        dropped = True
        response_done.set()

    scope["extensions"] = {DROP_EXTENSION: drop}
    status = 500
    response_headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal request_read
        if not request_read:
            request_read = True
            return {"type": "http.request", "body": body, "more_body": False}
        await response_done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status, response_headers
        if message["type"] == "http.response.start":
            status = int(message["status"])
            response_headers = [(bytes(name), bytes(value)) for name, value in message["headers"]]
        elif message["type"] == "http.response.body":
            chunks.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                response_done.set()

    await app(scope, receive, send)
    response_done.set()
    if dropped:
        return RawResponse(0, [], b"", dropped=True)
    return RawResponse(status, response_headers, b"".join(chunks))

"""httpx transports into an in-process fake (no socket): sync and async.

Both hand each request to the fake's own event loop thread (see ``inprocess``), so a sync
client works inside an async test too, and the fake's store is never touched from the
caller's thread. Imported only when a client is asked for: httpx is an optional extra.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable

import httpx

from trustoo_mock.server.inprocess import RawResponse

# (method, raw target "/path?query", headers, body) -> the answer, computed on the fake's loop
Submit = Callable[
    [str, bytes, list[tuple[bytes, bytes]], bytes], concurrent.futures.Future[RawResponse]
]


def _response(raw: RawResponse, request: httpx.Request) -> httpx.Response:
    """The answer; a dropped connection is the transport error httpx's own transport raises
    when a server closes the connection without answering (X87)."""
    if raw.dropped:
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response.", request=request
        )
    return httpx.Response(raw.status, headers=raw.headers, stream=httpx.ByteStream(raw.body))


class InProcessTransport(httpx.BaseTransport):
    def __init__(self, submit: Submit) -> None:
        self._submit = submit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        future = self._submit(request.method, request.url.raw_path, request.headers.raw, body)
        return _response(future.result(), request)


class AsyncInProcessTransport(httpx.AsyncBaseTransport):
    def __init__(self, submit: Submit) -> None:
        self._submit = submit

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        future = self._submit(request.method, request.url.raw_path, request.headers.raw, body)
        return _response(await asyncio.wrap_future(future), request)

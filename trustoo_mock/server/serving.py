"""Serving the app over HTTP with hypercorn, on a socket bound before the server starts.

Binding first means ``--port 0`` (or ``MockTrustoo.serve(port=0)``) knows its port at once,
and a client may connect immediately: the kernel queues the connection until hypercorn
accepts it.
"""

from __future__ import annotations

import os
import socket
import weakref
from collections.abc import Awaitable, Callable

from hypercorn.asyncio import serve
from hypercorn.config import Config as ServerConfig
from hypercorn.events import Closed
from starlette.types import ASGIApp, Receive, Scope, Send

from trustoo_mock.server.inprocess import DROP_EXTENSION

BACKLOG = 128
# Seconds hypercorn lets open requests finish after a shutdown request.
GRACEFUL_TIMEOUT = 2.0


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock


def base_url(sock: socket.socket) -> str:
    """The URL a local client uses; a wildcard address is reached through loopback."""
    host, port = sock.getsockname()[:2]
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1" if sock.family == socket.AF_INET else "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


async def _close_unanswered(send: Send) -> bool:
    """Close the connection of the request that ``send`` answers, sending nothing.

    hypercorn gives an app no way to do that (an app that ends without answering gets its
    500), but the ``send`` it hands over is its stream's own method, whose ``send`` is the
    connection protocol's, whose ``send`` reaches the socket: closing there and telling the
    protocol it is closed leaves nothing to answer. False when ``send`` is not hypercorn's.
    """
    stream = getattr(send, "__self__", None)
    protocol = getattr(getattr(stream, "send", None), "__self__", None)
    connection_send = getattr(protocol, "send", None)
    if protocol is None or connection_send is None or not hasattr(protocol, "handle"):
        return False
    await connection_send(Closed())
    await protocol.handle(Closed())
    return True


class ConnectionDropMiddleware:
    """Offers the app ``DROP_EXTENSION`` (X87) on every HTTP request hypercorn hands over."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # Held weakly: ``send`` is a method of the stream that holds this scope, and a
            # strong hold made every request a reference cycle left to the garbage collector
            # (26 objects a request).
            stream_send = weakref.WeakMethod(send)

            async def drop() -> None:
                live = stream_send()
                if live is None or not await _close_unanswered(live):
                    raise RuntimeError("this server cannot close a connection unanswered")

            scope.setdefault("extensions", {})[DROP_EXTENSION] = drop
        await self.app(scope, receive, send)


async def serve_on(
    app: ASGIApp,
    sock: socket.socket,
    shutdown_trigger: Callable[[], Awaitable[object]],
    *,
    quiet: bool = False,
) -> None:
    """Run hypercorn on ``sock`` until ``shutdown_trigger`` returns.

    hypercorn takes a duplicate of the socket's descriptor and closes that itself; the
    caller still owns ``sock``. ``quiet`` keeps hypercorn's start-up lines out of the log.
    """
    config = ServerConfig()
    config.bind = [f"fd://{os.dup(sock.fileno())}"]
    config.accesslog = None
    config.graceful_timeout = GRACEFUL_TIMEOUT
    if quiet:
        config.loglevel = "WARNING"
    served = ConnectionDropMiddleware(app)
    await serve(served, config, shutdown_trigger=shutdown_trigger)  # type: ignore[arg-type]

"""Serving the app over HTTP with hypercorn, on a socket bound before the server starts.

Binding first means ``--port 0`` (or ``MockTrustoo.serve(port=0)``) knows its port at once,
and a client may connect immediately: the kernel queues the connection until hypercorn
accepts it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable

from hypercorn.asyncio import serve
from hypercorn.config import Config as ServerConfig
from starlette.types import ASGIApp

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
    await serve(app, config, shutdown_trigger=shutdown_trigger)  # type: ignore[arg-type]

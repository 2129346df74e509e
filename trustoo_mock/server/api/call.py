"""What a handler receives once the request is read, validated and authenticated."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.types import Scope

from trustoo_mock.core.principal import Principal
from trustoo_mock.domain.context import Context
from trustoo_mock.services.fake import Fake


@dataclass(slots=True)
class Call:
    """``ctx`` is the one service a Trustoo or object store handler uses (store, clock,
    randomness, settings); ``headers`` have lowercase names; ``raw_body`` is the body
    exactly as received; ``scope`` is the request's ASGI scope."""

    ctx: Context
    query: dict[str, Any]
    body: Any
    principal: Principal | None = None
    path_params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    raw_body: bytes = b""
    scope: Scope = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """How the caller reached this server, for URLs the fake hands out (asked for by the
        few handlers that hand one out, not built for every call)."""
        return _base_url(self.scope)

    @property
    def caller(self) -> Principal:
        if self.principal is None:
            raise RuntimeError("this operation was declared without authentication")
        return self.principal

    @property
    def fields(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) else {}


@dataclass(slots=True)
class ControlCall(Call):
    """A call of the control plane or the inspector, which act on the instance itself: its
    journal, snapshots, dispatcher, clock changes and resets."""

    fake: Fake = field(kw_only=True)


Handler = Callable[[Call], Any]


def _base_url(scope: Scope) -> str:
    """``request.base_url`` without its slash, from the only parts of the scope Starlette
    builds it of: a client sends the same few, and building a URL costs more than a
    handler's work."""
    host = next((value for name, value in scope.get("headers", ()) if name == b"host"), None)
    server = scope.get("server")
    root_path = scope.get("app_root_path", scope.get("root_path", ""))
    return _base_url_of(
        scope.get("scheme", "http"), None if server is None else tuple(server), host, root_path
    )


@functools.lru_cache(maxsize=256)
def _base_url_of(
    scheme: str, server: tuple[str, int] | None, host: bytes | None, root_path: str
) -> str:
    scope: Scope = {
        "type": "http",
        "scheme": scheme,
        "server": server,
        "headers": [] if host is None else [(b"host", host)],
        "path": "/",
        "query_string": b"",
        "root_path": root_path,
    }
    return str(Request(scope).base_url).rstrip("/")

"""The route table: which endpoint answers a path and method, and who answers when none does.

Most operations have a path without parameters (every Trustoo one does); those are found by
one dictionary lookup (``ExactPaths``) instead of one regular expression per route. Paths
with parameters are Starlette routes. One route per path either way, so a 405 lists every
method the path has in ``Allow``. Endpoints turn their own failures into answers, and a
request no endpoint takes is answered by ``unrouted`` (no Starlette exception layer).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["Endpoint", "ExactPaths", "Unrouted", "not_found", "routes"]

Endpoint = Callable[[Request], Awaitable[Response]]
# What a path answers, by method (HEAD is answered as GET).
Methods = Mapping[str, Endpoint]
# The answer to a request no operation takes: its path has none (``allowed`` None), or not
# with its method (``allowed``: the path's methods, for the ``Allow`` header).
Unrouted = Callable[[Request, str | None], Awaitable[Response]]


def _allowed(methods: Methods) -> str:
    named = set(methods) | ({"HEAD"} if "GET" in methods else set())
    return ", ".join(sorted(named))


def _method(scope: Scope) -> str:
    method: str = scope["method"]
    return "GET" if method == "HEAD" else method


async def _answer(
    methods: Methods, unrouted: Unrouted, scope: Scope, receive: Receive, send: Send
) -> None:
    endpoint = methods.get(_method(scope))
    request = Request(scope, receive, send)
    if endpoint is None:
        response = await unrouted(request, _allowed(methods))
    else:
        response = await endpoint(request)
    await response(scope, receive, send)


class ExactPaths(BaseRoute):
    """Every parameterless path of the table, matched by lookup."""

    def __init__(self, paths: Mapping[str, Methods], unrouted: Unrouted) -> None:
        self.paths = paths
        self.unrouted = unrouted

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        methods = self.paths.get(get_route_path(scope))
        if methods is None:
            return Match.NONE, {}
        return (Match.FULL if _method(scope) in methods else Match.PARTIAL), {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _answer(self.paths[get_route_path(scope)], self.unrouted, scope, receive, send)


class _ByMethod:
    """The ASGI app of a path with parameters."""

    def __init__(self, methods: Methods, unrouted: Unrouted) -> None:
        self.methods = methods
        self.unrouted = unrouted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _answer(self.methods, self.unrouted, scope, receive, send)


class _PathWithParameters(Route):
    """Starlette's matching of a parameterised path; a method it lacks is answered by
    ``unrouted`` like any other."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def _has_parameters(route_path: str) -> bool:
    return "{" in route_path


def routes(table: Mapping[str, Methods], unrouted: Unrouted) -> list[BaseRoute]:
    """The Starlette routes of ``table`` (route path -> method -> endpoint)."""
    exact = {path: methods for path, methods in table.items() if not _has_parameters(path)}
    routed: list[BaseRoute] = [ExactPaths(exact, unrouted)]
    routed += [
        _PathWithParameters(path, _ByMethod(methods, unrouted), methods=list(methods))
        for path, methods in table.items()
        if _has_parameters(path)
    ]
    return routed


def not_found(unrouted: Unrouted) -> ASGIApp:
    """The route table's answer when no path matches."""

    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        response = await unrouted(Request(scope, receive, send), None)
        await response(scope, receive, send)

    return answer

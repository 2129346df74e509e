"""The front door: what every HTTP request goes through before the route table, in one ASGI
layer (each layer more is paid on every request's way in and on each message out).

In order: the ``Host`` check (X61), the count of requests in progress (for
``POST /_mock/wait_idle``) with the addresses the fake is reached at, and the journal's
recording of the request.
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from trustoo_mock.config import IN_PROCESS_HOST
from trustoo_mock.server.hosts import host_allowed, parse_allowed_hosts, refusal
from trustoo_mock.services.fake import Fake
from trustoo_mock.services.journal import Recording, journaled

__all__ = ["FrontDoor", "HostGuard"]

WAIT_IDLE_PATH = "/_mock/wait_idle"


class HostGuard:
    """Without a control token, only ``Host`` values that name this machine (or are allowed
    with ``allowed_hosts``) are answered, so a rebound name cannot reach the fake (X61).
    A request handed over in process (no socket, so no browser) may name any host: a client
    may keep the real API's URL and only swap its transport."""

    # Decisions kept by (Host, server address): a client sends the same few, and parsing an
    # address costs more than the rest of the check. Bounded against a flood of new names.
    DECISIONS_KEPT = 256

    def __init__(self, fake: Fake) -> None:
        self.checked = not fake.config.control_token
        self.allowed = parse_allowed_hosts(fake.config.allowed_hosts)
        self._decisions: dict[tuple[bytes, str | None], bool] = {}

    def _allowed(self, host: bytes, server_name: str | None) -> bool:
        decision = self._decisions.get((host, server_name))
        if decision is None:
            decision = host_allowed(host.decode("latin-1"), server_name, self.allowed)
            if len(self._decisions) >= self.DECISIONS_KEPT:
                self._decisions.clear()
            self._decisions[(host, server_name)] = decision
        return decision

    def refused(self, scope: Scope) -> str | None:
        """The ``Host`` value this request is refused for, or None."""
        if not self.checked:
            return None
        server = scope.get("server")
        server_name = str(server[0]) if server else None
        if server_name == IN_PROCESS_HOST:
            return None
        for name, value in scope["headers"]:
            if name == b"host" and not self._allowed(value, server_name):
                return str(value.decode("latin-1"))
        return None

    @staticmethod
    def answer(refused: str) -> PlainTextResponse:
        return PlainTextResponse(
            refusal(refused), status_code=403, headers={"X-Content-Type-Options": "nosniff"}
        )


class FrontDoor:
    """The one layer in front of the route table. A request counts as in progress until its
    background pushes are done (``wait_idle`` waits for that), and the address it came to
    is noted, so a push never goes back to the fake itself."""

    def __init__(self, app: ASGIApp, fake: Fake) -> None:
        self.app = app
        self.fake = fake
        self.guard = HostGuard(fake)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = self.guard.refused(scope)
        if refused is not None:
            await self.guard.answer(refused)(scope, receive, send)
            return
        fake = self.fake
        server = scope.get("server")
        if server:
            fake.ctx.own_hosts.add(str(server[0]))
        activity = fake.activity
        path = scope["path"]
        waiting = path == WAIT_IDLE_PATH
        activity.requests += 1
        activity.waiting += waiting
        try:
            if not journaled(path):
                await self.app(scope, receive, send)
                return
            recording = Recording(fake.journal, scope, send, fake.ctx.clock.now())
            await self.app(scope, receive, recording.send)
            recording.finish()
        finally:
            activity.requests -= 1
            activity.waiting -= waiting

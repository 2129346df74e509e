"""The request journal (DESIGN §5): the newest requests the fake answered (``GET /_mock/requests``).

Each entry says what came in (method, path, raw query), what went out (HTTP status), which
operation of the spec it reached and how it authenticated, stamped with the fake's clock. The
control plane's own traffic is left out: it sets tests up, it is not API use to inspect.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trustoo_mock.core.clock import Clock
from trustoo_mock.core.errors import Code, FakeError
from trustoo_mock.core.principal import Principal
from trustoo_mock.core.redaction import (
    REQUEST_SECRET_NAMES,
    SECRET_NAMES,
    Redactor,
    secret_values_in_body,
)
from trustoo_mock.core.signing import parse_query, printable, string_to_sign

# How much of a request body and of an answer the journal keeps for the inspector (X99).
KEPT_BYTES = 16 * 1024


@dataclass(slots=True)
class Exchange:
    """What the inspector shows of a request beyond its entry, kept as it came (cheap on the
    way in) and only ever handed out redacted (``Journal.exchange``): headers, raw query,
    the body's first bytes and the answer's, and for a refused HMAC signature the
    string-to-sign the fake expected."""

    headers: list[tuple[bytes, bytes]]
    query: str
    body: bytes
    body_size: int
    shop_id: str | None = None
    answer: bytearray = field(default_factory=bytearray)
    answer_size: int = 0
    expected_string_to_sign: str | None = None

    def keep_answer(self, chunk: bytes) -> None:
        self.answer_size += len(chunk)
        room = KEPT_BYTES - len(self.answer)
        if room > 0:
            self.answer += chunk[:room]


class Journal:
    """A bounded log: past ``size`` entries the oldest go, so a long session cannot grow it."""

    def __init__(self, size: int) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._exchanges: deque[Exchange | None] = deque(maxlen=size)
        self._sequence = 0

    def record(self, entry: dict[str, Any], exchange: Exchange | None = None) -> dict[str, Any]:
        """Keeps ``entry`` (numbered) and returns the kept one, which may still be completed."""
        self._sequence += 1
        kept = {"seq": self._sequence, **entry}
        self._entries.append(kept)
        self._exchanges.append(exchange)
        return kept

    def entries(self) -> list[dict[str, Any]]:
        return list(self._entries)

    def rows(self) -> list[tuple[dict[str, Any], str | None]]:
        """Each entry with the shop its caller was authenticated as (None: not known)."""
        return [
            (entry, None if exchange is None else exchange.shop_id)
            for entry, exchange in zip(self._entries, self._exchanges, strict=True)
        ]

    def newest(self) -> int:
        """The number of the newest entry (0 before the first)."""
        return self._sequence

    def _index(self, seq: int) -> int | None:
        """Where entry ``seq`` is: where consecutive numbering puts it, or (after a snapshot
        was restored) wherever it is."""
        index = seq - (self._sequence - len(self._entries)) - 1
        if 0 <= index < len(self._entries) and self._entries[index]["seq"] == seq:
            return index
        found = (at for at, entry in enumerate(self._entries) if entry["seq"] == seq)
        return next(found, None)

    def row(self, seq: int) -> tuple[dict[str, Any], str | None] | None:
        """Entry ``seq`` with its caller's shop, as ``rows`` gives them (None: not kept)."""
        index = self._index(seq)
        if index is None:
            return None
        kept = self._exchanges[index]
        return self._entries[index], None if kept is None else kept.shop_id

    def exchange(self, seq: int) -> dict[str, Any] | None:
        """Entry ``seq``'s headers, query, body and answer with every secret cut out (None
        when it is no longer kept)."""
        index = self._index(seq)
        kept = None if index is None else self._exchanges[index]
        return None if kept is None else _redacted_exchange(kept)

    def clear(self) -> None:
        self._entries.clear()
        self._exchanges.clear()

    def replace(self, entries: list[dict[str, Any]]) -> None:
        """Exactly these entries (a snapshot's); numbering goes on from where it is. A
        snapshot keeps no headers, bodies or answers: the inspector says so for these."""
        self._entries.clear()
        self._entries.extend(dict(entry) for entry in entries)
        self._exchanges.clear()
        self._exchanges.extend([None] * len(self._entries))


def _describe(principal: Principal) -> str:
    if principal.is_platform:
        return (
            f"platform {principal.platform_id} on shop {principal.shop_id}, "
            f"scopes {principal.granted()}"
        )
    return f"shop {principal.shop_id}"


@dataclass(slots=True)
class Noted:
    """What the endpoint hands the journal about the request it answers (the middleware puts
    one in the ASGI scope under ``NOTED``): the operation reached, the body read, whether
    authentication ran and who the caller is (None: the operation needs no credentials or
    allows calls without them), the refusal it ended with, the fault that took it and the
    domain's notes."""

    operation_id: str | None = None
    body: bytes = b""
    authenticated: bool = False
    principal: Principal | None = None
    refusal: FakeError | None = None
    fault: str | None = None
    notes: list[str] = field(default_factory=list)


NOTED = "trustoo_mock.noted"


def auth_outcome(noted: Noted) -> tuple[str, str | None]:
    """(outcome, explanation) of what the endpoint noted."""
    refusal = noted.refusal
    if refusal is not None and refusal.code == Code.UNAUTHENTICATED:
        return "failed", refusal.message
    if not noted.authenticated:
        return "not checked", None
    if noted.principal is None:
        return "anonymous", None
    return "ok", _describe(noted.principal)


# No credential the fake issues or accepts is shorter (the spec's minLength for tokens and
# secrets); cutting shorter values out of free text would only mangle it.
MIN_SECRET_LENGTH = 8
_SECRET_HEADER_NAMES = frozenset(name.encode("latin-1") for name in REQUEST_SECRET_NAMES)


def _header_credentials(scope: Scope) -> list[str]:
    """The values of secret-named headers, and the token of an Authorization header."""
    found = []
    for raw_name, raw_value in scope.get("headers", ()):
        if raw_name in _SECRET_HEADER_NAMES:  # ASGI header names are lowercase
            value = raw_value.decode("latin-1").strip()
            found += [value, value.partition(" ")[2].strip()]
    return [value for value in found if len(value) >= MIN_SECRET_LENGTH]


def _presented_secrets(scope: Scope, query: str, body: bytes) -> list[str]:
    """Every credential the request carried: secret-named headers (and the token of an
    Authorization header), query parameters and ``body`` fields."""
    found = [value for key, value in parse_query(query) if key.lower() in REQUEST_SECRET_NAMES]
    found += secret_values_in_body(body, REQUEST_SECRET_NAMES)
    found = [value for value in found if len(value) >= MIN_SECRET_LENGTH]
    return [*_header_credentials(scope), *found]


def _kept_text(kept: bytes, size: int) -> str:
    text = kept.decode("utf-8", errors="replace")
    return text if size <= len(kept) else f"{text}... ({size - len(kept)} more bytes)"


def _redacted_exchange(kept: Exchange) -> dict[str, Any]:
    """An exchange as the inspector may show it: secret-named headers, parameters and fields
    blanked, and every credential the request presented cut wherever else it appears (the
    answer's own secrets, such as issued tokens, are blanked by their field names)."""
    presented = _presented_secrets({"headers": kept.headers}, kept.query, kept.body)
    redactor = Redactor(presented, REQUEST_SECRET_NAMES)
    answer_redactor = Redactor(presented, SECRET_NAMES)
    headers = redactor.headers(
        {name.decode("latin-1"): value.decode("latin-1") for name, value in kept.headers}
    )
    expected = kept.expected_string_to_sign
    return {
        "headers": headers,
        "query": redactor.query(kept.query),
        "body": redactor.body(_kept_text(kept.body, kept.body_size)),
        "answer": answer_redactor.body(_kept_text(bytes(kept.answer), kept.answer_size)),
        "expected_string_to_sign": None if expected is None else redactor.text(expected),
        "timestamp": headers.get("timestamp"),
    }


_HMAC_HEADERS = (b"public-token", b"timestamp", b"sign")


def _expected_string_to_sign(scope: Scope, query: str, body: bytes) -> str | None:
    """What the fake signs for an HMAC request (signing.py's own rule), or None when the
    request did not try HMAC signing."""
    sent = {name: value for name, value in scope.get("headers", ()) if name in _HMAC_HEADERS}
    if len(sent) < len(_HMAC_HEADERS):
        return None
    timestamp = sent[b"timestamp"].decode("latin-1").strip()
    return printable(string_to_sign(parse_query(query), timestamp, body))


def _may_hold_secrets(scope: Scope, query: str, path: str) -> bool:
    """A cheap first look (most requests hold nothing to redact): a parameter named like a
    secret, anything percent-encoded, a ``name=value`` in the path, or a presented
    credential as it was sent."""
    if "%" in query or "=" in path:
        return True
    if any(pair.partition("=")[0].lower() in REQUEST_SECRET_NAMES for pair in query.split("&")):
        return True
    return any(value in query or value in path for value in _header_credentials(scope))


def _redacted(
    scope: Scope,
    noted: Noted,
    request: tuple[str, str],
    outcome: str,
    explanation: str | None,
) -> tuple[str, str, str | None]:
    """The request's (path, query) and the auth explanation with every presented credential
    cut out. Only a refusal's explanation can quote what was sent (a bad Sign's
    string-to-sign, a token that is not known), and only then is the body read for secrets."""
    path, query = request
    failed = outcome == "failed"
    if not failed and not _may_hold_secrets(scope, query, path):
        return path, query, explanation
    body = noted.body if failed else b""
    redactor = Redactor(_presented_secrets(scope, query, body), REQUEST_SECRET_NAMES)
    return (
        redactor.path(path),
        redactor.query(query),
        None if explanation is None else redactor.text(explanation),
    )


# Every envelope starts with its code (D5): the journal reads it there, without parsing.
_ENVELOPE_CODE = re.compile(rb'\A\{"code":(\d+)[,}]')


def envelope_code(body: bytes) -> int | None:
    """The ``code`` of an answer in Trustoo's envelope, None for any other answer."""
    found = _ENVELOPE_CODE.match(body)
    return int(found.group(1)) if found else None


class JournalMiddleware:
    """Notes every HTTP request outside ``/_mock`` as its response starts (pure ASGI, so
    background work after the response, like webhook pushes, does not delay the entry),
    from the ``Noted`` record the endpoint fills (a request no route takes leaves it blank:
    no operation, authentication not checked)."""

    def __init__(self, app: ASGIApp, journal: Journal, clock: Clock) -> None:
        self.app = app
        self.journal = journal
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path == "/_mock" or path.startswith("/_mock/"):
            await self.app(scope, receive, send)
            return
        noted = scope[NOTED] = Noted()
        arrived = self.clock.now()
        method = scope["method"]

        # The kept entry, until the first chunk of the body has told its envelope code.
        awaiting_body: list[dict[str, Any]] = []
        exchanges: list[Exchange] = []
        answered = False

        def note(status: int | None) -> dict[str, Any]:
            outcome, explanation = auth_outcome(noted)
            raw_query = scope.get("query_string", b"").decode("latin-1")
            shown_path, query, explanation = _redacted(
                scope, noted, (path, raw_query), outcome, explanation
            )
            entry: dict[str, Any] = dict(
                time=arrived,
                method=method,
                path=shown_path,
                query=query,
                status=status,
                code=None,  # read from the body's first bytes when it starts
                operation_id=noted.operation_id,
                auth=outcome,
                auth_explanation=explanation,
            )
            if noted.fault:
                entry["fault"] = noted.fault
            if noted.notes:
                entry["notes"] = noted.notes
            body = noted.body
            exchange = Exchange(list(scope["headers"]), raw_query, body[:KEPT_BYTES], len(body))
            if noted.principal is not None:
                exchange.shop_id = noted.principal.shop_id
            if outcome == "failed":
                exchange.expected_string_to_sign = _expected_string_to_sign(scope, raw_query, body)
            exchanges.append(exchange)
            return self.journal.record(entry, exchange)

        async def noting(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                if awaiting_body:
                    awaiting_body.pop()["code"] = envelope_code(chunk)
                if exchanges:
                    exchanges[0].keep_answer(chunk)
            if message["type"] == "http.response.start":
                answered = True
                awaiting_body.append(note(message["status"]))
            await send(message)

        await self.app(scope, receive, noting)
        if not answered and noted.fault:  # a fault dropped the connection (X87)
            note(None)

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

from starlette.types import Message, Scope, Send

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
    answer_chunks: list[bytes] = field(default_factory=list)
    answer_size: int = 0
    expected_string_to_sign: str | None = None

    def keep_answer(self, chunk: bytes) -> None:
        """Keeps the answer's first KEPT_BYTES (as references: the bytes are not copied)."""
        room = KEPT_BYTES - self.answer_size
        self.answer_size += len(chunk)
        if room > 0 and chunk:
            self.answer_chunks.append(chunk if len(chunk) <= room else chunk[:room])

    @property
    def answer(self) -> bytes:
        return b"".join(self.answer_chunks)

    def envelope_code(self) -> int | None:
        """The answer's envelope code, read from its first bytes (the whole answer is not
        joined for that: the journal's entries are shown a thousand at a time)."""
        return envelope_code(self.answer_chunks[0]) if self.answer_chunks else None


@dataclass(slots=True)
class _Noted:
    """An entry as ``Recording`` notes it, cheaply (on every request's way out); its shown
    form, redacted, is built only when the journal is read. A request whose authentication
    failed comes redacted already (``shown_parts``): only its redaction reads the body."""

    seq: int
    time: float
    method: str
    path: str
    status: int | None
    operation_id: str | None
    auth: tuple[str, str | None]
    fault: str | None
    notes: list[str]
    exchange: Exchange
    shown_parts: tuple[str, str, str | None] | None = None

    def shown(self) -> dict[str, Any]:
        outcome, explanation = self.auth
        if self.shown_parts is None:
            request = (self.path, self.exchange.query)
            self.shown_parts = _redacted(self.exchange.headers, b"", request, outcome, explanation)
        path, query, explanation = self.shown_parts
        entry: dict[str, Any] = {
            "seq": self.seq,
            "time": self.time,
            "method": self.method,
            "path": path,
            "query": query,
            "status": self.status,
            "code": self.exchange.envelope_code(),
            "operation_id": self.operation_id,
            "auth": outcome,
            "auth_explanation": explanation,
        }
        if self.fault:
            entry["fault"] = self.fault
        if self.notes:
            entry["notes"] = self.notes
        return entry


def _seq(entry: _Noted | dict[str, Any]) -> int:
    return int(entry["seq"]) if isinstance(entry, dict) else entry.seq


def _shop_of(entry: _Noted | dict[str, Any]) -> str | None:
    """The shop the caller was authenticated as (None: not known, or a snapshot's entry)."""
    return None if isinstance(entry, dict) else entry.exchange.shop_id


class Journal:
    """A bounded log: past ``size`` entries the oldest go, so a long session cannot grow it."""

    def __init__(self, size: int) -> None:
        # Noted on the way out, or shown already (a restored snapshot's entries).
        self._entries: deque[_Noted | dict[str, Any]] = deque(maxlen=size)
        self._sequence = 0

    def record(self, entry: _Noted) -> None:
        """Keeps ``entry``, numbered; its answer may still be arriving."""
        self._sequence += 1
        entry.seq = self._sequence
        self._entries.append(entry)

    @staticmethod
    def _shown(entry: _Noted | dict[str, Any]) -> dict[str, Any]:
        return entry if isinstance(entry, dict) else entry.shown()

    def entries(self) -> list[dict[str, Any]]:
        return [self._shown(entry) for entry in self._entries]

    def rows(self) -> list[tuple[dict[str, Any], str | None]]:
        """Each entry with the shop its caller was authenticated as (None: not known)."""
        return [(self._shown(entry), _shop_of(entry)) for entry in self._entries]

    def newest(self) -> int:
        """The number of the newest entry (0 before the first)."""
        return self._sequence

    def _index(self, seq: int) -> int | None:
        """Where entry ``seq`` is: where consecutive numbering puts it, or (after a snapshot
        was restored) wherever it is."""
        index = seq - (self._sequence - len(self._entries)) - 1
        if 0 <= index < len(self._entries) and _seq(self._entries[index]) == seq:
            return index
        found = (at for at, entry in enumerate(self._entries) if _seq(entry) == seq)
        return next(found, None)

    def row(self, seq: int) -> tuple[dict[str, Any], str | None] | None:
        """Entry ``seq`` with its caller's shop, as ``rows`` gives them (None: not kept)."""
        index = self._index(seq)
        if index is None:
            return None
        entry = self._entries[index]
        return self._shown(entry), _shop_of(entry)

    def exchange(self, seq: int) -> dict[str, Any] | None:
        """Entry ``seq``'s headers, query, body and answer with every secret cut out (None
        when it is no longer kept)."""
        index = self._index(seq)
        entry = None if index is None else self._entries[index]
        return (
            None if entry is None or isinstance(entry, dict) else _redacted_exchange(entry.exchange)
        )

    def clear(self) -> None:
        self._entries.clear()

    def replace(self, entries: list[dict[str, Any]]) -> None:
        """Exactly these entries (a snapshot's); numbering goes on from where it is. A
        snapshot keeps no headers, bodies or answers: the inspector says so for these."""
        self._entries.clear()
        self._entries.extend(dict(entry) for entry in entries)


def _describe(principal: Principal) -> str:
    if principal.is_platform:
        return (
            f"platform {principal.platform_id} on shop {principal.shop_id}, "
            f"scopes {principal.granted()}"
        )
    return f"shop {principal.shop_id}"


@dataclass(slots=True)
class Noted:
    """What the endpoint hands the journal about the request it answers (``Recording`` puts
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


Headers = list[tuple[bytes, bytes]]


def _header_credentials(headers: Headers) -> list[str]:
    """The values of secret-named headers, and the token of an Authorization header."""
    found = []
    for raw_name, raw_value in headers:
        if raw_name in _SECRET_HEADER_NAMES:  # ASGI header names are lowercase
            value = raw_value.decode("latin-1").strip()
            found += [value, value.partition(" ")[2].strip()]
    return [value for value in found if len(value) >= MIN_SECRET_LENGTH]


def _presented_secrets(headers: Headers, query: str, body: bytes) -> list[str]:
    """Every credential the request carried: secret-named headers (and the token of an
    Authorization header), query parameters and ``body`` fields."""
    found = [value for key, value in parse_query(query) if key.lower() in REQUEST_SECRET_NAMES]
    found += secret_values_in_body(body, REQUEST_SECRET_NAMES)
    found = [value for value in found if len(value) >= MIN_SECRET_LENGTH]
    return [*_header_credentials(headers), *found]


def _kept_text(kept: bytes, size: int) -> str:
    text = kept.decode("utf-8", errors="replace")
    return text if size <= len(kept) else f"{text}... ({size - len(kept)} more bytes)"


def _redacted_exchange(kept: Exchange) -> dict[str, Any]:
    """An exchange as the inspector may show it: secret-named headers, parameters and fields
    blanked, and every credential the request presented cut wherever else it appears (the
    answer's own secrets, such as issued tokens, are blanked by their field names)."""
    presented = _presented_secrets(kept.headers, kept.query, kept.body)
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
        "answer": answer_redactor.body(_kept_text(kept.answer, kept.answer_size)),
        "expected_string_to_sign": None if expected is None else redactor.text(expected),
        "timestamp": headers.get("timestamp"),
    }


_HMAC_HEADERS = (b"public-token", b"timestamp", b"sign")


def _expected_string_to_sign(headers: Headers, query: str, body: bytes) -> str | None:
    """What the fake signs for an HMAC request (signing.py's own rule), or None when the
    request did not try HMAC signing."""
    sent = {name: value for name, value in headers if name in _HMAC_HEADERS}
    if len(sent) < len(_HMAC_HEADERS):
        return None
    timestamp = sent[b"timestamp"].decode("latin-1").strip()
    return printable(string_to_sign(parse_query(query), timestamp, body))


def _may_hold_secrets(headers: Headers, query: str, path: str) -> bool:
    """A cheap first look (most requests hold nothing to redact): a parameter named like a
    secret, anything percent-encoded, a ``name=value`` in the path, or a presented
    credential as it was sent."""
    if "%" in query or "=" in path:
        return True
    if any(pair.partition("=")[0].lower() in REQUEST_SECRET_NAMES for pair in query.split("&")):
        return True
    return any(value in query or value in path for value in _header_credentials(headers))


def _redacted(
    headers: Headers,
    body: bytes,
    request: tuple[str, str],
    outcome: str,
    explanation: str | None,
) -> tuple[str, str, str | None]:
    """The request's (path, query) and the auth explanation with every presented credential
    cut out. Only a refusal's explanation can quote what was sent (a bad Sign's
    string-to-sign, a token that is not known), and only then is ``body`` read for secrets."""
    path, query = request
    if outcome != "failed" and not _may_hold_secrets(headers, query, path):
        return path, query, explanation
    redactor = Redactor(_presented_secrets(headers, query, body), REQUEST_SECRET_NAMES)
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


def journaled(path: str) -> bool:
    """The control plane's own traffic is not journaled."""
    return path != "/_mock" and not path.startswith("/_mock/")


class Recording:
    """One request on its way to the journal: ``send`` is the request's own, watched, and
    the entry is noted as the response starts (so background work after the response, like
    webhook pushes, does not delay it), from the ``Noted`` record the endpoint fills (a
    request no route takes leaves it blank: no operation, authentication not checked)."""

    __slots__ = ("_arrived", "_journal", "_kept", "_scope", "_send", "noted")

    def __init__(self, journal: Journal, scope: Scope, send: Send, arrived: float) -> None:
        self._journal = journal
        self._scope = scope
        self._send = send
        self.noted = scope[NOTED] = Noted()
        self._arrived = arrived
        self._kept: Exchange | None = None

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.body":
            if self._kept is not None:
                self._kept.keep_answer(message.get("body", b""))
        elif message["type"] == "http.response.start":
            self._kept = self._note(message["status"])
        await self._send(message)

    def finish(self) -> None:
        """After the app: a request a fault dropped unanswered is noted too (X87)."""
        if self._kept is None and self.noted.fault:
            self._note(None)

    def _note(self, status: int | None) -> Exchange:
        noted, scope = self.noted, self._scope
        outcome, explanation = auth_outcome(noted)
        path = scope["path"]
        raw_query = scope.get("query_string", b"").decode("latin-1")
        body = noted.body
        headers = list(scope["headers"])
        exchange = Exchange(headers, raw_query, body[:KEPT_BYTES], len(body))
        if noted.principal is not None:
            exchange.shop_id = noted.principal.shop_id
        entry = _Noted(
            0,
            self._arrived,
            scope["method"],
            path,
            status,
            noted.operation_id,
            (outcome, explanation),
            noted.fault,
            noted.notes,
            exchange,
        )
        if outcome == "failed":
            # Redacted now, while the whole body is at hand (the exchange keeps its start).
            request = (path, raw_query)
            entry.shown_parts = _redacted(headers, body, request, outcome, explanation)
            exchange.expected_string_to_sign = _expected_string_to_sign(headers, raw_query, body)
        self._journal.record(entry)
        return exchange

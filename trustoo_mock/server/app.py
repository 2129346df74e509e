"""The ASGI application: one route per implemented operation of openapi.yaml.

Every Trustoo operation goes through the same steps: read the body (bounded), authenticate,
check scopes, validate query and body against the spec, call the handler, wrap the result in
the envelope. Control-plane operations skip authentication and answer plain JSON. The
object store (``/_storage``, where uploads go) answers the way the object store does.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import typing
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Any

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from trustoo_mock.config import MIRROR, Config, ErrorHttpStatus
from trustoo_mock.core.errors import FakeError
from trustoo_mock.core.principal import Principal
from trustoo_mock.core.redaction import REQUEST_SECRET_NAMES, Redactor
from trustoo_mock.core.signing import parse_query
from trustoo_mock.domain import faults
from trustoo_mock.domain.context import Context
from trustoo_mock.server import control, envelope, ui
from trustoo_mock.server.api import (
    customer_events,
    customers,
    media,
    oauth,
    orders,
    reviews,
    storage,
    webhooks,
    widget,
)
from trustoo_mock.server.api.call import Call, ControlCall, Handler
from trustoo_mock.server.door import FrontDoor
from trustoo_mock.server.inprocess import DROP_EXTENSION
from trustoo_mock.server.routes import Endpoint, Unrouted, not_found, routes
from trustoo_mock.services.auth import authenticate, refuse_repeated_credentials, require_scopes
from trustoo_mock.services.fake import Fake
from trustoo_mock.services.journal import NOTED, Noted
from trustoo_mock.spec.openapi import (
    CURRENT_PREFIX,
    MULTI_SEGMENT_CONVERTOR,
    RETIRED_PREFIX,
    Operation,
    Spec,
    bundled_spec,
    is_storage_path,
)

logger = logging.getLogger("trustoo_mock")


class _AnyText(Convertor[str]):
    """Starlette's ``path`` convertor stops at a line end (``.*``); this one does not."""

    regex = "(?s:.*)"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor(MULTI_SEGMENT_CONVERTOR, _AnyText())

TRUSTOO_HANDLERS: dict[str, Handler] = {
    **oauth.HANDLERS,
    **webhooks.HANDLERS,
    **reviews.HANDLERS,
    **media.HANDLERS,
    **orders.HANDLERS,
    **customer_events.HANDLERS,
    **customers.HANDLERS,
    **widget.HANDLERS,
}


# The status the request journal notes for a request whose client went away while sending
# its body (nginx's "client closed request"); nobody reads the answer.
CLIENT_CLOSED_REQUEST = 499
# Sent with an answer given before the body was read: the rest of it is not awaited.
CLOSE_CONNECTION = {"Connection": "close"}


class _BodyTooLarge(Exception):
    pass


class _BodyTooSlow(Exception):
    pass


async def _read_body(
    request: Request, headers: Mapping[str, str], limit: int, deadline: float
) -> bytes:
    """The whole body, within ``deadline`` seconds of starting to read it (a lying
    Content-Length or a chunk that never ends would hold the connection for ever).
    ``headers`` are the request's, by lowercase name."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _BodyTooLarge
    if not _body_may_follow(request.scope, headers, declared):
        return await _receive_body(request.receive, limit)
    try:
        async with asyncio.timeout(deadline):
            return await _receive_body(request.receive, limit)
    except TimeoutError:
        raise _BodyTooSlow from None


def _body_may_follow(scope: Scope, headers: Mapping[str, str], declared: str) -> bool:
    """False when an HTTP/1 head announces no body (no Content-Length or 0, no
    Transfer-Encoding): then there is none and the head brought its end, so reading it
    cannot wait and needs no deadline (X126)."""
    if scope.get("http_version") not in ("1.0", "1.1"):
        return True
    return declared not in ("", "0") or "transfer-encoding" in headers


async def _receive_body(receive: Receive, limit: int) -> bytes:
    """The body's chunks up to the last, as Starlette's ``Request.stream`` reads them
    (without an async generator per request)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        if message["type"] != "http.request":
            continue
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        if chunk:
            chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _client_closed(operation: Operation) -> Response:
    """The client went away mid-body: one log line, and a journal entry saying so."""
    logger.warning(
        "client closed the connection while sending the body of %s", operation.operation_id
    )
    return Response(status_code=CLIENT_CLOSED_REQUEST, headers=CLOSE_CONNECTION)


def _lowercase_headers(request: Request) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in request.scope["headers"]
    }


def _wake_dispatcher(fake: Fake, queued_before: int, response: Response) -> Response:
    """When the call queued webhook deliveries, send them once the response has gone."""
    if fake.ctx.queued != queued_before:
        response.background = BackgroundTask(fake.dispatcher.drain)
    return response


def _call(
    fake: Fake | None,
    ctx: Context,
    request: Request,
    operation: Operation,
    pairs: list[tuple[str, str]],
    body: bytes,
    headers: dict[str, str],
    principal: Principal | None,
) -> Call:
    """Validate query and body against the spec and bundle what a handler may read: the
    context, and the whole ``fake`` only where it is given (the control plane's surfaces)."""
    query = operation.parse_query(pairs)
    parsed = operation.parse_body(body, headers.get("content-type", ""))
    path_params = dict(request.path_params)
    scope = request.scope
    if fake is not None:
        return ControlCall(
            ctx, query, parsed, principal, path_params, headers, body, scope, fake=fake
        )
    return Call(ctx, query, parsed, principal, path_params, headers, body, scope)


class JSONAnswer(JSONResponse):
    """Starlette's compact JSON, then the line end every JSON answer has (X67)."""

    def render(self, content: Any) -> bytes:
        return super().render(content) + envelope.END


class Responder:
    """Builds envelopes with this instance's request ids, clock and error-status style."""

    def __init__(self, fake: Fake) -> None:
        self.fake = fake

    def _stamp(self) -> tuple[str, int]:
        ctx = self.fake.ctx
        return ctx.randomness.hex32(), ctx.clock.now_int()

    def ok(self, data: Any) -> Response:
        request_id, now = self._stamp()
        if isinstance(data, envelope.Encoded):
            body = envelope.success_bytes(data, request_id, now)
            return Response(body, media_type="application/json")
        return JSONAnswer(envelope.success(data, request_id, now))

    def error(
        self,
        error: FakeError,
        headers: dict[str, str] | None = None,
        mode: ErrorHttpStatus | None = None,
    ) -> JSONAnswer:
        """``mode`` overrides the instance's ``error_http_status`` (for fake-only pages)."""
        request_id, now = self._stamp()
        status = error.status_in(self.fake.config.error_http_status if mode is None else mode)
        body = envelope.failure(error, request_id, now)
        return JSONAnswer(body, status_code=status, headers=headers)


class DroppedConnection(Response):
    """No answer at all: the connection is closed (a fault's ``drop``, X87), through the
    extension the server or the in-process caller offers. A server without it gets an empty
    502 with ``Connection: close``, the nearest thing an ASGI app can send."""

    def __init__(self) -> None:
        super().__init__(status_code=502, headers=CLOSE_CONNECTION)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        drop = (scope.get("extensions") or {}).get(DROP_EXTENSION)
        if drop is None:
            await super().__call__(scope, receive, send)
            return
        await drop()


async def _fault_answer(
    responder: Responder, firing: faults.Firing, mode: ErrorHttpStatus | None
) -> Response | None:
    """What a fault answers instead of the operation; None: answer normally (a delay)."""
    if firing.delay:
        await asyncio.sleep(firing.delay)
    if firing.drop:
        return DroppedConnection()
    if firing.response is not None:
        raw = firing.response
        return Response(raw["body"], status_code=raw["status"], media_type=raw["content_type"])
    if firing.error is not None:
        retry = None if firing.retry_after is None else {"Retry-After": str(firing.retry_after)}
        return responder.error(firing.error, retry, mode=mode)
    return None


async def _faulted(
    fake: Fake,
    responder: Responder,
    operation: Operation,
    principal: Principal | None,
    noted: Noted | None,
) -> Response | None:
    """The answer of the fault that takes this request, if one does (X83)."""
    platform_id = principal.platform_id if principal and principal.is_platform else None
    shop_id = principal.shop_id if principal else None
    firing = faults.fire(fake.ctx, operation.operation_id, operation.method, shop_id, platform_id)
    if firing is None:
        return None
    if noted is not None:
        noted.fault = firing.fault_id
    return await _fault_answer(responder, firing, _mode(operation))


def _mode(operation: Operation) -> ErrorHttpStatus | None:
    """The fake's own stand-ins (the consent page's form) are not Trustoo's: their errors keep
    the status that mirrors the code whatever the instance's error_http_status."""
    return MIRROR if operation.raw.get("x-fake-only") else None


class Surface:
    """How one family of operations is answered: what it checks before the body is read,
    how large a body may be, and how a result and a ``FakeError`` become an answer (each
    error is rendered here, once). The family is read from the spec (``surface_of``)."""

    # Trustoo's credentials, scopes and faults are checked, and the caller journaled.
    checks_credentials = False
    too_large = "body_too_large"
    too_slow = "body_timeout"
    closes_when_slow = True
    internal = "internal"
    # Its handlers act on the instance itself (``ControlCall``), not only on the context.
    hands_fake = True
    # ``admit`` has something to check before the body is read.
    admits = False
    # A blank query parameter counts as not given (a filter form sends its blank fields).
    drops_blank_parameters = False

    def __init__(self, fake: Fake) -> None:
        self.fake = fake

    def body_limit(self, operation: Operation) -> int:
        return self.fake.config.max_body_bytes

    def admit(self, request: Request, operation: Operation) -> Response | None:
        """An answer before the body is read (a sign-in page), a FakeError, or None."""
        return None

    def answer(self, result: Any) -> Response:
        """The handler's result as the answer (the inspector's and the object store's
        handlers return a Response)."""
        response: Response = result
        return response

    def refuse(
        self, error: FakeError, operation: Operation, headers: dict[str, str] | None = None
    ) -> Response:
        return _control_error(error, headers)


class TrustooSurface(Surface):
    """Trustoo's operations: signed or bearer callers, the envelope (D4, D5)."""

    checks_credentials = True
    hands_fake = False

    def __init__(self, fake: Fake) -> None:
        super().__init__(fake)
        self.responder = Responder(fake)

    def answer(self, result: Any) -> Response:
        return result if isinstance(result, Response) else self.responder.ok(result)

    def refuse(
        self, error: FakeError, operation: Operation, headers: dict[str, str] | None = None
    ) -> Response:
        return self.responder.error(error, headers, mode=_mode(operation))


# Readiness probes carry no token: the health check stays open when the control plane is guarded.
OPEN_CONTROL_OPERATIONS = frozenset({"mock_health"})


class ControlSurface(Surface):
    """The ``/_mock`` control plane: the control token, plain JSON (DESIGN §5)."""

    too_large = "control_body_too_large"
    admits = True

    def admit(self, request: Request, operation: Operation) -> Response | None:
        token = self.fake.config.control_token
        guarded = operation.operation_id not in OPEN_CONTROL_OPERATIONS
        if token and guarded and request.headers.get("authorization", "") != f"Bearer {token}":
            raise FakeError("control_unauthorized")
        return None

    def answer(self, result: Any) -> Response:
        status, payload = result
        return payload if isinstance(payload, Response) else JSONAnswer(payload, status)


class InspectorSurface(Surface):
    """The inspector's pages and forms (X97): the control token by header or as the session
    cookie it was exchanged for (X98), forms only from the fake's own pages (X100), every
    failure a page."""

    too_large = "form_too_large"
    too_slow = "form_too_slow"
    closes_when_slow = False
    admits = True
    drops_blank_parameters = True

    def admit(self, request: Request, operation: Operation) -> Response | None:
        token = self.fake.config.control_token
        guarded = operation.operation_id not in ui.OPEN_OPERATIONS
        if token and guarded and not self._signed_in(request, token):
            wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return ui.sign_in_page(wanted if request.method == "GET" else ui.HOME)
        if request.method == "POST" and not ui.same_origin(_lowercase_headers(request)):
            raise FakeError("cross_site_form")
        return None

    @staticmethod
    def _signed_in(request: Request, token: str) -> bool:
        if request.headers.get("authorization", "") == f"Bearer {token}":
            return True
        return ui.has_session(request.cookies.get(ui.SESSION_COOKIE), token)

    def refuse(
        self, error: FakeError, operation: Operation, headers: dict[str, str] | None = None
    ) -> Response:
        return ui.refused_page(error)


class StorageSurface(Surface):
    """The fake's object store: its own signatures are checked by the handler, and failures
    are the object store's XML errors."""

    too_large = "storage_body_too_large"
    too_slow = "storage_request_timeout"
    internal = "storage_internal"
    hands_fake = False

    def body_limit(self, operation: Operation) -> int:
        return storage.body_limit(self.fake.config, operation.operation_id)

    def refuse(
        self, error: FakeError, operation: Operation, headers: dict[str, str] | None = None
    ) -> Response:
        return storage.error_response(self.fake.ctx, error, headers)


INSPECTOR_TAG = "Mock Inspector"


def surface_of(operation: Operation, surfaces: Mapping[str, Surface]) -> Surface:
    """Which family answers ``operation``, from the spec: its path (``/_storage``, ``/_mock``)
    and its tag (the inspector's pages are *Mock Inspector* operations under ``/_mock``)."""
    if operation.is_storage:
        return surfaces["storage"]
    if INSPECTOR_TAG in operation.raw.get("tags", ()):
        return surfaces["inspector"]
    if operation.is_control:
        return surfaces["control"]
    return surfaces["trustoo"]


def _endpoint(fake: Fake, surface: Surface, operation: Operation, handler: Any) -> Endpoint:
    """The one request pipeline: admit, read the body (bounded), check Trustoo's credentials
    and faults where the surface has them, validate against the spec, call the handler (a
    plain one inside one store batch), answer through the surface, and hand the journal its
    ``Noted`` record."""
    ctx = fake.ctx
    limit = surface.body_limit(operation)
    timeout = fake.config.body_timeout
    waits = inspect.iscoroutinefunction(handler)
    trustoo = surface.checks_credentials
    handed = fake if surface.hands_fake else None
    admits, drops_blank = surface.admits, surface.drops_blank_parameters

    async def endpoint(request: Request) -> Response:
        noted: Noted | None = request.scope.get(NOTED)
        if noted is not None:
            noted.operation_id = operation.operation_id
        try:
            early = surface.admit(request, operation) if admits else None
            if early is not None:
                return early
            headers = _lowercase_headers(request)
            body = await _read_body(request, headers, limit, timeout)
            pairs = parse_query(request.scope.get("query_string", b""))
            if drops_blank:
                pairs = [pair for pair in pairs if pair[1]]
            principal = None
            if trustoo:
                if noted is not None:
                    noted.body = body
                principal = _caller(ctx, request, operation, headers, pairs, body)
                if noted is not None:
                    noted.authenticated, noted.principal = True, principal
                if principal is not None:
                    require_scopes(principal, operation.scopes)
                if faults.any_set(ctx):
                    responder = typing.cast(TrustooSurface, surface).responder
                    answer = await _faulted(fake, responder, operation, principal, noted)
                    if answer is not None:
                        return answer
            call = _call(handed, ctx, request, operation, pairs, body, headers, principal)
            queued = ctx.queued
            try:
                if waits:
                    result = await handler(call)
                else:
                    with ctx.store.batch():
                        result = handler(call)
            finally:
                notes = ctx.take_notes()
                if noted is not None:
                    noted.notes = notes
                else:
                    _log_notes(notes)
            return _wake_dispatcher(fake, queued, surface.answer(result))
        except _BodyTooLarge:
            return surface.refuse(FakeError(surface.too_large, limit=limit), operation)
        except _BodyTooSlow:
            slow = FakeError(surface.too_slow, seconds=timeout)
            closing = CLOSE_CONNECTION if surface.closes_when_slow else None
            return surface.refuse(slow, operation, closing)
        except ClientDisconnect:
            return _client_closed(operation)
        except FakeError as error:
            if trustoo and noted is not None:
                noted.refusal = error
            return surface.refuse(error, operation)
        except Exception as error:
            logger.exception("unexpected failure in %s", operation.operation_id)
            internal = FakeError(surface.internal, detail=type(error).__name__)
            return surface.refuse(internal, operation)

    if not operation.raw.get("x-cors"):
        return endpoint

    async def cross_origin(request: Request) -> Response:
        """A public storefront read: any shop's pages may call it from the browser."""
        response = await endpoint(request)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    return cross_origin


def _caller(
    ctx: Context,
    request: Request,
    operation: Operation,
    headers: dict[str, str],
    pairs: list[tuple[str, str]],
    body: bytes,
) -> Principal | None:
    """Who calls, by the operation's security (D1-D3); None when it needs no credentials."""
    if not operation.security:
        return None
    raw = request.scope["headers"]
    if len(raw) > len(headers):  # some header name came more than once
        refuse_repeated_credentials(name.decode("latin-1").lower() for name, _ in raw)
    return authenticate(ctx, operation.security, headers, pairs, body)


def _log_notes(notes: list[str]) -> None:
    """The control plane and the inspector are not journaled: what the domain noted in their
    calls goes to the log."""
    for note in notes:
        logger.warning("%s", note)


# The contract itself, served plain and open (no control token): code generators and contract
# checks fetch it from wherever the fake runs.
DOCUMENTS: dict[str, tuple[str, Callable[[Spec], bytes]]] = {
    "mock_openapi_yaml": ("application/yaml", lambda spec: spec.source),
    "mock_openapi_json": ("application/json", lambda spec: spec.json_source),
}


def _document_endpoint(spec: Spec, operation_id: str) -> Endpoint:
    media_type, render = DOCUMENTS[operation_id]

    async def endpoint(request: Request) -> Response:
        return Response(render(spec), media_type=media_type)

    return endpoint


def _control_error(error: FakeError, headers: dict[str, str] | None = None) -> JSONAnswer:
    return JSONAnswer({"error": error.message}, status_code=error.plain_status, headers=headers)


def _near_miss_hint(spec: Spec, path: str) -> str:
    """The message's "did you mean" tail: the operation a near miss of ``path`` most likely
    meant, or nothing."""
    nearest = spec.nearest(path)
    if nearest is None:
        return ""
    hint = f"; did you mean {nearest.method} {nearest.path} ({nearest.operation_id})?"
    if path.lower().startswith(RETIRED_PREFIX):
        hint += f" {RETIRED_PREFIX} is the retired prefix; the current one is {CURRENT_PREFIX}"
    return hint


_PATH_REDACTOR = Redactor((), REQUEST_SECRET_NAMES)


def _unrouted(responder: Responder, spec: Spec) -> Unrouted:
    # A coroutine, answered on the loop, where the store lives.
    async def answer(request: Request, allowed: str | None) -> Response:
        """No operation at this path (``allowed`` None), or not with this method."""
        headers = {} if allowed is None else {"Allow": allowed}
        path = request.url.path
        if is_storage_path(path):
            failure = (
                FakeError("storage_no_such_key", key=path)
                if allowed is None
                else FakeError(
                    "storage_method_not_allowed",
                    method=request.method,
                    path=path,
                    allowed=allowed,
                )
            )
            return storage.error_response(responder.fake.ctx, failure, headers)
        # A secret a client put in the path (a query sent percent-encoded, a matrix
        # parameter) is not repeated in the answer: the path as decoded, secrets cut.
        path = _PATH_REDACTOR.path(request.scope["path"])
        if path.startswith("/_mock"):
            if allowed is not None:
                refused = FakeError("no_control_method", method=request.method, path=path)
            else:
                hint = _near_miss_hint(spec, path)
                refused = FakeError(
                    "no_control_operation", method=request.method, path=path, hint=hint
                )
            return _control_error(refused, headers)
        if allowed is not None:
            error = FakeError(
                "method_not_allowed", method=request.method, path=path, allowed=allowed
            )
        else:
            hint = _near_miss_hint(spec, path)
            error = FakeError("no_such_path", method=request.method, path=path, hint=hint)
        return responder.error(error, headers)

    return answer


class _FakeApp(Starlette):
    """Starlette, entered through the fake's front door alone: every answer, a refusal
    included, is made by the fake's own code (endpoints catch their failures, the route
    table answers what it cannot route), so Starlette's two exception layers would only be
    paid on every request's way in and on every message out."""

    def __init__(
        self,
        fake: Fake,
        table: dict[str, dict[str, Endpoint]],
        unrouted: Unrouted,
    ) -> None:
        super().__init__(routes=routes(table, unrouted), lifespan=_lifespan(fake))
        self.router.default = not_found(unrouted)
        self._fake = fake

    def build_middleware_stack(self) -> ASGIApp:
        return FrontDoor(self.router, self._fake)


def _lifespan(fake: Fake) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        retries = asyncio.create_task(fake.dispatcher.run_forever())
        try:
            yield
        finally:
            retries.cancel()
            with suppress(asyncio.CancelledError):
                await retries
            await fake.dispatcher.stop()

    return lifespan


def create_app(fake: Fake | Config | None = None, spec: Spec | None = None) -> Starlette:
    """The ASGI app of ``fake``, the root every part is handed what it uses from (a Config,
    or nothing for the defaults, makes a fresh, isolated Fake: its own store, clock and
    random source). ``app.state.fake`` and ``app.state.spec`` say what it serves."""
    if not isinstance(fake, Fake):
        fake = Fake(fake or Config())
    spec = spec or bundled_spec()
    trustoo = TrustooSurface(fake)
    surfaces: dict[str, Surface] = {
        "trustoo": trustoo,
        "control": ControlSurface(fake),
        "inspector": InspectorSurface(fake),
        "storage": StorageSurface(fake),
    }
    handlers: dict[str, Any] = {
        **TRUSTOO_HANDLERS,
        **storage.HANDLERS,
        **control.HANDLERS,
        **control.ASYNC_HANDLERS,
        **ui.HANDLERS,
    }
    endpoints: dict[str, dict[str, Endpoint]] = {}
    for operation in spec.implemented():
        if operation.operation_id in DOCUMENTS:
            endpoint = _document_endpoint(spec, operation.operation_id)
        else:
            surface = surface_of(operation, surfaces)
            endpoint = _endpoint(fake, surface, operation, handlers[operation.operation_id])
        endpoints.setdefault(operation.route_path, {})[operation.method] = endpoint
    app = _FakeApp(fake, endpoints, _unrouted(trustoo.responder, spec))
    app.state.fake = fake
    app.state.spec = spec
    return app

"""The fake from Python, without pytest: ``MockTrustoo()`` in process, ``MockTrustoo.serve()``
on a port. Both are context managers and offer the same helpers.

The helpers go through the control plane (``/_mock``, DESIGN §5), the same contract a
``curl`` user has, called straight into the app on the fake's own event loop: they need no
HTTP client library. ``client()`` and ``async_client()`` return httpx clients (the optional
``client`` extra) that sign every request; in process they reach the app without a socket.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import http.client
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode, urlsplit

from starlette.applications import Starlette

from trustoo_mock.config import IN_PROCESS_HOST, Config
from trustoo_mock.core.with_block import WithBlock
from trustoo_mock.server.app import create_app
from trustoo_mock.server.hosts import guarded_for
from trustoo_mock.server.inprocess import LoopThread, RawResponse, asgi_request
from trustoo_mock.services.fake import Fake

if TYPE_CHECKING:
    import ssl

    import httpx

__all__ = [
    "Fault",
    "Grant",
    "MockTrustoo",
    "MockTrustooError",
    "Platform",
    "PushFault",
    "Shop",
    "Snapshot",
]

START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
Instant = float | str
Record = TypeVar("Record", "Shop", "Platform", "Grant")


class MockTrustooError(RuntimeError):
    """A control-plane call was refused; ``status`` is its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


def _record(kind: type[Record], data: Mapping[str, Any]) -> Record:
    """Build from a control-plane answer, ignoring fields a newer fake may add."""
    return kind(**{item.name: data[item.name] for item in fields(kind)})


@dataclass(frozen=True, slots=True)
class Shop:
    shop_id: str
    myshopify_domain: str
    name: str
    public_token: str
    private_token: str


@dataclass(frozen=True, slots=True)
class Platform:
    platform_id: int
    name: str
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    scopes: list[str]
    skip_shop_oauth: bool
    webhook_url: str


@dataclass(frozen=True, slots=True)
class Grant:
    """A platform's tokens on a shop; ``scope`` is comma-separated, as on the wire."""

    access_token: str
    refresh_token: str
    expires_in: int
    scope: str


class Fault(WithBlock):
    """A fault set on a fake (``MockTrustoo.fault``): ``id``, what it was set to
    (``settings``), how often it has fired, and ``remove()``. In a ``with`` block it is
    removed on exit."""

    def __init__(self, mock: MockTrustoo, settings: Mapping[str, Any]) -> None:
        self._mock = mock
        self.id = str(settings["id"])
        self.settings = dict(settings)

    def __repr__(self) -> str:
        return f"<Fault {self.id} {self.settings}>"

    @property
    def fired(self) -> int:
        """How many requests it has answered so far (0 once removed, by ``remove`` or a reset)."""
        for listed in self._mock.faults():
            if listed["id"] == self.id:
                return int(listed["fired"])
        return 0

    def remove(self) -> None:
        """Stop it; removing it twice, or after a reset removed it, is no error."""
        self._mock._delete_if_present(f"/_mock/faults/{self.id}")

    _end_of_block = remove


@dataclass(frozen=True, slots=True)
class PushFault(WithBlock):
    """A push fault (X90-X92) on a fake: ``remove()`` it, or use it in a ``with`` block that
    removes it on exit (X95). ``fired`` asks the fake how often it has touched a push."""

    id: str
    kind: str
    topic: str | None
    times: int | None
    seconds: float | None
    mock: MockTrustoo = field(repr=False, compare=False)

    @property
    def fired(self) -> int:
        listed = self.mock.push_faults()
        return next((int(item["fired"]) for item in listed if item["id"] == self.id), 0)

    def remove(self) -> None:
        """Remove it (nothing happens when it is already gone, say after a reset)."""
        self.mock._delete_if_present(f"/_mock/push_faults/{self.id}")

    _end_of_block = remove


@dataclass(frozen=True, slots=True)
class Snapshot(WithBlock):
    """A snapshot of a fake's whole state (X93): ``restore()`` goes back to it as often as
    wanted; in a ``with`` block the fake goes back to it on exit, whatever happened inside
    (X95)."""

    name: str
    saved_at: str
    mock: MockTrustoo = field(repr=False, compare=False)

    def restore(self) -> None:
        self.mock.restore(self.name)

    def delete(self) -> None:
        self.mock.control("DELETE", f"/_mock/snapshots/{self.name}")

    _end_of_block = restore


class _InProcess:
    """The app with no socket. Its loop thread (and the app's lifespan: the webhook
    dispatcher) starts with the first request, so a fake nobody calls costs no thread."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.base_url = f"http://{IN_PROCESS_HOST}"
        self._loop: LoopThread | None = None
        self._lifespan: Any = None
        self._lock = threading.Lock()

    def _running(self) -> LoopThread:
        with self._lock:
            if self._loop is None:
                loop = LoopThread("trustoo-mock")
                lifespan = self.app.router.lifespan_context(self.app)
                loop.run(lifespan.__aenter__())
                self._loop, self._lifespan = loop, lifespan
            return self._loop

    def submit(
        self, method: str, target: bytes, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> concurrent.futures.Future[RawResponse]:
        return self._running().submit(asgi_request(self.app, method, target, headers, body))

    def close(self) -> None:
        with self._lock:
            if self._loop is not None:
                self._loop.run(self._lifespan.__aexit__(None, None, None))
                self._loop.close()
                self._loop = None


class _Served:
    """The app under hypercorn on a loop thread, listening on ``host:port``."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        from trustoo_mock.server.serving import base_url, listening_socket, serve_on

        self.app = app
        self._socket = listening_socket(host, port)
        self.base_url = base_url(self._socket)
        self._loop = LoopThread(f"trustoo-mock-server-{self._socket.getsockname()[1]}")
        self._stop = asyncio.Event()
        self._serving = self._loop.submit(
            serve_on(self.app, self._socket, self._stop.wait, quiet=True)
        )
        try:
            self._wait_until_up()
        except BaseException:
            self.close()
            raise

    def _wait_until_up(self) -> None:
        """The socket already queues connections; wait for hypercorn to answer one."""
        parts = urlsplit(self.base_url)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self._serving.done():
                self._serving.result()
                raise RuntimeError("the server stopped while starting")
            connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=1)
            try:
                connection.request("GET", "/_mock/health")
                connection.getresponse().read()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
            finally:
                connection.close()

    def submit(
        self, method: str, target: bytes, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> concurrent.futures.Future[RawResponse]:
        # Helpers call the app directly, on the server's own loop: no round trip needed.
        return self._loop.submit(asgi_request(self.app, method, target, headers, body))

    def close(self) -> None:
        self._loop.loop.call_soon_threadsafe(self._stop.set)
        try:
            self._serving.result(timeout=STOP_TIMEOUT)
        finally:
            self._socket.close()
            self._loop.close()


class MockTrustoo(WithBlock):
    """One fresh, isolated fake. ``MockTrustoo(**settings)`` runs it in process (no socket);
    ``MockTrustoo.serve(port=0, **settings)`` serves it over HTTP from a background thread.
    ``settings`` are ``Config`` fields (``empty=True``, ``frozen_time=…``,
    ``error_http_status="mirror"``, …)."""

    def __init__(self, config: Config | None = None, **settings: Any) -> None:
        self._runtime: _InProcess | _Served = _InProcess(
            create_app(Fake(_config(config, settings)))
        )

    @classmethod
    def serve(
        cls,
        config: Config | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        **settings: Any,
    ) -> MockTrustoo:
        """A live server on ``host:port`` (0: a free port); ``base_url`` says where. Off
        loopback with no ``control_token``, one is made up as ``serve`` does (X55):
        ``config.control_token`` says it, and the helpers send it."""
        guarded, _ = guarded_for(host, _config(config, settings))
        mock = cls.__new__(cls)
        mock._runtime = _Served(create_app(Fake(guarded)), host, port)
        return mock

    # -- what it is --------------------------------------------------------------------------

    @property
    def app(self) -> Starlette:
        return self._runtime.app

    @property
    def fake(self) -> Fake:
        """The instance itself (store, clock, random source), for inspection."""
        fake: Fake = self.app.state.fake
        return fake

    @property
    def config(self) -> Config:
        return self.fake.config

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` when served; ``http://trustoo.test`` in process."""
        return self._runtime.base_url

    def __repr__(self) -> str:
        return f"<MockTrustoo {self.base_url}>"

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until no other HTTP request is in progress (a request lasts until the webhook
        pushes it caused are done) and every push due now has been made: ``POST
        /_mock/wait_idle``. TimeoutError when that takes over ``timeout`` seconds. In process
        a call already answers only once its own pushes are done."""
        try:
            self.control("POST", "/_mock/wait_idle", {"timeout": timeout})
        except MockTrustooError as error:
            if error.status == 504:
                raise TimeoutError(error.message) from None
            raise

    # -- lifetime ----------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the loop (and the server); with ``data_file`` the state is on disk."""
        self._runtime.close()
        self.fake.close()

    _end_of_block = close

    # -- the control plane -------------------------------------------------------------------

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Call any ``/_mock`` operation (plain JSON in and out); MockTrustooError if refused."""
        headers = [(b"accept", b"application/json")]
        raw = b""
        if body is not None:
            raw = json.dumps(body).encode("utf-8")
            headers.append((b"content-type", b"application/json"))
        if self.config.control_token:
            headers.append((b"authorization", f"Bearer {self.config.control_token}".encode()))
        answer = self._runtime.submit(method, path.encode("utf-8"), headers, raw).result()
        data = json.loads(answer.body) if answer.body else None
        if answer.status >= 400:
            message = data.get("error") if isinstance(data, dict) else None
            raise MockTrustooError(answer.status, str(message or answer.body[:200]))
        return data

    def _delete_if_present(self, path: str) -> None:
        """``DELETE`` a control resource; one already gone (removed twice, or by a reset) is
        no error."""
        try:
            self.control("DELETE", path)
        except MockTrustooError as error:
            if error.status != 404:
                raise

    def reset(self, *, empty: bool = False, random_seed: int | None = None) -> None:
        """Back to the start: the seed (or nothing), the clock and the random source
        (restarted from ``random_seed`` when given)."""
        body: dict[str, Any] = {"empty": empty}
        if random_seed is not None:
            body["random_seed"] = random_seed
        self.control("POST", "/_mock/reset", body)

    def seed(self, data: Mapping[str, Any] | Path) -> dict[str, int]:
        """Add data in the fixtures format (a mapping, or a JSON file); returns the counts."""
        document = json.loads(data.read_text("utf-8")) if isinstance(data, Path) else dict(data)
        counts: dict[str, int] = self.control("POST", "/_mock/seed", document)
        return counts

    def create_shop(self, **fields: Any) -> Shop:
        """A new shop with its own tokens; ``shop_id``, ``name``, ``myshopify_domain``,
        ``public_token`` and ``private_token`` may be given."""
        return _record(Shop, self.control("POST", "/_mock/shops", fields))

    def shop(self, shop_id: str | int) -> Shop:
        return _record(Shop, self.control("GET", f"/_mock/shops/{shop_id}"))

    def shops(self) -> list[Shop]:
        return [_record(Shop, item) for item in self.control("GET", "/_mock/shops")]

    def create_platform(self, **fields: Any) -> Platform:
        """A new OAuth client (``client_id``, ``scopes``, ``redirect_uris``, … may be given)."""
        return _record(Platform, self.control("POST", "/_mock/platforms", fields))

    def platforms(self) -> list[Platform]:
        return [_record(Platform, item) for item in self.control("GET", "/_mock/platforms")]

    def authorize(
        self, shop: Shop | str, platform: Platform | str, scopes: list[str] | None = None
    ) -> Grant:
        """The merchant grants the platform ``scopes`` (default: all it registered)."""
        client_id = platform.client_id if isinstance(platform, Platform) else platform
        body: dict[str, Any] = {"client_id": client_id}
        if scopes is not None:
            body["scopes"] = scopes
        path = f"/_mock/shops/{_shop_id(shop)}/authorizations"
        return _record(Grant, self.control("POST", path, body))

    def merchant_session(self, shop: Shop | str) -> str:
        """A merchant JWT for the calls the docs mark "merchant session"."""
        answer = self.control("POST", f"/_mock/shops/{_shop_id(shop)}/merchant_session")
        return str(answer["token"])

    def deliveries(self, **filters: str) -> list[dict[str, Any]]:
        """The webhook delivery log, filtered by ``shop_id``, ``topic``, ``status`` or
        ``webhook_id``."""
        query = f"?{urlencode(filters)}" if filters else ""
        found: list[dict[str, Any]] = self.control("GET", f"/_mock/webhook_deliveries{query}")
        return found

    def journal(self) -> list[dict[str, Any]]:
        """The request journal: the newest API requests (outside ``/_mock``), oldest first,
        each with its status, the operation reached and how it authenticated."""
        entries: list[dict[str, Any]] = self.control("GET", "/_mock/requests")
        return entries

    # -- pushes that misbehave, and snapshots ------------------------------------------------

    def push_fault(
        self,
        kind: str,
        *,
        topic: str | None = None,
        times: int | None = None,
        seconds: float | None = None,
    ) -> PushFault:
        """Make the next matching webhook pushes misbehave (``POST /_mock/push_faults``):
        ``kind`` is ``duplicate``, ``bad_signature``, ``stale_timestamp``, ``out_of_order``
        or ``delay`` (with ``seconds`` of the fake's clock); ``topic`` None matches every
        topic, ``times`` None every push until removed."""
        body: dict[str, Any] = {"kind": kind}
        for name, value in (("topic", topic), ("times", times), ("seconds", seconds)):
            if value is not None:
                body[name] = value
        created = self.control("POST", "/_mock/push_faults", body)
        return PushFault(
            created["id"], kind, created["topic"], created["times"], created["seconds"], self
        )

    def push_faults(self) -> list[dict[str, Any]]:
        """Every push fault, oldest first, with how often it ``fired``."""
        listed: list[dict[str, Any]] = self.control("GET", "/_mock/push_faults")
        return listed

    def remove_push_faults(self) -> None:
        """Every push fault is removed."""
        self.control("DELETE", "/_mock/push_faults")

    def snapshot(self, name: str) -> Snapshot:
        """Save the whole state as ``name`` (``POST /_mock/snapshots``), replacing a snapshot
        of that name. ``with trustoo.snapshot("clean"):`` restores it when the block ends."""
        saved = self.control("POST", "/_mock/snapshots", {"name": name})
        return Snapshot(saved["name"], saved["saved_at"], self)

    def restore(self, name: str) -> None:
        """Back to the snapshot ``name``, byte for byte (MockTrustooError 404 when unknown)."""
        self.control("POST", f"/_mock/snapshots/{name}/restore")

    def snapshots(self) -> list[str]:
        """The names of the snapshots kept, in the order they were saved."""
        return [item["name"] for item in self.control("GET", "/_mock/snapshots")]

    # -- faults ------------------------------------------------------------------------------

    def fault(
        self,
        operation: str | list[str] | None = None,
        *,
        shop_id: Shop | str | int | None = None,
        client_id: Platform | str | None = None,
        method: str | None = None,
        error: Mapping[str, Any] | None = None,
        delay: float | None = None,
        drop: bool = False,
        response: Mapping[str, Any] | None = None,
        rate_limit: Mapping[str, Any] | None = None,
        times: int | None = None,
        probability: float | None = None,
        from_: Instant | None = None,
        until: Instant | None = None,
    ) -> Fault:
        """Make Trustoo fail on demand (``POST /_mock/faults``): the requests matching
        ``operation``, ``shop_id``, ``client_id`` and ``method`` get ``error``
        (``{"code": 13}``), ``drop`` (a transport error), ``response`` (a raw answer),
        ``rate_limit`` (``{"requests": N, "per_seconds": S}``) and/or ``delay`` seconds;
        ``times``, ``probability`` and ``from_``/``until`` (the fake's clock) say how often.
        ``with trustoo.fault(...):`` removes it on exit."""
        chosen: dict[str, Any] = {
            "operation": operation,
            "shop_id": shop_id.shop_id if isinstance(shop_id, Shop) else shop_id,
            "client_id": client_id.client_id if isinstance(client_id, Platform) else client_id,
            "method": method,
            "error": None if error is None else dict(error),
            "delay": delay,
            "drop": drop or None,
            "response": None if response is None else dict(response),
            "rate_limit": None if rate_limit is None else dict(rate_limit),
            "times": times,
            "probability": probability,
            "from": from_,
            "until": until,
        }
        body = {name: value for name, value in chosen.items() if value is not None}
        return Fault(self, self.control("POST", "/_mock/faults", body))

    def faults(self) -> list[dict[str, Any]]:
        """Every fault set, oldest first, each with its ``fired`` count."""
        listed: list[dict[str, Any]] = self.control("GET", "/_mock/faults")
        return listed

    def remove_faults(self) -> None:
        """Trustoo behaves again: every fault is removed."""
        self.control("DELETE", "/_mock/faults")

    # -- the clock ---------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """The fake's current time (Unix seconds)."""
        return self.fake.ctx.clock.now()

    def freeze(self, at: Instant | None = None) -> None:
        """Stop the clock (at ``at``: Unix seconds or RFC 3339, default now)."""
        body: dict[str, Any] = {"freeze": True}
        if at is not None:
            body["set"] = at
        self.control("POST", "/_mock/clock", body)

    def unfreeze(self) -> None:
        self.control("POST", "/_mock/clock", {"freeze": False})

    def set_time(self, at: Instant) -> None:
        self.control("POST", "/_mock/clock", {"set": at})

    def advance(self, seconds: float) -> None:
        """Move the clock on; every webhook attempt that falls due on the way is made."""
        self.control("POST", "/_mock/clock", {"advance": seconds})

    # -- HTTP clients ------------------------------------------------------------------------

    def client(
        self, shop: Shop | str | None = None, *, token: str | None = None, **options: Any
    ) -> httpx.Client:
        """An ``httpx.Client`` on ``base_url`` that signs as ``shop``, or sends ``token`` as a
        bearer (neither: unauthenticated). ``options`` go to httpx. Close it when done."""
        _require_httpx()
        import httpx

        from trustoo_mock.server.transports import InProcessTransport

        if isinstance(self._runtime, _InProcess):
            options.setdefault("transport", InProcessTransport(self._runtime.submit))
        _share_tls_context(options)
        return httpx.Client(base_url=self.base_url, **self._auth(shop, token, options))

    def async_client(
        self, shop: Shop | str | None = None, *, token: str | None = None, **options: Any
    ) -> httpx.AsyncClient:
        """``client`` for asyncio code: an ``httpx.AsyncClient`` (``async with`` it)."""
        _require_httpx()
        import httpx

        from trustoo_mock.server.transports import AsyncInProcessTransport

        if isinstance(self._runtime, _InProcess):
            options.setdefault("transport", AsyncInProcessTransport(self._runtime.submit))
        _share_tls_context(options)
        return httpx.AsyncClient(base_url=self.base_url, **self._auth(shop, token, options))

    def _auth(
        self, shop: Shop | str | None, token: str | None, options: dict[str, Any]
    ) -> dict[str, Any]:
        """``options`` with the auth for ``shop`` or ``token`` (or the caller's own ``auth``)."""
        from trustoo_mock.httpx_auth import BearerAuth, TrustooAuth

        if [shop, token, options.get("auth")].count(None) < 2:
            raise TypeError("sign as a shop, send a bearer token or pass auth=, not several")
        if token is not None:
            options["auth"] = BearerAuth(token)
        elif shop is not None:
            signer = shop if isinstance(shop, Shop) else self.shop(shop)
            # The clock the fake checks signatures against (its own, unless signature_clock is
            # wall), so signatures stay valid when a test freezes or moves it.
            now = self.fake.ctx.signature_time
            options["auth"] = TrustooAuth(signer.public_token, signer.private_token, now)
        return options


@cache
def _default_tls_context() -> ssl.SSLContext:
    import httpx

    return httpx.create_ssl_context()


def _share_tls_context(options: dict[str, Any]) -> None:
    """Every client of a served fake verifies TLS as httpx does by default, with one context
    built once: httpx reads the whole CA bundle for each client it makes (40 ms each on a
    2-core machine), for a fake that speaks plain HTTP. A caller's own TLS options stand."""
    if "transport" not in options and options.keys().isdisjoint({"verify", "cert", "trust_env"}):
        options["verify"] = _default_tls_context()


def _require_httpx() -> None:
    """httpx is the optional ``client`` extra; say so instead of a bare import error."""
    if find_spec("httpx") is None:
        raise ImportError("MockTrustoo clients need httpx (the client extra): pip install httpx")


def _config(config: Config | None, settings: Mapping[str, Any]) -> Config:
    return replace(config or Config(), **settings)


def _shop_id(shop: Shop | str) -> str:
    return shop.shop_id if isinstance(shop, Shop) else str(shop)

"""pytest fixtures for code that talks to Trustoo (registered through the ``pytest11`` entry
point, so installing trustoo-mock is all a project needs).

- ``trustoo``: a fresh in-process fake per test (``MockTrustoo``: no socket, nothing shared).
- ``trustoo_server``: a live fake on a free port for code that opens its own connections,
  started once per session (per settings; per pytest-xdist worker) and reset before each test.
- ``trustoo_shop`` / ``trustoo_platform``: a new shop / OAuth client on the fake the test uses.
- ``webhook_receiver``: a local HTTP endpoint that records pushes and can be told to fail.

Settings come from ini options (``trustoo_seed``, ``trustoo_clock``,
``trustoo_error_http_status``, ``trustoo_signature_clock``) and the ``trustoo`` marker, never
from overriding fixtures:
``@pytest.mark.trustoo(seed="empty", clock="2026-01-01T00:00:00Z", error_http_status="mirror")``;
the marker also takes any ``Config`` field (``random_seed=7``, ``webhook_timeout=0.5``).

The live server's and the receiver's ports are free ones unless pinned (the ini options
``trustoo_server_port`` / ``trustoo_receiver_port``, or the environment variables
``TRUSTOO_MOCK_SERVER_PORT`` / ``TRUSTOO_MOCK_RECEIVER_PORT``, which win): for an app under test
configured with a fixed URL.
Each test's random seed comes from its test id (``seed_for_test``): the same run to run, another
for every test, so ``trustoo_shop`` is a different shop with different tokens in every test;
``random_seed=N`` in the marker chooses one.

``@pytest.mark.trustoo_fault(operation="get_reviews", error={"code": 13})`` sets a fault
(``MockTrustoo.fault``'s arguments) on the fake the test uses before the test starts; each
such marker sets one.

Only pytest and the standard library load with this module; the fake itself loads when a
fixture is first used.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from trustoo_mock.config import SIGNATURE_CLOCKS, Config, parse_error_http_status

if TYPE_CHECKING:
    from trustoo_mock.receiver import WebhookReceiver
    from trustoo_mock.testing import MockTrustoo, Platform, Shop

__all__ = [
    "seed_for_test",
    "trustoo",
    "trustoo_platform",
    "trustoo_server",
    "trustoo_shop",
    "webhook_receiver",
]

SETTINGS = frozenset(item.name for item in fields(Config))
SERVER_PORT = ("trustoo_server_port", "TRUSTOO_MOCK_SERVER_PORT")
RECEIVER_PORT = ("trustoo_receiver_port", "TRUSTOO_MOCK_RECEIVER_PORT")
_STARTED = pytest.StashKey[int]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "trustoo_seed",
        'data the trustoo fixtures start with: "demo" (default), "empty", or a fixtures file '
        "(relative to the ini file)",
        default="demo",
    )
    parser.addini(
        "trustoo_clock",
        'the fake\'s clock: "real" (default), "frozen" (at the session\'s start), or an '
        "instant to freeze at (Unix seconds or RFC 3339)",
        default="real",
    )
    parser.addini(
        "trustoo_signature_clock",
        'the clock signatures follow: "fake" (default) or "wall" (a signed request\'s Timestamp '
        "and the pushes' timestamps use the real time, whatever the fake's clock says)",
        default="fake",
    )
    parser.addini(
        "trustoo_error_http_status",
        "HTTP status of every answer in Trustoo's error envelope: a number (default 200, as "
        "Trustoo) or mirror (the status follows the code: 16 is 401, 5 is 404, ...)",
        default="200",
    )
    for (option, variable), what in (
        (SERVER_PORT, "trustoo_server"),
        (RECEIVER_PORT, "webhook_receiver"),
    ):
        parser.addini(
            option,
            f"port of {what} on 127.0.0.1 (${variable} wins); empty: a free port. Each "
            "pytest-xdist worker adds its number (gw1: port + 1)",
            default="",
        )


def pinned_port(config: pytest.Config, setting: tuple[str, str]) -> int:
    """The port an ini option or environment variable pins (0: none, any free port)."""
    option, variable = setting
    from_environment = os.environ.get(variable, "").strip()
    raw = from_environment or str(config.getini(option)).strip()
    if not raw:
        return 0
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        where = f"${variable}" if from_environment else option
        raise pytest.UsageError(f"{where} {raw!r}: use a port number (1-65535), or nothing")
    # Workers of one pytest-xdist run each need their own port.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    return int(raw) + (int(worker) if worker.isdigit() else 0)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "trustoo(seed=..., clock=..., error_http_status=..., **config_fields): "
        "settings of the trustoo fixtures for this test",
    )
    config.addinivalue_line(
        "markers",
        "trustoo_fault(operation=..., error=..., drop=..., **fault_fields): a fault set on "
        "the trustoo fake before the test (one per marker)",
    )
    config.stash[_STARTED] = int(time.time())


def _seed(value: Any, base: Path) -> dict[str, Any]:
    if value in ("demo", None):
        return {"empty": False, "seed_file": None}
    if value == "empty":
        return {"empty": True, "seed_file": None}
    return {"empty": False, "seed_file": base / Path(value)}


def _clock(value: Any, started: int) -> dict[str, Any]:
    from trustoo_mock.core.clock import parse_instant

    if value in ("real", None):
        return {"frozen_time": None}
    if value == "frozen":
        return {"frozen_time": float(started)}
    if isinstance(value, int | float):
        return {"frozen_time": float(value)}
    try:
        return {"frozen_time": parse_instant(str(value))}
    except ValueError:
        raise pytest.UsageError(
            f"trustoo clock {value!r}: use real, frozen, Unix seconds or RFC 3339"
        ) from None


def seed_for_test(node_id: str) -> int:
    """The random seed of the test with this id: the first 8 bytes of its SHA-256."""
    return int.from_bytes(hashlib.sha256(node_id.encode("utf-8")).digest()[:8], "big")


def settings_for(request: pytest.FixtureRequest) -> Config:
    """The Config for this test: ini options, then markers from the farthest to the closest."""
    ini = request.config
    ini_base = ini.inipath.parent if ini.inipath else ini.rootpath
    started = ini.stash[_STARTED]
    values: dict[str, Any] = {"random_seed": seed_for_test(request.node.nodeid)}
    values.update(_seed(ini.getini("trustoo_seed"), ini_base))
    values.update(_clock(ini.getini("trustoo_clock"), started))
    try:
        values["error_http_status"] = parse_error_http_status(
            ini.getini("trustoo_error_http_status")
        )
    except ValueError as error:
        raise pytest.UsageError(f"trustoo_error_http_status: {error}") from None
    signature_clock = str(ini.getini("trustoo_signature_clock")).strip() or "fake"
    if signature_clock not in SIGNATURE_CLOCKS:
        raise pytest.UsageError(f"trustoo_signature_clock {signature_clock!r}: use fake or wall")
    values["signature_clock"] = signature_clock
    for marker in reversed(list(request.node.iter_markers("trustoo"))):
        if marker.args:
            raise pytest.UsageError("the trustoo marker takes keyword arguments only")
        for name, value in marker.kwargs.items():
            if name == "seed":
                values.update(_seed(value, request.path.parent))
            elif name == "clock":
                values.update(_clock(value, started))
            elif name in SETTINGS:
                values[name] = value
            else:
                raise pytest.UsageError(f"the trustoo marker has no setting {name!r}")
    try:
        return Config(**values)
    except ValueError as error:
        raise pytest.UsageError(f"the trustoo marker: {error}") from None


class _ServerPool:
    """One live fake per distinct Config but for the random seed, started on first use and
    kept for the session; each test resets it to its own seed.

    On a pinned port only one can listen: a test with other settings replaces the server."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._servers: dict[Config, MockTrustoo] = {}

    def get(self, config: Config) -> MockTrustoo:
        from trustoo_mock.testing import MockTrustoo

        # Seeded servers differ only by seed: one serves them all, reset to each test's seed.
        shared = replace(config, random_seed=None if config.random_seed is None else 0)
        server = self._servers.get(shared)
        if server is None:
            if self._port:
                self.close()
            try:
                server = self._servers[shared] = MockTrustoo.serve(config, port=self._port)
            except OSError as error:
                raise _port_taken("trustoo_server", SERVER_PORT, self._port, error) from None
        else:
            server.wait_idle()  # the last test's pushes must not land after the reset
            server.reset(random_seed=config.random_seed)
        return server

    def close(self) -> None:
        for server in self._servers.values():
            server.close()
        self._servers.clear()


def _port_taken(what: str, setting: tuple[str, str], port: int, error: OSError) -> OSError:
    option, variable = setting
    return OSError(
        error.errno,
        f"{what} cannot listen on 127.0.0.1:{port} ({error.strerror}): pin another port "
        f"(${variable} or the ini option {option}), or none for a free one",
    )


@pytest.fixture(scope="session")
def _trustoo_server_pool(pytestconfig: pytest.Config) -> Iterator[_ServerPool]:
    pool = _ServerPool(pinned_port(pytestconfig, SERVER_PORT))
    yield pool
    pool.close()


@pytest.fixture
def trustoo(request: pytest.FixtureRequest) -> Iterator[MockTrustoo]:
    """A fresh in-process fake (no socket) with the demo data unless configured otherwise."""
    from trustoo_mock.testing import MockTrustoo

    with MockTrustoo(settings_for(request)) as fake:
        _set_faults(request, fake)
        yield fake


@pytest.fixture
def trustoo_server(
    request: pytest.FixtureRequest, _trustoo_server_pool: _ServerPool
) -> MockTrustoo:
    """A live fake at ``trustoo_server.base_url``, back at its start-up state for this test."""
    server = _trustoo_server_pool.get(settings_for(request))
    _set_faults(request, server)
    return server


def _set_faults(request: pytest.FixtureRequest, fake: MockTrustoo) -> None:
    """The test's ``trustoo_fault`` markers, each one fault, the farthest first."""
    from trustoo_mock.testing import MockTrustooError

    for marker in reversed(list(request.node.iter_markers("trustoo_fault"))):
        try:
            fake.fault(*marker.args, **marker.kwargs)
        except (MockTrustooError, TypeError) as error:
            raise pytest.UsageError(f"the trustoo_fault marker: {error}") from None


def _active(request: pytest.FixtureRequest) -> MockTrustoo:
    """The fake the test uses: the live one when it asks for ``trustoo_server``."""
    name = "trustoo_server" if "trustoo_server" in request.fixturenames else "trustoo"
    fake: MockTrustoo = request.getfixturevalue(name)
    return fake


@pytest.fixture
def trustoo_shop(request: pytest.FixtureRequest) -> Shop:
    """A new, empty shop with its own tokens on the fake the test uses."""
    return _active(request).create_shop(name="Test Shop")


@pytest.fixture
def trustoo_platform(request: pytest.FixtureRequest) -> Platform:
    """A new OAuth client holding every scope, on the fake the test uses."""
    return _active(request).create_platform(name="Test Platform")


@pytest.fixture
def webhook_receiver(pytestconfig: pytest.Config) -> Iterator[WebhookReceiver]:
    """A local endpoint (``webhook_receiver.url``) that records pushes; ``respond`` makes it
    fail (a status) or stall (a delay)."""
    from trustoo_mock.receiver import WebhookReceiver

    port = pinned_port(pytestconfig, RECEIVER_PORT)
    try:
        receiver = WebhookReceiver(port=port)
    except OSError as error:
        raise _port_taken("webhook_receiver", RECEIVER_PORT, port, error) from None
    with receiver:
        yield receiver

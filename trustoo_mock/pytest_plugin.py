"""pytest fixtures for code that talks to Trustoo (registered through the ``pytest11`` entry
point, so ``pip install trustoo-mock`` is all a project needs).

- ``trustoo``: a fresh in-process fake per test (``MockTrustoo``: no socket, nothing shared).
- ``trustoo_server``: a live fake on a free port for code that opens its own connections,
  started once per session (per settings; per pytest-xdist worker) and reset before each test.
- ``trustoo_shop`` / ``trustoo_platform``: a new shop / OAuth client on the fake the test uses.
- ``webhook_receiver``: a local HTTP endpoint that records pushes and can be told to fail.

Settings come from ini options (``trustoo_seed``, ``trustoo_clock``,
``trustoo_error_http_status``, ``trustoo_signature_clock``) and the ``trustoo`` marker, never
from overriding fixtures:
``@pytest.mark.trustoo(seed="empty", clock="2026-01-01T00:00:00Z", error_http_status=200)``;
the marker also takes any ``Config`` field (``random_seed=7``, ``webhook_timeout=0.5``).

Only pytest and the standard library load with this module; the fake itself loads when a
fixture is first used.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from trustoo_mock.config import SIGNATURE_CLOCKS, Config

if TYPE_CHECKING:
    from trustoo_mock.receiver import WebhookReceiver
    from trustoo_mock.testing import MockTrustoo, Platform, Shop

SETTINGS = frozenset(item.name for item in fields(Config))
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
        "send this HTTP status for every error (e.g. 200); empty: mirror the Trustoo code",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "trustoo(seed=..., clock=..., error_http_status=..., **config_fields): "
        "settings of the trustoo fixtures for this test",
    )
    config.stash[_STARTED] = int(time.time())


def _seed(value: Any, base: Path) -> dict[str, Any]:
    if value in ("demo", None):
        return {"empty": False, "seed_file": None}
    if value == "empty":
        return {"empty": True, "seed_file": None}
    return {"empty": False, "seed_file": base / Path(value)}


def _clock(value: Any, started: int) -> dict[str, Any]:
    from trustoo_mock.clock import parse_instant

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


def settings_for(request: pytest.FixtureRequest) -> Config:
    """The Config for this test: ini options, then markers from the farthest to the closest."""
    ini = request.config
    ini_base = ini.inipath.parent if ini.inipath else ini.rootpath
    started = ini.stash[_STARTED]
    values: dict[str, Any] = {}
    values.update(_seed(ini.getini("trustoo_seed"), ini_base))
    values.update(_clock(ini.getini("trustoo_clock"), started))
    status = str(ini.getini("trustoo_error_http_status")).strip()
    if status and not status.isdigit():
        raise pytest.UsageError(f"trustoo_error_http_status {status!r}: use a number or nothing")
    values["error_http_status"] = int(status) if status else None
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
    return Config(**values)


class _ServerPool:
    """One live fake per distinct Config, started on first use and kept for the session."""

    def __init__(self) -> None:
        self._servers: dict[Config, MockTrustoo] = {}

    def get(self, config: Config) -> MockTrustoo:
        from trustoo_mock.testing import MockTrustoo

        server = self._servers.get(config)
        if server is None:
            server = self._servers[config] = MockTrustoo.serve(config)
        else:
            server.wait_idle()  # the last test's pushes must not land after the reset
            server.reset()
        return server

    def close(self) -> None:
        for server in self._servers.values():
            server.close()
        self._servers.clear()


@pytest.fixture(scope="session")
def _trustoo_server_pool() -> Iterator[_ServerPool]:
    pool = _ServerPool()
    yield pool
    pool.close()


@pytest.fixture
def trustoo(request: pytest.FixtureRequest) -> Iterator[MockTrustoo]:
    """A fresh in-process fake (no socket) with the demo data unless configured otherwise."""
    from trustoo_mock.testing import MockTrustoo

    with MockTrustoo(settings_for(request)) as fake:
        yield fake


@pytest.fixture
def trustoo_server(
    request: pytest.FixtureRequest, _trustoo_server_pool: _ServerPool
) -> MockTrustoo:
    """A live fake at ``trustoo_server.base_url``, back at its start-up state for this test."""
    return _trustoo_server_pool.get(settings_for(request))


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
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A local endpoint (``webhook_receiver.url``) that records pushes; ``respond`` makes it
    fail (a status) or stall (a delay)."""
    from trustoo_mock.receiver import WebhookReceiver

    with WebhookReceiver() as receiver:
        yield receiver

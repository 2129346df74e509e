"""Off loopback the control plane is guarded (issue 11 item 11): `serve --host 0.0.0.0`
without --control-token makes one up and prints it, /_mock/health stays open, and
--control-token '' opens the control plane on purpose, with a warning.

The servers here are told ``--host 0.0.0.0`` but bind 127.0.0.1: the start-up path decides by
the host it is given, and a test must not listen on every interface."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from starlette.testclient import TestClient

from trustoo_mock import Config, create_app
from trustoo_mock.server import serving as server
from trustoo_mock.server.hosts import is_loopback
from trustoo_mock.testing import MockTrustoo

# Runs the CLI with the socket bound on loopback whatever --host says.
_SERVE_ON_LOOPBACK = """
import sys
from trustoo_mock.server import serving as server
bind = server.listening_socket
server.listening_socket = lambda host, port: bind("127.0.0.1", port)
from trustoo_mock.cli import main
sys.exit(main(sys.argv[1:]))
"""


@contextmanager
def _serving(
    *arguments: str, environment: dict[str, str] | None = None
) -> Iterator[tuple[str, list[str], subprocess.Popen[str]]]:
    """The server, its URL, and the start-up lines up to the first shop line."""
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVE_ON_LOOPBACK, "serve", "--port", "0", *arguments],
        env={**os.environ, **(environment or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        found = re.search(r"serving on (http://\S+)", first)
        assert found, first
        lines = []
        while not (line := process.stdout.readline()).startswith("  shop "):
            assert line, "the server stopped during start-up"
            lines.append(line)
        yield found.group(1), lines, process
    finally:
        process.terminate()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()


def test_off_loopback_a_control_token_is_made_up_printed_and_required() -> None:
    with _serving("--host", "0.0.0.0") as (base_url, lines, _):
        printed = "".join(lines)
        found = re.search(r"control plane \(/_mock\) needs Authorization: Bearer (\S+)", printed)
        assert found, printed
        token = found.group(1)
        assert "--control-token ''" in printed
        refused = httpx.post(f"{base_url}/_mock/reset")
        assert refused.status_code == 401
        assert "Authorization: Bearer" in refused.json()["error"]
        wrong = httpx.post(f"{base_url}/_mock/reset", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        allowed = httpx.post(
            f"{base_url}/_mock/reset", headers={"Authorization": f"Bearer {token}"}
        )
        assert allowed.status_code == 200, allowed.text
        assert httpx.get(f"{base_url}/_mock/health").json()["status"] == "ok"


def test_each_start_makes_up_another_token() -> None:
    tokens = []
    for _ in range(2):
        with _serving("--host", "0.0.0.0", "--random-seed", "7") as (_, lines, _process):
            found = re.search(r"Bearer (\S+)", "".join(lines))
            assert found
            tokens.append(found.group(1))
    assert tokens[0] != tokens[1]


def test_a_given_control_token_is_used_and_not_printed() -> None:
    with _serving("--host", "0.0.0.0", "--control-token", "chosen-token") as (base_url, lines, _):
        assert not any("control plane" in line for line in lines)
        assert httpx.post(f"{base_url}/_mock/reset").status_code == 401
        chosen = {"Authorization": "Bearer chosen-token"}
        assert httpx.post(f"{base_url}/_mock/reset", headers=chosen).status_code == 200


def test_an_empty_control_token_opens_the_control_plane_with_a_warning() -> None:
    with _serving("--host", "0.0.0.0", "--control-token", "") as (base_url, lines, process):
        assert not any("control plane" in line for line in lines)
        assert httpx.post(f"{base_url}/_mock/reset").status_code == 200
        process.terminate()
        assert process.stderr is not None
        warning = process.stderr.read()
    assert "warning: --control-token '' leaves the control plane open on 0.0.0.0" in warning


def test_on_loopback_the_control_plane_stays_open_without_a_token() -> None:
    with _serving("--host", "127.0.0.1") as (base_url, lines, _):
        assert not any("control plane" in line for line in lines)
        assert httpx.post(f"{base_url}/_mock/reset").status_code == 200


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("myhost.example", False),
    ],
)
def test_which_hosts_count_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_health_check_needs_no_control_token_in_process() -> None:
    http = TestClient(create_app(Config(control_token="s3cret")))
    assert http.get("/_mock/health").json()["status"] == "ok"
    assert http.get("/_mock/clock").status_code == 401


def test_mocktrustoo_served_off_loopback_makes_up_a_control_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same rule as ``serve`` (X55), on loopback whatever the host says."""
    bind = server.listening_socket
    monkeypatch.setattr(server, "listening_socket", lambda host, port: bind("127.0.0.1", port))
    with MockTrustoo.serve(host="0.0.0.0") as guarded:
        token = guarded.config.control_token
        assert token and len(token) >= 24
        assert httpx.get(f"{guarded.base_url}/_mock/clock").status_code == 401
        assert guarded.shops()  # its own helpers send the token
    with MockTrustoo.serve(host="0.0.0.0", control_token="") as opened:
        assert httpx.get(f"{opened.base_url}/_mock/clock").status_code == 200
    with MockTrustoo.serve() as on_loopback:
        assert on_loopback.config.control_token is None


EMPTY_VARIABLE = {"TRUSTOO_MOCK_CONTROL_TOKEN": ""}


def test_an_empty_control_token_variable_off_loopback_is_refused() -> None:
    """What an unset variable in a compose file becomes is no choice to open /_mock (X120)."""
    started = subprocess.run(
        [sys.executable, "-c", _SERVE_ON_LOOPBACK, "serve", "--port", "0", "--host", "0.0.0.0"],
        env={**os.environ, **EMPTY_VARIABLE},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 2
    assert "TRUSTOO_MOCK_CONTROL_TOKEN is set but empty" in started.stderr
    assert "--control-token ''" in started.stderr
    assert started.stdout == ""


def test_an_empty_control_token_variable_is_no_setting_on_loopback_or_under_the_flag() -> None:
    with _serving("--host", "127.0.0.1", environment=EMPTY_VARIABLE) as (base_url, lines, _):
        assert httpx.get(f"{base_url}/_mock/clock").status_code == 200
        assert not any("Bearer" in line for line in lines)
    with _serving("--host", "0.0.0.0", "--control-token", "", environment=EMPTY_VARIABLE) as (
        base_url,
        _,
        _process,
    ):
        assert httpx.get(f"{base_url}/_mock/clock").status_code == 200

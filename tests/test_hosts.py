"""DNS rebinding (issue 23, item 6; X61): without a control token the fake answers only Host
values that name this machine, plus those allowed with ``allowed_hosts``."""

from __future__ import annotations

import socket

import pytest
from starlette.testclient import TestClient

from tests.helpers import DEMO_PUBLIC_TOKEN, FROZEN_AT, CheckedClient
from tests.live import live_server
from trustoo_mock import Config, create_app
from trustoo_mock.testing import MockTrustoo

CLOCK = "/_mock/clock"
HEALTH = "/_mock/health"
RATING = "/api/v1/openapi/get_rating"
UPLOAD_POLICY = "/api/v1/openapi/get_image_upload_policy_token"


def _app_client(base_url: str = "http://127.0.0.1:8787", **settings: object) -> TestClient:
    """In process, with ``server`` taken from ``base_url``: the address requests arrive at."""
    config = Config(frozen_time=FROZEN_AT, **settings)  # type: ignore[arg-type]
    return TestClient(create_app(config), base_url=base_url)


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example",
        "attacker.example:8787",
        "localhost.attacker.example",
        "127.0.0.1.attacker.example",
        "10.1.2.3",
        "[fe80::1]:8787",
    ],
)
def test_a_foreign_host_is_refused_everywhere(host: str) -> None:
    http = _app_client()
    for path in (HEALTH, RATING, "/openapi.yaml", "/_storage/mock/a.jpg"):
        response = http.get(path, headers={"Host": host})
        assert response.status_code == 403, path
        assert response.headers["content-type"].startswith("text/plain")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert f"Host {host!r} is not allowed" in response.text
        assert "--allowed-hosts" in response.text and "--control-token" in response.text


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "LOCALHOST:8787",
        "app.localhost:3000",
        "127.0.0.1:8787",
        "127.9.9.9",
        "[::1]:8787",
        "localhost.",
    ],
)
def test_names_of_this_machine_are_answered(host: str) -> None:
    response = _app_client().get(HEALTH, headers={"Host": host})
    assert response.status_code == 200


def test_the_address_it_listens_on_is_answered() -> None:
    http = _app_client("http://192.168.7.7:8787")
    assert http.get(HEALTH).status_code == 200  # Host: 192.168.7.7:8787
    assert http.get(HEALTH, headers={"Host": "192.168.7.8:8787"}).status_code == 403


def test_the_in_process_name_is_answered() -> None:
    assert _app_client("http://trustoo.test").get(HEALTH).status_code == 200


def test_in_process_any_host_is_answered() -> None:
    """No socket, so no browser: a client may keep the real API's URL and swap transports."""
    with MockTrustoo() as mock, mock.client() as http:
        response = http.get(HEALTH, headers={"Host": "rapi.trustoo.io"})
        assert response.status_code == 200


def test_allowed_hosts_adds_names_and_domains() -> None:
    http = _app_client(allowed_hosts="trustoo, .corp.example")
    for host in ("trustoo:8787", "corp.example", "api.corp.example", "a.b.corp.example"):
        assert http.get(HEALTH, headers={"Host": host}).status_code == 200, host
    for host in ("trustoo2", "corpexample", "xcorp.example", "attacker.example"):
        assert http.get(HEALTH, headers={"Host": host}).status_code == 403, host
    everyone = _app_client(allowed_hosts="*")
    assert everyone.get(HEALTH, headers={"Host": "attacker.example"}).status_code == 200


def test_with_a_control_token_every_host_is_answered_and_the_plane_is_locked() -> None:
    http = _app_client(control_token="s3cret-control")
    assert http.get(HEALTH, headers={"Host": "attacker.example"}).status_code == 200  # probes
    assert http.get(CLOCK, headers={"Host": "attacker.example"}).status_code == 401
    token = {"Authorization": "Bearer s3cret-control", "Host": "attacker.example"}
    assert http.get(CLOCK, headers=token).status_code == 200


def test_a_refused_host_is_not_echoed_into_upload_credentials(client: CheckedClient) -> None:
    headers = {"Public-Token": DEMO_PUBLIC_TOKEN, "Host": "attacker.example"}
    response = client.http.get(UPLOAD_POLICY, headers=headers)
    assert response.status_code == 403
    assert "attacker.example/_storage" not in response.text


def _raw_get(port: int, path: str, host: str) -> bytes:
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_served_fake_refuses_a_foreign_host_on_the_wire() -> None:
    with live_server() as server:
        port = int(server.split(":")[-1])
        answer = _raw_get(port, "/_mock/reset", "attacker.example")
        assert answer.startswith(b"HTTP/1.1 403")
        assert b"Host 'attacker.example' is not allowed" in answer
        assert _raw_get(port, "/_mock/health", f"127.0.0.1:{port}").startswith(b"HTTP/1.1 200")

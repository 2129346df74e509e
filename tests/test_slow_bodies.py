"""Slow and abandoned request bodies over real sockets (issue 23, item 9; X62): a body that
does not arrive within ``body_timeout`` is answered and its connection closed; a client
that goes away mid-body is journaled as a client abort and logged in one line."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import DEMO_PUBLIC_TOKEN
from trustoo_mock.testing import MockTrustoo

CREATE = "/api/v1/openapi/create_review"
# Far longer than the body timeout the tests set; a connection held past it is a failure.
SOCKET_TIMEOUT = 10.0


@pytest.fixture(scope="module")
def served() -> Iterator[MockTrustoo]:
    with MockTrustoo.serve(body_timeout=0.3) as mock:
        yield mock


def _port(mock: MockTrustoo) -> int:
    return int(mock.base_url.rsplit(":", 1)[1])


def _exchange(mock: MockTrustoo, head: str, partial_body: bytes) -> bytes:
    """Send a request head and part of its body, then read until the server closes."""
    with socket.create_connection(("127.0.0.1", _port(mock)), timeout=SOCKET_TIMEOUT) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n\r\n" + partial_body)
        answer = b""
        while chunk := sock.recv(65536):  # a held connection ends the test with a timeout
            answer += chunk
    return answer


def _journal(mock: MockTrustoo) -> list[dict[str, Any]]:
    mock.wait_idle()
    entries: list[dict[str, Any]] = mock.control("GET", "/_mock/requests")
    return entries


def test_a_lying_content_length_is_answered_and_closed(served: MockTrustoo) -> None:
    head = (
        f"POST {CREATE} HTTP/1.1\r\nHost: 127.0.0.1\r\nPublic-Token: {DEMO_PUBLIC_TOKEN}\r\n"
        "Content-Type: application/json\r\nContent-Length: 100"
    )
    answer = _exchange(served, head, b'{"rating": 5')  # ends: the server closed it
    assert b"connection: close" in answer.lower()
    assert b'"code":3' in answer
    assert b"the request body did not arrive within 0.3 seconds" in answer
    assert _journal(served)[-1]["operation_id"] == "create_review"


def test_a_chunk_that_never_ends_is_answered_and_closed(served: MockTrustoo) -> None:
    head = "POST /_mock/seed HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked"
    answer = _exchange(served, head, b"fffffff\r\n{")
    assert answer.startswith(b"HTTP/1.1 408")
    assert b'"error":"the request body did not arrive within 0.3 seconds"' in answer


def test_a_slow_upload_gets_the_object_stores_timeout(served: MockTrustoo) -> None:
    head = "PUT /_storage/mock/1/a.mp4 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000"
    answer = _exchange(served, head, b"\x00\x00\x00")
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"<Code>RequestTimeout</Code>" in answer


def test_a_client_leaving_mid_body_is_one_line_and_a_journaled_abort(
    served: MockTrustoo, caplog: pytest.LogCaptureFixture
) -> None:
    head = (
        f"POST {CREATE} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 100"
    )
    with caplog.at_level(logging.INFO):
        with socket.create_connection(("127.0.0.1", _port(served)), timeout=SOCKET_TIMEOUT) as sock:
            sock.sendall(head.encode("latin-1") + b"\r\n\r\n" + b'{"rating"')
        deadline = time.monotonic() + SOCKET_TIMEOUT
        while not any(entry["status"] == 499 for entry in _journal(served)):
            assert time.monotonic() < deadline, "the abort never reached the journal"
            time.sleep(0.05)
    entry = _journal(served)[-1]
    assert (entry["status"], entry["operation_id"]) == (499, "create_review")
    noted = [record for record in caplog.records if "client closed" in record.getMessage()]
    assert len(noted) == 1 and noted[0].exc_info is None
    assert noted[0].getMessage() == (
        "client closed the connection while sending the body of create_review"
    )
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]

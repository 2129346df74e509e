"""Start the real ``trustoo-mock serve`` in a subprocess on a free port (127.0.0.1 only)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers_ok(url: str) -> bool:
    """Whether ``url`` answers 200 now. By urllib: an httpx call builds a TLS context each
    time (40 ms), and a server starting is asked many times."""
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return bool(answer.status == 200)
    except (OSError, http.client.HTTPException):
        return False


@contextmanager
def running(
    command: Sequence[str],
    ready_url: str,
    *,
    what: str,
    timeout: float,
    stop: signal.Signals = signal.SIGTERM,
    env: dict[str, str] | None = None,
) -> Iterator[None]:
    """Run ``command`` from the repository root until the block ends, once ``ready_url``
    answers 200; stop it with ``stop`` (then SIGKILL if it lingers). A process that dies or
    never answers is an error quoting its output."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env if env is not None else {**os.environ},
        cwd=Path(__file__).parent.parent,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if answers_ok(ready_url):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                raise RuntimeError(f"{what} did not start: {output[-2000:]}")
            time.sleep(0.05)
        yield
    finally:
        process.send_signal(stop)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


@contextmanager
def live_server(
    *arguments: str,
    timeout: float = 15.0,
    program: Sequence[str] = (),
    stop: signal.Signals = signal.SIGTERM,
) -> Iterator[str]:
    """Run the CLI server until the block ends; stop it with SIGTERM, as a person would, or
    with ``stop`` (SIGKILL: a crash, no chance to save anything).

    ``program`` replaces ``trustoo-mock serve`` with another server that takes ``--port``
    (a test-only variant of the fake, run from the repository root).
    """
    port = free_port()
    serve = program or [str(Path(sys.executable).with_name("trustoo-mock")), "serve"]
    base_url = f"http://127.0.0.1:{port}"
    command = [*serve, "--port", str(port), *arguments]
    with running(command, f"{base_url}/_mock/health", what="server", timeout=timeout, stop=stop):
        yield base_url

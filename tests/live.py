"""Start the real ``trustoo-mock serve`` in a subprocess on a free port (127.0.0.1 only)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
    command = [*serve, "--port", str(port), *arguments]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ},
        cwd=Path(__file__).parent.parent,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{base_url}/_mock/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                raise RuntimeError(f"server did not start: {output}")
            time.sleep(0.05)
        yield base_url
    finally:
        process.send_signal(stop)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()

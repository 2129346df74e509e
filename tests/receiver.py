"""A real HTTP webhook receiver on 127.0.0.1 that records pushes and can be told to fail."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOLD_LIMIT = 30.0  # a held answer goes out after this long even if the test forgot to release


@dataclass
class Push:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    pushes: list[Push] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answers to give, in order; then status
    status: int = 200
    answer: bytes = b'{"code":0,"message":"success"}'
    delay: float = 0.0
    hold: threading.Event | None = None  # when set up, every answer waits until it is set
    trickle: float = 0.0  # seconds between the bytes of the answer (0: all at once)

    def next_status(self) -> int:
        return self.statuses.pop(0) if self.statuses else self.status


@contextmanager
def receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    record = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hook")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            record.pushes.append(Push(self.path, dict(self.headers.items()), body))
            status = record.next_status()
            if record.delay:
                time.sleep(record.delay)
            if record.hold is not None:
                record.hold.wait(HOLD_LIMIT)
            answer = record.answer
            try:
                if record.trickle:
                    self._trickle(status, answer)
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except OSError:
                pass  # the fake gave up waiting (timeout test)

        def _trickle(self, status: int, answer: bytes) -> None:
            head = f"HTTP/1.1 {status} OK\r\nContent-Length: {len(answer)}\r\n\r\n"
            for byte in head.encode() + answer:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(record.trickle)

        def log_message(self, format: str, *args: object) -> None:
            return

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()

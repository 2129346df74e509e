"""A deliberately drifted fake for the contract runner's tests: ``python -m tests.drifted_server
--port N`` serves the demo fake with four answers changed the way a real API drifts.

* ``get_rating``: ``review_count`` renamed to ``reviews_count``;
* ``get_reviews``: review ids sent as JSON numbers;
* ``get_shop_webhooks``: a refused signature answered with code 3 (HTTP 400), not 16;
* ``get_oauth_authorize_url``: the envelope without ``request_id``.

Everything else is the fake as it is, so the report must name exactly these four.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from collections.abc import Callable
from typing import Any

from hypercorn.asyncio import serve
from hypercorn.config import Config as ServerConfig
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trustoo_mock import create_app

PREFIX = "/api/v1/openapi/"


def _rename_count(document: dict[str, Any]) -> tuple[int | None, dict[str, Any]]:
    data = document.get("data")
    if isinstance(data, dict) and "review_count" in data:
        data["reviews_count"] = data.pop("review_count")
    return None, document


def _numeric_ids(document: dict[str, Any]) -> tuple[int | None, dict[str, Any]]:
    data = document.get("data")
    for review in data.get("list", []) if isinstance(data, dict) else []:
        review["id"] = int(review["id"])
    return None, document


def _wrong_auth_code(document: dict[str, Any]) -> tuple[int | None, dict[str, Any]]:
    if document.get("code") == 16:
        return 400, {**document, "code": 3}
    return None, document


def _no_request_id(document: dict[str, Any]) -> tuple[int | None, dict[str, Any]]:
    document.pop("request_id", None)
    return None, document


Drift = Callable[[dict[str, Any]], tuple[int | None, dict[str, Any]]]
DRIFTS: dict[str, Drift] = {
    PREFIX + "get_rating": _rename_count,
    PREFIX + "get_reviews": _numeric_ids,
    PREFIX + "get_shop_webhooks": _wrong_auth_code,
    PREFIX + "get_oauth_authorize_url": _no_request_id,
}


class Drifted:
    """Buffers the JSON answer of a drifted path, rewrites it, sends it with a fixed length."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        drift = DRIFTS.get(scope.get("path", "")) if scope["type"] == "http" else None
        if drift is None:
            await self.app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def rewrite(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            status, document = drift(json.loads(b"".join(chunks)))
            body = json.dumps(document).encode()
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "status": status or start["status"], "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    app = create_app()
    config = ServerConfig()
    config.bind = [f"127.0.0.1:{port}"]
    config.accesslog = None

    async def run() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await serve(Drifted(app), config, shutdown_trigger=stop.wait)  # type: ignore[arg-type]

    asyncio.run(run())


if __name__ == "__main__":
    main()

"""``trustoo-mock``: serve the fake, or sign a request for curl."""

from __future__ import annotations

import argparse
import asyncio
import shlex
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from trustoo_mock.clock import Clock
from trustoo_mock.config import Config
from trustoo_mock.signing import parse_query, signed_headers
from trustoo_mock.version import __version__

DEMO_PUBLIC_TOKEN = "ZGVtby1wdWJsaWMtMDAwMQ=="
DEMO_PRIVATE_TOKEN = "ZGVtby1wcml2YXRlLTAwMQ=="


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trustoo-mock", description=__doc__)
    parser.add_argument("--version", action="version", version=f"trustoo-mock {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the fake Trustoo over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8787)
    serve.add_argument("--data", type=Path, help="persist state in this JSON file")
    serve.add_argument("--empty", action="store_true", help="start with no data at all")
    serve.add_argument("--seed-file", type=Path, help="start-up data instead of the demo")
    serve.add_argument("--random-seed", type=int, default=0)
    serve.add_argument("--frozen-time", type=float, help="freeze the clock at Unix seconds")
    serve.add_argument("--error-http-status", type=int, help="send this status for every error")
    serve.add_argument("--control-token", help="require this bearer token on /_mock")

    sign = commands.add_parser("sign", help="print the signed headers (or a curl) for a request")
    sign.add_argument("url", help="the full URL, with its query string")
    sign.add_argument("--method", default="GET")
    sign.add_argument("--body", default="", help="the exact body to send")
    sign.add_argument("--public-token", default=DEMO_PUBLIC_TOKEN)
    sign.add_argument("--private-token", default=DEMO_PRIVATE_TOKEN)
    sign.add_argument("--timestamp", type=int, help="Unix seconds (default: now)")
    sign.add_argument("--curl", action="store_true", help="print a complete curl command")
    return parser


def _serve(arguments: argparse.Namespace) -> int:
    from hypercorn.asyncio import serve
    from hypercorn.config import Config as ServerConfig

    from trustoo_mock.app import create_app

    config = Config(
        data_file=arguments.data,
        seed_file=arguments.seed_file,
        empty=arguments.empty,
        random_seed=arguments.random_seed,
        frozen_time=arguments.frozen_time,
        error_http_status=arguments.error_http_status,
        control_token=arguments.control_token,
    )
    try:
        app = create_app(config)
    except ValueError as error:
        print(f"trustoo-mock: {error}", file=sys.stderr)
        return 2
    server_config = ServerConfig()
    server_config.bind = [f"{arguments.host}:{arguments.port}"]
    server_config.accesslog = None
    base_url = f"http://{arguments.host}:{arguments.port}"
    print(f"trustoo-mock {__version__} serving on {base_url}", flush=True)
    for shop in app.state.fake.ctx.store.find("shops")[:5]:
        print(
            f"  shop {shop['shop_id']} ({shop['myshopify_domain']}): "
            f"Public-Token {shop['public_token']}  private token {shop['private_token']}",
            flush=True,
        )
    for grant in app.state.fake.ctx.store.find("grants")[:5]:
        print(
            f"  platform {grant['platform_id']} on shop {grant['shop_id']}: "
            f"Authorization: Bearer {grant['access_token']}",
            flush=True,
        )

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve(app, server_config, shutdown_trigger=stop.wait)  # type: ignore[arg-type]

    try:
        asyncio.run(run())
    finally:
        app.state.fake.close()
    return 0


def _sign(arguments: argparse.Namespace) -> int:
    body = arguments.body.encode("utf-8")
    timestamp = arguments.timestamp if arguments.timestamp is not None else Clock().now_int()
    query = parse_query(urlsplit(arguments.url).query)
    headers = signed_headers(
        arguments.public_token, arguments.private_token, timestamp, query, body
    )
    if not arguments.curl:
        for name, value in headers.items():
            print(f"{name}: {value}")
        return 0
    parts = ["curl", "-sS", "-X", arguments.method.upper(), arguments.url]
    for name, value in headers.items():
        parts += ["-H", f"{name}: {value}"]
    if body:
        parts += ["-H", "Content-Type: application/json", "--data-binary", arguments.body]
    print(" ".join(shlex.quote(part) for part in parts))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "serve":
        return _serve(arguments)
    return _sign(arguments)


if __name__ == "__main__":
    sys.exit(main())

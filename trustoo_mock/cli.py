"""``trustoo-mock``: serve the fake, sign a request for curl, write or check seed data, print
the spec, check a Trustoo against it, copy a shop into a fixtures file, set faults on a running
fake."""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from trustoo_mock.config import (
    DATA_SYNC_MODES,
    MIRROR,
    SIGNATURE_CLOCKS,
    Config,
    parse_error_http_status,
)
from trustoo_mock.core.clock import Clock
from trustoo_mock.core.signing import parse_query, signed_headers
from trustoo_mock.server.hosts import guarded_for, is_loopback
from trustoo_mock.version import __version__

if TYPE_CHECKING:
    from trustoo_mock.services.fake import Fake

__all__ = ["main"]

DEMO_PUBLIC_TOKEN = "ZGVtby1wdWJsaWMtMDAwMQ=="
DEMO_PRIVATE_TOKEN = "ZGVtby1wcml2YXRlLTAwMQ=="
ENV_PREFIX = "TRUSTOO_MOCK_"
CONTROL_TOKEN_VARIABLE = ENV_PREFIX + "CONTROL_TOKEN"
# An empty variable is no setting, as for every other one; but an empty token variable is
# what an unset one in a compose file becomes, so off loopback it is not guessed at (X120).
EMPTY_CONTROL_TOKEN_OFF_LOOPBACK = (
    f"trustoo-mock: {CONTROL_TOKEN_VARIABLE} is set but empty, and --host {{host}} is "
    "reachable from other machines: give it a token, unset it to have one made up and "
    "printed, or leave /_mock open on purpose with --control-token ''"
)
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")

# Every Config field is a `serve` flag (--field-name) and an environment variable
# (TRUSTOO_MOCK_FIELD_NAME); these say what each one does.
SETTING_HELP = {
    "data_file": "keep the state in this JSON file (a snapshot) and FILE.log (one line per "
    "change, folded into the snapshot in the background)",
    "data_sync": "how each change reaches the disk: flush (default: handed to the operating "
    "system before the answer, survives a killed process), always (fsync, survives power "
    "loss, slower) or never (no fsync at all, snapshots included)",
    "data_compact_bytes": "rewrite the --data snapshot once its change log passes this size",
    "seed_file": "start-up data in the fixtures format instead of the demo",
    "empty": "start with no data at all",
    "random_seed": "seed of every generated id, token and request id, for a repeatable run "
    "(default: a seed from the operating system, printed at start-up, with tokens and secrets "
    "from its secure source)",
    "frozen_time": "freeze the clock at these Unix seconds",
    "timestamp_window": "seconds a signed request's Timestamp may differ from the clock",
    "error_http_status": (
        "HTTP status of every answer in Trustoo's error envelope (the code is in the body): "
        "a number (default 200, as Trustoo), or mirror (16 is 401, 5 is 404, ...)"
    ),
    "max_body_bytes": "largest request body accepted",
    "control_token": "require Authorization: Bearer <token> on /_mock (except /_mock/health); "
    "off loopback one is made up and printed unless given, '' leaves /_mock open",
    "access_token_ttl": "seconds an OAuth access token lives",
    "refresh_token_ttl": "seconds an OAuth refresh token lives",
    "max_webhooks_per_owner": "webhook subscriptions per shop and platform",
    "upload_ttl": "seconds an upload policy or pre-signed upload URL lives",
    "max_image_bytes": "largest image upload",
    "max_video_bytes": "largest video upload",
    "max_stored_upload_bytes": "uploaded bytes kept (the oldest objects go first)",
    "max_stored_uploads": "uploaded objects kept (the oldest go first)",
    "upload_key_prefix": "first part of every upload key",
    "media_dir": "also serve this directory's files (read only) at /_storage/<path>, as "
    "clone --download-media fills it",
    "oss_access_key_id": "access key id that signs upload policies",
    "oss_access_key_secret": "access key secret that signs upload policies (default: a "
    "secret of this instance, kept with --data)",
    "webhook_timeout": "seconds a webhook push attempt may take in all (connect to last byte)",
    "max_deliveries": "webhook deliveries kept in the log, pending included (finished go first)",
    "dispatch_interval": "seconds between looks for webhook retries due (real clock)",
    "journal_size": "requests kept in the request journal (GET /_mock/requests)",
    "signature_clock": "the clock a signed request's Timestamp is checked against and pushes "
    "are stamped with: fake (default) or wall (real time, whatever the fake's clock says)",
    "allowed_hosts": "Host names answered besides this machine's, comma-separated "
    "(.example.com with subdomains, * any); without --control-token",
    "body_timeout": "seconds a request's whole body may take to arrive",
    "max_snapshots": "snapshots kept (POST /_mock/snapshots); with --data also as files beside it",
}
# What a setting left unset (None) means, for --help.
UNSET_MEANS = {
    "data_file": "none, the state lives in memory",
    "seed_file": "none, the demo data",
    "frozen_time": "none, the real clock",
    "control_token": "none, /_mock is open",
    "media_dir": "none, uploads only",
}
SETTING_CHOICES = {"signature_clock": SIGNATURE_CLOCKS, "data_sync": DATA_SYNC_MODES}
SETTING_ALIASES = {"data_file": ("--data",)}
# `serve` defaults that differ from Config's (Config serves the library: seeded by default).
SERVE_DEFAULTS: dict[str, Any] = {"random_seed": None}
METAVARS: dict[type, str] = {Path: "FILE", str: "TEXT"}
# Settings whose text is not one plain type: how to read it, and its metavar.
SETTING_PARSERS: dict[str, tuple[Callable[[str], Any], str]] = {
    "error_http_status": (parse_error_http_status, f"{MIRROR}|N"),
}


def _parser(environ: Mapping[str, str], argv: Sequence[str]) -> argparse.ArgumentParser:
    """The command line. The options of ``contract`` and ``clone`` are defined by their own
    modules, imported only when one of them is the command (the first word that is not an
    option): every other command starts without them."""
    command = next((word for word in argv if not word.startswith("-")), None)
    parser = argparse.ArgumentParser(prog="trustoo-mock", description=__doc__)
    parser.add_argument("--version", action="version", version=f"trustoo-mock {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve",
        help="run the fake Trustoo over HTTP",
        description=f"Every option can also be set as an environment variable {ENV_PREFIX}<NAME>.",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help=f"address to listen on (default: 127.0.0.1; env {ENV_PREFIX}HOST)",
    )
    serve.add_argument(
        "--port",
        type=int,
        default=8787,
        help=f"0 picks a free port (default: 8787; env {ENV_PREFIX}PORT)",
    )
    for item in fields(Config):
        _add_setting(serve, item.name, SERVE_DEFAULTS.get(item.name, item.default))
    serve.add_argument(
        "--faults",
        type=Path,
        metavar="FILE",
        default=environ.get(f"{ENV_PREFIX}FAULTS") or None,
        help="set these faults at start: a YAML or JSON list of what POST /_mock/faults takes "
        f"(default: none; env {ENV_PREFIX}FAULTS)",
    )
    from_environment, problems = _environment_defaults(environ)
    serve.set_defaults(empty_control_token_variable=False)
    serve.set_defaults(**from_environment, environment_problems=problems)

    fault = commands.add_parser(
        "fault",
        help="make a running fake fail on demand (POST /_mock/faults), or list or clear faults",
        description="Sends one fault to a running fake. Without an action, lists the faults.",
    )
    _add_fault_arguments(fault, environ)

    sign = commands.add_parser("sign", help="print the signed headers (or a curl) for a request")
    sign.add_argument("url", help="the full URL, with its query string")
    sign.add_argument("--method", default="GET")
    sign.add_argument("--body", default="", help="the exact body to send")
    sign.add_argument("--public-token", default=DEMO_PUBLIC_TOKEN)
    sign.add_argument("--private-token", default=DEMO_PRIVATE_TOKEN)
    sign.add_argument("--timestamp", type=int, help="Unix seconds (default: now)")
    sign.add_argument("--curl", action="store_true", help="print a complete curl command")

    seed = commands.add_parser(
        "seed", help="write the demo fixtures file, or check fixtures files against the spec"
    )
    seed.add_argument(
        "-o", "--output", type=Path, help="write the demo data here (default: stdout)"
    )
    seed.add_argument(
        "--check",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="validate against the spec's SeedData schema and load into an empty fake",
    )

    spec = commands.add_parser("spec", help="print the OpenAPI document the fake runs on")
    spec.add_argument("--json", action="store_true", help="as JSON instead of YAML")

    contract_command = commands.add_parser(
        "contract", help="check a Trustoo (the real one, or a fake) against the spec"
    )
    if command == "contract":
        from trustoo_mock.remote import contract

        contract.add_arguments(contract_command)

    clone_command = commands.add_parser(
        "clone", help="copy a shop from a Trustoo (GET requests only) into a fixtures file"
    )
    if command == "clone":
        from trustoo_mock.remote import clone

        clone.add_arguments(clone_command)
    return parser


def _add_fault_arguments(parser: argparse.ArgumentParser, environ: Mapping[str, str]) -> None:
    parser.add_argument(
        "--url",
        default=environ.get(f"{ENV_PREFIX}URL", "http://127.0.0.1:8787"),
        help=f"the running fake (default: http://127.0.0.1:8787; env {ENV_PREFIX}URL)",
    )
    parser.add_argument(
        "--control-token",
        default=environ.get(f"{ENV_PREFIX}CONTROL_TOKEN") or None,
        help=f"the fake's control token, if it has one (env {ENV_PREFIX}CONTROL_TOKEN)",
    )
    parser.add_argument("--clear", action="store_true", help="remove every fault")
    matching = parser.add_argument_group("which requests (all optional, all must match)")
    matching.add_argument("--operation", action="append", help="an operationId (repeatable)")
    matching.add_argument("--shop-id")
    matching.add_argument("--client-id")
    matching.add_argument("--method")
    action = parser.add_argument_group("what happens (one action, with or without --delay)")
    action.add_argument("--error", type=int, metavar="CODE", help="answer with this code")
    action.add_argument("--message", help="the error's message")
    action.add_argument("--http-status", type=int, help="the error's HTTP status")
    action.add_argument("--drop", action="store_true", help="close the connection unanswered")
    action.add_argument("--response-status", type=int, help="a raw answer with this status")
    action.add_argument("--content-type", default="text/plain", help="the raw answer's type")
    action.add_argument("--body", default="", help="the raw answer's body")
    action.add_argument(
        "--rate-limit", metavar="N/SECONDS", help="past N requests in SECONDS: code 8, HTTP 429"
    )
    action.add_argument("--per", choices=("shop", "platform"), help="rate limit per what")
    action.add_argument("--delay", type=float, metavar="SECONDS")
    often = parser.add_argument_group("how often")
    often.add_argument("--times", type=int)
    often.add_argument("--probability", type=float)
    often.add_argument("--from", dest="from_", metavar="INSTANT", help="Unix seconds or RFC 3339")
    often.add_argument("--until", metavar="INSTANT")


def fault_from_arguments(arguments: argparse.Namespace) -> dict[str, Any]:
    """The body of POST /_mock/faults the ``fault`` command's options describe (the fake
    checks it)."""
    fault: dict[str, Any] = {}
    operations = arguments.operation or []
    if operations:
        fault["operation"] = operations[0] if len(operations) == 1 else operations
    for name in ("shop_id", "client_id", "method", "delay", "times", "probability", "until"):
        if getattr(arguments, name) is not None:
            fault[name] = getattr(arguments, name)
    if arguments.from_ is not None:
        fault["from"] = arguments.from_
    if arguments.error is not None:
        error: dict[str, Any] = {"code": arguments.error}
        if arguments.message is not None:
            error["message"] = arguments.message
        if arguments.http_status is not None:
            error["http_status"] = arguments.http_status
        fault["error"] = error
    if arguments.drop:
        fault["drop"] = True
    if arguments.response_status is not None:
        fault["response"] = {
            "status": arguments.response_status,
            "content_type": arguments.content_type,
            "body": arguments.body,
        }
    if arguments.rate_limit is not None:
        requests, _, seconds = arguments.rate_limit.partition("/")
        try:
            limit: dict[str, Any] = {"requests": int(requests), "per_seconds": float(seconds)}
        except ValueError:
            raise ValueError(f"--rate-limit {arguments.rate_limit!r}: give N/SECONDS") from None
        if arguments.per is not None:
            limit["per"] = arguments.per
        fault["rate_limit"] = limit
    return fault


def _control_call(
    url: str, token: str | None, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    """One call to a running fake's control plane: (HTTP status, parsed JSON answer)."""
    import json
    import urllib.error
    import urllib.request

    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url.rstrip("/") + path, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as refused:
        text = refused.read()
        try:
            return refused.code, json.loads(text)
        except ValueError:
            return refused.code, {"error": text.decode("utf-8", "replace")[:200]}


def _fault(arguments: argparse.Namespace) -> int:
    import json

    try:
        fault = fault_from_arguments(arguments)
    except ValueError as error:
        print(f"trustoo-mock fault: {error}", file=sys.stderr)
        return 2
    if arguments.clear:
        method, path, body = "DELETE", "/_mock/faults", None
    elif fault:
        method, path, body = "POST", "/_mock/faults", fault
    else:
        method, path, body = "GET", "/_mock/faults", None
    try:
        status, answer = _control_call(arguments.url, arguments.control_token, method, path, body)
    except OSError as error:
        print(f"trustoo-mock fault: cannot reach {arguments.url}: {error}", file=sys.stderr)
        return 2
    if status >= 400:
        message = answer.get("error") if isinstance(answer, dict) else answer
        print(f"trustoo-mock fault: refused ({status}): {message}", file=sys.stderr)
        return 1
    print(json.dumps(answer))
    return 0


def read_faults_file(path: Path) -> list[dict[str, Any]]:
    """The faults of ``serve --faults``: a YAML (or JSON) list of fault objects."""
    import yaml

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: {error}") from None
    if not isinstance(loaded, list) or not all(isinstance(item, dict) for item in loaded):
        raise ValueError(f"{path}: must be a list of faults (objects)")
    return loaded


def _set_faults(fake: Fake, path: Path) -> None:
    from trustoo_mock.core.errors import FakeError
    from trustoo_mock.domain import faults
    from trustoo_mock.server.control import faultable_operations

    known = faultable_operations()
    given = read_faults_file(path)
    # The file is the set of faults: a restart with --data does not set them twice (X88).
    with fake.ctx.store.transaction():
        faults.delete_all(fake.ctx)
        for number, fields_given in enumerate(given, start=1):
            try:
                faults.create_fault(fake.ctx, fields_given, known)
            except FakeError as error:
                raise ValueError(f"{path}: fault {number}: {error.message}") from None


def _setting_type(name: str) -> type:
    hint = typing.get_type_hints(Config)[name]
    (kind,) = [arg for arg in typing.get_args(hint) if arg is not type(None)] or [hint]
    if kind not in (bool, int, float, str, Path):
        raise TypeError(f"Config.{name}: {hint} has no command-line form")
    return typing.cast(type, kind)


def _argument_type(read: Callable[[str], Any]) -> Callable[[str], Any]:
    """``read`` for argparse: its ValueError becomes the usage error, message and all."""

    def argument(text: str) -> Any:
        try:
            return read(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return argument


def _add_setting(parser: argparse.ArgumentParser, name: str, default: Any) -> None:
    env = ENV_PREFIX + name.upper()
    flags = [f"--{name.replace('_', '-')}", *SETTING_ALIASES.get(name, ())]
    text = (
        f"{SETTING_HELP.get(name, f'Config.{name}')} (default: {_shown(name, default)}; env {env})"
    )
    if name in SETTING_PARSERS:
        read, metavar = SETTING_PARSERS[name]
        parser.add_argument(
            *flags,
            dest=name,
            type=_argument_type(read),
            default=default,
            metavar=metavar,
            help=text,
        )
        return
    kind = _setting_type(name)
    if kind is bool:
        parser.add_argument(
            *flags, dest=name, action=argparse.BooleanOptionalAction, default=default, help=text
        )
    else:
        metavar = METAVARS.get(kind, "N")
        choices = SETTING_CHOICES.get(name)
        parser.add_argument(
            *flags,
            dest=name,
            type=kind,
            default=default,
            metavar="|".join(choices) if choices else metavar,
            choices=choices,
            help=text,
        )


def _shown(name: str, default: Any) -> str:
    if default is None:
        return UNSET_MEANS.get(name, "none")
    if isinstance(default, bool):
        return "yes" if default else "no"
    return str(default)


def _environment_defaults(environ: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """`serve` defaults from TRUSTOO_MOCK_* variables (flags still win), and what was wrong."""
    found: dict[str, Any] = {}
    problems: list[str] = []
    wanted = {"host": str, "port": int} | {
        item.name: _setting_type(item.name)
        for item in fields(Config)
        if item.name not in SETTING_PARSERS
    }
    for name, kind in wanted.items():
        raw = environ.get(ENV_PREFIX + name.upper(), "").strip()
        if not raw:
            continue
        try:
            found[name] = _parse_setting(kind, raw)
        except ValueError:
            problems.append(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {kind.__name__}")
    if not environ.get(CONTROL_TOKEN_VARIABLE, "x").strip():
        found["empty_control_token_variable"] = True
    for name, (read, _) in SETTING_PARSERS.items():
        raw = environ.get(ENV_PREFIX + name.upper(), "").strip()
        if not raw:
            continue
        try:
            found[name] = read(raw)
        except ValueError as error:
            problems.append(f"{ENV_PREFIX}{name.upper()}: {error}")
    return found, problems


def _parse_setting(kind: type, raw: str) -> Any:
    if kind is not bool:
        return kind(raw)
    if raw.lower() in TRUE_WORDS:
        return True
    if raw.lower() in FALSE_WORDS:
        return False
    raise ValueError(raw)


def _serve(arguments: argparse.Namespace) -> int:
    from trustoo_mock.domain import oauth, tenants
    from trustoo_mock.server.app import create_app
    from trustoo_mock.server.serving import base_url, listening_socket, serve_on
    from trustoo_mock.services.fake import Fake

    if arguments.environment_problems:
        for problem in arguments.environment_problems:
            print(f"trustoo-mock: {problem}", file=sys.stderr)
        return 2
    config = Config(**{item.name: getattr(arguments, item.name) for item in fields(Config)})
    public = not is_loopback(arguments.host)
    if public and config.control_token is None and arguments.empty_control_token_variable:
        print(EMPTY_CONTROL_TOKEN_OFF_LOOPBACK.format(host=arguments.host), file=sys.stderr)
        return 2
    config, generated_token = guarded_for(arguments.host, config)
    try:
        fake = Fake(config)
    except ValueError as error:
        print(f"trustoo-mock: {error}", file=sys.stderr)
        return 2
    app = create_app(fake)
    if arguments.faults is not None:
        try:
            _set_faults(fake, arguments.faults)
        except ValueError as error:
            print(f"trustoo-mock: {error}", file=sys.stderr)
            fake.close()
            return 2
    try:
        sock = listening_socket(arguments.host, arguments.port)
    except OSError as error:
        print(f"trustoo-mock: cannot listen on {arguments.host}:{arguments.port}: {error}")
        fake.close()
        return 2
    # The first line names the real port (useful with --port 0); scripts may parse it.
    print(f"trustoo-mock {__version__} serving on {base_url(sock)}", flush=True)
    print(f"  {seed_line(fake)}", flush=True)
    print(f"  inspector: {base_url(sock)}/_mock/ui", flush=True)
    if generated_token:
        print(
            f"  the control plane (/_mock) needs Authorization: Bearer {config.control_token}\n"
            f"  (made up at start because --host {arguments.host} is reachable from other "
            "machines; choose it with --control-token TOKEN, or leave /_mock open with "
            "--control-token ''; /_mock/health stays open)",
            flush=True,
        )
    elif public and not config.control_token:
        print(
            f"trustoo-mock: warning: --control-token '' leaves the control plane open on "
            f"{arguments.host}: anyone who reaches the port can reset the fake or mint tokens",
            file=sys.stderr,
            flush=True,
        )
    for shop in tenants.all_shops(fake.ctx)[:5]:
        print(
            f"  shop {shop['shop_id']} ({shop['myshopify_domain']}): "
            f"Public-Token {shop['public_token']}  private token {shop['private_token']}",
            flush=True,
        )
    for grant in oauth.all_grants(fake.ctx)[:5]:
        print(
            f"  platform {grant['platform_id']} on shop {grant['shop_id']}: "
            f"Authorization: Bearer {grant['access_token']}",
            flush=True,
        )

    import asyncio

    async def run() -> None:
        # SIGINT and SIGTERM both end the server gracefully: open requests finish, the
        # lifespan stops the dispatcher, then the store is closed with its file complete.
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve_on(app, sock, stop.wait)

    try:
        asyncio.run(run())
    finally:
        sock.close()
        fake.close()
    return 0


def seed_line(fake: Fake) -> str:
    """How to repeat this run (X48)."""
    seed = fake.random_seed
    line = f"random seed {seed} \N{EM DASH} --random-seed {seed} repeats this run"
    if fake.secure:
        line += " (tokens and secrets aside: they come from the operating system)"
    return line


def _seed(arguments: argparse.Namespace) -> int:
    if not arguments.check:
        demo = resources.files("trustoo_mock").joinpath("demo.json").read_bytes()
        if arguments.output is None:
            sys.stdout.buffer.write(demo)
        else:
            arguments.output.write_bytes(demo)
        return 0
    failed = False
    for path in arguments.check:
        try:
            counts = check_seed_file(path)
        except ValueError as error:
            print(f"trustoo-mock: {error}", file=sys.stderr)
            failed = True
            continue
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        print(f"{path}: ok ({summary})")
    return 1 if failed else 0


def check_seed_file(path: Path) -> dict[str, int]:
    """Check a fixtures file the way the fake would load it: the spec's SeedData schema,
    then a load into an empty fake (duplicate ids, unknown shops or clients)."""
    from trustoo_mock.core.errors import FakeError
    from trustoo_mock.domain import seeding
    from trustoo_mock.services.fake import Fake, load_seed_file

    data = load_seed_file(path)
    fake = Fake(Config(empty=True))
    try:
        return seeding.load(fake.ctx, data)
    except FakeError as error:
        raise ValueError(f"{path}: {error.message}") from None
    finally:
        fake.close()


def _spec(arguments: argparse.Namespace) -> int:
    from trustoo_mock.spec.openapi import bundled_spec

    spec = bundled_spec()
    sys.stdout.buffer.write(spec.json_source if arguments.json else spec.source)
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


def _contract(arguments: argparse.Namespace) -> int:
    """The contract check; the exit code says whether all conforms. The runner needs
    schemathesis (the contract extra), so it is imported only here."""
    from trustoo_mock.remote import contract

    try:
        options = contract.options_from_arguments(arguments)
        spec = options.load_spec()
        selection = contract.plan(spec, options)
    except (contract.ContractError, OSError, ValueError) as error:
        print(f"trustoo-mock contract: {error}", file=sys.stderr)
        return contract.EXIT_CANNOT_RUN
    try:
        from trustoo_mock.remote import contract_runner
    except ModuleNotFoundError as missing:
        print(
            f"trustoo-mock contract needs {missing.name}: install the contract extra "
            "(pip install -e '.[contract]' in a checkout) or pip install 'schemathesis>=4'",
            file=sys.stderr,
        )
        return contract.EXIT_CANNOT_RUN
    report = contract_runner.run(options, spec, selection)
    if report.crash:
        print(report.crash, file=sys.stderr, end="")
    sys.stdout.write(contract.summary(report))
    if options.report is not None:
        json_path, xml_path = contract.write_report(report, options.report)
        sys.stdout.write(f"  Report: {json_path} and {xml_path}\n")
    if options.record_dir is not None:
        sys.stdout.write(f"  Recorded exchanges in {options.record_dir}\n")
    return report.exit_code


def _clone(arguments: argparse.Namespace) -> int:
    """The clone; it needs httpx (the client extra), which the clone imports when it runs."""
    from trustoo_mock.remote import clone

    try:
        options = clone.options_from_arguments(arguments)
    except clone.CloneError as error:
        print(f"trustoo-mock clone: {error}", file=sys.stderr)
        return clone.EXIT_CANNOT_RUN
    try:
        return clone.run(options)
    except ModuleNotFoundError as missing:
        print(
            f"trustoo-mock clone needs {missing.name}: pip install httpx (the client extra)",
            file=sys.stderr,
        )
        return clone.EXIT_CANNOT_RUN


COMMANDS = {
    "serve": _serve,
    "sign": _sign,
    "seed": _seed,
    "spec": _spec,
    "contract": _contract,
    "clone": _clone,
    "fault": _fault,
}


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    arguments = _parser(os.environ, words).parse_args(words)
    return COMMANDS[arguments.command](arguments)


if __name__ == "__main__":
    sys.exit(main())

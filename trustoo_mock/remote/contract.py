"""``trustoo-mock contract``: check any Trustoo (the real one, or this fake) against openapi.yaml.

This module is the command's model: its options, which operations it may call, and what it
reports (the summary, ``--report`` as JSON and JUnit XML, ``--record`` with secrets redacted).
The requests themselves are made by ``contract_runner``, which needs schemathesis (the
optional extra ``trustoo-mock[contract]``); ``cli`` imports it only when the command runs, so
the runner depends on this module and never the other way round.

Which operations are called:

* never a fake-only one: tagged *Mock Control* (the control plane) or marked
  ``x-fake-only: true`` (the fake's stand-ins inside Trustoo's paths);
* a planned one (``x-status: planned``) only with ``--include-planned``;
* by default only GET operations. ``--allow-writes`` adds the writes it can undo: an operation
  whose answer links (``x-cleanup: true``) to the call that deletes what it made, and the
  operations those links lead to, called only on what the run itself created. Any other
  write (disconnecting a platform, unsubscribing an email) is never called.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import textwrap
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from trustoo_mock.config import MIRROR, ErrorHttpStatus, parse_error_http_status
from trustoo_mock.core.errors import HTTP_STATUS, Code
from trustoo_mock.spec.openapi import Operation, Spec, bundled_spec, load_spec

ENV_PUBLIC_TOKEN = "TRUSTOO_PUBLIC_TOKEN"
ENV_PRIVATE_TOKEN = "TRUSTOO_PRIVATE_TOKEN"
ENV_BEARER = "TRUSTOO_BEARER"
ENV_BEARER_SCOPES = "TRUSTOO_BEARER_SCOPES"
FAKE_ONLY_TAGS = frozenset({"Mock Control", "Mock Inspector"})
EXCERPT = 600  # characters of a body shown in the summary
SUMMARY_DETAIL_LINES = 12  # the report files keep the whole detail

EXIT_CONFORMS = 0
EXIT_DIFFERS = 1
EXIT_CANNOT_RUN = 2


class ContractError(Exception):
    """The run cannot start: bad options, a spec the runner cannot follow."""


@dataclass(frozen=True)
class Credentials:
    public_token: str | None = None
    private_token: str | None = None
    bearer: str | None = None
    # What the bearer token was granted; None when not told, so scope checks are skipped.
    bearer_scopes: frozenset[str] | None = None

    @property
    def hmac(self) -> bool:
        return bool(self.public_token and self.private_token)

    def secrets(self) -> list[str]:
        return [value for value in (self.public_token, self.private_token, self.bearer) if value]

    def describe(self) -> str:
        ways = []
        if self.hmac:
            ways.append("the shop (HMAC)")
        if self.bearer:
            scopes = (
                "" if self.bearer_scopes is None else f" [{','.join(sorted(self.bearer_scopes))}]"
            )
            ways.append(f"a platform (bearer{scopes})")
        return " and ".join(ways) if ways else "no credentials"


@dataclass(frozen=True)
class Options:
    base_url: str
    credentials: Credentials = Credentials()
    allow_writes: bool = False
    include_planned: bool = False
    operations: tuple[str, ...] = ()
    max_requests: int = 200
    rate: float = 3.0
    examples: int = 5
    seed: int = 0
    timeout: float = 30.0
    record_dir: Path | None = None
    report: Path | None = None
    spec_path: Path | None = None
    # The HTTP status convention the answers are judged by (D4 revised; the fake's setting).
    error_http_status: ErrorHttpStatus = 200

    def load_spec(self) -> Spec:
        return bundled_spec() if self.spec_path is None else load_spec(self.spec_path)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``trustoo-mock contract`` (the CLI calls this to build its subcommand)."""
    option = parser.add_argument
    option("--base-url", required=True, metavar="URL", help="e.g. https://rapi.trustoo.io")
    add_credential_arguments(parser)
    option(
        "--allow-writes",
        action="store_true",
        help="also create reviews and webhooks, and delete them again (default: GET only)",
    )
    option("--include-planned", action="store_true", help="also x-status: planned operations")
    option("--operation", action="append", default=[], metavar="ID", help="only this (repeatable)")
    option("--max-requests", type=int, default=200, metavar="N", help="budget (default 200)")
    option("--rate", type=float, default=3.0, metavar="N", help="requests per second (default 3)")
    option(
        "--examples",
        type=int,
        default=5,
        metavar="N",
        help="generated valid and invalid requests per operation (default 5 each)",
    )
    option("--seed", type=int, default=0, metavar="N", help="for the generated requests")
    option("--timeout", type=float, default=30.0, metavar="SECONDS", help="per request")
    option("--report", type=Path, metavar="PATH", help="write PATH.json and PATH.xml (JUnit)")
    option("--record", type=Path, metavar="DIR", help="keep every exchange, secrets redacted")
    option("--spec", type=Path, metavar="FILE", help="another openapi.yaml than the bundled one")
    option(
        "--error-http-status",
        default="200",
        metavar=f"{MIRROR}|N",
        help="the HTTP status errors are expected with: a number (default 200, the code in the "
        f"body only) or {MIRROR} (16 is 401, 5 is 404, ...); the report says which one the "
        "server's refusals showed",
    )


def add_credential_arguments(parser: argparse.ArgumentParser) -> None:
    """The credential options every command that calls a Trustoo takes (contract, clone)."""
    option = parser.add_argument
    option("--public-token", metavar="TOKEN", help=f"the shop's (or ${ENV_PUBLIC_TOKEN})")
    option("--private-token", metavar="TOKEN", help=f"the shop's (or ${ENV_PRIVATE_TOKEN})")
    option("--bearer", metavar="TOKEN", help=f"a platform's access token (or ${ENV_BEARER})")
    option(
        "--bearer-scopes",
        metavar="LIST",
        help=f"what the bearer token was granted, comma-separated (or ${ENV_BEARER_SCOPES})",
    )


def credentials_from_arguments(
    arguments: argparse.Namespace, environ: Mapping[str, str] = os.environ
) -> Credentials:
    """Flags win over environment variables; both tokens of the HMAC pair, or neither."""

    def pick(value: str | None, name: str) -> str | None:
        return value or environ.get(name) or None

    public_token = pick(arguments.public_token, ENV_PUBLIC_TOKEN)
    private_token = pick(arguments.private_token, ENV_PRIVATE_TOKEN)
    if bool(public_token) != bool(private_token):
        raise ContractError("HMAC signing needs both --public-token and --private-token")
    scopes_text = pick(arguments.bearer_scopes, ENV_BEARER_SCOPES)
    scopes = None
    if scopes_text is not None:
        scopes = frozenset(part for part in re.split(r"[\s,]+", scopes_text) if part)
    return Credentials(public_token, private_token, pick(arguments.bearer, ENV_BEARER), scopes)


def options_from_arguments(
    arguments: argparse.Namespace, environ: Mapping[str, str] = os.environ
) -> Options:
    credentials = credentials_from_arguments(arguments, environ)
    scheme = urlsplit(arguments.base_url).scheme
    if scheme not in ("http", "https"):
        raise ContractError(f"--base-url must be an http(s) URL, got {arguments.base_url!r}")
    if arguments.max_requests < 1 or arguments.rate <= 0 or arguments.examples < 1:
        raise ContractError("--max-requests and --examples must be at least 1, --rate above 0")
    try:
        error_http_status = parse_error_http_status(arguments.error_http_status)
    except ValueError as error:
        raise ContractError(f"--error-http-status: {error}") from None
    return Options(
        base_url=arguments.base_url.rstrip("/"),
        credentials=credentials,
        allow_writes=arguments.allow_writes,
        include_planned=arguments.include_planned,
        operations=tuple(arguments.operation),
        max_requests=arguments.max_requests,
        rate=arguments.rate,
        examples=arguments.examples,
        seed=arguments.seed,
        timeout=arguments.timeout,
        record_dir=arguments.record,
        report=arguments.report,
        spec_path=arguments.spec,
        error_http_status=error_http_status,
    )


# --- which operations -------------------------------------------------------------------------


def is_fake_only(operation: Operation) -> bool:
    tags = FAKE_ONLY_TAGS.intersection(operation.raw.get("tags", ()))
    return bool(tags) or bool(operation.raw.get("x-fake-only"))


def links(operation: Operation) -> dict[str, dict[str, Any]]:
    """The links of the operation's success answer, in the order the spec lists them."""
    response = operation.raw.get("responses", {}).get("200", {})
    return dict(response.get("links", {}))


def is_creator(operation: Operation) -> bool:
    """A write whose answer links to the call that undoes it."""
    return any(link.get("x-cleanup") for link in links(operation).values())


@dataclass
class Plan:
    """What the run calls: ``tested`` in spec order; the rest with the reason it is not."""

    tested: list[Operation]
    skipped: dict[str, str]
    # Reached only through a creator's links (not named by --operation, or a write), never
    # with generated data.
    linked_only: set[str]
    fake_only: int


def plan(spec: Spec, options: Options) -> Plan:
    wanted = set(options.operations)
    unknown = wanted - set(spec.operations)
    if unknown:
        raise ContractError(f"no operation {', '.join(sorted(unknown))} in the spec")
    real = [op for op in spec.operations.values() if not is_fake_only(op)]
    fake_only_wanted = wanted - {op.operation_id for op in real}
    if fake_only_wanted:
        raise ContractError(f"{', '.join(sorted(fake_only_wanted))}: fake-only, not on Trustoo")
    # The operations a creator's links lead to (read back, update, delete) are called, on
    # what the run made, whether or not --operation named them: the cleanup depends on them.
    creators = [op for op in real if is_creator(op)]
    for creator in creators:
        for name, link in links(creator).items():
            check_link(creator, name, link, spec)
    made_by: dict[str, list[str]] = {}
    for creator in creators:
        for link in links(creator).values():
            if spec.operations[link["operationId"]].method != "GET":
                made_by.setdefault(link["operationId"], []).append(creator.operation_id)
    tested: list[Operation] = []
    skipped: dict[str, str] = {}
    for operation in real:
        if wanted and operation.operation_id not in wanted:
            continue
        if operation.planned and not options.include_planned:
            skipped[operation.operation_id] = "planned (x-status: planned; --include-planned)"
        elif operation.method == "GET" or (options.allow_writes and is_creator(operation)):
            tested.append(operation)
        elif is_creator(operation):
            skipped[operation.operation_id] = "a write (--allow-writes to create and clean up)"
        elif operation.operation_id in made_by:
            makers = ", ".join(made_by[operation.operation_id])
            skipped[operation.operation_id] = f"a write, called only on what {makers} made"
        else:
            # The same words with or without --allow-writes: the flag would not change it.
            skipped[operation.operation_id] = "a write the runner cannot undo, never called"
    linked_only: set[str] = set()
    for creator in [op for op in tested if op.method != "GET"]:
        for link in links(creator).values():
            target = spec.operations[link["operationId"]]
            if target not in tested:
                skipped.pop(target.operation_id, None)
                tested.append(target)
                linked_only.add(target.operation_id)
    for operation in tested:
        for name, link in links(operation).items():
            check_link(operation, name, link, spec)
    return Plan(tested, skipped, linked_only, len(spec.operations) - len(real))


_BODY_POINTER = "$response.body#"


def check_link(operation: Operation, name: str, link: Mapping[str, Any], spec: Spec) -> None:
    """Refuse, before any request, a link the runner cannot follow."""
    where = f"{operation.operation_id} link {name}"
    if link.get("operationId") not in spec.operations:
        raise ContractError(f"{where}: needs an operationId of the spec")
    expressions: list[Any] = list(link.get("parameters", {}).values())
    body = link.get("requestBody")
    expressions += list(body.values()) if isinstance(body, dict) else [body]
    for expression in expressions:
        if (
            isinstance(expression, str)
            and expression.startswith("$")
            and not expression.startswith(_BODY_POINTER)
        ):
            raise ContractError(f"{where}: only {_BODY_POINTER}/... expressions are supported")


class Unresolved(Exception):
    """A link's expression points at nothing in the answer."""


def evaluate(expression: Any, document: Any) -> Any:
    """A link value: ``$response.body#/json/pointer`` read from the answer, else a literal.
    A mapping is evaluated value by value (a request body built from several fields)."""
    if isinstance(expression, dict):
        return {key: evaluate(value, document) for key, value in expression.items()}
    if not (isinstance(expression, str) and expression.startswith(_BODY_POINTER)):
        return expression
    target = document
    pointer = expression[len(_BODY_POINTER) :]
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and token in target:
            target = target[token]
        elif isinstance(target, list) and token.isdigit() and int(token) < len(target):
            target = target[int(token)]
        else:
            raise Unresolved(f"{expression} is not in the answer")
    return target


# --- what a run found ---------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One request and its answer (or the network error instead), secrets already redacted."""

    operation_id: str
    kind: str
    identity: str
    sent_at: float
    request: dict[str, Any]
    response: dict[str, Any] | None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation_id": self.operation_id,
            "kind": self.kind,
            "identity": self.identity,
            "sent_at": _iso(self.sent_at),
            "request": self.request,
            "response": self.response,
            "error": self.error,
        }


@dataclass
class Difference:
    title: str
    detail: str
    exchange: Exchange
    count: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "detail": self.detail,
            "count": self.count,
            "first": self.exchange.as_dict(),
        }


@dataclass
class OperationResult:
    operation: Operation
    skipped: str | None = None
    requests: int = 0
    differences: dict[str, Difference] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.skipped is not None:
            return "skipped"
        if self.differences:
            return "differs"
        return "conforms" if self.requests else "not reached"

    def note(self, exchange: Exchange, title: str, detail: str) -> None:
        """Keep the first request that shows each distinct difference, and count the rest."""
        # Numbers aside (ids, times), the first line of the detail tells differences apart.
        first_line = re.sub(r"\d+", "N", detail.splitlines()[0] if detail else "")
        key = f"{title}\n{first_line}"
        if key in self.differences:
            self.differences[key].count += 1
        else:
            self.differences[key] = Difference(title, detail, exchange)

    def as_dict(self) -> dict[str, Any]:
        operation = self.operation
        return {
            "operation_id": operation.operation_id,
            "method": operation.method,
            "path": operation.path,
            "status": self.status,
            "skipped": self.skipped,
            "requests": self.requests,
            "evidence": operation.raw.get("x-evidence", {}),
            "differences": [difference.as_dict() for difference in self.differences.values()],
        }


CONVENTION_200 = "200"
CONVENTION_MIRROR = MIRROR
CONVENTION_MIXED = "mixed"
CONVENTION_OTHER = "other"
CONVENTION_UNKNOWN = "unknown"
CONVENTION_MEANING = {
    CONVENTION_200: "errors come as HTTP 200, the code in the body only",
    CONVENTION_MIRROR: "the HTTP status mirrors the code (16 is 401, 7 is 403)",
    CONVENTION_MIXED: "some refusals came as HTTP 200, others with the status of their code",
    CONVENTION_OTHER: "refusals came with a status that is neither 200 nor their code's",
    CONVENTION_UNKNOWN: "no refusal probe was answered with its code, so nothing is known",
}


@dataclass
class StatusConvention:
    """How the server sends an error, as its refusal probes showed (code 16 for a wrong
    signature, 7 for a missing scope): the finding that checks D4 against the real Trustoo."""

    # (code, HTTP status) -> how many probes were refused so
    seen: dict[tuple[int, int], int] = field(default_factory=dict)

    def observe(self, code: int, status: int) -> None:
        self.seen[(code, status)] = self.seen.get((code, status), 0) + 1

    @staticmethod
    def _kind(code: int, status: int) -> str:
        if status == 200:
            return CONVENTION_200
        if code in HTTP_STATUS and status == HTTP_STATUS[Code(code)]:
            return CONVENTION_MIRROR
        return CONVENTION_OTHER

    @property
    def verdict(self) -> str:
        kinds = {self._kind(code, status) for code, status in self.seen}
        if not kinds:
            return CONVENTION_UNKNOWN
        return kinds.pop() if len(kinds) == 1 else CONVENTION_MIXED

    def describe(self) -> str:
        observed = ", ".join(
            f"code {code} with HTTP {status} ({count}x)"
            for (code, status), count in sorted(self.seen.items())
        )
        meaning = CONVENTION_MEANING[self.verdict]
        return f"{meaning}: {observed}" if observed else meaning

    def as_dict(self, judged_by: ErrorHttpStatus) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "meaning": CONVENTION_MEANING[self.verdict],
            "judged_by": str(judged_by),
            "observed": [
                {"code": code, "status": status, "count": count}
                for (code, status), count in sorted(self.seen.items())
            ],
        }


@dataclass
class Report:
    options: Options
    spec_version: str
    started_at: float
    results: list[OperationResult]
    fake_only: int
    finished_at: float = 0.0
    requests: int = 0
    answered: int = 0
    budget_exhausted: bool = False
    # What the run created and could not delete: a person must remove it.
    leftovers: list[str] = field(default_factory=list)
    status_convention: StatusConvention = field(default_factory=StatusConvention)
    # The traceback when the runner stopped on an error of its own (its cleanups still ran).
    crash: str | None = None

    @property
    def differing(self) -> list[OperationResult]:
        return [result for result in self.results if result.status == "differs"]

    @property
    def checked(self) -> list[OperationResult]:
        return [result for result in self.results if result.status in ("conforms", "differs")]

    @property
    def conforms(self) -> bool:
        return bool(self.checked) and not self.differing and not self.leftovers and not self.crash

    @property
    def exit_code(self) -> int:
        if self.crash or not self.checked or (self.requests and not self.answered):
            return EXIT_CANNOT_RUN
        return EXIT_CONFORMS if self.conforms else EXIT_DIFFERS

    def as_dict(self) -> dict[str, Any]:
        options = self.options
        return {
            "base_url": options.base_url,
            "spec_version": self.spec_version,
            "started_at": _iso(self.started_at),
            "duration_seconds": round(self.finished_at - self.started_at, 3),
            "conforms": self.conforms,
            "exit_code": self.exit_code,
            "credentials": options.credentials.describe(),
            "allow_writes": options.allow_writes,
            "max_requests": options.max_requests,
            "rate": options.rate,
            "requests": self.requests,
            "budget_exhausted": self.budget_exhausted,
            "fake_only_operations": self.fake_only,
            "leftovers": self.leftovers,
            "status_convention": self.status_convention.as_dict(options.error_http_status),
            "crash": self.crash,
            "operations": [result.as_dict() for result in self.results],
        }


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds")


class Recorder:
    """``--record DIR``: every exchange as ``DIR/<operationId>/<nnnn>-<kind>.json``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = 0

    def keep(self, exchange: Exchange, differences: list[str]) -> None:
        self.count += 1
        kind = re.sub(r"[^a-z0-9]+", "-", exchange.kind.lower()).strip("-")
        folder = self.directory / exchange.operation_id
        folder.mkdir(parents=True, exist_ok=True)
        document = {**exchange.as_dict(), "differences": differences}
        path = folder / f"{self.count:04d}-{kind}.json"
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# --- output --------------------------------------------------------------------------------


def _excerpt(text: str, limit: int = EXCERPT) -> str:
    return (
        text if len(text) <= limit else f"{text[:limit]}... ({len(text) - limit} more characters)"
    )


def _indent(text: str, prefix: str) -> str:
    return textwrap.indent(text, prefix, lambda line: True)


def _describe_exchange(exchange: Exchange, prefix: str) -> list[str]:
    request = exchange.request
    lines = [
        f"{prefix}request:  {request['method']} {_excerpt(request['url'], 300)}",
        f"{prefix}          ({exchange.kind}, as {exchange.identity})",
    ]
    for name, value in request["headers"].items():
        if name.lower() in ("public-token", "timestamp", "sign", "authorization", "content-type"):
            lines.append(f"{prefix}          {name}: {value}")
    if request["body"]:
        lines.append(f"{prefix}          {_excerpt(request['body'], 300)}")
    if exchange.response is None:
        lines.append(f"{prefix}response: none ({exchange.error})")
    else:
        lines.append(f"{prefix}response: HTTP {exchange.response['status']}")
        lines.append(_indent(_excerpt(exchange.response["body"]), f"{prefix}          "))
    return lines


def _describe_evidence(operation: Operation, prefix: str) -> list[str]:
    evidence = operation.raw.get("x-evidence", {})
    notes = " ".join(str(evidence.get("notes", "")).split())
    wrapped = textwrap.wrap(f"evidence: {evidence.get('level', '?')}: {notes}", 96 - len(prefix))
    lines = [f"{prefix}{line}" for line in wrapped]
    sources = evidence.get("sources") or []
    if sources:
        lines.append(f"{prefix}sources:  {', '.join(sources)}")
    return lines


def summary(report: Report) -> str:
    options = report.options
    mode = "read and write (creates, then deletes)" if options.allow_writes else "read-only"
    lines = [
        f"trustoo-mock contract: {options.base_url} against openapi.yaml {report.spec_version}",
        f"  {mode}, as {options.credentials.describe()}; budget {options.max_requests} requests"
        f" at {options.rate:g}/s; {report.fake_only} fake-only operations not applicable",
        "",
    ]
    for result in report.results:
        operation = result.operation
        label = {"differs": "DIFFERS"}.get(result.status, result.status)
        what = result.skipped or f"{result.requests} requests"
        lines.append(f"  {label:<12} {operation.method:<5}{operation.operation_id:<32} {what}")
        for number, difference in enumerate(result.differences.values(), start=1):
            times = f" ({difference.count} times)" if difference.count > 1 else ""
            lines.append(f"      {number}. {difference.title}{times}")
            if difference.detail:
                shown = difference.detail.splitlines()[:SUMMARY_DETAIL_LINES]
                lines.append(_indent(_excerpt("\n".join(shown), 1200), "         "))
            lines += _describe_exchange(difference.exchange, "         ")
        if result.differences:
            lines += _describe_evidence(operation, "      ")
    lines.append("")
    for leftover in report.leftovers:
        lines.append(f"  LEFT BEHIND: {leftover}")
    convention = report.status_convention
    lines.append(
        f"  Status convention (finding): {convention.verdict}: {convention.describe()}; "
        f"judged as --error-http-status {options.error_http_status}."
    )
    seconds = report.finished_at - report.started_at
    tail = " (budget used up: some requests were not made)" if report.budget_exhausted else ""
    lines.append(f"  {report.requests} requests in {seconds:.1f} s{tail}.")
    checked = len(report.checked)
    if report.crash:
        lines.append(f"  The run stopped on an error of the runner: {_last_line(report.crash)}")
        lines.append("  (every cleanup owed was still sent; the traceback is on stderr).")
    elif report.requests and not report.answered:
        lines.append(f"  No answer from {options.base_url}: nothing was checked.")
    elif not checked:
        lines.append("  Nothing was checked: every operation selected was skipped or not reached.")
    elif report.conforms:
        lines.append(f"  Everything checked conforms ({checked} operations).")
    else:
        lines.append(f"  {len(report.differing)} of {checked} operations differ from the spec.")
    return "\n".join(lines) + "\n"


def _last_line(text: str) -> str:
    return text.strip().splitlines()[-1] if text.strip() else ""


def report_paths(path: Path) -> tuple[Path, Path]:
    """``--report out`` or ``out.json`` or ``out.xml`` all write ``out.json`` and ``out.xml``."""
    stem = path.with_suffix("") if path.suffix in (".json", ".xml") else path
    return stem.with_name(stem.name + ".json"), stem.with_name(stem.name + ".xml")


def junit(report: Report) -> ElementTree.ElementTree:
    """One testcase per operation: a failure per difference, skipped when not called."""
    results = report.results
    suites = ElementTree.Element("testsuites", name="trustoo-mock contract")
    suite = ElementTree.SubElement(
        suites,
        "testsuite",
        name=report.options.base_url,
        tests=str(len(results)),
        failures=str(len(report.differing)),
        skipped=str(sum(result.status in ("skipped", "not reached") for result in results)),
        time=f"{report.finished_at - report.started_at:.3f}",
        timestamp=_iso(report.started_at),
    )
    for result in results:
        operation = result.operation
        case = ElementTree.SubElement(
            suite,
            "testcase",
            classname=str((operation.raw.get("tags") or ["Trustoo"])[0]),
            name=f"{operation.method} {operation.path} ({operation.operation_id})",
        )
        if result.status == "skipped":
            ElementTree.SubElement(case, "skipped", message=result.skipped or "")
        elif result.status == "not reached":
            ElementTree.SubElement(case, "skipped", message="not reached within the budget")
        for difference in result.differences.values():
            failure = ElementTree.SubElement(
                case, "failure", message=difference.title, type="difference"
            )
            text = [difference.detail, *_describe_exchange(difference.exchange, "")]
            failure.text = "\n".join([*text, *_describe_evidence(operation, "")])
    if report.leftovers:
        case = ElementTree.SubElement(suite, "testcase", classname="Cleanup", name="cleanup")
        failure = ElementTree.SubElement(case, "failure", message="left behind", type="cleanup")
        failure.text = "\n".join(report.leftovers)
    if report.crash:
        case = ElementTree.SubElement(suite, "testcase", classname="Runner", name="runner")
        error = ElementTree.SubElement(case, "error", message=_last_line(report.crash))
        error.text = report.crash
    ElementTree.indent(suites)
    return ElementTree.ElementTree(suites)


def write_report(report: Report, path: Path) -> tuple[Path, Path]:
    json_path, xml_path = report_paths(path)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(
        json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    junit(report).write(xml_path, encoding="utf-8", xml_declaration=True)
    return json_path, xml_path

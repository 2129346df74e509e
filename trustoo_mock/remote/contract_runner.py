"""The requests of ``trustoo-mock contract``: schemathesis makes them from openapi.yaml, the
project's own signer signs them, and every answer is checked against the spec.

What is sent, operation by operation (round-robin, so a small budget still reaches each one):

* probes that must fail with a known code: no credentials, a wrong ``Sign``, a stale
  ``Timestamp``, an unknown bearer token or merchant session (code 16), a bearer token
  without the operation's scope (code 7, when ``--bearer-scopes`` says what it holds);
* generated requests: valid ones (must not be refused for auth, scope or argument) and
  invalid ones (must be refused with code 3);
* the spec's links from each answer (list → detail), and for a creator the whole chain
  create → read → delete → read again (code 5), so nothing it made is left behind: the
  delete is sent whatever happens after the create, an error of the runner included (X65).

Every answer also gets the response checks: documented status and content type, the body
against its schema, Trustoo's envelope, and the HTTP status ``--error-http-status`` says the
code comes with (D4 revised: 200 for every answer by default). What the refusal probes show
about that convention is reported on its own (``StatusConvention``).
"""

from __future__ import annotations

import json
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from schemathesis import APIOperation, Case, CheckContext, GenerationMode
from schemathesis.core import NOT_SET
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from trustoo_mock.client import RequestsSigner, bearer_headers
from trustoo_mock.config import MIRROR, ErrorHttpStatus
from trustoo_mock.core.clock import Clock
from trustoo_mock.core.errors import Code, status_of
from trustoo_mock.core.principal import KNOWN_SCOPES
from trustoo_mock.core.redaction import Redactor
from trustoo_mock.remote.contract import (
    Exchange,
    OperationResult,
    Options,
    Plan,
    Recorder,
    Report,
    StatusConvention,
    Unresolved,
    evaluate,
    links,
)
from trustoo_mock.remote.pacing import BudgetExhausted, Pace
from trustoo_mock.services.auth import BEARER_SCHEME, HMAC_SCHEMES, MERCHANT_SCHEME
from trustoo_mock.spec.openapi import Operation, Spec
from trustoo_mock.version import __version__

USER_AGENT = f"trustoo-mock-contract/{__version__}"
# Well outside Trustoo's documented 15-minute window, so a conforming server must refuse it.
STALE_SECONDS = 3600
UNKNOWN_TOKEN = "dHJ1c3Rvby1tb2NrLW5vbmU="  # 24 characters, as Trustoo's tokens; granted to no one
INVALID_SESSION = "trustoo-mock.contract.not-a-session"
NOT_FOUND = 5
MAX_URL_LENGTH = 8000
ENVELOPE = {"code": int, "message": str, "time": int, "request_id": str}
KNOWN_CODES = frozenset(int(code) for code in Code)
# The router's answer to a method the path does not have: this status in every mode (X45).
ROUTER_ANSWERS = frozenset({(405, int(Code.INVALID_ARGUMENT))})

AnyCase = Case[Any]
ApiOperation = APIOperation[Any, Any, Any, Any]
Check = Callable[[CheckContext, Response, AnyCase], bool | None]
# A requests auth callable: the project's RequestsSigner, a Bearer, or a deliberately wrong one.
Auth = Callable[[Any], Any]


class PacedSession(requests.Session):
    """Every request goes through ``Pace``: nothing the runner sends escapes the bounds."""

    def __init__(self, pace: Pace) -> None:
        super().__init__()
        self.pace = pace
        self.from_reserve = False
        # Proxies and credentials from the environment would change what is being checked.
        self.trust_env = False

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if len(request.url or "") > MAX_URL_LENGTH:
            # Front servers refuse such URLs themselves (414/431) before the API sees them.
            raise requests.exceptions.InvalidURL(f"URL longer than {MAX_URL_LENGTH} characters")
        self.pace.take(self.from_reserve)
        return super().send(request, **kwargs)


class WrongSign:
    """Signs with the project's signer, then changes the last hex digit of ``Sign``."""

    def __init__(self, signer: RequestsSigner) -> None:
        self.signer = signer

    def __call__(self, request: Any) -> Any:
        self.signer(request)
        sign = str(request.headers["Sign"])
        request.headers["Sign"] = sign[:-1] + ("1" if sign.endswith("0") else "0")
        return request


class Bearer:
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.update(bearer_headers(self.token))
        return request


@dataclass(frozen=True)
class Identity:
    """Who a request is sent as. ``scopes`` None: not known, so scope refusals are not judged."""

    name: str
    auth: Auth | None
    scopes: frozenset[str] | None
    authenticates: bool

    def holds(self, needed: set[str]) -> bool:
        return self.scopes is not None and needed <= self.scopes


ANONYMOUS = Identity("anonymous", None, None, authenticates=False)


def _caller(name: str) -> Identity:
    """Who a probe claims to be; its (wrong) credentials come with the probe."""
    return Identity(name, None, None, authenticates=False)


# --- generation ---------------------------------------------------------------------------

_START = datetime(2020, 1, 1, tzinfo=UTC)
_instants = st.integers(min_value=0, max_value=10 * 365 * 24 * 3600).map(
    lambda seconds: _START + timedelta(seconds=seconds)
)
_words = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True)
FORMATS = {
    "trustoo-datetime": _instants.map(lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S")),
    "rfc3339": _instants.map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ")),
    "instant": _instants.map(lambda moment: str(int(moment.timestamp()))),
    "email": _words.map(lambda word: f"{word}@example.com"),
    # A webhook the run subscribes must never reach anyone: example.com is reserved (RFC 2606).
    "http-url": _words.map(lambda word: f"https://example.com/trustoo-mock-contract/{word}"),
}


def load_schema(spec: Spec) -> OpenApiSchema:
    for name, strategy in FORMATS.items():
        schemathesis.openapi.format(name, strategy)
    # An explicit config, so a schemathesis.toml where the command runs changes nothing.
    config = schemathesis.Config.from_dict(
        {
            "checks": {"negative_data_rejection": {"expected-statuses": ["400"]}},
            "generation": {"with-security-parameters": False},
        }
    )
    return schemathesis.openapi.from_dict(spec.checked_document, config=config)


def draw(api_operation: ApiOperation, mode: GenerationMode, count: int, seed: int) -> list[AnyCase]:
    """Up to ``count`` cases from schemathesis; none when the mode has nothing to vary (an
    operation without parameters has no invalid form)."""
    found: list[AnyCase] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(api_operation.as_strategy(generation_mode=mode))
    def collect(case: AnyCase) -> None:
        found.append(case)

    # Unsatisfiable and the like: the mode has nothing to generate here.
    with suppress(HypothesisException):
        collect()
    return found[:count]


def copy_case(api_operation: ApiOperation, case: AnyCase | None) -> AnyCase:
    """The same request data without generation metadata (for probes that reuse it)."""
    if case is None:
        return api_operation.Case()
    return api_operation.Case(
        path_parameters=dict(case.path_parameters or {}),
        query=dict(case.query or {}),
        body=case.body,
        media_type=case.media_type,
    )


# --- checks -------------------------------------------------------------------------------


class CheckFailure(Failure):
    """What one of the runner's own checks found. schemathesis keeps one plain ``Failure``
    per operation and response; each title here is a finding of its own (a wrong status and
    a wrong code on the same answer are two)."""

    @property
    def _unique_key(self) -> str:
        return self.title


def _failure(case: AnyCase, title: str, message: str) -> Failure:
    return CheckFailure(operation=case.operation.label, title=title, message=message)


def _json(response: Response) -> Any:
    content_type = (response.headers.get("content-type") or [""])[0]
    if "json" not in content_type:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _code(response: Response) -> int | None:
    document = _json(response)
    if isinstance(document, dict) and isinstance(document.get("code"), int):
        return int(document["code"])
    return None


def _outcome(response: Response) -> str:
    """``code 3 (HTTP 400)``, short enough for a title; the message goes in the detail."""
    code = _code(response)
    return (
        f"HTTP {response.status_code}"
        if code is None
        else f"code {code} (HTTP {response.status_code})"
    )


def _message(response: Response) -> str:
    document = _json(response)
    message = document.get("message") if isinstance(document, dict) else None
    return message if isinstance(message, str) else ""


def trustoo_envelope(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    """Every JSON answer is ``{code, message, time, request_id}``, plus ``data`` exactly when
    code is 0 (D4, D5)."""
    content_type = (response.headers.get("content-type") or [""])[0]
    if "json" not in content_type:
        return None
    document = _json(response)
    if not isinstance(document, dict):
        raise _failure(case, "Envelope: the body is not a JSON object", response.text[:200])
    missing = [key for key in ENVELOPE if key not in document]
    if missing:
        raise _failure(case, f"Envelope: {', '.join(missing)} missing", f"keys: {sorted(document)}")
    wrong = [
        f"{key} is {type(document[key]).__name__}, not {kind.__name__}"
        for key, kind in ENVELOPE.items()
        if not isinstance(document[key], kind) or isinstance(document[key], bool)
    ]
    if wrong:
        raise _failure(case, f"Envelope: {wrong[0]}", "; ".join(wrong))
    if document["code"] == 0 and "data" not in document:
        raise _failure(case, "Envelope: success without data", "code 0 must carry data (D5)")
    if document["code"] != 0 and "data" in document:
        raise _failure(case, "Envelope: an error with data", _message(response))
    return None


def status_follows_mode(mode: ErrorHttpStatus) -> Check:
    """The HTTP status is the one ``error_http_status`` ``mode`` gives the code (D4 revised):
    code 0 is 200; an error is 200 (the default), N, or its mirror (16→401, 5→404, ...)."""

    def status_follows_code(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
        code = _code(response)
        if code is None:
            return None
        if code not in KNOWN_CODES:
            raise _failure(case, f"Code {code} is not in the error catalogue", _message(response))
        expected = status_of(Code(code), mode)
        if (response.status_code, code) in ROUTER_ANSWERS:
            return None
        if response.status_code != expected:
            raise _failure(
                case,
                f"HTTP {response.status_code} with code {code}; with --error-http-status "
                f"{mode} the spec says HTTP {expected}",
                _message(response),
            )
        return None

    return status_follows_code


def response_checks(mode: ErrorHttpStatus) -> list[Check]:
    return [
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        trustoo_envelope,
        status_follows_mode(mode),
    ]


def as_mirrored(response: Response) -> Response:
    """The answer with the HTTP status its code mirrors (3→400, 16→401, ...). schemathesis
    judges whether a request was refused by the status; Trustoo says so with the code, in
    HTTP 200 by default (D4 revised)."""
    code = _code(response)
    if code is None or code not in KNOWN_CODES:
        return response
    return Response(
        status_of(Code(code), MIRROR),
        response.headers,
        response.content,
        response.request,
        response.elapsed,
        response.verify,
        http_version=response.http_version,
        encoding=response.encoding,
    )


def by_code(check: Check) -> Check:
    """``check`` (one of schemathesis' data checks) judging the refusal by the code."""

    def judged_by_code(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
        return check(ctx, as_mirrored(response), case)

    judged_by_code.__name__ = f"{check.__name__}_by_code"
    return judged_by_code


def expect_code(code: int, what: str) -> Check:
    def expected_code(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
        received = _code(response)
        if received != code:
            title = f"{what}: expected code {code}, got {_outcome(response)}"
            raise _failure(case, title, _message(response))
        return None

    return expected_code


def bad_argument(identity: Identity, needed: set[str]) -> Check:
    """Invalid input is code 3. schemathesis decides which generated data is really invalid
    once serialized (an extra query parameter is not); the spec says how it is refused.

    A scope refusal comes before the arguments are looked at, so code 7 is judged only when
    the caller is known to hold the scope."""

    def invalid_data_refused(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
        if _code(response) == 7 and not identity.holds(needed):
            return None
        _refused_as_bad_argument(ctx, response, case)
        return None

    return invalid_data_refused


def _refused_as_bad_argument(ctx: CheckContext, response: Response, case: AnyCase) -> None:
    try:
        negative_data_rejection(ctx, as_mirrored(response), case)
    except Failure as failure:
        # The first line repeats the expected status; the rest names the invalid component.
        component = failure.message.split("\n", 1)[1] if "\n" in failure.message else ""
        title = f"Bad argument: expected code 3, got {_outcome(response)}"
        detail = "\n".join(part for part in (_message(response), component.strip()) if part)
        raise _failure(case, title, detail) from None


def accepted(identity: Identity, needed: set[str]) -> Check:
    """A valid request, properly signed, is not refused for auth, scope or argument."""

    def positive_data_accepted(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
        code = _code(response)
        if code == 16 and identity.authenticates:
            title = f"Valid credentials refused ({identity.name}): {_outcome(response)}"
            raise _failure(case, title, _message(response))
        if code == 7 and identity.holds(needed):
            held = ",".join(sorted(identity.scopes or ()))
            title = f"Scope refused though held ({held}): {_outcome(response)}"
            raise _failure(case, title, _message(response))
        if code == 3:
            title = f"Valid request refused: {_outcome(response)}"
            raise _failure(case, title, _message(response))
        return None

    return positive_data_accepted


# --- the run ------------------------------------------------------------------------------


Step = Callable[[], None]


@dataclass(frozen=True)
class Attempt:
    """One request of the run: to which operation, what it is (for the report), as whom, the
    checks its answer must pass, and the credentials when not the identity's own."""

    operation: Operation
    case: AnyCase
    kind: str
    identity: Identity
    checks: list[Check]
    auth: Auth | None = None


@dataclass(frozen=True)
class Owed:
    """What a create made, and the cleanup link that deletes it (from the create's answer)."""

    made: str
    document: Any
    owner: Identity
    name: str
    link: dict[str, Any]
    operation: Operation
    case: AnyCase
    # The creator's other links: read it back before the cleanup, find it gone after.
    reads: dict[str, dict[str, Any]]


def _error(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


class Run:
    def __init__(self, options: Options, spec: Spec, selection: Plan) -> None:
        self.options = options
        self.spec = spec
        self.selection = selection
        self.schema = load_schema(spec)
        self.pace = Pace(options.max_requests, options.rate)
        self.session = PacedSession(self.pace)
        self.session.headers["User-Agent"] = USER_AGENT
        self.redactor = Redactor(options.credentials.secrets())
        self.recorder = Recorder(options.record_dir) if options.record_dir else None
        self.clock = Clock()
        self.results = {op.operation_id: OperationResult(op) for op in selection.tested}
        self.response_checks = response_checks(options.error_http_status)
        self.convention = StatusConvention()
        for operation_id, reason in selection.skipped.items():
            self.results[operation_id] = OperationResult(spec.operations[operation_id], reason)
        self.leftovers: list[str] = []
        self.answered = 0
        # Probes of a linked write (update, delete) run on the first thing the run creates.
        self.probed_links: set[str] = set()
        credentials = options.credentials
        self.signer: RequestsSigner | None = None
        self.shop: Identity | None = None
        if credentials.public_token and credentials.private_token:
            self.signer = RequestsSigner(
                credentials.public_token, credentials.private_token, now=self.clock.now_int
            )
            self.shop = Identity("shop (HMAC)", self.signer, frozenset(KNOWN_SCOPES), True)
        self.platform: Identity | None = None
        if credentials.bearer:
            self.platform = Identity(
                "platform (bearer)", Bearer(credentials.bearer), credentials.bearer_scopes, True
            )

    def api(self, operation_id: str) -> ApiOperation:
        return self.schema.find_operation_by_id(operation_id)

    # -- sending and judging --

    def send(self, attempt: Attempt) -> Response | None:
        """Send one request and note what differs; None when there was no answer."""
        answered = self.transmit(attempt)
        if answered is None:
            return None
        self.judge(attempt, *answered)
        return answered[0]

    def transmit(
        self, attempt: Attempt, *, from_reserve: bool = False
    ) -> tuple[Response, float] | None:
        """Send one request (a missing answer is noted as a difference); the answer and when
        it was sent, or None."""
        result = self.results[attempt.operation.operation_id]
        self.session.from_reserve = from_reserve
        sent_at = time.time()
        auth = attempt.auth if attempt.auth is not None else attempt.identity.auth
        try:
            response = attempt.case.call(
                base_url=self.options.base_url,
                session=self.session,
                auth=auth,
                timeout=self.options.timeout,
                allow_redirects=False,
            )
        except (requests.ConnectionError, requests.Timeout) as error:
            result.requests += 1
            request = error.request if isinstance(error.request, requests.PreparedRequest) else None
            exchange = self.exchange(attempt, sent_at, request, None, str(error))
            result.note(
                exchange, f"No answer: {type(error).__name__}", self.redactor.text(str(error))
            )
            self.keep(exchange, ["no answer"])
            return None
        except (requests.RequestException, ValueError):
            # The generated data cannot be put on the wire (say, a header with a line break):
            # nothing was sent, so there is nothing to judge.
            return None
        finally:
            self.session.from_reserve = False
        result.requests += 1
        self.answered += 1
        return response, sent_at

    def judge(self, attempt: Attempt, response: Response, sent_at: float) -> None:
        failures: list[Failure] = []
        try:
            attempt.case.validate_response(response, checks=attempt.checks)
        except FailureGroup as group:
            failures = list(group.exceptions)
        exchange = self.exchange(attempt, sent_at, response.request, response, None)
        result = self.results[attempt.operation.operation_id]
        for failure in failures:
            result.note(exchange, failure.title, self.redactor.text(failure.message))
        self.keep(exchange, [failure.title for failure in failures])

    def exchange(
        self,
        attempt: Attempt,
        sent_at: float,
        request: requests.PreparedRequest | None,
        response: Response | None,
        error: str | None,
    ) -> Exchange:
        redactor = self.redactor
        operation = attempt.operation
        sent: dict[str, Any] = {"method": operation.method, "url": "", "headers": {}, "body": ""}
        if request is not None:
            body = request.body
            text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
            headers = {str(name): str(value) for name, value in request.headers.items()}
            sent = {
                "method": request.method,
                "url": redactor.url(request.url or ""),
                "headers": redactor.headers(headers),
                "body": redactor.body(text),
            }
        answer = None
        if response is not None:
            answer = {
                "status": response.status_code,
                "headers": redactor.headers(
                    {name: ", ".join(values) for name, values in response.headers.items()}
                ),
                "body": redactor.body(response.content.decode("utf-8", "replace")),
            }
        detail = redactor.text(error) if error else None
        return Exchange(
            operation.operation_id,
            attempt.kind,
            attempt.identity.name,
            sent_at,
            sent,
            answer,
            detail,
        )

    def keep(self, exchange: Exchange, differences: list[str]) -> None:
        if self.recorder is not None:
            self.recorder.keep(exchange, differences)

    # -- what to send for each operation --

    def identities(self, operation: Operation) -> list[Identity]:
        security = operation.security
        found = []
        if self.shop is not None and HMAC_SCHEMES in security:
            found.append(self.shop)
        if self.platform is not None and BEARER_SCHEME in security:
            found.append(self.platform)
        if not found and self.anonymous_allowed(operation):
            found.append(ANONYMOUS)
        return found

    @staticmethod
    def anonymous_allowed(operation: Operation) -> bool:
        return not operation.security or frozenset() in operation.security

    @staticmethod
    def needed_scopes(operation: Operation, case: AnyCase | None) -> set[str]:
        """``x-scopes``, plus the topic's scope for a webhook (``x-topic-scopes``)."""
        needed = set(operation.scopes)
        body = case.body if case is not None else None
        topic_scopes = operation.raw.get("x-topic-scopes", {})
        if isinstance(body, dict) and isinstance(body.get("topic"), str):
            scope = topic_scopes.get(body["topic"])
            if scope:
                needed.add(scope)
        return needed

    def probes(
        self, operation: Operation, identities: list[Identity], template: AnyCase | None
    ) -> Iterator[tuple[str, Identity, Auth | None, int]]:
        """(what, identity, auth, expected code) for the requests that must be refused."""
        security = operation.security
        if security and not self.anonymous_allowed(operation):
            yield "no credentials", ANONYMOUS, None, 16
        signer = self.signer
        if signer is not None and self.shop in identities:
            stale = RequestsSigner(
                signer.public_token,
                signer.private_token,
                now=lambda: self.clock.now_int() - STALE_SECONDS,
            )
            yield "wrong Sign", _caller("shop (HMAC, Sign changed)"), WrongSign(signer), 16
            old = _caller("shop (HMAC, old Timestamp)")
            yield f"Timestamp {STALE_SECONDS} s old", old, stale, 16
        if self.platform in identities:
            unknown = _caller("an unknown bearer token")
            yield "unknown bearer token", unknown, Bearer(UNKNOWN_TOKEN), 16
        if MERCHANT_SCHEME in security:
            invalid = _caller("an invalid merchant session")
            yield "invalid merchant session", invalid, Bearer(INVALID_SESSION), 16
        platform = self.platform
        if platform is not None and platform in identities and platform.scopes is not None:
            missing = self.needed_scopes(operation, template) - platform.scopes
            if missing:
                yield f"bearer without {','.join(sorted(missing))}", platform, None, 7

    def steps(self, operation: Operation) -> Iterator[Step]:
        api = self.api(operation.operation_id)
        seed = self.options.seed
        positives = draw(api, GenerationMode.POSITIVE, self.options.examples, seed)
        negatives = draw(api, GenerationMode.NEGATIVE, self.options.examples, seed)
        identities = self.identities(operation)
        template = positives[0] if positives else None
        for what, identity, auth, code in self.probes(operation, identities, template):
            # A bearer without the scope is only probed; its generated requests would be refused.
            if code == 7 and identity in identities:
                identities.remove(identity)
            yield self.probe_step(operation, copy_case(api, template), what, identity, auth, code)
        if not identities:
            return
        for index in range(max(len(positives), len(negatives))):
            identity = identities[index % len(identities)]
            if index < len(positives):
                yield self.case_step(operation, positives[index], identity, negative=False)
            if index < len(negatives):
                yield self.case_step(operation, negatives[index], identity, negative=True)

    def probe_step(
        self,
        operation: Operation,
        case: AnyCase,
        what: str,
        identity: Identity,
        auth: Auth | None,
        code: int,
    ) -> Step:
        def step() -> None:
            checks = [*self.response_checks, expect_code(code, what[:1].upper() + what[1:])]
            answer = self.dispatch(
                Attempt(operation, case, f"probe: {what}", identity, checks, auth)
            )
            self.observe_refusal(answer, code)

        return step

    def case_step(
        self, operation: Operation, case: AnyCase, identity: Identity, *, negative: bool
    ) -> Step:
        def step() -> None:
            needed = self.needed_scopes(operation, case)
            if negative:
                checks = [*self.response_checks, bad_argument(identity, needed)]
                kind = "invalid request"
            else:
                checks = [*self.response_checks, accepted(identity, needed)]
                kind = "valid request"
            response = self.dispatch(Attempt(operation, case, kind, identity, checks))
            if response is not None and not negative and operation.method == "GET":
                self.follow_reads(operation, response, identity)

        return step

    def dispatch(self, attempt: Attempt) -> Response | None:
        """Send; for a creator, reserve the cleanup first and, once it made something, run
        the chain and then the cleanup, whatever happens in between."""
        if attempt.operation.method == "GET":
            return self.send(attempt)
        if not self.pace.reserve():
            raise BudgetExhausted
        answered = self.transmit(attempt)
        if answered is None or _code(answered[0]) != 0:
            self.pace.release()
            if answered is None:
                return None
            self.judge(attempt, *answered)
            return answered[0]
        response, sent_at = answered
        # Whoever the request claimed to be, clean up with credentials that can.
        identity = attempt.identity
        owner = identity if identity.auth is not None else (self.shop or self.platform or identity)
        owed = self.owe(attempt.operation, response, owner)
        gone = False
        try:
            self.judge(attempt, response, sent_at)
            if owed is not None:
                self.chain(owed)
        finally:
            if owed is not None:
                gone = self.undo(owed)
        if owed is not None and gone:
            self.confirm_gone(owed)
        return response

    # -- links --

    def linked_case(self, link: dict[str, Any], document: Any) -> AnyCase:
        target = self.spec.operations[link["operationId"]]
        values = {
            name: evaluate(value, document) for name, value in link.get("parameters", {}).items()
        }
        path_names = {p.name for p in target.parameters if p.location == "path"}
        body = link.get("requestBody")
        return self.api(target.operation_id).Case(
            path_parameters={k: v for k, v in values.items() if k in path_names} or None,
            query={k: v for k, v in values.items() if k not in path_names} or None,
            body=evaluate(body, document) if body is not None else NOT_SET,
            media_type="application/json" if body is not None else None,
        )

    def follow_reads(self, operation: Operation, response: Response, identity: Identity) -> None:
        """Follow each link of a read to a tested operation once (an empty list has none)."""
        document = _json(response)
        if _code(response) != 0:
            return
        for name, link in links(operation).items():
            target = self.spec.operations[link["operationId"]]
            result = self.results.get(target.operation_id)
            if target.method != "GET" or result is None or result.skipped:
                continue
            try:
                case = self.linked_case(link, document)
            except Unresolved:
                continue
            checks = [*self.response_checks, expect_code(0, f"Link {name}")]
            kind = f"link {name} from {operation.operation_id}"
            self.send(Attempt(target, case, kind, identity, checks))

    def owe(self, operation: Operation, response: Response, owner: Identity) -> Owed | None:
        """The cleanup a successful create makes owed (its request is already reserved);
        None, with a LEFT BEHIND line, when the answer does not say what to delete."""
        document = _json(response)
        chain = links(operation)
        name, link = next((n, lk) for n, lk in chain.items() if lk.get("x-cleanup"))
        made = f"what {operation.operation_id} made"
        try:
            case = self.linked_case(link, document)
        except Unresolved as unresolved:
            self.pace.release()
            self.leave(f"{made}: cannot delete it, {unresolved}")
            return None
        except Exception as error:
            self.pace.release()
            self.leave(f"{made}: cannot delete it, the runner failed ({_error(error)})")
            raise
        return Owed(
            made=f"{made} ({case.body!r})",
            document=document,
            owner=owner,
            name=name,
            link=link,
            operation=self.spec.operations[link["operationId"]],
            case=case,
            reads={other: lk for other, lk in chain.items() if other != name},
        )

    def chain(self, owed: Owed) -> None:
        """Between create and cleanup: each read link (code 0), then the auth probes of the
        linked writes."""
        try:
            for name, link in owed.reads.items():
                target = self.spec.operations[link["operationId"]]
                checks = [*self.response_checks, expect_code(0, f"Link {name} after create")]
                case = self.linked_case(link, owed.document)
                self.send(Attempt(target, case, f"link {name}", owed.owner, checks))
            for link in [*owed.reads.values(), owed.link]:
                self.probe_linked_write(link, owed.document)
        except Unresolved:
            pass  # what cannot be read back is deleted all the same

    def undo(self, owed: Owed) -> bool:
        """The cleanup link (code 0, from the reserved budget). False, with a LEFT BEHIND
        line, when what was made may still be there."""
        checks = [*self.response_checks, expect_code(0, f"Cleanup {owed.name}")]
        cleanup = Attempt(owed.operation, owed.case, f"cleanup {owed.name}", owed.owner, checks)
        deleting = owed.operation.operation_id
        try:
            answered = self.transmit(cleanup, from_reserve=True)
        except BaseException as error:
            self.leave(f"{owed.made}: {deleting} was not sent, the runner failed ({_error(error)})")
            raise
        if answered is None:
            self.leave(f"{owed.made}: {deleting} had no answer")
            return False
        response, sent_at = answered
        gone = _code(response) == 0
        if not gone:
            got = f"{_outcome(response)} {_message(response)}"
            self.leave(f"{owed.made}: {deleting} answered {got}")
        self.judge(cleanup, response, sent_at)
        return gone

    def confirm_gone(self, owed: Owed) -> None:
        """The read links again after the cleanup: code 5, it is gone."""
        for name, link in owed.reads.items():
            if not link.get("parameters") and not link.get("requestBody"):
                continue  # a link that names nothing (a list) finds nothing to miss
            target = self.spec.operations[link["operationId"]]
            checks = [*self.response_checks, expect_code(NOT_FOUND, f"Link {name} after cleanup")]
            try:
                case = self.linked_case(link, owed.document)
            except Unresolved:
                continue
            self.send(Attempt(target, case, f"link {name} after cleanup", owed.owner, checks))

    def leave(self, leftover: str) -> None:
        self.leftovers.append(self.redactor.text(leftover))

    def probe_linked_write(self, link: dict[str, Any], document: Any) -> None:
        """Auth probes of an update or delete, once per run, on what the run itself created
        (generated ids would touch someone else's data)."""
        target = self.spec.operations[link["operationId"]]
        if target.method == "GET" or target.operation_id in self.probed_links:
            return
        self.probed_links.add(target.operation_id)
        case = self.linked_case(link, document)
        for what, identity, auth, code in self.probes(target, self.identities(target), case):
            checks = [*self.response_checks, expect_code(code, what[:1].upper() + what[1:])]
            answer = self.send(Attempt(target, case, f"probe: {what}", identity, checks, auth))
            self.observe_refusal(answer, code)

    def observe_refusal(self, answer: Response | None, code: int) -> None:
        """A probe refused with the code it expected shows how the server sends errors."""
        if answer is not None and _code(answer) == code:
            self.convention.observe(code, answer.status_code)

    # -- the whole run --

    def execute(self) -> bool:
        """Round-robin over the operations, one step each in turn; False when the budget ran
        out first."""
        queues = [
            self.steps(operation)
            for operation in self.selection.tested
            if operation.operation_id not in self.selection.linked_only
        ]
        active: deque[Iterator[Step]] = deque(queues)
        try:
            while active:
                queue = active.popleft()
                step = next(queue, None)
                if step is None:
                    continue
                step()
                active.append(queue)
        except BudgetExhausted:
            return False
        return True


def run(options: Options, spec: Spec, selection: Plan) -> Report:
    started = time.time()
    engine = Run(options, spec, selection)
    report = Report(
        options=options,
        spec_version=spec.version,
        started_at=started,
        results=[
            engine.results[operation.operation_id]
            for operation in spec.operations.values()
            if operation.operation_id in engine.results
        ],
        fake_only=selection.fake_only,
        status_convention=engine.convention,
    )
    try:
        report.budget_exhausted = not engine.execute()
    except (Exception, KeyboardInterrupt):
        # Every cleanup owed has run on the way out (the chain's finally); the summary
        # still gets written, with the leftovers and what stopped the run.
        report.crash = engine.redactor.text(traceback.format_exc())
    finally:
        engine.session.close()
    report.finished_at = time.time()
    report.requests = engine.pace.used
    report.answered = engine.answered
    report.leftovers = engine.leftovers
    return report

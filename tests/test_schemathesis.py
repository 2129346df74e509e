"""schemathesis over every implemented operation, in process, each request signed as a shop.

Positive and negative data, the default checks, each case answered twice, by a fake in each
error status mode (D4 revised): the default (every envelope HTTP 200) and ``mirror``, each
answer judged by its mode. One test for both modes: schemathesis builds an operation's
coverage cases when it collects a test, so a second test would build them all again.
schemathesis tells a refusal by its status, so its data checks look at the status the code
mirrors. ``ignored_auth`` is left to test_auth.py: its probes would
reuse the signing session, which signs every request by design.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Iterable
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.transport import Response
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
)
from starlette.routing import Route

from tests.helpers import (
    DEMO_ACCESS_TOKEN,
    DEMO_PRIVATE_TOKEN,
    DEMO_PUBLIC_TOKEN,
    DEMO_SHOP_ID,
    FROZEN_AT,
)
from tests.strategies import register_formats
from trustoo_mock import Config, create_app
from trustoo_mock.client import RequestsSigner
from trustoo_mock.config import MIRROR, ErrorHttpStatus
from trustoo_mock.domain import sessions
from trustoo_mock.remote.contract_runner import by_code, status_follows_mode
from trustoo_mock.server.inprocess import asgi_request
from trustoo_mock.server.routes import ExactPaths
from trustoo_mock.spec.openapi import Operation, bundled_spec

EXAMPLES = int(os.environ.get("TRUSTOO_MOCK_FUZZ_EXAMPLES", "25"))
# A Starlette path parameter with its converter, ``{key:multi_segment}``; the spec writes
# ``{key}``.
_PATH_CONVERTER = re.compile(r"\{(\w+):\w+\}")
_WITHOUT_CONVERTER = r"{\1}"

# Operations that must name a shop by one of two optional parameters: a request the schema
# allows (neither given) is refused with code 3, which no OpenAPI schema can express.
STATE_DEPENDENT_ACCEPTANCE = {"get_shop_authorization_info", "get_shop_install_status"}
# The inspector's fault forms take text fields and leave the rules to the checks the control
# plane runs (X102: one copy of each rule), such as "a rate limit needs requests and
# per_seconds": a form the string schema allows may still be refused, as a page saying why.
CHECKED_AFTER_THE_SCHEMA = {"mock_ui_add_fault", "mock_ui_add_push_fault"}

register_formats()
spec = bundled_spec()
whole_schema = schemathesis.openapi.from_dict(spec.checked_document)
whole_schema.config.generation.update(
    modes=["positive", "negative"], with_security_parameters=False, deterministic=True
)
IMPLEMENTED = [operation.operation_id for operation in spec.implemented()]
schema = whole_schema.include(operation_id=IMPLEMENTED)

_sessions: dict[tuple[str, ErrorHttpStatus], tuple[Any, Any]] = {}
_loop = asyncio.new_event_loop()


class _Bearer:
    """A ``requests`` auth that sends one bearer token (OAuth access token or merchant JWT)."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: Any) -> Any:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def _signer_for(operation: Operation, app: Any) -> Any:
    """How a well-behaved caller of this operation authenticates against the demo data."""
    schemes = set().union(*operation.security) if operation.security else set()
    if "Sign" in schemes:
        clock = app.state.fake.ctx.clock
        return RequestsSigner(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, now=clock.now_int)
    if "OAuthBearer" in schemes:
        return _Bearer(DEMO_ACCESS_TOKEN)
    if "MerchantSession" in schemes:
        return _Bearer(sessions.issue(app.state.fake.ctx, DEMO_SHOP_ID)["token"])
    return None


def _session_for(operation_id: str, mode: ErrorHttpStatus) -> tuple[Any, Any]:
    """One fake per operation and mode: its examples share state, other operations cannot
    disturb it."""
    if (operation_id, mode) not in _sessions:
        app = create_app(Config(frozen_time=FROZEN_AT, error_http_status=mode))
        _sessions[operation_id, mode] = (app, _signer_for(spec.operations[operation_id], app))
    return _sessions[operation_id, mode]


def _send(app: Any, kwargs: dict[str, Any], signer: Any) -> Response:
    """The case as ``requests`` would send it (its exact bytes, signed), answered by the app
    in this thread's event loop: the request a ``requests`` ASGI adapter would make, without
    a thread and a portal for each."""
    prepared = requests.Request(**kwargs, auth=signer).prepare()
    body = prepared.body or b""
    headers = [(name.encode(), value.encode()) for name, value in prepared.headers.items()]
    started = time.perf_counter()
    answer = _loop.run_until_complete(
        asgi_request(
            app,
            prepared.method or "GET",
            prepared.path_url.encode(),
            headers,
            body.encode() if isinstance(body, str) else body,
        )
    )
    grouped: dict[str, list[str]] = {}
    for name, value in answer.headers:
        grouped.setdefault(name.decode("latin-1"), []).append(value.decode("latin-1"))
    return Response(
        answer.status,
        grouped,
        answer.body,
        prepared,
        time.perf_counter() - started,
        verify=False,
        encoding="utf-8",
    )


def _check(case: schemathesis.Case, mode: ErrorHttpStatus) -> None:
    operation_id = case.operation.definition.raw["operationId"]
    app, signer = _session_for(operation_id, mode)
    response = _send(app, case.as_transport_kwargs(base_url="http://testserver"), signer)
    assert response.status_code < 500, response.text
    if "json" in response.headers.get("content-type", [""])[0]:
        document = response.json()
        # An internal error is HTTP 200 by default: its code tells it.
        assert not isinstance(document, dict) or document.get("code") != 13, response.text
    # The consent page's form is the fake's own: its errors mirror the code in every mode.
    judged = MIRROR if case.operation.definition.raw.get("x-fake-only") else mode
    data_checks = [negative_data_rejection]
    if operation_id not in STATE_DEPENDENT_ACCEPTANCE | CHECKED_AFTER_THE_SCHEMA:
        data_checks.append(positive_data_acceptance)
    case.validate_response(
        response,
        excluded_checks=[ignored_auth, negative_data_rejection, positive_data_acceptance],
        additional_checks=[*map(by_code, data_checks), status_follows_mode(judged)],
    )


def _fuzzed(examples: int) -> settings:
    """Reproducible runs of ``examples`` cases an operation, however slow the machine."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )


def _conforms_in_both_status_modes(case: schemathesis.Case) -> None:
    _check(case, 200)
    _check(case, MIRROR)


@pytest.mark.parametrize("operation_id", IMPLEMENTED)
def test_operation_conforms_in_both_status_modes(operation_id: str) -> None:
    """Every case schemathesis makes for the operation (its coverage cases, then EXAMPLES
    generated ones), each answered and checked in both error-status modes.

    The cases are built here, when the test runs, by the builder ``schema.parametrize()``
    uses at collection: at collection, every xdist worker would build every operation's
    coverage cases (about 15 seconds each) before running its first test."""
    (built,) = get_all_tests(
        schema=whole_schema.include(operation_id=operation_id),
        test_func=_conforms_in_both_status_modes,
        settings=_fuzzed(EXAMPLES),
        given_kwargs=None,
    )
    _, run_every_case = built.ok()
    run_every_case()


def test_every_route_the_app_serves_is_fuzzed() -> None:
    """What schemathesis loaded against what the app answers: its router, not the list of
    implemented operations the schema was filtered by (those agree by construction)."""
    fuzzed = {result.ok().label for result in schema.get_all_operations()}
    by_path: dict[str, Iterable[str]] = {}
    for route in create_app(Config(empty=True)).routes:
        if isinstance(route, ExactPaths):
            by_path.update(route.paths)
        elif isinstance(route, Route):
            by_path[route.path] = route.methods or ()
    served = {
        f"{method} {_PATH_CONVERTER.sub(_WITHOUT_CONVERTER, path)}"
        for path, methods in by_path.items()
        for method in methods
        if method != "HEAD"  # answered wherever GET is; no operation of its own
    }
    assert fuzzed == served
    assert len(served) > 50

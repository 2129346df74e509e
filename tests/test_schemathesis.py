"""schemathesis over every implemented operation, in process, each request signed as a shop.

Positive and negative data, the default checks. ``ignored_auth`` is left to test_auth.py:
its probes would reuse the signing session, which signs every request by design.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import ignored_auth

from tests.helpers import DEMO_PRIVATE_TOKEN, DEMO_PUBLIC_TOKEN, FROZEN_AT
from tests.strategies import register_formats
from trustoo_mock import Config, create_app
from trustoo_mock.client import RequestsSigner
from trustoo_mock.spec import bundled_spec

EXAMPLES = int(os.environ.get("TRUSTOO_MOCK_FUZZ_EXAMPLES", "25"))

register_formats()
spec = bundled_spec()
schema = schemathesis.openapi.from_dict(dict(spec.document)).include(
    operation_id=[operation.operation_id for operation in spec.implemented()]
)
schema.config.generation.update(
    modes=["positive", "negative"], with_security_parameters=False, deterministic=True
)

_sessions: dict[str, tuple[Any, Any, RequestsSigner]] = {}


def _session_for(operation_id: str) -> tuple[Any, RequestsSigner]:
    """One fake per operation: its examples share state, other operations cannot disturb it."""
    if operation_id not in _sessions:
        app = create_app(Config(frozen_time=FROZEN_AT))
        clock = app.state.fake.ctx.clock
        signer = RequestsSigner(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, now=clock.now_int)
        _sessions[operation_id] = (app, asgi.get_client(app), signer)
    _, session, signer = _sessions[operation_id]
    return session, signer


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_operation_conforms(case: schemathesis.Case) -> None:
    session, signer = _session_for(case.operation.definition.raw["operationId"])
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    response = session.request(**kwargs, auth=signer)
    assert response.status_code < 500, response.text
    case.validate_response(response, excluded_checks=[ignored_auth])


def test_every_implemented_operation_is_fuzzed() -> None:
    fuzzed = {result.ok().label for result in schema.get_all_operations()}
    assert len(fuzzed) == len(spec.implemented()) > 0

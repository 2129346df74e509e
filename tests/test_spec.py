"""The spec is the contract: it is valid, complete, and matches what the server serves."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate
from starlette.testclient import TestClient

from tests.helpers import CheckedClient
from trustoo_mock import Config
from trustoo_mock.server.api.storage import HANDLERS as STORAGE_HANDLERS
from trustoo_mock.server.app import DOCUMENTS, TRUSTOO_HANDLERS, create_app
from trustoo_mock.server.control import ASYNC_HANDLERS as ASYNC_CONTROL_HANDLERS
from trustoo_mock.server.control import HANDLERS as CONTROL_HANDLERS
from trustoo_mock.server.ui import HANDLERS as INSPECTOR_HANDLERS
from trustoo_mock.spec.openapi import Operation, bundled_spec

SPEC = bundled_spec()
EVIDENCE_LEVELS = {"documented", "older-docs", "client-code", "inferred"}
NAMED_SCHEMAS = {
    "SuccessResponse",
    "ErrorResponse",
    "Pagination",
    "OAuthTokenRequest",
    "Webhook",
    "CreateReviewRequest",
    "Review",
    "Rating",
    "Order",
    "CustomerEvent",
    "CustomerExclusion",
    "ImageUploadCredentials",
}
OPERATIONS = list(SPEC.operations.values())


def test_document_is_valid_openapi_3_1() -> None:
    assert SPEC.document["openapi"].startswith("3.1")
    validate(dict(SPEC.document))


def test_named_schemas_and_security_schemes_exist() -> None:
    components = SPEC.document["components"]
    assert set(components["schemas"]) >= NAMED_SCHEMAS
    assert {"PublicToken", "Timestamp", "Sign", "OAuthBearer"} <= set(components["securitySchemes"])


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
def test_operation_carries_evidence_scopes_and_an_example(operation: Operation) -> None:
    raw = operation.raw
    assert raw["x-evidence"]["level"] in EVIDENCE_LEVELS
    assert isinstance(raw["x-evidence"]["notes"], str) and raw["x-evidence"]["notes"]
    assert isinstance(raw["x-scopes"], list)
    assert _has_example(raw), f"{operation.operation_id} has no example"


def _has_example(raw: dict[str, Any]) -> bool:
    for response in raw.get("responses", {}).values():
        for media in response.get("content", {}).values():
            if "example" in media or "examples" in media:
                return True
    return False


def test_every_implemented_operation_has_exactly_one_handler() -> None:
    implemented = {operation.operation_id for operation in SPEC.implemented()}
    handled = [
        TRUSTOO_HANDLERS,
        CONTROL_HANDLERS,
        ASYNC_CONTROL_HANDLERS,
        STORAGE_HANDLERS,
        DOCUMENTS,
        INSPECTOR_HANDLERS,
    ]
    assert implemented == set().union(*handled)
    assert sum(len(handlers) for handlers in handled) == len(implemented)
    assert not (set(TRUSTOO_HANDLERS) | set(CONTROL_HANDLERS)) & set(DOCUMENTS)


def test_examples_match_their_schemas() -> None:
    checked = 0
    for operation in SPEC.implemented():
        for status, response in operation.raw["responses"].items():
            media = response.get("content", {}).get("application/json", {})
            validator = operation.response_validator(int(status))
            if "example" in media and validator is not None:
                validator(media["example"])
                checked += 1
    assert checked >= len(SPEC.implemented())


def test_every_operation_of_the_docs_tree_is_served() -> None:
    """Nothing is left `x-status: planned`: each operation is routed and fuzzed."""
    assert [operation.operation_id for operation in OPERATIONS if operation.planned] == []


def test_scopes_in_spec_are_enforced(client: CheckedClient) -> None:
    grant = client.control(
        "POST",
        "/_mock/shops/70000000001/authorizations",
        {"client_id": "demo-platform", "scopes": ["write_customers"]},
    ).json()
    for operation in SPEC.implemented():
        takes_bearer = any("OAuthBearer" in way for way in operation.security)
        if not operation.scopes or operation.method != "GET" or not takes_bearer:
            continue
        response = client.bearer(operation.method, operation.path, grant["access_token"])
        assert response.json()["code"] == 7, operation.operation_id
        assert operation.scopes[0] in response.json()["message"]


def test_the_spec_is_served_as_yaml_and_json(client: CheckedClient) -> None:
    as_yaml = client.request("GET", "/openapi.yaml")
    assert as_yaml.headers["content-type"] == "application/yaml"
    assert as_yaml.content == SPEC.source
    as_json = client.request("GET", "/openapi.json")
    assert as_json.json() == SPEC.document


def test_the_spec_needs_no_control_token() -> None:
    http = TestClient(create_app(Config(control_token="s3cret")))
    assert http.get("/openapi.json").status_code == 200
    assert http.get("/_mock/clock").status_code == 401

"""openapi.yaml says what it means in words every OpenAPI tool knows (issue 12): only JSON
Schema / OpenAPI keywords, standard formats (the fake's stricter ones only as ``x-format``),
query ids as strings of digits, list filters in both documented forms, the control plane's
token and 401, error codes tied to their statuses, closed control-plane answers, ratings 1-5.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from starlette.testclient import TestClient

from trustoo_mock import Config, create_app
from trustoo_mock.core.errors import HTTP_STATUS, FakeError
from trustoo_mock.spec.formats import FORMAT_CHECKS, is_email
from trustoo_mock.spec.openapi import SpecViolation, bundled_spec, compile_validator

SPEC = bundled_spec()
DOCUMENT = SPEC.document
SCHEMAS = DOCUMENT["components"]["schemas"]

JSON_SCHEMA_KEYWORDS = {
    # core and applicators (JSON Schema 2020-12)
    "$ref", "$schema", "$id", "$defs", "$comment", "$anchor", "$dynamicRef", "$dynamicAnchor",
    "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "prefixItems",
    "items", "contains", "properties", "patternProperties", "additionalProperties",
    "propertyNames", "unevaluatedItems", "unevaluatedProperties",
    # validation
    "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
    "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
    "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties", "required",
    "dependentRequired",
    # format, content and meta-data
    "format", "contentEncoding", "contentMediaType", "contentSchema", "title", "description",
    "default", "deprecated", "readOnly", "writeOnly", "examples",
    # OpenAPI 3.1's additions
    "discriminator", "xml", "externalDocs", "example",
}  # fmt: skip
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SUBSCHEMAS = ("items", "additionalProperties", "not", "if", "then", "else", "contains")
SUBSCHEMAS += ("propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema")
STANDARD_FORMATS = {"date-time", "date", "time", "duration", "email", "uri", "uuid", "binary"}
HTTP_STATUS_CODES = {status: int(code) for code, status in HTTP_STATUS.items()}


def children(schema: dict[str, Any], where: str) -> Iterator[tuple[str, Any]]:
    """The schemas directly inside ``schema``, each with where it is."""
    for keyword in SUBSCHEMA_MAPS:
        for name, inner in (schema.get(keyword) or {}).items():
            yield f"{where}/{keyword}/{name}", inner
    for keyword in SUBSCHEMA_LISTS:
        for index, inner in enumerate(schema.get(keyword) or []):
            yield f"{where}/{keyword}/{index}", inner
    for keyword in SUBSCHEMAS:
        if keyword in schema:
            yield f"{where}/{keyword}", schema[keyword]


def subschemas(schema: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``schema`` and every schema inside it, each with where it is."""
    if not isinstance(schema, dict):
        return
    yield where, schema
    for inner_where, inner in children(schema, where):
        yield from subschemas(inner, inner_where)


def every_schema() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema of the document: components, and each ``schema`` of a parameter, header or
    media type anywhere under paths, webhooks and components."""
    for name, schema in SCHEMAS.items():
        yield from subschemas(schema, f"#/components/schemas/{name}")

    def walk(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "schema":
                    yield from subschemas(value, f"{where}/schema")
                elif key != "schemas":
                    yield from walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{where}/{index}")

    for section in ("paths", "webhooks", "components"):
        yield from walk(DOCUMENT.get(section, {}), f"#/{section}")


def test_no_schema_has_a_key_outside_the_vocabulary() -> None:
    """YAML reads `{description: a, b}` as two keys: such slips leave junk keys behind."""
    strays = [
        f"{where}: {key!r}"
        for where, schema in every_schema()
        for key in schema
        if key not in JSON_SCHEMA_KEYWORDS and not key.startswith("x-")
    ]
    assert strays == []


def test_the_walk_sees_the_whole_document() -> None:
    walked = dict(every_schema())
    assert len(walked) > 500
    assert "#/components/schemas/StorageError/properties/StringToSign" in walked


def test_only_standard_formats_and_the_fakes_own_only_as_x_format() -> None:
    formats = {schema["format"] for _, schema in every_schema() if "format" in schema}
    own = {schema["x-format"] for _, schema in every_schema() if "x-format" in schema}
    assert formats <= STANDARD_FORMATS
    assert own == {"rfc3339", "trustoo-datetime", "http-url", "instant"}
    assert own <= set(FORMAT_CHECKS)
    assert all("pattern" in schema for _, schema in every_schema() if "x-format" in schema)


def _generic(schema: dict[str, Any]) -> Draft202012Validator:
    """How any JSON Schema tool reads a schema: `format` is only an annotation in 2020-12 (some
    tools check it, none must), `x-format` means nothing to it; keywords such as `pattern` hold."""
    return Draft202012Validator(schema)


@pytest.mark.parametrize(
    ("name", "good", "caught_by_every_tool", "caught_only_by_the_fake"),
    [
        (
            "DateTime",
            ["2025-06-20T11:06:48Z", "2025-06-20T13:06:48.123+02:00"],
            ["yesterday", "2025-06-20 11:06:48", "2025-13-20T11:06:48Z", "2025-06-20T11:06:48"],
            ["2025-02-30T11:06:48Z"],
        ),
        (
            "TrustooDateTime",
            ["2026-05-14 08:30:00"],
            ["yesterday", "2026-05-14T08:30:00Z", "2026-05-14 24:00:00", "2026-5-14 08:30:00"],
            ["2026-02-30 08:30:00"],
        ),
        (
            "HttpUrl",
            ["https://example.com/hook?a=1#b", "http://127.0.0.1:9000/hook"],
            ["0", "ftp://example.com/x", "https://example.com/a b", "http://:80/hook"],
            ["https://example.com:99999/hook"],
        ),
        (
            "TimeFilter",
            ["1780272000", "2026-06-01 00:00:00", "2026-06-01T00:00:00Z"],
            ["yesterday", "2026-06-01", "123456789012"],
            ["2026-02-30 00:00:00"],
        ),
    ],
)
def test_every_tool_enforces_the_pattern_and_the_fake_stays_stricter(
    name: str, good: list[str], caught_by_every_tool: list[str], caught_only_by_the_fake: list[str]
) -> None:
    schema = SCHEMAS[name]
    generic, fake = _generic(schema), compile_validator(schema, name)
    for value in good:
        assert generic.is_valid(value), value
        fake(value)
    for value in caught_by_every_tool + caught_only_by_the_fake:
        with pytest.raises(SpecViolation):
            fake(value)
    for value in caught_by_every_tool:
        assert not generic.is_valid(value), value
    for value in caught_only_by_the_fake:
        assert generic.is_valid(value), value


def _query_and_path_parameters() -> Iterator[tuple[str, dict[str, Any]]]:
    for operation in SPEC.operations.values():
        for parameter in operation.raw.get("parameters", ()):
            if parameter["in"] in ("query", "path"):
                yield f"{operation.operation_id} {parameter['name']}", parameter


@given(st.emails())
def test_the_addresses_schemathesis_draws_for_format_email_are_ones_the_fake_accepts(
    address: str,
) -> None:
    """schemathesis draws ``format: email`` from Hypothesis's ``emails()``, so the fuzz run
    needs no email strategy of its own (one made its coverage cases take most of the suite's
    collection time); the fake's check must accept every such address."""
    assert is_email(address), address


def test_query_and_path_ids_are_strings_of_digits() -> None:
    """A tool coerces `shop_id=70000000001` to a number too: a number-or-string `oneOf` would
    then match twice. Ids on the wire are strings with a digits pattern, and nothing else."""
    checked = 0
    for where, parameter in _query_and_path_parameters():
        name = parameter["name"]
        if (name != "id" and not name.endswith(("_id", "_ids"))) or name == "client_id":
            continue
        schema = parameter["schema"]
        schema = schema.get("items", schema) if schema.get("type") == "array" else schema
        assert schema.get("type") == "string", where
        assert schema.get("pattern", "").startswith("^"), where
        assert not {"oneOf", "anyOf"} & set(schema), where
        generic = _generic(schema)
        assert generic.is_valid("70000000001") and not generic.is_valid("7e10"), where
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize(
    "pairs",
    [
        [("product_ids", "8000000000001,8000000000002")],
        [("product_ids", "8000000000001"), ("product_ids", "8000000000002")],
        [("product_ids[0]", "8000000000001"), ("product_ids[1]", "8000000000002")],
        [("product_ids[]", "8000000000001"), ("product_ids[]", "8000000000002")],
    ],
)
def test_list_filters_take_every_documented_form(pairs: list[tuple[str, str]]) -> None:
    operation = SPEC.operations["get_reviews"]
    assert operation.parse_query(pairs)["product_ids"] == "8000000000001,8000000000002"
    (parameter,) = [item for item in operation.raw["parameters"] if item["name"] == "product_ids"]
    assert (parameter["style"], parameter["explode"]) == ("form", True)
    declared = [value for key, value in pairs if key == "product_ids"]
    if declared:  # the forms an OpenAPI tool sees as this parameter: an array of strings
        assert _generic(parameter["schema"]).is_valid(declared)


def test_list_filter_items_are_still_checked() -> None:
    with pytest.raises(FakeError) as refused:
        SPEC.operations["get_reviews"].parse_query([("ratings", "5"), ("ratings", "6")])
    assert refused.value.message.startswith("invalid query parameter ratings")


# Readiness probes carry no token: the health check is open whatever the setting (X55).
# The inspector's sign-in form is open too: it is where the token is given (X98).
OPEN = {"mock_health", "mock_ui_sign_in"}
CONTROL = [
    operation
    for operation in SPEC.operations.values()
    if operation.is_control and operation.operation_id not in OPEN
]
# The inspector's pages also take the session cookie the sign-in form sets (X98).
INSPECTOR_SECURITY = {frozenset({"ControlToken"}), frozenset({"ControlSession"}), frozenset()}


def test_the_health_check_is_open_and_declares_no_token() -> None:
    health = SPEC.operations["mock_health"]
    assert not health.security and "401" not in health.raw["responses"]
    http = TestClient(create_app(Config(control_token="s3cret")))
    assert http.get("/_mock/health").status_code == 200


@pytest.mark.parametrize("operation", CONTROL, ids=lambda operation: operation.operation_id)
def test_the_control_plane_declares_its_token_and_401(operation: Any) -> None:
    if operation.path.startswith("/_mock/ui"):
        assert set(operation.security) == INSPECTOR_SECURITY
    else:
        assert set(operation.security) == {frozenset({"ControlToken"}), frozenset()}
    assert "401" in operation.raw["responses"]


def test_with_a_control_token_every_control_call_answers_the_declared_401() -> None:
    http = TestClient(create_app(Config(control_token="s3cret")))
    for operation in CONTROL:
        path = operation.path.replace("{shop_id}", "70000000001")
        path = path.replace("{review_id}", "100001").replace("{delivery_id}", "1")
        answer = http.request(operation.method, path)
        assert answer.status_code == 401, operation.operation_id
        assert "s3cret" not in answer.text
        declared = operation.raw["responses"]["401"]["content"]
        if answer.headers["content-type"].startswith("text/html"):
            assert "text/html" in declared, operation.operation_id
            continue
        validator = operation.response_validator(401)
        assert validator is not None
        validator(answer.json())


def _envelope(code: int) -> dict[str, Any]:
    return {"code": code, "message": "x", "time": 1, "request_id": "0" * 32}


def test_an_error_status_admits_only_its_own_code() -> None:
    checked = 0
    for operation in SPEC.operations.values():
        if operation.is_control or operation.is_storage:
            continue
        for status, code in HTTP_STATUS_CODES.items():
            media = operation.raw["responses"].get(str(status), {}).get("content", {})
            if "application/json" not in media:
                continue
            validator = operation.response_validator(status)
            assert validator is not None
            validator(_envelope(code))
            for other in set(HTTP_STATUS_CODES.values()) - {code}:
                with pytest.raises(SpecViolation):
                    validator(_envelope(other))
            checked += 1
    assert checked > 80


# Trustoo's own shapes, which the control plane also answers: they stay open, since the same
# schemas check the real Trustoo, which may send more fields (X71).
TRUSTOO_SHAPES = {"Review", "CustomerEvent", "WebhookPush"}


def _control_objects(schema: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object schema with properties in ``schema``, following references but not into
    Trustoo's own shapes."""
    if not isinstance(schema, dict):
        return
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in TRUSTOO_SHAPES:
            yield from _control_objects(SCHEMAS[name], f"{where}->{name}")
        return
    if "properties" in schema:
        yield where, schema
    for inner_where, inner in children(schema, where):
        yield from _control_objects(inner, inner_where)


def test_control_plane_answers_are_closed_objects() -> None:
    found = []
    for operation in CONTROL:  # as written (operation.raw has every reference inlined)
        written = DOCUMENT["paths"][operation.path][operation.method.lower()]
        for status, response in written["responses"].items():
            if "$ref" in response:
                response = DOCUMENT["components"]["responses"][response["$ref"].rsplit("/")[-1]]
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            where = f"{operation.operation_id} {status}"
            found += list(_control_objects(schema, where))
    assert len(found) > 20
    assert [where for where, item in found if item.get("additionalProperties") is not False] == []


def _rating_patterns() -> list[tuple[str, str]]:
    return [
        (where, schema["pattern"])
        for where, schema in every_schema()
        if where.endswith(("/rating", "/rating_value")) and "pattern" in schema
    ]


def test_average_ratings_run_from_1_0_to_5_0() -> None:
    patterns = _rating_patterns()
    assert len(patterns) == 3
    tenths = [f"{Decimal(step) / 10:.1f}" for step in range(0, 100)]
    for where, pattern in patterns:
        generic = _generic({"type": "string", "pattern": pattern})
        admitted = {value for value in tenths if generic.is_valid(value)}
        assert admitted == {value for value in tenths if "1.0" <= value <= "5.0"}, where


def _typed(schema: dict[str, Any]) -> bool:
    if {"type", "const", "enum"} & set(schema):
        return True
    branches = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    return bool(branches) and all(_typed(branch) for branch in branches)


def _answered_properties() -> Iterator[tuple[str, str, Any]]:
    """(where its schema is, name, schema) of every property of every documented answer."""
    for operation in SPEC.operations.values():
        for status, response in operation.raw["responses"].items():
            for media_type, media in response.get("content", {}).items():
                where = f"{operation.operation_id} {status} {media_type}"
                for inner_where, schema in subschemas(media.get("schema"), where):
                    for name, inner in schema.get("properties", {}).items():
                        yield inner_where, name, inner


def test_every_answered_property_says_what_it_holds() -> None:
    """What a mock generator needs to make up plausible answers: a type (with a format or a
    pattern where the type alone says too little) for every property of every answer. The
    envelope's `data` is typed by the branch beside it."""
    untyped = []
    for inner_where, name, inner in _answered_properties():
        # The envelope's success branch leaves `data` to the branch beside it.
        generic = inner_where.endswith(("/allOf/0", "/allOf/0/oneOf/0"))
        if not _typed(inner) and not generic:
            untyped.append(f"{inner_where}/properties/{name}")
    assert untyped == []


def _shaped(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    if {"pattern", "format", "enum", "const"} & set(schema) or schema.get("maxLength") == 0:
        return True
    if schema.get("type") in ("null", "integer"):
        return True
    if schema.get("type") == "array":
        return _shaped(schema.get("items"))
    branches = schema.get("anyOf") or schema.get("oneOf")
    return bool(branches) and all(_shaped(branch) for branch in branches)


def _holds_an_id_a_time_or_a_url(name: str) -> bool:
    # A review's order_id is whatever reference the review was given; client ids, an OSS
    # access key id and an operation id are names.
    if name in ("order_id", "client_id", "access_id", "operation_id"):
        return False
    return name == "id" or name.endswith(("_id", "_at", "url", "_uris")) or name in ("host", "src")


def test_ids_times_and_urls_in_answers_have_a_pattern_or_format() -> None:
    """So a generated mock shows digits, RFC 3339 times and URLs, not lorem ipsum."""
    shapeless = []
    checked = 0
    for inner_where, name, inner in _answered_properties():
        if _holds_an_id_a_time_or_a_url(name):
            checked += 1
            if not _shaped(inner):
                shapeless.append(f"{inner_where}/properties/{name}")
    assert checked > 200
    assert shapeless == []

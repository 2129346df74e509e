"""A fixtures file (the ``fixtures/demo.json`` format) read for ``seed --check``,
``serve --seed-file`` and the ``trustoo_seed`` option: JSON, then the spec's ``SeedData``
schema, with messages about the file and its fields (the same schema answers a
``POST /_mock/seed`` body in the words of a request)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trustoo_mock.spec.formats import unencodable_text
from trustoo_mock.spec.openapi import JSON, SpecViolation, bundled_spec

KINDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object {...}",
    "array": "a list [...]",
    "null": "null",
}
FORMATS = {
    "rfc3339": "a date and time such as 2026-01-31T09:30:00Z",
    "trustoo-datetime": "a date and time such as 2026-01-31 09:30:00",
    "instant": "Unix seconds",
    "email": "an email address",
    "http-url": "an http(s) URL",
}
SHOWN_CHARACTERS = 60


def read(path: Path) -> dict[str, Any]:
    """The file's data, valid against ``SeedData``; ValueError naming the file otherwise."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ValueError(f"{path}: {error.strerror}") from None
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as error:
        place = f"line {error.lineno}, column {error.colno}"
        raise ValueError(f"{path}: not a JSON file: {error.msg} at {place}") from None
    except ValueError as error:  # not UTF-8 (or -16, -32) text
        raise ValueError(f"{path}: not a JSON file: {error}") from None
    unencodable = unencodable_text(document, raw)
    if unencodable:
        raise ValueError(
            f"{path}: {unencodable} holds a lone surrogate (such as \\ud800), "
            "which is not text UTF-8 can encode"
        )
    found = check_document(document)
    if found:
        raise ValueError(f"{path}: {found}")
    data: dict[str, Any] = document
    return data


def check_document(document: Any) -> str | None:
    """What is wrong with ``document`` as a fixtures file (``SeedData``), or None."""
    try:
        bundled_spec().operations["mock_seed"].body_validators[JSON](document)
    except SpecViolation as violation:
        return problem(violation)
    return None


def problem(violation: SpecViolation) -> str:
    """What is wrong, said of the file's fields: ``shops[0].reviews[2] has no author``."""
    where, rule, schema, value = violation.where, violation.rule, violation.schema, violation.value
    field = where or "the file"
    custom = schema.get("x-error-messages", {}).get(rule)
    if isinstance(custom, str):
        return f"{field} {custom}"
    if rule == "required":
        present = value if isinstance(value, dict) else {}
        missing = [name for name in schema.get("required", ()) if name not in present]
        return f"{field} has no {', '.join(missing)} (required)"
    if rule == "additionalProperties":
        known = set(schema.get("properties", {}))
        unknown = sorted(set(value) - known) if isinstance(value, dict) else []
        return f"{field} has fields the format does not know: {', '.join(unknown)}"
    expected = {
        "type": lambda: " or ".join(KINDS.get(kind, kind) for kind in _listed(schema["type"])),
        "format": lambda: FORMATS.get(schema["format"], str(schema["format"])),
        "enum": lambda: "one of " + ", ".join(json.dumps(item) for item in schema["enum"]),
        "const": lambda: json.dumps(schema["const"]),
        "minimum": lambda: f"at least {schema['minimum']}",
        "maximum": lambda: f"at most {schema['maximum']}",
        "exclusiveMinimum": lambda: f"more than {schema['exclusiveMinimum']}",
        "exclusiveMaximum": lambda: f"less than {schema['exclusiveMaximum']}",
        "minLength": lambda: f"at least {schema['minLength']} characters long",
        "maxLength": lambda: f"at most {schema['maxLength']} characters long",
        "minItems": lambda: f"a list of at least {schema['minItems']}",
        "maxItems": lambda: f"a list of at most {schema['maxItems']}",
        "pattern": lambda: f"text matching {schema['pattern']}",
    }.get(rule)
    if expected is None:
        return f"{field}: {violation}"
    return f"{field} should be {expected()}, not {_shown(value)}"


def _listed(kind: Any) -> list[str]:
    return [str(item) for item in kind] if isinstance(kind, list) else [str(kind)]


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > SHOWN_CHARACTERS:
        text = text[: SHOWN_CHARACTERS - 3] + "..."
    return text

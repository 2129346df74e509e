"""The OpenAPI document as the contract: operations, their metadata and compiled validators."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import fastjsonschema

from trustoo_mock.core.errors import FakeError
from trustoo_mock.core.files import write_atomically
from trustoo_mock.spec.formats import FORMAT_CHECKS, unencodable_text

SPEC_PATH = Path(__file__).parent.parent / "openapi.yaml"
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "options")
_INDEXED_KEY = re.compile(r"^(?P<name>[A-Za-z_]+)\[\d*\]$")
_INTEGER = re.compile(r"^-?\d+$")
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

Validator = Callable[[Any], Any]
STORAGE_PATH = "/_storage"
# The route convertor of a path parameter that may hold slashes (``x-multi-segment``): any
# text, line ends included, so a key the spec refuses reaches validation (an answer the spec
# names) instead of missing every route.
MULTI_SEGMENT_CONVERTOR = "multi_segment"


def is_storage_path(path: str) -> bool:
    """Whether ``path`` is the fake's object store (where uploads go)."""
    return path == STORAGE_PATH or path.startswith(f"{STORAGE_PATH}/")


class SpecViolation(ValueError):
    """A value does not match its schema; the message names the field and what is wrong.

    ``where`` (a path such as ``shops[0].reviews[1]``; empty for the value itself), ``rule``
    (the schema keyword that failed), ``schema`` and ``value`` say the same for a reader that
    words it its own way (``seed --check``)."""

    def __init__(
        self,
        message: str,
        *,
        where: str = "",
        rule: str = "",
        schema: Mapping[str, Any] | None = None,
        value: Any = None,
    ) -> None:
        super().__init__(message)
        self.where = where
        self.rule = rule
        self.schema: Mapping[str, Any] = schema or {}
        self.value = value


def own_formats(node: Any) -> Any:
    """The schema as the fake checks it: each ``x-format`` (Trustoo's or the fake's own format,
    stricter than the standard ``format`` or ``pattern`` beside it) becomes the ``format``."""
    if isinstance(node, dict):
        checked = {key: own_formats(value) for key, value in node.items()}
        if "x-format" in checked:
            checked["format"] = checked["x-format"]
        return checked
    if isinstance(node, list):
        return [own_formats(item) for item in node]
    return node


def _of_distinct_types(branches: Any) -> bool:
    """Branches that each admit one JSON type, no two the same (integer is a number, so
    those two overlap): at most one of them can hold for any value."""
    if not isinstance(branches, list):
        return False
    kinds = [branch.get("type") if isinstance(branch, dict) else None for branch in branches]
    return (
        all(isinstance(kind, str) for kind in kinds)
        and len(set(kinds)) == len(kinds)
        and not {"integer", "number"} <= set(kinds)
    )


def first_match_suffices(node: Any) -> Any:
    """The schema with each ``oneOf`` of distinct types (an id as text or a number) as
    ``anyOf``: the same values pass, but the check stops at the branch that holds instead
    of trying (and failing, slowly) every other one."""
    if isinstance(node, dict):
        checked = {key: first_match_suffices(value) for key, value in node.items()}
        if _of_distinct_types(checked.get("oneOf")):
            checked["anyOf"] = checked.pop("oneOf")
        return checked
    if isinstance(node, list):
        return [first_match_suffices(item) for item in node]
    return node


def _worded_as_written(quick: Callable[[Any], Any], written: Any) -> Callable[[Any], Any]:
    """``quick`` decides; a value it refuses is refused again by the schema as written
    (compiled at the first refusal), so the message keeps its words."""
    exact: list[Callable[[Any], Any]] = []

    def check(value: Any) -> Any:
        try:
            return quick(value)
        except fastjsonschema.JsonSchemaValueException:
            if not exact:
                exact.append(fastjsonschema.compile(written, formats=FORMAT_CHECKS))
            return exact[0](value)

    return check


def compile_validator(schema: Mapping[str, Any], what: str) -> Validator:
    written = own_formats(dict(schema))
    quick = first_match_suffices(written)
    compiled = fastjsonschema.compile(quick, formats=FORMAT_CHECKS)
    if quick != written:
        compiled = _worded_as_written(compiled, written)

    def validate(value: Any) -> Any:
        try:
            return compiled(value)
        except fastjsonschema.JsonSchemaValueException as error:
            message = str(error.message)
            custom = _custom_message(error)
            if custom:
                message = f"{error.name} {custom}"
            if message.startswith("data."):
                message = message[len("data.") :]
            elif message.startswith("data "):
                message = f"{what} {message[len('data ') :]}"
            raise SpecViolation(
                message,
                where=str(error.name).removeprefix("data").removeprefix("."),
                rule=str(error.rule),
                schema=error.definition if isinstance(error.definition, dict) else None,
                value=error.value,
            ) from None

    return validate


def _custom_message(error: fastjsonschema.JsonSchemaValueException) -> str | None:
    """A schema may word its own failures: ``x-error-messages: {<keyword>: <text>}``."""
    definition = error.definition if isinstance(error.definition, dict) else {}
    messages = definition.get("x-error-messages")
    if isinstance(messages, dict) and isinstance(messages.get(error.rule), str):
        return str(messages[error.rule])
    return None


def _resolve(node: Any, root: Mapping[str, Any]) -> Any:
    """Inline every local ``$ref`` (the spec has no recursive schemas); keywords beside a
    ``$ref`` (a description, the fake's own error messages) are kept."""
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str):
            target: Any = root
            for part in reference.removeprefix("#/").split("/"):
                target = target[part]
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            resolved = _resolve(target, root)
            if siblings and isinstance(resolved, dict):
                return {**resolved, **_resolve(siblings, root)}
            return resolved
        return {key: _resolve(value, root) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item, root) for item in node]
    return node


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    schema: Mapping[str, Any]

    @property
    def is_list(self) -> bool:
        """A list filter (``type: array``): each item's schema admits a comma list too."""
        return self.schema.get("type") == "array"

    @cached_property
    def validator(self) -> Validator:
        return compile_validator(self.schema["items"] if self.is_list else self.schema, self.name)

    def coerce(self, raw: str) -> Any:
        """Turn the wire string into the schema's type, then validate it."""
        kind = self.schema.get("type")
        value: Any = raw
        if kind == "integer":
            if not _INTEGER.match(raw.strip()):
                raise SpecViolation(f"must be an integer, got {raw!r}")
            value = int(raw)
        try:
            self.validator(value)
        except SpecViolation as violation:
            raise SpecViolation(str(violation).removeprefix("data ")) from None
        return value


# Accepted queries remembered per operation; bounded against a flood of distinct ones.
ACCEPTED_QUERIES_KEPT = 256


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    raw: Mapping[str, Any] = field(repr=False)

    @property
    def planned(self) -> bool:
        return self.raw.get("x-status") == "planned"

    @cached_property
    def scopes(self) -> tuple[str, ...]:
        return tuple(self.raw.get("x-scopes", ()))

    @property
    def is_control(self) -> bool:
        return self.path.startswith("/_mock")

    @property
    def is_storage(self) -> bool:
        """The fake's object store (uploads), answered like the object store, not Trustoo."""
        return is_storage_path(self.path)

    @cached_property
    def _multi_segment(self) -> frozenset[str]:
        """Path parameters that may hold slashes (``x-multi-segment: true``), like object keys."""
        return frozenset(
            item["name"]
            for item in self.raw.get("parameters", ())
            if item.get("in") == "path" and item.get("x-multi-segment")
        )

    @property
    def route_path(self) -> str:
        """The path as a Starlette route: a multi-segment parameter becomes
        ``{name:multi_segment}`` (the convertor the server registers under that name)."""
        return re.sub(
            r"\{([^}/]+)\}",
            lambda match: (
                f"{{{match.group(1)}:{MULTI_SEGMENT_CONVERTOR}}}"
                if match.group(1) in self._multi_segment
                else match.group(0)
            ),
            self.path,
        )

    @cached_property
    def _path_pattern(self) -> re.Pattern[str]:
        return re.compile(
            re.sub(
                r"\\\{([^}/]+)\\\}",
                lambda match: ".+" if match.group(1) in self._multi_segment else "[^/]+",
                re.escape(self.path),
            )
        )

    def matches(self, path: str) -> bool:
        return self._path_pattern.fullmatch(path) is not None

    @cached_property
    def security(self) -> tuple[frozenset[str], ...]:
        """Each accepted way to authenticate, as the set of scheme names it combines."""
        return tuple(frozenset(requirement) for requirement in self.raw.get("security", ()))

    @cached_property
    def parameters(self) -> tuple[Parameter, ...]:
        return tuple(
            Parameter(
                name=item["name"],
                location=item["in"],
                required=bool(item.get("required", False)),
                schema=item.get("schema", {}),
            )
            for item in self.raw.get("parameters", ())
        )

    @cached_property
    def _query_parameters(self) -> tuple[Parameter, ...]:
        return tuple(parameter for parameter in self.parameters if parameter.location == "query")

    def _media(self, media_type: str) -> Mapping[str, Any] | None:
        body = self.raw.get("requestBody")
        return None if not body else body.get("content", {}).get(media_type)

    @property
    def body_required(self) -> bool:
        return bool(self.raw.get("requestBody", {}).get("required", False))

    @cached_property
    def body_validators(self) -> dict[str, Validator]:
        """One validator per declared media type (JSON and form bodies)."""
        validators = {}
        for media_type in (JSON, FORM):
            media = self._media(media_type)
            if media is not None:
                validators[media_type] = compile_validator(media.get("schema", {}), "body")
        return validators

    @cached_property
    def _response_validators(self) -> dict[str, Validator]:
        """Compiled once: the JSON schema of every documented response, by status."""
        validators = {}
        for status, response in self.raw.get("responses", {}).items():
            media = response.get("content", {}).get("application/json")
            if media is not None and "schema" in media:
                validators[str(status)] = compile_validator(media["schema"], "response")
        return validators

    def response_validator(self, status: int) -> Validator | None:
        validators = self._response_validators
        return validators.get(str(status)) or validators.get("default")

    @cached_property
    def _accepted_queries(self) -> dict[tuple[tuple[str, str], ...], dict[str, Any]]:
        return {}

    def parse_query(self, pairs: list[tuple[str, str]]) -> dict[str, Any]:
        """Validate the declared query parameters; undeclared ones are ignored (but signed).

        A list parameter gathers ``name=a,b``, repeated ``name`` keys and indexed keys
        ``name[0]``/``name[]`` into one comma-joined value, validated by its item schema.
        A query accepted before is not validated again (clients repeat the same few): the
        values are remembered, each a string or a number, and handed out in a new dict.
        """
        accepted = self._accepted_queries
        key = tuple(pairs)
        values = accepted.get(key)
        if values is None:
            values = self._validated_query(pairs)
            if len(accepted) >= ACCEPTED_QUERIES_KEPT:
                accepted.clear()
            accepted[key] = values
        return dict(values)

    def _validated_query(self, pairs: list[tuple[str, str]]) -> dict[str, Any]:
        collected: dict[str, list[str]] = {}
        for key, value in pairs:
            indexed = _INDEXED_KEY.match(key) if "[" in key else None
            name = indexed.group("name") if indexed else key
            collected.setdefault(name, []).append(value)
        values: dict[str, Any] = {}
        for parameter in self._query_parameters:
            raw_values = collected.get(parameter.name)
            if raw_values is None:
                if parameter.required:
                    raise FakeError("invalid_query", name=parameter.name, detail="is required")
                continue
            if parameter.is_list:
                raw = ",".join(raw_values)
            elif len(raw_values) > 1:
                raise FakeError(
                    "invalid_query", name=parameter.name, detail="is given more than once"
                )
            else:
                raw = raw_values[0]
            try:
                values[parameter.name] = parameter.coerce(raw)
            except SpecViolation as violation:
                raise FakeError(
                    "invalid_query", name=parameter.name, detail=str(violation)
                ) from None
        return values

    def parse_body(self, body: bytes, content_type: str = JSON) -> Any:
        """The decoded, validated body; a form body when the operation declares one and the
        request says so, JSON otherwise. None when the operation takes no body."""
        validators = self.body_validators
        if not validators:
            return None
        if not body.strip():
            if self.body_required:
                raise FakeError("invalid_body", detail="a request body is required")
            return None
        media_type = content_type.split(";")[0].strip().lower()
        if media_type == FORM and FORM in validators:
            document: Any = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            validator = validators[FORM]
        elif JSON in validators:
            try:
                document = json.loads(body, parse_constant=_reject_constant)
            except (ValueError, RecursionError) as error:
                raise FakeError("invalid_json", detail=str(error)) from None
            unencodable = unencodable_text(document, body)
            if unencodable:
                # Refused before the schema, whose messages may quote the value.
                raise FakeError(
                    "invalid_body",
                    detail=f"{unencodable} holds a lone surrogate (such as \\ud800), "
                    "which is not text UTF-8 can encode",
                )
            validator = validators[JSON]
        else:
            raise FakeError("invalid_body", detail=f"send the body as {' or '.join(validators)}")
        try:
            validator(document)
        except SpecViolation as violation:
            raise FakeError("invalid_body", detail=str(violation)) from None
        return document


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


class Spec:
    """``source`` is the document's text as loaded, served as is at ``/openapi.yaml``."""

    def __init__(self, document: Mapping[str, Any], source: bytes) -> None:
        self.document = document
        self.source = source
        resolved = _resolve(document, document)
        self.operations: dict[str, Operation] = {}
        for path, item in resolved.get("paths", {}).items():
            for method in HTTP_METHODS:
                if method in item:
                    raw = item[method]
                    if "parameters" in item:
                        raw = {
                            **raw,
                            "parameters": [*item["parameters"], *raw.get("parameters", [])],
                        }
                    operation = Operation(raw["operationId"], method.upper(), path, raw)
                    self.operations[operation.operation_id] = operation

    @cached_property
    def checked_document(self) -> dict[str, Any]:
        """The document with the fake's own formats in place (see ``own_formats``): what
        schemathesis generates from, with a strategy for each of those formats."""
        checked: dict[str, Any] = own_formats(self.document)
        return checked

    @cached_property
    def json_source(self) -> bytes:
        """The document as JSON, made on first use (most fakes never serve it)."""
        return json.dumps(self.document, ensure_ascii=False).encode("utf-8")

    @property
    def version(self) -> str:
        return str(self.document.get("info", {}).get("version", "0"))

    def implemented(self) -> list[Operation]:
        return [operation for operation in self.operations.values() if not operation.planned]

    def find(self, method: str, path: str) -> Operation | None:
        for operation in self.operations.values():
            if operation.method == method and operation.matches(path):
                return operation
        return None

    @cached_property
    def _near_miss_names(self) -> list[tuple[Operation, tuple[str, ...]]]:
        """Each operation a near miss may suggest, with the names it may be meant by."""
        return [
            (operation, tuple(sorted(_names(operation))))
            for operation in self.implemented()
            if not operation.is_storage
        ]

    def nearest(self, path: str) -> Operation | None:
        """The implemented operation a near miss of ``path`` most likely meant: by its path
        (under the current or the retired prefix), its operationId or its title ("Get Review
        List" → get_reviews); None when nothing is close. Control paths suggest control
        operations, the others Trustoo's.

        difflib's cheap upper bounds (from the lengths, then the letters) come first, as in
        ``difflib.get_close_matches``: a path of many segments has as many tails, and the
        full comparison of each with every name would let one unknown path hold the loop
        for most of a second."""
        if len(path) > _LONGEST_NEAR_MISS:
            return None
        control = path.startswith("/_mock")
        wanted = _suffixes(path)
        best: tuple[float, Operation] | None = None
        for operation, names in self._near_miss_names:
            if operation.is_control != control or operation.path == path:
                continue
            for name in names:
                matcher = difflib.SequenceMatcher(None, b=name)
                for key in wanted:
                    matcher.set_seq1(key)
                    bar = NEAR_MISS_CUTOFF if best is None else best[0]
                    if matcher.real_quick_ratio() < bar or matcher.quick_ratio() < bar:
                        continue
                    score = matcher.ratio()
                    if score >= NEAR_MISS_CUTOFF and (best is None or score > best[0]):
                        best = (score, operation)
        return None if best is None else best[1]


NEAR_MISS_CUTOFF = 0.7
_LONGEST_NEAR_MISS = 300
_MOST_NEAR_MISS_SEGMENTS = 6
RETIRED_PREFIX = "/api/v1/open_api/"
CURRENT_PREFIX = "/api/v1/openapi/"


def _key(text: str) -> str:
    """Lowercase, words joined by ``_`` whatever separated them (space, dash, slash)."""
    return re.sub(r"[\s/-]+", "_", text.strip().strip("/").lower())


def _without_prefix(path: str) -> str:
    for prefix in (CURRENT_PREFIX, RETIRED_PREFIX):
        if path.lower().startswith(prefix):
            return path[len(prefix) :]
    return path


def _suffixes(path: str) -> list[str]:
    """The tails of ``path`` (without its prefix) of up to ``_MOST_NEAR_MISS_SEGMENTS``
    segments, longest first: no operation's path or name has more segments than that."""
    segments = [part for part in _without_prefix(path).split("/") if part]
    first = max(0, len(segments) - _MOST_NEAR_MISS_SEGMENTS)
    return [_key("/".join(segments[start:])) for start in range(first, len(segments))]


def _names(operation: Operation) -> set[str]:
    names = {_key(_without_prefix(operation.path)), _key(operation.operation_id)}
    summary = str(operation.raw.get("summary", ""))
    if summary:
        names.add(_key(summary))
    return names


def load_spec(path: Path = SPEC_PATH) -> Spec:
    source = path.read_bytes()
    return Spec(_parse(source), source)


def _cache_directory() -> Path | None:
    configured = os.environ.get("TRUSTOO_MOCK_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home directory to be found: no cache
            return None
    return Path(base) / "trustoo-mock"


def _parse(source: bytes) -> Any:
    """The YAML document. Parsing it takes a fifth of a second, most of a server's start-up
    and of a test session's first fake, so a JSON copy is kept in the user's cache directory
    under the text's digest (read in milliseconds), when JSON holds the document exactly."""
    directory = _cache_directory()
    cached = None
    if directory is not None:
        cached = directory / f"openapi-{hashlib.sha256(source).hexdigest()[:32]}.json"
        try:
            return json.loads(cached.read_bytes())
        except (OSError, ValueError):
            pass
    import yaml  # only when there is no cached copy

    document = yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    try:
        text = json.dumps(document, ensure_ascii=False)
    except (TypeError, ValueError):
        return document
    if cached is not None and json.loads(text) == document:
        with suppress(OSError):  # a cache that cannot be written is simply not kept
            write_atomically(cached, text.encode("utf-8"))
    return document


@cache
def bundled_spec() -> Spec:
    """The packaged openapi.yaml, parsed once per process."""
    return load_spec()

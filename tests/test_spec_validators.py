"""A validator checks a ``oneOf`` of distinct types (an id as text or a number) as ``anyOf``,
stopping at the branch that holds (seed files are checked about seven times faster): it must
pass and refuse exactly what the schema as written does, and refuse in the same words."""

from __future__ import annotations

from typing import Any

import fastjsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustoo_mock.spec.openapi import (
    FORMAT_CHECKS,
    SpecViolation,
    compile_validator,
    first_match_suffices,
    own_formats,
)

ID = {
    "oneOf": [
        {"type": "string", "pattern": "^[0-9]{1,20}$"},
        {"type": "integer", "minimum": 0, "maximum": 99999999999999999999},
    ]
}
SCHEMAS: dict[str, dict[str, Any]] = {
    "an id": ID,
    "ids in an object": {
        "type": "object",
        "properties": {"shop_id": ID, "items": {"type": "array", "items": ID}},
    },
    # Not of distinct types: kept as written.
    "a number or an integer": {"oneOf": [{"type": "number"}, {"type": "integer"}]},
    "a constant or text": {"oneOf": [{"const": ""}, {"type": "string", "minLength": 3}]},
}

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**21), max_value=10**21)
    | st.floats(allow_nan=False)
    | st.text(alphabet="0123456789ab", max_size=22),
    lambda children: (
        st.lists(children, max_size=3)
        | st.fixed_dictionaries({}, optional={"shop_id": children, "items": st.lists(children)})
    ),
    max_leaves=6,
)


def _as_written(schema: dict[str, Any], value: Any) -> str | None:
    """None when the schema as written passes ``value``, else the refusal's message."""
    try:
        fastjsonschema.compile(own_formats(schema), formats=FORMAT_CHECKS)(value)
    except fastjsonschema.JsonSchemaValueException as error:
        return str(error.message)
    return None


def _compiled(schema: dict[str, Any], value: Any) -> str | None:
    try:
        compile_validator(schema, "value")(value)
    except SpecViolation as violation:
        return str(violation)
    return None


@pytest.mark.parametrize("name", SCHEMAS)
@settings(max_examples=150, deadline=None)
@given(value=values)
def test_the_validator_passes_and_refuses_as_the_schema_is_written(name: str, value: Any) -> None:
    schema = SCHEMAS[name]
    written, compiled = _as_written(schema, value), _compiled(schema, value)
    assert (written is None) == (compiled is None), (written, compiled)
    if written is not None:
        # The same words, as compile_validator words a refusal of the whole value.
        if written.startswith("data."):
            written = written.removeprefix("data.")
        elif written.startswith("data "):
            written = "value " + written.removeprefix("data ")
        assert compiled == written


def test_only_a_one_of_of_distinct_types_is_checked_as_any_of() -> None:
    quick = first_match_suffices(SCHEMAS["ids in an object"])
    assert quick["properties"]["shop_id"] == {"anyOf": ID["oneOf"]}
    assert quick["properties"]["items"]["items"] == {"anyOf": ID["oneOf"]}
    for kept in ("a number or an integer", "a constant or text"):
        assert first_match_suffices(SCHEMAS[kept]) == SCHEMAS[kept]

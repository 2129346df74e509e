"""Hypothesis strategies for the spec's own string formats, registered with schemathesis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import schemathesis
from hypothesis import strategies as st

_START = datetime(2000, 1, 1, tzinfo=UTC)
_instants = st.integers(min_value=0, max_value=40 * 365 * 24 * 3600).map(
    lambda seconds: _START + timedelta(seconds=seconds)
)

trustoo_datetimes = _instants.map(lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S"))
rfc3339_datetimes = _instants.map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
instants = st.one_of(
    st.integers(min_value=0, max_value=99_999_999_999).map(str),
    trustoo_datetimes,
    rfc3339_datetimes,
)
http_urls = st.builds(
    "{}://{}.example.com/{}".format,
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
    st.from_regex(r"[a-zA-Z0-9/_-]{0,40}", fullmatch=True),
)


def register_formats() -> None:
    schemathesis.openapi.format("trustoo-datetime", trustoo_datetimes)
    schemathesis.openapi.format("rfc3339", rfc3339_datetimes)
    schemathesis.openapi.format("http-url", http_urls)
    schemathesis.openapi.format("instant", instants)
    schemathesis.serializer.alias("video/*", "application/octet-stream")

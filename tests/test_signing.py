"""The string-to-sign and the signer (D1): doc test vectors, the rules, and HTTP round trips."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, quote, urlencode

import httpx
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import (
    DEMO_PRIVATE_TOKEN,
    DEMO_PUBLIC_TOKEN,
    FROZEN_AT,
    CheckedClient,
    compact,
)
from trustoo_mock.core.signing import (
    parse_query,
    sign,
    signature_matches,
    signed_headers,
    string_to_sign,
)

DOC_KEY = "private-token"
DOC_TS = "1788840306"
REVIEWS = "/api/v1/openapi/get_reviews"
CREATE_REVIEW = "/api/v1/openapi/create_review"

# ---------------------------------------------------------------------------------------------
# Test vectors, copied from trustoo-api.md (§10 and §2.3); the hex is the doc's, not ours.
# ---------------------------------------------------------------------------------------------

SECTION_10_BODY = (
    b'{"product_id":"123","rating":5,"author":"A customer","author_email":'
    b'"customer@example.com","author_country":"AU","content":"Fresh and fragrant.",'
    b'"source":"ChatWILL"}'
)


def test_vector_10_post_create_review_body() -> None:
    message = string_to_sign([], DOC_TS, SECTION_10_BODY)
    assert message == b"timestamp=1788840306|" + SECTION_10_BODY
    assert sign(DOC_KEY, message) == (
        "653355eb7bd8fe5b4e447917f7f44d49e2963c502c7588e9e2a2941d05b627bc"
    )


def test_vector_10_get_reviews_query() -> None:
    query = parse_query("page=1&page_size=5&product_ids=123&sort_by=created-descending")
    message = string_to_sign(query, DOC_TS)
    assert message == (
        b"page=1&page_size=5&product_ids=123&sort_by=created-descending&timestamp=1788840306"
    )
    assert sign(DOC_KEY, message) == (
        "217cc6e757d533691cfbdb596a5825dd1fec6ff78bfc341dcf0adcff4b2790a7"
    )


def test_vector_10_and_2_3_get_rating_query() -> None:
    message = string_to_sign([("product_id", "123")], DOC_TS)
    assert message == b"product_id=123&timestamp=1788840306"
    assert sign(DOC_KEY, message) == (
        "f8e9cef85e916590cedb58637e3becc1a0f979b4f3bb1352fa4b30d0cd3247ef"
    )


def test_vector_2_3_short_post_body() -> None:
    message = string_to_sign([], DOC_TS, b'{"product_id":"123","rating":5}')
    assert message == b'timestamp=1788840306|{"product_id":"123","rating":5}'
    assert sign(DOC_KEY, message) == (
        "e7333fab2683c01af12a7fd6d12ad6d7ad9f3999f0e396872135df5c1bf41874"
    )


def test_doc_vectors_verify_only_as_lowercase_hex_and_whole() -> None:
    message = b"product_id=123&timestamp=1788840306"
    good = "f8e9cef85e916590cedb58637e3becc1a0f979b4f3bb1352fa4b30d0cd3247ef"
    assert signature_matches(DOC_KEY, message, good)
    assert not signature_matches(DOC_KEY, message, good.upper())
    assert not signature_matches(DOC_KEY, message, f" {good} ")
    assert not signature_matches(DOC_KEY, message, good[:-1])
    assert not signature_matches("other-token", message, good)


def test_signed_headers_carry_the_doc_vector() -> None:
    headers = signed_headers("public", DOC_KEY, int(DOC_TS), [("product_id", "123")])
    assert headers == {
        "Public-Token": "public",
        "Timestamp": DOC_TS,
        "Sign": "f8e9cef85e916590cedb58637e3becc1a0f979b4f3bb1352fa4b30d0cd3247ef",
    }


# ---------------------------------------------------------------------------------------------
# string_to_sign rules
# ---------------------------------------------------------------------------------------------


def test_sorted_by_key_then_value() -> None:
    pairs = [("b", "2"), ("a", "9"), ("a", "1"), ("B", "0")]
    assert string_to_sign(pairs, "5") == b"B=0&a=1&a=9&b=2&timestamp=5"


def test_sorted_by_key_not_by_joined_text() -> None:
    # Sorting "k=v" strings would put "a-b=1" first ('-' < '='); D1 sorts by key.
    assert string_to_sign([("a-b", "1"), ("a", "1")], "5") == b"a=1&a-b=1&timestamp=5"


def test_repeated_keys_are_all_kept_and_sorted_by_value() -> None:
    query = parse_query("ratings=5&ratings=4")
    assert query == [("ratings", "5"), ("ratings", "4")]
    assert string_to_sign(query, DOC_TS) == b"ratings=4&ratings=5&timestamp=1788840306"


def test_indexed_keys_are_signed_with_brackets_as_written() -> None:
    expected = b"product_ids[0]=8000000000001&product_ids[1]=8000000000002&timestamp=1788840306"
    raw = parse_query("product_ids[1]=8000000000002&product_ids[0]=8000000000001")
    encoded = parse_query("product_ids%5B0%5D=8000000000001&product_ids%5B1%5D=8000000000002")
    assert string_to_sign(raw, DOC_TS) == expected
    assert string_to_sign(encoded, DOC_TS) == expected


def test_url_encoded_values_are_signed_decoded() -> None:
    expected = b"keyword=hello world&timestamp=1788840306"
    assert string_to_sign(parse_query("keyword=hello%20world"), DOC_TS) == expected
    assert string_to_sign(parse_query("keyword=hello+world"), DOC_TS) == expected


def test_url_encoded_utf8_value_is_signed_as_utf8_text() -> None:
    query = parse_query("keyword=Zo%C3%AB")
    assert query == [("keyword", "Zoë")]
    assert string_to_sign(query, "1") == "keyword=Zoë&timestamp=1".encode()


def test_blank_values_are_kept() -> None:
    assert string_to_sign(parse_query("keyword=&page=1"), "7") == b"keyword=&page=1&timestamp=7"


@given(st.text(alphabet="ab=&;+%2Cé \n\x00", max_size=16))
def test_a_query_is_split_exactly_as_parse_qsl_splits_it(raw: str) -> None:
    """The short cut for a query with nothing to decode gives parse_qsl's pairs: blanks and
    fields without ``=`` kept, empty fields dropped, only the first ``=`` splitting."""
    for text in (raw, raw.encode("utf-8").decode("latin-1")):  # as received: latin-1
        expected = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace")
        assert parse_query(text) == expected
        assert parse_query(text.encode("latin-1")) == expected


def test_timestamp_in_query_equal_to_header_signs_like_header_only() -> None:
    with_query = string_to_sign(parse_query(f"page=1&timestamp={DOC_TS}"), DOC_TS)
    header_only = string_to_sign(parse_query("page=1"), DOC_TS)
    assert with_query == header_only == b"page=1&timestamp=1788840306"


def test_timestamp_only_message_without_query_or_body() -> None:
    assert string_to_sign([], DOC_TS) == b"timestamp=1788840306"


def test_body_is_appended_after_bar_only_when_not_empty() -> None:
    assert string_to_sign([("page", "1")], "9") == b"page=1&timestamp=9"
    assert string_to_sign([("page", "1")], "9", b"") == b"page=1&timestamp=9"
    assert string_to_sign([("page", "1")], "9", b"{}") == b"page=1&timestamp=9|{}"


def test_body_is_signed_as_raw_bytes_not_reserialised() -> None:
    spaced = b'{"rating": 5, "author": "A"}'
    compact_body = b'{"rating":5,"author":"A"}'
    assert string_to_sign([], "9", spaced) == b"timestamp=9|" + spaced
    assert string_to_sign([], "9", spaced) != string_to_sign([], "9", compact_body)


# ---------------------------------------------------------------------------------------------
# Over HTTP
# ---------------------------------------------------------------------------------------------


def _signed_get(
    client: CheckedClient, raw_query: str, sign_pairs: list[tuple[str, str]]
) -> httpx.Response:
    headers = signed_headers(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, client.now, sign_pairs)
    response: httpx.Response = client.request("GET", f"{REVIEWS}?{raw_query}", headers=headers)
    return response


def test_http_indexed_keys_verify_and_filter(client: CheckedClient) -> None:
    ids = {"8000000000001", "8000000000002"}
    raw_query = "product_ids[0]=8000000000001&product_ids[1]=8000000000002&page_size=100"
    pairs = [
        ("product_ids[0]", "8000000000001"),
        ("product_ids[1]", "8000000000002"),
        ("page_size", "100"),
    ]
    response = _signed_get(client, raw_query, pairs)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["list"], "the demo shop has reviews of both products"
    assert {review["product_id"] for review in data["list"]} == ids

    comma = client.signed(
        "GET", REVIEWS, params={"product_ids": ",".join(sorted(ids)), "page_size": 100}
    )
    assert comma.json()["data"]["page"] == data["page"]
    assert [r["id"] for r in comma.json()["data"]["list"]] == [r["id"] for r in data["list"]]


def test_http_indexed_keys_percent_encoded_verify(client: CheckedClient) -> None:
    raw_query = "product_ids%5B0%5D=8000000000001&product_ids%5B1%5D=8000000000002"
    pairs = [("product_ids[0]", "8000000000001"), ("product_ids[1]", "8000000000002")]
    response = _signed_get(client, raw_query, pairs)
    assert response.status_code == 200
    listed = response.json()["data"]["list"]
    assert {review["product_id"] for review in listed} <= {"8000000000001", "8000000000002"}


def test_http_indexed_keys_signed_without_brackets_fail(client: CheckedClient) -> None:
    raw_query = "product_ids[0]=8000000000001&product_ids[1]=8000000000002"
    pairs = [("product_ids", "8000000000001"), ("product_ids", "8000000000002")]
    response = _signed_get(client, raw_query, pairs)
    assert response.status_code == 200
    document = response.json()
    assert document["code"] == 16
    assert (
        f"product_ids[0]=8000000000001&product_ids[1]=8000000000002&timestamp={FROZEN_AT}"
        in document["message"]
    )


def test_http_plus_and_percent20_in_query_both_verify(client: CheckedClient) -> None:
    for raw_query in ("keyword=absolutely%20wonderful", "keyword=absolutely+wonderful"):
        response = _signed_get(client, raw_query, [("keyword", "absolutely wonderful")])
        assert response.status_code == 200, raw_query
        listed = response.json()["data"]["list"]
        assert listed
        assert all("absolutely wonderful" in review["content"].lower() for review in listed)


NEW_REVIEW = {"product_id": "8000000000001", "rating": 5, "author": "Zoë 测试"}


def _post_review(client: CheckedClient, body: bytes) -> httpx.Response:
    headers = signed_headers(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, client.now, [], body)
    headers["Content-Type"] = "application/json"
    response: httpx.Response = client.request("POST", CREATE_REVIEW, content=body, headers=headers)
    return response


def test_http_unicode_body_escaped_and_raw_both_verify(client: CheckedClient) -> None:
    escaped = json.dumps(NEW_REVIEW).encode("ascii")
    raw = compact(NEW_REVIEW)
    assert b"\\u00eb" in escaped and "ë".encode() in raw

    stored = []
    for body in (escaped, raw):
        response = _post_review(client, body)
        assert response.status_code == 200, body
        review = response.json()["data"]
        assert review["author"] == "Zoë 测试"
        fetched = client.signed("GET", "/api/v1/openapi/get_review", params={"id": review["id"]})
        stored.append(fetched.json()["data"]["author"])
    assert stored == ["Zoë 测试", "Zoë 测试"]


def test_http_body_signed_in_other_serialisation_fails(client: CheckedClient) -> None:
    sent = json.dumps(NEW_REVIEW).encode("ascii")
    signed_over = compact(NEW_REVIEW)
    headers = signed_headers(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, client.now, [], signed_over)
    response = client.request("POST", CREATE_REVIEW, content=sent, headers=headers)
    assert response.status_code == 200
    assert response.json()["code"] == 16
    assert f"timestamp={FROZEN_AT}|" in response.json()["message"]


def test_http_timestamp_in_query_and_header_verifies(client: CheckedClient) -> None:
    response = _signed_get(client, f"page=1&timestamp={FROZEN_AT}", [("page", "1")])
    assert response.status_code == 200
    assert response.json()["code"] == 0

    # A client that signs the query's own timestamp pair as well gets the same message.
    response = _signed_get(
        client, f"timestamp={FROZEN_AT}&page=1", [("timestamp", str(FROZEN_AT)), ("page", "1")]
    )
    assert response.json()["code"] == 0


def test_http_timestamp_in_query_different_from_header_is_16(client: CheckedClient) -> None:
    other = FROZEN_AT - 1
    response = _signed_get(client, f"page=1&timestamp={other}", [("page", "1")])
    assert response.status_code == 200
    document = response.json()
    assert document["code"] == 16
    message = document["message"]
    assert f"timestamp={other}" in message
    assert str(FROZEN_AT) in message
    assert "differs from the Timestamp header" in message


def test_http_repeated_keys_verify_and_filter(client: CheckedClient) -> None:
    params = [("ratings", "5"), ("ratings", "4"), ("page_size", "100")]
    response = client.signed("GET", REVIEWS, params=params)
    assert response.status_code == 200
    assert {review["rating"] for review in response.json()["data"]["list"]} == {4, 5}


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

pairs_strategy = st.lists(st.tuples(st.text(), st.text()), max_size=8)
timestamps = st.integers(min_value=0, max_value=10**11).map(str)
hex_digits = "0123456789abcdef"


@given(key=st.text(min_size=1), pairs=pairs_strategy, timestamp=timestamps, body=st.binary())
def test_property_own_signature_matches(
    key: str, pairs: list[tuple[str, str]], timestamp: str, body: bytes
) -> None:
    message = string_to_sign(pairs, timestamp, body)
    signature = sign(key, message)
    assert len(signature) == 64 and set(signature) <= set(hex_digits)
    assert signature_matches(key, message, signature)
    assert signature_matches(key, string_to_sign(pairs, timestamp, body), signature)
    assert signature.upper() == signature or not signature_matches(key, message, signature.upper())


@given(
    key=st.text(min_size=1),
    pairs=pairs_strategy,
    timestamp=timestamps,
    body=st.binary(),
    position=st.integers(min_value=0, max_value=63),
    shift=st.integers(min_value=1, max_value=15),
)
def test_property_flipping_one_hex_char_breaks_the_signature(
    key: str,
    pairs: list[tuple[str, str]],
    timestamp: str,
    body: bytes,
    position: int,
    shift: int,
) -> None:
    message = string_to_sign(pairs, timestamp, body)
    signature = sign(key, message)
    replacement = hex_digits[(hex_digits.index(signature[position]) + shift) % 16]
    flipped = signature[:position] + replacement + signature[position + 1 :]
    assert flipped != signature
    assert not signature_matches(key, message, flipped)
    assert not signature_matches(key, message, flipped.upper())


@given(data=st.data(), pairs=pairs_strategy, timestamp=timestamps, body=st.binary())
def test_property_pair_order_never_changes_the_message(
    data: st.DataObject, pairs: list[tuple[str, str]], timestamp: str, body: bytes
) -> None:
    shuffled = data.draw(st.permutations(pairs))
    assert string_to_sign(shuffled, timestamp, body) == string_to_sign(pairs, timestamp, body)


@given(pairs=pairs_strategy, timestamp=timestamps)
def test_property_url_encoded_query_parses_back_to_the_signed_pairs(
    pairs: list[tuple[str, str]], timestamp: str
) -> None:
    for encoded in (urlencode(pairs), urlencode(pairs, quote_via=quote)):
        assert string_to_sign(parse_query(encoded), timestamp) == string_to_sign(pairs, timestamp)

"""Text UTF-8 cannot encode (a lone surrogate such as ``\\ud800`` in a JSON escape) is refused
at the door with code 3 naming the field, wherever text comes in (issue 23, item 1): stored,
it would make every later answer that shows it fail."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import DEMO_SHOP_ID, CheckedClient
from trustoo_mock.cli import main
from trustoo_mock.spec.openapi import bundled_spec

CREATE = "/api/v1/openapi/create_review"
LIST = "/api/v1/openapi/get_reviews"
WIDGET = "/api/v1/reviews/get_product_reviews"
DELIVERIES = "/_mock/webhook_deliveries"
UNENCODABLE = "x\ud800y"
IMAGE = "https://img.example.com/a.jpg"
VALID_REVIEW: dict[str, Any] = {
    "rating": 5,
    "author": "Ann",
    "media": [{"url": IMAGE, "thumbnail_url": IMAGE, "type": 1}],
    "reply": {"content": "Thanks"},
}


def _text_fields(
    schema: Mapping[str, Any], prefix: tuple[Any, ...] = ()
) -> Iterator[tuple[Any, ...]]:
    """Every place of a (resolved) schema that takes a string, as a path into a document."""
    branches = [schema, *schema.get("oneOf", ()), *schema.get("anyOf", ())]
    if any(branch.get("type") == "string" for branch in branches):
        yield prefix
    for branch in branches:
        for name, inner in branch.get("properties", {}).items():
            yield from _text_fields(inner, (*prefix, name))
        items = branch.get("items")
        if isinstance(items, dict):
            yield from _text_fields(items, (*prefix, 0))


def _create_review_text_fields() -> list[tuple[Any, ...]]:
    operation = bundled_spec().operations["create_review"]
    schema = operation.raw["requestBody"]["content"]["application/json"]["schema"]
    return sorted(set(_text_fields(schema)), key=str)


def _with(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of ``document`` with ``value`` at ``path``, making the containers on the way
    that are missing or of the other shape (the older media object instead of the list)."""
    changed = json.loads(json.dumps(document))
    target = changed
    for step, following in pairwise(path):
        container: Any = [{}] if isinstance(following, int) else {}
        fits = isinstance(target, list) or step in target
        if not fits or not isinstance(target[step], type(container)):
            target[step] = container
        target = target[step]
    target[path[-1]] = value
    return changed


def _field_name(path: tuple[Any, ...]) -> str:
    name = ""
    for step in path:
        name += f"[{step}]" if isinstance(step, int) else (f".{step}" if name else step)
    return name


def _ascii_json(document: Any) -> bytes:
    """JSON with every non-ASCII character escaped, the way a lone surrogate reaches us."""
    return json.dumps(document).encode("ascii")


def test_every_text_field_of_the_spec_is_covered() -> None:
    fields = _create_review_text_fields()
    assert ("content",) in fields and ("reply", "content") in fields
    assert ("media", 0, "thumbnail_url") in fields


@pytest.mark.parametrize("path", _create_review_text_fields(), ids=_field_name)
def test_create_review_refuses_a_lone_surrogate_in_any_text_field(
    client: CheckedClient, path: tuple[Any, ...]
) -> None:
    before = client.signed("GET", LIST, params={"page_size": 1}).json()["data"]["page"]["count"]
    body = _ascii_json(_with(VALID_REVIEW, path, UNENCODABLE))
    document = client.signed("POST", CREATE, body=body).json()
    assert document["code"] == 3
    assert (
        f"invalid request body: {_field_name(path)} holds a lone surrogate" in document["message"]
    )
    assert (
        client.signed("GET", LIST, params={"page_size": 1}).json()["data"]["page"]["count"]
        == before
    )


def test_surrogate_bytes_in_raw_json_are_refused_too(client: CheckedClient) -> None:
    body = _ascii_json(VALID_REVIEW).replace(b'"Ann"', b'"x\xed\xa0\x80y"')
    document = client.signed("POST", CREATE, body=body).json()
    assert document["code"] == 3
    assert "author holds a lone surrogate" in document["message"]


def test_a_surrogate_pair_is_ordinary_text(client: CheckedClient) -> None:
    body = _ascii_json({**VALID_REVIEW, "content": "tasty \U0001f600"})
    document = client.signed("POST", CREATE, body=body).json()
    assert document["code"] == 0
    assert document["data"]["content"] == "tasty \U0001f600"


def test_after_refusals_every_reader_still_answers(client: CheckedClient) -> None:
    client.signed("POST", CREATE, body=_ascii_json({**VALID_REVIEW, "content": UNENCODABLE}))
    headers = {"Content-Type": "application/json"}
    storefront_review = _ascii_json({**VALID_REVIEW, "author": UNENCODABLE})
    client.request(
        "POST", f"/_mock/shops/{DEMO_SHOP_ID}/reviews", content=storefront_review, headers=headers
    )
    seed = {"shops": [{"shop_id": "5", "reviews": [{"rating": 1, "author": UNENCODABLE}]}]}
    client.request("POST", "/_mock/seed", content=_ascii_json(seed), headers=headers)
    assert client.signed("GET", LIST).json()["code"] == 0
    widget = client.request("GET", f"{WIDGET}?shop_id={DEMO_SHOP_ID}")
    assert widget.status_code == 200 and widget.json()["code"] == 0
    assert client.request("GET", DELIVERIES).status_code == 200


def test_a_query_with_undecodable_bytes_is_answered(client: CheckedClient) -> None:
    document = client.signed("GET", LIST, params={"keyword": b"x\xed\xa0\x80y"}).json()
    assert document["code"] == 0


@pytest.mark.modes("inprocess")
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/_mock/shops", {"name": UNENCODABLE}, "name"),
        ("/_mock/platforms", {"name": "p", "redirect_uris": [UNENCODABLE]}, "redirect_uris[0]"),
        (f"/_mock/shops/{DEMO_SHOP_ID}/reviews", {**VALID_REVIEW, "title": UNENCODABLE}, "title"),
        (
            f"/_mock/shops/{DEMO_SHOP_ID}/customer_events",
            {"event_type": UNENCODABLE},
            "event_type",
        ),
        (
            "/_mock/seed",
            {"shops": [{"shop_id": "5", "reviews": [{"rating": 1, "author": UNENCODABLE}]}]},
            "shops[0].reviews[0].author",
        ),
        ("/_mock/seed", {"shops": [{"shop_id": "5", UNENCODABLE: 1}]}, "a field name in shops[0]"),
    ],
)
def test_the_control_plane_refuses_a_lone_surrogate(
    client: CheckedClient, path: str, body: Any, field: str
) -> None:
    headers = {"Content-Type": "application/json"}
    response = client.request("POST", path, content=_ascii_json(body), headers=headers)
    assert response.status_code == 400
    assert f"{field} holds a lone surrogate" in response.json()["error"]
    shops = client.request("GET", "/_mock/shops").json()
    assert all(shop["shop_id"] != "5" and shop["name"] != UNENCODABLE for shop in shops)


@pytest.mark.modes("inprocess")
def test_merchant_edits_refuse_a_lone_surrogate(client: CheckedClient) -> None:
    created = client.signed("POST", CREATE, body=_ascii_json(VALID_REVIEW)).json()["data"]
    path = f"/_mock/shops/{DEMO_SHOP_ID}/reviews/{created['id']}"
    changes = _ascii_json({"reply": {"content": UNENCODABLE}})
    response = client.request(
        "POST", path, content=changes, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "reply.content holds a lone surrogate" in response.json()["error"]


def test_seed_files_refuse_a_lone_surrogate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = tmp_path / "seed.json"
    seed.write_bytes(_ascii_json({"shops": [{"shop_id": "5", "name": UNENCODABLE}]}))
    assert main(["seed", "--check", str(seed)]) == 1
    assert f"{seed}: shops[0].name holds a lone surrogate" in (capsys.readouterr().err)
    assert main(["serve", "--seed-file", str(seed), "--port", "0"]) == 2
    assert "shops[0].name holds a lone surrogate" in capsys.readouterr().err

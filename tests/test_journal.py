"""The request journal (``GET /_mock/requests``): what came in, how it authenticated, bounded."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.helpers import DEMO_ACCESS_TOKEN, FROZEN_AT, CheckedClient
from trustoo_mock import Config, create_app


def entries(client: CheckedClient) -> list[dict[str, object]]:
    journal: list[dict[str, object]] = client.control("GET", "/_mock/requests").json()
    return journal


def test_each_request_with_its_auth_outcome(client: CheckedClient) -> None:
    client.signed("GET", "/api/v1/openapi/get_reviews", params={"page": 2})
    client.request("GET", "/api/v1/openapi/get_rating")
    client.bearer("GET", "/api/v1/openapi/get_rating", DEMO_ACCESS_TOKEN)
    client.request("GET", "/api/v1/openapi/get_oauth_authorize_url?client_id=x&redirect_uri=y")
    client.request("GET", "/nowhere")
    client.control("GET", "/_mock/health")
    found = entries(client)
    sequence = [int(str(entry["seq"])) for entry in found]
    assert sequence == list(range(sequence[0], sequence[0] + 5))  # /_mock itself is left out
    signed, unsigned, bearer, anonymous, unknown = found
    assert signed["query"] == "page=2" and signed["operation_id"] == "get_reviews"
    assert (signed["status"], signed["code"], signed["auth"]) == (200, 0, "ok")
    assert signed["auth_explanation"] == "shop 70000000001"
    assert signed["time"] == FROZEN_AT and signed["method"] == "GET"
    assert (unsigned["status"], unsigned["code"], unsigned["auth"]) == (200, 16, "failed")
    assert "missing header" in str(unsigned["auth_explanation"])
    assert str(bearer["auth_explanation"]).startswith("platform 1 on shop 70000000001, scopes ")
    assert anonymous["auth"] == "anonymous"
    assert unknown["code"] == 5  # the router's answer is an envelope too
    assert (unknown["operation_id"], unknown["auth"], unknown["status"]) == (
        None,
        "not checked",
        404,
    )


def test_reset_empties_it(client: CheckedClient) -> None:
    client.request("GET", "/api/v1/openapi/get_rating")
    client.control("POST", "/_mock/reset")
    assert entries(client) == []


def test_it_keeps_only_the_newest() -> None:
    http = TestClient(create_app(Config(frozen_time=FROZEN_AT, journal_size=3)))
    for page in range(1, 6):
        http.get(f"/api/v1/openapi/get_reviews?page={page}")
    found = http.get("/_mock/requests").json()
    assert [entry["query"] for entry in found] == ["page=3", "page=4", "page=5"]
    assert [entry["seq"] for entry in found] == [3, 4, 5]


def test_an_answer_that_is_no_envelope_has_no_code(client: CheckedClient) -> None:
    client.request("GET", "/openapi.yaml")
    (spec,) = entries(client)
    assert (spec["status"], spec["code"]) == (200, None)

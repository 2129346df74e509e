import json

from tests.helpers import CheckedClient


def test_demo_reviews_are_served(client: CheckedClient) -> None:
    response = client.signed("GET", "/api/v1/openapi/get_reviews", params={"page_size": 5})
    data = response.json()["data"]
    assert data["page"] == {"page": 1, "page_size": 5, "total_page": 60, "count": 300}
    assert len(data["list"]) == 5


def test_every_json_answer_ends_its_line(client: CheckedClient) -> None:
    answers = [
        client.signed("GET", "/api/v1/openapi/get_reviews", params={"page_size": 1}),
        client.signed("GET", "/api/v1/openapi/get_rating"),
        client.request("GET", "/api/v1/openapi/get_rating"),  # refused: no credentials
        client.control("GET", "/_mock/health"),
        client.control("POST", "/_mock/clock", {"advance": "soon"}),
        client.http.get("/api/v1/openapi/no_such_operation"),
        client.http.get("/_mock/no_such_control"),
    ]
    for answer in answers:
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.content.endswith(b"\n") and answer.content.count(b"\n") == 1
        assert json.loads(answer.content)  # still one JSON document

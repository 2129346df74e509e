from tests.helpers import CheckedClient


def test_demo_reviews_are_served(client: CheckedClient) -> None:
    response = client.signed("GET", "/api/v1/openapi/get_reviews", params={"page_size": 5})
    data = response.json()["data"]
    assert data["page"] == {"page": 1, "page_size": 5, "total_page": 60, "count": 300}
    assert len(data["list"]) == 5

import httpx

from trustoo_mock.client import TrustooAuth


def average_rating(base_url, public_token, private_token):
    """The code under test: it opens its own connections, as production code does."""
    auth = TrustooAuth(public_token, private_token)
    with httpx.Client(base_url=base_url, auth=auth) as http:
        return http.get("/api/v1/openapi/get_rating").json()["data"]["rating_value"]


def test_average_rating_against_a_live_fake(trustoo_server, trustoo_shop):
    with trustoo_server.client(trustoo_shop) as http:
        for rating in (4, 5):
            http.post("/api/v1/openapi/create_review", json={"rating": rating, "author": "Ana"})
    shop = trustoo_shop
    assert average_rating(trustoo_server.base_url, shop.public_token, shop.private_token) == "4.5"

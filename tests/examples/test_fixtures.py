import pytest


def test_a_new_review_is_pushed_to_the_webhook(trustoo, trustoo_shop, webhook_receiver):
    with trustoo.client(trustoo_shop) as http:  # an httpx.Client that signs as the shop
        hook = {"topic": "review/created", "url": webhook_receiver.url}
        http.post("/api/v1/openapi/create_shop_webhook", json=hook)
        created = http.post("/api/v1/openapi/create_review", json={"rating": 5, "author": "Ana"})
    assert created.json()["code"] == 0
    (push,) = webhook_receiver.pushes
    push.verify(trustoo_shop.private_token)  # signed as Trustoo signs
    assert push.json()["list"][0]["author"] == "Ana"


@pytest.mark.trustoo(seed="empty", clock="2026-01-01T00:00:00Z")
def test_an_access_token_dies_after_two_hours(trustoo, trustoo_shop, trustoo_platform):
    grant = trustoo.authorize(trustoo_shop, trustoo_platform, ["read_reviews"])
    with trustoo.client(token=grant.access_token) as http:
        assert http.get("/api/v1/openapi/get_rating").json()["code"] == 0
        trustoo.advance(7201)  # virtual time: the test takes milliseconds
        assert http.get("/api/v1/openapi/get_rating").json()["code"] == 16

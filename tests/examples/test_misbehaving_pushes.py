import pytest

from trustoo_mock.verify import WebhookVerificationError

REQUEST_ID = "Open-Trustoo-Webhook-RequestId"


def test_the_receiver_meets_a_duplicate_and_a_forgery(trustoo, trustoo_shop, webhook_receiver):
    with trustoo.client(trustoo_shop) as http:
        hook = {"topic": "review/created", "url": webhook_receiver.url}
        http.post("/api/v1/openapi/create_shop_webhook", json=hook)
        with trustoo.push_fault("duplicate", times=1):  # removed when the block ends
            http.post("/api/v1/openapi/create_review", json={"rating": 5, "author": "Ana"})
        with trustoo.push_fault("bad_signature", times=1):
            http.post("/api/v1/openapi/create_review", json={"rating": 1, "author": "Eve"})
    first, again, forged = webhook_receiver.pushes
    assert first.header(REQUEST_ID) == again.header(REQUEST_ID)  # dedup by RequestId
    with pytest.raises(WebhookVerificationError):
        forged.verify(trustoo_shop.private_token)


def test_every_case_starts_from_the_same_state(trustoo, trustoo_shop):
    def review_count(http):
        return http.get("/api/v1/openapi/get_rating").json()["data"]["review_count"]

    with trustoo.client(trustoo_shop) as http:
        before = review_count(http)
        for rating in (1, 5):
            with trustoo.snapshot("clean"):  # the whole state comes back when the block ends
                http.post("/api/v1/openapi/create_review", json={"rating": rating, "author": "Bo"})
                assert review_count(http) == before + 1
        assert review_count(http) == before

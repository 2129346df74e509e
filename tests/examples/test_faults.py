import httpx
import pytest


@pytest.mark.trustoo_fault(operation="get_reviews", error={"code": 13}, times=1)
def test_a_failed_call_is_retried(trustoo, trustoo_shop):
    with trustoo.client(trustoo_shop) as http:
        first = http.get("/api/v1/openapi/get_reviews").json()
        second = http.get("/api/v1/openapi/get_reviews").json()
    assert (first["code"], second["code"]) == (13, 0)  # HTTP 200 both times (as Trustoo)


def test_a_dropped_connection_and_a_gateway_page(trustoo, trustoo_shop):
    with trustoo.client(trustoo_shop) as http:
        with trustoo.fault("get_rating", drop=True) as dropped:  # removed when the block ends
            with pytest.raises(httpx.TransportError):
                http.get("/api/v1/openapi/get_rating")
            assert dropped.fired == 1
        page = {"status": 502, "content_type": "text/html", "body": "<h1>502 Bad Gateway</h1>"}
        with trustoo.fault(response=page, times=1):
            assert http.get("/api/v1/openapi/get_rating").status_code == 502
        assert http.get("/api/v1/openapi/get_rating").json()["code"] == 0


def test_a_rate_limit_refills_with_the_fakes_clock(trustoo, trustoo_shop):
    trustoo.fault(rate_limit={"requests": 2, "per_seconds": 60})  # per shop
    with trustoo.client(trustoo_shop) as http:
        answers = [http.get("/api/v1/openapi/get_rating") for _ in range(3)]
        assert [answer.json()["code"] for answer in answers] == [0, 0, 8]
        assert (answers[2].status_code, answers[2].headers["Retry-After"]) == (429, "60")
        trustoo.advance(60)  # virtual time: no waiting
        assert http.get("/api/v1/openapi/get_rating").json()["code"] == 0


@pytest.mark.trustoo(random_seed=42)
def test_flaky_trustoo_fails_the_same_calls_every_run(trustoo, trustoo_shop):
    trustoo.fault(error={"code": 4}, probability=0.3)  # code 4: deadline exceeded
    with trustoo.client(trustoo_shop) as http:
        codes = [http.get("/api/v1/openapi/get_rating").json()["code"] for _ in range(20)]
    assert 0 < codes.count(4) < 20  # which ones fail is fixed by the seed

"""Faults (issue 14, X83 to X87): Trustoo failing on demand, seen through HTTP in process and
served, by httpx, by ``requests`` and on a bare socket."""

from __future__ import annotations

import asyncio
import gc
import http.client
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import requests

from tests.helpers import (
    DEMO_CLIENT_ID,
    DEMO_PRIVATE_TOKEN,
    DEMO_PUBLIC_TOKEN,
    DEMO_SHOP_ID,
    FROZEN_AT,
)
from tests.live import live_server
from trustoo_mock import Config, MockTrustoo, MockTrustooError, create_app
from trustoo_mock.client import RequestsSigner, TrustooAuth
from trustoo_mock.core.errors import FakeError
from trustoo_mock.domain import faults
from trustoo_mock.testing import Shop

REVIEWS = "/api/v1/openapi/get_reviews"
RATING = "/api/v1/openapi/get_rating"
GATEWAY_PAGE = "<html><body><h1>502 Bad Gateway</h1></body></html>"


@pytest.fixture
def fake() -> Iterator[MockTrustoo]:
    with MockTrustoo(frozen_time=FROZEN_AT, random_seed=7) as mock:
        yield mock


@pytest.fixture(scope="module")
def _served() -> Iterator[MockTrustoo]:
    with MockTrustoo.serve(frozen_time=FROZEN_AT, random_seed=7) as mock:
        yield mock


@pytest.fixture
def served(_served: MockTrustoo) -> MockTrustoo:
    _served.reset(random_seed=7)
    _served.freeze(FROZEN_AT)
    return _served


@pytest.fixture(params=["inprocess", "served"])
def either(request: pytest.FixtureRequest) -> MockTrustoo:
    name = "fake" if request.param == "inprocess" else "served"
    mock: MockTrustoo = request.getfixturevalue(name)
    return mock


def add(mock: MockTrustoo, **fields: Any) -> dict[str, Any]:
    fault: dict[str, Any] = mock.control("POST", "/_mock/faults", fields)
    return fault


def demo_shop(mock: MockTrustoo) -> Shop:
    return mock.shop(DEMO_SHOP_ID)


def get_reviews(mock: MockTrustoo, **options: Any) -> httpx.Response:
    with mock.client(demo_shop(mock), **options) as client:
        return client.get(REVIEWS)


def codes(mock: MockTrustoo, count: int, path: str = REVIEWS) -> list[int]:
    with mock.client(demo_shop(mock)) as client:
        return [client.get(path).json()["code"] for _ in range(count)]


# -- the control plane ----------------------------------------------------------------------


def test_a_fault_is_created_listed_and_removed(fake: MockTrustoo) -> None:
    created = add(fake, operation="get_reviews", error={"code": 13}, times=2)
    assert created == {
        "id": created["id"],
        "operation": ["get_reviews"],
        "error": {"code": 13},
        "times": 2,
        "fired": 0,
        "retired": False,
    }
    assert codes(fake, 3) == [13, 13, 0]
    (listed,) = fake.control("GET", "/_mock/faults")
    assert listed["fired"] == 2 and listed["retired"] is True
    fake.control("DELETE", f"/_mock/faults/{created['id']}")
    assert fake.control("GET", "/_mock/faults") == []
    with pytest.raises(MockTrustooError) as refused:
        fake.control("DELETE", f"/_mock/faults/{created['id']}")
    assert refused.value.status == 404


def test_deleting_all_faults_and_reset_both_remove_them(fake: MockTrustoo) -> None:
    add(fake, error={"code": 13})
    add(fake, error={"code": 8})
    fake.control("DELETE", "/_mock/faults")
    assert codes(fake, 1) == [0]
    add(fake, error={"code": 13})
    fake.reset()
    assert fake.control("GET", "/_mock/faults") == []
    assert codes(fake, 1) == [0]


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"operation": "get_reveiws", "error": {"code": 13}}, "operation"),
        ({"operation": "mock_reset", "error": {"code": 13}}, "operation"),
        ({"error": {"code": 2}}, "error.code"),
        ({"error": {"code": 13}, "drop": True}, "one action only"),
        ({"shop_id": DEMO_SHOP_ID}, "action"),
        ({"delay": -1}, "delay"),
        ({"error": {"code": 13}, "times": 0}, "times"),
        ({"error": {"code": 13}, "probability": 1.5}, "probability"),
        ({"rate_limit": {"requests": 1}}, "per_seconds"),
        ({"response": {"status": 99}}, "status"),
        ({"response": {"status": 304}}, "status"),
        ({"response": {"status": 502, "content_type": "text/html\r\nX: y"}}, "content_type"),
        ({"error": {"code": 13}, "from": "yesterday"}, "from"),
        ({"error": {"code": 13}, "colour": "red"}, "colour"),
        ({"error": {"code": 13}, "method": "FETCH"}, "method"),
    ],
)
def test_a_malformed_fault_is_refused_naming_the_field(
    fake: MockTrustoo, fields: dict[str, Any], named: str
) -> None:
    with pytest.raises(MockTrustooError) as refused:
        add(fake, **fields)
    assert refused.value.status == 400
    assert named in refused.value.message
    assert fake.control("GET", "/_mock/faults") == []


def test_the_domain_names_the_field_without_the_spec(fake: MockTrustoo) -> None:
    """The same checks hold where no schema ran before (``serve --faults FILE``)."""
    with pytest.raises(FakeError, match="operation 'nope' is not a Trustoo operation"):
        faults.create_fault(fake.fake.ctx, {"operation": ["nope"], "drop": True}, {"get_reviews"})
    with pytest.raises(FakeError, match=r"error\.code"):
        faults.create_fault(fake.fake.ctx, {"error": {"code": True}}, {"get_reviews"})
    with pytest.raises(FakeError, match=r"response\.body"):
        faults.create_fault(fake.fake.ctx, {"response": {"status": 502, "body": "\ud800"}}, ())


# -- matching -------------------------------------------------------------------------------


def test_a_fault_matches_only_its_operation_and_method(fake: MockTrustoo) -> None:
    add(fake, operation=["get_rating"], method="get", error={"code": 13})
    assert codes(fake, 1) == [0]
    assert codes(fake, 1, RATING) == [13]


def test_a_fault_matches_only_its_shop(fake: MockTrustoo) -> None:
    other = fake.create_shop()
    add(fake, shop_id=float(other.shop_id), error={"code": 13})  # JSON's 7.0e10 is an id too
    assert codes(fake, 1) == [0]
    with fake.client(other) as client:
        assert client.get(REVIEWS).json()["code"] == 13


def test_a_fault_matches_a_platforms_bearer_calls_by_client_id(fake: MockTrustoo) -> None:
    grant = fake.authorize(DEMO_SHOP_ID, DEMO_CLIENT_ID)
    add(fake, client_id=DEMO_CLIENT_ID, error={"code": 16, "message": "token revoked upstream"})
    assert codes(fake, 1) == [0]
    with fake.client(token=grant.access_token) as client:
        answer = client.get(REVIEWS).json()
    assert (answer["code"], answer["message"]) == (16, "token revoked upstream")


def test_a_request_that_fails_authentication_is_refused_not_faulted(fake: MockTrustoo) -> None:
    add(fake, error={"code": 13})
    with fake.client() as client:
        assert client.get(REVIEWS).json()["code"] == 16
    assert fake.control("GET", "/_mock/faults")[0]["fired"] == 0


def test_faults_never_touch_the_control_plane(fake: MockTrustoo) -> None:
    add(fake, drop=True)
    assert fake.shops()
    assert fake.control("GET", "/_mock/faults")[0]["fired"] == 0


# -- the actions ----------------------------------------------------------------------------


def test_an_error_follows_the_error_status_setting_or_its_own() -> None:
    with MockTrustoo(error_http_status="mirror") as mirrored:
        add(mirrored, error={"code": 4}, times=1)
        add(mirrored, error={"code": 1, "http_status": 503}, times=1)
        first, second = get_reviews(mirrored), get_reviews(mirrored)
    assert (first.status_code, first.json()["code"]) == (504, 4)
    assert (second.status_code, second.json()["code"]) == (503, 1)
    assert first.json()["message"] == "deadline exceeded before the request completed"


def test_a_raw_response_is_not_trustoos(either: MockTrustoo) -> None:
    add(either, response={"status": 502, "content_type": "text/html", "body": GATEWAY_PAGE})
    answer = get_reviews(either)
    assert answer.status_code == 502
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.text == GATEWAY_PAGE


def test_a_dropped_connection_is_a_transport_error_for_httpx(either: MockTrustoo) -> None:
    add(either, operation="get_reviews", drop=True, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        get_reviews(either)
    assert get_reviews(either).json()["code"] == 0
    dropped, answered = either.journal()
    assert (dropped["status"], dropped["code"], dropped["fault"]) == (None, None, "1")
    assert answered["status"] == 200 and "fault" not in answered


def test_a_dropped_connection_is_a_transport_error_for_async_httpx(fake: MockTrustoo) -> None:
    add(fake, drop=True)
    shop = demo_shop(fake)

    async def call() -> None:
        async with fake.async_client(shop) as client:
            await client.get(REVIEWS)

    with pytest.raises(httpx.RemoteProtocolError):
        asyncio.run(call())


def requests_get(mock: MockTrustoo, path: str = REVIEWS) -> requests.Response:
    shop = demo_shop(mock)
    signer = RequestsSigner(shop.public_token, shop.private_token, mock.fake.ctx.signature_time)
    return requests.get(mock.base_url + path, auth=signer, timeout=10)


def test_requests_sees_each_action(served: MockTrustoo) -> None:
    add(served, drop=True, times=1)
    add(served, response={"status": 502, "content_type": "text/html", "body": GATEWAY_PAGE})
    add(served, error={"code": 13}, times=1)
    add(served, rate_limit={"requests": 0, "per_seconds": 30}, times=1)
    with pytest.raises(requests.ConnectionError):
        requests_get(served)
    gateway = requests_get(served)
    assert (gateway.status_code, gateway.text) == (502, GATEWAY_PAGE)
    fault_ids = [fault["id"] for fault in served.control("GET", "/_mock/faults")]
    served.control("DELETE", f"/_mock/faults/{fault_ids[1]}")
    assert requests_get(served).json()["code"] == 13
    limited = requests_get(served)
    assert (limited.status_code, limited.json()["code"]) == (429, 8)
    assert limited.headers["Retry-After"] == "30"
    assert requests_get(served).json()["code"] == 0


def raw_exchange(mock: MockTrustoo, request: bytes) -> bytes:
    """What the server sends back on a bare socket until it closes the connection."""
    parts = urlsplit(mock.base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def test_at_the_socket_level_a_drop_sends_nothing_and_closes(served: MockTrustoo) -> None:
    add(served, operation="widget_get_product_reviews", drop=True)
    add(served, operation="widget_get_products_rating", error={"code": 13})
    host = urlsplit(served.base_url).netloc.encode()
    request = b"GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
    dropped = raw_exchange(served, request % (b"/api/v1/reviews/get_product_reviews?shop=x", host))
    assert dropped == b""
    faulted = raw_exchange(served, request % (b"/api/v1/reviews/get_products_rating?shop=x", host))
    assert faulted.startswith(b"HTTP/1.1 200 ") and b'{"code":13,' in faulted


def test_a_served_request_leaves_nothing_for_the_garbage_collector(served: MockTrustoo) -> None:
    """The drop extension every served request is offered holds the server's ``send``
    weakly: held strongly, each request was a reference cycle (22 objects) that only the
    garbage collector could free."""
    address = urlsplit(served.base_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port)
    target = "/api/v1/reviews/get_product_reviews?shop=demo-shop.myshopify.com&product_handle=x"
    connection.request("GET", target)
    connection.getresponse().read()
    gc.collect()
    gc.disable()
    try:
        for _ in range(100):
            connection.request("GET", target)
            assert connection.getresponse().read()
        left = gc.collect()
    finally:
        gc.enable()
        connection.close()
    assert left < 100, left


def test_a_delay_alone_answers_normally_and_is_journaled(fake: MockTrustoo) -> None:
    add(fake, delay=0.05, times=1)
    assert get_reviews(fake).json()["code"] == 0
    assert fake.journal()[-1]["fault"] == "1"


def test_a_delay_makes_a_short_client_timeout_fire(served: MockTrustoo) -> None:
    add(served, delay=2, times=1)
    with pytest.raises(httpx.ReadTimeout):
        get_reviews(served, timeout=0.2)


def test_a_delay_goes_before_the_action(fake: MockTrustoo) -> None:
    add(fake, delay=0.01, error={"code": 4}, times=1)
    assert codes(fake, 2) == [4, 0]


# -- how often ------------------------------------------------------------------------------


def test_a_rate_limit_is_refilled_by_advancing_the_clock(either: MockTrustoo) -> None:
    add(either, rate_limit={"requests": 2, "per_seconds": 60})
    with either.client(demo_shop(either)) as client:
        answers = [client.get(REVIEWS) for _ in range(3)]
        assert [answer.json()["code"] for answer in answers] == [0, 0, 8]
        assert answers[2].status_code == 429
        assert answers[2].headers["Retry-After"] == "60"
        either.advance(45)
        assert client.get(REVIEWS).headers["Retry-After"] == "15"
        either.advance(15)
        assert [client.get(REVIEWS).json()["code"] for _ in range(3)] == [0, 0, 8]


def test_a_rate_limit_counts_each_shop_apart(fake: MockTrustoo) -> None:
    other = fake.create_shop()
    add(fake, rate_limit={"requests": 1, "per_seconds": 60})
    assert codes(fake, 2) == [0, 8]
    with fake.client(other) as client:
        assert client.get(REVIEWS).json()["code"] == 0


def test_a_rate_limit_per_platform_counts_its_calls_on_every_shop(fake: MockTrustoo) -> None:
    other = fake.create_shop()
    tokens = [fake.authorize(shop, DEMO_CLIENT_ID).access_token for shop in (DEMO_SHOP_ID, other)]
    add(fake, rate_limit={"requests": 1, "per_seconds": 60, "per": "platform"})
    answers = []
    for token in tokens:
        with fake.client(token=token) as client:
            answers.append(client.get(REVIEWS).json()["code"])
    assert answers == [0, 8]
    with fake.client(other) as client:  # the shop's own signed calls count by shop
        assert client.get(REVIEWS).json()["code"] == 0


def test_an_outage_window_is_crossed_with_advance(fake: MockTrustoo) -> None:
    add(fake, error={"code": 13}, **{"from": FROZEN_AT + 60, "until": FROZEN_AT + 120})
    assert codes(fake, 1) == [0]
    fake.advance(60)
    assert codes(fake, 1) == [13]
    fake.advance(60)
    assert codes(fake, 1) == [0]


def probable_codes(seed: int) -> list[int]:
    with MockTrustoo(random_seed=seed) as mock:
        add(mock, error={"code": 13}, probability=0.5)
        return codes(mock, 40)


def test_probability_faults_repeat_with_the_same_seed() -> None:
    first = probable_codes(11)
    assert first == probable_codes(11)
    assert 0 < first.count(13) < 40
    assert first != probable_codes(12)


def test_a_probability_fault_changes_no_id_the_run_hands_out() -> None:
    def request_ids(probability: float | None) -> list[str]:
        with MockTrustoo(random_seed=5) as mock:
            if probability is not None:
                add(mock, delay=0, probability=probability)
            with mock.client(demo_shop(mock)) as client:
                return [client.get(REVIEWS).json()["request_id"] for _ in range(3)]

    assert request_ids(None) == request_ids(0.5)


def test_the_fault_state_is_in_the_store(fake: MockTrustoo) -> None:
    """Whatever copies the store (snapshots, --data) copies faults and their counts."""
    add(fake, rate_limit={"requests": 1, "per_seconds": 60})
    codes(fake, 2)
    (stored,) = fake.fake.ctx.store.tables()["faults"].values()
    assert stored["fired"] == 1
    assert stored["windows"] == {f"shop {DEMO_SHOP_ID}": [FROZEN_AT, 2]}


# -- Python ---------------------------------------------------------------------------------


def test_fault_returns_a_handle_that_counts_and_removes(fake: MockTrustoo) -> None:
    fault = fake.fault("get_reviews", error={"code": 13}, times=2)
    assert (fault.id, fault.settings["times"], fault.fired) == ("1", 2, 0)
    assert codes(fake, 1) == [13]
    assert fault.fired == 1
    fault.remove()
    fault.remove()
    assert codes(fake, 1) == [0]
    assert fault.fired == 0


def test_a_fault_is_a_context_manager_removed_on_exit(fake: MockTrustoo) -> None:
    with fake.fault(["get_reviews", "get_rating"], drop=True) as fault:
        with pytest.raises(httpx.RemoteProtocolError):
            get_reviews(fake)
        assert fault.fired == 1
    assert fake.faults() == []
    assert get_reviews(fake).json()["code"] == 0


def test_fault_takes_records_and_the_window_on_the_fakes_clock(fake: MockTrustoo) -> None:
    other = fake.create_shop()
    fault = fake.fault(shop_id=other, error={"code": 8}, from_=FROZEN_AT + 10, until=FROZEN_AT + 20)
    assert fault.settings["shop_id"] == other.shop_id
    assert fault.settings["from"] == FROZEN_AT + 10
    with fake.client(other) as client:
        assert client.get(REVIEWS).json()["code"] == 0
        fake.advance(10)
        assert client.get(REVIEWS).json()["code"] == 8


def test_remove_faults_removes_every_fault(fake: MockTrustoo) -> None:
    fake.fault(error={"code": 13})
    fake.fault(delay=0)
    fake.remove_faults()
    assert fake.faults() == []


def test_a_refused_fault_raises_with_the_field_named(fake: MockTrustoo) -> None:
    with pytest.raises(MockTrustooError, match="operation"):
        fake.fault("get_reveiws", error={"code": 13})


@pytest.mark.trustoo_fault(operation="get_reviews", error={"code": 13}, times=1)
@pytest.mark.trustoo_fault(operation="get_rating", error={"code": 4})
def test_the_marker_sets_faults_before_the_test(trustoo: MockTrustoo) -> None:
    assert [fault["operation"] for fault in trustoo.faults()] == [["get_reviews"], ["get_rating"]]
    assert codes(trustoo, 2) == [13, 0]
    assert codes(trustoo, 1, RATING) == [4]


@pytest.mark.trustoo_fault(drop=True)
def test_the_marker_sets_faults_on_the_live_fake(trustoo_server: MockTrustoo) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        get_reviews(trustoo_server)


def test_the_next_test_on_the_live_fake_has_no_fault(trustoo_server: MockTrustoo) -> None:
    assert trustoo_server.faults() == []


def test_a_malformed_marker_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.trustoo_fault(operation="nope", error={"code": 13})
        def test_faulted(trustoo):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*UsageError: the trustoo_fault marker*operation must name*"])


# -- the command line -----------------------------------------------------------------------


def trustoo_mock_command(*arguments: str) -> subprocess.CompletedProcess[str]:
    program = str(Path(sys.executable).with_name("trustoo-mock"))
    return subprocess.run(
        [program, *arguments], capture_output=True, text=True, timeout=60, check=False
    )


def served_reviews(base_url: str) -> httpx.Response:
    auth = TrustooAuth(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN)
    return httpx.get(base_url + REVIEWS, auth=auth, timeout=10)


def test_serve_sets_the_faults_of_a_yaml_file(tmp_path: Path) -> None:
    listed = tmp_path / "faults.yaml"
    listed.write_text(
        "- operation: get_reviews\n  error: {code: 13, message: upstream down}\n  times: 1\n"
        "- operation: get_rating\n  drop: true\n"
    )
    with live_server("--faults", str(listed)) as base_url:
        first = served_reviews(base_url).json()
        assert (first["code"], first["message"]) == (13, "upstream down")
        assert served_reviews(base_url).json()["code"] == 0
        set_faults = httpx.get(f"{base_url}/_mock/faults").json()
        assert [fault["fired"] for fault in set_faults] == [1, 0]


def test_serve_refuses_a_bad_faults_file_naming_the_fault(tmp_path: Path) -> None:
    listed = tmp_path / "faults.json"
    listed.write_text('[{"error": {"code": 13}}, {"operation": "get_reveiws", "drop": true}]')
    done = trustoo_mock_command("serve", "--port", "0", "--faults", str(listed))
    assert done.returncode == 2
    assert f"{listed}: fault 2: invalid fault: operation 'get_reveiws'" in done.stderr


def test_the_fault_command_adds_lists_and_clears_on_a_running_fake() -> None:
    with live_server("--control-token", "s3cret-token") as base_url:
        common = ("--url", base_url, "--control-token", "s3cret-token")
        added = trustoo_mock_command("fault", *common, "--operation", "get_reviews", "--error", "4")
        assert added.returncode == 0, added.stderr
        assert json.loads(added.stdout)["error"] == {"code": 4}
        assert served_reviews(base_url).json()["code"] == 4
        listed = trustoo_mock_command("fault", *common)
        assert [fault["fired"] for fault in json.loads(listed.stdout)] == [1]
        limited = trustoo_mock_command("fault", *common, "--rate-limit", "0/60", "--times", "1")
        assert json.loads(limited.stdout)["rate_limit"]["per_seconds"] == 60
        assert trustoo_mock_command("fault", *common, "--clear").returncode == 0
        assert served_reviews(base_url).json()["code"] == 0


def test_the_fault_command_says_what_was_refused() -> None:
    with live_server("--control-token", "s3cret-token") as base_url:
        unauthorised = trustoo_mock_command("fault", "--url", base_url, "--drop")
        assert unauthorised.returncode == 1
        assert "refused (401)" in unauthorised.stderr
        common = ("--url", base_url, "--control-token", "s3cret-token")
        bad = trustoo_mock_command("fault", *common, "--error", "2")
        assert bad.returncode == 1 and "error.code" in bad.stderr


def test_the_spec_lists_exactly_the_operations_a_fault_may_name() -> None:
    from trustoo_mock.server.control import faultable_operations
    from trustoo_mock.spec.openapi import bundled_spec

    schemas = bundled_spec().document["components"]["schemas"]
    assert set(schemas["MockFaultOperation"]["enum"]) == faultable_operations()


def test_under_another_asgi_server_a_drop_is_an_empty_502_never_a_500() -> None:
    """Without the fake's own ways in (no drop extension), the nearest an app can send."""
    app = create_app(Config(random_seed=3))
    faults.create_fault(app.state.fake.ctx, {"drop": True}, {"widget_get_products_rating"})

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.get("/api/v1/reviews/get_products_rating?shop=x")

    answer = asyncio.run(call())
    assert (answer.status_code, answer.content) == (502, b"")
    assert answer.headers["connection"] == "close"


def test_a_restored_snapshot_fails_the_same_requests_again() -> None:
    with MockTrustoo(random_seed=11) as mock:
        add(mock, error={"code": 13}, probability=0.5)
        with mock.snapshot("before"):
            first = codes(mock, 40)
        assert 0 < first.count(13) < 40
        assert codes(mock, 40) == first

"""The pytest plugin, as a project that installed trustoo-mock sees it (through pytester)."""

from __future__ import annotations

import json
import socket

import pytest

from tests.live import free_port

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def test_fixtures_work_in_a_project_with_no_set_up(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import json, urllib.request

        def test_in_process(trustoo, trustoo_shop):
            with trustoo.client(trustoo_shop) as http:
                review = {"rating": 5, "author": "Ana"}
                created = http.post("/api/v1/openapi/create_review", json=review)
                assert created.json()["code"] == 0
            assert trustoo.base_url == "http://trustoo.test"

        def test_live(trustoo_server, trustoo_shop, trustoo_platform):
            grant = trustoo_server.authorize(trustoo_shop, trustoo_platform, ["read_reviews"])
            request = urllib.request.Request(
                trustoo_server.base_url + "/api/v1/openapi/get_rating",
                headers={"Authorization": "Bearer " + grant.access_token},
            )
            with urllib.request.urlopen(request) as answer:
                assert json.load(answer)["data"]["review_count"] == 0

        def test_receiver(trustoo, trustoo_shop, webhook_receiver):
            with trustoo.client(trustoo_shop) as http:
                http.post("/api/v1/openapi/create_shop_webhook",
                          json={"topic": "review/created", "url": webhook_receiver.url})
                http.post("/api/v1/openapi/create_review", json={"rating": 4, "author": "Bo"})
            (push,) = webhook_receiver.pushes
            push.verify(trustoo_shop.private_token)
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_each_test_gets_a_fresh_fake_and_a_reset_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        PORTS = set()

        @pytest.mark.parametrize("run", [1, 2])
        def test_in_process(trustoo, run):
            assert "42" not in [shop.shop_id for shop in trustoo.shops()]
            assert trustoo.shops()[0].shop_id == "70000000001"
            trustoo.create_shop(shop_id="42")
            trustoo.advance(3600)

        @pytest.mark.parametrize("run", [1, 2])
        def test_live(trustoo_server, run):
            PORTS.add(trustoo_server.base_url)
            assert len(PORTS) == 1  # started once for the session
            assert "42" not in [shop.shop_id for shop in trustoo_server.shops()]
            assert trustoo_server.shops()[0].shop_id == "70000000001"
            trustoo_server.create_shop(shop_id="42")
            trustoo_server.freeze(at=0)

        def test_the_clock_was_reset_too(trustoo_server):
            assert trustoo_server.now > 1_000_000_000
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=5)


def test_markers_configure_the_fakes(pytester: pytest.Pytester) -> None:
    seed = {"shops": [{"shop_id": "5", "name": "Seeded"}]}
    pytester.path.joinpath("data").mkdir()
    pytester.path.joinpath("data", "seed.json").write_text(json.dumps(seed))
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.trustoo(clock="2026-01-01T00:00:00Z")

        def test_module_marker(trustoo):
            assert trustoo.now == 1767225600

        @pytest.mark.trustoo(seed="empty", error_http_status="mirror", clock="real")
        def test_closest_marker_wins(trustoo_server):
            assert trustoo_server.shops() == []
            assert trustoo_server.now > 1767225600
            with trustoo_server.client() as http:
                refused = http.get("/api/v1/openapi/get_reviews")
                assert (refused.status_code, refused.json()["code"]) == (401, 16)

        @pytest.mark.trustoo(seed="data/seed.json", random_seed=7, clock=0)
        def test_seed_file_beside_the_test(trustoo):
            assert [shop.name for shop in trustoo.shops()] == ["Seeded"]
            assert trustoo.config.random_seed == 7
            assert trustoo.now == 0
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ('colour="blue"', "*no setting 'colour'*"),
        (
            'error_http_status="sometimes"',
            "*error_http_status 'sometimes': use 'mirror' or an HTTP status*",
        ),
    ],
)
def test_a_bad_marker_setting_is_an_error_naming_it(
    pytester: pytest.Pytester, setting: str, says: str
) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.trustoo({setting})
        def test_bad_marker(trustoo):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([says])


def test_ini_options_set_the_defaults(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("seed.json").write_text(json.dumps({"shops": [{"shop_id": "9"}]}))
    pytester.makeini(
        """
        [pytest]
        trustoo_seed = seed.json
        trustoo_clock = frozen
        trustoo_error_http_status = mirror
        """
    )
    pytester.makepyfile(
        """
        import time

        def test_defaults(trustoo):
            assert [shop.shop_id for shop in trustoo.shops()] == ["9"]
            assert trustoo.config.error_http_status == "mirror"
            frozen = trustoo.now
            time.sleep(1.1)
            assert trustoo.now == frozen <= time.time()
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_errors_are_http_200_unless_configured(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_default(trustoo):
            with trustoo.client() as http:
                refused = http.get("/api/v1/openapi/get_reviews")
            assert (refused.status_code, refused.json()["code"]) == (200, 16)
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_bad_ini_mode_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ntrustoo_error_http_status = sometimes\n")
    pytester.makepyfile("def test_it(trustoo):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*trustoo_error_http_status: error_http_status 'sometimes'*"])


def test_each_xdist_worker_has_its_own_server(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        """
        import os, pathlib, pytest

        @pytest.mark.parametrize("run", range(6))
        def test_port(trustoo_server, run):
            worker = os.environ["PYTEST_XDIST_WORKER"]
            out = pathlib.Path(os.environ["PORTS_DIR"]) / f"{worker}-{run}"
            out.write_text(trustoo_server.base_url)
            trustoo_server.create_shop(shop_id="42")  # would collide if servers were shared
        """
    )
    ports = pytester.path / "ports"
    ports.mkdir()
    monkeypatch.setenv("PORTS_DIR", str(ports))
    # Plugins the run does not use stay out: each of its three processes would import them.
    unused = ["-p", "no:cacheprovider", "-p", "no:schemathesis", "-p", "no:hypothesispytest"]
    result = pytester.runpytest_subprocess(*unused, "-p", "no:anyio", "-n", "2")
    result.assert_outcomes(passed=6)
    by_worker: dict[str, set[str]] = {}
    for path in ports.iterdir():
        by_worker.setdefault(path.name.split("-")[0], set()).add(path.read_text())
    assert len(by_worker) == 2
    urls = [url for worker_urls in by_worker.values() for url in worker_urls]
    assert all(len(worker_urls) == 1 for worker_urls in by_worker.values())
    assert len(set(urls)) == 2


def _outside_xdist(monkeypatch: pytest.MonkeyPatch) -> None:
    """The inner run is one process: run under an xdist worker, it would inherit the worker's
    name and add the worker's number to a pinned port."""
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


def test_ports_can_be_pinned_by_ini_options(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _outside_xdist(monkeypatch)
    server_port, receiver_port = free_port(), free_port()
    pytester.makeini(
        f"""
        [pytest]
        trustoo_server_port = {server_port}
        trustoo_receiver_port = {receiver_port}
        """
    )
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.parametrize("run", [1, 2])
        def test_pinned(trustoo_server, webhook_receiver, run):
            assert trustoo_server.base_url == "http://127.0.0.1:{server_port}"
            assert webhook_receiver.url.startswith("http://127.0.0.1:{receiver_port}/")

        @pytest.mark.trustoo(seed="empty")
        def test_other_settings_take_the_same_port(trustoo_server):
            assert trustoo_server.base_url == "http://127.0.0.1:{server_port}"
            assert trustoo_server.shops() == []

        def test_and_back(trustoo_server):
            assert trustoo_server.base_url == "http://127.0.0.1:{server_port}"
            assert "70000000001" in [shop.shop_id for shop in trustoo_server.shops()]
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=4)


def test_environment_variables_pin_ports_over_the_ini(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _outside_xdist(monkeypatch)
    server_port, receiver_port = free_port(), free_port()
    pytester.makeini("[pytest]\ntrustoo_server_port = 1\ntrustoo_receiver_port = 1\n")
    monkeypatch.setenv("TRUSTOO_MOCK_SERVER_PORT", str(server_port))
    monkeypatch.setenv("TRUSTOO_MOCK_RECEIVER_PORT", str(receiver_port))
    pytester.makepyfile(
        f"""
        def test_pinned(trustoo_server, webhook_receiver):
            assert trustoo_server.base_url.endswith(":{server_port}")
            assert webhook_receiver.url.startswith("http://127.0.0.1:{receiver_port}/")
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_pinned_port_that_is_taken_or_wrong_is_named(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _outside_xdist(monkeypatch)
    monkeypatch.setenv("TRUSTOO_MOCK_RECEIVER_PORT", "http")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setenv("TRUSTOO_MOCK_SERVER_PORT", str(taken.getsockname()[1]))
        pytester.makepyfile(
            """
            def test_server(trustoo_server):
                pass

            def test_receiver(webhook_receiver):
                pass
            """
        )
        result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        ["*trustoo_server cannot listen on 127.0.0.1:*TRUSTOO_MOCK_SERVER_PORT*"]
    )
    result.stdout.fnmatch_lines(["*$TRUSTOO_MOCK_RECEIVER_PORT 'http': use a port number*"])


def test_each_test_meets_its_own_shop_the_same_in_every_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        """
        import json, os, pathlib, pytest

        def record(name, shop):
            out = pathlib.Path(os.environ["SHOPS_DIR"]) / name
            out.write_text(json.dumps([shop.shop_id, shop.public_token, shop.private_token]))

        @pytest.mark.parametrize("run", [1, 2])
        def test_in_process(trustoo_shop, run):
            record(f"in-process-{run}", trustoo_shop)

        @pytest.mark.parametrize("run", [1, 2])
        def test_live(trustoo_server, trustoo_shop, run):
            record(f"live-{run}", trustoo_shop)

        @pytest.mark.trustoo(random_seed=7)
        def test_chosen_seed(trustoo_shop):
            record("seed-7", trustoo_shop)

        @pytest.mark.trustoo(random_seed=7)
        def test_chosen_seed_again(trustoo_server, trustoo_shop):
            record("seed-7-live", trustoo_shop)
        """
    )
    runs = []
    for run in ("first", "second"):
        shops = pytester.path / run
        shops.mkdir()
        monkeypatch.setenv("SHOPS_DIR", str(shops))
        pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=6)
        runs.append({path.name: json.loads(path.read_text()) for path in shops.iterdir()})
    first, second = runs
    assert first == second  # repeatable run to run
    by_test = [first[name] for name in ("in-process-1", "in-process-2", "live-1", "live-2")]
    values = [value for shop in by_test for value in shop]
    assert len(set(values)) == len(values)  # no id or token shared between tests
    assert first["seed-7"] == first["seed-7-live"]  # the marker chooses the seed

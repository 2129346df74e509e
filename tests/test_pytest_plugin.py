"""The pytest plugin, as a project that installed trustoo-mock sees it (through pytester)."""

from __future__ import annotations

import json

import pytest

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

        @pytest.mark.trustoo(seed="empty", error_http_status=200, clock="real")
        def test_closest_marker_wins(trustoo_server):
            assert trustoo_server.shops() == []
            assert trustoo_server.now > 1767225600
            with trustoo_server.client() as http:
                assert http.get("/api/v1/openapi/get_reviews").status_code == 200

        @pytest.mark.trustoo(seed="data/seed.json", random_seed=7, clock=0)
        def test_seed_file_beside_the_test(trustoo):
            assert [shop.name for shop in trustoo.shops()] == ["Seeded"]
            assert trustoo.config.random_seed == 7
            assert trustoo.now == 0

        @pytest.mark.trustoo(colour="blue")
        def test_unknown_setting(trustoo):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*no setting 'colour'*"])


def test_ini_options_set_the_defaults(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("seed.json").write_text(json.dumps({"shops": [{"shop_id": "9"}]}))
    pytester.makeini(
        """
        [pytest]
        trustoo_seed = seed.json
        trustoo_clock = frozen
        trustoo_error_http_status = 200
        """
    )
    pytester.makepyfile(
        """
        import time

        def test_defaults(trustoo):
            assert [shop.shop_id for shop in trustoo.shops()] == ["9"]
            assert trustoo.config.error_http_status == 200
            frozen = trustoo.now
            time.sleep(1.1)
            assert trustoo.now == frozen <= time.time()
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


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
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=6)
    by_worker: dict[str, set[str]] = {}
    for path in ports.iterdir():
        by_worker.setdefault(path.name.split("-")[0], set()).add(path.read_text())
    assert len(by_worker) == 2
    urls = [url for worker_urls in by_worker.values() for url in worker_urls]
    assert all(len(worker_urls) == 1 for worker_urls in by_worker.values())
    assert len(set(urls)) == 2

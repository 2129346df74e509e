"""The API tests run twice: in process (straight into the app) and over HTTP against the live
server the ``trustoo_server`` fixture uses, so the two ways of running the fake cannot drift.
``--modes inprocess`` (or ``live``) runs one; ``@pytest.mark.modes("inprocess")`` keeps a
test to the modes it can run in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import FROZEN_AT, CheckedClient
from trustoo_mock import Config, create_app

pytest_plugins = ["pytester"]
MODES = ("inprocess", "live")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--modes",
        default=",".join(MODES),
        help="run the API tests in these modes, comma-separated: inprocess, live",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "modes(*names): the only modes this test can run in")
    config.addinivalue_line(
        "markers", "node: runs the npm tools of tools/ (Redocly, Prism); make lint installs them"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if not {"client", "empty_client"} & set(metafunc.fixturenames):
        return
    chosen = [mode.strip() for mode in metafunc.config.getoption("modes").split(",")]
    unknown = set(chosen) - set(MODES)
    if unknown:
        raise pytest.UsageError(f"--modes: unknown {', '.join(sorted(unknown))}")
    marker = metafunc.definition.get_closest_marker("modes")
    if marker is not None:
        chosen = [mode for mode in chosen if mode in marker.args]
    metafunc.parametrize("mode", chosen)


def _checked(mode: str, config: Config, pool: Any) -> Iterator[CheckedClient]:
    if mode == "live":
        server = pool.get(config)
        checked = CheckedClient(server.app, server)
    else:
        checked = CheckedClient(create_app(config))
    yield checked
    checked.http.close()


@pytest.fixture(scope="module")
def module_chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium for a module's browser tests (each takes it through
    ``tests.browser.fresh``); imported here only when a browser test asks for it."""
    from tests.browser import chromium

    with chromium(tmp_path_factory.mktemp("chromium")) as driver:
        yield driver


@pytest.fixture
def client(mode: str, _trustoo_server_pool: Any) -> Iterator[CheckedClient]:
    """A fresh fake with the demo data and a frozen clock."""
    yield from _checked(mode, Config(frozen_time=FROZEN_AT), _trustoo_server_pool)


@pytest.fixture
def empty_client(mode: str, _trustoo_server_pool: Any) -> Iterator[CheckedClient]:
    yield from _checked(mode, Config(frozen_time=FROZEN_AT, empty=True), _trustoo_server_pool)

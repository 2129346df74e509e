"""The consent page in a real headless Chromium: Approve and Deny land on a local callback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser import fresh
from tests.live import free_port, live_server

pytestmark = pytest.mark.browser


class _Callback(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><body><p id=landed>landed</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def callback_url() -> Iterator[str]:
    """A local redirect target, as a platform's callback would be."""
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), _Callback)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/oauth/callback"
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser(module_chromium: webdriver.Chrome) -> webdriver.Chrome:
    return fresh(module_chromium)


def _open_consent(http: httpx.Client, browser: webdriver.Chrome, callback: str) -> str:
    platform = http.post(
        "/_mock/platforms",
        json={"name": "Review Importer", "client_id": "importer", "redirect_uris": [callback]},
    ).json()
    url = http.get(
        "/api/v1/openapi/get_oauth_authorize_url",
        params={
            "client_id": "importer",
            "redirect_uri": callback,
            "scope": "read_reviews",
            "state": "abc",
        },
    ).json()["data"]["authorize_url"]
    browser.get(url)
    assert "Review Importer" in browser.find_element(By.TAG_NAME, "h1").text
    scopes = [item.text for item in browser.find_elements(By.CSS_SELECTOR, "#scopes li")]
    assert scopes == ["read_reviews"]
    return str(platform["client_secret"])


def _landed(browser: webdriver.Chrome, callback: str) -> dict[str, list[str]]:
    WebDriverWait(browser, 15).until(lambda driver: driver.current_url.startswith(callback))
    assert browser.find_element(By.ID, "landed").text == "landed"
    return parse_qs(urlsplit(browser.current_url).query)


def test_approve_in_a_browser_yields_a_working_code(
    browser: webdriver.Chrome, callback_url: str
) -> None:
    with live_server() as base, httpx.Client(base_url=base) as http:
        secret = _open_consent(http, browser, callback_url)
        shop = http.post("/_mock/shops", json={"name": "Second Shop"}).json()
        browser.refresh()
        Select(browser.find_element(By.ID, "shop_id")).select_by_value(shop["shop_id"])
        browser.find_element(By.ID, "approve").click()
        params = _landed(browser, callback_url)
        assert params["state"] == ["abc"]
        token = http.post(
            "/api/v1/openapi/oauth/token",
            json={
                "grant_type": "authorization_code",
                "client_id": "importer",
                "client_secret": secret,
                "code": params["code"][0],
                "redirect_uri": callback_url,
            },
        ).json()
        assert token["code"] == 0
        assert (token["data"]["shop_id"], token["data"]["scope"]) == (
            shop["shop_id"],
            "read_reviews",
        )


def test_deny_in_a_browser_reports_access_denied(
    browser: webdriver.Chrome, callback_url: str
) -> None:
    with live_server() as base, httpx.Client(base_url=base) as http:
        _open_consent(http, browser, callback_url)
        browser.find_element(By.ID, "deny").click()
        params = _landed(browser, callback_url)
        assert params == {"error": ["access_denied"], "state": ["abc"]}


def test_a_bad_request_shows_an_error_page_not_a_redirect(browser: webdriver.Chrome) -> None:
    with live_server() as base:
        browser.get(
            f"{base}/api/v1/openapi/oauth/authorize?client_id=demo-platform"
            "&redirect_uri=https://evil.example.com/steal"
        )
        assert browser.current_url.startswith(base)
        assert "not registered" in browser.find_element(By.ID, "error").text

"""The inspector in a real headless Chromium against a served fake (X97-X100): every page at
1280 and 390 px without a console error (screenshots in build/screenshots/; with
UPDATE_SCREENSHOTS=1 the wide ones also replace docs/screenshots/, which the README shows),
and each action end to end."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser import fresh
from tests.helpers import DEMO_PRIVATE_TOKEN, DEMO_PUBLIC_TOKEN, DEMO_SHOP_ID, FROZEN_AT
from tests.live import live_server
from trustoo_mock.httpx_auth import TrustooAuth
from trustoo_mock.receiver import WebhookReceiver
from trustoo_mock.server.ui_html import PAGES

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parent.parent
ARTEFACTS = ROOT / "build" / "screenshots"
README_SCREENSHOTS = ROOT / "docs" / "screenshots"
WIDTHS = {"wide": (1280, 1000), "narrow": (390, 844)}
# The fake's clock stands still (retries fall due only when a test moves it); signatures are
# checked against the wall clock, which the signing client uses.
SERVE = ("--frozen-time", str(FROZEN_AT), "--signature-clock", "wall", "--random-seed", "7")
WAIT = 15


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with live_server(*SERVE) as base:
        yield base


@pytest.fixture
def fake(server: str) -> Iterator[httpx.Client]:
    """The served fake, back at its start-up state."""
    with httpx.Client(base_url=server, timeout=10) as http:
        http.post("/_mock/reset")
        yield http


@pytest.fixture
def browser(module_chromium: webdriver.Chrome) -> webdriver.Chrome:
    driver = fresh(module_chromium)
    driver.set_window_size(*WIDTHS["wide"])
    return driver


def console_errors(browser: webdriver.Chrome) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def visit(browser: webdriver.Chrome, url: str) -> None:
    browser.get(url)
    WebDriverWait(browser, WAIT).until(
        lambda driver: driver.execute_script("return document.readyState") == "complete"
    )


def subscribe(fake: httpx.Client, topic: str, url: str) -> None:
    answer = fake.post(
        "/api/v1/openapi/create_shop_webhook",
        json={"topic": topic, "url": url},
        auth=TrustooAuth(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN),
    )
    assert answer.json()["code"] == 0


def refused_request(fake: httpx.Client) -> str:
    """A get_reviews whose Sign is wrong (code 16); returns the Timestamp it sent."""
    stamp = str(int(time.time()))  # signatures are checked against the wall clock
    headers = {"Public-Token": DEMO_PUBLIC_TOKEN, "Timestamp": stamp, "Sign": "0" * 64}
    answer = fake.get("/api/v1/openapi/get_reviews?page=2", headers=headers)
    assert answer.json()["code"] == 16
    return stamp


def submit(browser: webdriver.Chrome, button: WebElement) -> None:
    """Click a form's button and wait for the page it leads back to. The page left may show
    a notice of its own (an earlier form's), so the wait is first for that page to be gone:
    a mark set on it is not on the next."""
    browser.execute_script("window.leftBehind = true")
    button.click()
    WebDriverWait(browser, WAIT).until(
        lambda driver: driver.execute_script(
            "return window.leftBehind === undefined && document.readyState === 'complete'"
        )
    )
    WebDriverWait(browser, WAIT).until(lambda driver: driver.find_elements(By.ID, "notice"))


def click(browser: webdriver.Chrome, element_id: str) -> None:
    submit(browser, browser.find_element(By.ID, element_id))


def deliveries(fake: httpx.Client) -> list[dict[str, object]]:
    found: list[dict[str, object]] = fake.get("/_mock/webhook_deliveries").json()
    return found


def fill_the_log(fake: httpx.Client, receiver: WebhookReceiver) -> None:
    """Something on every page: a subscription and its deliveries, a signed request and a
    refused one."""
    subscribe(fake, "review/created", receiver.url)
    fake.post(f"/_mock/shops/{DEMO_SHOP_ID}/reviews", json={"rating": 5, "author": "Ana"})
    fake.get("/api/v1/openapi/get_rating", auth=TrustooAuth(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN))
    refused_request(fake)
    fake.post("/_mock/faults", json={"operation": "get_orders", "error": {"code": 5}, "times": 3})
    fake.post(
        "/_mock/push_faults", json={"kind": "delay", "topic": "review/deleted", "seconds": 30}
    )
    fake.post("/_mock/snapshots", json={"name": "before-checkout"})
    fake.post("/_mock/wait_idle")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_loads_without_console_errors(
    server: str,
    fake: httpx.Client,
    browser: webdriver.Chrome,
    webhook_receiver: WebhookReceiver,
    width: str,
) -> None:
    fill_the_log(fake, webhook_receiver)
    browser.set_window_size(*WIDTHS[width])
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for listed in PAGES:
        visit(browser, server + listed.path)
        assert browser.find_element(By.TAG_NAME, "h1").is_displayed()
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth > window.innerWidth"
        )
        assert not overflow, f"{listed.title} is wider than {width}"
        name = listed.title.lower()
        shot = ARTEFACTS / f"{name}-{width}.png"
        assert browser.save_screenshot(str(shot))
        if width == "wide" and os.environ.get("UPDATE_SCREENSHOTS") == "1":
            README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, README_SCREENSHOTS / f"{name}.png")
        assert console_errors(browser) == [], listed.path


def test_the_keyboard_reaches_every_control_with_a_visible_focus(
    server: str, fake: httpx.Client, browser: webdriver.Chrome
) -> None:
    visit(browser, f"{server}/_mock/ui/reviews")
    for _ in range(3):
        browser.switch_to.active_element.send_keys("\ue004")  # Tab
    focused = browser.switch_to.active_element
    outline = browser.execute_script("return getComputedStyle(arguments[0]).outlineStyle", focused)
    assert focused.tag_name in ("a", "button", "select", "input", "textarea", "div")
    assert outline != "none"


def test_a_reply_in_the_browser_pushes_review_updated(
    server: str, fake: httpx.Client, browser: webdriver.Chrome, webhook_receiver: WebhookReceiver
) -> None:
    subscribe(fake, "review/updated", webhook_receiver.url)
    visit(browser, f"{server}/_mock/ui/reviews")
    first = browser.find_element(By.CSS_SELECTOR, "article[id^=review-]")
    review_id = first.get_attribute("id").removeprefix("review-")
    browser.find_element(By.ID, f"reply-{review_id}").send_keys("Thank you, Ana!")
    click(browser, f"send-reply-{review_id}")
    assert "1 webhook delivery queued" in browser.find_element(By.ID, "notice").text
    reply = browser.find_element(By.ID, f"reply-text-{review_id}").text
    assert "Thank you, Ana!" in reply
    (push,) = webhook_receiver.wait_for(1, timeout=WAIT)
    assert push.topic == "review/updated"
    assert push.json()["list"][0]["reply"]["content"] == "Thank you, Ana!"
    assert console_errors(browser) == []


def test_a_fault_added_in_the_browser_fires_and_a_snapshot_brings_it_back(
    server: str, fake: httpx.Client, browser: webdriver.Chrome
) -> None:
    visit(browser, f"{server}/_mock/ui/faults")
    Select(browser.find_element(By.ID, "f-operation")).select_by_value("get_rating")
    Select(browser.find_element(By.ID, "f-code")).select_by_value("5")
    click(browser, "add-fault-button")
    (fault,) = fake.get("/_mock/faults").json()
    signed = TrustooAuth(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN)
    assert fake.get("/api/v1/openapi/get_rating", auth=signed).json()["code"] == 5
    visit(browser, f"{server}/_mock/ui/faults")
    assert browser.find_element(By.ID, f"fault-{fault['id']}-fired").text == "1"
    visit(browser, f"{server}/_mock/ui/snapshots")
    browser.find_element(By.ID, "f-name").send_keys("with-fault")
    click(browser, "save-snapshot")
    visit(browser, f"{server}/_mock/ui/faults")
    click(browser, "remove-all-fault_id")
    assert fake.get("/_mock/faults").json() == []
    visit(browser, f"{server}/_mock/ui/snapshots")
    click(browser, "restore-with-fault")
    assert [item["id"] for item in fake.get("/_mock/faults").json()] == [fault["id"]]
    assert console_errors(browser) == []


def test_advance_makes_the_due_attempts_and_retry_sends_again(
    server: str, fake: httpx.Client, browser: webdriver.Chrome, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.respond(500)
    subscribe(fake, "review/created", webhook_receiver.url)
    fake.post(f"/_mock/shops/{DEMO_SHOP_ID}/reviews", json={"rating": 4, "author": "Bo"})
    fake.post("/_mock/wait_idle")
    (delivery,) = deliveries(fake)
    assert len(delivery["attempts"]) == 1  # type: ignore[arg-type]

    visit(browser, f"{server}/_mock/ui")
    for _ in range(2):  # 30 minutes: the attempts at 3, 9, 18 and 30 minutes
        submit(browser, browser.find_element(By.CSS_SELECTOR, "button[name=advance][value='900']"))
    visit(browser, f"{server}/_mock/ui/webhooks")
    item = browser.find_element(By.ID, f"delivery-{delivery['id']}")
    item.find_element(By.TAG_NAME, "summary").click()
    assert "5 attempt(s)" in item.text and "Next attempt at" in item.text

    webhook_receiver.respond(200)
    webhook_receiver.clear()
    click(browser, f"retry-{delivery['id']}")
    webhook_receiver.wait_for(1, timeout=WAIT)
    fake.post("/_mock/wait_idle")
    visit(browser, f"{server}/_mock/ui/webhooks")
    status = browser.find_element(By.ID, f"delivery-{delivery['id']}-status").text
    assert status == "delivered"
    assert console_errors(browser) == []


def test_a_refused_request_appears_live_with_its_string_to_sign(
    server: str, fake: httpx.Client, browser: webdriver.Chrome
) -> None:
    visit(browser, f"{server}/_mock/ui/requests")
    assert browser.find_elements(By.ID, "no-requests")
    stamp = refused_request(fake)  # while the page is open: it must appear without a reload
    found = WebDriverWait(browser, WAIT).until(
        lambda driver: driver.find_elements(By.CSS_SELECTOR, "details[id^=request-]")
    )
    (row,) = found
    row.find_element(By.TAG_NAME, "summary").click()
    seq = row.get_attribute("id").removeprefix("request-")
    expected = browser.find_element(By.ID, f"expected-{seq}").text
    assert expected == f"page=2&timestamp={stamp}"
    assert "Sign does not match" in browser.find_element(By.ID, f"fix-{seq}").text
    # Opening the row loads its headers, body and answer.
    WebDriverWait(browser, WAIT).until(lambda driver: "Answer" in row.text)
    assert '"code": 16' in row.text
    assert DEMO_PUBLIC_TOKEN not in browser.page_source
    assert console_errors(browser) == []


def test_the_control_token_is_asked_once_per_browser_session(
    browser: webdriver.Chrome, tmp_path: Path
) -> None:
    with live_server("--control-token", "inspector-s3cret") as base:
        visit(browser, f"{base}/_mock/ui/webhooks")
        # The sign-in page answers 401, which the console notes as a failed load.
        (refused,) = console_errors(browser)
        assert "status of 401" in refused
        browser.find_element(By.ID, "control_token").send_keys("inspector-s3cret")
        browser.find_element(By.ID, "sign-in").click()
        WebDriverWait(browser, WAIT).until(lambda driver: driver.current_url.endswith("/webhooks"))
        for listed in PAGES:
            visit(browser, base + listed.path)
            assert not browser.find_elements(By.ID, "control_token"), listed.path
        assert "inspector-s3cret" not in browser.current_url
        cookies = browser.get_cookies()
        assert all("inspector-s3cret" not in cookie["value"] for cookie in cookies)
        assert console_errors(browser) == []

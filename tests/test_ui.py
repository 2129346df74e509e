"""The inspector's pages and forms in process (X97-X100): each page, each action and its
webhooks, the journal's details with secrets cut out, and the control token as a session.
(tests/test_ui_browser.py drives the same pages in a real browser.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.helpers import (
    DEMO_ACCESS_TOKEN,
    DEMO_PRIVATE_TOKEN,
    DEMO_PUBLIC_TOKEN,
    DEMO_SHOP_ID,
    FROZEN_AT,
    CheckedClient,
)
from trustoo_mock import Config, create_app
from trustoo_mock.core.errors import CATALOGUE
from trustoo_mock.core.signing import parse_query, string_to_sign
from trustoo_mock.server.ui import SESSION_COOKIE, session_value
from trustoo_mock.server.ui_html import PAGES
from trustoo_mock.services.journal import KEPT_BYTES

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
REVIEWS_API = "/api/v1/openapi/get_reviews"
HOOK_URL = "http://127.0.0.1:9/inspector-hook"  # nothing listens on the discard port


@pytest.fixture
def ui() -> Iterator[CheckedClient]:
    """A fresh in-process fake with the demo data and a frozen clock, answers checked
    against openapi.yaml."""
    yield CheckedClient(create_app(Config(frozen_time=FROZEN_AT)))


def page(client: CheckedClient, path: str, status: int = 200) -> str:
    answer = client.request("GET", path)
    assert answer.status_code == status, answer.text[:500]
    assert answer.headers["content-type"].startswith("text/html")
    return str(answer.text)


def post_form(client: CheckedClient, path: str, fields: dict[str, str], **headers: str) -> Any:
    return client.request(
        "POST", path, content=urlencode(fields).encode(), headers={**FORM, **headers}
    )


def text_of(html: str, element_id: str) -> str:
    found = re.search(rf"id={element_id}(?:\s[^>]*)?>(.*?)</", html, re.S)
    assert found, element_id
    return unescape(found.group(1))


def subscribe(client: CheckedClient, topic: str) -> None:
    answer = client.signed(
        "POST", "/api/v1/openapi/create_shop_webhook", body={"topic": topic, "url": HOOK_URL}
    )
    assert answer.json()["code"] == 0


def deliveries(client: CheckedClient, topic: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.control(
        "GET", f"/_mock/webhook_deliveries?topic={topic}"
    ).json()
    return found


# -- every page -------------------------------------------------------------------------------


@pytest.mark.parametrize("listed", PAGES, ids=lambda listed: listed.title)
def test_every_page_has_the_navigation_and_marks_itself(ui: CheckedClient, listed: Any) -> None:
    html = page(ui, listed.path)
    assert f"<h1>{listed.title}" in html or listed.path == "/_mock/ui"
    for other in PAGES:
        assert f'href="{other.path}"' in html
    assert f'<a href="{listed.path}" aria-current=page>' in html
    assert "<html lang=en>" in html and "Skip to content" in html


def test_the_address_with_a_slash_leads_home(ui: CheckedClient) -> None:
    answer = ui.http.get("/_mock/ui/?done=x")
    assert (answer.status_code, answer.headers["location"]) == (
        307,
        "http://testserver/_mock/ui?done=x",
    )


def test_pages_load_nothing_from_elsewhere(ui: CheckedClient) -> None:
    answer = ui.request("GET", "/_mock/ui")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert not re.search(r'(src|href)="(https?:)?//', answer.text)


def test_home_lists_shops_platforms_grants_and_the_clock(ui: CheckedClient) -> None:
    html = page(ui, "/_mock/ui")
    assert DEMO_SHOP_ID in html and DEMO_PUBLIC_TOKEN in html
    # The private token is there for the developer, behind a click.
    private = re.search(r"<details id=private-70000000001>.*?</details>", html, re.S)
    assert private and DEMO_PRIVATE_TOKEN in private.group(0)
    assert "demo-platform" in html and "read_reviews" in html
    assert "2026-09-08T04:05:06Z" in text_of(html, "clock-now")
    assert text_of(html, "clock-state") == "frozen"
    count = ui.signed("GET", REVIEWS_API).json()["data"]["page"]["count"]
    assert f'shop_id=70000000001">{count}</a>' in html


# -- the clock --------------------------------------------------------------------------------


def test_clock_buttons_move_freeze_and_set_it(ui: CheckedClient) -> None:
    moved = post_form(ui, "/_mock/ui/clock", {"advance": "3600", "back": "/_mock/ui"})
    assert moved.status_code == 303
    assert moved.headers["location"].startswith("/_mock/ui?done=")
    assert ui.control("GET", "/_mock/clock").json()["now"] == FROZEN_AT + 3600
    post_form(ui, "/_mock/ui/clock", {"freeze": "false"})
    assert ui.control("GET", "/_mock/clock").json()["frozen"] is False
    post_form(ui, "/_mock/ui/clock", {"freeze": "true", "set": "2030-01-01T00:00:00Z"})
    clock = ui.control("GET", "/_mock/clock").json()
    assert (clock["iso"], clock["frozen"]) == ("2030-01-01T00:00:00Z", True)


def test_an_empty_clock_form_changes_nothing(ui: CheckedClient) -> None:
    assert ui.request("POST", "/_mock/ui/clock", headers=FORM).status_code == 303
    assert ui.control("GET", "/_mock/clock").json()["now"] == FROZEN_AT


def test_a_bad_time_is_a_page_saying_so(ui: CheckedClient) -> None:
    answer = post_form(ui, "/_mock/ui/clock", {"set": "next tuesday"})
    assert answer.status_code == 400
    assert "set must be Unix seconds or an RFC 3339 time" in text_of(answer.text, "error")


def test_advancing_makes_the_due_attempts(ui: CheckedClient) -> None:
    subscribe(ui, "review/created")
    ui.control("POST", f"/_mock/shops/{DEMO_SHOP_ID}/reviews", {"rating": 5, "author": "Ana"})
    (first,) = deliveries(ui, "review/created")
    assert len(first["attempts"]) == 1  # nothing listens: attempt 1 failed, 2 due in 3 min
    post_form(ui, "/_mock/ui/clock", {"advance": "900"})
    (later,) = deliveries(ui, "review/created")
    assert len(later["attempts"]) > 1
    html = page(ui, "/_mock/ui/webhooks")
    assert f"{len(later['attempts'])} attempt(s)" in html
    assert later["next_attempt_at"] in html


# -- requests ---------------------------------------------------------------------------------


def test_a_refused_signature_shows_the_expected_string_to_sign_and_the_fix(
    ui: CheckedClient,
) -> None:
    stamp = str(FROZEN_AT)
    headers = {"Public-Token": DEMO_PUBLIC_TOKEN, "Timestamp": stamp, "Sign": "0" * 64}
    ui.request("GET", f"{REVIEWS_API}?page=2&ratings=5", headers=headers)
    html = page(ui, "/_mock/ui/requests")
    (seq,) = re.findall(r"id=request-(\d+) ", html)
    expected = string_to_sign(parse_query("page=2&ratings=5"), stamp).decode()
    assert text_of(html, f"expected-{seq}") == expected
    fix = text_of(html, f"fix-{seq}")
    assert "How to fix it:" in html
    assert CATALOGUE["bad_signature"][1].split("{message}")[0] in fix
    assert DEMO_PUBLIC_TOKEN not in html and DEMO_PRIVATE_TOKEN not in html


def test_a_request_opens_to_headers_query_body_and_answer_without_secrets(
    ui: CheckedClient,
) -> None:
    ui.bearer("GET", "/api/v1/openapi/get_reviews", DEMO_ACCESS_TOKEN, params={"page": 1})
    platform = ui.control(
        "POST", "/_mock/platforms", {"client_id": "importer", "skip_shop_oauth": True}
    ).json()
    secret = platform["client_secret"]
    token = ui.request(
        "POST",
        "/api/v1/openapi/oauth/token",
        content=urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": "importer",
                "client_secret": secret,
                "shop_id": DEMO_SHOP_ID,
            }
        ).encode(),
        headers=FORM,
    )
    issued = token.json()["data"]["access_token"]
    listed = page(ui, "/_mock/ui/requests")
    rows = re.findall(r'id=request-(\d+) data-detail="(/_mock/ui/requests/\d+)"', listed)
    assert [path for _, path in rows] == [f"/_mock/ui/requests/{seq}" for seq, _ in rows]
    html = "".join(page(ui, path) for _, path in rows)
    assert DEMO_ACCESS_TOKEN not in html and issued not in html
    assert secret not in html
    assert "authorization</dt><dd>[redacted]" in html
    assert "&quot;access_token&quot;: &quot;[redacted]&quot;" in html
    assert "&quot;total_page&quot;" in html  # the answer of get_reviews, indented


def test_a_request_no_longer_kept_is_a_page_saying_so(ui: CheckedClient) -> None:
    assert "not in the journal" in page(ui, "/_mock/ui/requests/12", 404)
    assert "not in the journal" in page(ui, "/_mock/ui/requests/x", 404)


def test_newest_first_and_filtered_by_shop_operation_and_outcome(ui: CheckedClient) -> None:
    ui.signed("GET", REVIEWS_API)
    ui.signed("GET", "/api/v1/openapi/get_rating")
    ui.request("GET", "/api/v1/openapi/get_rating")  # unsigned: refused, no shop known
    every = re.findall(r"id=request-(\d+) ", page(ui, "/_mock/ui/requests"))
    assert every == sorted(every, key=int, reverse=True) and len(every) == 3

    def shown(query: str) -> int:
        return len(re.findall(r"id=request-\d+ ", page(ui, f"/_mock/ui/requests?{query}")))

    assert shown("operation=get_rating") == 2
    assert shown("status=refused") == 1
    assert shown("status=ok&operation=get_rating") == 1
    assert shown(f"shop_id={DEMO_SHOP_ID}") == 2
    assert shown("shop_id=&operation=&status=") == 3  # a form's blank fields mean "any"


def test_the_journal_keeps_only_the_first_bytes_of_a_large_answer(ui: CheckedClient) -> None:
    ui.signed("GET", REVIEWS_API, params={"page_size": 100})
    journal = ui.app.state.fake.journal
    (entry,) = journal.entries()
    kept = journal.exchange(entry["seq"])
    assert kept is not None and kept["answer"].endswith("more bytes)")
    assert len(kept["answer"]) < KEPT_BYTES + 100


# -- webhooks ---------------------------------------------------------------------------------


def test_webhooks_lists_subscriptions_and_retry_starts_a_new_schedule(
    ui: CheckedClient,
) -> None:
    subscribe(ui, "review/created")
    ui.control("POST", f"/_mock/shops/{DEMO_SHOP_ID}/reviews", {"rating": 4, "author": "Bo"})
    post_form(ui, "/_mock/ui/clock", {"advance": "9000"})  # every retry made: failed
    (failed,) = deliveries(ui, "review/created")
    assert failed["status"] == "failed"
    html = page(ui, "/_mock/ui/webhooks")
    assert HOOK_URL in html and f"id=retry-{failed['id']}" in html
    answer = post_form(
        ui, f"/_mock/ui/deliveries/{failed['id']}/retry", {"back": "/_mock/ui/webhooks"}
    )
    assert answer.status_code == 303
    (retried,) = deliveries(ui, "review/created")
    assert len(retried["attempts"]) == len(failed["attempts"]) + 1
    assert retried["next_attempt_at"] is not None
    assert post_form(ui, "/_mock/ui/deliveries/999/retry", {}).status_code == 404


# -- reviews ----------------------------------------------------------------------------------


def review_ids(html: str) -> list[str]:
    return re.findall(r"<article id=review-(\d+)", html)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"page": 2, "page_size": 10},
        {"ratings": "4,5", "sort_by": "created-ascending"},
        {"keyword": "the", "is_store_review": 0},
    ],
)
def test_the_page_lists_what_get_reviews_lists(ui: CheckedClient, query: dict[str, Any]) -> None:
    listed = ui.signed("GET", REVIEWS_API, params=query).json()["data"]
    html = page(ui, f"/_mock/ui/reviews?{urlencode(query)}")
    assert review_ids(html) == [str(review["id"]) for review in listed["list"]]
    meta = listed["page"]
    info = f"Page {meta['page']} of {max(meta['total_page'], 1)} ({meta['count']} reviews)"
    assert text_of(html, "page-info") == info


def test_a_bad_filter_is_refused_as_get_reviews_refuses_it(ui: CheckedClient) -> None:
    assert "ratings" in page(ui, "/_mock/ui/reviews?ratings=9", 400)
    assert "no shop" in page(ui, "/_mock/ui/reviews?shop_id=1", 404)


def act(client: CheckedClient, review_id: str, action: str, **fields: str) -> Any:
    path = f"/_mock/ui/reviews/{DEMO_SHOP_ID}/{review_id}"
    back = f"/_mock/ui/reviews?shop_id={DEMO_SHOP_ID}"
    return post_form(client, path, {"action": action, "back": back, **fields})


def newest_review(client: CheckedClient) -> dict[str, Any]:
    found: dict[str, Any] = client.signed("GET", REVIEWS_API).json()["data"]["list"][0]
    return found


@pytest.mark.parametrize(
    ("action", "topic", "check"),
    [
        ("reply", "review/updated", lambda review: review["reply"]["content"] == "Thanks!"),
        ("feature", "review/updated", lambda review: review["is_featured"] == 1),
        ("hide", "review/deleted", lambda review: review["is_published"] == 0),
    ],
)
def test_each_merchant_action_fires_its_webhook(
    ui: CheckedClient, action: str, topic: str, check: Any
) -> None:
    subscribe(ui, topic)
    review = newest_review(ui)
    answer = act(ui, str(review["id"]), action, reply="Thanks!")
    assert answer.status_code == 303
    assert "1 webhook delivery queued" in unescape(answer.headers["location"]).replace("+", " ")
    changed = ui.signed("GET", "/api/v1/openapi/get_review", params={"id": review["id"]})
    assert check(changed.json()["data"])
    (pushed,) = deliveries(ui, topic)
    assert pushed["body"]["list"][0]["id"] == int(review["id"])


def test_show_unfeature_and_remove_reply_undo(ui: CheckedClient) -> None:
    review_id = str(newest_review(ui)["id"])
    act(ui, review_id, "hide")
    act(ui, review_id, "show")
    act(ui, review_id, "feature")
    act(ui, review_id, "unfeature")
    act(ui, review_id, "reply", reply="Hello")
    act(ui, review_id, "remove_reply")
    again = ui.signed("GET", "/api/v1/openapi/get_review", params={"id": review_id})
    data = again.json()["data"]
    assert (data["is_published"], data["is_featured"], data["reply"]) == (1, 0, None)


def test_delete_removes_it_and_fires_review_deleted(ui: CheckedClient) -> None:
    subscribe(ui, "review/deleted")
    review_id = str(newest_review(ui)["id"])
    act(ui, review_id, "delete")
    gone = ui.signed("GET", "/api/v1/openapi/get_review", params={"id": review_id})
    assert gone.json()["code"] != 0
    assert len(deliveries(ui, "review/deleted")) == 1
    assert act(ui, review_id, "feature").status_code == 404
    assert act(ui, review_id, "delete").status_code == 404


def test_an_empty_reply_is_refused(ui: CheckedClient) -> None:
    answer = act(ui, str(newest_review(ui)["id"]), "reply", reply="  ")
    assert answer.status_code == 400


def test_a_shopper_writes_a_review_and_review_created_fires(ui: CheckedClient) -> None:
    subscribe(ui, "review/created")
    answer = post_form(
        ui,
        f"/_mock/ui/reviews/{DEMO_SHOP_ID}",
        {"rating": "4", "author": "Cleo", "title": "Warm", "content": "Soft.", "product_id": ""},
    )
    assert answer.status_code == 303
    found = ui.signed("GET", REVIEWS_API, params={"keyword": "Cleo"}).json()["data"]["list"]
    (written,) = found
    assert (written["rating"], written["title"], written["is_store_review"]) == (4, "Warm", 1)
    assert len(deliveries(ui, "review/created")) == 1
    html = page(ui, "/_mock/ui/reviews?keyword=Cleo")
    assert review_ids(html) == [str(written["id"])]


def test_a_form_sends_the_browser_back_only_to_the_inspector(ui: CheckedClient) -> None:
    review_id = str(newest_review(ui)["id"])
    path = f"/_mock/ui/reviews/{DEMO_SHOP_ID}/{review_id}"
    refused = post_form(ui, path, {"action": "feature", "back": "https://example.com/"})
    assert refused.status_code == 400
    sneaky = post_form(ui, path, {"action": "feature", "back": "/_mock/ui//example.com"})
    assert sneaky.headers["location"].startswith("/_mock/ui?done=")


def test_a_form_posted_by_another_site_is_refused(ui: CheckedClient) -> None:
    answer = post_form(
        ui, "/_mock/ui/clock", {"advance": "60"}, Origin="http://evil.example", Host="testserver"
    )
    assert answer.status_code == 403
    assert ui.control("GET", "/_mock/clock").json()["now"] == FROZEN_AT
    same = post_form(
        ui, "/_mock/ui/clock", {"advance": "60"}, Origin="http://testserver", Host="testserver"
    )
    assert same.status_code == 303


# -- the control token ------------------------------------------------------------------------


def test_with_a_control_token_the_token_is_asked_once_and_kept_as_a_session() -> None:
    guarded = CheckedClient(create_app(Config(frozen_time=FROZEN_AT, control_token="s3cret!")))
    asked = guarded.request("GET", "/_mock/ui/requests?status=refused")
    assert asked.status_code == 401 and "id=control_token" in asked.text
    assert 'value="/_mock/ui/requests?status=refused"' in asked.text
    wrong = post_form(guarded, "/_mock/ui/session", {"control_token": "guess"})
    assert wrong.status_code == 401 and "not the control token" in wrong.text
    right = post_form(
        guarded, "/_mock/ui/session", {"control_token": "s3cret!", "back": "/_mock/ui/webhooks"}
    )
    assert (right.status_code, right.headers["location"]) == (303, "/_mock/ui/webhooks")
    cookie = right.headers["set-cookie"]
    assert "s3cret!" not in cookie and "s3cret!" not in right.headers["location"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age" not in cookie
    assert session_value("s3cret!") in cookie
    for listed in PAGES:
        assert guarded.request("GET", listed.path).status_code == 200
        assert "s3cret!" not in guarded.request("GET", listed.path).text
    guarded.http.cookies.set(SESSION_COOKIE, session_value("another"))
    assert guarded.request("GET", "/_mock/ui").status_code == 401
    bearer = {"Authorization": "Bearer s3cret!"}
    assert guarded.request("GET", "/_mock/ui", headers=bearer).status_code == 200


def test_after_a_snapshot_is_restored_the_journal_still_opens(ui: CheckedClient) -> None:
    ui.signed("GET", REVIEWS_API)
    ui.control("POST", "/_mock/snapshots", {"name": "before"})
    ui.signed("GET", "/api/v1/openapi/get_rating")
    ui.control("POST", "/_mock/snapshots/before/restore")
    (seq,) = re.findall(r"id=request-(\d+) ", page(ui, "/_mock/ui/requests"))
    assert "No longer kept" in page(ui, f"/_mock/ui/requests/{seq}")
    ui.signed("GET", "/api/v1/openapi/get_rating")
    newest = re.findall(r"id=request-(\d+) ", page(ui, "/_mock/ui/requests"))[0]
    assert "Answer" in page(ui, f"/_mock/ui/requests/{newest}")


def test_an_attempt_a_push_fault_touched_names_it(ui: CheckedClient) -> None:
    subscribe(ui, "review/created")
    fault = {"kind": "bad_signature", "topic": "review/created", "times": 1}
    ui.control("POST", "/_mock/push_faults", fault)
    ui.control("POST", f"/_mock/shops/{DEMO_SHOP_ID}/reviews", {"rating": 5, "author": "Di"})
    (pushed,) = deliveries(ui, "review/created")
    touched = pushed["attempts"][0]["push_fault"]
    assert touched is not None and touched["kind"] == "bad_signature"
    html = page(ui, "/_mock/ui/webhooks")
    assert "kind bad_signature" in html


# -- faults and snapshots ----------------------------------------------------------------------

FAULTS = "/_mock/ui/faults"


def add_fault(client: CheckedClient, **fields: str) -> Any:
    """The add-a-fault form as a browser sends it: every field, the blank ones included."""
    blank = dict.fromkeys(("operation", "shop_id", "code", "requests", "per_seconds"), "")
    blank.update(dict.fromkeys(("delay", "times", "probability"), ""))
    return post_form(client, FAULTS, {**blank, **fields, "back": FAULTS})


def test_an_added_fault_is_listed_and_fires_on_a_request(ui: CheckedClient) -> None:
    added = add_fault(ui, action="error", operation="get_reviews", code="5", times="1")
    assert (added.status_code, added.headers["location"]) == (303, f"{FAULTS}?done=Fault+1+set")
    (fault,) = ui.control("GET", "/_mock/faults").json()
    assert (fault["operation"], fault["error"], fault["times"]) == (
        ["get_reviews"],
        {"code": 5},
        1,
    )
    assert text_of(page(ui, FAULTS), "fault-1-fired") == "0"
    assert ui.signed("GET", REVIEWS_API).json()["code"] == 5
    assert ui.signed("GET", REVIEWS_API).json()["code"] == 0  # times 1: retired
    html = page(ui, FAULTS)
    assert text_of(html, "fault-1-fired") == "1" and "retired" in html


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"action": "drop", "shop_id": DEMO_SHOP_ID}, {"drop": True, "shop_id": DEMO_SHOP_ID}),
        ({"action": "delay", "delay": "2.5"}, {"delay": 2.5}),
        ({"action": "response", "probability": "0.5"}, {"probability": 0.5}),
        (
            {"action": "rate_limit", "requests": "2", "per_seconds": "60"},
            {"rate_limit": {"requests": 2, "per_seconds": 60, "per": "shop"}},
        ),
    ],
)
def test_each_action_of_the_form_is_the_control_planes(
    ui: CheckedClient, fields: dict[str, str], expected: dict[str, Any]
) -> None:
    assert add_fault(ui, **fields).status_code == 303
    (fault,) = ui.control("GET", "/_mock/faults").json()
    assert expected.items() <= fault.items()
    if fields["action"] == "response":
        assert fault["response"]["status"] == 502


def test_a_fault_the_control_plane_refuses_is_the_page_saying_why(ui: CheckedClient) -> None:
    refused = add_fault(ui, action="rate_limit", requests="2")
    assert refused.status_code == 400
    assert "rate_limit needs requests and per_seconds" in text_of(refused.text, "error")
    assert "<h1>Faults" in refused.text
    too_likely = add_fault(ui, action="drop", probability="2")
    assert "probability must be between 0 and 1" in text_of(too_likely.text, "error")
    assert ui.control("GET", "/_mock/faults").json() == []


def test_remove_one_fault_then_every_fault(ui: CheckedClient) -> None:
    for code in ("13", "5", "7"):
        add_fault(ui, action="error", code=code)
    removed = post_form(ui, f"{FAULTS}/remove", {"fault_id": "2", "back": FAULTS})
    assert removed.status_code == 303
    assert [fault["id"] for fault in ui.control("GET", "/_mock/faults").json()] == ["1", "3"]
    assert post_form(ui, f"{FAULTS}/remove", {"fault_id": "2"}).status_code == 404
    post_form(ui, f"{FAULTS}/remove", {"fault_id": "all", "back": FAULTS})
    assert ui.control("GET", "/_mock/faults").json() == []
    assert ui.signed("GET", REVIEWS_API).json()["code"] == 0


def test_an_added_push_fault_is_listed_fires_and_is_removed(ui: CheckedClient) -> None:
    subscribe(ui, "review/created")
    fields = {"kind": "duplicate", "topic": "review/created", "times": "1", "seconds": ""}
    assert post_form(ui, f"{FAULTS}/push", {**fields, "back": FAULTS}).status_code == 303
    assert text_of(page(ui, FAULTS), "push-fault-1-fired") == "0"
    ui.control("POST", f"/_mock/shops/{DEMO_SHOP_ID}/reviews", {"rating": 5, "author": "Di"})
    (pushed,) = deliveries(ui, "review/created")
    assert pushed["attempts"][0]["push_fault"] == {"id": "1", "kind": "duplicate"}
    assert text_of(page(ui, FAULTS), "push-fault-1-fired") == "1"
    post_form(ui, f"{FAULTS}/push/remove", {"push_fault_id": "1", "back": FAULTS})
    assert ui.control("GET", "/_mock/push_faults").json() == []


def test_a_push_fault_the_schema_refuses_is_the_page_saying_why(ui: CheckedClient) -> None:
    no_seconds = post_form(ui, f"{FAULTS}/push", {"kind": "delay", "seconds": ""})
    assert no_seconds.status_code == 400
    assert "seconds" in text_of(no_seconds.text, "error")
    bad_topic = post_form(ui, f"{FAULTS}/push", {"kind": "duplicate", "topic": "cart/lost"})
    assert "invalid push fault" in text_of(bad_topic.text, "error")
    assert ui.control("GET", "/_mock/push_faults").json() == []


def snapshot(client: CheckedClient, action: str, name: str) -> Any:
    return post_form(
        client,
        "/_mock/ui/snapshots",
        {"action": action, "name": name, "back": "/_mock/ui/snapshots"},
    )


def test_save_then_restore_brings_the_state_back(ui: CheckedClient) -> None:
    add_fault(ui, action="error", code="5")
    saved = snapshot(ui, "save", "before")
    assert saved.status_code == 303
    assert "snapshot-before" in page(ui, "/_mock/ui/snapshots")
    post_form(ui, f"{FAULTS}/remove", {"fault_id": "all"})
    ui.control("POST", f"/_mock/shops/{DEMO_SHOP_ID}/reviews", {"rating": 5, "author": "Di"})
    assert snapshot(ui, "restore", "before").status_code == 303
    (fault,) = ui.control("GET", "/_mock/faults").json()
    assert fault["error"] == {"code": 5}
    assert ui.signed("GET", REVIEWS_API).json()["code"] == 5


def test_delete_forgets_a_snapshot_and_an_unknown_one_is_a_page(ui: CheckedClient) -> None:
    snapshot(ui, "save", "kept")
    assert snapshot(ui, "delete", "kept").status_code == 303
    assert ui.control("GET", "/_mock/snapshots").json() == []
    missing = snapshot(ui, "restore", "kept")
    assert missing.status_code == 404
    assert "no snapshot named 'kept'" in text_of(missing.text, "error")


def test_a_save_past_the_limit_is_the_page_saying_why() -> None:
    client = CheckedClient(create_app(Config(frozen_time=FROZEN_AT, max_snapshots=1)))
    snapshot(client, "save", "one")
    refused = snapshot(client, "save", "two")
    assert refused.status_code == 409
    assert "delete one first" in text_of(refused.text, "error")
    assert "snapshot-one" in refused.text


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        (FAULTS, {"action": "drop"}),
        (f"{FAULTS}/push", {"kind": "duplicate"}),
        ("/_mock/ui/snapshots", {"action": "save", "name": "evil"}),
    ],
)
def test_a_fault_or_snapshot_form_from_another_site_is_refused(
    ui: CheckedClient, path: str, fields: dict[str, str]
) -> None:
    answer = post_form(ui, path, fields, Origin="http://evil.example", Host="testserver")
    assert answer.status_code == 403
    assert ui.control("GET", "/_mock/faults").json() == []
    assert ui.control("GET", "/_mock/push_faults").json() == []
    assert ui.control("GET", "/_mock/snapshots").json() == []

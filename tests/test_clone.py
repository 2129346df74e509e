"""``trustoo-mock clone`` (issue 18) and the seed-file fields a copy of a shop needs (X105)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import (
    DEMO_ACCESS_TOKEN,
    DEMO_CLIENT_ID,
    DEMO_PRIVATE_TOKEN,
    DEMO_PUBLIC_TOKEN,
    DEMO_SHOP_ID,
)
from tests.live import free_port, running
from trustoo_mock import cli
from trustoo_mock.cli import check_seed_file
from trustoo_mock.httpx_auth import TrustooAuth
from trustoo_mock.remote import clone
from trustoo_mock.remote.contract import Credentials
from trustoo_mock.testing import MockTrustoo, MockTrustooError

REVIEWS = "/api/v1/openapi/get_reviews"
REVIEW = "/api/v1/openapi/get_review"
RATING = "/api/v1/openapi/get_rating"
ORDERS = "/api/v1/openapi/get_orders"
WIDGET_REVIEWS = "/api/v1/reviews/get_product_reviews"
WIDGET_RATINGS = "/api/v1/reviews/get_products_rating"
CREATE_WEBHOOK = "/api/v1/openapi/create_shop_webhook"
TRUSTOO_MOCK_CLI = str(Path(sys.executable).with_name("trustoo-mock"))
EVENTS = "/api/v1/openapi/get_customer_events"
WEBHOOKS = "/api/v1/openapi/get_shop_webhooks"
EXCLUDES = "/api/v1/openapi/get_customer_excludes"
COPIED_SHOP: dict[str, Any] = {
    "shop_id": "70000000081",
    "public_token": "copied-public-token",
    "private_token": "copied-private-token",
    "products": [{"product_id": "8100000000001", "handle": "mug", "title": "Mug"}],
    "reviews": [
        {
            "id": "88123",
            "product_id": "8100000000001",
            "rating": 4,
            "author": "Sam",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-02-01T00:00:00Z",
        },
        {"rating": 5, "author": "Kim", "created_at": "2026-01-02T00:00:00Z"},
        {"id": "120000", "rating": 3, "author": "Lee", "created_at": "2026-01-03T00:00:00Z"},
    ],
    "customers": [{"customer_id": "7100000000001", "email": "ann@example.com"}],
    "customer_events": [
        {"id": "5000000", "event_type": "VIEW_REVIEW", "created_at": "2026-01-01T00:00:00Z"},
        {"event_type": "CLICK_MEDIA", "created_at": "2026-01-02T00:00:00Z"},
    ],
    "webhooks": [
        {
            "id": "41",
            "topic": "review/created",
            "url": "https://hooks.example.com/reviews",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-05T00:00:00Z",
        }
    ],
    "exclusions": [
        {
            "customer_id": "7100000000001",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-09T00:00:00Z",
        }
    ],
}


def _data(client: Any, path: str, **params: Any) -> Any:
    answer = client.get(path, params=params).json()
    assert answer["code"] == 0, answer
    return answer["data"]


def test_a_seed_file_keeps_given_ids_and_times_and_numbers_the_rest_past_them() -> None:
    with MockTrustoo(empty=True) as mock:
        counts = mock.seed({"shops": [COPIED_SHOP]})
        assert counts["webhooks"] == 1
        with mock.client("70000000081") as client:
            reviews = _data(client, REVIEWS, sort_by="created-ascending")["list"]
            first, drawn, last = (review["id"] for review in reviews)
            assert (first, last) == ("88123", "120000")
            assert int(drawn) > 120000
            assert reviews[0]["updated_at"] == "2026-02-01T00:00:00Z"
            created = client.post(
                "/api/v1/openapi/create_review", json={"rating": 5, "author": "New"}
            ).json()
            assert created["code"] == 0
            assert int(created["data"]["id"]) > 120000
            events = _data(client, EVENTS, sort_by="created-ascending")["list"]
            assert events[0]["id"] == "5000000"
            assert int(events[1]["id"]) > 5000000
            (webhook,) = _data(client, WEBHOOKS)
            assert webhook["id"] == "41"
            assert webhook["updated_at"] == "2026-01-05T00:00:00Z"
            (exclusion,) = _data(client, EXCLUDES)["list"]
            assert exclusion["updated_at"] == "2026-01-09T00:00:00Z"


def test_a_seed_file_may_not_give_an_id_twice() -> None:
    twice = {
        **COPIED_SHOP,
        "reviews": [
            {"id": "7", "rating": 4, "author": "Sam"},
            {"id": "7", "rating": 5, "author": "Kim"},
        ],
    }
    with MockTrustoo(empty=True) as mock, pytest.raises(MockTrustooError, match="review id 7"):
        mock.seed({"shops": [twice]})


# --- the clone ----------------------------------------------------------------------------------

DEMO_DOMAIN = "demo-shop.myshopify.com"
WEBHOOK = {"topic": "review/created", "url": "https://hooks.example.com/reviews"}
ENVELOPE_ASIDE = ("time", "request_id")


def _options(output: Path, **changes: Any) -> clone.Options:
    settings: dict[str, Any] = {
        "base_url": "http://trustoo.test",
        "output": output,
        "credentials": Credentials(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN),
        "shop_id": DEMO_SHOP_ID,
        "shop_domain": DEMO_DOMAIN,
        "rate": 10_000.0,
        **changes,
    }
    return clone.Options(**settings)


@pytest.fixture(scope="module")
def demo_source() -> Iterator[MockTrustoo]:
    """The demo data and one webhook of the demo shop's own, read by every clone here."""
    with MockTrustoo() as mock:
        with mock.client(DEMO_SHOP_ID) as client:
            answer = client.post(CREATE_WEBHOOK, json=WEBHOOK).json()
            assert answer["code"] == 0
        yield mock


def _clone(source: MockTrustoo, options: clone.Options, **client_options: Any) -> tuple[int, str]:
    out = io.StringIO()
    with source.client(**client_options) as client:
        code = clone.run(options, client=client, out=out)
    return code, out.getvalue()


def _complete_clone(source: MockTrustoo, options: clone.Options, **client_options: Any) -> str:
    code, summary = _clone(source, options, **client_options)
    assert code == clone.EXIT_COMPLETE, summary
    return summary


def _answer(client: httpx.Client, path: str, **params: Any) -> dict[str, Any]:
    """The answer without what differs on every call (envelope time and request id)."""
    answer = client.get(path, params=params).json()
    assert answer["code"] == 0, (path, params, answer)
    return {key: value for key, value in answer.items() if key not in ENVELOPE_ASIDE}


def _all_pages(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    pages = [_answer(client, path, page=1, **params)]
    total = pages[0]["data"]["page"]["total_page"]
    pages += [_answer(client, path, page=page, **params) for page in range(2, total + 1)]
    return pages


def every_read(
    client: httpx.Client, products: list[dict[str, str]], page_sizes: tuple[int, ...] = (20, 100)
) -> dict[str, Any]:
    """Every read operation's answers: all pages of every list (both orders, each page size),
    a review by id, ratings by each selector, webhooks and the widget."""
    seen: dict[str, Any] = {}
    for path in (REVIEWS, ORDERS, EVENTS):
        for sort_by in ("created-descending", "created-ascending"):
            for page_size in page_sizes:
                seen[f"{path} {sort_by} {page_size}"] = _all_pages(
                    client, path, sort_by=sort_by, page_size=page_size
                )
    seen[EXCLUDES] = _all_pages(client, EXCLUDES, page_size=2)
    seen[WEBHOOKS] = _answer(client, WEBHOOKS)
    first_page = seen[f"{REVIEWS} created-descending 100"][0]["data"]["list"]
    for review in first_page[:10]:
        seen[f"review {review['id']}"] = _answer(client, REVIEW, id=review["id"])
    selectors: list[dict[str, Any]] = [
        {},
        {"is_all_rating": 1},
        {"is_store_rating": 1},
        {"is_all_products_rating": 1},
        {"product_id": 0},
    ]
    for product in products:
        selectors += [{"product_id": product["product_id"]}, {"product_handle": product["handle"]}]
        seen[f"widget {product['handle']}"] = _answer(
            client, WIDGET_REVIEWS, shop=DEMO_DOMAIN, product_handle=product["handle"], limit=50
        )
    for selector in selectors:
        seen[f"rating {selector}"] = _answer(client, RATING, **selector)
    for sort_by in ("commented-at-descending", "comprehensive-descending"):
        for page in (1, 2, 3):
            seen[f"widget {sort_by} {page}"] = _answer(
                client, WIDGET_REVIEWS, shop=DEMO_DOMAIN, sort_by=sort_by, page=page, limit=100
            )
    handles = ",".join(product["handle"] for product in products)
    seen["widget ratings"] = _answer(
        client, WIDGET_RATINGS, shop=DEMO_DOMAIN, product_handle=handles
    )
    return seen


def test_a_clone_of_the_demo_answers_every_read_as_the_original(
    demo_source: MockTrustoo, tmp_path: Path
) -> None:
    output = tmp_path / "shop.json"
    summary = _complete_clone(demo_source, _options(output))
    assert "300 reviews (3/3 pages)" in summary
    assert not output.with_name("shop.json.clone-state").exists()
    copied = json.loads(output.read_text())
    (shop,) = copied["shops"]
    assert shop["public_token"] == DEMO_PUBLIC_TOKEN
    with (
        MockTrustoo(seed_file=output) as copy,
        demo_source.client(DEMO_SHOP_ID) as original_client,
        copy.client(DEMO_SHOP_ID) as copy_client,
    ):
        original = every_read(original_client, shop["products"])
        assert original[WEBHOOKS]["data"], "the source has a webhook to copy"
        assert every_read(copy_client, shop["products"]) == original


def test_a_budget_too_small_writes_nothing_and_says_so_unless_partial(
    demo_source: MockTrustoo, tmp_path: Path
) -> None:
    output = tmp_path / "shop.json"
    code, summary = _clone(demo_source, _options(output, max_requests=5))
    assert code == clone.EXIT_INCOMPLETE
    assert "INCOMPLETE: the budget of 5 requests is spent" in summary
    assert "nothing written" in summary
    assert not output.exists()

    summary = _complete_clone(demo_source, _options(output, max_requests=5, partial=True))
    assert "(PARTIAL)" in summary
    assert check_seed_file(output)["reviews"] > 0


def test_an_interrupted_clone_resumes_without_reading_a_page_twice(
    demo_source: MockTrustoo, tmp_path: Path
) -> None:
    whole = tmp_path / "whole.json"
    code, whole_summary = _clone(demo_source, _options(whole))
    assert code == clone.EXIT_COMPLETE
    sent = 0

    def drop_the_connection(request: httpx.Request) -> None:
        nonlocal sent
        sent += 1
        if sent == 9:
            raise httpx.ConnectError("the network went away", request=request)

    output = tmp_path / "shop.json"
    code, summary = _clone(
        demo_source, _options(output), event_hooks={"request": [drop_the_connection]}
    )
    assert code == clone.EXIT_INCOMPLETE
    assert "INCOMPLETE: the connection failed" in summary
    assert output.with_name("shop.json.clone-state").exists()

    summary = _complete_clone(demo_source, _options(output))
    assert "resumed" in summary
    answered_before_the_drop = 8
    assert (
        _requests_this_run(summary) == _requests_this_run(whole_summary) - answered_before_the_drop
    )
    assert json.loads(output.read_text()) == json.loads(whole.read_text())


def _requests_this_run(summary: str) -> int:
    found = re.search(r"requests: (\d+) this run", summary)
    assert found, summary
    return int(found.group(1))


def test_redact_leaves_no_original_email_and_keeps_fakes_stable(
    demo_source: MockTrustoo, tmp_path: Path
) -> None:
    output = tmp_path / "shop.json"
    _complete_clone(demo_source, _options(output, redact=True))
    text = output.read_text()
    demo = json.loads((Path(clone.__file__).parents[1] / "demo.json").read_text())
    emails = set(re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", json.dumps(demo)))
    assert emails
    assert not [email for email in emails if email in text]
    assert check_seed_file(output)["orders"] == 400
    again = tmp_path / "again.json"
    assert _clone(demo_source, _options(again, redact=True))[0] == clone.EXIT_COMPLETE
    assert again.read_text() == text


def test_no_secret_reaches_the_summary_the_progress_line_the_state_or_the_logs(
    demo_source: MockTrustoo, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    output = tmp_path / "shop.json"
    progress = io.StringIO()
    out = io.StringIO()
    with demo_source.client() as client:
        code = clone.run(
            _options(output, max_requests=6), client=client, out=out, progress=progress
        )
    assert code == clone.EXIT_INCOMPLETE
    assert "cloning: reviews page 1" in progress.getvalue()
    state = output.with_name("shop.json.clone-state").read_text()
    written = [out.getvalue(), progress.getvalue(), state, caplog.text]
    for secret in (DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN):
        assert not [text for text in written if secret in text]


def test_credentials_the_api_refuses_stop_the_clone_without_echoing_them(
    demo_source: MockTrustoo, tmp_path: Path
) -> None:
    wrong = Credentials(DEMO_PUBLIC_TOKEN, "not-the-private-token")
    code, summary = _clone(demo_source, _options(tmp_path / "shop.json", credentials=wrong))
    assert code == clone.EXIT_CANNOT_RUN
    assert "code 16" in summary
    assert "not-the-private-token" not in summary
    assert DEMO_PUBLIC_TOKEN not in summary


def test_the_command_clones_a_served_fake_and_a_fake_served_from_the_copy_answers_the_same(
    tmp_path: Path,
) -> None:
    output = tmp_path / "my-shop.json"
    port = free_port()
    environment = {
        **os.environ,
        "TRUSTOO_PUBLIC_TOKEN": DEMO_PUBLIC_TOKEN,
        "TRUSTOO_PRIVATE_TOKEN": DEMO_PRIVATE_TOKEN,
    }
    with MockTrustoo.serve() as source:
        with source.client(DEMO_SHOP_ID) as client:
            assert client.post(CREATE_WEBHOOK, json=WEBHOOK).json()["code"] == 0
        done = subprocess.run(
            [
                TRUSTOO_MOCK_CLI,
                "clone",
                "--base-url",
                source.base_url,
                "-o",
                str(output),
                "--shop-id",
                DEMO_SHOP_ID,
                "--shop-domain",
                DEMO_DOMAIN,
                "--rate",
                "1000",
            ],
            capture_output=True,
            text=True,
            env=environment,
            timeout=120,
        )
        assert done.returncode == clone.EXIT_COMPLETE, done.stdout + done.stderr
        for secret in (DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN):
            assert secret not in done.stdout + done.stderr
        products = json.loads(output.read_text())["shops"][0]["products"]
        copy_url = f"http://127.0.0.1:{port}"
        serve_the_copy = [
            TRUSTOO_MOCK_CLI,
            "serve",
            "--port",
            str(port),
            "--seed-file",
            str(output),
        ]
        auth = TrustooAuth(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN)
        with (
            running(serve_the_copy, f"{copy_url}/_mock/health", what="the copy", timeout=60),
            httpx.Client(base_url=source.base_url, auth=auth) as original_client,
            httpx.Client(base_url=copy_url, auth=auth) as copy_client,
        ):
            original = every_read(original_client, products, page_sizes=(100,))
            assert every_read(copy_client, products, page_sizes=(100,)) == original


def test_downloaded_media_are_served_by_a_fake_started_on_the_media_directory(
    tmp_path: Path,
) -> None:
    with MockTrustoo() as source, source.client(DEMO_SHOP_ID) as client:
        upload = client.get("/api/v1/openapi/get_video_upload_url").json()["data"]
        put = client.put(
            upload["upload_url"],
            content=b"the video's bytes",
            headers={"Content-Type": "video/mp4"},
            auth=httpx.Auth(),
        )
        assert put.status_code == 200
        styled = f"{upload['video_url']}?x-oss-process=style/trustoo_small"
        review = {
            "rating": 5,
            "author": "Ann",
            "media": [{"url": upload["video_url"], "thumbnail_url": styled, "type": 2}],
        }
        assert client.post("/api/v1/openapi/create_review", json=review).json()["code"] == 0
        output, media = tmp_path / "shop.json", tmp_path / "media"
        options = _options(
            output, download_media=media, media_base_url="http://trustoo.test/_storage"
        )
        media_requests: list[httpx.Request] = []

        def note_media_request(request: httpx.Request) -> None:
            if "/_storage/" in request.url.path:
                media_requests.append(request)

        summary = _complete_clone(source, options, event_hooks={"request": [note_media_request]})
    assert len(media_requests) == 1
    assert not {"sign", "public-token", "authorization"} & set(media_requests[0].headers)
    assert "media: 2 URLs, 1 file in" in summary  # the URL and its styled thumbnail
    (stored,) = [path for path in media.rglob("*") if path.is_file()]
    assert stored.read_bytes() == b"the video's bytes"
    with MockTrustoo(seed_file=output, media_dir=media) as copy, copy.client(DEMO_SHOP_ID) as c:
        newest = c.get(REVIEWS, params={"page_size": 1}).json()["data"]["list"][0]
        (item,) = newest["media"]
        assert item["url"].startswith("http://trustoo.test/_storage/cloned/trustoo.test/")
        assert item["thumbnail_url"].endswith("?x-oss-process=style/trustoo_small")
        for url in (item["url"], item["thumbnail_url"]):
            served = c.get(url, auth=httpx.Auth())
            assert served.status_code == 200
            assert served.content == b"the video's bytes"
            assert served.headers["content-type"] == "video/mp4"


def test_the_media_directory_serves_nothing_outside_itself(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    (tmp_path / "secret.txt").write_text("not to be served")
    (media / "outside").symlink_to(tmp_path / "secret.txt")
    with MockTrustoo(media_dir=media) as fake, fake.client() as client:
        for key in ("outside", "..%2Fsecret.txt", "%2E%2E/secret.txt"):
            answer = client.get(f"/_storage/{key}")
            assert answer.status_code in (400, 404), key
            assert b"not to be served" not in answer.content


def test_a_platform_clones_what_its_scopes_allow_and_the_copy_knows_its_token(
    demo_source: MockTrustoo, tmp_path: Path
) -> None:
    with demo_source.client(token=DEMO_ACCESS_TOKEN) as client:
        platform_hook = {"topic": "review/deleted", "url": "https://platform.example.com/hook"}
        assert client.post(CREATE_WEBHOOK, json=platform_hook).json()["code"] == 0
    output = tmp_path / "shop.json"
    as_platform = Credentials(bearer=DEMO_ACCESS_TOKEN)
    code, summary = _clone(demo_source, _options(output, credentials=as_platform))
    assert code == clone.EXIT_INCOMPLETE
    assert re.search(r"refused: orders \(code 7: .*read_orders", summary), summary
    assert "refused: exclusions (code 7" in summary
    assert not output.exists()

    scopes = frozenset({"read_reviews", "write_reviews", "read_customer_events"})
    as_platform = Credentials(bearer=DEMO_ACCESS_TOKEN, bearer_scopes=scopes)
    options = _options(output, credentials=as_platform, client_id=DEMO_CLIENT_ID, partial=True)
    summary = _complete_clone(demo_source, options)
    assert "(PARTIAL)" in summary
    assert DEMO_ACCESS_TOKEN not in summary
    copied = json.loads(output.read_text())
    assert copied["shops"][0]["orders"] == []
    (authorization,) = copied["authorizations"]
    assert authorization["access_token"] == DEMO_ACCESS_TOKEN
    with (
        MockTrustoo(seed_file=output) as copy,
        demo_source.client(token=DEMO_ACCESS_TOKEN) as original_client,
        copy.client(token=DEMO_ACCESS_TOKEN) as copy_client,
    ):
        for path, params in ((WEBHOOKS, {}), (REVIEWS, {"page_size": 100, "page": 2})):
            original = _answer(original_client, path, **params)
            assert _answer(copy_client, path, **params) == original
        assert original_client.get(WEBHOOKS).json()["data"][0]["topic"] == "review/deleted"


def test_new_tokens_replace_the_ones_the_clone_used_and_are_not_printed(
    demo_source: MockTrustoo, tmp_path: Path
) -> None:
    output = tmp_path / "shop.json"
    summary = _complete_clone(demo_source, _options(output, new_tokens=True))
    (shop,) = json.loads(output.read_text())["shops"]
    assert {shop["public_token"], shop["private_token"]}.isdisjoint(
        {DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN}
    )
    assert shop["public_token"] not in summary and shop["private_token"] not in summary
    with MockTrustoo(seed_file=output) as copy, copy.client(DEMO_SHOP_ID) as client:
        assert _answer(client, REVIEWS)["code"] == 0


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ([], "give the shop's tokens"),
        (["--public-token", DEMO_PUBLIC_TOKEN], "needs both --public-token and --private-token"),
        (["--bearer", "token", "--media-base-url", "http://x/_storage"], "needs --download-media"),
        (["--bearer", "token", "--rate", "0"], "--rate above 0"),
        (["--bearer", "token", "--base-url", "ftp://x"], "must be an http(s) URL"),
    ],
)
def test_the_command_refuses_options_it_cannot_run_with(
    arguments: list[str],
    complaint: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("TRUSTOO_PUBLIC_TOKEN", "TRUSTOO_PRIVATE_TOKEN", "TRUSTOO_BEARER"):
        monkeypatch.delenv(name, raising=False)
    base = ["clone", "--base-url", "http://127.0.0.1:9", "-o", str(tmp_path / "shop.json")]
    assert cli.main([*base, *arguments]) == clone.EXIT_CANNOT_RUN
    assert complaint in capsys.readouterr().err


def test_an_item_read_on_two_pages_is_copied_once(tmp_path: Path) -> None:
    """Between two runs of a resumed clone an item can move across a page boundary."""
    with MockTrustoo() as source:
        output = tmp_path / "shop.json"
        with source.client() as client:
            reader_options = _options(output, max_requests=5)
            assert clone.run(reader_options, client=client, out=io.StringIO()) == 1
        state_path = output.with_name("shop.json.clone-state")
        saved = json.loads(state_path.read_text())
        reviews = saved["reads"]["reviews"]["items"]
        reviews.append(dict(reviews[-1]))
        state_path.write_text(json.dumps(saved))
        _complete_clone(source, _options(output))
    copied = json.loads(output.read_text())["shops"][0]["reviews"]
    assert len(copied) == len({review["id"] for review in copied}) == 300


def test_a_refused_read_is_reported_and_tried_again_by_the_next_run(
    demo_source: MockTrustoo, tmp_path: Path
) -> None:
    output = tmp_path / "shop.json"

    def refuse_orders(request: httpx.Request) -> None:
        if request.url.path == ORDERS:
            request.url = request.url.copy_with(path="/api/v1/openapi/get_orders_gone")

    code, summary = _clone(demo_source, _options(output), event_hooks={"request": [refuse_orders]})
    assert code == clone.EXIT_INCOMPLETE
    assert "refused: orders (code 5" in summary
    summary = _complete_clone(demo_source, _options(output))
    assert "refused:" not in summary
    assert check_seed_file(output)["orders"] == 400


def test_the_limit_reached_stops_the_clone_for_now(
    demo_source: MockTrustoo, tmp_path: Path
) -> None:
    def limit_reached(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": 8, "message": "too many requests"})

    output = tmp_path / "shop.json"
    options = _options(output)
    with httpx.Client(
        base_url="http://trustoo.test", transport=httpx.MockTransport(limit_reached)
    ) as client:
        out = io.StringIO()
        assert clone.run(options, client=client, out=out) == clone.EXIT_INCOMPLETE
    assert "INCOMPLETE: Trustoo's limit is reached (code 8: too many requests)" in out.getvalue()
    assert "requests: 1 this run" in out.getvalue()


def test_a_seeded_webhook_may_not_lead_to_the_fakes_own_control_plane() -> None:
    hook = {"topic": "review/created", "url": "http://127.0.0.1:8787/_mock/reset"}
    shop = {**COPIED_SHOP, "webhooks": [hook]}
    with MockTrustoo(empty=True) as mock, pytest.raises(MockTrustooError, match="control plane"):
        mock.seed({"shops": [shop]})

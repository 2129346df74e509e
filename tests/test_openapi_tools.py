"""openapi.yaml as generic OpenAPI tools read it (issue 12): Redocly's recommended rules,
Stoplight Prism as a validating proxy in front of the served fake, Prism's dynamic mocks and a
client generator. The tools come from npm, pinned by tools/package-lock.json (``make lint``
installs them); these tests are marked ``node`` (``-m "not node"`` deselects them).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.helpers import (
    DEMO_ACCESS_TOKEN,
    DEMO_CLIENT_ID,
    DEMO_PRIVATE_TOKEN,
    DEMO_PUBLIC_TOKEN,
    DEMO_SHOP_ID,
)
from tests.live import free_port, live_server, running
from trustoo_mock.httpx_auth import BearerAuth, TrustooAuth
from trustoo_mock.spec.openapi import bundled_spec

pytestmark = pytest.mark.node

ROOT = Path(__file__).parent.parent
TOOLS = ROOT / "tools" / "node_modules" / ".bin"
SPEC_FILE = ROOT / "openapi.yaml"
GUIDE = ROOT / "docs" / "openapi-tools.md"
DOCUMENTED_PORT = "4010"
SPEC = bundled_spec()
DEMO_CLIENT_SECRET = "ZGVtby1zZWNyZXQtMDAwMQ=="
REDIRECT_URI = "http://localhost:3000/oauth/callback"
DEMO_REVIEW_ID = "100001"

# Answers Prism cannot check against a JSON schema, so their response violations are not
# counted (request violations still are): the object store answers OSS's XML or raw bytes, and
# /openapi.yaml is YAML.
UNCHECKED_ANSWERS = {
    "storage_post_object": "the object store's XML (PostResponse, <Error>) or no body",
    "storage_put_object": "the object store's XML <Error> or no body",
    "storage_get_object": "the stored bytes, any media type",
    "storage_bucket_preflight": "an empty text/plain preflight answer",
    "storage_object_preflight": "an empty text/plain preflight answer",
    "mock_openapi_yaml": "the spec as YAML",
    # Not a body: Prism's proxy follows the 302 to the platform's callback (nothing listens
    # there), so the fake's own answer never reaches the test.
    "oauth_consent": "a 302 to the platform's callback, which Prism follows",
    # The inspector's forms answer 303 back to an inspector page, which Prism follows too.
    **dict.fromkeys(
        (
            "mock_ui_sign_in",
            "mock_ui_clock",
            "mock_ui_retry_delivery",
            "mock_ui_write_review",
            "mock_ui_review_action",
            "mock_ui_add_fault",
            "mock_ui_remove_fault",
            "mock_ui_add_push_fault",
            "mock_ui_remove_push_fault",
            "mock_ui_snapshot",
        ),
        "a 303 back to an inspector page, which Prism follows",
    ),
}
# An object key spans several path segments (the fake's `x-multi-segment`), which an OpenAPI
# path template cannot match: Prism finds no route, warns and passes the request on unchecked.
UNROUTABLE = {"storage_get_object", "storage_put_object", "storage_object_preflight"}
NO_ROUTE = "Selected route not found"


def tool(name: str) -> str:
    path = TOOLS / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make lint` (it runs `npm ci` in tools/)")
    return str(path)


def documented(start: str) -> list[str]:
    """The one command line of docs/openapi-tools.md that starts so, as arguments."""
    (line,) = [line for line in GUIDE.read_text().splitlines() if line.startswith(start)]
    command = shlex.split(line)
    tool(Path(command[0]).name)
    return command


# --- Redocly ----------------------------------------------------------------------------------


def test_redocly_recommended_rules_find_no_error() -> None:
    result = subprocess.run(
        [*documented("tools/node_modules/.bin/redocly lint"), "--format=json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    report = json.loads(result.stdout)
    errors = [problem for problem in report["problems"] if problem["severity"] == "error"]
    assert errors == [], json.dumps(errors, indent=1)[:4000]


# --- Prism as a validating proxy ---------------------------------------------------------------


@dataclass
class Probe:
    """One request through the proxy. ``valid`` requests must reach the fake unquestioned and
    be answered with success; invalid ones must be flagged by Prism and refused by the fake."""

    operation_id: str
    method: str
    path: str
    valid: bool = True
    auth: str = "sign"  # sign, bearer, merchant, none
    params: Any = None
    body: Any = None
    form: dict[str, str] | None = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    keep: Callable[[httpx.Response, dict[str, Any]], None] | None = None

    @classmethod
    def of(
        cls,
        operation_id: str,
        valid: bool = True,
        auth: str = "sign",
        *,
        at: str | None = None,
        **request: Any,
    ) -> Probe:
        """A probe of ``operation_id`` with the spec's method, at the spec's path unless ``at``
        gives another (its parameters filled in, or a wrong one)."""
        operation = SPEC.operations[operation_id]
        path = operation.path if at is None else at
        return cls(operation_id, operation.method, path, valid, auth, **request)


@dataclass
class Outcome:
    probe: Probe
    status: int
    violations: list[dict[str, Any]]
    text: str

    def located(self, where: str) -> list[dict[str, Any]]:
        return [item for item in self.violations if item["location"][:1] == [where]]

    @property
    def accepted(self) -> bool:
        if self.status >= 400:
            return False
        try:
            document = json.loads(self.text)
        except ValueError:
            return True
        return not (isinstance(document, dict) and document.get("code", 0) != 0)


def run_prism(command: list[str]) -> Iterator[str]:
    """A documented Prism command, on a free 127.0.0.1 port, until the generator is closed."""
    port = free_port()
    at = command.index("--port")
    assert command[at + 1] == DOCUMENTED_PORT
    base = f"http://127.0.0.1:{port}"
    command = [*command[: at + 1], str(port), *command[at + 2 :], "--host", "127.0.0.1"]
    env = {**os.environ, "NO_COLOR": "1"}
    with running(command, f"{base}/_mock/health", what="Prism", timeout=180, env=env):
        yield base


@pytest.fixture(scope="module")
def prism_proxy() -> Iterator[str]:
    command = documented("tools/node_modules/.bin/prism proxy")
    with live_server() as fake:
        yield from run_prism(
            [fake if part == "http://127.0.0.1:8787" else part for part in command]
        )


def _keep_json(name: str, pointer: str) -> Callable[[httpx.Response, dict[str, Any]], None]:
    def keep(response: httpx.Response, kept: dict[str, Any]) -> None:
        value: Any = response.json()
        for part in pointer.split("/"):
            value = value[int(part)] if isinstance(value, list) else value[part]
        kept[name] = value

    return keep


def probes(kept: dict[str, Any]) -> list[Probe]:
    """Every operation at least once validly; each that takes input, at least once not.
    Ordered so that each call finds what it needs (created before read, revoked last)."""
    review = {"product_id": "8000000000001", "rating": 5, "author": "Ana", "content": "Lovely."}
    # Deliveries go nowhere: nothing listens on the discard port.
    webhook = {"topic": "review/created", "url": "http://127.0.0.1:9/prism-hook"}
    credentials = {"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET}
    shop_query = {**credentials, "shop_id": DEMO_SHOP_ID}
    authorize = {"client_id": DEMO_CLIENT_ID, "redirect_uri": REDIRECT_URI, "state": "s1"}
    demo_shop = f"/_mock/shops/{DEMO_SHOP_ID}"
    return [
        # the control plane first: it hands out the sessions and tokens the rest needs
        Probe.of("mock_health", auth="none"),
        Probe.of("mock_get_clock", auth="none"),
        Probe.of("mock_set_clock", auth="none", body={"advance": 0}),
        Probe.of("mock_set_clock", False, "none", body={"advance": "x"}),
        Probe.of("mock_list_shops", auth="none"),
        Probe.of("mock_get_shop", at=demo_shop, auth="none"),
        Probe.of("mock_get_shop", False, "none", at="/_mock/shops/demo"),
        Probe.of(
            "mock_create_shop",
            auth="none",
            body={"shop_id": "70000000077", "myshopify_domain": "prism-shop.myshopify.com"},
        ),
        Probe.of("mock_create_shop", False, "none", body={"shop_id": "x"}),
        Probe.of("mock_list_platforms", auth="none"),
        Probe.of(
            "mock_create_platform",
            auth="none",
            body={"client_id": "prism-importer", "redirect_uris": [REDIRECT_URI]},
        ),
        Probe.of(
            "mock_create_platform", False, "none", body={"redirect_uris": ["ftp://example.com"]}
        ),
        Probe.of(
            "mock_authorize",
            at=f"{demo_shop}/authorizations",
            auth="none",
            body={"client_id": DEMO_CLIENT_ID, "scopes": "read_reviews,write_reviews"},
            keep=_keep_json("access_token", "access_token"),
        ),
        Probe.of(
            "mock_authorize",
            False,
            "none",
            at=f"{demo_shop}/authorizations",
            body={"scopes": ["read_reviews"]},
        ),
        Probe.of(
            "mock_merchant_session",
            at=f"{demo_shop}/merchant_session",
            auth="none",
            keep=_keep_json("merchant", "token"),
        ),
        Probe.of("mock_merchant_session", False, "none", at="/_mock/shops/1x/merchant_session"),
        Probe.of(
            "mock_create_review",
            at=f"{demo_shop}/reviews",
            auth="none",
            body=review,
            keep=_keep_json("storefront_review", "id"),
        ),
        Probe.of(
            "mock_create_review",
            False,
            "none",
            at=f"{demo_shop}/reviews",
            body={**review, "rating": 6},
        ),
        Probe.of(
            "mock_update_review",
            at=f"{demo_shop}/reviews/{DEMO_REVIEW_ID}",
            auth="none",
            body={"reply": {"content": "Thank you!"}, "is_featured": 1},
        ),
        Probe.of(
            "mock_update_review",
            False,
            "none",
            at=f"{demo_shop}/reviews/{DEMO_REVIEW_ID}",
            body={"commented_at": "yesterday"},
        ),
        Probe.of(
            "mock_create_customer_event",
            at=f"{demo_shop}/customer_events",
            auth="none",
            body={"event_type": "CLICK_MEDIA", "customer_id": "7100000000001"},
        ),
        Probe.of(
            "mock_create_customer_event",
            False,
            "none",
            at=f"{demo_shop}/customer_events",
            body={"event_type": "CLICK_MEDIA", "created_at": "2026-13-01T00:00:00Z"},
        ),
        Probe.of(
            "mock_seed",
            auth="none",
            body={
                "shops": [{"shop_id": "70000000078", "myshopify_domain": "seeded.myshopify.com"}]
            },
        ),
        Probe.of("mock_seed", False, "none", body={"shops": [{"shop_id": []}]}),
        # faults: one that cannot fire (its window opens in 2100), listed and removed
        Probe.of(
            "mock_create_fault",
            auth="none",
            body={"operation": "get_reviews", "error": {"code": 13}, "from": 4102444800},
            keep=_keep_json("fault", "id"),
        ),
        Probe.of("mock_create_fault", False, "none", body={"error": {"code": 2}}),
        Probe.of("mock_list_faults", auth="none"),
        Probe.of("mock_delete_fault", auth="none", at="/_mock/faults/{fault}"),
        Probe.of("mock_delete_fault", False, "none", at="/_mock/faults/x"),
        Probe.of("mock_delete_faults", auth="none"),
        # webhooks: create, read, update, delete
        Probe.of("create_shop_webhook", body=webhook, keep=_keep_json("webhook", "data/id")),
        Probe.of("create_shop_webhook", False, body={**webhook, "url": "0"}),
        Probe.of("get_shop_webhooks"),
        Probe.of("get_shop_webhooks", False, "none"),
        Probe.of(
            "update_shop_webhook",
            body={"id": "{webhook}", "topic": "review/created", "url": f"{webhook['url']}/2"},
        ),
        Probe.of(
            "update_shop_webhook",
            False,
            body={"id": "{webhook}", "topic": "review/liked", "url": webhook["url"]},
        ),
        # reviews (the webhook fires on create: the delivery log has something to list)
        Probe.of(
            "create_review",
            body={**review, "commented_at": "2026-05-14 08:30:00"},
            keep=_keep_json("review", "data/id"),
        ),
        Probe.of("create_review", False, body={**review, "commented_at": "yesterday"}),
        Probe.of("get_review", params={"id": DEMO_REVIEW_ID}),
        Probe.of("get_review", False, params={"id": "1e3"}),
        Probe.of(
            "get_reviews", params={"product_ids": "8000000000001,8000000000002", "ratings": "4,5"}
        ),
        Probe.of(
            "get_reviews",
            params=[
                ("product_ids", "8000000000001"),
                ("product_ids", "8000000000002"),
                ("sources", "ChatWILL"),
                ("page_size", "5"),
            ],
        ),
        Probe.of(
            "get_reviews",
            params=[("product_ids[0]", "8000000000001"), ("product_ids[1]", "8000000000002")],
        ),
        Probe.of("get_reviews", False, params={"ratings": "6"}),
        Probe.of("get_rating", params={"product_id": "8000000000001"}),
        Probe.of("get_rating", params={"is_all_rating": "1"}),
        Probe.of("get_rating", False, params={"product_id": "12a"}),
        Probe.of("delete_review", body={"id": "{review}"}),
        Probe.of("delete_review", False, body={"id": "abc"}),
        Probe.of(
            "mock_list_deliveries",
            auth="none",
            params={"shop_id": DEMO_SHOP_ID},
            keep=_keep_json("delivery", "0/id"),
        ),
        Probe.of("mock_list_deliveries", False, "none", params={"status": "lost"}),
        Probe.of(
            "mock_retry_delivery", at="/_mock/webhook_deliveries/{delivery}/retry", auth="none"
        ),
        Probe.of("mock_retry_delivery", False, "none", at="/_mock/webhook_deliveries/x/retry"),
        Probe.of("delete_shop_webhook", body={"id": "{webhook}"}),
        Probe.of("delete_shop_webhook", False, body={"ids": "1"}),
        # orders, customer events, customers
        Probe.of(
            "get_orders",
            params={"type": "3", "start_time": "1780272000", "end_time": "2036-06-30 23:59:59"},
        ),
        Probe.of("get_orders", params={"start_sent_at": "2026-06-01T00:00:00Z"}),
        Probe.of("get_orders", False, params={"start_time": "yesterday"}),
        Probe.of(
            "get_customer_events",
            params={"event_type": "CLICK_MEDIA", "sort_by": "created-ascending"},
        ),
        Probe.of("get_customer_events", False, params={"page": "0"}),
        Probe.of(
            "email_unsubscribe", body={"email": "ava.0@example.com", "email_type": "review_request"}
        ),
        Probe.of(
            "email_unsubscribe", False, body={"email": "ava.0@example.com", "email_type": "spam"}
        ),
        Probe.of("create_customer_exclude", body={"customer_id": "7100000000002"}),
        Probe.of(
            "create_customer_exclude",
            False,
            body={"customer_id": "7100000000002", "email": "mia.2@example.com"},
        ),
        Probe.of("get_customer_excludes"),
        Probe.of("get_customer_excludes", False, params={"page_size": "101"}),
        Probe.of("delete_customer_exclude", body={"customer_id": 7100000000002}),
        Probe.of("delete_customer_exclude", False, body={}),
        # media upload: credentials, then the object store
        Probe.of("get_image_upload_policy_token", keep=_keep_image_credentials),
        Probe.of("get_image_upload_policy_token", False, "none"),
        Probe.of("storage_bucket_preflight", auth="none"),
        Probe.of(
            "storage_post_object",
            auth="none",
            form={
                "key": "{image_key}",
                "policy": "{policy}",
                "OSSAccessKeyId": "{access_id}",
                "Signature": "{signature}",
            },
            content=b"\x89PNG\r\n\x1a\n",
        ),
        Probe.of("storage_post_object", False, "none", form={"key": "a"}),
        Probe.of("storage_get_object", at="/_storage/{image_key}", auth="none"),
        Probe.of("storage_get_object", False, "none", at="/_storage/mock//prism.png"),
        Probe.of(
            "get_video_upload_url", params={"filename": "unboxing.mp4"}, keep=_keep_video_upload
        ),
        Probe.of("get_video_upload_url", False, params={"content_type": "image/png"}),
        Probe.of("storage_object_preflight", at="/_storage/{video_key}", auth="none"),
        Probe.of(
            "storage_put_object",
            at="{upload_path}",
            auth="none",
            content=b"\x00\x00\x00\x18ftypmp42",
            headers={"Content-Type": "video/mp4"},
        ),
        Probe.of(
            "storage_put_object",
            False,
            "none",
            at="/_storage/{video_key}",
            content=b"x",
            headers={"Content-Type": "video/mp4"},
        ),
        # the widget, unsigned
        Probe.of(
            "widget_get_product_reviews",
            auth="none",
            params={"shop_id": DEMO_SHOP_ID, "product_id": "8000000000001", "limit": "3"},
        ),
        Probe.of(
            "widget_get_product_reviews",
            auth="none",
            params={"shop": "demo-shop.myshopify.com", "product_handle": "lavender-soap"},
        ),
        Probe.of(
            "widget_get_product_reviews",
            False,
            "none",
            params={"shop_id": DEMO_SHOP_ID, "limit": "0"},
        ),
        Probe.of(
            "widget_get_products_rating",
            auth="none",
            params={"shop_id": DEMO_SHOP_ID, "product_handle": "lavender-soap,cedar-candle"},
        ),
        Probe.of("widget_get_products_rating", False, "none", params={"shop_id": DEMO_SHOP_ID}),
        # OAuth: the merchant approves, the platform exchanges, looks up and revokes
        Probe.of(
            "get_oauth_authorize_url", auth="none", params={**authorize, "scope": "read_reviews"}
        ),
        Probe.of(
            "get_oauth_authorize_url",
            False,
            "none",
            params={**authorize, "scope": "read_everything"},
        ),
        Probe.of(
            "oauth_authorize",
            auth="merchant",
            params={**authorize, "scope": "read_reviews"},
            headers={"Accept": "application/json"},
            keep=_keep_json("code", "data/code"),
        ),
        Probe.of(
            "oauth_authorize",
            False,
            "merchant",
            params={**authorize, "response_type": "token"},
            headers={"Accept": "application/json"},
        ),
        Probe.of(
            "oauth_consent",
            auth="none",
            form={
                **authorize,
                "scope": "read_reviews",
                "shop_id": DEMO_SHOP_ID,
                "decision": "approve",
            },
        ),
        Probe.of(
            "oauth_consent",
            False,
            "none",
            form={**authorize, "shop_id": DEMO_SHOP_ID, "decision": "maybe"},
        ),
        Probe.of(
            "oauth_token",
            auth="none",
            body={
                **credentials,
                "grant_type": "authorization_code",
                "code": "{code}",
                "redirect_uri": REDIRECT_URI,
            },
            keep=_keep_json("refresh_token", "data/refresh_token"),
        ),
        Probe.of("oauth_token", False, "none", body={**credentials, "grant_type": "password"}),
        Probe.of("get_shop_authorization_info", auth="none", params=shop_query),
        Probe.of(
            "get_shop_authorization_info",
            auth="none",
            params={**credentials, "shop_id": "", "myshopify_domain": "demo-shop.myshopify.com"},
        ),
        Probe.of(
            "get_shop_authorization_info",
            False,
            "none",
            params={**credentials, "shop_id": "shop-1"},
        ),
        Probe.of("get_shop_install_status", auth="none", params=shop_query),
        Probe.of(
            "get_shop_install_status",
            False,
            "none",
            params={"client_id": DEMO_CLIENT_ID, "shop_id": DEMO_SHOP_ID},
        ),
        Probe.of("get_open_api_information", auth="merchant"),
        Probe.of("get_open_api_information", False, "none"),
        Probe.of("get_open_api_private_token", auth="merchant"),
        Probe.of("get_open_api_private_token", False, "none"),
        Probe.of("oauth_revoke", auth="none", body={**credentials, "token": "{refresh_token}"}),
        Probe.of("oauth_revoke", False, "none", body={"client_id": DEMO_CLIENT_ID, "token": "x"}),
        Probe.of(
            "oauth_revoke_token", auth="none", form={**credentials, "token": "{refresh_token}"}
        ),
        Probe.of("oauth_revoke_token", False, "none", body={**credentials, "token": ""}),
        Probe.of("oauth_disconnect", auth="bearer"),
        Probe.of("oauth_disconnect", False, "none"),
        Probe.of("oauth_cancel", auth="merchant", body={"client_id": DEMO_CLIENT_ID}),
        Probe.of("oauth_cancel", False, "merchant", body={"client_id": ""}),
        # the merchant removes the app made above; the fake waits for quiet
        Probe.of(
            "mock_uninstall",
            at=f"{demo_shop}/installations/prism-importer",
            auth="none",
        ),
        Probe.of("mock_uninstall", False, "none", at="/_mock/shops/1x/installations/x"),
        Probe.of("mock_wait_idle", auth="none", body={"timeout": 5}),
        Probe.of("mock_wait_idle", False, "none", body={"timeout": "x"}),
        # push faults: made, listed and removed before any push could meet one
        Probe.of(
            "mock_create_push_fault",
            auth="none",
            body={"kind": "delay", "topic": "review/created", "times": 1, "seconds": 60},
            keep=_keep_json("push_fault", "id"),
        ),
        Probe.of("mock_create_push_fault", False, "none", body={"kind": "x"}),
        Probe.of("mock_list_push_faults", auth="none"),
        Probe.of("mock_delete_push_fault", auth="none", at="/_mock/push_faults/{push_fault}"),
        Probe.of("mock_delete_push_fault", False, "none", at="/_mock/push_faults/x"),
        Probe.of("mock_delete_push_faults", auth="none"),
        # snapshots: saved and restored back to back, so nothing after them changes
        Probe.of("mock_save_snapshot", auth="none", body={"name": "probe"}),
        Probe.of("mock_save_snapshot", False, "none", body={"name": "../x"}),
        Probe.of("mock_list_snapshots", auth="none"),
        Probe.of("mock_restore_snapshot", auth="none", at="/_mock/snapshots/probe/restore"),
        Probe.of("mock_restore_snapshot", False, "none", at="/_mock/snapshots/no%20name/restore"),
        Probe.of("mock_delete_snapshot", auth="none", at="/_mock/snapshots/probe"),
        Probe.of("mock_delete_snapshot", False, "none", at="/_mock/snapshots/.x"),
        # the inspector's pages and forms (X97); the forms answer 303 back to a page
        *inspector_probes(),
        # the documents and the journal; reset last
        Probe.of("mock_openapi_json", auth="none"),
        Probe.of("mock_openapi_yaml", auth="none"),
        Probe.of("mock_list_requests", auth="none"),
        Probe.of("mock_reset", False, "none", body={"empty": "yes"}),
        Probe.of("mock_reset", auth="none", body={"shop_id": DEMO_SHOP_ID}),
        Probe.of("mock_reset", auth="none"),
    ]


# The inspector's operations: (operation, method, path, a valid input, an invalid one); the
# input is the query of a page, the form of a form.
INSPECTOR_CALLS: list[tuple[str, str, str, dict[str, Any], dict[str, Any]]] = [
    ("mock_ui_home", "GET", "/_mock/ui", {}, {"done": "x" * 501}),
    ("mock_ui_requests", "GET", "/_mock/ui/requests", {"status": "ok"}, {"status": "x"}),
    ("mock_ui_webhooks", "GET", "/_mock/ui/webhooks", {}, {"status": "x"}),
    (
        "mock_ui_reviews",
        "GET",
        "/_mock/ui/reviews",
        {"shop_id": DEMO_SHOP_ID, "ratings": "4,5", "page": 2},
        {"ratings": "9"},
    ),
    (
        "mock_ui_sign_in",
        "POST",
        "/_mock/ui/session",
        {"control_token": "none needed", "back": "/_mock/ui/requests"},
        {"control_token": "x", "back": "https://example.com/"},
    ),
    ("mock_ui_clock", "POST", "/_mock/ui/clock", {"advance": "0"}, {"advance": "x"}),
    (
        "mock_ui_write_review",
        "POST",
        f"/_mock/ui/reviews/{DEMO_SHOP_ID}",
        {"rating": "5", "author": "Prism"},
        {"rating": "6", "author": "Prism"},
    ),
    (
        "mock_ui_review_action",
        "POST",
        f"/_mock/ui/reviews/{DEMO_SHOP_ID}/{DEMO_REVIEW_ID}",
        {"action": "feature"},
        {"action": "burn"},
    ),
    # Faults set and removed, a snapshot saved and deleted, so nothing after them changes.
    ("mock_ui_faults", "GET", "/_mock/ui/faults", {"done": "Fault 1 set"}, {"done": "x" * 501}),
    (
        "mock_ui_add_fault",
        "POST",
        "/_mock/ui/faults",
        {"action": "delay", "operation": "get_rating", "delay": "0", "times": "1"},
        {"action": "explode"},
    ),
    ("mock_ui_remove_fault", "POST", "/_mock/ui/faults/remove", {"fault_id": "all"}, {}),
    (
        "mock_ui_add_push_fault",
        "POST",
        "/_mock/ui/faults/push",
        {"kind": "duplicate", "topic": "review/created", "times": "1"},
        {"kind": "lost"},
    ),
    (
        "mock_ui_remove_push_fault",
        "POST",
        "/_mock/ui/faults/push/remove",
        {"push_fault_id": "all"},
        {"push_fault_id": "x"},
    ),
    ("mock_ui_snapshots", "GET", "/_mock/ui/snapshots", {}, {"done": "x" * 501}),
    (
        "mock_ui_snapshot",
        "POST",
        "/_mock/ui/snapshots",
        {"action": "save", "name": "ui-probe"},
        {"action": "save", "name": "../x"},
    ),
]


def inspector_probes() -> list[Probe]:
    found = []
    for operation_id, method, path, valid, invalid in INSPECTOR_CALLS:
        for fields, is_valid in ((valid, True), (invalid, False)):
            given = {"params": fields} if method == "GET" else {"form": fields}
            found.append(Probe(operation_id, method, path, is_valid, "none", **given))
    # Path parameters: a journal entry and a delivery the probes above made.
    return [
        *found,
        Probe("mock_ui_request", "GET", "/_mock/ui/requests/1", auth="none"),
        Probe("mock_ui_request", "GET", "/_mock/ui/requests/x", False, "none"),
        Probe("mock_ui_retry_delivery", "POST", "/_mock/ui/deliveries/1/retry", auth="none"),
        Probe("mock_ui_retry_delivery", "POST", "/_mock/ui/deliveries/x/retry", False, "none"),
        Probe(
            "mock_ui_snapshot",
            "POST",
            "/_mock/ui/snapshots",
            auth="none",
            form={"action": "delete", "name": "ui-probe"},
        ),
    ]


def _keep_video_upload(response: httpx.Response, kept: dict[str, Any]) -> None:
    """The pre-signed URL names the fake itself: the same path and query go through Prism."""
    parts = urlsplit(response.json()["data"]["upload_url"])
    kept.update(
        upload_path=f"{parts.path}?{parts.query}",
        video_key=parts.path.removeprefix("/_storage/"),
    )


def _keep_image_credentials(response: httpx.Response, kept: dict[str, Any]) -> None:
    data = response.json()["data"]
    kept.update(
        image_key=f"{data['dir']}prism.png",
        policy=data["policy"],
        access_id=data["access_id"],
        signature=data["signature"],
    )


def _fill(value: Any, kept: dict[str, Any]) -> Any:
    """``"{name}"`` placeholders replaced by what earlier answers gave."""
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda match: str(kept[match.group(1)]), value)
    if isinstance(value, dict):
        return {key: _fill(item, kept) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, kept) for item in value]
    return value


def _auth(probe: Probe, kept: dict[str, Any]) -> httpx.Auth | None:
    if probe.auth == "sign":
        return TrustooAuth(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN)
    if probe.auth == "bearer":
        return BearerAuth(kept.get("access_token", DEMO_ACCESS_TOKEN))
    if probe.auth == "merchant":
        return BearerAuth(kept["merchant"])
    return None


def send(http: httpx.Client, probe: Probe, kept: dict[str, Any]) -> Outcome:
    path = _fill(probe.path, kept)
    headers = dict(probe.headers)
    content = probe.content
    files = None
    data = None
    if probe.body is not None:
        # Prism forwards JSON re-serialised compactly, so the compact form is what is signed.
        content = json.dumps(_fill(probe.body, kept), separators=(",", ":")).encode()
        headers["Content-Type"] = "application/json"
    elif probe.form is not None and probe.content is not None:
        data = _fill(probe.form, kept)
        files = {"file": ("prism.png", probe.content, "image/png")}
        content = None
    elif probe.form is not None:
        data = _fill(probe.form, kept)
    response = http.request(
        probe.method,
        path,
        params=_fill(probe.params, kept),
        content=content,
        data=data,
        files=files,
        headers=headers,
        auth=_auth(probe, kept) or httpx.USE_CLIENT_DEFAULT,
    )
    if probe.keep is not None and probe.valid:
        probe.keep(response, kept)
    violations = json.loads(response.headers.get("sl-violations", "[]"))
    return Outcome(probe, response.status_code, violations, response.text)


def _problems(outcome: Outcome) -> list[str]:
    probe = outcome.probe
    kind = "valid" if probe.valid else "invalid"
    name = f"{probe.operation_id} ({kind} {probe.method} {probe.path})"
    found = []
    checked_answer = probe.operation_id not in UNCHECKED_ANSWERS
    request_violations = [
        item
        for item in outcome.located("request")
        if not (probe.operation_id in UNROUTABLE and item["message"] == NO_ROUTE)
    ]
    if checked_answer and outcome.located("response"):
        found.append(f"{name}: response violations {outcome.located('response')}")
    if probe.valid and request_violations:
        found.append(f"{name}: Prism refused a valid request: {request_violations}")
    if probe.valid and checked_answer and not outcome.accepted:
        found.append(f"{name}: the fake refused it: {outcome.status} {outcome.text[:300]}")
    if not probe.valid and not request_violations and probe.operation_id not in UNROUTABLE:
        found.append(f"{name}: Prism did not notice the invalid request")
    if not probe.valid and outcome.accepted:
        found.append(f"{name}: the fake accepted an invalid request: {outcome.text[:300]}")
    return found


def test_every_operation_is_probed_validly_and_invalidly() -> None:
    listed = probes({})
    valid = {probe.operation_id for probe in listed if probe.valid}
    invalid = {probe.operation_id for probe in listed if not probe.valid}
    # A CORS preflight is answered whatever the path: it has no invalid form.
    takes_input = {
        operation.operation_id
        for operation in SPEC.operations.values()
        if (operation.parameters or "requestBody" in operation.raw)
        and operation.method != "OPTIONS"
    }
    assert valid == set(SPEC.operations)
    assert takes_input - invalid == set()


def test_prism_proxy_refuses_no_valid_request_and_finds_no_violation(prism_proxy: str) -> None:
    kept: dict[str, Any] = {}
    problems: list[str] = []
    with httpx.Client(base_url=prism_proxy, timeout=60) as http:
        for probe in probes(kept):
            problems += _problems(send(http, probe, kept))
    assert problems == [], "\n".join(problems)


# --- Prism's mocks -----------------------------------------------------------------------------

# (A review's order_id is left out: the fake keeps whatever reference the review was given.)
ID_KEYS = {"id", "shop_id", "product_id", "review_id", "customer_id", "webhook_id"}
RFC3339 = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})"
TIME = re.compile(rf"{RFC3339}|\d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}:\d{{2}}")
RATING_TEXT = re.compile(r"0|[1-4]\.\d|5\.0")


def looks_like_trustoo(key: str, value: Any) -> bool:
    """Ids are digits, times RFC 3339 or Trustoo's own format, ratings 1-5, URLs http(s)."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return True
    text = str(value)
    if key in ID_KEYS and isinstance(value, str):
        return text.isdigit()
    if key.endswith("_at") and isinstance(value, str):
        return TIME.fullmatch(text) is not None
    if key in ("rating", "star") and isinstance(value, int):
        return 1 <= value <= 5
    if key in ("rating", "rating_value"):
        return RATING_TEXT.fullmatch(text) is not None
    if key == "url" or key.endswith(("_url", "_uris")):
        return not text or urlsplit(text).scheme.lower() in ("http", "https")
    return True


def implausible(value: Any, key: str = "") -> Iterator[str]:
    """What in a made-up answer does not look like Trustoo (see ``looks_like_trustoo``)."""
    if isinstance(value, dict):
        for name, inner in value.items():
            yield from implausible(inner, name)
    elif isinstance(value, list):
        for inner in value:
            yield from implausible(inner, key)
    elif not looks_like_trustoo(key, value):
        yield f"{key}={value!r}"


def _mocked_operations() -> list[tuple[str, int, Probe]]:
    """Each operation with a JSON success answer, its status, and one valid request for it."""
    first_valid: dict[str, Probe] = {}
    for probe in probes({}):
        if probe.valid and probe.operation_id not in UNCHECKED_ANSWERS:
            first_valid.setdefault(probe.operation_id, probe)
    mocked = []
    for operation_id, probe in first_valid.items():
        responses = SPEC.operations[operation_id].raw["responses"]
        for status in sorted(responses):
            if status.startswith("2") and "application/json" in responses[status].get(
                "content", {}
            ):
                mocked.append((operation_id, int(status), probe))
                break
    return mocked


# What the mock's requests name where the proxy's took them from earlier answers.
MOCK_KEPT = {
    "webhook": "1",
    "review": DEMO_REVIEW_ID,
    "delivery": "1",
    "push_fault": "1",
    "fault": "1",
    "code": "6y/ly4b0PVJLCv6fafC2Xg==",
    "refresh_token": "atXA/8Nc86YntkVWG0JWgg==",
    "merchant": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
    "access_token": DEMO_ACCESS_TOKEN,
}


def test_prism_dynamic_mocks_look_like_trustoo() -> None:
    mocks = run_prism(documented("tools/node_modules/.bin/prism mock openapi.yaml --dynamic"))
    base = next(mocks)
    found = []
    try:
        with httpx.Client(base_url=base, timeout=60) as http:
            for operation_id, status, probe in _mocked_operations():
                # With --seed, each answer is made up the same way on every run.
                wanted = replace(
                    probe, keep=None, headers={**probe.headers, "Prefer": f"code={status}"}
                )
                outcome = send(http, wanted, dict(MOCK_KEPT))
                assert outcome.status == status, (operation_id, outcome.text[:500])
                found += [
                    f"{operation_id}: {item}" for item in implausible(json.loads(outcome.text))
                ]
    finally:
        mocks.close()
    assert len(_mocked_operations()) > 45
    assert found == [], "\n".join(found)


def test_prism_static_mocks_answer_the_documented_examples() -> None:
    mocks = run_prism(documented("tools/node_modules/.bin/prism mock openapi.yaml --port"))
    base = next(mocks)
    try:
        signed = TrustooAuth(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN)
        answer = httpx.get(f"{base}/api/v1/openapi/get_review?id=100001", auth=signed, timeout=60)
    finally:
        mocks.close()
    example = SPEC.operations["get_review"].raw["responses"]["200"]["content"]["application/json"]
    assert answer.json() == example["example"]


def test_openapi_typescript_generates_a_client_for_every_operation(tmp_path: Path) -> None:
    command = documented("tools/node_modules/.bin/openapi-typescript")
    output = tmp_path / "trustoo-api.d.ts"
    command = [str(output) if part == "trustoo-api.d.ts" else part for part in command]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=300)
    generated = output.read_text()
    for operation in SPEC.operations.values():
        assert f"    {operation.operation_id}: {{" in generated, operation.operation_id
    assert re.search(r"rating_value: string", generated)

"""Client helpers: the httpx auth signs exactly what is sent; httpx stays optional."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

import httpx
import pytest

import trustoo_mock
from tests.helpers import DEMO_ACCESS_TOKEN, DEMO_PRIVATE_TOKEN, DEMO_PUBLIC_TOKEN, FROZEN_AT
from trustoo_mock import MockTrustoo, client
from trustoo_mock.client import BearerAuth, TrustooAuth, bearer_headers
from trustoo_mock.core.signing import parse_query, sign, string_to_sign

REVIEWS = "/api/v1/openapi/get_reviews"


@pytest.fixture
def fake() -> Iterator[MockTrustoo]:
    with MockTrustoo(frozen_time=FROZEN_AT) as mock:
        yield mock


def _auth() -> TrustooAuth:
    return TrustooAuth(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, now=lambda: FROZEN_AT)


def test_auth_signs_the_final_query_and_the_exact_body() -> None:
    request = httpx.Request(
        "POST",
        "https://rapi.trustoo.io/api/v1/openapi/create_review",
        params=[("b", "2"), ("a", "x y"), ("product_ids[0]", "7")],
        json={"rating": 5, "author": "Ana"},
    )
    signed = next(_auth().sync_auth_flow(request))
    expected = string_to_sign(parse_query(request.url.query), str(FROZEN_AT), request.content)
    assert signed.headers["Public-Token"] == DEMO_PUBLIC_TOKEN
    assert signed.headers["Timestamp"] == str(FROZEN_AT)
    assert signed.headers["Sign"] == sign(DEMO_PRIVATE_TOKEN, expected)
    assert expected.startswith(b"a=x y&b=2&product_ids[0]=7&timestamp=")


@pytest.mark.parametrize(
    ("params", "body"),
    [
        ({"page_size": "2", "keyword": "soap & more"}, None),
        ({"ratings[]": "5"}, None),
        ({}, {"rating": 4, "author": "Zoë", "content": "ça va"}),
    ],
)
def test_the_fake_accepts_what_the_auth_signs(
    fake: MockTrustoo, params: dict[str, str], body: object
) -> None:
    with fake.client(auth=_auth()) as http:
        if body is None:
            answer = http.get(REVIEWS, params=params).json()
        else:
            answer = http.post("/api/v1/openapi/create_review", json=body).json()
    assert answer["code"] == 0, answer


def test_form_bodies_are_signed_as_sent(fake: MockTrustoo) -> None:
    shop = fake.shop("70000000001")
    with fake.client(shop) as http:
        answer = http.post(
            "/api/v1/openapi/create_shop_webhook",
            data={"topic": "review/created", "url": "https://example.com/hook"},
        ).json()
    # The signature over the form bytes passed (else code 16); this operation takes JSON only.
    assert answer["code"] == 3, answer


def test_async_clients_sign_too(fake: MockTrustoo) -> None:
    async def call() -> int:
        async with fake.async_client("70000000001") as http:
            answer = (await http.get(REVIEWS, params={"page_size": 1})).json()
        return int(answer["data"]["page"]["count"])

    assert asyncio.run(call()) == 300


def test_bearer_helpers(fake: MockTrustoo) -> None:
    with fake.client(token=DEMO_ACCESS_TOKEN) as http:
        assert http.get("/api/v1/openapi/get_rating").json()["code"] == 0
    with fake.client(auth=BearerAuth(DEMO_ACCESS_TOKEN)) as http:
        assert http.get("/api/v1/openapi/get_rating").json()["code"] == 0
    with fake.client(headers=bearer_headers("not-a-token")) as http:
        assert http.get("/api/v1/openapi/get_rating").json()["code"] == 16
    with pytest.raises(TypeError, match="not several"):
        fake.client("70000000001", token=DEMO_ACCESS_TOKEN)


def test_without_httpx_the_httpx_classes_say_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)
    monkeypatch.delitem(sys.modules, "trustoo_mock.httpx_auth")
    with pytest.raises(ImportError, match=r"needs httpx \(the client extra\): pip install httpx"):
        _ = client.TrustooAuth
    assert client.RequestsSigner  # the requests signer needs no httpx


def test_importing_the_package_loads_neither_httpx_nor_the_server() -> None:
    probe = (
        "import sys, trustoo_mock, trustoo_mock.client; "
        "print(sorted(m for m in ('httpx', 'starlette', 'hypercorn', 'pytest', 'yaml') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


# httpx style: the public modules' names, exactly; a new export is a decision, not an accident.
PUBLIC_NAMES = {
    "trustoo_mock": [
        "Config",
        "Grant",
        "MockTrustoo",
        "MockTrustooError",
        "Platform",
        "Push",
        "Shop",
        "WebhookReceiver",
        "WebhookVerificationError",
        "__version__",
        "create_app",
        "verify_webhook",
    ],
    "trustoo_mock.cli": ["main"],
    "trustoo_mock.client": ["BearerAuth", "RequestsSigner", "TrustooAuth", "bearer_headers"],
    "trustoo_mock.config": ["Config", "ErrorHttpStatus"],
    "trustoo_mock.pytest_plugin": [
        "seed_for_test",
        "trustoo",
        "trustoo_platform",
        "trustoo_server",
        "trustoo_shop",
        "webhook_receiver",
    ],
    "trustoo_mock.receiver": ["Push", "WebhookReceiver"],
    "trustoo_mock.testing": [
        "Fault",
        "Grant",
        "MockTrustoo",
        "MockTrustooError",
        "Platform",
        "PushFault",
        "Shop",
        "Snapshot",
    ],
    "trustoo_mock.verify": ["WebhookVerificationError", "verify_webhook"],
    "trustoo_mock.httpx_auth": ["BearerAuth", "TrustooAuth"],
    "trustoo_mock.version": ["__version__"],
}


def test_every_module_at_the_top_is_public_and_the_folders_hold_the_internals() -> None:
    """A module beside ``__init__.py`` is one users import, so its names are pinned above;
    everything else lives in a layer folder (docs/architecture.md)."""
    package = Path(trustoo_mock.__file__).parent
    top = {f"trustoo_mock.{path.stem}" for path in package.glob("*.py") if path.stem != "__init__"}
    assert top == set(PUBLIC_NAMES) - {"trustoo_mock"}


@pytest.mark.parametrize("module", sorted(PUBLIC_NAMES))
def test_the_public_surface_is_exact(module: str) -> None:
    assert import_module(module).__all__ == PUBLIC_NAMES[module]


def test_each_name_of_the_root_is_the_object_of_the_public_module_it_comes_from() -> None:
    import trustoo_mock
    from trustoo_mock import version

    homes = {
        name: module
        for module, names in PUBLIC_NAMES.items()
        if module != "trustoo_mock"
        for name in names
    }
    homes["__version__"] = version.__name__
    homes["create_app"] = "trustoo_mock.server.app"
    for name in trustoo_mock.__all__:
        assert getattr(trustoo_mock, name) is getattr(import_module(homes[name]), name), name
    assert dir(trustoo_mock) == sorted(trustoo_mock.__all__)
    with pytest.raises(AttributeError):
        _ = trustoo_mock.nothing_here  # type: ignore[attr-defined]

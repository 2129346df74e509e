"""Media upload (X19, X20): image credentials, the fake's object store, video upload URLs.

Expected signatures are computed here from the documented recipes (OSS version 1), never read
back from the fake: base64(HMAC-SHA1(secret, policy)) for a post policy and
base64(HMAC-SHA1(secret, "PUT\\n<md5>\\n<type>\\n<expires>\\n/<bucket>/<key>")) for a URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest

from tests.helpers import (
    DEMO_PRIVATE_TOKEN,
    DEMO_PUBLIC_TOKEN,
    DEMO_SHOP_ID,
    FROZEN_AT,
    CheckedClient,
    refused_for_scope,
)
from tests.live import live_server
from trustoo_mock import Config, create_app
from trustoo_mock.core.signing import parse_query, signed_headers
from trustoo_mock.domain.media import policy_secret

CREDENTIALS = "/api/v1/openapi/get_image_upload_policy_token"
VIDEO_URL = "/api/v1/openapi/get_video_upload_url"
CREATE_REVIEW = "/api/v1/openapi/create_review"
GET_REVIEW = "/api/v1/openapi/get_review"
WIDGET = "/api/v1/reviews/get_product_reviews"
BUCKET = "trustoo-mock"
ACCESS_ID = Config().oss_access_key_id
DIR = f"mock/{DEMO_SHOP_ID}/2026/9/8/"  # FROZEN_AT is 2026-09-08T04:05:06Z
TTL = 900
MAX_IMAGE = 10 * 1024 * 1024
JPEG = b"\xff\xd8\xff\xe0 a tiny jpeg \x00\x01\x02\xff\xd9"
BOUNDARY = "trustoo-test-boundary"


# --------------------------------------------------------------------------- helpers


def base(client: CheckedClient) -> str:
    """How the test reaches the fake (in process or a live server): the URLs it hands out."""
    return str(client.http.base_url).rstrip("/")


def local(client: CheckedClient, url: str) -> str:
    """An absolute URL the fake handed out, as a path for the client."""
    return url.removeprefix(base(client))


def instance_secret(client: CheckedClient) -> bytes:
    """The secret this fake signs uploads with (its own, X49)."""
    return policy_secret(client.app.state.fake.ctx)


def sha1_signature(message: str, secret: bytes) -> str:
    digest = hmac.new(secret, message.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def b64_json(document: Any) -> str:
    return base64.b64encode(json.dumps(document, separators=(",", ":")).encode()).decode()


def multipart(parts: list[tuple[str, bytes | str, str | None, str | None]]) -> tuple[bytes, str]:
    """(name, value, filename, content type) parts, in this order, as multipart/form-data."""
    chunks = []
    for name, value, filename, content_type in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
        if content_type:
            head += f"Content-Type: {content_type}\r\n"
        data = value.encode() if isinstance(value, str) else value
        chunks.append(head.encode() + b"\r\n" + data + b"\r\n")
    body = b"".join(chunks) + f"--{BOUNDARY}--\r\n".encode()
    return body, f"multipart/form-data; boundary={BOUNDARY}"


def credentials(client: CheckedClient) -> dict[str, str]:
    response = client.signed("GET", CREDENTIALS)
    assert response.status_code == 200, response.json()
    data: dict[str, str] = response.json()["data"]
    return data


def form(
    cred: dict[str, str], key: str, data: bytes = JPEG, **overrides: str
) -> list[tuple[str, bytes | str, str | None, str | None]]:
    fields = {
        "key": key,
        "policy": cred["policy"],
        "OSSAccessKeyId": cred["access_id"],
        "Signature": cred["signature"],
        "callback": cred["callback"],
        **overrides,
    }
    parts: list[tuple[str, bytes | str, str | None, str | None]] = [
        (name, value, None, None) for name, value in fields.items()
    ]
    return [*parts, ("file", data, "photo.jpg", "image/jpeg")]


def post(client: CheckedClient, parts: list[Any]) -> Any:
    body, content_type = multipart(parts)
    return client.request("POST", "/_storage", content=body, headers={"Content-Type": content_type})


def oss_error(response: Any) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "Error"
    return {child.tag: child.text or "" for child in root}


def fetch(client: CheckedClient, key: str, query: str = "") -> Any:
    return client.request("GET", f"/_storage/{quote(key)}{query}")


def assert_not_stored(client: CheckedClient, key: str) -> None:
    response = fetch(client, key)
    assert response.status_code == 404
    assert oss_error(response)["Code"] == "NoSuchKey"


def advance(client: CheckedClient, seconds: int) -> None:
    assert client.control("POST", "/_mock/clock", {"advance": seconds}).status_code == 200


# --------------------------------------------------------------------------- credentials


def test_credentials_have_the_documented_shape_and_a_real_policy(client: CheckedClient) -> None:
    cred = credentials(client)
    assert set(cred) == {"access_id", "host", "expire", "signature", "policy", "dir", "callback"}
    assert cred["access_id"] == ACCESS_ID
    assert cred["host"] == f"{base(client)}/_storage"
    assert cred["expire"] == str(FROZEN_AT + TTL)
    assert cred["dir"] == DIR
    policy = json.loads(base64.b64decode(cred["policy"]))
    assert policy == {
        "expiration": "2026-09-08T04:20:06Z",
        "conditions": [["starts-with", "$key", DIR], ["content-length-range", 1, MAX_IMAGE]],
    }
    assert cred["signature"] == sha1_signature(cred["policy"], instance_secret(client))
    assert json.loads(base64.b64decode(cred["callback"])) == {
        "callbackUrl": "",
        "callbackBody": "filename=${object}&size=${size}&mimeType=${mimeType}",
    }


def test_credentials_need_write_reviews(client: CheckedClient) -> None:
    for path in (CREDENTIALS, VIDEO_URL):
        refused_for_scope(client, "GET", path, "write_reviews")


# --------------------------------------------------------------------------- image upload


def test_upload_then_fetch_then_review_with_its_url(client: CheckedClient) -> None:
    cred = credentials(client)
    key = cred["dir"] + "photo-1.jpg"
    response = post(client, form(cred, key))
    assert response.status_code == 204, response.text
    assert response.headers["etag"] == f'"{hashlib.md5(JPEG).hexdigest().upper()}"'
    assert response.headers["access-control-allow-origin"] == "*"
    assert "x-mock-warning" not in response.headers

    url = f"{cred['host']}/{key}"
    fetched = client.request("GET", local(client, url))
    assert fetched.status_code == 200
    assert fetched.content == JPEG
    assert fetched.headers["content-type"] == "image/jpeg"
    styled = client.request("GET", f"{local(client, url)}?x-oss-process=style/trustoo_big")
    assert styled.content == JPEG

    media = [{"url": url, "thumbnail_url": url + "?x-oss-process=style/trustoo_small", "type": 1}]
    created = client.signed(
        "POST",
        CREATE_REVIEW,
        body={"product_id": "8000000000001", "rating": 5, "author": "Ana", "media": media},
    )
    assert created.status_code == 200, created.json()
    review_id = created.json()["data"]["id"]
    stored = client.signed("GET", GET_REVIEW, params={"id": review_id}).json()["data"]
    assert stored["media"] == [{**media[0], "is_published": 1}]
    page = client.request(
        "GET", f"{WIDGET}?shop_id={DEMO_SHOP_ID}&product_id=8000000000001&limit=100"
    ).json()["data"]
    shown = next(item for item in page["list"] if item["id"] == review_id)
    assert shown["resources"] == [{"src": url, "resource_type": 1}]
    assert client.request("GET", local(client, shown["resources"][0]["src"])).content == JPEG


def test_upload_over_a_real_socket() -> None:
    """The same path through `trustoo-mock serve`, with httpx building the multipart form."""
    with live_server("--frozen-time", str(FROZEN_AT)) as base_url:
        query = "timestamp=" + str(FROZEN_AT)
        headers = signed_headers(
            DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, FROZEN_AT, parse_query(query), b""
        )
        cred = httpx.get(f"{base_url}{CREDENTIALS}?{query}", headers=headers).json()["data"]
        assert cred["host"] == f"{base_url}/_storage"
        key = cred["dir"] + "over-http.png"
        fields = {
            "key": key,
            "policy": cred["policy"],
            "OSSAccessKeyId": cred["access_id"],
            "Signature": cred["signature"],
        }
        files = {"file": ("over-http.png", b"\x89PNG bytes", "image/png")}
        uploaded = httpx.post(cred["host"], data=fields, files=files)
        assert uploaded.status_code == 204, uploaded.text
        fetched = httpx.get(f"{cred['host']}/{key}")
        assert (fetched.status_code, fetched.content) == (200, b"\x89PNG bytes")
        assert fetched.headers["content-type"] == "image/png"


def test_filename_variable_in_the_key(client: CheckedClient) -> None:
    cred = credentials(client)
    response = post(client, form(cred, cred["dir"] + "${filename}"))
    assert response.status_code == 204
    assert fetch(client, cred["dir"] + "photo.jpg").content == JPEG


def test_success_action_status_201_answers_the_location(client: CheckedClient) -> None:
    cred = credentials(client)
    key = cred["dir"] + "with-location.jpg"
    response = post(client, form(cred, key, success_action_status="201"))
    assert response.status_code == 201
    root = ElementTree.fromstring(response.content)
    answer = {child.tag: child.text for child in root}
    assert root.tag == "PostResponse"
    assert answer == {
        "Bucket": BUCKET,
        "Location": f"{base(client)}/_storage/{key}",
        "Key": key,
        "ETag": f'"{hashlib.md5(JPEG).hexdigest().upper()}"',
    }
    assert post(client, form(cred, key, success_action_status="200")).status_code == 200


def test_fields_after_the_file_are_read_with_a_warning(client: CheckedClient) -> None:
    cred = credentials(client)
    key = cred["dir"] + "late-fields.jpg"
    parts = form(cred, key)
    parts = [parts[-1], *parts[:-1]]  # file first
    response = post(client, parts)
    assert response.status_code == 204
    warning = response.headers["x-mock-warning"]
    assert "key, policy, ossaccesskeyid, signature, callback" in warning
    assert "send file last" in warning


def test_form_field_names_are_case_insensitive(client: CheckedClient) -> None:
    cred = credentials(client)
    key = cred["dir"] + "cases.jpg"
    parts = [
        ("KEY", key, None, None),
        ("Policy", cred["policy"], None, None),
        ("ossaccesskeyid", cred["access_id"], None, None),
        ("signature", cred["signature"], None, None),
        ("file", JPEG, "x.jpg", "image/jpeg"),
    ]
    assert post(client, parts).status_code == 204


def test_forged_signature_is_refused_and_nothing_is_stored(client: CheckedClient) -> None:
    cred = credentials(client)
    key = cred["dir"] + "forged.jpg"
    forged = sha1_signature(cred["policy"], b"not-the-secret")
    response = post(client, form(cred, key, Signature=forged))
    assert response.status_code == 403
    error = oss_error(response)
    assert error["Code"] == "SignatureDoesNotMatch"
    assert "base64(HMAC-SHA1(secret, policy))" in error["Message"]
    assert error["StringToSign"] == cred["policy"]
    assert_not_stored(client, key)


def test_a_policy_rewritten_for_another_directory_is_refused(client: CheckedClient) -> None:
    cred = credentials(client)
    policy = json.loads(base64.b64decode(cred["policy"]))
    policy["conditions"][0][2] = "mock/"
    rewritten = b64_json(policy)
    key = "mock/elsewhere.jpg"
    response = post(client, form(cred, key, policy=rewritten))
    assert response.status_code == 403
    assert oss_error(response)["Code"] == "SignatureDoesNotMatch"
    assert_not_stored(client, key)


def test_expired_policy_is_refused_on_the_fakes_clock(client: CheckedClient) -> None:
    cred = credentials(client)
    advance(client, TTL + 1)
    key = cred["dir"] + "late.jpg"
    response = post(client, form(cred, key))
    assert response.status_code == 403
    error = oss_error(response)
    assert error["Code"] == "AccessDenied"
    assert "Policy expired" in error["Message"]
    assert "2026-09-08T04:20:06Z" in error["Message"]
    assert_not_stored(client, key)


def test_policy_is_still_valid_at_its_expiration(client: CheckedClient) -> None:
    cred = credentials(client)
    advance(client, TTL)
    assert post(client, form(cred, cred["dir"] + "just-in-time.jpg")).status_code == 204


@pytest.mark.parametrize(
    "key",
    [
        "elsewhere/photo.jpg",
        f"mock/{DEMO_SHOP_ID}/2026/9/7/photo.jpg",
        "mock/70000000002/2026/9/8/photo.jpg",
        f"x{DIR}photo.jpg",
    ],
)
def test_key_outside_dir_is_refused_and_nothing_is_stored(client: CheckedClient, key: str) -> None:
    cred = credentials(client)
    response = post(client, form(cred, key))
    assert response.status_code == 403
    error = oss_error(response)
    assert error["Code"] == "AccessDenied"
    assert f'["starts-with","$key","{DIR}"]' in error["Message"]
    assert repr(key) in error["Message"]
    assert_not_stored(client, key)


@pytest.mark.parametrize(
    ("name", "problem"),
    [("a//b.jpg", "empty"), ("../b.jpg", "'..'"), ("./b.jpg", "'.'"), ("sub/", "ends with /")],
)
def test_key_with_bad_segments_is_refused(client: CheckedClient, name: str, problem: str) -> None:
    cred = credentials(client)
    response = post(client, form(cred, cred["dir"] + name))
    assert response.status_code == 400
    error = oss_error(response)
    assert error["Code"] == "InvalidObjectName"
    assert problem in error["Message"]


def test_file_too_large_is_refused_and_nothing_is_stored() -> None:
    client = CheckedClient(create_app(Config(frozen_time=FROZEN_AT, max_image_bytes=1000)))
    cred = credentials(client)
    policy = json.loads(base64.b64decode(cred["policy"]))
    assert policy["conditions"][1] == ["content-length-range", 1, 1000]
    key = cred["dir"] + "big.jpg"
    response = post(client, form(cred, key, data=b"x" * 1001))
    assert response.status_code == 400
    error = oss_error(response)
    assert error["Code"] == "EntityTooLarge"
    assert "1001 bytes, at most 1000" in error["Message"]
    assert_not_stored(client, key)
    assert post(client, form(cred, key, data=b"x" * 1000)).status_code == 204


def test_a_body_beyond_the_read_limit_is_refused_before_parsing() -> None:
    client = CheckedClient(create_app(Config(frozen_time=FROZEN_AT, max_image_bytes=1000)))
    cred = credentials(client)
    key = cred["dir"] + "huge.jpg"
    response = post(client, form(cred, key, data=b"x" * (1000 + 64 * 1024 + 1)))
    assert response.status_code == 400
    assert oss_error(response)["Code"] == "EntityTooLarge"
    assert_not_stored(client, key)


def test_an_empty_file_is_too_small(client: CheckedClient) -> None:
    cred = credentials(client)
    key = cred["dir"] + "empty.jpg"
    response = post(client, form(cred, key, data=b""))
    assert response.status_code == 400
    assert oss_error(response)["Code"] == "EntityTooSmall"
    assert_not_stored(client, key)


@pytest.mark.parametrize(
    ("drop", "status", "code", "words"),
    [
        ("key", 400, "InvalidArgument", "key is required"),
        ("file", 400, "InvalidArgument", "file is required"),
        ("OSSAccessKeyId", 403, "AccessDenied", "send OSSAccessKeyId, policy and Signature"),
        ("policy", 400, "InvalidArgument", "policy is required"),
        ("Signature", 400, "InvalidArgument", "Signature is required"),
    ],
)
def test_missing_fields_are_named(
    client: CheckedClient, drop: str, status: int, code: str, words: str
) -> None:
    cred = credentials(client)
    parts = [part for part in form(cred, cred["dir"] + "m.jpg") if part[0] != drop]
    response = post(client, parts)
    assert response.status_code == status
    error = oss_error(response)
    assert (error["Code"], words in error["Message"]) == (code, True), error


def test_unknown_access_key_is_refused_without_repeating_it(client: CheckedClient) -> None:
    """What came as the key id may be the key secret in the wrong field: never echoed (X119)."""
    cred = credentials(client)
    sent = "LTAIsomebodyelse"
    response = post(client, form(cred, cred["dir"] + "k.jpg", OSSAccessKeyId=sent))
    assert response.status_code == 403
    error = oss_error(response)
    assert error["Code"] == "InvalidAccessKeyId"
    assert "access_id" in error["Message"]
    assert sent not in response.text
    query = f"Expires=9999999999&OSSAccessKeyId={sent}&Signature=c2lnbmF0dXJl"
    response = client.request("PUT", f"/_storage/{DIR}k.mp4?{query}", content=b"x")
    assert oss_error(response)["Code"] == "InvalidAccessKeyId"
    assert sent not in response.text


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (b"key=a", "application/x-www-form-urlencoded", "multipart/form-data with a boundary"),
        (b"--b\r\nContent-Disposition: form-da", "multipart/form-data; boundary=b", "closing"),
        (b"garbage", "multipart/form-data; boundary=b", "not well-formed"),
    ],
)
def test_a_malformed_body_is_refused(
    client: CheckedClient, body: bytes, content_type: str, words: str
) -> None:
    response = client.request(
        "POST", "/_storage", content=body, headers={"Content-Type": content_type}
    )
    assert response.status_code == 400
    error = oss_error(response)
    assert error["Code"] == "MalformedPOSTRequest"
    assert words in error["Message"]


def test_unknown_object_and_wrong_method(client: CheckedClient) -> None:
    assert_not_stored(client, f"{DIR}never-uploaded.jpg")
    response = client.http.delete(f"/_storage/{DIR}x.jpg")
    assert response.status_code == 405
    assert oss_error(response)["Code"] == "MethodNotAllowed"


def test_cors_preflight(client: CheckedClient) -> None:
    for path in ("/_storage", f"/_storage/{DIR}a.mp4"):
        response = client.request(
            "OPTIONS", path, headers={"Access-Control-Request-Headers": "content-type"}
        )
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "*"
        assert "PUT" in response.headers["access-control-allow-methods"]
        assert response.headers["access-control-allow-headers"] == "content-type"


# --------------------------------------------------------------------------- video


def video_url(client: CheckedClient, **params: str) -> dict[str, str]:
    response = client.signed("GET", VIDEO_URL, params=params)
    assert response.status_code == 200, response.json()
    data: dict[str, str] = response.json()["data"]
    return data


def put(client: CheckedClient, url: str, data: bytes, content_type: str = "video/mp4") -> Any:
    headers = {"Content-Type": content_type} if content_type else {}
    return client.request("PUT", local(client, url), content=data, headers=headers)


def test_video_url_is_a_signed_expiring_put(client: CheckedClient) -> None:
    data = video_url(client)
    assert set(data) == {"upload_url", "video_url", "expire", "method"}
    assert data["method"] == "PUT"
    assert data["expire"] == str(FROZEN_AT + TTL)
    upload = urlsplit(data["upload_url"])
    key = upload.path.removeprefix("/_storage/")
    assert key.startswith(DIR) and key.endswith(".mp4")
    assert len(key.removeprefix(DIR).removesuffix(".mp4")) == 32
    assert data["video_url"] == f"{base(client)}/_storage/{key}"
    query = {name: values[0] for name, values in parse_qs(upload.query).items()}
    message = f"PUT\n\nvideo/mp4\n{data['expire']}\n/{BUCKET}/{key}"
    expected = sha1_signature(message, instance_secret(client))
    assert query == {"Expires": data["expire"], "OSSAccessKeyId": ACCESS_ID, "Signature": expected}


def test_video_upload_then_serve_then_review(client: CheckedClient) -> None:
    data = video_url(client, filename="unboxing.MOV", content_type="video/quicktime")
    assert data["video_url"].endswith(".mov")
    movie = b"\x00\x00\x00\x18ftypqt  a small movie"
    response = put(client, data["upload_url"], movie, "video/quicktime")
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{hashlib.md5(movie).hexdigest().upper()}"'
    served = client.request("GET", local(client, data["video_url"]))
    assert (served.status_code, served.content) == (200, movie)
    assert served.headers["content-type"] == "video/quicktime"

    media = [{"url": data["video_url"], "thumbnail_url": data["video_url"] + ".jpg", "type": 2}]
    created = client.signed(
        "POST", CREATE_REVIEW, body={"rating": 4, "author": "Vid", "media": media}
    ).json()["data"]
    assert created["media"][0]["url"] == data["video_url"]
    assert created["media"][0]["type"] == 2


def test_video_put_with_another_content_type_is_refused(client: CheckedClient) -> None:
    data = video_url(client)
    response = put(client, data["upload_url"], b"bytes", "video/webm")
    assert response.status_code == 403
    error = oss_error(response)
    assert error["Code"] == "SignatureDoesNotMatch"
    key = urlsplit(data["upload_url"]).path.removeprefix("/_storage/")
    assert error["StringToSign"] == f"PUT\n\nvideo/webm\n{data['expire']}\n/{BUCKET}/{key}"
    assert "Content-Type" in error["Message"]
    assert_not_stored(client, key)


def test_a_key_with_a_line_end_reaches_the_object_store_not_a_missing_route(
    client: CheckedClient,
) -> None:
    data = video_url(client)
    upload = urlsplit(data["upload_url"])
    response = put(client, f"{upload.path}%0Ab?{upload.query}", b"bytes")
    assert response.status_code == 403
    assert oss_error(response)["Code"] == "SignatureDoesNotMatch"


def test_video_url_expires_on_the_fakes_clock(client: CheckedClient) -> None:
    data = video_url(client)
    advance(client, TTL + 1)
    response = put(client, data["upload_url"], b"late bytes")
    assert response.status_code == 403
    error = oss_error(response)
    assert error["Code"] == "AccessDenied"
    assert "Request has expired" in error["Message"]
    assert_not_stored(client, urlsplit(data["video_url"]).path.removeprefix("/_storage/"))


def test_a_signed_url_does_not_open_another_key(client: CheckedClient) -> None:
    data = video_url(client)
    upload = urlsplit(data["upload_url"])
    other = f"/_storage/{DIR}someone-else.mp4?{upload.query}"
    response = client.request("PUT", other, content=b"x", headers={"Content-Type": "video/mp4"})
    assert response.status_code == 403
    assert oss_error(response)["Code"] == "SignatureDoesNotMatch"
    assert_not_stored(client, f"{DIR}someone-else.mp4")


def test_video_too_large_is_refused() -> None:
    client = CheckedClient(create_app(Config(frozen_time=FROZEN_AT, max_video_bytes=10)))
    data = video_url(client)
    response = put(client, data["upload_url"], b"x" * 11)
    assert response.status_code == 400
    assert oss_error(response)["Code"] == "EntityTooLarge"
    assert_not_stored(client, urlsplit(data["video_url"]).path.removeprefix("/_storage/"))
    assert put(client, data["upload_url"], b"x" * 10).status_code == 200


def test_video_content_md5_is_checked(client: CheckedClient) -> None:
    data = video_url(client)
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    headers = {"Content-Type": "video/mp4", "Content-MD5": wrong}
    response = client.request(
        "PUT", local(client, data["upload_url"]), content=b"body", headers=headers
    )
    # Content-MD5 is part of the string to sign, so an unsigned one fails the signature first.
    assert response.status_code == 403
    assert oss_error(response)["Code"] == "SignatureDoesNotMatch"


def test_video_put_without_signature_parameters_is_refused(client: CheckedClient) -> None:
    response = client.request(
        "PUT", f"/_storage/{DIR}x.mp4", content=b"x", headers={"Content-Type": "video/mp4"}
    )
    assert response.status_code == 400
    assert "Expires" in oss_error(response)["Message"]


# --------------------------------------------------------------------------- the store


def upload_image(client: CheckedClient, name: str, data: bytes = JPEG) -> str:
    cred = credentials(client)
    key = cred["dir"] + name
    assert post(client, form(cred, key, data=data)).status_code == 204
    return key


def test_the_oldest_objects_go_first_when_the_store_is_full() -> None:
    client = CheckedClient(create_app(Config(frozen_time=FROZEN_AT, max_stored_uploads=2)))
    first, second, third = (upload_image(client, f"{n}.jpg") for n in ("a", "b", "c"))
    assert_not_stored(client, first)
    assert fetch(client, second).status_code == 200
    assert fetch(client, third).status_code == 200

    by_bytes = CheckedClient(create_app(Config(frozen_time=FROZEN_AT, max_stored_upload_bytes=25)))
    small = upload_image(by_bytes, "small.jpg", b"x" * 10)
    medium = upload_image(by_bytes, "medium.jpg", b"y" * 10)
    large = upload_image(by_bytes, "large.jpg", b"z" * 10)
    assert_not_stored(by_bytes, small)
    assert fetch(by_bytes, medium).content == b"y" * 10
    assert fetch(by_bytes, large).content == b"z" * 10


def test_uploading_a_key_again_replaces_it(client: CheckedClient) -> None:
    key = upload_image(client, "same.jpg", b"first")
    upload_image(client, "same.jpg", b"second")
    assert fetch(client, key).content == b"second"


def test_reset_forgets_uploads(client: CheckedClient) -> None:
    key = upload_image(client, "gone.jpg")
    assert client.control("POST", "/_mock/reset", {"shop_id": DEMO_SHOP_ID}).status_code == 200
    assert_not_stored(client, key)
    key = upload_image(client, "gone-too.jpg")
    assert client.control("POST", "/_mock/reset").status_code == 200
    assert_not_stored(client, key)


def test_uploads_survive_a_restart_with_a_data_file(tmp_path: Path) -> None:
    data_file = tmp_path / "state.json"
    config = Config(frozen_time=FROZEN_AT, data_file=data_file)
    first = CheckedClient(create_app(config))
    key = upload_image(first, "kept.jpg", b"kept bytes")
    first.app.state.fake.close()
    state = data_file.read_text(encoding="utf-8")
    assert "kept bytes" not in state
    blobs = list((tmp_path / "state.json.blobs").iterdir())
    assert [path.read_bytes() for path in blobs] == [b"kept bytes"]

    again = CheckedClient(create_app(config))
    assert fetch(again, key).content == b"kept bytes"


# --------------------------------------------------------------------------- serving safely


@pytest.mark.parametrize(
    "content_type",
    [
        "text/html",
        "TEXT/HTML; charset=utf-8",
        "image/svg+xml",
        "text/javascript",
        "application/javascript",
        "application/xml",
        "application/xhtml+xml",
        "text/xml",
        "application/pdf",
    ],
)
def test_active_objects_are_served_as_attachments_never_sniffed(
    client: CheckedClient, content_type: str
) -> None:
    """Issue 23, item 10 (X63): an uploaded page must not run as the fake's own origin."""
    cred = credentials(client)
    key = cred["dir"] + "page.html"
    page = b"<html><script>alert(document.domain)</script></html>"
    response = post(client, form(cred, key, page, **{"Content-Type": content_type}))
    assert response.status_code == 204, response.text
    served = fetch(client, key)
    assert served.content == page
    media_type = content_type.split(";")[0].lower()
    assert served.headers["content-type"].lower().startswith(media_type)
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"] == "attachment"


@pytest.mark.parametrize(
    "content_type", ["image/jpeg", "image/png", "video/mp4", "audio/mpeg", "text/plain"]
)
def test_passive_objects_are_shown_in_place_never_sniffed(
    client: CheckedClient, content_type: str
) -> None:
    cred = credentials(client)
    key = cred["dir"] + "photo.jpg"
    assert post(client, form(cred, key, **{"Content-Type": content_type})).status_code == 204
    served = fetch(client, key)
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "content-disposition" not in served.headers


def test_object_store_errors_are_never_sniffed(client: CheckedClient) -> None:
    response = fetch(client, "mock/nothing-here.html")
    assert response.status_code == 404
    assert response.headers["x-content-type-options"] == "nosniff"

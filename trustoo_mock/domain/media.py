"""Media upload: image post-policy credentials, pre-signed video URLs, and the object store.

Trustoo hands out credentials for its object store (Alibaba OSS); the fake is that object store
too, so the whole path "get credentials, upload, use the URL in a review" runs against it.
Uploads are checked the way OSS checks them, with OSS's signatures (version 1):

* an image is a multipart POST with ``key``, ``policy``, ``OSSAccessKeyId``, ``Signature`` and
  ``file``; ``Signature`` = base64(HMAC-SHA1(secret, policy as sent)); the policy (base64 JSON)
  must not have expired on the fake's clock and its conditions (``starts-with $key`` the
  directory, ``content-length-range``) must hold;
* a video is a PUT of the raw bytes to a URL carrying ``Expires``, ``OSSAccessKeyId`` and
  ``Signature`` = base64(HMAC-SHA1(secret, "PUT\\n<Content-MD5>\\n<Content-Type>\\n<Expires>\\n
  /<bucket>/<key>")).

A refused upload stores nothing. Objects are served back at ``<host>/<key>``. What is kept is
bounded: the oldest objects go first when a new one would pass the byte or count limit.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from trustoo_mock.core.clock import parse_instant, rfc3339
from trustoo_mock.core.errors import FakeError
from trustoo_mock.domain.context import Context
from trustoo_mock.spec.openapi import STORAGE_PATH
from trustoo_mock.store.blobs import read_under

BUCKET = "trustoo-mock"
DEFAULT_VIDEO_TYPE = "video/mp4"
DEFAULT_OBJECT_TYPE = "application/octet-stream"
CALLBACK = {
    "callbackUrl": "",
    "callbackBody": "filename=${object}&size=${size}&mimeType=${mimeType}",
}
FILENAME_VARIABLE = "${filename}"
MAX_KEY_BYTES = 1023
OBJECT_SEQUENCE_START = 1
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,10})$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class PostForm:
    """A multipart upload: form fields by lowercase name (OSS reads them case-insensitively),
    the file, and the names of fields sent after the file (OSS would ignore those; the fake
    reads them and says so in a warning header)."""

    fields: dict[str, str] = field(default_factory=dict)
    file: UploadedFile | None = None
    after_file: tuple[str, ...] = ()


def _compact(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _md5(data: bytes) -> Any:
    return hashlib.md5(data, usedforsecurity=False)


def policy_secret(ctx: Context) -> bytes:
    """The access key secret that signs upload policies and URLs: the configured one, else
    this instance's own (X49), so no one outside the fake can forge a policy."""
    configured = ctx.config.oss_access_key_secret
    if configured is not None:
        return configured.encode("utf-8")
    return ctx.randomness.signing_key("upload policies")


def _signature(ctx: Context, message: str) -> str:
    secret = policy_secret(ctx)
    digest = hmac.new(secret, message.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _check_signature(ctx: Context, message: str, received: str, access_id: str, how: str) -> None:
    """Refuse as OSS does, showing the string to sign, unless ``received`` signs ``message``;
    ``how`` tells the caller how to get it right."""
    expected = _signature(ctx, message).encode("ascii")
    if not hmac.compare_digest(expected, received.encode("utf-8", "surrogateescape")):
        raise FakeError(
            "storage_bad_signature",
            detail=how,
            details={"StringToSign": message, "OSSAccessKeyId": access_id},
        )


def upload_dir(ctx: Context, shop_id: str) -> str:
    """``<prefix>/<shop id>/<year>/<month>/<day>/`` in UTC, no zero padding, as in the docs."""
    moment = datetime.fromtimestamp(ctx.clock.now_int(), UTC)
    return f"{ctx.config.upload_key_prefix}/{shop_id}/{moment.year}/{moment.month}/{moment.day}/"


def storage_base(base_url: str) -> str:
    """The fake object store's address as a caller that reached ``base_url`` sees it."""
    return f"{base_url.rstrip('/')}{STORAGE_PATH}"


def object_url(base: str, key: str) -> str:
    return f"{base}/{quote(key, safe='/')}"


def image_credentials(ctx: Context, shop_id: str, host: str) -> dict[str, str]:
    """ImageUploadCredentials: a signed post policy for one directory, valid ``upload_ttl``."""
    expire = ctx.clock.now_int() + ctx.config.upload_ttl
    directory = upload_dir(ctx, shop_id)
    policy = _b64(
        _compact(
            {
                "expiration": rfc3339(expire),
                "conditions": [
                    ["starts-with", "$key", directory],
                    ["content-length-range", 1, ctx.config.max_image_bytes],
                ],
            }
        )
    )
    return {
        "access_id": ctx.config.oss_access_key_id,
        "host": host,
        "expire": str(expire),
        "signature": _signature(ctx, policy),
        "policy": policy,
        "dir": directory,
        "callback": _b64(_compact(CALLBACK)),
    }


def _video_string_to_sign(content_md5: str, content_type: str, expires: str, key: str) -> str:
    return f"PUT\n{content_md5}\n{content_type}\n{expires}\n/{BUCKET}/{key}"


def video_upload(
    ctx: Context, shop_id: str, base: str, filename: str | None, content_type: str | None
) -> dict[str, str]:
    """A pre-signed PUT URL for one new key under the shop's directory, and the video's URL."""
    extension = _EXTENSION.search(filename or "")
    suffix = f".{extension.group(1).lower()}" if extension else ".mp4"
    key = f"{upload_dir(ctx, shop_id)}{ctx.randomness.hex32()}{suffix}"
    expires = str(ctx.clock.now_int() + ctx.config.upload_ttl)
    signature = _signature(
        ctx, _video_string_to_sign("", content_type or DEFAULT_VIDEO_TYPE, expires, key)
    )
    query = urlencode(
        {"Expires": expires, "OSSAccessKeyId": ctx.config.oss_access_key_id, "Signature": signature}
    )
    video_url = object_url(base, key)
    return {
        "upload_url": f"{video_url}?{query}",
        "video_url": video_url,
        "expire": expires,
        "method": "PUT",
    }


# --------------------------------------------------------------------------- the object store


# Types a browser shows without running anything; every other type (HTML, SVG, XML,
# JavaScript, ...) would run as the fake's own origin, so it is served as a download.
_PASSIVE_FAMILIES = ("image/", "video/", "audio/")
_PASSIVE_TYPES = frozenset({"text/plain", DEFAULT_OBJECT_TYPE})
_ACTIVE_IMAGE = "image/svg+xml"


def served_inline(content_type: str) -> bool:
    """Whether a stored object of ``content_type`` may be shown in place (else attachment)."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == _ACTIVE_IMAGE:
        return False
    return media_type in _PASSIVE_TYPES or media_type.startswith(_PASSIVE_FAMILIES)


def check_key(key: str) -> str | None:
    """Why ``key`` cannot name an object, or None: 1 to 1023 UTF-8 bytes, no control
    characters, no leading slash, no empty, ``.`` or ``..`` path segment."""
    if not key:
        return "the key is empty"
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        return f"the key is longer than {MAX_KEY_BYTES} bytes"
    if _CONTROL.search(key):
        return "the key contains a control character"
    if key.startswith("/"):
        return "the key must not start with /"
    if any(segment in ("", ".", "..") for segment in key.split("/")):
        return "the key has an empty, '.' or '..' path segment (or ends with /: add a file name)"
    return None


def _decode_policy(policy: str) -> dict[str, Any]:
    try:
        document = json.loads(base64.b64decode(policy, validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise FakeError("storage_bad_policy", detail="not base64-encoded JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("expiration"), str):
        raise FakeError("storage_bad_policy", detail="expiration is missing")
    if not isinstance(document.get("conditions"), list):
        raise FakeError("storage_bad_policy", detail="conditions must be a list")
    return document


def _check_expiration(ctx: Context, expiration: str) -> None:
    try:
        expires_at = parse_instant(expiration)
    except ValueError:
        raise FakeError("storage_bad_policy", detail=f"bad expiration {expiration!r}") from None
    now = ctx.clock.now()
    if now > expires_at:
        raise FakeError("storage_policy_expired", expiration=expiration, now=rfc3339(now))


def _field_value(name: str, fields: dict[str, str], key: str) -> str:
    return key if name == "key" else fields.get(name, "")


def _check_conditions(conditions: list[Any], fields: dict[str, str], key: str, size: int) -> None:
    for condition in conditions:
        shown = _compact(condition)
        if isinstance(condition, dict) and len(condition) == 1:
            ((name, expected),) = condition.items()
            condition = ["eq", f"${name}", expected]
        if not isinstance(condition, list) or len(condition) != 3:
            raise FakeError("storage_bad_policy", detail=f"unknown condition {shown}")
        operator = str(condition[0]).lower()
        if operator == "content-length-range":
            low, high = condition[1], condition[2]
            if not isinstance(low, int) or not isinstance(high, int):
                raise FakeError("storage_bad_policy", detail=f"bad condition {shown}")
            if size > high:
                raise FakeError("storage_too_large", size=size, limit=high)
            if size < low:
                raise FakeError("storage_too_small", size=size, limit=low)
            continue
        if operator not in ("eq", "starts-with") or not str(condition[1]).startswith("$"):
            raise FakeError("storage_bad_policy", detail=f"unknown condition {shown}")
        name = str(condition[1])[1:].lower()
        value = _field_value(name, fields, key)
        expected = str(condition[2])
        if (operator == "eq" and value != expected) or (
            operator == "starts-with" and not value.startswith(expected)
        ):
            raise FakeError("storage_condition_failed", condition=shown, got=f"{name}={value!r}")


def post_object(ctx: Context, form: PostForm) -> dict[str, Any]:
    """Check a multipart upload against its policy and keep the file (OSS PostObject)."""
    fields = form.fields
    if not fields.get("key"):
        raise FakeError("storage_missing_field", name="key", hint=" (dir + file name)")
    if form.file is None:
        raise FakeError("storage_missing_field", name="file", hint=" (the last form field)")
    access_id = fields.get("ossaccesskeyid", "")
    if not access_id:
        raise FakeError("storage_anonymous")
    for name, shown in (("policy", "policy"), ("signature", "Signature")):
        if not fields.get(name):
            raise FakeError("storage_missing_field", name=shown, hint=" with OSSAccessKeyId")
    if access_id != ctx.config.oss_access_key_id:
        raise FakeError("storage_unknown_access_key")
    policy = fields["policy"]
    _check_signature(
        ctx,
        policy,
        fields["signature"],
        access_id,
        "Signature must be base64(HMAC-SHA1(secret, policy)) for the policy exactly as "
        "get_image_upload_policy_token returned it.",
    )
    document = _decode_policy(policy)
    _check_expiration(ctx, document["expiration"])
    key = fields["key"].replace(FILENAME_VARIABLE, form.file.filename)
    _check_conditions(document["conditions"], fields, key, len(form.file.data))
    problem = check_key(key)
    if problem:
        raise FakeError("storage_bad_key", detail=problem)
    content_type = fields.get("content-type") or form.file.content_type or DEFAULT_OBJECT_TYPE
    return _keep(ctx, key, content_type, form.file.data)


def put_object(
    ctx: Context,
    key: str,
    query: dict[str, Any],
    content_type: str,
    content_md5: str,
    data: bytes,
) -> dict[str, Any]:
    """Check a PUT to a pre-signed URL and keep the bytes (OSS PutObject with a signed URL)."""
    access_id = str(query.get("OSSAccessKeyId", ""))
    if access_id != ctx.config.oss_access_key_id:
        raise FakeError("storage_unknown_access_key")
    expires = str(query.get("Expires", ""))
    now = ctx.clock.now()
    if not expires.isdigit() or now > int(expires):
        raise FakeError("storage_url_expired", expires=expires, now=int(now))
    message = _video_string_to_sign(content_md5, content_type, expires, key)
    _check_signature(
        ctx,
        message,
        str(query.get("Signature", "")),
        access_id,
        "Use the upload_url exactly as get_video_upload_url returned it, and send the "
        "Content-Type it was made for (video/mp4 unless you asked for another).",
    )
    problem = check_key(key)
    if problem:
        raise FakeError("storage_bad_key", detail=problem)
    if len(data) > ctx.config.max_video_bytes:
        raise FakeError("storage_too_large", size=len(data), limit=ctx.config.max_video_bytes)
    if content_md5 and content_md5 != base64.b64encode(_md5(data).digest()).decode("ascii"):
        raise FakeError("storage_bad_digest", md5=content_md5)
    return _keep(ctx, key, content_type or DEFAULT_OBJECT_TYPE, data)


def _shop_of(ctx: Context, key: str) -> str:
    parts = key.split("/")
    if len(parts) > 2 and parts[0] == ctx.config.upload_key_prefix and parts[1].isdigit():
        return parts[1]
    return ""


def _drop(ctx: Context, stored: dict[str, Any]) -> None:
    ctx.store.delete("objects", key=stored["key"])
    if not ctx.store.count("objects", digest=stored["digest"]):
        ctx.store.blobs.delete(stored["digest"])


def _make_room(ctx: Context, size: int) -> None:
    limit_bytes = ctx.config.max_stored_upload_bytes
    if size > limit_bytes:
        raise FakeError("storage_too_large", size=size, limit=limit_bytes)
    kept = sorted(ctx.store.find("objects"), key=lambda item: item["sequence"])
    total = sum(item["size"] for item in kept)
    while kept and (total + size > limit_bytes or len(kept) + 1 > ctx.config.max_stored_uploads):
        oldest = kept.pop(0)
        total -= oldest["size"]
        _drop(ctx, oldest)


def _keep(ctx: Context, key: str, content_type: str, data: bytes) -> dict[str, Any]:
    existing = ctx.store.find_one("objects", key=key)
    if existing is not None:
        _drop(ctx, existing)
    _make_room(ctx, len(data))
    stored = {
        "key": key,
        "shop_id": _shop_of(ctx, key),
        "digest": ctx.store.blobs.put(data),
        "size": len(data),
        "content_type": content_type,
        "etag": _etag(data),
        "created_at": ctx.clock.now_int(),
        "sequence": ctx.store.next_id("object", OBJECT_SEQUENCE_START),
    }
    return ctx.store.insert("objects", stored)


def get_object(ctx: Context, key: str) -> tuple[dict[str, Any], bytes]:
    """An uploaded object, else a file of the media directory (``media_dir``, X109)."""
    stored = ctx.store.find_one("objects", key=key)
    data = None if stored is None else ctx.store.blobs.get(stored["digest"])
    if stored is None and ctx.config.media_dir is not None:
        data = read_under(ctx.config.media_dir, key)
        if data is not None:
            content_type = mimetypes.guess_type(key)[0] or DEFAULT_OBJECT_TYPE
            stored = {"key": key, "content_type": content_type, "etag": _etag(data)}
    if stored is None or data is None:
        raise FakeError("storage_no_such_key", key=key)
    return stored, data


def _etag(data: bytes) -> str:
    return str(_md5(data).hexdigest().upper())


def drop_shop_objects(ctx: Context, shop_id: str) -> None:
    """Forget every object uploaded under a shop's directory (resetting the shop)."""
    for stored in ctx.store.find("objects", shop_id=shop_id):
        _drop(ctx, stored)

"""The fake's object store over HTTP (``/_storage``), answering as Alibaba OSS does.

``POST /_storage`` takes a multipart upload checked against its post policy; ``PUT
/_storage/<key>`` takes raw bytes at a pre-signed URL; ``GET /_storage/<key>`` serves what was
stored (any ``x-oss-process`` style is ignored: the original comes back). Errors are OSS's XML
``<Error>`` documents. Every answer allows any origin, so a browser can upload directly.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.sax.saxutils import escape

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.responses import Response

from trustoo_mock.config import Config
from trustoo_mock.core.errors import FakeError
from trustoo_mock.domain import media
from trustoo_mock.domain.context import Context
from trustoo_mock.server.api.call import Call

StorageHandler = Callable[[Call], Response]

FORM_OVERHEAD = 64 * 1024
MAX_FORM_FIELDS = 100
MAX_FIELD_BYTES = 64 * 1024
XML = "application/xml"
ALLOWED_METHODS = "GET, HEAD, PUT, POST"
WARNING_HEADER = "x-mock-warning"
EXPOSED_HEADERS = f"ETag, x-oss-request-id, {WARNING_HEADER}"


def body_limit(config: Config, operation_id: str) -> int:
    """How many request bytes an operation reads before answering EntityTooLarge."""
    if operation_id == "storage_post_object":
        return config.max_image_bytes + FORM_OVERHEAD
    if operation_id == "storage_put_object":
        return config.max_video_bytes
    return config.max_body_bytes


def _request_id(ctx: Context) -> str:
    return ctx.randomness.hex32()[:24].upper()


def _headers(request_id: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        "x-oss-request-id": request_id,
        "Access-Control-Allow-Origin": "*",
        "X-Content-Type-Options": "nosniff",
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
        **(extra or {}),
    }


def _xml(root: str, fields: dict[str, str]) -> bytes:
    inner = "".join(f"\n  <{name}>{escape(value)}</{name}>" for name, value in fields.items())
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>{inner}\n</{root}>\n'.encode()


def error_response(
    ctx: Context, error: FakeError, headers: dict[str, str] | None = None
) -> Response:
    """OSS's error document: the entry's OSS code (a spec violation is InvalidArgument)."""
    request_id = _request_id(ctx)
    body = _xml(
        "Error",
        {
            "Code": error.entry.oss_code,
            "Message": error.message,
            "RequestId": request_id,
            "HostId": media.BUCKET,
            **error.details,
        },
    )
    return Response(
        body, status_code=error.plain_status, media_type=XML, headers=_headers(request_id, headers)
    )


# --------------------------------------------------------------------------- multipart


class _FormReader:
    """Collects the parts of a multipart body: text fields, and the one ``file``."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.file: media.UploadedFile | None = None
        self.after_file: list[str] = []
        self.finished = False
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._data = bytearray()
        self._count = 0

    def part_begin(self) -> None:
        self._headers, self._data = {}, bytearray()
        self._count += 1
        if self._count > MAX_FORM_FIELDS:
            raise FakeError("storage_malformed_post", detail="too many form fields")

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name, self._header_value = b"", b""

    def part_data(self, data: bytes, start: int, end: int) -> None:
        self._data += data[start:end]

    def part_end(self) -> None:
        disposition, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if disposition != b"form-data" or b"name" not in options:
            raise FakeError(
                "storage_malformed_post", detail="a part lacks Content-Disposition: form-data; name"
            )
        name = options[b"name"].decode("utf-8", "replace").lower()
        if name == "file":
            if self.file is not None:
                raise FakeError("storage_malformed_post", detail="more than one file field")
            content_type = self._headers.get(b"content-type", b"").decode("latin-1")
            filename = options.get(b"filename", b"").decode("utf-8", "replace")
            self.file = media.UploadedFile(filename, content_type, bytes(self._data))
        else:
            if len(self._data) > MAX_FIELD_BYTES:
                raise FakeError(
                    "storage_malformed_post", detail=f"field {name} is over {MAX_FIELD_BYTES} bytes"
                )
            self.fields[name] = self._data.decode("utf-8", "replace")
            if self.file is not None:
                self.after_file.append(name)

    def end(self) -> None:
        self.finished = True


def read_form(content_type: str, body: bytes) -> media.PostForm:
    """The multipart/form-data body as fields (lowercase names) and the file."""
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise FakeError(
            "storage_malformed_post",
            detail="send Content-Type: multipart/form-data with a boundary",
        )
    reader = _FormReader()
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": reader.part_begin,
            "on_part_data": reader.part_data,
            "on_part_end": reader.part_end,
            "on_header_field": reader.header_field,
            "on_header_value": reader.header_value,
            "on_header_end": reader.header_end,
            "on_end": reader.end,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except FormParserError as error:
        raise FakeError("storage_malformed_post", detail=str(error) or "bad data") from None
    if not reader.finished:
        raise FakeError("storage_malformed_post", detail="the closing boundary is missing")
    return media.PostForm(reader.fields, reader.file, tuple(reader.after_file))


# --------------------------------------------------------------------------- handlers


def _etag(stored: dict[str, object]) -> dict[str, str]:
    return {"ETag": f'"{stored["etag"]}"'}


def post_object(call: Call) -> Response:
    form = read_form(call.headers.get("content-type", ""), call.raw_body)
    stored = media.post_object(call.ctx, form)
    request_id = _request_id(call.ctx)
    headers = _headers(request_id, _etag(stored))
    if form.after_file:
        headers[WARNING_HEADER] = (
            f"form field(s) {', '.join(form.after_file)} came after file; Alibaba OSS ignores "
            "fields after file, so send file last"
        )
    wanted = form.fields.get("success_action_status", "")
    if wanted == "200":
        return Response(b"", status_code=200, headers=headers)
    if wanted == "201":
        base = media.storage_base(call.base_url)
        body = _xml(
            "PostResponse",
            {
                "Bucket": media.BUCKET,
                "Location": media.object_url(base, stored["key"]),
                "Key": stored["key"],
                "ETag": f'"{stored["etag"]}"',
            },
        )
        return Response(body, status_code=201, media_type=XML, headers=headers)
    return Response(status_code=204, headers=headers)


def put_object(call: Call) -> Response:
    stored = media.put_object(
        call.ctx,
        call.path_params["key"],
        call.query,
        call.headers.get("content-type", ""),
        call.headers.get("content-md5", ""),
        call.raw_body,
    )
    return Response(b"", status_code=200, headers=_headers(_request_id(call.ctx), _etag(stored)))


def get_object(call: Call) -> Response:
    key = call.path_params["key"]
    if media.check_key(key):
        raise FakeError("storage_no_such_key", key=key)
    stored, data = media.get_object(call.ctx, key)
    headers = _headers(_request_id(call.ctx), _etag(stored))
    if not media.served_inline(stored["content_type"]):
        headers["Content-Disposition"] = "attachment"
    return Response(data, status_code=200, media_type=stored["content_type"], headers=headers)


def preflight(call: Call) -> Response:
    """CORS preflight: any origin may POST, PUT and GET with any headers."""
    problem = media.check_key(call.path_params["key"]) if "key" in call.path_params else None
    if problem:
        raise FakeError("storage_bad_key", detail=problem)
    requested = call.headers.get("access-control-request-headers", "")
    headers = _headers(
        _request_id(call.ctx),
        {
            "Access-Control-Allow-Methods": ALLOWED_METHODS,
            "Access-Control-Allow-Headers": requested or "*",
            "Access-Control-Max-Age": "600",
        },
    )
    return Response(b"", status_code=200, media_type="text/plain", headers=headers)


HANDLERS: dict[str, StorageHandler] = {
    "storage_post_object": post_object,
    "storage_bucket_preflight": preflight,
    "storage_get_object": get_object,
    "storage_put_object": put_object,
    "storage_object_preflight": preflight,
}

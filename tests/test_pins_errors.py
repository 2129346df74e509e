"""The error values the fake raises: what a log line, a handler and the object store's answer
read from them (the catalogue's texts are pinned by the tests of each refusal)."""

from __future__ import annotations

from trustoo_mock.config import MIRROR
from trustoo_mock.errors import Code, ControlError, storage_error, trustoo_error


def test_an_error_reads_as_its_message() -> None:
    error = trustoo_error("review_not_found", id=42)
    assert error.code is Code.NOT_FOUND
    assert str(error) == error.message
    assert "42" in error.message
    control = ControlError(409, "an authorization code is given twice")
    assert str(control) == "an authorization code is given twice"
    assert control.http_status == 409


def test_a_fixed_http_status_holds_in_every_mode() -> None:
    fixed = trustoo_error("body_timeout", http_status=408, seconds=5)
    assert fixed.code is Code.INVALID_ARGUMENT
    assert fixed.status_in(MIRROR) == 408
    assert fixed.status_in(200) == 408
    assert fixed.mirrored_status == 408
    following = trustoo_error("body_timeout", seconds=5)
    assert following.status_in(MIRROR) == 400
    assert following.status_in(200) == 200


def test_a_storage_error_keeps_its_status_code_text_and_a_copy_of_its_details() -> None:
    details = {"StringToSign": "PUT\n\n\n1788840306\n/bucket/key"}
    error = storage_error("storage_bad_signature", details=details, detail="check the key")
    details["StringToSign"] = "changed by the caller"
    assert (error.http_status, error.code) == (403, "SignatureDoesNotMatch")
    assert error.message.endswith("check the key")
    assert str(error) == error.message
    assert error.details == {"StringToSign": "PUT\n\n\n1788840306\n/bucket/key"}

    missing = storage_error("storage_no_such_key", key="shop/1/a.png")
    assert (missing.http_status, missing.code) == (404, "NoSuchKey")
    assert missing.message.endswith(": shop/1/a.png")
    assert missing.details == {}

"""The error values the fake raises: what a log line, a handler and each surface's answer
read from them (the catalogue's texts are pinned by the tests of each refusal)."""

from __future__ import annotations

from trustoo_mock.config import MIRROR
from trustoo_mock.core.errors import CATALOGUE, Code, FakeError


def test_an_error_reads_as_its_message() -> None:
    error = FakeError("review_not_found", id=42)
    assert error.code is Code.NOT_FOUND
    assert (error.key, error.fields) == ("review_not_found", {"id": 42})
    assert str(error) == error.message
    assert "42" in error.message
    control = FakeError("given_twice", what="an authorization code")
    assert str(control) == "an authorization code is given twice"
    assert control.plain_status == 409


def test_a_fixed_http_status_holds_in_every_mode() -> None:
    fixed = FakeError("invalid_argument", http_status=408, detail="slow")
    assert fixed.code is Code.INVALID_ARGUMENT
    assert fixed.status_in(MIRROR) == 408
    assert fixed.status_in(200) == 408
    assert fixed.mirrored_status == 408
    assert fixed.plain_status == 408
    following = FakeError("invalid_argument", detail="slow")
    assert following.status_in(MIRROR) == 400
    assert following.status_in(200) == 200
    by_entry = FakeError("body_timeout", seconds=5)
    assert (by_entry.status_in(MIRROR), by_entry.status_in(200)) == (408, 408)


def test_answers_outside_the_envelope_take_their_status_from_the_code() -> None:
    assert FakeError("shop_id_not_found", shop_id="7").plain_status == 404
    assert FakeError("webhook_exists", topic="t", url="u", id=1).plain_status == 409
    assert FakeError("scope_not_allowed", client_id="c", scopes="s").plain_status == 403
    assert FakeError("internal", detail="KeyError").plain_status == 500
    # Any other code is a bad request there, a refused credential included.
    assert FakeError("unknown_scopes", unknown="x", known="y").plain_status == 400
    assert FakeError("client_credentials_swapped", kind="k").plain_status == 400
    assert FakeError("control_unauthorized").plain_status == 401


def test_an_injected_error_has_the_faults_code_and_message() -> None:
    error = FakeError("injected", http_status=503, code=5, message="gone fishing")
    assert (error.code, error.message, error.status_in(200)) == (
        Code.NOT_FOUND,
        "gone fishing",
        503,
    )


def test_an_error_located_keeps_its_key_code_and_status() -> None:
    located = FakeError("given_twice", what="order 7").within("shops[1]")
    assert located.message == str(located) == "shops[1]: order 7 is given twice"
    assert (located.key, located.code, located.plain_status) == (
        "given_twice",
        Code.ALREADY_EXISTS,
        409,
    )


def test_an_error_located_keeps_a_status_and_details_given_when_raised() -> None:
    details = {"StringToSign": "PUT\n\n\n1788840306\n/bucket/key"}
    raised = FakeError("storage_bad_signature", http_status=418, details=details, detail="x")
    located = raised.within("upload 3")
    assert (located.http_status, located.plain_status) == (418, 418)
    assert located.details == details
    assert located.message == "upload 3: " + raised.message


def test_a_storage_error_keeps_its_status_code_text_and_a_copy_of_its_details() -> None:
    details = {"StringToSign": "PUT\n\n\n1788840306\n/bucket/key"}
    error = FakeError("storage_bad_signature", details=details, detail="check the key")
    details["StringToSign"] = "changed by the caller"
    assert (error.plain_status, error.entry.oss_code) == (403, "SignatureDoesNotMatch")
    assert error.message.endswith("check the key")
    assert str(error) == error.message
    assert error.details == {"StringToSign": "PUT\n\n\n1788840306\n/bucket/key"}

    missing = FakeError("storage_no_such_key", key="shop/1/a.png")
    assert (missing.plain_status, missing.entry.oss_code) == (404, "NoSuchKey")
    assert missing.message.endswith(": shop/1/a.png")
    assert missing.details == {}


def test_every_entry_outside_the_object_store_is_invalid_argument_there() -> None:
    oss_codes = {key: entry.oss_code for key, entry in CATALOGUE.items()}
    assert {code for key, code in oss_codes.items() if not key.startswith("storage_")} == {
        "InvalidArgument"
    }

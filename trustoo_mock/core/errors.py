"""The error catalogue (D4): every error the fake can answer, by key, with its Trustoo code,
its message and how the fake's other surfaces (control plane, inspector, object store) send
it, and the one exception type every layer raises with a key of it."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from typing import Any, NamedTuple

from trustoo_mock.config import MIRROR, ErrorHttpStatus


class Code(IntEnum):
    OK = 0
    CANCELLED = 1
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    INSUFFICIENT_SCOPE = 7
    LIMIT_REACHED = 8
    INTERNAL = 13
    UNAUTHENTICATED = 16


# The HTTP status of each code with ``--error-http-status mirror`` (D4 revised).
HTTP_STATUS: dict[Code, int] = {
    Code.CANCELLED: 499,
    Code.DEADLINE_EXCEEDED: 504,
    Code.INVALID_ARGUMENT: 400,
    Code.NOT_FOUND: 404,
    Code.ALREADY_EXISTS: 409,
    Code.INSUFFICIENT_SCOPE: 403,
    Code.LIMIT_REACHED: 429,
    Code.INTERNAL: 500,
    Code.UNAUTHENTICATED: 401,
}


# The HTTP status of an error in an answer that carries its own status (the control plane,
# the inspector, the object store) when neither its entry nor the raise fixes one.
PLAIN_STATUS: dict[Code, int] = {
    Code.NOT_FOUND: 404,
    Code.ALREADY_EXISTS: 409,
    Code.INSUFFICIENT_SCOPE: 403,
    Code.INTERNAL: 500,
}


class Entry(NamedTuple):
    """One error of the catalogue. ``code``: its Trustoo code (None: the raise gives it, as
    an injected fault does); ``template``: its message, formatted with the error's fields;
    ``status``: an HTTP status it is sent with on every surface and in every
    ``error_http_status`` mode (None: the envelope's follows the mode, other answers'
    ``PLAIN_STATUS``); ``oss_code``: its code in the object store's XML answer."""

    code: Code | None
    template: str
    status: int | None = None
    oss_code: str = "InvalidArgument"


_AUTH_HELP = "send Public-Token, Timestamp and Sign headers, or Authorization: Bearer <token>"

CATALOGUE: dict[str, Entry] = {
    "body_too_large": Entry(Code.INVALID_ARGUMENT, "request body is larger than {limit} bytes"),
    "body_timeout": Entry(
        Code.INVALID_ARGUMENT,
        "the request body did not arrive within {seconds} seconds",
        status=408,
    ),
    "invalid_json": Entry(Code.INVALID_ARGUMENT, "request body is not valid JSON: {detail}"),
    "invalid_body": Entry(Code.INVALID_ARGUMENT, "invalid request body: {detail}"),
    "invalid_query": Entry(Code.INVALID_ARGUMENT, "invalid query parameter {name}: {detail}"),
    "invalid_argument": Entry(Code.INVALID_ARGUMENT, "{detail}"),
    "no_such_path": Entry(Code.NOT_FOUND, "no operation at {method} {path}{hint}", status=404),
    "method_not_allowed": Entry(
        Code.INVALID_ARGUMENT,
        "{method} is not allowed on {path}; allowed: {allowed}",
        status=405,
    ),
    "missing_auth_headers": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: missing header(s) {missing}; " + _AUTH_HELP,
    ),
    "repeated_auth_header": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: the {name} header is sent more than once; send it once",
    ),
    "bad_timestamp": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: Timestamp must be Unix seconds (at most 20 digits), got {value!r}",
    ),
    "timestamp_outside_window": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: Timestamp {timestamp} is {delta} seconds {direction} the "
        "server time {now}; a request is accepted within {window} seconds of it{hint}",
    ),
    "timestamp_mismatch": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: query parameter timestamp={query_value} differs from the "
        "Timestamp header {header_value}; send the same value in both or only the header",
    ),
    "unknown_public_token": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: no shop has the Public-Token {token!r}",
    ),
    "tokens_swapped": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: the Public-Token header holds a shop's private token (not "
        "repeated here): the two tokens look swapped. Send the public token as Public-Token "
        "and use the private token only as the key of the Sign; it never travels in a header",
    ),
    "public_token_is_secret": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: the Public-Token header holds {kind} (not repeated here), "
        "not a shop's public token",
    ),
    "bad_signature": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: Sign does not match. Expected lowercase hex "
        "HMAC-SHA256(key=the shop's private token, message=string-to-sign) with "
        "string-to-sign (between the backticks) `{message}`{hint}",
    ),
    "sign_not_lowercase_hex": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: Sign must be lowercase hex with nothing around it (64 "
        "characters 0-9, a-f); it would match once {repair}, so only its form is wrong",
    ),
    "bad_authorization_header": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: the Authorization header must be 'Bearer <access token>'",
    ),
    "unknown_access_token": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: the access token is not known to this server",
    ),
    "access_token_expired": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: the access token expired at {expired_at} ({ago} seconds "
        "ago); refresh it with grant_type=refresh_token",
    ),
    "access_token_revoked": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: the access token was revoked",
    ),
    "insufficient_scope": Entry(
        Code.INSUFFICIENT_SCOPE,
        "insufficient scope: this needs {scope}; the token was granted {granted}",
    ),
    "review_not_found": Entry(Code.NOT_FOUND, "no review with id {id} in this shop"),
    "product_not_found": Entry(Code.NOT_FOUND, "no product with handle {handle!r} in this shop"),
    "webhook_not_found": Entry(Code.NOT_FOUND, "no webhook with id {id} for this shop and caller"),
    "webhook_exists": Entry(
        Code.ALREADY_EXISTS,
        "a webhook for topic {topic} and url {url} already exists (id {id})",
    ),
    "webhook_limit": Entry(
        Code.LIMIT_REACHED,
        "webhook limit reached: at most {limit} webhooks per shop and caller",
    ),
    "bearer_only": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: this operation takes Authorization: Bearer <access token>",
    ),
    "merchant_session_required": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: this operation takes a merchant session "
        "(Authorization: Bearer <merchant JWT>; get one from POST /_mock/shops/{{id}}/"
        "merchant_session)",
    ),
    "bad_merchant_session": Entry(
        Code.UNAUTHENTICATED,
        "authentication failed: the merchant session is not valid: {reason}",
    ),
    "unknown_client": Entry(Code.NOT_FOUND, "no platform with client_id {client_id!r}"),
    "client_credentials_swapped": Entry(
        Code.UNAUTHENTICATED,
        "client authentication failed: client_id holds {kind} (not repeated here); "
        "client_id and client_secret look swapped",
    ),
    "bad_client_credentials": Entry(
        Code.UNAUTHENTICATED,
        "client authentication failed: client_id {client_id!r} and client_secret do not match",
    ),
    "scope_not_allowed": Entry(
        Code.INSUFFICIENT_SCOPE,
        "platform {client_id!r} may not ask for {scopes}",
    ),
    "redirect_uri_not_registered": Entry(
        Code.INSUFFICIENT_SCOPE,
        "redirect_uri {redirect_uri!r} is not registered for client {client_id!r}; "
        "registered: {registered}",
    ),
    "bad_grant": Entry(Code.INVALID_ARGUMENT, "the {what} cannot be used: {reason}"),
    "client_credentials_not_allowed": Entry(
        Code.INVALID_ARGUMENT,
        "grant_type client_credentials is only for platforms with skip_shop_oauth; "
        "{client_id!r} must use the authorization code flow",
    ),
    "customer_not_found": Entry(Code.NOT_FOUND, "no customer with {field} {value!r} in this shop"),
    "exclusion_exists": Entry(
        Code.ALREADY_EXISTS,
        "customer {customer_id} is already excluded (since {since})",
    ),
    "exclusion_not_found": Entry(
        Code.NOT_FOUND,
        "customer with {field} {value!r} is not excluded in this shop",
    ),
    "shop_not_named": Entry(
        Code.NOT_FOUND,
        "no shop given: name it with shop (its myshopify domain) or shop_id",
    ),
    "shop_not_found": Entry(Code.NOT_FOUND, "no shop with {what}"),
    "internal": Entry(Code.INTERNAL, "internal error: {detail}"),
    "rate_limited": Entry(
        Code.LIMIT_REACHED,
        "rate limit exceeded: at most {requests} requests in {seconds} seconds; retry after "
        "{retry_after} seconds",
        status=429,
    ),
    # An error a fault injects (X84): its code and message are the fault's.
    "injected": Entry(None, "{message}"),
    # The fake's own surfaces: the control plane, the inspector, seeding.
    "control_unauthorized": Entry(
        Code.UNAUTHENTICATED, "the control plane needs Authorization: Bearer <token>", status=401
    ),
    "control_body_too_large": Entry(
        Code.INVALID_ARGUMENT, "request body is larger than {limit}", status=413
    ),
    "no_control_operation": Entry(Code.NOT_FOUND, "no control operation at {method} {path}{hint}"),
    "no_control_method": Entry(
        Code.INVALID_ARGUMENT, "no control operation at {method} {path}", status=405
    ),
    "form_too_large": Entry(Code.INVALID_ARGUMENT, "the form is larger than {limit}", status=413),
    "cross_site_form": Entry(
        Code.INSUFFICIENT_SCOPE, "a form of another site may not act on this fake"
    ),
    "form_too_slow": Entry(Code.INVALID_ARGUMENT, "the form did not arrive in time", status=408),
    "clock_out_of_range": Entry(
        Code.INVALID_ARGUMENT, "the clock must stay between the years 5 and 9987"
    ),
    "still_busy": Entry(
        Code.DEADLINE_EXCEEDED,
        "still busy after {timeout:g} s: {requests} other requests in progress, {pushes} pushes "
        "in flight",
        status=504,
    ),
    "snapshot_not_found": Entry(Code.NOT_FOUND, "no snapshot named {name!r}"),
    "snapshots_full": Entry(
        Code.LIMIT_REACHED,
        "already {limit} snapshots (max_snapshots): delete one first",
        status=409,
    ),
    "delivery_not_found": Entry(Code.NOT_FOUND, "no webhook delivery {id}"),
    "not_there": Entry(Code.NOT_FOUND, "no {what}"),
    "journal_entry_gone": Entry(Code.NOT_FOUND, "request #{seq} is not in the journal (any more)"),
    "empty_reply": Entry(Code.INVALID_ARGUMENT, "a reply needs some text"),
    "invalid_push_fault": Entry(Code.INVALID_ARGUMENT, "invalid push fault: {violation}"),
    "shop_id_not_found": Entry(Code.NOT_FOUND, "no shop with shop_id {shop_id}"),
    "shop_exists": Entry(Code.ALREADY_EXISTS, "a shop with {field} {value!r} already exists"),
    "platform_exists": Entry(Code.ALREADY_EXISTS, "a platform with client_id {client_id!r} exists"),
    "unknown_scopes": Entry(Code.INVALID_ARGUMENT, "unknown scope(s) {unknown}; known: {known}"),
    "credential_given_twice": Entry(
        Code.ALREADY_EXISTS,
        "{name}: the same value is given twice as a credential here (the value is not repeated)",
    ),
    "credential_in_use": Entry(
        Code.ALREADY_EXISTS,
        "{name}: this value is already a credential (each token and secret must name one "
        "shop, platform or grant; the value is not repeated here)",
    ),
    "given_twice": Entry(Code.ALREADY_EXISTS, "{what} is given twice"),
    "id_in_use": Entry(
        Code.ALREADY_EXISTS, "{sequence} id {value} is given twice or already in use"
    ),
    "unregistered_redirect_uri": Entry(
        Code.INVALID_ARGUMENT,
        "redirect_uri {redirect_uri!r} is not registered for the client",
    ),
    "webhook_url_is_fake": Entry(
        Code.INVALID_ARGUMENT,
        "webhook url {url!r} leads to the fake's own control plane or object store; pushes "
        "never go there",
    ),
    "order_needs_sent_at": Entry(
        Code.INVALID_ARGUMENT, "order {order_id}: status {status} needs sent_at"
    ),
    "order_not_sent_has_sent_at": Entry(
        Code.INVALID_ARGUMENT,
        "order {order_id}: status {status} (not sent) cannot have sent_at",
    ),
    # The fake's object store (Alibaba OSS): its own error codes and texts.
    "storage_malformed_post": Entry(
        Code.INVALID_ARGUMENT,
        "The body of your POST request is not well-formed multipart/form-data: {detail}",
        status=400,
        oss_code="MalformedPOSTRequest",
    ),
    "storage_missing_field": Entry(
        Code.INVALID_ARGUMENT,
        "The form field {name} is required{hint}",
        status=400,
        oss_code="InvalidArgument",
    ),
    "storage_anonymous": Entry(
        Code.UNAUTHENTICATED,
        "You have no right to access this object because of bucket acl: send "
        "OSSAccessKeyId, policy and Signature (from get_image_upload_policy_token)",
        status=403,
        oss_code="AccessDenied",
    ),
    "storage_unknown_access_key": Entry(
        Code.UNAUTHENTICATED,
        "The OSS Access Key Id you provided does not exist in our records (it is not "
        "repeated: it may be a secret sent in the wrong field). Send the access_id that "
        "came with the upload credentials, or the pre-signed URL exactly as given.",
        status=403,
        oss_code="InvalidAccessKeyId",
    ),
    "storage_bad_signature": Entry(
        Code.UNAUTHENTICATED,
        "The request signature we calculated does not match the signature you provided. {detail}",
        status=403,
        oss_code="SignatureDoesNotMatch",
    ),
    "storage_bad_policy": Entry(
        Code.INVALID_ARGUMENT,
        "Invalid Policy: {detail}",
        status=400,
        oss_code="InvalidPolicyDocument",
    ),
    "storage_policy_expired": Entry(
        Code.UNAUTHENTICATED,
        "Invalid according to Policy: Policy expired (expiration {expiration}, now {now}).",
        status=403,
        oss_code="AccessDenied",
    ),
    "storage_condition_failed": Entry(
        Code.UNAUTHENTICATED,
        "Invalid according to Policy: Policy Condition failed: {condition}; got {got}.",
        status=403,
        oss_code="AccessDenied",
    ),
    "storage_too_large": Entry(
        Code.INVALID_ARGUMENT,
        "Your proposed upload exceeds the maximum allowed size: {size} bytes, at most {limit}.",
        status=400,
        oss_code="EntityTooLarge",
    ),
    "storage_too_small": Entry(
        Code.INVALID_ARGUMENT,
        "Your proposed upload is smaller than the minimum allowed size: {size} bytes, "
        "at least {limit}.",
        status=400,
        oss_code="EntityTooSmall",
    ),
    "storage_bad_key": Entry(
        Code.INVALID_ARGUMENT,
        "The object name is not valid: {detail}",
        status=400,
        oss_code="InvalidObjectName",
    ),
    "storage_url_expired": Entry(
        Code.UNAUTHENTICATED,
        "Request has expired (Expires {expires}, now {now}); ask get_video_upload_url "
        "for a new URL.",
        status=403,
        oss_code="AccessDenied",
    ),
    "storage_request_timeout": Entry(
        Code.INVALID_ARGUMENT,
        "Your socket connection to the server was not read from or written to within "
        "the timeout period ({seconds} seconds).",
        status=400,
        oss_code="RequestTimeout",
    ),
    "storage_no_such_key": Entry(
        Code.NOT_FOUND,
        "The specified key does not exist: {key}",
        status=404,
        oss_code="NoSuchKey",
    ),
    "storage_method_not_allowed": Entry(
        Code.INVALID_ARGUMENT,
        "The specified method is not allowed against this resource: {method} {path}; "
        "allowed: {allowed}",
        status=405,
        oss_code="MethodNotAllowed",
    ),
    "storage_invalid_argument": Entry(
        Code.INVALID_ARGUMENT,
        "{detail}",
        status=400,
        oss_code="InvalidArgument",
    ),
    "storage_bad_digest": Entry(
        Code.INVALID_ARGUMENT,
        "The Content-MD5 you specified ({md5}) does not match the body you sent.",
        status=400,
        oss_code="InvalidDigest",
    ),
    "storage_internal": Entry(
        Code.INTERNAL,
        "We encountered an internal error. Please try again. ({detail})",
        status=500,
        oss_code="InternalError",
    ),
    "storage_body_too_large": Entry(
        Code.INVALID_ARGUMENT,
        "Your proposed upload exceeds the maximum allowed size: more than {limit} bytes, at "
        "most {limit}.",
        status=400,
        oss_code="EntityTooLarge",
    ),
}

# What an injected error (a fault, X84) says when its fault gives no message.
FAULT_MESSAGES: dict[Code, str] = {
    Code.CANCELLED: "the request was cancelled",
    Code.INVALID_ARGUMENT: "invalid argument",
    Code.DEADLINE_EXCEEDED: "deadline exceeded before the request completed",
    Code.NOT_FOUND: "not found",
    Code.ALREADY_EXISTS: "already exists",
    Code.INSUFFICIENT_SCOPE: "insufficient scope",
    Code.LIMIT_REACHED: "rate limit exceeded",
    Code.INTERNAL: "internal error",
    Code.UNAUTHENTICATED: "authentication failed",
}


class FakeError(Exception):
    """Every failure the fake answers, from every layer: a catalogue key and the fields its
    message takes. Each surface answers it its own way, once: Trustoo's envelope, the
    control plane's JSON, an inspector page, the object store's XML (``app.py`` surfaces).

    ``http_status`` fixes the status in every mode, beyond the entry's (an injected fault
    may); ``details`` are extra elements of the object store's answer (a bad signature's
    string-to-sign)."""

    def __init__(
        self,
        key: str,
        /,
        *,
        http_status: int | None = None,
        details: Mapping[str, str] | None = None,
        **fields: Any,
    ) -> None:
        entry = CATALOGUE[key]
        message = entry.template.format(**fields)
        super().__init__(message)
        self.key = key
        self.fields = fields
        self.entry = entry
        self.code = Code(fields["code"]) if entry.code is None else entry.code
        self.message = message
        self.http_status = http_status if http_status is not None else entry.status
        self.details = dict(details or {})

    def within(self, where: str) -> FakeError:
        """The same error, its message naming where it happened (``shops[1]: ...``)."""
        located = FakeError(
            self.key, http_status=self.http_status, details=self.details, **self.fields
        )
        located.message = f"{where}: {self.message}"
        located.args = (located.message,)
        return located

    def status_in(self, mode: ErrorHttpStatus) -> int:
        """The HTTP status of its envelope under ``error_http_status`` ``mode``."""
        return self.http_status if self.http_status is not None else status_of(self.code, mode)

    @property
    def mirrored_status(self) -> int:
        """The status that mirrors the code, for a page in Trustoo's place (the consent page)."""
        return self.status_in(MIRROR)

    @property
    def plain_status(self) -> int:
        """The status of an answer outside the envelope (control plane, inspector, object
        store)."""
        if self.http_status is not None:
            return self.http_status
        return PLAIN_STATUS.get(self.code, 400)


def status_of(code: Code, mode: ErrorHttpStatus) -> int:
    """The HTTP status of an envelope with ``code`` under ``error_http_status`` ``mode``."""
    if code is Code.OK:
        return 200
    return HTTP_STATUS[code] if mode == MIRROR else int(mode)

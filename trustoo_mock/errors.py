"""The error catalogue: every Trustoo error code and message the fake can send (D4)."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

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

_AUTH_HELP = "send Public-Token, Timestamp and Sign headers, or Authorization: Bearer <token>"

CATALOGUE: dict[str, tuple[Code, str]] = {
    "body_too_large": (Code.INVALID_ARGUMENT, "request body is larger than {limit} bytes"),
    "body_timeout": (
        Code.INVALID_ARGUMENT,
        "the request body did not arrive within {seconds} seconds",
    ),
    "invalid_json": (Code.INVALID_ARGUMENT, "request body is not valid JSON: {detail}"),
    "invalid_body": (Code.INVALID_ARGUMENT, "invalid request body: {detail}"),
    "invalid_query": (Code.INVALID_ARGUMENT, "invalid query parameter {name}: {detail}"),
    "invalid_argument": (Code.INVALID_ARGUMENT, "{detail}"),
    "no_such_path": (Code.NOT_FOUND, "no operation at {method} {path}{hint}"),
    "method_not_allowed": (
        Code.INVALID_ARGUMENT,
        "{method} is not allowed on {path}; allowed: {allowed}",
    ),
    "missing_auth_headers": (
        Code.UNAUTHENTICATED,
        "authentication failed: missing header(s) {missing}; " + _AUTH_HELP,
    ),
    "repeated_auth_header": (
        Code.UNAUTHENTICATED,
        "authentication failed: the {name} header is sent more than once; send it once",
    ),
    "bad_timestamp": (
        Code.UNAUTHENTICATED,
        "authentication failed: Timestamp must be Unix seconds (at most 20 digits), got {value!r}",
    ),
    "timestamp_outside_window": (
        Code.UNAUTHENTICATED,
        "authentication failed: Timestamp {timestamp} is {delta} seconds {direction} the "
        "server time {now}; a request is accepted within {window} seconds of it{hint}",
    ),
    "timestamp_mismatch": (
        Code.UNAUTHENTICATED,
        "authentication failed: query parameter timestamp={query_value} differs from the "
        "Timestamp header {header_value}; send the same value in both or only the header",
    ),
    "unknown_public_token": (
        Code.UNAUTHENTICATED,
        "authentication failed: no shop has the Public-Token {token!r}",
    ),
    "tokens_swapped": (
        Code.UNAUTHENTICATED,
        "authentication failed: the Public-Token header holds a shop's private token (not "
        "repeated here): the two tokens look swapped. Send the public token as Public-Token "
        "and use the private token only as the key of the Sign; it never travels in a header",
    ),
    "public_token_is_secret": (
        Code.UNAUTHENTICATED,
        "authentication failed: the Public-Token header holds {kind} (not repeated here), "
        "not a shop's public token",
    ),
    "bad_signature": (
        Code.UNAUTHENTICATED,
        "authentication failed: Sign does not match. Expected lowercase hex "
        "HMAC-SHA256(key=the shop's private token, message=string-to-sign) with "
        "string-to-sign (between the backticks) `{message}`{hint}",
    ),
    "sign_not_lowercase_hex": (
        Code.UNAUTHENTICATED,
        "authentication failed: Sign must be lowercase hex with nothing around it (64 "
        "characters 0-9, a-f); it would match once {repair}, so only its form is wrong",
    ),
    "bad_authorization_header": (
        Code.UNAUTHENTICATED,
        "authentication failed: the Authorization header must be 'Bearer <access token>'",
    ),
    "unknown_access_token": (
        Code.UNAUTHENTICATED,
        "authentication failed: the access token is not known to this server",
    ),
    "access_token_expired": (
        Code.UNAUTHENTICATED,
        "authentication failed: the access token expired at {expired_at} ({ago} seconds "
        "ago); refresh it with grant_type=refresh_token",
    ),
    "access_token_revoked": (
        Code.UNAUTHENTICATED,
        "authentication failed: the access token was revoked",
    ),
    "insufficient_scope": (
        Code.INSUFFICIENT_SCOPE,
        "insufficient scope: this needs {scope}; the token was granted {granted}",
    ),
    "review_not_found": (Code.NOT_FOUND, "no review with id {id} in this shop"),
    "product_not_found": (Code.NOT_FOUND, "no product with handle {handle!r} in this shop"),
    "webhook_not_found": (Code.NOT_FOUND, "no webhook with id {id} for this shop and caller"),
    "webhook_exists": (
        Code.ALREADY_EXISTS,
        "a webhook for topic {topic} and url {url} already exists (id {id})",
    ),
    "webhook_limit": (
        Code.LIMIT_REACHED,
        "webhook limit reached: at most {limit} webhooks per shop and caller",
    ),
    "bearer_only": (
        Code.UNAUTHENTICATED,
        "authentication failed: this operation takes Authorization: Bearer <access token>",
    ),
    "merchant_session_required": (
        Code.UNAUTHENTICATED,
        "authentication failed: this operation takes a merchant session "
        "(Authorization: Bearer <merchant JWT>; get one from POST /_mock/shops/{{id}}/"
        "merchant_session)",
    ),
    "bad_merchant_session": (
        Code.UNAUTHENTICATED,
        "authentication failed: the merchant session is not valid: {reason}",
    ),
    "unknown_client": (Code.NOT_FOUND, "no platform with client_id {client_id!r}"),
    "client_credentials_swapped": (
        Code.UNAUTHENTICATED,
        "client authentication failed: client_id holds {kind} (not repeated here); "
        "client_id and client_secret look swapped",
    ),
    "bad_client_credentials": (
        Code.UNAUTHENTICATED,
        "client authentication failed: client_id {client_id!r} and client_secret do not match",
    ),
    "scope_not_allowed": (
        Code.INSUFFICIENT_SCOPE,
        "platform {client_id!r} may not ask for {scopes}",
    ),
    "redirect_uri_not_registered": (
        Code.INSUFFICIENT_SCOPE,
        "redirect_uri {redirect_uri!r} is not registered for client {client_id!r}; "
        "registered: {registered}",
    ),
    "bad_grant": (Code.INVALID_ARGUMENT, "the {what} cannot be used: {reason}"),
    "client_credentials_not_allowed": (
        Code.INVALID_ARGUMENT,
        "grant_type client_credentials is only for platforms with skip_shop_oauth; "
        "{client_id!r} must use the authorization code flow",
    ),
    "customer_not_found": (Code.NOT_FOUND, "no customer with {field} {value!r} in this shop"),
    "exclusion_exists": (
        Code.ALREADY_EXISTS,
        "customer {customer_id} is already excluded (since {since})",
    ),
    "exclusion_not_found": (
        Code.NOT_FOUND,
        "customer with {field} {value!r} is not excluded in this shop",
    ),
    "shop_not_named": (
        Code.NOT_FOUND,
        "no shop given: name it with shop (its myshopify domain) or shop_id",
    ),
    "shop_not_found": (Code.NOT_FOUND, "no shop with {what}"),
    "internal": (Code.INTERNAL, "internal error: {detail}"),
    "rate_limited": (
        Code.LIMIT_REACHED,
        "rate limit exceeded: at most {requests} requests in {seconds} seconds; retry after "
        "{retry_after} seconds",
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


class TrustooError(Exception):
    """A failure the fake answers with Trustoo's error envelope. ``http_status`` None: the
    status follows the instance's ``error_http_status``; a number is sent in every mode."""

    def __init__(self, code: Code, message: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status

    def status_in(self, mode: ErrorHttpStatus) -> int:
        """The HTTP status this error is sent with under ``error_http_status`` ``mode``."""
        return self.http_status if self.http_status is not None else status_of(self.code, mode)

    @property
    def mirrored_status(self) -> int:
        """The status that mirrors the code, for answers outside the envelope (a web page)."""
        return self.status_in(MIRROR)


def status_of(code: Code, mode: ErrorHttpStatus) -> int:
    """The HTTP status of an envelope with ``code`` under ``error_http_status`` ``mode``."""
    if code is Code.OK:
        return 200
    return HTTP_STATUS[code] if mode == MIRROR else int(mode)


def trustoo_error(key: str, *, http_status: int | None = None, **fields: Any) -> TrustooError:
    code, template = CATALOGUE[key]
    return TrustooError(code, template.format(**fields), http_status)


class ControlError(Exception):
    """A failure of the /_mock control plane: plain ``{"error": ...}`` JSON."""

    def __init__(self, http_status: int, message: str) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.message = message


STORAGE_CATALOGUE: dict[str, tuple[int, str, str]] = {
    "storage_malformed_post": (
        400,
        "MalformedPOSTRequest",
        "The body of your POST request is not well-formed multipart/form-data: {detail}",
    ),
    "storage_missing_field": (400, "InvalidArgument", "The form field {name} is required{hint}"),
    "storage_anonymous": (
        403,
        "AccessDenied",
        "You have no right to access this object because of bucket acl: send OSSAccessKeyId, "
        "policy and Signature (from get_image_upload_policy_token)",
    ),
    "storage_unknown_access_key": (
        403,
        "InvalidAccessKeyId",
        "The OSS Access Key Id you provided does not exist in our records (it is not "
        "repeated: it may be a secret sent in the wrong field). Send the access_id that came "
        "with the upload credentials, or the pre-signed URL exactly as given.",
    ),
    "storage_bad_signature": (
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. {detail}",
    ),
    "storage_bad_policy": (400, "InvalidPolicyDocument", "Invalid Policy: {detail}"),
    "storage_policy_expired": (
        403,
        "AccessDenied",
        "Invalid according to Policy: Policy expired (expiration {expiration}, now {now}).",
    ),
    "storage_condition_failed": (
        403,
        "AccessDenied",
        "Invalid according to Policy: Policy Condition failed: {condition}; got {got}.",
    ),
    "storage_too_large": (
        400,
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed size: {size} bytes, at most {limit}.",
    ),
    "storage_too_small": (
        400,
        "EntityTooSmall",
        "Your proposed upload is smaller than the minimum allowed size: {size} bytes, at "
        "least {limit}.",
    ),
    "storage_bad_key": (400, "InvalidObjectName", "The object name is not valid: {detail}"),
    "storage_url_expired": (
        403,
        "AccessDenied",
        "Request has expired (Expires {expires}, now {now}); ask get_video_upload_url for a "
        "new URL.",
    ),
    "storage_request_timeout": (
        400,
        "RequestTimeout",
        "Your socket connection to the server was not read from or written to within the "
        "timeout period ({seconds} seconds).",
    ),
    "storage_no_such_key": (404, "NoSuchKey", "The specified key does not exist: {key}"),
    "storage_method_not_allowed": (
        405,
        "MethodNotAllowed",
        "The specified method is not allowed against this resource: {method} {path}; "
        "allowed: {allowed}",
    ),
    "storage_invalid_argument": (400, "InvalidArgument", "{detail}"),
    "storage_bad_digest": (
        400,
        "InvalidDigest",
        "The Content-MD5 you specified ({md5}) does not match the body you sent.",
    ),
    "storage_internal": (
        500,
        "InternalError",
        "We encountered an internal error. Please try again. ({detail})",
    ),
}


class StorageError(Exception):
    """A failure of the fake's object store, answered the way the object store (Alibaba OSS)
    answers: an XML ``<Error>`` with its code, message and, for a bad signature, the string
    it expected to be signed (``details``)."""

    def __init__(
        self, http_status: int, code: str, message: str, details: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.code = code
        self.message = message
        self.details = dict(details or {})


def storage_error(
    entry: str, /, *, details: dict[str, str] | None = None, **fields: Any
) -> StorageError:
    http_status, code, template = STORAGE_CATALOGUE[entry]
    return StorageError(http_status, code, template.format(**fields), details)

"""One settings object for the whole fake; the CLI and the pytest plugin map onto it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

__all__ = ["Config", "ErrorHttpStatus"]

MAX_BODY_BYTES = 1024 * 1024
MIRROR: Final = "mirror"
# The HTTP status of an answer in Trustoo's error envelope: that status for every error, or
# MIRROR (the status follows the code: 16 is 401, 5 is 404, ...).
ErrorHttpStatus = int | Literal["mirror"]


def parse_error_http_status(value: object) -> ErrorHttpStatus:
    """``mirror`` or an HTTP status (100-599), from a setting's text or value."""
    text = str(value).strip().lower()
    if text == MIRROR:
        return MIRROR
    if isinstance(value, bool) or not text.isdigit() or not 100 <= int(text) <= 599:
        raise ValueError(f"error_http_status {value!r}: use mirror or an HTTP status (100-599)")
    return int(text)


# The host of a fake running in the caller's process (a name that never resolves: RFC 6761).
IN_PROCESS_HOST = "trustoo.test"
SIGNATURE_CLOCKS = ("fake", "wall")
# How a change to the data file reaches the disk (X80): "always" fsyncs every change log
# line; "flush" (the default) hands each line to the operating system before the answer and
# fsyncs snapshots; "never" calls fsync nowhere.
DATA_SYNC_MODES: Final = ("always", "flush", "never")
DEFAULT_DATA_COMPACT_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Config:
    """How one instance of the fake behaves.

    ``data_file`` None keeps the state in memory; a path persists it: a snapshot in that
    file (TinyDB's JSON) and a change log beside it (``<file>.log``, one JSON line per change,
    X79), rewritten into the snapshot in the background once the log passes
    ``data_compact_bytes``; ``data_sync`` says how a change reaches the disk (DATA_SYNC_MODES).
    ``seed_file`` None means the bundled demo data; ``empty`` starts with no data at all.
    ``error_http_status`` is the HTTP status of every answer in Trustoo's error envelope:
    200 (the default: Trustoo puts the code in the body only, D4 revised), another number,
    or ``"mirror"`` (the status follows the code: 16 is 401, 5 is 404, ...).
    ``webhook_timeout`` is the deadline for a whole push attempt (D12: 10 s, X39);
    ``max_deliveries`` caps the delivery log, pending deliveries included (finished ones go
    first, X40); ``dispatch_interval`` is how often a server on the real clock looks for
    retries that fell due. ``journal_size`` caps the request journal (``GET /_mock/requests``).
    ``body_timeout`` is how long a request's whole body may take to arrive.
    ``max_snapshots`` caps the snapshots kept (``POST /_mock/snapshots``, X93); with
    ``data_file`` they are also files in ``<data file>.snapshots/`` (X94).
    Without a ``control_token`` only ``Host`` values naming this machine are answered, and
    those in ``allowed_hosts`` (comma-separated; ``.example.com`` with subdomains, ``*`` any).

    ``signature_clock`` is the clock signatures follow: ``fake`` (default) checks a signed
    request's Timestamp against the fake's clock and stamps webhook pushes with it; ``wall``
    uses the real time for both, so code that signs with its own wall clock keeps working
    after the fake's clock moved, while token lifetimes and schedules still follow the fake's.

    The ``upload_*``, ``max_*_bytes``, ``max_stored_*`` and ``oss_*`` settings shape the
    fake's object store: the lifetime of upload policies and pre-signed URLs, the size limit
    of one image and one video, how much is kept (the oldest objects go first), the key prefix
    and the access key that signs uploads (``oss_access_key_secret`` None: a secret of this
    instance, kept with ``data_file``). ``media_dir`` is a directory whose files the object
    store also serves, read only, at ``/_storage/<path in the directory>`` (where
    ``trustoo-mock clone --download-media`` puts a shop's media, X109).

    ``random_seed`` seeds every generated id, token and request id (repeatable runs); None
    draws a seed from the operating system and tokens and secrets from its secure source
    (``trustoo-mock serve`` without ``--random-seed``). ``MockTrustoo()`` and the pytest
    fixtures are seeded.
    """

    data_file: Path | None = None
    data_sync: str = "flush"
    data_compact_bytes: int = DEFAULT_DATA_COMPACT_BYTES
    seed_file: Path | None = None
    empty: bool = False
    random_seed: int | None = 0
    frozen_time: float | None = None
    timestamp_window: int = 900
    error_http_status: ErrorHttpStatus = 200
    max_body_bytes: int = MAX_BODY_BYTES
    control_token: str | None = None
    access_token_ttl: int = 7200
    refresh_token_ttl: int = 30 * 24 * 3600
    max_webhooks_per_owner: int = 20
    upload_ttl: int = 900
    max_image_bytes: int = 10 * 1024 * 1024
    max_video_bytes: int = 50 * 1024 * 1024
    max_stored_upload_bytes: int = 256 * 1024 * 1024
    max_stored_uploads: int = 1000
    upload_key_prefix: str = "mock"
    media_dir: Path | None = None
    oss_access_key_id: str = "LTAI5tTrustooMockUpload1"
    oss_access_key_secret: str | None = None
    webhook_timeout: float = 10.0
    max_deliveries: int = 1000
    dispatch_interval: float = 1.0
    journal_size: int = 1000
    allowed_hosts: str = ""
    body_timeout: float = 30.0
    max_snapshots: int = 16

    def __post_init__(self) -> None:
        status = self.error_http_status
        if status != MIRROR and not (
            type(status) is int and parse_error_http_status(status) == status
        ):
            raise ValueError(
                f"error_http_status {status!r}: use {MIRROR!r} or an HTTP status (100-599)"
            )

    signature_clock: str = "fake"

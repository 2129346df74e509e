"""One settings object for the whole fake; the CLI and the pytest plugin map onto it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_BODY_BYTES = 1024 * 1024
SIGNATURE_CLOCKS = ("fake", "wall")


@dataclass(frozen=True, slots=True)
class Config:
    """How one instance of the fake behaves.

    ``data_file`` None keeps the state in memory; a path persists it with atomic writes.
    ``seed_file`` None means the bundled demo data; ``empty`` starts with no data at all.
    ``error_http_status`` None mirrors the Trustoo code in the HTTP status (D4); a number
    sends that status for every error instead. ``webhook_timeout`` is how long a receiver
    may take to answer (D12: 10 s); ``max_deliveries`` caps the delivery log (finished ones
    are dropped first); ``dispatch_interval`` is how often a server on the real clock looks
    for retries that fell due. ``journal_size`` caps the request journal (``GET /_mock/requests``).

    ``signature_clock`` is the clock signatures follow: ``fake`` (default) checks a signed
    request's Timestamp against the fake's clock and stamps webhook pushes with it; ``wall``
    uses the real time for both, so code that signs with its own wall clock keeps working
    after the fake's clock moved, while token lifetimes and schedules still follow the fake's.

    The ``upload_*``, ``max_*_bytes``, ``max_stored_*`` and ``oss_*`` settings shape the
    fake's object store: the lifetime of upload policies and pre-signed URLs, the size limit
    of one image and one video, how much is kept (the oldest objects go first), the key prefix
    and the access key that signs uploads.
    """

    data_file: Path | None = None
    seed_file: Path | None = None
    empty: bool = False
    random_seed: int = 0
    frozen_time: float | None = None
    timestamp_window: int = 900
    error_http_status: int | None = None
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
    oss_access_key_id: str = "LTAI5tTrustooMockUpload1"
    oss_access_key_secret: str = "trustoo-mock-oss-secret-0001"
    webhook_timeout: float = 10.0
    max_deliveries: int = 1000
    dispatch_interval: float = 1.0
    journal_size: int = 1000
    signature_clock: str = "fake"

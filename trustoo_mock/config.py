"""One settings object for the whole fake; the CLI and the pytest plugin map onto it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Config:
    """How one instance of the fake behaves.

    ``data_file`` None keeps the state in memory; a path persists it with atomic writes.
    ``seed_file`` None means the bundled demo data; ``empty`` starts with no data at all.
    ``error_http_status`` None mirrors the Trustoo code in the HTTP status (D4); a number
    sends that status for every error instead.
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

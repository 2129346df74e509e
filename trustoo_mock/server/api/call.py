"""What a handler receives once the request is read, validated and authenticated."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trustoo_mock.core.principal import Principal
from trustoo_mock.domain.context import Context
from trustoo_mock.services.fake import Fake


@dataclass(slots=True)
class Call:
    """``ctx`` is the one service a Trustoo or object store handler uses (store, clock,
    randomness, settings); ``headers`` have lowercase names; ``raw_body`` is the body
    exactly as received; ``base_url`` is how the caller reached this server (for URLs the
    fake hands out)."""

    ctx: Context
    query: dict[str, Any]
    body: Any
    principal: Principal | None = None
    path_params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    raw_body: bytes = b""
    base_url: str = ""

    @property
    def caller(self) -> Principal:
        if self.principal is None:
            raise RuntimeError("this operation was declared without authentication")
        return self.principal

    @property
    def fields(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) else {}


@dataclass(slots=True)
class ControlCall(Call):
    """A call of the control plane or the inspector, which act on the instance itself: its
    journal, snapshots, dispatcher, clock changes and resets."""

    fake: Fake = field(kw_only=True)


Handler = Callable[[Call], Any]

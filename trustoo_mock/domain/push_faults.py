"""Push faults (X90): webhook pushes that misbehave on purpose, so a receiver's dedup, signature
check and replay guard can be tested.

A push fault matches the attempts of deliveries to its ``topic`` (any topic without one) and
touches the next ``times`` of them (every one, until removed, without ``times``), the oldest
fault first and one fault per attempt. What it does to an attempt is the dispatcher's business
(``delivery.py``); this module keeps the faults and counts how often each fired.
"""

from __future__ import annotations

from typing import Any

from trustoo_mock.core.clock import rfc3339
from trustoo_mock.domain.context import Context

DUPLICATE = "duplicate"
BAD_SIGNATURE = "bad_signature"
STALE_TIMESTAMP = "stale_timestamp"
OUT_OF_ORDER = "out_of_order"
DELAY = "delay"
KINDS = (DUPLICATE, BAD_SIGNATURE, STALE_TIMESTAMP, OUT_OF_ORDER, DELAY)
# Kinds that change the request an attempt sends; the others change when it is sent.
SENDING_KINDS = (DUPLICATE, BAD_SIGNATURE, STALE_TIMESTAMP)
PUSH_FAULT_ID_START = 1


def create(ctx: Context, fields: dict[str, Any]) -> dict[str, Any]:
    """A new push fault from the control plane's fields, checked by the spec's schema
    (``seconds`` with ``delay`` only, and always with it)."""
    seconds = fields.get("seconds")
    fault = {
        "id": str(ctx.store.next_id("push_fault", PUSH_FAULT_ID_START)),
        "kind": fields["kind"],
        "topic": fields.get("topic"),
        "times": fields.get("times"),
        "seconds": None if seconds is None else float(seconds),
        "fired": 0,
        "created_at": ctx.clock.now(),
    }
    ctx.store.insert("push_faults", fault)
    return fault


def list_faults(ctx: Context) -> list[dict[str, Any]]:
    """Copies of every push fault, the oldest first (retired ones included)."""
    return sorted(ctx.store.find("push_faults"), key=lambda fault: int(fault["id"]))


def delete(ctx: Context, fault_id: str) -> bool:
    deleted = ctx.store.delete("push_faults", id=fault_id) > 0
    _release_held(ctx)
    return deleted


def exists(ctx: Context, fault_id: str) -> bool:
    return ctx.store.count("push_faults", id=fault_id) > 0


def delete_all(ctx: Context) -> int:
    deleted = ctx.store.delete("push_faults")
    _release_held(ctx)
    return deleted


def _release_held(ctx: Context) -> None:
    """A delivery an out_of_order fault held may go now: counted as queued, so the HTTP layer
    wakes the dispatcher after the answer."""
    ctx.queued += 1


def _active(fault: dict[str, Any]) -> bool:
    return fault["times"] is None or fault["fired"] < fault["times"]


def fire(ctx: Context, topic: str, kinds: tuple[str, ...]) -> dict[str, Any] | None:
    """The oldest active fault of one of ``kinds`` matching ``topic``, counted as fired; None
    when there is none (then nothing is written: the check costs a read of a small table)."""
    if not ctx.store.count("push_faults"):
        return None
    for fault in list_faults(ctx):
        if fault["kind"] in kinds and fault["topic"] in (None, topic) and _active(fault):
            fired = fault["fired"] + 1
            ctx.store.update("push_faults", {"id": fault["id"]}, {"fired": fired})
            return {**fault, "fired": fired}
    return None


def marker(fault: dict[str, Any]) -> dict[str, str]:
    """How the delivery log names the fault that touched an attempt."""
    return {"id": fault["id"], "kind": fault["kind"]}


PRESENTED = ("id", "kind", "topic", "times", "seconds", "fired")


def present(fault: dict[str, Any]) -> dict[str, Any]:
    """A push fault for the control plane: its fields, whether it still fires, when made."""
    shown = {name: fault[name] for name in PRESENTED}
    return {**shown, "active": _active(fault), "created_at": rfc3339(fault["created_at"])}

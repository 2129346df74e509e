"""The /_mock control plane: plain JSON for test set-up and inspection (DESIGN §5)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from functools import cache
from typing import Any

from trustoo_mock.core.clock import parse_instant, rfc3339
from trustoo_mock.core.errors import FakeError
from trustoo_mock.core.ids import id_text
from trustoo_mock.domain import (
    customer_events,
    events,
    faults,
    oauth,
    push_faults,
    reviews,
    seeding,
    sessions,
    tenants,
)
from trustoo_mock.domain.context import Context
from trustoo_mock.server.api.call import ControlCall
from trustoo_mock.services import delivery
from trustoo_mock.services.fake import Fake
from trustoo_mock.services.snapshots import Snapshot, SnapshotsFull
from trustoo_mock.spec.openapi import JSON, SpecViolation, bundled_spec
from trustoo_mock.version import __version__

ControlResult = tuple[int, Any]
EARLIEST_INSTANT = -62_000_000_000.0  # year 5
LATEST_INSTANT = 253_000_000_000.0  # year 9987
DEFAULT_IDLE_TIMEOUT = 10.0


def health(call: ControlCall) -> ControlResult:
    return 200, {"status": "ok", "version": __version__}


async def reset(call: ControlCall) -> ControlResult:
    body = call.fields
    shop_id = body.get("shop_id")
    fake = call.fake
    if shop_id is not None:  # the random source goes on: no id is issued twice (X118)
        with fake.ctx.store.batch():
            fake.reset(shop_id=id_text(shop_id))
        return 200, {"status": "ok"}
    empty, random_seed = bool(body.get("empty")), body.get("random_seed")
    await _leave_the_state(fake, lambda: fake.reset(empty=empty, random_seed=random_seed))
    return 200, {"status": "ok"}


async def _leave_the_state(fake: Fake, change: Callable[[], None]) -> None:
    """Under the clock lock, abandon the pushes in flight, then ``change`` the whole state:
    those pushes belong to the state being left, and recording them later would write into
    the next one, whose deliveries reuse their ids (X93, X118)."""
    async with fake.dispatcher.clock_lock():
        await fake.dispatcher.stop()
        with fake.ctx.store.batch():
            change()


def create_shop(call: ControlCall) -> ControlResult:
    return 201, tenants.present_shop(tenants.create_shop(call.ctx, call.fields))


def list_shops(call: ControlCall) -> ControlResult:
    return 200, [tenants.present_shop(shop) for shop in tenants.shops_oldest_first(call.ctx)]


def get_shop(call: ControlCall) -> ControlResult:
    return 200, tenants.present_shop(tenants.get_shop(call.ctx, call.path_params["shop_id"]))


def create_platform(call: ControlCall) -> ControlResult:
    return 201, tenants.present_platform(tenants.create_platform(call.ctx, call.fields))


def list_platforms(call: ControlCall) -> ControlResult:
    platforms = tenants.platforms_by_id(call.ctx)
    return 200, [tenants.present_platform(platform) for platform in platforms]


def authorize(call: ControlCall) -> ControlResult:
    grant = oauth.grant_directly(
        call.ctx, call.path_params["shop_id"], call.fields["client_id"], call.fields.get("scopes")
    )
    return 201, oauth.present_grant(call.ctx, grant)


def uninstall(call: ControlCall) -> ControlResult:
    """The merchant removes a platform's app from the shop: Trustoo tells the platform."""
    shop = tenants.get_shop(call.ctx, call.path_params["shop_id"])
    oauth.uninstall(call.ctx, shop["shop_id"], call.path_params["client_id"])
    return 200, {"status": "ok"}


def merchant_session(call: ControlCall) -> ControlResult:
    shop = tenants.get_shop(call.ctx, call.path_params["shop_id"])
    return 201, sessions.issue(call.ctx, shop["shop_id"])


def seed(call: ControlCall) -> ControlResult:
    return 201, seeding.load(call.ctx, call.fields)


def clock_state(fake: Fake) -> dict[str, Any]:
    clock = fake.ctx.clock
    now = clock.now()
    return {"now": now, "iso": rfc3339(now), "frozen": clock.frozen}


def get_clock(call: ControlCall) -> ControlResult:
    return 200, clock_state(call.fake)


async def change_clock(fake: Fake, change: Mapping[str, Any]) -> dict[str, Any]:
    """``freeze``, ``set`` (Unix seconds or a time as text) and ``advance``, as
    ``POST /_mock/clock`` takes them: every push that falls due on the way is made at its
    own time. Runs on the event loop while its pushes are sent, so the fake keeps answering;
    one clock change at a time."""
    clock = fake.ctx.clock
    dispatcher = fake.dispatcher
    async with dispatcher.clock_lock():
        requested = change.get("set")
        if isinstance(requested, str):
            target = parse_instant(requested)
        else:
            target = clock.now() if requested is None else float(requested)
        target += float(change.get("advance", 0))
        if not EARLIEST_INSTANT <= target <= LATEST_INSTANT:
            raise FakeError("clock_out_of_range")
        if change.get("freeze") is True:
            clock.freeze()
        elif change.get("freeze") is False:
            clock.unfreeze()
        if target >= clock.now():
            await dispatcher.run_until(target)
        else:
            clock.set(target)
    return clock_state(fake)


async def set_clock(call: ControlCall) -> ControlResult:
    return 200, await change_clock(call.fake, call.fields)


async def wait_idle(call: ControlCall) -> ControlResult:
    timeout = float(call.fields.get("timeout", DEFAULT_IDLE_TIMEOUT))
    fake = call.fake
    try:
        async with asyncio.timeout(timeout):
            await fake.wait_idle()
    except TimeoutError:
        raise FakeError(
            "still_busy",
            timeout=timeout,
            requests=fake.activity.busy,
            pushes=fake.dispatcher.in_flight,
        ) from None
    return 200, {"status": "idle"}


def present_snapshot(snapshot: Snapshot) -> dict[str, Any]:
    return {"name": snapshot.name, "saved_at": rfc3339(snapshot.saved_at)}


def _known_snapshot(fake: Fake, name: str) -> Snapshot:
    snapshot = fake.snapshots.get(name)
    if snapshot is None:
        raise FakeError("snapshot_not_found", name=name)
    return snapshot


async def save_named_snapshot(fake: Fake, name: str) -> Snapshot:
    """One at a time with clock changes, so no advance is half done in a snapshot; with a data
    file, its file is written off the event loop."""
    async with fake.dispatcher.clock_lock():
        try:
            snapshot = fake.save_snapshot(name)
        except SnapshotsFull:
            raise FakeError("snapshots_full", limit=fake.snapshots.limit) from None
        sync = fake.config.data_sync != "never"
        await asyncio.to_thread(fake.snapshots.write, snapshot, sync=sync)
    return snapshot


async def restore_named_snapshot(fake: Fake, name: str) -> Snapshot:
    snapshot = _known_snapshot(fake, name)
    await _leave_the_state(fake, lambda: fake.restore_snapshot(snapshot))
    return snapshot


async def delete_named_snapshot(fake: Fake, name: str) -> None:
    async with fake.dispatcher.clock_lock():
        snapshot = _known_snapshot(fake, name)
        await asyncio.to_thread(fake.snapshots.delete, snapshot.name)


async def save_snapshot(call: ControlCall) -> ControlResult:
    return 201, present_snapshot(await save_named_snapshot(call.fake, call.fields["name"]))


def list_snapshots(call: ControlCall) -> ControlResult:
    return 200, [present_snapshot(snapshot) for snapshot in call.fake.snapshots.listed()]


async def restore_snapshot(call: ControlCall) -> ControlResult:
    name = call.path_params["name"]
    return 200, present_snapshot(await restore_named_snapshot(call.fake, name))


async def delete_snapshot(call: ControlCall) -> ControlResult:
    await delete_named_snapshot(call.fake, call.path_params["name"])
    return 200, {"status": "ok"}


def list_deliveries(call: ControlCall) -> ControlResult:
    wanted = {
        name: id_text(value) if name == "shop_id" else value
        for name, value in call.query.items()
        if name in ("shop_id", "topic", "status", "webhook_id")
    }
    found = events.list_deliveries(call.ctx, **wanted)
    return 200, [delivery.present(call.ctx, item) for item in found]


def retry_delivery(call: ControlCall) -> ControlResult:
    retried = delivery.retry(call.ctx, call.path_params["delivery_id"])
    if retried is None:
        raise FakeError("delivery_not_found", id=call.path_params["delivery_id"])
    return 200, delivery.present(call.ctx, retried)


def create_push_fault(call: ControlCall) -> ControlResult:
    return 201, push_faults.present(push_faults.create(call.ctx, call.fields))


@cache
def _push_fault_input() -> Callable[[Any], Any]:
    """The spec's check of a new push fault (the body of ``mock_create_push_fault``)."""
    found = next(
        operation
        for operation in bundled_spec().implemented()
        if operation.operation_id == "mock_create_push_fault"
    )
    return found.body_validators[JSON]


def add_push_fault(ctx: Context, fields: dict[str, Any]) -> dict[str, Any]:
    """A push fault from fields the spec has not checked yet (the inspector's form): checked
    as ``POST /_mock/push_faults`` checks its body."""
    try:
        _push_fault_input()(fields)
    except SpecViolation as violation:
        raise FakeError("invalid_push_fault", violation=violation) from None
    return push_faults.create(ctx, fields)


def list_push_faults(call: ControlCall) -> ControlResult:
    return 200, [push_faults.present(fault) for fault in push_faults.list_faults(call.ctx)]


def _removed(found: bool, what: str) -> ControlResult:
    """The answer to removing one thing: done, or 404 naming ``what`` was not there."""
    if not found:
        raise FakeError("not_there", what=what)
    return 200, {"status": "ok"}


def _removing_all(delete_all: Callable[[Context], int]) -> ControlHandler:
    """A handler that removes every one of a kind (faults, push faults)."""

    def handler(call: ControlCall) -> ControlResult:
        delete_all(call.ctx)
        return 200, {"status": "ok"}

    return handler


def delete_push_fault(call: ControlCall) -> ControlResult:
    fault_id = call.path_params["push_fault_id"]
    return _removed(push_faults.delete(call.ctx, fault_id), f"push fault {fault_id}")


def create_review(call: ControlCall) -> ControlResult:
    """A customer writes a review on the storefront: Trustoo fires review/created."""
    shop = tenants.get_shop(call.ctx, call.path_params["shop_id"])
    created = reviews.create_review(call.ctx, shop["shop_id"], call.fields)
    return 201, reviews.present_review(call.ctx, created)


def update_review(call: ControlCall) -> ControlResult:
    """The merchant edits, replies to, hides or shows a review in the Trustoo admin."""
    shop = tenants.get_shop(call.ctx, call.path_params["shop_id"])
    review_id = call.path_params["review_id"]
    updated = reviews.update_review(call.ctx, shop["shop_id"], review_id, call.fields)
    return 200, reviews.present_review(call.ctx, updated)


def create_customer_event(call: ControlCall) -> ControlResult:
    """A shopper acts on the storefront (or in an email): Trustoo records a customer event."""
    shop = tenants.get_shop(call.ctx, call.path_params["shop_id"])
    event = customer_events.create_event(call.ctx, shop["shop_id"], call.fields)
    return 201, customer_events.present_event(event)


@cache
def faultable_operations() -> frozenset[str]:
    """The Trustoo operations a fault may name: those answered in Trustoo's envelope (X83)."""
    return frozenset(
        operation.operation_id
        for operation in bundled_spec().implemented()
        if not (operation.is_control or operation.is_storage)
        and not operation.operation_id.startswith("mock_")
    )


def create_fault(call: ControlCall) -> ControlResult:
    fault = faults.create_fault(call.ctx, call.fields, faultable_operations())
    return 201, faults.present(fault)


def list_faults(call: ControlCall) -> ControlResult:
    return 200, [faults.present(fault) for fault in faults.list_faults(call.ctx)]


def delete_fault(call: ControlCall) -> ControlResult:
    fault_id = call.path_params["fault_id"]
    return _removed(faults.delete_fault(call.ctx, fault_id), f"fault {fault_id}")


def list_requests(call: ControlCall) -> ControlResult:
    return 200, call.fake.journal.entries()


ControlHandler = Callable[[ControlCall], ControlResult]
AsyncControlHandler = Callable[[ControlCall], Awaitable[ControlResult]]

HANDLERS: dict[str, ControlHandler] = {
    "mock_health": health,
    "mock_create_shop": create_shop,
    "mock_list_shops": list_shops,
    "mock_get_shop": get_shop,
    "mock_create_platform": create_platform,
    "mock_list_platforms": list_platforms,
    "mock_authorize": authorize,
    "mock_merchant_session": merchant_session,
    "mock_uninstall": uninstall,
    "mock_seed": seed,
    "mock_get_clock": get_clock,
    "mock_list_deliveries": list_deliveries,
    "mock_retry_delivery": retry_delivery,
    "mock_create_push_fault": create_push_fault,
    "mock_list_push_faults": list_push_faults,
    "mock_delete_push_fault": delete_push_fault,
    "mock_delete_push_faults": _removing_all(push_faults.delete_all),
    "mock_list_snapshots": list_snapshots,
    "mock_list_requests": list_requests,
    "mock_create_review": create_review,
    "mock_update_review": update_review,
    "mock_create_customer_event": create_customer_event,
    "mock_create_fault": create_fault,
    "mock_list_faults": list_faults,
    "mock_delete_fault": delete_fault,
    "mock_delete_faults": _removing_all(faults.delete_all),
}

# These wait on the event loop (for pushes, or for quiet), so other requests go on meanwhile.
ASYNC_HANDLERS: dict[str, AsyncControlHandler] = {
    "mock_set_clock": set_clock,
    "mock_wait_idle": wait_idle,
    "mock_save_snapshot": save_snapshot,
    "mock_reset": reset,
    "mock_restore_snapshot": restore_snapshot,
    "mock_delete_snapshot": delete_snapshot,
}

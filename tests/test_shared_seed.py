"""Fakes started from one seed share its loaded tables, copy on write: no fake's writes may
reach the seed, or another fake, ever."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import DEMO_SHOP_ID, FROZEN_AT, CheckedClient
from trustoo_mock import Config, create_app
from trustoo_mock.services import fake
from trustoo_mock.store.database import Store

TABLES = ("reviews", "events")
FIELDS = ("shop_id", "rating")

writes = st.lists(
    st.one_of(
        st.tuples(st.just("insert"), st.sampled_from(TABLES), st.integers(1, 3)),
        st.tuples(st.just("update"), st.sampled_from(TABLES), st.integers(1, 3)),
        st.tuples(st.just("delete"), st.sampled_from(TABLES), st.integers(1, 3)),
    ),
    max_size=12,
)


def template() -> dict[str, dict[str, dict[str, Any]]]:
    return {
        table: {
            str(number): {"shop_id": number % 3 + 1, "rating": number % 5 + 1, "tags": ["x"]}
            for number in range(1, 10)
        }
        for table in TABLES
    }


def _apply(store: Store, operations: list[tuple[str, str, int]]) -> None:
    for action, table, value in operations:
        if action == "insert":
            store.insert(table, {"shop_id": value, "rating": value})
        elif action == "update":
            store.update(table, {"shop_id": value}, {"rating": 0})
        else:
            store.delete(table, shop_id=value)


@given(writes)
def test_writes_to_a_store_never_reach_the_shared_tables(
    operations: list[tuple[str, str, int]],
) -> None:
    shared = template()
    pristine = copy.deepcopy(shared)
    store = Store()
    store.replace(shared, shared=True)
    _apply(store, operations)
    assert shared == pristine
    other = Store()
    other.replace(shared, shared=True)
    assert other.find("reviews") == list(pristine["reviews"].values())


class _Refused(Exception):
    pass


@given(writes, writes, st.booleans())
def test_a_transaction_that_raises_leaves_the_store_and_its_snapshots_as_they_were(
    earlier: list[tuple[str, str, int]],
    refused: list[tuple[str, str, int]],
    snapshot_first: bool,
) -> None:
    """The state before a transaction is kept shared, not copied: the writes of the block are
    undone, and neither they nor later writes reach that state or a snapshot taken before."""
    store = Store()
    store.replace(template())
    _apply(store, earlier)
    snapshot = store.share() if snapshot_first else None
    pristine = copy.deepcopy(store.tables())
    with pytest.raises(_Refused), store.transaction():
        _apply(store, refused)
        raise _Refused
    assert store.tables() == pristine
    assert [store.count(table) for table in TABLES] == [len(pristine[t]) for t in TABLES]
    _apply(store, refused)
    assert snapshot is None or snapshot == pristine


@given(writes)
def test_a_transaction_that_completes_keeps_its_writes(
    operations: list[tuple[str, str, int]],
) -> None:
    plain, transacted = Store(), Store()
    plain.replace(template())
    transacted.replace(template())
    _apply(plain, operations)
    with transacted.transaction():
        _apply(transacted, operations)
    assert transacted.tables() == plain.tables()


@given(writes, writes, st.sampled_from(["before", "inside", "none"]))
def test_after_a_transaction_no_snapshot_changes_and_no_other_table_is_copied(
    inside: list[tuple[str, str, int]], after: list[tuple[str, str, int]], snapshot_at: str
) -> None:
    """A completed transaction's rollback copy is dropped: a table only it shared is written
    in place again, while one a snapshot shares (taken before or inside) is still copied."""
    store = Store()
    store.replace(template())
    snapshot = store.share() if snapshot_at == "before" else None
    with store.transaction():
        _apply(store, inside)
        if snapshot_at == "inside":
            snapshot = store.share()
    pristine = copy.deepcopy(snapshot)
    tables = {table: store.tables()[table] for table in TABLES}
    _apply(store, after)
    assert snapshot == pristine
    if snapshot is None:
        assert all(store.tables()[table] is tables[table] for table in TABLES)


def test_a_fake_edits_and_deletes_seeded_reviews_without_touching_the_next_fake() -> None:
    def fresh() -> CheckedClient:
        return CheckedClient(create_app(Config(frozen_time=FROZEN_AT)))

    def first_page(client: CheckedClient) -> list[dict[str, Any]]:
        response = client.signed("GET", "/api/v1/openapi/get_reviews", params={"page_size": 5})
        page: list[dict[str, Any]] = response.json()["data"]["list"]
        return page

    before = first_page(fresh())  # the first fake of this seed loads it; the next share it
    changed = fresh()
    edited, deleted = before[0]["id"], before[1]["id"]
    route = f"/_mock/shops/{DEMO_SHOP_ID}/reviews/{edited}"
    assert changed.control("POST", route, {"title": "Changed"}).status_code == 200
    response = changed.signed("POST", "/api/v1/openapi/delete_review", body={"id": deleted})
    assert response.json()["code"] == 0
    assert first_page(changed) != before

    assert first_page(fresh()) == before


def test_a_seed_too_large_to_keep_twice_is_loaded_each_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fake, "SNAPSHOT_MAX_DOCUMENTS", 10)
    config = Config(frozen_time=FROZEN_AT + 1)  # a clock second no other test seeds at
    first, second = create_app(config).state.fake, create_app(config).state.fake
    assert not any(key[1] == config for key in fake._snapshots)
    assert first.ctx.store.tables() == second.ctx.store.tables()
    assert first.ctx.store.tables()["reviews"] is not second.ctx.store.tables()["reviews"]

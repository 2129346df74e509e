"""All state lives here: TinyDB over memory, optionally persisted to one JSON file.

The data is kept in memory and, with a file, written out whole after every change (or once
at the end of a ``batch``) through a temporary file and an atomic rename, so a crash
mid-write leaves the previous complete file in place.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from tinydb import TinyDB
from tinydb.storages import Storage

from trustoo_mock.blobs import BlobStore
from trustoo_mock.files import remove_stale_temporaries, write_atomically

Document = dict[str, Any]
MAX_VIEWS = 1024


class _AtomicMemoryStorage(Storage):
    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._data: dict[str, dict[str, Any]] = {}
        self._batch_depth = 0
        self._dirty = False
        if path is not None:
            remove_stale_temporaries(path.parent, re.escape(path.name))
        if path is not None and path.exists():
            with path.open(encoding="utf-8") as handle:
                self._data = json.load(handle)

    def read(self) -> dict[str, dict[str, Any]]:
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._data = data
        if self._batch_depth:
            self._dirty = True
        else:
            self._persist()

    def begin(self) -> None:
        self._batch_depth += 1

    def end(self) -> None:
        self._batch_depth -= 1
        if self._batch_depth == 0 and self._dirty:
            self._dirty = False
            self._persist()

    def _persist(self) -> None:
        if self._path is None:
            return
        write_atomically(self._path, json.dumps(self._data, separators=(",", ":")).encode())

    def close(self) -> None:
        self._persist()


class Store:
    """Tables of plain dicts, looked up by equality on fields; uploaded bytes in ``blobs``.

    TinyDB holds the data (its storage format, its document ids); lookups go through hash
    indexes built on first use of a field and kept up to date by every write, so finding a
    token or a shop's reviews does not scan the table. ``ordered`` keeps a sorted view of a
    group (a shop's reviews by time) until that table is written again.

    A state swapped in with ``replace(..., shared=True)`` is copied table by table on the
    first write to each (copy on write), so many fakes can start from one loaded seed.
    """

    def __init__(self, path: Path | None = None) -> None:
        self._storage = _AtomicMemoryStorage(path)
        self._db = self._open()
        self._indexes: dict[tuple[str, str], dict[Any, dict[str, None]]] = {}
        self._views: dict[tuple[tuple[str, ...], Hashable], Any] = {}
        self._shared: set[str] = set()
        self.blobs = BlobStore(None if path is None else path.with_name(f"{path.name}.blobs"))

    def _open(self) -> TinyDB:
        database = TinyDB(storage=lambda: self._storage)
        database.default_table_name = "meta"
        return database

    def _forget_indexes(self) -> None:
        self._indexes.clear()
        self._views.clear()

    @property
    def is_empty(self) -> bool:
        return not any(self.tables().values())

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group several writes into one persisted change."""
        self._storage.begin()
        try:
            yield
        finally:
            self._storage.end()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: when the block raises, every change it made is undone."""
        before = copy.deepcopy(self.tables())
        with self.batch():
            try:
                yield
            except BaseException:
                self.replace(before)
                raise

    def tables(self) -> dict[str, dict[str, Document]]:
        """Every table as stored (doc id -> document), for snapshots; read it, never change it."""
        return self._storage.read()

    def replace(self, tables: dict[str, dict[str, Document]], *, shared: bool = False) -> None:
        """Swap in a whole state (a snapshot) as one persisted change. With ``shared`` the
        tables stay the caller's, never written: each is copied when first written here."""
        self._storage.write(dict(tables) if shared else tables)
        self._shared = set(tables) if shared else set()
        self._db = self._open()
        self._forget_indexes()

    def _rows(self, table: str) -> dict[str, Document]:
        return self.tables().get(table, {})

    def _own(self, table: str) -> dict[str, Document]:
        """The table's rows, ready to be changed in place (copied first if shared)."""
        tables = self.tables()
        if table in self._shared:
            self._shared.discard(table)
            tables[table] = {doc_id: dict(document) for doc_id, document in tables[table].items()}
        return tables.setdefault(table, {})

    def _index(self, table: str, field: str) -> dict[Any, dict[str, None]]:
        key = (table, field)
        index = self._indexes.get(key)
        if index is None:
            index = {}
            for doc_id, document in self._rows(table).items():
                value = document.get(field)
                if isinstance(value, Hashable):
                    index.setdefault(value, {})[doc_id] = None
            self._indexes[key] = index
        return index

    def _index_add(self, table: str, doc_id: str, document: Document) -> None:
        for (indexed_table, field), index in self._indexes.items():
            value = document.get(field)
            if indexed_table == table and isinstance(value, Hashable):
                index.setdefault(value, {})[doc_id] = None

    def _index_remove(self, table: str, doc_id: str, document: Document) -> None:
        for (indexed_table, field), index in self._indexes.items():
            value = document.get(field)
            if indexed_table == table and isinstance(value, Hashable):
                bucket = index.get(value)
                if bucket is not None:
                    bucket.pop(doc_id, None)
                    if not bucket:
                        del index[value]

    def _matching(self, table: str, equals: Mapping[str, Any]) -> list[tuple[str, Document]]:
        """(doc id, stored document) of every match, in insertion order."""
        rows = self._rows(table)
        hashable = [field for field, value in equals.items() if isinstance(value, Hashable)]
        if not hashable:
            candidates: Iterable[str] = rows
            rest = list(equals.items())
        else:
            buckets = {
                field: self._index(table, field).get(equals[field], {}) for field in hashable
            }
            narrowest = min(buckets, key=lambda field: len(buckets[field]))
            candidates = buckets[narrowest]
            rest = [(field, value) for field, value in equals.items() if field != narrowest]
        found = []
        for doc_id in candidates:
            document = rows[doc_id]
            for field, value in rest:
                if field not in document or document[field] != value:
                    break
            else:
                found.append((doc_id, document))
        return found

    def _written(self, table: str) -> None:
        for key in [key for key in self._views if table in key[0]]:
            del self._views[key]
        self._storage.write(self.tables())

    def insert(self, table: str, document: Document) -> Document:
        return self.insert_many(table, [document])[0]

    def insert_many(self, table: str, documents: list[Document]) -> list[Document]:
        """Insert documents in one write. The ids come from TinyDB's table so its own
        bookkeeping stays right; appending to the stored table keeps loading a seed linear."""
        rows = self._own(table)
        next_document_id = cast(Callable[[], int], self._db.table(table)._get_next_id)
        for document in documents:
            doc_id = str(next_document_id())
            stored = dict(document)
            rows[doc_id] = stored
            self._index_add(table, doc_id, stored)
        self._written(table)
        return documents

    def scan(self, table: str, **equals: Any) -> list[Document]:
        """The stored documents themselves (no copies), for reading only: faster than
        ``find`` on large tables; never change what it returns."""
        return [document for _, document in self._matching(table, equals)]

    def ordered(
        self, table: str, field: str, value: Any, name: str, key: Callable[[Document], Any]
    ) -> list[Document]:
        """The stored documents with ``field == value`` sorted ascending by ``key`` (called
        ``name``), kept until the table is written again; read only."""
        view: list[Document] = self.derived(
            table,
            ("ordered", field, value, name),
            lambda: sorted(self.scan(table, **{field: value}), key=key),
        )
        return view

    def derived(
        self, tables: str | tuple[str, ...], name: Hashable, compute: Callable[[], Any]
    ) -> Any:
        """``compute()``, remembered under ``name`` until one of ``tables`` is written again
        (for pages and aggregates that would otherwise be rebuilt on every call); read only.
        At most MAX_VIEWS are kept, the oldest dropped first."""
        cache_key = ((tables,) if isinstance(tables, str) else tables, name)
        if cache_key in self._views:
            return self._views[cache_key]
        value = compute()
        self._views[cache_key] = value
        if len(self._views) > MAX_VIEWS:
            del self._views[next(iter(self._views))]
        return value

    def find(self, table: str, **equals: Any) -> list[Document]:
        return [dict(document) for document in self.scan(table, **equals)]

    def find_one(self, table: str, **equals: Any) -> Document | None:
        found = self._matching(table, equals)
        return dict(found[0][1]) if found else None

    def update(self, table: str, match: Mapping[str, Any], changes: Mapping[str, Any]) -> int:
        self._own(table)
        found = self._matching(table, match)
        for doc_id, document in found:
            self._index_remove(table, doc_id, document)
            document.update(changes)
            self._index_add(table, doc_id, document)
        if found:
            self._written(table)
        return len(found)

    def delete(self, table: str, **equals: Any) -> int:
        rows = self._own(table)
        found = self._matching(table, equals)
        for doc_id, document in found:
            self._index_remove(table, doc_id, document)
            del rows[doc_id]
        if found:
            self._written(table)
        return len(found)

    def count(self, table: str, **equals: Any) -> int:
        if not equals:
            return len(self._rows(table))
        return len(self._matching(table, equals))

    def next_id(self, sequence: str, start: int) -> int:
        """The next number of a persistent sequence, beginning at ``start``."""
        return self.next_ids(sequence, start, 1)[0]

    def next_ids(self, sequence: str, start: int, count: int) -> list[int]:
        """``count`` consecutive numbers of a persistent sequence, beginning at ``start``."""
        if count <= 0:
            return []
        counters = self._matching("meta", {"sequence": sequence})
        if not counters:
            self.insert("meta", {"sequence": sequence, "value": start + count - 1})
            return list(range(start, start + count))
        first = int(counters[0][1]["value"]) + 1
        self.update("meta", {"sequence": sequence}, {"value": first + count - 1})
        return list(range(first, first + count))

    def clear(self) -> None:
        with self.batch():
            self._db.drop_tables()
            self._shared.clear()
            self._forget_indexes()
        self.blobs.clear()

    def close(self) -> None:
        self._db.close()

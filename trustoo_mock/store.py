"""All state lives here: TinyDB over memory, optionally persisted to one JSON file.

The data is kept in memory and, with a file, written out whole after every change (or once
at the end of a ``batch``) through a temporary file and an atomic rename, so a crash
mid-write leaves the previous complete file in place.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB
from tinydb.storages import Storage

from trustoo_mock.blobs import BlobStore

Document = dict[str, Any]


class _AtomicMemoryStorage(Storage):
    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._data: dict[str, dict[str, Any]] | None = None
        self._batch_depth = 0
        self._dirty = False
        if path is not None and path.exists():
            with path.open(encoding="utf-8") as handle:
                self._data = json.load(handle)

    def read(self) -> dict[str, dict[str, Any]] | None:
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
        if self._path is None or self._data is None:
            return
        directory = self._path.parent
        directory.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{self._path.name}.", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self._data, handle, separators=(",", ":"))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self._path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def close(self) -> None:
        self._persist()


class Store:
    """Tables of plain dicts, looked up by equality on fields; uploaded bytes in ``blobs``."""

    def __init__(self, path: Path | None = None) -> None:
        self._storage = _AtomicMemoryStorage(path)
        self._db = self._open()
        self.blobs = BlobStore(None if path is None else path.with_name(f"{path.name}.blobs"))

    def _open(self) -> TinyDB:
        database = TinyDB(storage=lambda: self._storage)
        database.default_table_name = "meta"
        return database

    @property
    def is_empty(self) -> bool:
        return not any(len(self._db.table(name)) for name in self._db.tables())

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
        return self._storage.read() or {}

    def replace(self, tables: dict[str, dict[str, Document]]) -> None:
        """Swap in a whole state (a snapshot) as one persisted change."""
        self._storage.write(tables)
        self._db = self._open()

    def insert(self, table: str, document: Document) -> Document:
        # TinyDB's own insert rewrites the whole table each time, which makes loading a
        # seed quadratic; appending to the stored table keeps it linear. The id still comes
        # from TinyDB's table so its own bookkeeping stays right.
        tables = self.tables()
        target = self._db.table(table)
        tables.setdefault(table, {})[str(target._get_next_id())] = dict(document)
        target.clear_cache()
        self._storage.write(tables)
        return document

    def insert_many(self, table: str, documents: list[Document]) -> list[Document]:
        """Insert many documents in one write (seeding thousands one by one is quadratic)."""
        self._db.table(table).insert_multiple(documents)
        return documents

    def find(self, table: str, **equals: Any) -> list[Document]:
        target = self._db.table(table)
        if not equals:
            return [dict(doc) for doc in target.all()]
        return [dict(doc) for doc in target.search(Query().fragment(equals))]

    def find_one(self, table: str, **equals: Any) -> Document | None:
        found = self._db.table(table).get(Query().fragment(equals))
        if found is None or isinstance(found, list):
            return None
        return dict(found)

    def update(self, table: str, match: Mapping[str, Any], changes: Mapping[str, Any]) -> int:
        return len(self._db.table(table).update(dict(changes), Query().fragment(dict(match))))

    def delete(self, table: str, **equals: Any) -> int:
        return len(self._db.table(table).remove(Query().fragment(equals)))

    def count(self, table: str, **equals: Any) -> int:
        return self._db.table(table).count(Query().fragment(equals))

    def next_id(self, sequence: str, start: int) -> int:
        """The next number of a persistent sequence, beginning at ``start``."""
        counters = self._db.table("meta")
        row = counters.get(Query().sequence == sequence)
        if row is None or isinstance(row, list):
            counters.insert({"sequence": sequence, "value": start})
            return start
        value = int(row["value"]) + 1
        counters.update({"value": value}, Query().sequence == sequence)
        return value

    def next_ids(self, sequence: str, start: int, count: int) -> list[int]:
        """``count`` consecutive numbers of a sequence at once (see ``next_id``)."""
        if count <= 0:
            return []
        first = self.next_id(sequence, start)
        if count > 1:
            counters = self._db.table("meta")
            counters.update({"value": first + count - 1}, Query().sequence == sequence)
        return list(range(first, first + count))

    def clear(self) -> None:
        with self.batch():
            self._db.drop_tables()
        self.blobs.clear()

    def close(self) -> None:
        self._db.close()

"""All state lives here: TinyDB over memory, optionally persisted beside a data file.

With a data file the state is a snapshot (``<file>``, TinyDB's JSON format, so people and
TinyDB can read it and files of earlier versions still open) plus a change log
(``<file>.log``, JSON lines): each committed change (one write, or a whole ``batch``)
appends one line holding the new value of every document it touched, handed to the
operating system before the write returns, so a killed process loses nothing it answered.
A start loads the snapshot and replays the log. When the log passes ``compact_bytes`` a
thread writes a new snapshot of a copy-on-write view (atomically: a temporary file and a
rename) and drops the log lines it holds. Replaying a line sets documents to values (or
removes them), so replaying lines a snapshot already holds changes nothing: a crash between
the snapshot's rename and the log's truncation loses and doubles nothing (X79).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, cast

from tinydb import TinyDB
from tinydb.storages import Storage

from trustoo_mock.config import DATA_SYNC_MODES, DEFAULT_DATA_COMPACT_BYTES
from trustoo_mock.core.files import remove_stale_temporaries, write_atomically
from trustoo_mock.store.blobs import BlobStore

Document = dict[str, Any]
Tables = dict[str, dict[str, Document]]
# The documents one change set, by table and id; None: the document was removed.
Changes = dict[str, dict[str, Document | None]]
MAX_VIEWS = 1024
LOG_SUFFIX = ".log"
# Documents a background compaction serialises before it lets requests have the interpreter.
_DOCUMENTS_PER_PART = 256
_COMPACT = (",", ":")  # json separators without spaces, as TinyDB-compatible files had

logger = logging.getLogger("trustoo_mock")


class CorruptDataFile(ValueError):
    """A data file or change log that cannot be read: never start as if it were empty."""


def _refusal(path: Path, offset: int, reason: str) -> CorruptDataFile:
    return CorruptDataFile(
        f"{path} is damaged at byte {offset} ({reason}); not starting, so that its data is "
        "not silently replaced by empty data: restore the file or move it away"
    )


def _read_snapshot(path: Path) -> Tables:
    """The tables of a snapshot (TinyDB's JSON format); CorruptDataFile names the byte."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _refusal(path, error.start, "not UTF-8") from None
    try:
        tables = json.loads(text)
    except json.JSONDecodeError as error:
        raise _refusal(path, len(text[: error.pos].encode()), error.msg) from None
    if not _are_tables(tables):
        raise _refusal(path, 0, "not an object of tables of documents")
    return cast(Tables, tables)


def _are_tables(value: Any, removals: bool = False) -> bool:
    return isinstance(value, dict) and all(
        isinstance(rows, dict)
        and all(
            isinstance(document, dict) or (removals and document is None)
            for document in rows.values()
        )
        for rows in value.values()
    )


def _apply(tables: Tables, record: Any) -> None:
    """Apply one change log record (``{"clear"?: true, "tables": changes}``) to ``tables``."""
    if (
        not isinstance(record, dict)
        or not _are_tables(record.get("tables"), removals=True)
        or not set(record) <= {"clear", "tables"}
    ):
        raise ValueError("not a change record")
    if record.get("clear"):
        tables.clear()
    for table, changes in record["tables"].items():
        rows = tables.setdefault(table, {})
        for doc_id, document in changes.items():
            if document is None:
                rows.pop(doc_id, None)
            else:
                rows[doc_id] = document


def _snapshot_parts(tables: Tables) -> Iterator[bytes]:
    """The bytes of ``json.dumps(tables)`` (compact) in parts; between parts the thread
    sleeps for an instant, so the event loop never waits for a whole table."""
    yield b"{"
    for table_number, (table, rows) in enumerate(tables.items()):
        parts = [("," if table_number else "") + json.dumps(table) + ":{"]
        for number, (doc_id, document) in enumerate(rows.items()):
            comma = "," if number else ""
            parts.append(f"{comma}{json.dumps(doc_id)}:{json.dumps(document, separators=_COMPACT)}")
            if len(parts) >= _DOCUMENTS_PER_PART:
                yield "".join(parts).encode()
                parts = []
                time.sleep(0)
        parts.append("}")
        yield "".join(parts).encode()
    yield b"}"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class _DataFiles:
    """The snapshot and change log of one data file (see the module's docstring)."""

    def __init__(self, path: Path, sync: str, compact_bytes: int) -> None:
        if sync not in DATA_SYNC_MODES:
            raise ValueError(f"data_sync must be one of {', '.join(DATA_SYNC_MODES)}, not {sync!r}")
        self.path = path
        self.log_path = path.with_name(path.name + LOG_SUFFIX)
        self._sync = sync
        self._compact_bytes = compact_bytes
        self._retry_at = 0
        self._lock = threading.Lock()
        self._compaction: threading.Thread | None = None
        self._fd = -1
        self.log_bytes = 0
        names = f"{re.escape(path.name)}(?:{re.escape(LOG_SUFFIX)})?"
        remove_stale_temporaries(path.parent, names)

    def load(self) -> Tables:
        """The snapshot with the log replayed; a torn last log line is cut off (a warning)."""
        if self.path.exists():
            tables = _read_snapshot(self.path)
        else:
            tables = {}
            write_atomically(self.path, b"{}", sync=self._sync != "never")
        self.log_bytes = self._replay(tables) if self.log_path.exists() else 0
        self._fd = self._open_log()
        os.truncate(self._fd, self.log_bytes)
        return tables

    def _replay(self, tables: Tables) -> int:
        """Apply the log's complete lines; returns where they end."""
        data = self.log_path.read_bytes()
        offset = 0
        while offset < len(data):
            end = data.find(b"\n", offset)
            try:
                if end < 0:
                    raise ValueError("no line end")
                _apply(tables, json.loads(data[offset:end]))
            except ValueError as error:
                if end >= 0 and end + 1 < len(data):
                    raise _refusal(self.log_path, offset, str(error)) from None
                logger.warning(
                    "%s: ignoring a torn last change at byte %d (%d bytes, a write cut short "
                    "by a crash: it was never acknowledged)",
                    self.log_path,
                    offset,
                    len(data) - offset,
                )
                return offset
            offset = end + 1
        return offset

    def _open_log(self) -> int:
        return os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    @property
    def log_is_empty(self) -> bool:
        return self.log_bytes == 0 and not self.compacting

    @property
    def compacting(self) -> bool:
        return self._compaction is not None and self._compaction.is_alive()

    def append(self, record: Mapping[str, Any]) -> None:
        """One line at the log's end, handed to the operating system (and to the disk with
        ``always``) before this returns."""
        line = json.dumps(record, separators=_COMPACT).encode() + b"\n"
        with self._lock:
            try:
                _write_all(self._fd, line)
                if self._sync == "always":
                    os.fsync(self._fd)
            except BaseException:  # no half line for the next one to follow (X81)
                os.truncate(self._fd, self.log_bytes)
                raise
            self.log_bytes += len(line)

    def write_snapshot(self, tables: Tables) -> None:
        """The whole state as the snapshot, now; only while the log is empty."""
        data = json.dumps(tables, separators=_COMPACT).encode()
        write_atomically(self.path, data, sync=self._sync != "never")

    @property
    def compaction_due(self) -> bool:
        due = max(self._compact_bytes, self._retry_at)
        return self.log_bytes > 0 and self.log_bytes >= due and not self.compacting

    def start_compaction(self, view: Tables) -> None:
        """Write ``view`` (the state as of now, never written again) as the snapshot in a
        thread, then drop the log lines it holds."""
        self._compaction = threading.Thread(
            target=self._compact_in_background,
            args=(view, self.log_bytes),
            name=f"compact {self.path.name}",
            daemon=True,
        )
        self._compaction.start()

    def _compact_in_background(self, view: Tables, covered: int) -> None:
        try:
            self.compact(view, covered)
        except Exception as error:  # the log still holds every change: nothing is lost
            self._retry_at = self.log_bytes + self._compact_bytes
            logger.warning("compacting %s failed, the change log is kept: %s", self.path, error)

    def compact(self, view: Tables, covered: int) -> None:
        """The snapshot becomes ``view``, which holds the first ``covered`` bytes of the log;
        the log keeps only what came after."""
        write_atomically(self.path, _snapshot_parts(view), sync=self._sync != "never")
        with self._lock, self.log_path.open("rb") as log:
            log.seek(covered)
            rest = log.read()
            write_atomically(self.log_path, rest, sync=self._sync != "never")
            os.close(self._fd)
            self._fd = self._open_log()
            self.log_bytes = len(rest)
        self._retry_at = 0

    def wait(self) -> None:
        """Until a compaction in progress has finished."""
        if self._compaction is not None:
            self._compaction.join()
            self._compaction = None

    def close(self) -> None:
        self.wait()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if not self.log_bytes:  # the snapshot alone holds everything
            self.log_path.unlink(missing_ok=True)


class _MemoryStorage(Storage):
    def __init__(self, data: Tables) -> None:
        self._data = data

    def read(self) -> Tables:
        return self._data

    def write(self, data: Tables) -> None:
        self._data = data


# The values most lookups are by (ids, tokens): hashable without asking the ABC.
_PLAIN_KEYS = frozenset({str, int})


class _Batch(AbstractContextManager[None]):
    """``Store.batch()``: a plain object, not a generator, since every request opens one."""

    __slots__ = ("_store",)

    def __init__(self, store: Store) -> None:
        self._store = store

    def __enter__(self) -> None:
        self._store._open_batch()

    def __exit__(self, *exc_info: object) -> None:
        self._store._close_batch()


class Store:
    """Tables of plain dicts, looked up by equality on fields; uploaded bytes in ``blobs``.

    TinyDB holds the data (its storage format, its document ids); lookups go through hash
    indexes built on first use of a field and kept up to date by every write, so finding a
    token or a shop's reviews does not scan the table. ``ordered`` keeps a sorted view of a
    group (a shop's reviews by time) until that table is written again.

    A state swapped in with ``replace(..., shared=True)`` is copied table by table on the
    first write to each (copy on write), so many fakes can start from one loaded seed; a
    background compaction shares the tables it writes out the same way.

    With ``path`` the state is persisted as the module's docstring says: ``sync`` is one of
    DATA_SYNC_MODES, ``compact_bytes`` the change log's size that starts a compaction.
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        sync: str = "flush",
        compact_bytes: int = DEFAULT_DATA_COMPACT_BYTES,
    ) -> None:
        self._files = None if path is None else _DataFiles(path, sync, compact_bytes)
        self._storage = _MemoryStorage({} if self._files is None else self._files.load())
        self._db = self._open()
        self._indexes: dict[tuple[str, str], dict[Any, dict[str, None]]] = {}
        self._views: dict[tuple[tuple[str, ...], Hashable], Any] = {}
        self._shared: set[str] = set()
        # How many times the state was handed out shared (a snapshot, a compaction, a shared
        # replace): a transaction un-shares its own tables only if nobody else took them.
        self._handed_out = 0
        self._batch_depth = 0
        self._batch = _Batch(self)
        self._changes: Changes = {}
        self._whole_state_changed = False
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

    def batch(self) -> AbstractContextManager[None]:
        """Group several writes into one persisted change (one change log line). Batches
        nest; the change is written when the outermost one ends."""
        return self._batch

    def _open_batch(self) -> None:
        self._batch_depth += 1

    def _close_batch(self) -> None:
        self._batch_depth -= 1
        self._commit_unless_batched()

    def _changed(self, table: str, doc_id: str, document: Document | None) -> None:
        """Note a document's new value (None: removed) for the next change log line."""
        if self._files is not None and not self._whole_state_changed:
            self._changes.setdefault(table, {})[doc_id] = document

    def _commit_unless_batched(self) -> None:
        """Persist the changes made since the last commit, unless a batch is still open."""
        files = self._files
        if files is None or self._batch_depth:
            return
        changes, self._changes = self._changes, {}
        whole_state_changed, self._whole_state_changed = self._whole_state_changed, False
        try:
            if files.log_is_empty and (whole_state_changed or self._most_documents(changes)):
                files.write_snapshot(self.tables())
            elif whole_state_changed:  # the log's earlier lines must not undo the new state
                files.append({"clear": True, "tables": self.tables()})
            elif changes:
                files.append({"tables": changes})
        except BaseException:  # kept for the next commit: the state in memory has them
            self._changes, self._whole_state_changed = changes, whole_state_changed
            raise
        if files.compaction_due:
            files.start_compaction(self.share())

    def _most_documents(self, changes: Changes) -> bool:
        """Whether ``changes`` touch more than half of the documents: a snapshot then costs
        little more than their line (loading a seed of 100,000 reviews is one snapshot, not a
        line as large followed by a compaction)."""
        changed = sum(map(len, changes.values()))
        return changed * 2 > sum(map(len, self.tables().values()))

    def compact(self) -> None:
        """Write the whole state as the snapshot and empty the change log, now."""
        if self._files is not None:
            self._files.wait()
            self._files.compact(self.tables(), self._files.log_bytes)

    def wait_for_compaction(self) -> None:
        """Until a compaction running in the background has finished."""
        if self._files is not None:
            self._files.wait()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: when the block raises, every change it made is undone. The state
        before is kept shared, copy on write, as a snapshot is (X93): a table is copied only
        when the block first writes it, not the whole store up front."""
        owned = set(self.tables()) - self._shared
        before = self.share()
        handed_out = self._handed_out
        with self.batch():
            try:
                yield
            except BaseException:
                self.replace(before, shared=True)
                raise
        if self._handed_out == handed_out:
            # ``before`` is gone and nothing else took a share: the tables only it shared need
            # no copy at their next write (a large seed's first write would pay one).
            self._shared -= owned

    def tables(self) -> dict[str, dict[str, Document]]:
        """Every table as stored (doc id -> document), for snapshots; read it, never change it."""
        return self._storage.read()

    def share(self) -> Tables:
        """The whole state as it is now, never to change: the store copies each table before
        it next writes it (copy on write), so a snapshot costs no copy (X93)."""
        view = dict(self.tables())
        self._shared.update(view)
        self._handed_out += 1
        return view

    def replace(self, tables: dict[str, dict[str, Document]], *, shared: bool = False) -> None:
        """Swap in a whole state (a snapshot) as one persisted change. With ``shared`` the
        tables stay the caller's, never written: each is copied when first written here."""
        self._storage.write(dict(tables) if shared else tables)
        self._shared = set(tables) if shared else set()
        self._handed_out += shared
        self._db = self._open()
        self._forget_indexes()
        self._whole_state_changed = True
        self._commit_unless_batched()

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
        if len(equals) == 1:
            # One field, the common lookup (a token, an id): its index bucket is the answer.
            ((field, value),) = equals.items()
            if type(value) in _PLAIN_KEYS or isinstance(value, Hashable):
                return [
                    (doc_id, rows[doc_id]) for doc_id in self._index(table, field).get(value, ())
                ]
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
        self._commit_unless_batched()

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
            self._changed(table, doc_id, stored)
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
            self._changed(table, doc_id, document)
        if found:
            self._written(table)
        return len(found)

    def delete(self, table: str, **equals: Any) -> int:
        rows = self._own(table)
        found = self._matching(table, equals)
        for doc_id, document in found:
            self._index_remove(table, doc_id, document)
            del rows[doc_id]
            self._changed(table, doc_id, None)
        if found:
            self._written(table)
        return len(found)

    def count(self, table: str, **equals: Any) -> int:
        if not equals:
            return len(self._rows(table))
        return len(self._matching(table, equals))

    def instance_record(self, key: Mapping[str, Any]) -> Document | None:
        """A copy of the fake's own record ``key`` (kept in ``meta``, beside the sequences)."""
        return self.find_one("meta", **key)

    def save_instance_record(self, key: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
        """Set ``fields`` of the fake's own record ``key``, creating it when missing."""
        if not self.update("meta", key, fields):
            self.insert("meta", {**key, **fields})

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

    def skip_past(self, sequence: str, start: int, taken: int) -> None:
        """Make the sequence's next number greater than ``taken`` (a number given from
        outside, as a seed file's ids are), so it is never issued again."""
        counters = self._matching("meta", {"sequence": sequence})
        if not counters:
            self.insert("meta", {"sequence": sequence, "value": max(start - 1, taken)})
        elif int(counters[0][1]["value"]) < taken:
            self.update("meta", {"sequence": sequence}, {"value": taken})

    def clear(self) -> None:
        with self.batch():
            self._db.drop_tables()
            self._shared.clear()
            self._forget_indexes()
            self._whole_state_changed = True
        self.blobs.clear()

    def close(self) -> None:
        """Stop; with a data file, the snapshot alone then holds the whole state."""
        self._db.close()
        if self._files is not None:
            if self._files.log_bytes or self._files.compacting:
                self.compact()
            self._files.close()

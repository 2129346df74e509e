"""Snapshots (X93, X94): the whole state of one fake under a name, to go back to.

A snapshot holds the store's tables (shared copy on write with the store, so saving copies
nothing and the snapshot never changes), the bytes of uploaded objects, the clock's reading
and mode, where the random source stands and the request journal. At most ``limit`` are kept
in memory; with a data file each is also a file in ``<data file>.snapshots/``, read back when
the fake starts again.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustoo_mock.core.files import remove_stale_temporaries, write_atomically
from trustoo_mock.store.database import Tables

NAME_TEXT = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
_NAME = re.compile(rf"^{NAME_TEXT}$")
SUFFIX = ".json"
FORMAT = 1


class SnapshotsFull(Exception):
    """Saving one more snapshot would pass the limit."""


def is_name(name: str) -> bool:
    """Letters, digits, ``.``, ``_`` and ``-``, at most 64, not starting with a sign: safe as
    a file name everywhere."""
    return bool(_NAME.match(name))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """``random`` is what the random source needs to go on where it stood (seed, generation,
    secure, the instance secret in hex, both streams' states, the draw count)."""

    name: str
    saved_at: float
    tables: Tables
    blobs: dict[str, bytes]
    clock_frozen: bool
    random: dict[str, Any]
    journal: list[dict[str, Any]]

    def encoded(self) -> bytes:
        document = {
            "format": FORMAT,
            "saved_at": self.saved_at,
            "clock_frozen": self.clock_frozen,
            "random": self.random,
            "journal": self.journal,
            "blobs": {name: base64.b64encode(data).decode() for name, data in self.blobs.items()},
            "tables": self.tables,
        }
        return json.dumps(document, separators=(",", ":")).encode()

    @classmethod
    def decoded(cls, name: str, raw: bytes) -> Snapshot:
        document = json.loads(raw)
        if document.get("format") != FORMAT:
            raise ValueError(f"format {document.get('format')!r}, not {FORMAT}")
        return cls(
            name=name,
            saved_at=float(document["saved_at"]),
            tables=document["tables"],
            blobs={key: base64.b64decode(text) for key, text in document["blobs"].items()},
            clock_frozen=bool(document["clock_frozen"]),
            random=document["random"],
            journal=list(document["journal"]),
        )


class Snapshots:
    """The snapshots of one fake, in the order they were first saved."""

    def __init__(self, limit: int, directory: Path | None = None) -> None:
        self.limit = limit
        self.directory = directory
        self._kept: dict[str, Snapshot] = {}
        if directory is not None:
            self._read(directory)

    def _read(self, directory: Path) -> None:
        """Those a earlier run saved; a file that does not read as one stops the start, as a
        damaged data file does (X81)."""
        remove_stale_temporaries(directory, rf"{NAME_TEXT}{re.escape(SUFFIX)}")
        if not directory.is_dir():
            return
        files = sorted(directory.glob(f"*{SUFFIX}"), key=lambda path: path.stat().st_mtime_ns)
        for path in files:
            name = path.name.removesuffix(SUFFIX)
            if not is_name(name):
                continue
            try:
                self._kept[name] = Snapshot.decoded(name, path.read_bytes())
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise ValueError(f"{path} is not a snapshot this version reads ({error})") from None

    def listed(self) -> list[Snapshot]:
        return list(self._kept.values())

    def get(self, name: str) -> Snapshot | None:
        return self._kept.get(name)

    def keep(self, snapshot: Snapshot) -> None:
        """Keep ``snapshot`` in memory, replacing one of the same name; SnapshotsFull when
        that would make more than ``limit``."""
        if snapshot.name not in self._kept and len(self._kept) >= self.limit:
            raise SnapshotsFull
        self._kept.pop(snapshot.name, None)
        self._kept[snapshot.name] = snapshot

    def write(self, snapshot: Snapshot, *, sync: bool) -> None:
        """Its file beside the data file (slow for a large state: call it off the loop)."""
        if self.directory is not None:
            write_atomically(
                self.directory / f"{snapshot.name}{SUFFIX}", snapshot.encoded(), sync=sync
            )

    def clear(self) -> None:
        for name in list(self._kept):
            self.delete(name)

    def delete(self, name: str) -> bool:
        if self._kept.pop(name, None) is None:
            return False
        if self.directory is not None:
            (self.directory / f"{name}{SUFFIX}").unlink(missing_ok=True)
        return True

"""The bytes of uploaded objects, kept beside the store: in memory, or as files by the data file.

Blobs are named by the SHA-256 of their content; the store's ``objects`` table holds what
refers to them (key, shop, content type), so the JSON state file never carries file bytes.
With a data file, each blob is one file in ``<data file>.blobs/``, written through a temporary
file and an atomic rename; the directory is only made when the first blob arrives.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from trustoo_mock.core.files import remove_stale_temporaries, write_atomically

_DIGEST_TEXT = "[0-9a-f]{64}"
_DIGEST = re.compile(rf"^{_DIGEST_TEXT}$")


def read_under(directory: Path, key: str) -> bytes | None:
    """The file ``directory/key`` (a media directory a copy of a shop fills, X109), or None
    when it is missing or would lie outside ``directory`` (``..``, a link leading out)."""
    root = directory.resolve()
    path = (root / key).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


class BlobStore:
    def __init__(self, directory: Path | None = None) -> None:
        self._directory = directory
        self._memory: dict[str, bytes] = {}
        if directory is not None:
            remove_stale_temporaries(directory, _DIGEST_TEXT)

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def put(self, data: bytes) -> str:
        """Keep ``data``; returns its name (the hex SHA-256)."""
        digest = self.digest(data)
        if self._directory is None:
            self._memory[digest] = data
            return digest
        target = self._directory / digest
        if target.exists():
            return digest
        write_atomically(target, data)
        return digest

    def get(self, digest: str) -> bytes | None:
        if not _DIGEST.match(digest):
            return None
        if self._directory is None:
            return self._memory.get(digest)
        try:
            return (self._directory / digest).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, digest: str) -> None:
        if not _DIGEST.match(digest):
            return
        if self._directory is None:
            self._memory.pop(digest, None)
        else:
            (self._directory / digest).unlink(missing_ok=True)

    def contents(self) -> dict[str, bytes]:
        """Every blob by name (for a snapshot)."""
        if self._directory is None:
            return dict(self._memory)
        if not self._directory.is_dir():
            return {}
        return {
            path.name: path.read_bytes()
            for path in sorted(self._directory.iterdir())
            if _DIGEST.match(path.name)
        }

    def replace(self, contents: dict[str, bytes]) -> None:
        """Exactly these blobs from now on (a snapshot's)."""
        self.clear()
        for data in contents.values():
            self.put(data)

    def clear(self) -> None:
        self._memory.clear()
        if self._directory is not None and self._directory.is_dir():
            for path in self._directory.iterdir():
                if _DIGEST.match(path.name):
                    path.unlink(missing_ok=True)

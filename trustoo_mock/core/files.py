"""Writing a file so that a crash mid-write leaves the previous complete file, or none."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

# A temporary file is ``.<name>.<8 random characters>.tmp`` beside the file it will become;
# the random part is what tempfile puts between a prefix and a suffix.
TEMPORARY_SUFFIX = ".tmp"
_RANDOM_PART = "[a-z0-9_]{8}"


def write_atomically(path: Path, data: bytes | Iterable[bytes], *, sync: bool = True) -> None:
    """Write ``data`` (bytes, or its parts one after another) to a temporary file beside
    ``path``, flush it to disk (to the operating system only, without ``sync``), then rename
    it over ``path``; on any failure the temporary file is removed and the error raised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX, dir=path.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            for part in [data] if isinstance(data, bytes) else data:
                handle.write(part)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_stale_temporaries(directory: Path, names: str) -> int:
    """Delete the temporary files ``write_atomically`` left in ``directory`` for files whose
    names match the regular expression ``names``: a process killed mid-write (SIGKILL) never
    removed its own. Only for files one process owns, before it writes them; returns how
    many were removed."""
    pattern = re.compile(rf"\.(?:{names})\.{_RANDOM_PART}{re.escape(TEMPORARY_SUFFIX)}")
    removed = 0
    try:
        candidates = list(directory.iterdir())
    except FileNotFoundError:
        return 0
    for candidate in candidates:
        if pattern.fullmatch(candidate.name) and candidate.is_file():
            candidate.unlink(missing_ok=True)
            removed += 1
    return removed

"""Handles used in a ``with`` block that ends by closing, removing or restoring something."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class WithBlock:
    """A ``with`` block over the handle ends by calling its ``_end_of_block``, however the
    block ends (a raised exception goes on after it)."""

    __slots__ = ()

    def _end_of_block(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._end_of_block()

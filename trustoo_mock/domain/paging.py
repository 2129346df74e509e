"""Page slicing shared by every list operation (D7)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    page: int
    page_size: int
    count: int

    @property
    def total_page(self) -> int:
        return -(-self.count // self.page_size)

    def meta(self) -> dict[str, int]:
        return {
            "page": self.page,
            "page_size": self.page_size,
            "total_page": self.total_page,
            "count": self.count,
        }


def paginate(items: list[dict[str, Any]], query: dict[str, Any], *, reverse: bool = False) -> Page:
    """One page of ``items`` (read from the end when ``reverse``), copying only that page."""
    page = int(query.get("page", 1))
    page_size = int(query.get("page_size", DEFAULT_PAGE_SIZE))
    start = (page - 1) * page_size
    if not reverse:
        return Page(items[start : start + page_size], page, page_size, len(items))
    end = len(items) - start
    chunk = items[max(0, end - page_size) : end][::-1] if end > 0 else []
    return Page(chunk, page, page_size, len(items))

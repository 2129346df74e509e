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


def paginate(items: list[dict[str, Any]], query: dict[str, Any]) -> Page:
    page = int(query.get("page", 1))
    page_size = int(query.get("page_size", DEFAULT_PAGE_SIZE))
    start = (page - 1) * page_size
    return Page(items[start : start + page_size], page, page_size, len(items))

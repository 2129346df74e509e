"""Page slicing shared by every list operation (D7)."""

from __future__ import annotations

from collections.abc import Callable
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


def presented_page(
    ordered: list[dict[str, Any]],
    query: dict[str, Any],
    present: Callable[[dict[str, Any]], dict[str, Any]],
    descending: bool,
) -> Page:
    """One page of ``ordered`` (oldest first, as ``by_creation`` sorts them), read from the
    newest when ``descending``; only that page's items are shaped by ``present``."""
    page = paginate(ordered, query, reverse=descending)
    return Page([present(item) for item in page.items], page.page, page.page_size, page.count)


def by_creation(id_field: str) -> Callable[[dict[str, Any]], tuple[int, int]]:
    """The order of a list: ``created_at``, ties broken by the number in ``id_field``."""

    def key(item: dict[str, Any]) -> tuple[int, int]:
        return item["created_at"], int(item[id_field])

    return key


def newest_first(query: dict[str, Any]) -> bool:
    """The ``sort_by`` of the order and event lists: newest first unless asked otherwise."""
    return bool(query.get("sort_by", "created-descending") == "created-descending")

"""Page slicing as the ascending lists (orders, customer events, exclusions) use it."""

from __future__ import annotations

from trustoo_mock.domain.paging import paginate


def test_a_page_reads_from_the_start_unless_told_to_read_from_the_end() -> None:
    items = [{"n": n} for n in range(1, 6)]
    first = paginate(items, {"page": 1, "page_size": 2})
    assert first.items == [{"n": 1}, {"n": 2}]
    assert first.meta() == {"page": 1, "page_size": 2, "total_page": 3, "count": 5}
    assert paginate(items, {"page": 3, "page_size": 2}).items == [{"n": 5}]
    assert paginate(items, {"page": 1, "page_size": 2}, reverse=True).items == [{"n": 5}, {"n": 4}]

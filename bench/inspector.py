"""How long each inspector page takes to render (issue 15: under 100 ms with 100,000 reviews).

In process (``create_app`` through httpx's ASGI transport), like the in-process figures of
``bench/run.py``: a shop of ``--reviews`` reviews (the ``make bench`` seed), a full request
journal (``journal_size`` signed ``get_reviews`` calls, each answer kept to its first 16 KiB),
a subscription and a few hundred failed deliveries. Each page is fetched once cold and then
``REPEATS`` times; the median and the slowest of those are printed against the target.
``python -m bench.inspector [--reviews N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.run import PRIVATE, PUBLIC, REVIEWS_QUERY, seed_file
from trustoo_mock.config import Config
from trustoo_mock.core.signing import parse_query, signed_headers
from trustoo_mock.server.app import create_app

REPEATS = 30
DELIVERIES = 300
TARGET_MS = 100.0
API_FILTERS = "ratings=4,5&keyword=Title+4&page_size=20"
SHOP_ID = "70000000001"
PAGES = {
    "home": "/_mock/ui",
    "requests (journal full)": "/_mock/ui/requests",
    "requests, filtered": "/_mock/ui/requests?status=ok&operation=get_reviews",
    "webhooks": "/_mock/ui/webhooks",
    "reviews, first page": "/_mock/ui/reviews",
    "reviews, page 2000 (20 a page)": "/_mock/ui/reviews?page=2000&page_size=20",
    "reviews, 4-5 stars + keyword": "/_mock/ui/reviews?ratings=4,5&keyword=Title+4",
    "faults": "/_mock/ui/faults",
    "snapshots": "/_mock/ui/snapshots",
}


async def _signed(client: httpx.AsyncClient, app: Any, method: str, path: str, body: bytes) -> None:
    query = parse_query(path.partition("?")[2])
    now = app.state.fake.ctx.clock.now_int()
    headers = signed_headers(PUBLIC, PRIVATE, now, query, body)
    if body:
        headers["Content-Type"] = "application/json"
    answer = await client.request(method, f"/api/v1/openapi/{path}", headers=headers, content=body)
    assert answer.content.startswith(b'{"code":0,'), answer.text[:300]


async def _fill(client: httpx.AsyncClient, app: Any) -> None:
    """A full journal and a delivery log of failed pushes (nothing listens on port 9)."""
    hook = b'{"topic":"review/created","url":"http://127.0.0.1:9/hook"}'
    await _signed(client, app, "POST", "create_shop_webhook", hook)
    for index in range(DELIVERIES):
        review = f'{{"rating":5,"author":"Bench {index}","content":"Fine."}}'.encode()
        await _signed(client, app, "POST", "create_review", review)
    await client.post("/_mock/wait_idle")
    for _ in range(app.state.fake.config.journal_size):
        await _signed(client, app, "GET", f"get_reviews?{REVIEWS_QUERY}", b"")


async def _timings(app: Any) -> dict[str, tuple[float, list[float]]]:
    transport = httpx.ASGITransport(app=app)
    found: dict[str, tuple[float, list[float]]] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://fake") as client:
        await _fill(client, app)
        for name, path in PAGES.items():
            samples = []
            for _ in range(REPEATS + 1):
                started = time.perf_counter()
                answer = await client.get(path)
                samples.append(time.perf_counter() - started)
                assert answer.status_code == 200, (path, answer.text[:300])
            found[name] = (samples[0], samples[1:])
        # The API's own first answer to the same filters, for comparison: the filtering is
        # list_reviews', shared by both.
        await _signed(client, app, "POST", "create_review", b'{"rating":5,"author":"Bench"}')
        started = time.perf_counter()
        await _signed(client, app, "GET", f"get_reviews?{API_FILTERS}", b"")
        api = time.perf_counter() - started
        found["get_reviews API, 4-5 stars + keyword"] = (api, [api])
    return found


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, default=100_000)
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        seed = seed_file(arguments.reviews, Path(scratch))
        app = create_app(Config(seed_file=seed))
        found = asyncio.run(_timings(app))
        app.state.fake.close()
    print(f"inspector pages, {arguments.reviews:,} reviews, {REPEATS} renders each after the first")
    print(f"{'page':32} {'first':>10} {'median':>10} {'slowest':>10}  target < {TARGET_MS:g} ms")
    slowest_median = 0.0
    for name, (first, samples) in found.items():
        ordered = sorted(samples)
        median = ordered[len(ordered) // 2]
        if name in PAGES:
            slowest_median = max(slowest_median, median)
        print(f"{name:32} {_ms(first):>10} {_ms(median):>10} {_ms(ordered[-1]):>10}")
    verdict = "met" if slowest_median * 1000 < TARGET_MS else "MISSED"
    print(f"slowest median {_ms(slowest_median)}: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

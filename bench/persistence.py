"""What ``--data`` costs with a 100,000-review shop (issue 16): ``create_review`` with a data
file against in memory, reopening the data file, and ``get_reviews`` while a compaction runs.

In process (``create_app`` through httpx's ASGI transport, each call signed fresh), like the
in-process figures of ``bench/run.py``. ``python -m bench.persistence [--reviews N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from bench.run import CREATE_BODY, PRIVATE, PUBLIC, REVIEWS_QUERY, seed_file
from trustoo_mock.config import Config
from trustoo_mock.core.signing import parse_query, signed_headers
from trustoo_mock.server.app import create_app

CALLS = 300
READS = 300


async def _timed_calls(
    app: Any, calls: int, write: bool, while_compacting: bool = False
) -> list[float]:
    transport = httpx.ASGITransport(app=app)
    fake = app.state.fake
    path = "create_review" if write else f"get_reviews?{REVIEWS_QUERY}"
    body = CREATE_BODY if write else b""
    samples = []
    async with httpx.AsyncClient(transport=transport, base_url="http://fake") as client:
        for _ in range(calls):
            if while_compacting and not fake.ctx.store._files.compacting:
                break
            query = parse_query(path.partition("?")[2])
            headers = signed_headers(PUBLIC, PRIVATE, fake.ctx.clock.now_int(), query, body)
            started = time.perf_counter()
            answer = await client.request(
                "POST" if write else "GET", f"/api/v1/openapi/{path}", headers=headers, content=body
            )
            samples.append(time.perf_counter() - started)
            assert answer.content.startswith(b'{"code":0,'), answer.text
    return samples


def _ms(samples: list[float], quantile: float = 0.5) -> float:
    """The quantile in milliseconds (NaN without samples: a compaction over before a read)."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(quantile * len(ordered)))] * 1000, 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, default=100_000)
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        seed = seed_file(arguments.reviews, work)
        memory = create_app(Config(seed_file=seed))
        in_memory = asyncio.run(_timed_calls(memory, CALLS, write=True))
        started = time.perf_counter()
        create_app(Config(seed_file=seed))  # the seed file's check is cached by now
        memory_start = time.perf_counter() - started

        data = Config(seed_file=seed, data_file=work / "state.json")
        started = time.perf_counter()
        create_app(data).state.fake.close()
        first_start = time.perf_counter() - started
        started = time.perf_counter()
        app = create_app(data)
        reopen = time.perf_counter() - started
        with_data = asyncio.run(_timed_calls(app, CALLS, write=True))
        app.state.fake.close()
        snapshot_mib = (work / "state.json").stat().st_size / 2**20

        with_log = replace(data, data_compact_bytes=1)  # every write starts a compaction
        app = create_app(with_log)
        store = app.state.fake.ctx.store
        idle_reads = asyncio.run(_timed_calls(app, READS, write=False))
        asyncio.run(_timed_calls(app, 1, write=True))
        compaction_started = time.perf_counter()
        compacting_reads = asyncio.run(_timed_calls(app, READS, write=False, while_compacting=True))
        store.wait_for_compaction()
        compaction = time.perf_counter() - compaction_started
        app.state.fake.close()

    print(f"reviews in the shop                    {arguments.reviews:,}")
    print(f"snapshot size                          {snapshot_mib:.1f} MiB")
    print(f"create_review median, in memory        {_ms(in_memory)} ms")
    print(
        f"create_review median, --data           {_ms(with_data)} ms (p99 {_ms(with_data, 0.99)})"
    )
    print(f"start in memory (seeding)              {memory_start:.2f} s")
    print(f"first start with --data (seed + write) {first_start:.2f} s")
    print(f"reopen with --data                     {reopen:.2f} s")
    print(f"one compaction, under read load        {compaction:.2f} s")
    print(f"get_reviews p50/p99 idle               {_ms(idle_reads)} / {_ms(idle_reads, 0.99)} ms")
    print(
        f"get_reviews p50/p99 while compacting   {_ms(compacting_reads)} / "
        f"{_ms(compacting_reads, 0.99)} ms ({len(compacting_reads)} reads)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

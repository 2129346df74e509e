"""make bench: trustoo-mock measured against a bare Starlette route on the same server stack.

Every live figure is taken in the same run for the fake and for the floor (bench/floor.py on
hypercorn), and reported both absolute and as a ratio to the floor: the median of a few
rounds, each measuring the floor and every case in turn (the machine's speed drifts; a ratio
of two measurements taken minutes apart would carry the drift). Load comes from wrk in a
second process, on 127.0.0.1 only, for a fixed time per measurement. ``--quick`` shrinks every
count so that `make test` can check that the harness runs.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from trustoo_mock import Config, create_app
from trustoo_mock.core.principal import KNOWN_SCOPES, Principal
from trustoo_mock.core.signing import parse_query, signed_headers
from trustoo_mock.domain import events, faults, webhooks
from trustoo_mock.services.fake import Fake

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SHOP_ID = "70000000001"
PUBLIC = "ZGVtby1wdWJsaWMtMDAwMQ=="
PRIVATE = "ZGVtby1wcml2YXRlLTAwMQ=="
ACCESS = "ZGVtby1hY2Nlc3MtMDAwMQ=="
REVIEWS_QUERY = "page=1&page_size=20"
CREATE_BODY = b'{"product_id":"8000000000001","rating":5,"author":"Bench","content":"Fast."}'


@dataclass(frozen=True)
class Budget:
    seconds: int = 3
    # Each live figure is the median of this many rounds, each measuring the floor and every
    # case one after the other, so a slower spell of the machine lands on both sides of a
    # ratio instead of on one.
    rounds: int = 3
    connections: tuple[int, ...] = (1, 16)
    shop_reviews: int = 10_000
    inprocess_calls: int = 2_000
    growth_sizes: tuple[int, ...] = (1_000, 10_000, 100_000)
    growth_calls: int = 200
    repeats: int = 5
    deliveries: int = 500
    rss_reviews: int = 100_000
    rss_requests: int = 100_000
    fault_checks: int = 1_000_000


QUICK = Budget(
    seconds=1,
    rounds=1,
    connections=(4,),
    shop_reviews=200,
    inprocess_calls=50,
    growth_sizes=(100, 1_000),
    growth_calls=20,
    repeats=2,
    deliveries=20,
    rss_reviews=1_000,
    rss_requests=500,
    fault_checks=10_000,
)


@dataclass
class Report:
    machine: dict[str, Any] = field(default_factory=dict)
    live: list[dict[str, Any]] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)


# -- data -------------------------------------------------------------------------------------


def seed_document(review_count: int) -> dict[str, Any]:
    """The demo shop, platform and token, with ``review_count`` reviews over 20 products."""
    demo = json.loads((ROOT / "fixtures" / "demo.json").read_text())
    shop = demo["shops"][0]
    products = shop["products"]
    base = 1_750_000_000
    shop["reviews"] = [
        {
            "product_id": products[index % len(products)]["product_id"],
            "rating": 1 + index % 5,
            "author": f"Author {index}",
            "title": f"Title {index % 97}",
            "content": "Benchmark review body.",
            "source": "Shop",
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + index * 60)),
        }
        for index in range(review_count)
    ]
    return {k: demo[k] for k in ("shops", "platforms", "authorizations")}


def seed_file(review_count: int, directory: Path) -> Path:
    path = directory / f"seed-{review_count}.json"
    if not path.exists():
        path.write_text(json.dumps(seed_document(review_count)))
    return path


# -- processes --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.args}")
        # urllib, not httpx: httpx builds a TLS context for every call (40 ms), which would
        # land in the cold-start figure.
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except (OSError, http.client.HTTPException):
            time.sleep(0.005)
    raise RuntimeError(f"server not ready: {process.args}")


@contextmanager
def server(command: list[str], port: int, ready_path: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_ready(f"http://127.0.0.1:{port}{ready_path}", process)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def fake_server(port: int, seed: Path) -> list[str]:
    # Refusals mirrored in the status, so wrk's non-2xx count catches them (X45).
    serve = [str(BIN / "trustoo-mock"), "serve", "--port", str(port), "--seed-file", str(seed)]
    return [*serve, "--error-http-status", "mirror"]


def floor_server(port: int) -> list[str]:
    return [str(BIN / "hypercorn"), "--bind", f"127.0.0.1:{port}", "bench.floor:app"]


def rss_kib(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
    return {name: int(value) for name, value in values.items()}


# -- load -------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(
    url: str, connections: int, seconds: int, headers: dict[str, str], body: bytes = b""
) -> dict[str, float]:
    """Throughput and latency percentiles from wrk (one thread: the other core serves)."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if body:
            script.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body.decode())}\n')
        else:
            script.write("")
    command += ["-s", script.name]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    latency = {
        percentile: float(value) * _UNITS[unit]
        for percentile, value, unit in re.findall(
            r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)$", output, re.M
        )
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rate,
        "p50_ms": latency.get("50", 0.0),
        "p99_ms": latency.get("99", 0.0),
        "non_2xx": float(errors.group(1)) if errors else 0.0,
    }


def server_now(base: str) -> int:
    return int(httpx.get(f"{base}/_mock/clock").json()["now"])


def live_throughput(budget: Budget, work: Path, report: Report) -> None:
    seed = seed_file(budget.shop_reviews, work)
    fake_port, floor_port = free_port(), free_port()
    with (
        server(fake_server(fake_port, seed), fake_port, "/_mock/health"),
        server(floor_server(floor_port), floor_port, "/api/v1/openapi/get_reviews"),
    ):
        fake = f"http://127.0.0.1:{fake_port}"
        floor_url = f"http://127.0.0.1:{floor_port}/api/v1/openapi/get_reviews"
        for connections in budget.connections:
            now = server_now(fake)
            reviews_headers = signed_headers(PUBLIC, PRIVATE, now, parse_query(REVIEWS_QUERY))
            create_headers = signed_headers(PUBLIC, PRIVATE, now, (), CREATE_BODY)
            create_headers["Content-Type"] = "application/json"
            cases: list[tuple[str, str, dict[str, str], bytes]] = [
                (
                    f"signed get_reviews (20 of {budget.shop_reviews})",
                    f"{fake}/api/v1/openapi/get_reviews?{REVIEWS_QUERY}",
                    reviews_headers,
                    b"",
                ),
                (
                    "signed create_review",
                    f"{fake}/api/v1/openapi/create_review",
                    create_headers,
                    CREATE_BODY,
                ),
                (
                    "bearer get_rating",
                    f"{fake}/api/v1/openapi/get_rating?is_all_rating=1",
                    {"Authorization": f"Bearer {ACCESS}"},
                    b"",
                ),
            ]
            rounds: list[dict[str, dict[str, float]]] = []
            for _ in range(budget.rounds):
                measured = {
                    "floor GET": wrk(floor_url, connections, budget.seconds, {}),
                    "floor POST": wrk(floor_url, connections, budget.seconds, {}, CREATE_BODY),
                }
                for name, url, headers, body in cases:
                    measured[name] = wrk(url, connections, budget.seconds, headers, body)
                rounds.append(measured)
            for name, _, _, body in cases:
                floor_name = "floor POST" if body else "floor GET"
                report.live.append(_live_row(name, connections, rounds, floor_name))


def _median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run of median throughput (its latencies with it)."""
    return sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]


def _live_row(
    name: str, connections: int, rounds: list[dict[str, dict[str, float]]], floor_name: str
) -> dict[str, Any]:
    """One case against the floor: the median of the rounds' ratios, each of a case and the
    floor measured in the same round."""
    fake = _median_run([measured[name] for measured in rounds])
    floor = _median_run([measured[floor_name] for measured in rounds])
    ratios = [measured[name]["rps"] / measured[floor_name]["rps"] for measured in rounds]
    return {
        "case": name,
        "connections": connections,
        "fake": fake,
        "floor": floor,
        "rps_ratio": round(statistics.median(ratios), 3),
        "rps_ratios": [round(ratio, 3) for ratio in ratios],
        "p50_ratio": round(fake["p50_ms"] / floor["p50_ms"], 2) if floor["p50_ms"] else None,
        "non_2xx": sum(measured[name]["non_2xx"] for measured in rounds),
    }


# -- in process -------------------------------------------------------------------------------


def median_seconds(action: Callable[[], Any], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


async def _signed_calls(app: Any, calls: int, query: str) -> list[float]:
    transport = httpx.ASGITransport(app=app)
    clock = app.state.fake.ctx.clock
    samples = []
    async with httpx.AsyncClient(transport=transport, base_url="http://fake") as client:
        for _ in range(calls):
            headers = signed_headers(PUBLIC, PRIVATE, clock.now_int(), parse_query(query))
            started = time.perf_counter()
            response = await client.get(f"/api/v1/openapi/get_reviews?{query}", headers=headers)
            samples.append(time.perf_counter() - started)
            # HTTP 200 carries refusals too (X45): the code says it was answered.
            assert response.content.startswith(b'{"code":0,'), response.text
    return samples


def inprocess(budget: Budget, work: Path, report: Report) -> None:
    app = create_app(Config())
    samples = asyncio.run(_signed_calls(app, budget.inprocess_calls, REVIEWS_QUERY))
    report.figures["inprocess_signed_call_median_ms"] = round(statistics.median(samples) * 1000, 3)

    growth: dict[str, float] = {}
    for size in budget.growth_sizes:
        big = create_app(Config(seed_file=seed_file(size, work)))
        timings = asyncio.run(_signed_calls(big, budget.growth_calls, REVIEWS_QUERY))
        growth[str(size)] = round(statistics.median(timings) * 1000, 3)
    report.figures["get_reviews_median_ms_by_shop_size"] = growth
    smallest, largest = growth[str(budget.growth_sizes[0])], growth[str(budget.growth_sizes[-1])]
    report.figures["get_reviews_growth_ratio"] = round(largest / smallest, 2)

    report.figures["fresh_app_with_demo_seed_ms"] = round(
        median_seconds(lambda: create_app(Config()), budget.repeats) * 1000, 2
    )
    fake = create_app(Config()).state.fake
    report.figures["reset_ms"] = round(median_seconds(fake.reset, budget.repeats) * 1000, 3)


def fault_check(budget: Budget, report: Report) -> None:
    """What every Trustoo request pays for faults while none is set (X83): the endpoint's
    ``faults.any_set``, timed over many calls, in microseconds per call. Beside it, the
    whole ``faults.fire`` with one fault set that matches another operation."""
    ctx = create_app(Config()).state.fake.ctx

    def per_call_us(check: Callable[[], Any], calls: int) -> float:
        started = time.perf_counter()
        for _ in range(calls):
            check()
        return round((time.perf_counter() - started) / calls * 1e6, 3)

    report.figures["fault_check_no_fault_us"] = per_call_us(
        lambda: faults.any_set(ctx), budget.fault_checks
    )
    faults.create_fault(ctx, {"operation": "get_rating", "drop": True}, {"get_rating"})
    report.figures["fault_check_one_other_fault_us"] = per_call_us(
        lambda: faults.fire(ctx, "get_reviews", "GET", SHOP_ID, None), budget.fault_checks // 10
    )


def startup(budget: Budget, report: Report) -> None:
    code = (
        "import time; t = time.perf_counter(); import trustoo_mock; print(time.perf_counter() - t)"
    )
    imports = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(budget.repeats)
    ]
    report.figures["import_ms"] = round(statistics.median(imports) * 1000, 1)

    def cold_start() -> float:
        """Process start to the first 200 (not counting the shutdown after it)."""
        port = free_port()
        command = [str(BIN / "trustoo-mock"), "serve", "--port", str(port)]
        started = time.perf_counter()
        with server(command, port, "/_mock/health"):
            return time.perf_counter() - started

    starts = [cold_start() for _ in range(budget.repeats)]
    report.figures["cold_start_to_first_200_ms"] = round(statistics.median(starts) * 1000, 1)


# -- webhooks ---------------------------------------------------------------------------------


class _Sink(BaseHTTPRequestHandler):
    status = 200

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def sink(status: int) -> Iterator[str]:
    handler = type("Sink", (_Sink,), {"status": status})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    finally:
        httpd.shutdown()
        httpd.server_close()


def attempts_made(fake: Fake) -> int:
    return sum(len(delivery["attempts"]) for delivery in events.list_deliveries(fake.ctx))


def webhook_figures(budget: Budget, report: Report) -> None:
    principal = Principal(SHOP_ID, 0, frozenset(KNOWN_SCOPES))
    record = {"id": "1", "rating": 5}
    with sink(200) as url:
        fake = create_app(
            Config(frozen_time=1_788_840_306, max_deliveries=budget.deliveries + 10)
        ).state.fake
        webhooks.create_webhook(fake.ctx, principal, "review/created", url)
        for _ in range(budget.deliveries):
            events.emit(fake.ctx, SHOP_ID, "review/created", record)
        started = time.perf_counter()
        asyncio.run(fake.dispatcher.run_until(fake.ctx.clock.now()))
        elapsed = time.perf_counter() - started
        made = attempts_made(fake)
        assert made == budget.deliveries
        report.figures["webhook_deliveries_per_second"] = round(made / elapsed, 1)
    with sink(500) as url:
        fake = create_app(Config(frozen_time=1_788_840_306)).state.fake
        webhooks.create_webhook(fake.ctx, principal, "review/created", url)
        events.emit(fake.ctx, SHOP_ID, "review/created", record)
        target = fake.ctx.clock.now() + 135 * 60
        started = time.perf_counter()
        asyncio.run(fake.dispatcher.run_until(target))
        assert attempts_made(fake) == 10
        report.figures["ten_attempt_schedule_wall_ms"] = round(
            (time.perf_counter() - started) * 1000, 2
        )


# -- memory -----------------------------------------------------------------------------------


def memory(budget: Budget, work: Path, report: Report) -> None:
    seed = seed_file(budget.rss_reviews, work)
    port = free_port()
    with server(fake_server(port, seed), port, "/_mock/health") as process:
        loaded = rss_kib(process.pid)
        base = f"http://127.0.0.1:{port}"
        headers = signed_headers(PUBLIC, PRIVATE, server_now(base), parse_query(REVIEWS_QUERY))
        url = f"{base}/api/v1/openapi/get_reviews?{REVIEWS_QUERY}"
        sent = 0
        rate = wrk(url, 16, 1, headers)["rps"]
        sent += int(rate)
        while sent < budget.rss_requests:
            seconds = max(1, min(30, int((budget.rss_requests - sent) / max(rate, 1)) + 1))
            result = wrk(url, 16, seconds, headers)
            sent += int(result["rps"] * seconds)
            rate = result["rps"]
        after = rss_kib(process.pid)
    report.figures["rss_mib_loaded"] = {
        "reviews": budget.rss_reviews,
        "rss": round(loaded["VmRSS"] / 1024, 1),
        "peak": round(loaded["VmHWM"] / 1024, 1),
    }
    report.figures["rss_mib_after_requests"] = {
        "requests": sent,
        "rss": round(after["VmRSS"] / 1024, 1),
        "peak": round(after["VmHWM"] / 1024, 1),
    }


# -- report -----------------------------------------------------------------------------------


def print_table(report: Report) -> None:
    print(
        f"\ntrustoo-mock benchmark — {report.machine['cpus']} cores, "
        f"Python {report.machine['python']}"
    )
    print(
        f"\n{'live (wrk, 1 thread)':44} {'conn':>4} {'req/s':>9} {'floor':>9} {'ratio':>6} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'floor p50':>9}"
    )
    for row in report.live:
        fake, floor = row["fake"], row["floor"]
        print(
            f"{row['case']:44} {row['connections']:>4} {fake['rps']:>9.0f} {floor['rps']:>9.0f} "
            f"{row['rps_ratio']:>6.2f} {fake['p50_ms']:>7.2f} {fake['p99_ms']:>7.2f} "
            f"{floor['p50_ms']:>9.2f}"
        )
    print()
    for name, value in report.figures.items():
        print(f"{name:44} {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny counts: checks the harness runs")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--skip-live", action="store_true", help="no wrk runs (no wrk installed)")
    arguments = parser.parse_args(argv)
    budget = QUICK if arguments.quick else Budget()
    report = Report(
        machine={
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "budget": asdict(budget),
            "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
    )
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        startup(budget, report)
        inprocess(budget, work, report)
        fault_check(budget, report)
        webhook_figures(budget, report)
        if not arguments.skip_live:
            live_throughput(budget, work, report)
            memory(budget, work, report)
    report.figures["bench_process_peak_rss_mib"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    print_table(report)
    arguments.output.write_text(json.dumps(asdict(report), indent=1) + "\n")
    print(f"\nwritten to {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

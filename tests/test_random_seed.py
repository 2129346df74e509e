"""`trustoo-mock serve` and its random source (X48): seeded from the operating system unless
told, the printed seed repeats a run, a restart with --data never reissues anything."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import DEMO_PRIVATE_TOKEN, DEMO_PUBLIC_TOKEN, DEMO_SHOP_ID, compact
from trustoo_mock.core.signing import signed_headers

TRUSTOO_MOCK_CLI = str(Path(sys.executable).with_name("trustoo-mock"))
SEED_LINE = re.compile(r"random seed (\d+) \N{EM DASH} --random-seed \1 repeats this run")
# Nothing listens on the discard port: pushes fail, their deliveries and request ids remain.
DEAD_RECEIVER = "http://127.0.0.1:9/hooks"


@contextmanager
def serving(*arguments: str) -> Iterator[tuple[str, int]]:
    """``trustoo-mock serve --port 0`` with ``arguments``: its URL and the seed it printed."""
    process = subprocess.Popen(
        [TRUSTOO_MOCK_CLI, "serve", "--port", "0", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ},
    )
    try:
        assert process.stdout is not None
        first, second = process.stdout.readline(), process.stdout.readline()
        url = re.search(r"serving on (http://\S+)", first)
        seed = SEED_LINE.search(second)
        assert url and seed, (first, second)
        yield url.group(1), int(seed.group(1))
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def _signed_post(http: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    raw = compact(body)
    now = int(http.get("/_mock/clock").json()["now"])
    headers = signed_headers(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, now, [], raw)
    answer: dict[str, Any] = http.post(path, content=raw, headers=headers).json()
    assert answer["code"] == 0, answer
    return answer


def _created(http: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = http.post(path, json=body)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def a_session(base_url: str, receiver: str = DEAD_RECEIVER) -> dict[str, Any]:
    """What a run hands out for the same calls: ids, tokens, an envelope's request id and a
    webhook push's RequestId."""
    with httpx.Client(base_url=base_url) as http:
        shop = _created(http, "/_mock/shops", {})
        platform = _created(http, "/_mock/platforms", {})
        grant = _created(
            http, f"/_mock/shops/{shop['shop_id']}/authorizations", {"client_id": "demo-platform"}
        )
        hook = {"topic": "review/created", "url": receiver}
        subscribed = _signed_post(http, "/api/v1/openapi/create_shop_webhook", hook)
        _created(http, f"/_mock/shops/{DEMO_SHOP_ID}/reviews", {"rating": 5, "author": "Ann"})
        delivery = http.get("/_mock/webhook_deliveries").json()[-1]
    return {
        "ids": {"shop_id": shop["shop_id"], "platform_id": platform["platform_id"]},
        "request_ids": {"envelope": subscribed["request_id"], "push": delivery["request_id"]},
        "tokens": {
            "public_token": shop["public_token"],
            "private_token": shop["private_token"],
            "client_secret": platform["client_secret"],
            "access_token": grant["access_token"],
            "refresh_token": grant["refresh_token"],
        },
    }


def _values(session: dict[str, Any]) -> set[str]:
    return {str(value) for part in session.values() for value in part.values()}


def test_two_runs_without_a_seed_differ_and_the_printed_seed_repeats_one() -> None:
    with serving() as (base_url, first_seed):
        first = a_session(base_url)
    with serving() as (base_url, second_seed):
        second = a_session(base_url)
    assert first_seed != second_seed
    assert first["tokens"]["public_token"] != second["tokens"]["public_token"]
    assert first["tokens"]["access_token"] != second["tokens"]["access_token"]
    assert first["request_ids"]["envelope"] != second["request_ids"]["envelope"]
    assert first["request_ids"]["push"] != second["request_ids"]["push"]

    with serving("--random-seed", str(first_seed)) as (base_url, printed):
        repeated = a_session(base_url)
    assert printed == first_seed
    assert repeated["ids"] == first["ids"]
    assert repeated["request_ids"] == first["request_ids"]
    # Tokens of an unseeded run came from the operating system's secure source: no seed,
    # let alone a request id, leads to them.
    assert not set(repeated["tokens"].values()) & set(first["tokens"].values())


def test_two_runs_with_one_seed_hand_out_the_same_tokens_and_request_ids() -> None:
    with serving("--random-seed", "7") as (base_url, seed):
        first = a_session(base_url)
    with serving("--random-seed", "7") as (base_url, _):
        second = a_session(base_url)
    assert seed == 7
    assert first == second


@pytest.mark.parametrize("seeding", [(), ("--random-seed", "7")], ids=["os-seed", "seed-7"])
def test_a_restart_with_data_never_reissues_a_value(
    tmp_path: Path, seeding: tuple[str, ...]
) -> None:
    data = ("--data", str(tmp_path / "state.json"))
    with serving(*data, *seeding) as (base_url, _):
        before = a_session(base_url)
    with serving(*data, *seeding) as (base_url, _):
        after = a_session(base_url, f"{DEAD_RECEIVER}/again")  # every creation succeeds
    assert not _values(before) & _values(after)

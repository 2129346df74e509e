"""The README, read as a newcomer walks it.

* Its Python test examples are the files in tests/examples/, verbatim (and those run).
* Every shell block is either part of the walk (``<!-- walk: name -->``) or says why it is not
  run (``<!-- not run: why -->``); a Python block is an example file or a file the walk saves
  (``<!-- file: name -->``).
* The walk runs against a fresh fake, top to bottom and in other orders: each block on its
  own, as a reader who jumps to a section would, and every Trustoo or control-plane answer it
  prints must be a success.
* The public attributes of the helpers' results and the journal's fields are all documented.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pytest

from tests.live import live_server
from trustoo_mock.receiver import Push, WebhookReceiver
from trustoo_mock.testing import Grant, MockTrustoo, Platform, Shop

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
SHOWN = re.compile(r"<!-- example: (?P<path>\S+) -->\n```python\n(?P<code>.*?)```", re.S)
FENCE = re.compile(
    r"(?:<!-- (?P<marker>[^>]*?) -->\n)?```(?P<language>sh|python)\n(?P<code>.*?)```", re.S
)
BIN = str(Path(sys.executable).parent)


@dataclass(frozen=True)
class Block:
    marker: str
    language: str
    code: str


def blocks() -> list[Block]:
    return [
        Block(match["marker"] or "", match["language"], match["code"])
        for match in FENCE.finditer(README)
    ]


def walk() -> dict[str, str]:
    """The walk's shell blocks by name, in the README's order."""
    found = {}
    for block in blocks():
        if block.marker.startswith("walk: "):
            found[block.marker.removeprefix("walk: ")] = block.code
    return found


def saved_files() -> dict[str, str]:
    return {
        block.marker.removeprefix("file: "): block.code
        for block in blocks()
        if block.marker.startswith("file: ")
    }


def test_every_example_is_shown_exactly() -> None:
    shown = {match["path"]: match["code"] for match in SHOWN.finditer(README)}
    examples = ROOT.glob("tests/examples/test_*.py")
    assert sorted(shown) == sorted(path.relative_to(ROOT).as_posix() for path in examples)
    for path, code in shown.items():
        assert code == (ROOT / path).read_text(), f"README shows an old {path}"


def test_every_code_block_is_run_or_says_why_not() -> None:
    for block in blocks():
        kinds = ("walk: ", "not run: ") if block.language == "sh" else ("example: ", "file: ")
        assert block.marker.startswith(kinds), f"unmarked {block.language} block:\n{block.code}"
    assert len(walk()) >= 8


def envelopes(output: str) -> list[Any]:
    """Every JSON object or array printed, wherever it starts a line."""
    decoder = json.JSONDecoder()
    found = []
    position = 0
    while position < len(output):
        if output[position] in "{[":
            try:
                document, end = decoder.raw_decode(output, position)
            except ValueError:
                pass
            else:
                found.append(document)
                position = end
                continue
        newline = output.find("\n", position)
        position = len(output) if newline < 0 else newline + 1
    return found


def failures(document: Any) -> list[str]:
    """What in a printed answer is not a success: an error envelope, a control-plane error,
    a failed delivery other than the ones the retries example makes on purpose."""
    if isinstance(document, list):
        return [problem for item in document for problem in failures(item)]
    if not isinstance(document, dict):
        return []
    if "code" in document and document["code"] != 0:
        return [f"code {document['code']}: {document.get('message')}"]
    if "error" in document:
        return [f"control plane: {document['error']}"]
    return []


def run_block(name: str, code: str, base_url: str, folder: Path) -> str:
    process = subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", code],
        cwd=folder,
        env={"TRUSTOO": base_url, "PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(folder)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # what a block leaves running is stopped with it
    )
    try:
        out, err = process.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    assert process.returncode == 0, f"{name} failed ({process.returncode}):\n{out}\n{err}"
    return out


ORDERS = {
    "as written": lambda names: names,
    "reversed": lambda names: names[::-1],
    "shuffled": lambda names: random.Random(21).sample(names, len(names)),
}


@pytest.mark.parametrize("order", ORDERS)
def test_the_walk_runs_in_any_order_against_a_fresh_fake(order: str, tmp_path: Path) -> None:
    steps = walk()
    for name, text in saved_files().items():
        (tmp_path / name).write_text(text)
    with live_server() as base_url:
        for name in ORDERS[order](list(steps)):
            out = run_block(name, steps[name], base_url, tmp_path)
            problems = [problem for document in envelopes(out) for problem in failures(document)]
            assert not problems, f"{name}: {problems}\n{out}"
            expected = EXPECTED.get(name)
            if expected is not None:
                expected(out, base_url)


def _curl(out: str, base_url: str) -> None:
    (answer,) = envelopes(out)
    assert answer["data"]["page"]["page_size"] == 5


def _oauth(out: str, base_url: str) -> None:
    answers = envelopes(out)
    assert [answer["code"] for answer in answers] == [0, 0, 0, 0]
    assert answers[0]["data"]["authorize_url"].startswith(base_url)
    assert answers[1]["data"]["review_count"] > 0
    assert answers[2]["data"]["access_token"]
    assert answers[3]["data"] == {}


def _demo_token(out: str, base_url: str) -> None:
    (_, tokens, _) = envelopes(out)
    assert tokens["data"]["refresh_token"] != "ZGVtby1yZWZyZXNoLTAwMQ=="


def _webhooks(out: str, base_url: str) -> None:
    assert "verified review/created" in out
    delivered = envelopes(out)[-1]
    assert [item["status"] for item in delivered] == ["delivered"]


def _retries(out: str, base_url: str) -> None:
    failed = [document for document in envelopes(out) if isinstance(document, list)][-1]
    assert [len(item["attempts"]) for item in failed] == [10]
    assert {attempt["status_code"] for attempt in failed[0]["attempts"]} == {401}


def _media(out: str, base_url: str) -> None:
    assert "204\n" in out and "the same bytes" in out


def _push_faults(out: str, base_url: str) -> None:
    assert "REFUSED review/created" in out
    faults = next(document for document in envelopes(out) if isinstance(document, list))
    assert [(fault["kind"], fault["fired"]) for fault in faults] == [("bad_signature", 1)]


EXPECTED = {
    "curl": _curl,
    "oauth": _oauth,
    "demo-token": _demo_token,
    "webhooks": _webhooks,
    "retries": _retries,
    "media": _media,
    "push-faults": _push_faults,
}


def public(kind: type) -> set[str]:
    return {name for name in dir(kind) if not name.startswith("_")}


def test_the_helpers_results_are_documented() -> None:
    documented = " ".join(README.split())
    for kind in (Shop, Platform, Grant, Push):
        for item in fields(kind):
            assert f"`{item.name}`" in documented, f"{kind.__name__}.{item.name}"
    for name in public(Push) | public(WebhookReceiver) | {"url", "base_url"}:
        assert f"`{name}" in documented, name


def test_the_journals_fields_are_documented() -> None:
    with MockTrustoo() as fake, fake.client() as http:
        http.get("/api/v1/openapi/get_rating")
        (entry,) = fake.journal()
    section = README.split("## The control plane", 1)[1].split("\n## ", 1)[0]
    for name in entry:
        assert f"`{name}`" in section, name
